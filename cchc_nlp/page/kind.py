"""Whether a page is one article rather than a listing, index, category or form page.

An article is a block of text: paragraphs in one element, `PROSE_MIN_CHARS` characters
or more outside links (menus, headers, footers, related-news boxes and footer lines such
as "Địa chỉ: ..." set aside). A category, tag or topic page may open with a long
introduction, but a list of items (two or more headline links, `cchc_nlp.page.listing`)
follows it in the same region of the page; an article has none there ("Tin liên quan"
boxes excepted). A profile's article URL pattern, or its body selector, settles it for
the sites it was written for when the page has text and no such list; og:type or JSON-LD
"Article" count only for a short text, since some themes put them on every page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from cchc_nlp.ingest.urls import canonicalize_url
from cchc_nlp.page.blocks import _select_first, _text
from cchc_nlp.page.chrome import chrome_rules
from cchc_nlp.page.decode import decode_html
from cchc_nlp.page.listing import chrome_elements, core_text, find_item_blocks, is_headline, link_rules, link_text
from cchc_nlp.page.mainblock import prose_container
from cchc_nlp.page.metadata import _page_meta
from cchc_nlp.page.profiles import SiteProfile, _resolve_profile
from cchc_nlp.page.select import remove_all

__all__ = ["PageKind", "page_kind", "is_article_page"]

PROSE_MIN_CHARS = 250  # the shortest fixture article has 316 characters in two paragraphs
SHORT_ARTICLE_CHARS = 100  # with og:type/JSON-LD "Article" or a profile's body, one paragraph will do
REGION_LEVELS = 2  # how far above the text a list of items makes the page a listing


@dataclass(frozen=True)
class PageKind:
    """What a page is, and why."""

    is_article: bool
    reason: str


def is_article_page(
    html: bytes | str, url: str | None = None, *, profile: str | Path | SiteProfile | None = None
) -> bool:
    """Whether a page is one article (True) rather than a listing, index or form page (see `page_kind`)."""
    return page_kind(html, url, profile=profile).is_article


def _is_related(container: Tag) -> bool:
    """A list under a "Tin liên quan" / "Các tin khác" heading."""
    headings = link_rules().related_headings
    for element in (container, container.parent):
        if element is None:
            continue
        heading = element.find_previous_sibling()
        first = next((c for c in element.children if isinstance(c, Tag)), None)
        for candidate in (heading, first):
            if candidate is not None and candidate is not container and core_text(_text(candidate)) in headings:
                return True
    return False


def _teaser_of_another_page(container: Tag, url: str | None) -> bool:
    """Whether the text sits under a headline that links elsewhere (a listing's teaser, not an article)."""
    page = canonicalize_url(url) if url else None
    node = container
    for _ in range(REGION_LEVELS):
        node = node.parent
        if node is None or node.name in ("body", "html", "[document]"):
            return False
        for anchor in node.find_all("a", href=True):
            if any(parent is container for parent in anchor.parents) or not is_headline(link_text(anchor)):
                continue
            href = anchor["href"].strip()
            if href.startswith(("#", "javascript:")):
                continue
            if page is None or canonicalize_url(urljoin(page, href)) != page:
                return True
    return False


def _items_near(container: Tag, url: str | None) -> int:
    """Items of lists in the region around the text (up to REGION_LEVELS above it), not inside it."""
    rules = replace(link_rules(), block_min_items=2)
    node = container
    for _ in range(REGION_LEVELS):
        node = node.parent
        if node is None or node.name in ("body", "html", "[document]"):
            break
        blocks = [
            b
            for b in find_item_blocks(node, url or "", rules)
            if b.container is not container
            and not any(parent is container for parent in b.container.parents)
            and not _is_related(b.container)
        ]
        if blocks:
            return sum(len(b.items) for b in blocks)
    return 0


def page_kind(
    html: bytes | str, url: str | None = None, *, profile: str | Path | SiteProfile | None = None
) -> PageKind:
    """Whether a page is an article, with the reason (see the module docstring)."""
    text = decode_html(html)
    chosen = _resolve_profile(profile, url, text)
    soup = BeautifulSoup(text, "lxml")
    meta = _page_meta(soup)
    remove_all(soup, ("script", "style", "noscript", "template", "textarea", "select"))
    root = soup.body or soup
    for element, _selector in chrome_elements(root):
        element.decompose()
    remove_all(root, chrome_rules().related_selectors)
    container, sizes = prose_container(root)
    if container is not None:
        near = _items_near(container, url)
        if near:
            return PageKind(False, f"a list of {near} items next to its text (a category, tag or topic page)")
        if url and not chosen.fallback and chosen.is_article_url(url):
            return PageKind(True, f"profile {chosen.name}: article URL pattern, and it has text")
        if sum(sizes) >= PROSE_MIN_CHARS and len(sizes) >= 2:
            return PageKind(True, f"{sum(sizes)} characters of text in {len(sizes)} paragraphs")
    if not chosen.fallback and chosen.body:
        body = _select_first(root, chosen.body)
        if body is not None and len(_text(body)) >= SHORT_ARTICLE_CHARS:
            return PageKind(True, f"profile {chosen.name}: body element with {len(_text(body))} characters")
    if meta.is_article and sizes and max(sizes) >= SHORT_ARTICLE_CHARS and not _teaser_of_another_page(container, url):
        return PageKind(True, "og:type or JSON-LD says article, and it has a paragraph of text")
    return PageKind(False, "no block of article text")
