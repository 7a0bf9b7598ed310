"""Many CSS selectors over a page in one pass.

The chrome rules hold dozens of selectors (`[class*=share i]`, `[class*=related i]`, `nav`,
`[aria-hidden=true]`...); matching them one by one with soupsieve walks the tree once per
selector. The simple shapes (a tag, a class, an attribute equal to or containing a value)
are compiled here into one matcher and checked in a single walk; any other selector goes
to soupsieve.

>>> from bs4 import BeautifulSoup
>>> soup = BeautifulSoup('<div class="box articleRelated"><p>x</p></div><nav>m</nav><p id="a">y</p>', "lxml")
>>> [e.name for e in select_all(soup, ("[class*=related i]", "nav", "p#a"))]
['div', 'nav', 'p']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from bs4 import Tag

from cchc_nlp.errors import DataError

__all__ = ["select_all", "remove_all"]

_SIMPLE = re.compile(
    r"^(?P<tag>[a-z][a-z0-9]*)?"
    r"(?:\.(?P<cls>[\w-]+))?"
    r"(?:#(?P<id>[\w-]+))?"
    r"(?:\[(?P<attr>[\w-]+)(?P<op>\*?=)(?P<value>[^\]\s]+?)(?P<flag>\s+i)?\])?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Simple:
    tag: str | None
    cls: str | None
    id: str | None
    attr: str | None
    op: str | None
    value: str | None
    insensitive: bool

    def matches(self, element: Tag) -> bool:
        if self.tag and element.name != self.tag:
            return False
        if self.cls and self.cls not in (element.get("class") or ()):
            return False
        if self.id and element.get("id") != self.id:
            return False
        if self.attr:
            found = element.get(self.attr)
            if found is None:
                return False
            if isinstance(found, list):
                found = " ".join(found)
            value = self.value or ""
            if self.insensitive:
                found, value = found.lower(), value.lower()
            return value in found if self.op == "*=" else found == value
        return True


@lru_cache(maxsize=64)
def _compile(selectors: tuple[str, ...]) -> tuple[tuple[_Simple, ...], tuple[str, ...]]:
    simple, other = [], []
    for selector in selectors:
        match = _SIMPLE.match(selector.strip())
        if match and any(match.group(k) for k in ("tag", "cls", "id", "attr")):
            value = (match.group("value") or "").strip("\"'") or None
            simple.append(
                _Simple(
                    tag=(match.group("tag") or "").lower() or None,
                    cls=match.group("cls"),
                    id=match.group("id"),
                    attr=(match.group("attr") or "").lower() or None,
                    op=match.group("op"),
                    value=value,
                    insensitive=bool(match.group("flag")),
                )
            )
        else:
            other.append(selector)
    return tuple(simple), tuple(other)


def select_all(root: Tag, selectors: Iterable[str]) -> list[Tag]:
    """The elements under `root` matching any of `selectors`, in document order."""
    simple, other = _compile(tuple(s for s in selectors if s))
    found = [element for element in root.find_all(True) if any(rule.matches(element) for rule in simple)]
    if other:
        try:
            extra = root.select(", ".join(other))
        except (ValueError, NotImplementedError):
            for selector in other:
                try:
                    root.select(selector)
                except (ValueError, NotImplementedError) as exc:
                    raise DataError(f"bad CSS selector {selector!r}: {exc}") from None
            raise
        if extra:
            seen = {id(e) for e in found}
            found += [e for e in extra if id(e) not in seen]
            order = {id(e): i for i, e in enumerate(root.find_all(True))}
            found.sort(key=lambda e: order.get(id(e), -1))
    return found


def remove_all(root: Tag, selectors: Iterable[str]) -> None:
    """Remove from the tree every element under `root` matching one of `selectors`."""
    removed: set[int] = set()
    for element in select_all(root, selectors):
        # (no `element.decomposed`: on a live tag bs4 answers it by searching the whole subtree)
        if element is root or any(id(parent) in removed for parent in element.parents):
            continue
        removed.add(id(element))
        element.decompose()
