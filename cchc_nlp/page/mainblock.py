"""The main block of an article page when no profile says where it is: the element holding
the article's paragraphs, the lead just under the headline, the byline element.

The body is the element whose paragraphs (`<p>` of 40 characters or more outside links,
footer lines such as "Địa chỉ: ..." excepted) hold the most text; the lead is the first
block of text between the headline and that element (a sapo in a `div`, `strong`, `h2`),
datelines and toolbars skipped; the byline is an element classed author/tác giả next to
the body. `cchc_nlp.page.kind` uses the same body finder to judge article or listing.
"""

from __future__ import annotations

from dataclasses import dataclass

import soupsieve
from bs4 import Tag

from cchc_nlp.page.blocks import _text
from cchc_nlp.page.chrome import chrome_rules
from cchc_nlp.page.dating import _dateline_of
from cchc_nlp.page.lines import _fold, _words

__all__ = ["MainBlock", "prose_container", "find_main_block", "author_element"]

PARAGRAPH_MIN_CHARS = 40  # a line shorter than this is a caption, a dateline or a menu
BODY_MIN_CHARS = 100  # less paragraph text than this is no article body
LEAD_MAX_CHARS = 800  # a longer block under the headline is the body itself, not a sapo
_LEAD_TAGS = frozenset({"div", "p", "h2", "h3", "h4", "strong", "b", "em", "section", "span", "blockquote"})


@dataclass
class MainBlock:
    """Where the article is in a page without a profile."""

    container: Tag
    lead: Tag | None = None
    author: Tag | None = None


def prose_container(root: Tag) -> tuple[Tag | None, list[int]]:
    """The element holding the most paragraph text outside links, and its paragraphs' sizes."""
    footer = chrome_rules().footer
    per_parent: dict[int, tuple[Tag, list[int]]] = {}
    for paragraph in root.find_all("p"):
        text = _text(paragraph)
        if footer.match(text):
            continue
        own = len(text) - sum(len(_text(a)) for a in paragraph.find_all("a"))
        if own >= PARAGRAPH_MIN_CHARS and paragraph.parent is not None:
            per_parent.setdefault(id(paragraph.parent), (paragraph.parent, []))[1].append(own)
    if not per_parent:
        return None, []
    return max(per_parent.values(), key=lambda entry: sum(entry[1]))


def _inside(element: Tag, container: Tag) -> bool:
    return any(parent is container for parent in element.parents)


def _lead_between(title: Tag, container: Tag) -> Tag | None:
    """The first block of text after the headline and before the body (not a dateline, not links,
    not the headline again)."""
    headline = _fold(_text(title))
    in_title = {id(e) for e in title.descendants}
    above_body = {id(e) for e in container.parents}
    for element in title.next_elements:
        if element is container:
            return None
        if not isinstance(element, Tag) or element.name not in _LEAD_TAGS or id(element) in in_title:
            continue
        if id(element) in above_body:
            continue  # the body is inside this element: look at what comes before it inside
        text = _text(element)
        if len(text) < PARAGRAPH_MIN_CHARS or len(text) > LEAD_MAX_CHARS or _dateline_of(text):
            continue
        if _fold(text) == headline:
            continue
        link_chars = sum(len(_text(a)) for a in element.find_all("a"))
        if link_chars * 2 > len(text) or element.find(["ul", "ol", "table", "img"]) is not None:
            continue
        return element
    return None


def author_element(container: Tag) -> Tag | None:
    """A byline element inside the body or just after it: classed author / tác giả, or a short
    line opening with a byline prefix ("Tác giả bài viết: Hoàng Anh")."""
    rules = chrome_rules()
    places = [container]
    places += [s for s in container.find_next_siblings(limit=3) if isinstance(s, Tag)]
    if container.parent is not None:  # a table row, a wrapper: the byline in the next one
        places += [s for s in container.parent.find_next_siblings(limit=2) if isinstance(s, Tag)]
    for place in places:
        for selector in rules.author_selectors:
            candidates = [place] if soupsieve.match(selector, place) else []
            candidates += place.select(selector)
            for element in candidates:
                text = _text(element)
                if text and len(text) <= rules.byline_max_chars + 12 and _words(text) <= rules.byline_max_words + 3:
                    return element
        for element in place.find_all(["p", "div", "span"]) if place is not container else []:
            text = _text(element)
            match = rules.byline_prefix.match(text)
            if match and text[match.end() :].strip() and len(text) <= rules.byline_max_chars + 24:
                return element
    return None


def find_main_block(root: Tag, title: Tag | None) -> MainBlock | None:
    """The main block of an article page (see the module docstring), None when there is no body."""
    container, sizes = prose_container(root)
    if container is None or sum(sizes) < BODY_MIN_CHARS:
        return None
    lead = _lead_between(title, container) if title is not None and not _inside(title, container) else None
    return MainBlock(container=container, lead=lead, author=author_element(container))
