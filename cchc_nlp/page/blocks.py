"""HTML -> paragraphs: block elements and <br> lines, selectors, figure captions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bs4 import Comment, NavigableString, PageElement, Tag

from cchc_nlp.errors import DataError
from cchc_nlp.page.lines import _clean, _words

__all__ = []

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "blockquote",
        "figure",
        "figcaption",
        "section",
        "article",
        "aside",
        "header",
        "footer",
        "main",
        "pre",
        "hr",
        "center",
        "address",
        "details",
        "summary",
    ]
)


def _blocks(element: Tag) -> list[str]:
    """The text of an element as paragraphs: one per block element or <br>-separated line.

    The tree is walked with an explicit stack, not recursion: a page nested 100,000
    elements deep is read like any other."""
    blocks: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = _clean("".join(buffer))
        buffer.clear()
        if text:
            blocks.append(text)

    # (children still to visit, whether the element is a block: a paragraph ends with it)
    stack: list[tuple[Iterator[PageElement], bool]] = [(iter(element.children), False)]
    while stack:
        children, is_block = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if is_block:
                flush()
            continue
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            buffer.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        if child.name == "br":
            flush()
        elif child.name in _BLOCK_TAGS:
            flush()
            stack.append((iter(child.children), True))
        else:
            stack.append((iter(child.children), False))
    flush()
    return blocks


def _depth(root: Tag) -> int:
    """How deeply elements nest under `root` (its children are 1; no recursion)."""
    deepest = 0
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element.children if isinstance(child, Tag))
    return deepest


def _text(element: Tag | None) -> str:
    return _clean(element.get_text(" ")) if element is not None else ""


def _select_first(root: Tag, selectors: Iterable[str]) -> Tag | None:
    for selector in selectors:
        try:
            found = root.select_one(selector)
        except (ValueError, NotImplementedError) as exc:
            raise DataError(f"bad CSS selector {selector!r} in a site profile: {exc}") from None
        if found is not None:
            return found
    return None


def _decompose_all(root: Tag, selectors: Iterable[str]) -> None:
    for selector in selectors:
        try:
            found = root.select(selector)
        except (ValueError, NotImplementedError) as exc:
            raise DataError(f"bad CSS selector {selector!r}: {exc}") from None
        for element in found:
            if element is not root and not element.decomposed:
                element.decompose()


def _pull_captions(container: Tag, selectors: Iterable[str]) -> list[str]:
    """Remove figure captions from the container and return their text.

    Besides the profile's selectors: a block holding only an image followed by a short
    block that is entirely italic (the common "<p><em>caption</em></p>" of VN portals).
    """
    captions: list[str] = []
    for selector in ("figcaption", *selectors):
        for element in container.select(selector):
            if element.decomposed:
                continue
            text = _text(element)
            if text:
                captions.append(text)
            element.decompose()
    for image in container.find_all("img"):
        holder = image
        while holder.parent is not None and holder.parent is not container and not _text(holder.parent):
            holder = holder.parent
        sibling = holder.find_next_sibling()
        if sibling is None or sibling.name not in ("p", "div", "em", "i", "span"):
            continue
        text = _text(sibling)
        italic = sibling if sibling.name in ("em", "i") else sibling.find(["em", "i"])
        if text and italic is not None and _text(italic) == text and _words(text) <= 40:
            captions.append(text)
            sibling.decompose()
    return captions
