"""Whether a page is one article rather than a listing, index or form page."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from cchc_nlp.page.blocks import _decompose_all, _select_first, _text
from cchc_nlp.page.decode import decode_html
from cchc_nlp.page.metadata import _page_meta
from cchc_nlp.page.profiles import SiteProfile, _resolve_profile

__all__ = ["is_article_page"]


def is_article_page(
    html: bytes | str, url: str | None = None, *, profile: str | Path | SiteProfile | None = None
) -> bool:
    """Whether a page is one article (True) rather than a listing, index or form page.

    In order: the profile's article / listing URL patterns; og:type "article" or a
    JSON-LD *Article; the profile's body element; else whether one element holds at
    least 400 characters of paragraph text outside links in two or more paragraphs.
    """
    text = decode_html(html)
    chosen = _resolve_profile(profile, url, text)
    if url:
        if chosen.is_article_url(url):
            return True
        if chosen.is_listing_url(url):
            return False
    soup = BeautifulSoup(text, "lxml")
    if _page_meta(soup).is_article:
        return True
    _decompose_all(soup, ("script", "style", "noscript", "nav", "header", "footer"))
    if chosen.body:
        container = _select_first(soup, chosen.body)
        if container is not None and len(_text(container)) >= 100:
            return True
    per_parent: dict[int, list[int]] = {}
    for paragraph in soup.find_all("p"):
        link_text = sum(len(_text(a)) for a in paragraph.find_all("a"))
        own = len(_text(paragraph)) - link_text
        if own >= 40 and paragraph.parent is not None:
            per_parent.setdefault(id(paragraph.parent), []).append(own)
    return any(len(sizes) >= 2 and sum(sizes) >= 400 for sizes in per_parent.values())
