"""An HTML page -> a clean `Article` (the text-dump reader is `cchc_nlp.page.dumps`).

HTML goes through a *site profile* (cchc_nlp/data/page/site_profiles/*.json: CSS selectors
for title, date, sapo, body, author and captions, one file per CMS family or site) and
falls back to trafilatura when the profile's body selectors find nothing. Both paths
then share the line rules of cchc_nlp/data/page/page_chrome.json with the text-dump reader:
chrome lines dropped ("Chế độ ban đêm In trang Xuất PDF", "Protected by FormShield",
footers), the article cut at "Các tin khác" / "Tin cùng chuyên mục" / comment forms,
image captions set apart, the byline taken from the last line, a repeated lead dropped.

The publication date is never the page's "today" clock: it comes from JSON-LD, then the
article meta tags, then the profile's date element, then the dateline nearest the
headline (seed 000 shows the visit time "Thứ Ba, 19/02/2019" above the real
"Ngày 04/07/2018"), and only then from trafilatura's markup-only date search.
Date shapes are parsed by cchc_nlp.text.dates (parse_dateline / find_datelines).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from cchc_nlp._version import __version__
from cchc_nlp.article import Article
from cchc_nlp.errors import InputError
from cchc_nlp.ingest.urls import canonicalize_url, site_host
from cchc_nlp.page.blocks import _blocks, _depth, _pull_captions, _select_first, _text
from cchc_nlp.page.chrome import chrome_rules, clean_paragraphs
from cchc_nlp.page.compose import _make_article
from cchc_nlp.page.dating import _dateline_of, _nearest_dateline, _parse_iso
from cchc_nlp.page.decode import decode_html
from cchc_nlp.page.lines import _fold
from cchc_nlp.page.listing import chrome_elements, core_text, link_rules
from cchc_nlp.page.mainblock import author_element, find_main_block
from cchc_nlp.page.metadata import _page_meta, _profile_date, _strip_site_suffix, _title_element, _visible_lines
from cchc_nlp.page.profiles import SiteProfile, _resolve_profile
from cchc_nlp.page.select import remove_all

__all__ = ["article_from_html", "GENERIC_MAX_DEPTH"]

# libxml2's HTML parser, under lxml and so trafilatura, drops elements nested deeper than this (<html> is 1;
# measured with lxml 6)
GENERIC_MAX_DEPTH = 256


def article_from_html(
    html: bytes | str,
    url: str | None = None,
    *,
    profile: str | Path | SiteProfile | None = None,
    encoding: str | None = None,
) -> Article:
    """Extract the article of one HTML page.

    `profile` is a bundled profile name, a profile .json path or a SiteProfile; by default
    one is chosen from the URL and the page (see choose_profile). `encoding` is the HTTP
    charset when known. Raises InputError when the page holds no article text.
    """
    text = decode_html(html, encoding)
    soup = BeautifulSoup(text, "lxml")
    chosen = _resolve_profile(profile, url, text)
    meta = _page_meta(soup)
    rules = chrome_rules()
    remove_all(soup, ("script", "style", "noscript", "template"))
    remove_all(soup, rules.clock_selectors)
    # related-news lists carry other articles' dates and titles; profile chrome never holds the article
    remove_all(soup, (*rules.related_selectors, *chosen.remove))

    title_element = _title_element(soup, chosen, meta)
    title = _text(title_element) or meta.title
    if not title and soup.title is not None:
        title = _strip_site_suffix(_text(soup.title), meta.site_name)
    title = title or None

    published, published_source = meta.published, meta.published_source
    if published is None and chosen.published:
        published = _profile_date(soup, chosen)
        published_source = "profile" if published else None
    if published is None and title:
        lines = _visible_lines(soup)
        index = next((i for i, line in enumerate(lines) if _fold(line) == _fold(title)), None)
        if index is not None:
            published = _nearest_dateline(lines, index)
            published_source = "text" if published else None

    container = _select_first(soup, chosen.body) if chosen.body else None
    lead_element = profile_author = guessed_author = None
    if container is not None and len(_text(container)) >= 40:
        lead_element = _select_first(soup, chosen.lead) if chosen.lead else None
        found = _select_first(soup, chosen.author) if chosen.author else None
        if chosen.fallback:  # a fallback profile's selectors are guesses, like the generic ones
            guessed_author = found
        else:
            profile_author = found
        guessed_author = guessed_author or author_element(container)
        extractor = f"profile:{chosen.name}/{chosen.version} cchc_nlp/{__version__}"
    else:
        root = soup.body or soup
        for element, _selector in chrome_elements(root):
            element.decompose()
        block = find_main_block(root, title_element if title_element is not None and title_element.parent else None)
        container = block.container if block else None
        if block is not None:
            lead_element, guessed_author = block.lead, block.author
        extractor = f"generic:blocks cchc_nlp/{__version__}"
    lead = _text(lead_element) or None
    authors = [_text(element) for element in (profile_author, guessed_author)]
    if container is not None:
        for element in (lead_element, profile_author, guessed_author):
            if element is not None and not element.decomposed and any(p is container for p in element.parents):
                element.decompose()
        remove_all(container, (*rules.remove_selectors, *chosen.remove))
        _remove_inline_related(container)
        captions = _pull_captions(container, (*chosen.captions, *rules.caption_selectors))
        raw_paragraphs = _blocks(container)
    else:
        depth = _depth(soup)
        if depth > GENERIC_MAX_DEPTH:  # lxml stops at this depth and trafilatura would lose the text below it
            raise InputError(
                f"the page's HTML nests {depth:,} elements deep, deeper than the {GENERIC_MAX_DEPTH} levels the "
                "generic extractor (trafilatura) reads without losing text; fix the page's markup, or add a site "
                "profile whose body selector finds the article (profiles read any depth)"
            )
        raw_paragraphs = _trafilatura_paragraphs(text, url)
        captions = [_text(f) for f in soup.find_all("figcaption") if _text(f)]
        extractor = _generic_extractor_name()
    if published is None and not extractor.startswith("profile:"):
        published, published_source = _markup_date(str(soup), url)
    if published is None and published_source is None:
        published_source = _image_path_date(container if container is not None else soup)
    # datelines and the title repeated at the top of the body are chrome
    while raw_paragraphs and (_dateline_of(raw_paragraphs[0]) or (title and _fold(raw_paragraphs[0]) == _fold(title))):
        raw_paragraphs = raw_paragraphs[1:]
    cleaned = clean_paragraphs(raw_paragraphs, title=title, lead=lead, guess_captions=False)
    if lead and _fold(lead) in {_fold(p) for p in cleaned.paragraphs}:
        cleaned.paragraphs = [p for p in cleaned.paragraphs if _fold(p) != _fold(lead)]
    # the profile's byline element, a byline closing the text, a byline element found by the generic
    # rules, <meta name=author>; CMS accounts and vendors ("Quản trị viên", "VNPT ...") are no authors
    author = _first_author([authors[0], cleaned.author, authors[1], meta.author])

    canonical = None
    if meta.canonical and url:
        absolute = urljoin(url, meta.canonical)
        if urlsplit(absolute).hostname == urlsplit(url).hostname:
            canonical = canonicalize_url(absolute)
    if canonical is None and url:
        canonical = canonicalize_url(url)
    source = chosen.source_name or meta.site_name or site_host(url) or cleaned.source
    return _make_article(
        title=title,
        paragraphs=cleaned.paragraphs,
        lead=lead,
        url=url,
        canonical=canonical,
        source=source,
        published=published,
        published_source=published_source,
        author=author,
        captions=captions + cleaned.captions,
        extractor=extractor,
        path=None,
        where=url or "the HTML page",
    )


_PATH_DATE_RE = re.compile(r"/((?:19|20)\d\d)[/_-](0[1-9]|1[0-2])(?:[/_-]|\d\d/)")


def _image_path_date(root: Tag) -> str | None:
    """Why a page whose images sit under a dated folder (/uploads/2021/06/) has no publication date:
    the folder says when a file was uploaded, not when the article was published."""
    for image in root.find_all("img", src=True):
        match = _PATH_DATE_RE.search(image["src"])
        if match:
            return f"none: only an image path carries a date ({match.group(1)}-{match.group(2)})"
    return None


def _first_author(candidates: list[str | None]) -> str | None:
    rules = chrome_rules()
    for candidate in candidates:
        name = rules.byline_prefix.sub("", candidate or "").strip()
        if name and not rules.not_authors.match(name):
            return name
    return None


def _remove_inline_related(container: Tag) -> None:
    """A "Tin liên quan:" box of links inside the body (the text goes on after it)."""
    headings = link_rules().related_headings
    for string in list(container.find_all(string=True)):
        if core_text(str(string)) not in headings or string.parent is None:
            continue
        box = string.parent
        while box is not container and box.name not in ("div", "aside", "section", "table", "ul"):
            box = box.parent
        if box is container:
            continue
        text = _text(box)
        link_chars = sum(len(_text(a)) for a in box.find_all("a"))
        if link_chars * 2 >= len(text) - len(str(string).strip()):
            box.decompose()


# trafilatura warns "discarding data" for every page without an article; the caller turns
# an empty result into an InputError that is recorded, so the warning is noise (on stderr
# through logging's last-resort handler, once per listing page of a crawl). Set once here:
# trafilatura's module logger is this same object whenever it is imported.
logging.getLogger("trafilatura.core").setLevel(logging.ERROR)


def _trafilatura_paragraphs(html: str, url: str | None) -> list[str]:
    import trafilatura  # loads only when a page needs the generic extractor

    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        include_images=False,
        favor_precision=True,
    )
    if document is None or not getattr(document, "text", None):
        return []
    return [line for line in document.text.split("\n") if line.strip()]


def _markup_date(html: str, url: str | None) -> tuple[str | None, str | None]:
    """The last resort, htmldate (through trafilatura) on the page without its chrome and related
    lists: a date it finds in a machine-readable attribute (<time datetime>, a meta tag) is kept as
    "guessed"; any other (from the URL, an image path such as /uploads/2021/06/, loose text) is
    no publication date: None, with the reason."""
    from htmldate import find_date  # with trafilatura: only when nothing else dates the page

    value = find_date(html, url=url, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    iso = _parse_iso(value) if value else None
    if iso is None:
        return None, None
    if re.search(rf'(?:datetime|content)="{iso[:10]}', html):
        return iso, "guessed"
    return None, f"none: only a URL, a file path or loose text carries a date ({iso[:7]})"


@lru_cache(maxsize=1)
def _generic_extractor_name() -> str:
    import trafilatura  # loads only when a page needs the generic extractor

    return f"generic:trafilatura/{trafilatura.__version__} cchc_nlp/{__version__}"
