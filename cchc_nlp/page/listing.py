"""Listing pages: the repeated item blocks of a page and the link rules (data/page/link_rules.json).

A listing shows its articles as *items*: the same element repeated (an `li`, a `div.item`,
a table row, an `article` card) at least `block_min_items` times, each holding one
headline-like link (`headline_min_words` words or more), often with a date and a teaser.
`find_item_blocks` finds them in any page without knowing its CMS; the crawler takes
their links as articles (`cchc_nlp.crawl.discover`) and `cchc_nlp.page.kind` counts them
as evidence that a page is a listing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

import soupsieve
from bs4 import Tag

from cchc_nlp.errors import DataError
from cchc_nlp.page.blocks import _text
from cchc_nlp.page.lines import _clean
from cchc_nlp.page.select import select_all
from cchc_nlp.resources import read_json
from cchc_nlp.text.dates import find_datelines

__all__ = [
    "LinkRules",
    "link_rules",
    "ItemBlock",
    "Item",
    "find_item_blocks",
    "chrome_elements",
    "link_text",
    "core_text",
    "is_headline",
]

_EDGE_SYMBOLS = " \t\n\r\u00a0.,:;!?|()[]{}\"'*-–—•·"


@dataclass(frozen=True)
class LinkRules:
    """The compiled rules of data/page/link_rules.json."""

    chrome_selectors: tuple[str, ...]
    menu_selectors: tuple[str, ...]
    menu_headline_words: int
    headline_min_words: int
    block_min_items: int
    teaser_min_chars: int
    next_texts: frozenset[str]
    other_page_texts: frozenset[str]
    related_headings: frozenset[str]
    read_more_texts: frozenset[str]
    page_markers: tuple[re.Pattern, ...]
    page_parameters: re.Pattern
    postback_page_argument: re.Pattern
    postback_get_parameter: str
    back_link_parameters: re.Pattern
    document_extensions: frozenset[str]


@lru_cache(maxsize=1)
def link_rules() -> LinkRules:
    """The link rules of data/page/link_rules.json (compiled once)."""
    data = read_json("page/link_rules.json")
    where = "cchc_nlp/data/page/link_rules.json"
    try:
        return LinkRules(
            chrome_selectors=tuple(data["chrome_selectors"]),
            menu_selectors=tuple(data["menu_selectors"]),
            menu_headline_words=int(data["menu_headline_words"]),
            headline_min_words=int(data["headline_min_words"]),
            block_min_items=int(data["block_min_items"]),
            teaser_min_chars=int(data["teaser_min_chars"]),
            next_texts=frozenset(core_text(t) for t in data["next_texts"]),
            other_page_texts=frozenset(core_text(t) for t in data["other_page_texts"]),
            related_headings=frozenset(core_text(t) for t in data["related_headings"]),
            read_more_texts=frozenset(core_text(t) for t in data["read_more_texts"]),
            page_markers=tuple(re.compile(p, re.IGNORECASE) for p in data["page_markers"]),
            page_parameters=re.compile(data["page_parameters"], re.IGNORECASE),
            postback_page_argument=re.compile(data["postback_page_argument"]),
            postback_get_parameter=str(data["postback_get_parameter"]),
            back_link_parameters=re.compile(data["back_link_parameters"], re.IGNORECASE),
            document_extensions=frozenset(e.lower() for e in data["document_extensions"]),
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise DataError(f"{where}: missing or malformed key {exc}; compare with data/README.md") from None


def core_text(text: str) -> str:
    """A link text as the rules compare it: lowercase, spaces collapsed, edge punctuation off.

    Arrows are kept when they are all there is ("»"), stripped around words ("Tiếp ›").
    """
    text = _clean(text).lower()
    stripped = text.strip(_EDGE_SYMBOLS + "»«›‹<>→←")
    return stripped or text.strip(_EDGE_SYMBOLS)


def link_text(anchor: Tag) -> str:
    """The visible text of a link, else its title, else the alt text of its image."""
    text = _text(anchor)
    if not text:
        text = _clean(anchor.get("title") or "")
    if not text:
        image = anchor.find("img")
        text = _clean(image.get("alt") or "") if image is not None else ""
    return text


def _words(text: str) -> int:
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))


def is_headline(text: str, rules: LinkRules | None = None) -> bool:
    """Whether a link text reads like a headline (enough words, not "Xem tiếp" or a number)."""
    rules = rules or link_rules()
    core = core_text(text)
    if core in rules.read_more_texts or core in rules.next_texts or core in rules.other_page_texts:
        return False
    return _words(text) >= rules.headline_min_words


def chrome_elements(root: Tag, rules: LinkRules | None = None) -> list[tuple[Tag, str]]:
    """The page chrome under `root` with the selector that found it: menus, page headers and
    footers, breadcrumbs, pagination bars. A <header>/<footer> inside an <article> or a list
    item belongs to it; an element classed "menu" whose links read like headlines (a median
    of `menu_headline_words` words) is a news module, not a menu."""
    rules = rules or link_rules()
    found: list[tuple[Tag, str]] = []
    taken: set[int] = set()

    def inside_taken(element: Tag) -> bool:
        return any(id(parent) in taken for parent in element.parents)

    for selectors, menus in ((rules.chrome_selectors, False), (rules.menu_selectors, True)):
        for element in select_all(root, selectors):  # one pass over the tree
            if id(element) in taken or inside_taken(element):
                continue
            if element.name in ("header", "footer") and element.find_parent(["article", "li"]) is not None:
                continue
            if menus:
                sizes = sorted(_words(link_text(a)) for a in element.find_all("a"))
                if sizes and sizes[len(sizes) // 2] >= rules.menu_headline_words:
                    continue
            taken.add(id(element))
            found.append((element, next(s for s in selectors if soupsieve.match(s, element))))
    return found


@dataclass
class Item:
    """One item of a listing block: its element, headline link and what is around it."""

    element: Tag
    anchor: Tag
    href: str  # absolute, as written (not canonicalized)
    text: str
    date: str | None = None  # ISO date written in the item, if any
    teaser_chars: int = 0


@dataclass
class ItemBlock:
    """Repeated sibling elements, each holding one headline link."""

    container: Tag
    selector: str  # CSS selector of the items' headline links, for profiles and --explain
    items: list[Item] = field(default_factory=list)
    members: int = 0  # siblings of the items' tag, with or without a headline

    @property
    def dated(self) -> int:
        return sum(1 for item in self.items if item.date)

    @property
    def with_teaser(self) -> int:
        rules = link_rules()
        return sum(1 for item in self.items if item.teaser_chars >= rules.teaser_min_chars)

    def describe(self) -> str:
        extras = []
        if self.dated:
            extras.append(f"{self.dated} dated")
        if self.with_teaser:
            extras.append(f"{self.with_teaser} with a teaser")
        return f"{self.selector} ×{len(self.items)}" + (f" ({', '.join(extras)})" if extras else "")


def _item_date(text: str) -> str | None:
    if len(text) > 600:
        return None
    found = find_datelines(text)
    return found[0][2].date().isoformat() if found else None


def _headline_anchor(member: Tag, base: str, rules: LinkRules) -> Tag | None | bool:
    """The headline link of a member; None when it has none; False when it holds several (a container)."""
    by_href: dict[str, list[Tag]] = defaultdict(list)
    for anchor in member.find_all("a", href=True):
        href = anchor["href"].strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        if is_headline(link_text(anchor), rules):
            by_href[urljoin(base, href)].append(anchor)
    if not by_href:
        return None
    if len(by_href) == 1:
        return next(iter(by_href.values()))[0]
    if len(by_href) > 2:
        return False
    titled = [a for anchors in by_href.values() for a in anchors if _in_heading(a, member)]
    if len({urljoin(base, a["href"].strip()) for a in titled}) == 1:
        return titled[0]
    return max((a for anchors in by_href.values() for a in anchors), key=lambda a: len(link_text(a)))


def _in_heading(anchor: Tag, stop: Tag) -> bool:
    for parent in [anchor, *anchor.parents]:
        if parent is stop:
            return False
        if parent.name in ("h1", "h2", "h3", "h4", "h5", "h6") or any("title" in c for c in parent.get("class") or []):
            return True
    return False


def _simple_selector(element: Tag) -> str:
    classes = [c for c in element.get("class") or [] if c and not re.search(r"\d|^(active|selected|current)$", c)]
    selector = element.name
    if element.get("id") and not re.search(r"\d", element["id"]):
        return f"{selector}#{soupsieve.escape(element['id'])}"
    return selector + "".join(f".{soupsieve.escape(c)}" for c in classes[:2])


def _path_selector(anchor: Tag, item: Tag) -> str:
    steps = []
    for parent in anchor.parents:
        if parent is item:
            break
        steps.append(parent.name)
    return " ".join(reversed(steps))


def find_item_blocks(root: Tag, base_url: str, rules: LinkRules | None = None) -> list[ItemBlock]:
    """The repeated item blocks under `root` (chrome already removed by the caller), largest first."""
    rules = rules or link_rules()
    blocks: list[ItemBlock] = []
    for parent in [root, *root.find_all(True)]:
        children = [c for c in parent.children if isinstance(c, Tag)]
        if len(children) < rules.block_min_items:
            continue
        groups: dict[str, list[Tag]] = defaultdict(list)
        for child in children:
            groups[child.name].append(child)
        for name, members in groups.items():
            if len(members) < rules.block_min_items or name in ("p", "br", "img", "script", "style"):
                continue
            items = []
            for member in members:
                anchor = _headline_anchor(member, base_url, rules)
                if not isinstance(anchor, Tag):
                    continue
                text = link_text(anchor)
                whole = _text(member)
                link_chars = sum(len(_text(a)) for a in member.find_all("a"))
                items.append(
                    Item(
                        element=member,
                        anchor=anchor,
                        href=urljoin(base_url, anchor["href"].strip()),
                        text=text,
                        date=_item_date(whole),
                        teaser_chars=max(0, len(whole) - link_chars),
                    )
                )
            if len({item.href for item in items}) < rules.block_min_items or len(items) * 2 < len(members):
                continue
            item_selector = _common_selector([item.element for item in items])
            inner = _path_selector(items[0].anchor, items[0].element)
            selector = f"{_simple_selector(parent)} > {item_selector}" + (f" {inner}" if inner else "") + " a"
            blocks.append(ItemBlock(container=parent, selector=selector, items=items, members=len(members)))
    blocks.sort(key=lambda b: -len(b.items))
    return blocks


def _common_selector(elements: Iterable[Tag]) -> str:
    elements = list(elements)
    shared = set(elements[0].get("class") or [])
    for element in elements[1:]:
        shared &= set(element.get("class") or [])
    classes = sorted(c for c in shared if not re.search(r"\d|^(active|selected|current|first|last|odd|even)$", c))
    return elements[0].name + "".join(f".{soupsieve.escape(c)}" for c in classes[:2])
