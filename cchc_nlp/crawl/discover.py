"""Which links of a page are articles, listing pages (pagination) or feeds, and why.

Generic rules first, a site profile's selectors added on top (never instead):

1. pagination, from the whole page: `rel="next"`, "Trang sau"/"Tiếp"/"»"-style texts and
   page numbers whose URL is this listing's URL with another page number (`?page=N`,
   `?Page=N`, `&start=10`, `/page-N.html`, `/trang-N.htm`, `/page/N/`, `/currentpage/N/`);
   ASP.NET `__doPostBack(..., 'Page$N')` paging as its GET form `?Page=N`, and a note when
   a postback cannot be expressed as a GET;
2. after menus, headers, footers and breadcrumbs are set aside: the profile's
   `listing.article_links` selectors;
3. repeated item blocks (`cchc_nlp.page.listing`): the headline link of every item;
4. links whose URL has a shape the site's article pages were found to have
   (`cchc_nlp.crawl.shapes`), then the profile's `article_url_patterns`.

Everything else is left (chrome, documents, other hosts), each with its reason, which
`cchc-nlp crawl --explain URL` prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from cchc_nlp.crawl.shapes import SiteShapes, url_shape
from cchc_nlp.ingest.urls import canonicalize_url, host_of
from cchc_nlp.page import GENERIC_PROFILE, SiteProfile, decode_html
from cchc_nlp.page.listing import ItemBlock, chrome_elements, core_text, find_item_blocks, link_rules, link_text
from cchc_nlp.text.dates import find_datelines

__all__ = ["FoundLink", "Discovery", "discover", "page_position", "same_listing"]

_POSTBACK_RE = re.compile(r"""(?:__doPostBack|WebForm_PostBackOptions)\(\s*['"]([^'"]*)['"]\s*,\s*['"]([^'"]*)['"]""")


@dataclass
class FoundLink:
    """One link of a page and what the crawler makes of it."""

    url: str  # absolute, canonical
    kind: str  # article, listing, feed or ignored
    rule: str  # profile, block, shape, profile-url, pagination, postback, feed, chrome, ...
    why: str
    text: str = ""
    hint: str | None = None  # a date written next to the link (ISO)


@dataclass
class Discovery:
    """The links of one page, classified."""

    url: str
    links: list[FoundLink] = field(default_factory=list)
    blocks: list[ItemBlock] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[FoundLink]:
        return [link for link in self.links if link.kind == kind]

    @property
    def articles(self) -> list[FoundLink]:
        return self.of_kind("article")

    @property
    def listings(self) -> list[FoundLink]:
        return self.of_kind("listing")

    @property
    def feeds(self) -> list[FoundLink]:
        return self.of_kind("feed")


def _drop_back_links(url: str) -> str:
    """The URL without back-link parameters (SharePoint &Source=/..., Liferay _redirect=/...)."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    rules = link_rules()
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query if not (rules.back_link_parameters.match(k) and v.startswith(("/", "http")))]
    if len(kept) == len(query):
        return url
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept, doseq=True), parts.fragment))


def _is_document(url: str) -> bool:
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    return "." in last and last.rsplit(".", 1)[1].lower() in link_rules().document_extensions


def _strip_page_marker(path: str) -> str:
    for pattern in link_rules().page_markers:
        path = pattern.sub("/", path)
    return path.rstrip("/")


def same_listing(current: str, target: str) -> bool:
    """Whether `target` is another page of the listing `current`: the same address with
    another page number, in the path (/page-2.html, /page/2/, /currentpage/2/) or the query."""
    a, b = urlsplit(current), urlsplit(target)
    if host_of(current) != host_of(target):
        return False
    rules = link_rules()
    path_a, path_b = _strip_page_marker(a.path), _strip_page_marker(b.path)
    if path_a != path_b:
        return False
    query_a = dict(parse_qsl(a.query, keep_blank_values=True))
    query_b = dict(parse_qsl(b.query, keep_blank_values=True))
    changed = {k for k in query_a.keys() | query_b.keys() if query_a.get(k) != query_b.get(k)}
    if a.path != b.path:  # a page marker in the path: the query must not change but for page numbers
        return all(rules.page_parameters.match(k) for k in changed)
    paging = [k for k in changed if rules.page_parameters.match(k) and (query_b.get(k) or "0").isdigit()]
    if not paging:
        return False
    # other parameters may be added (Liferay's _delta, _resetCur), never changed or dropped
    return all(k in paging or k not in query_a for k in changed)


def page_position(url: str) -> int:
    """The page number (or item offset, `&start=10`) a listing URL carries; 0 without one.
    Only compared between pages of one listing (`same_listing`): later pages list older items."""
    rules = link_rules()
    parts = urlsplit(url)
    for pattern in rules.page_markers:
        marker = pattern.search(parts.path)
        if marker:
            return int(re.findall(r"\d+", marker.group(0))[-1])
    numbers = [int(v) for k, v in parse_qsl(parts.query) if rules.page_parameters.match(k) and v.isdigit()]
    return max(numbers, default=0)


def _with_parameter(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() != name.lower()]
    query.append((name, value))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _current_page(url: str, name: str) -> int:
    for k, v in parse_qsl(urlsplit(url).query):
        if k.lower() == name.lower() and v.isdigit():
            return int(v)
    return 1


def _nearby_date(anchor: Tag) -> str | None:
    """A date written in the few elements around a link ("02/07/2021"), ISO, or None."""
    holder = anchor
    for _ in range(3):
        if holder.parent is None:
            break
        holder = holder.parent
        text = holder.get_text(" ", strip=True)
        if len(text) > 400:
            break
        found = find_datelines(text)
        if found:
            return found[0][2].date().isoformat()
    return None


def discover(
    html: str | bytes,
    url: str,
    profile: SiteProfile | None = None,
    *,
    shapes: SiteShapes | None = None,
    allowed_hosts: frozenset[str] | set[str] | None = None,
) -> Discovery:
    """Classify the links of a (listing) page; see the module docstring."""
    profile = profile or GENERIC_PROFILE
    rules = link_rules()
    soup = BeautifulSoup(decode_html(html), "lxml")
    base = url
    base_tag = soup.find("base", href=True)
    if base_tag is not None:
        base = urljoin(url, base_tag["href"].strip())
    hosts = set(allowed_hosts) if allowed_hosts else {host_of(url)}
    page = canonicalize_url(url)
    result = Discovery(url=page)
    seen: dict[str, FoundLink] = {}

    def absolute(href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            return None
        target = canonicalize_url(_drop_back_links(urljoin(base, href)))
        return target if urlsplit(target).scheme in ("http", "https") else None

    def add(target: str | None, kind: str, rule: str, why: str, text: str = "", hint: str | None = None) -> None:
        if target is None or target in seen or target == page:
            return
        if kind in ("article", "listing", "feed") and host_of(target) not in hosts:
            kind, rule, why = "ignored", "host", f"another host ({host_of(target)})"
        elif kind in ("article", "listing") and _is_document(target):
            kind, rule, why = "ignored", "document", "a document or media file, not a page"
        found = FoundLink(target, kind, rule, why, text[:120], hint)
        seen[target] = found
        result.links.append(found)

    # feeds and rel="next" in the head
    for link in soup.find_all("link", href=True):
        rel = " ".join(link.get("rel") or []).lower().split()
        kind = (link.get("type") or "").lower()
        if "alternate" in rel and ("rss" in kind or "atom" in kind):
            add(absolute(link["href"]), "feed", "feed", f'<link rel="alternate" type="{kind}">')
        elif "next" in rel:
            add(absolute(link["href"]), "listing", "pagination", '<link rel="next">')

    _pagination(soup, page, absolute, add, result, profile)

    root = soup.body or soup
    for element, selector in chrome_elements(root, rules):  # menus, page header and footer, breadcrumbs
        for anchor in element.find_all("a", href=True):
            add(absolute(anchor["href"]), "ignored", "chrome", f"in page chrome ({selector})", link_text(anchor))
        element.decompose()

    for selector in profile.article_links:
        for anchor in root.select(selector):
            target = absolute(anchor.get("href"))
            if target and not profile.is_listing_url(target):
                add(
                    target,
                    "article",
                    "profile",
                    f"profile {profile.name}: {selector}",
                    link_text(anchor),
                    _nearby_date(anchor),
                )
    for selector in profile.next_page:
        for anchor in root.select(selector):
            add(absolute(anchor.get("href")), "listing", "profile", f"profile {profile.name}: {selector}")

    shapes = shapes if shapes is not None else SiteShapes()
    blocks = find_item_blocks(root, base, replace(rules, block_min_items=2))
    result.blocks = [b for b in blocks if len(b.items) >= rules.block_min_items]
    for block in result.blocks:
        _take_block(block, f"repeated block {block.describe()}", "block", absolute, add, shapes, hosts, seen)
    # lists of two items: the site's listing structure when their links have the site's article shape
    for block in blocks:
        if len(block.items) >= rules.block_min_items:
            continue
        targets = [absolute(item.anchor.get("href")) for item in block.items]
        if block.selector in shapes.item_selectors or all(t and shapes.trusted(t) for t in targets):
            shapes.learn_selector(block.selector)
            result.blocks.append(block)
            _take_block(block, f"listing items {block.selector}", "items", absolute, add, shapes, hosts, seen)
    for selector in shapes.item_selectors:
        for anchor in root.select(selector):
            add(
                absolute(anchor.get("href")),
                "article",
                "items",
                f"this site's listing items ({selector})",
                link_text(anchor),
                _nearby_date(anchor),
            )

    for anchor in root.find_all("a", href=True):
        target = absolute(anchor["href"])
        if target is None or target in seen:
            continue
        text = link_text(anchor)
        if shapes.trusted(target):
            add(
                target,
                "article",
                "shape",
                f"URL shape {url_shape(target)} of this site's articles",
                text,
                _nearby_date(anchor),
            )
        elif profile.is_article_url(target):
            add(
                target,
                "article",
                "profile-url",
                f"profile {profile.name}: article URL pattern",
                text,
                _nearby_date(anchor),
            )
        else:
            add(target, "ignored", "other", "not in a repeated item block, no article URL shape", text)
    return result


def _take_block(block: ItemBlock, why: str, rule: str, absolute, add, shapes: SiteShapes, hosts, seen) -> None:
    """The items of a block as articles (a block that is mostly documents is a document list)."""
    targets = [absolute(item.anchor.get("href")) for item in block.items]
    if sum(1 for t in targets if t and _is_document(t)) * 2 > len(targets):
        for target, item in zip(targets, block.items, strict=True):
            add(target, "ignored", "document", f"a list of documents ({block.selector})", item.text)
        return
    for target, item in zip(targets, block.items, strict=True):
        if target is None:
            continue
        if host_of(target) in hosts and not _is_document(target) and target not in seen:
            shapes.seen_in_block(target)
        add(target, "article", rule, why, item.text, item.date)


def _pagination(soup, page: str, absolute, add, result: Discovery, profile: SiteProfile) -> None:
    """Pagination links of the whole page (bars often sit in <nav>), postbacks included."""
    rules = link_rules()
    blocked_postbacks: list[str] = []
    for anchor in soup.find_all("a"):
        href = (anchor.get("href") or "").strip()
        onclick = anchor.get("onclick") or ""
        text = link_text(anchor)
        core = core_text(text)
        rel = " ".join(anchor.get("rel") or []).lower().split()
        is_number = core.isdigit() and len(core) <= 5
        is_next = core in rules.next_texts or "next" in rel
        postback = _POSTBACK_RE.search(href if href.startswith("javascript:") else onclick)
        if postback and (is_number or is_next):
            target_name, argument = postback.groups()
            match = rules.postback_page_argument.match(argument)
            if match:
                number = match.group(1)
                name = rules.postback_get_parameter
                value = str(_current_page(page, name) + 1) if number == "Next" else number
                target = canonicalize_url(_with_parameter(page, name, value))
                add(
                    target,
                    "listing",
                    "postback",
                    f"ASP.NET postback paging {argument!r} taken as its GET form ?{name}={value}",
                    text,
                )
            else:
                blocked_postbacks.append(f"{target_name!r}, {argument!r}")
            continue
        target = absolute(href)
        if target is None:
            continue
        if "next" in rel:
            add(target, "listing", "pagination", 'rel="next"', text)
        elif (is_number or is_next) and same_listing(page, target):
            add(target, "listing", "pagination", "next page" if is_next else f"page {core} of this listing", text)
        elif core in rules.other_page_texts and same_listing(page, target):
            add(target, "ignored", "pagination", f"{text!r}: first, last or previous page, not followed", text)
    if blocked_postbacks:
        result.notes.append(
            f"pagination by ASP.NET postback only ({'; '.join(blocked_postbacks[:3])}): it has no GET form, so only "
            "the items of this page are taken; give the later pages' URLs, a sitemap or a feed as start URLs"
        )
