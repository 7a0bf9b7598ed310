"""`cchc-nlp crawl --explain URL`: what the crawler makes of one page, and a site profile from it.

The page is fetched as the crawler would (robots.txt, User-Agent, address checks), judged
article or listing (`cchc_nlp.page.page_kind`) and its links classified
(`cchc_nlp.crawl.discover`): which are articles, listings (pagination) and feeds, by which
rule (the profile's selectors, a repeated item block, the URL shape), and which are left
as chrome, with the reason. `learned_profile` turns what was learned (the item blocks'
selectors, the article URL shapes) into a site profile in the format of
cchc_nlp/data/page/site_profiles/*.json.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from cchc_nlp.crawl.discover import Discovery, discover
from cchc_nlp.crawl.shapes import SiteShapes, shape_regex, url_shape
from cchc_nlp.errors import FetchError
from cchc_nlp.ingest.fetch import HTML_TYPES, Fetcher, FetchPolicy
from cchc_nlp.ingest.urls import charset_from_content_type, host_of, site_host
from cchc_nlp.page import PageKind, SiteProfile, choose_profile, decode_html, get_profile, page_kind

__all__ = ["Explanation", "explain", "explain_html", "format_explanation", "learned_profile"]

_SHOWN_PER_GROUP = 12


@dataclass
class Explanation:
    """One page as the crawler sees it."""

    url: str
    profile: SiteProfile
    kind: PageKind
    discovery: Discovery
    shapes: SiteShapes


def explain_html(html: str | bytes, url: str, *, profile: str | SiteProfile | None = None) -> Explanation:
    """Explain a page already at hand (`profile`: a name, a file, "generic" for profiles off, None to choose)."""
    text = decode_html(html)
    chosen = get_profile(profile) if profile is not None else choose_profile(url, text)
    kind = page_kind(text, url, profile=chosen)
    shapes = SiteShapes()
    found = discover(text, url, chosen, shapes=shapes)
    return Explanation(url, chosen, kind, found, shapes)


def explain(url: str, policy: FetchPolicy, *, profile: str | SiteProfile | None = None) -> Explanation:
    """Fetch one page politely and explain it; FetchError when it cannot be fetched."""
    fetcher = Fetcher(policy)
    result = fetcher.fetch(url, accept=HTML_TYPES)
    final = result.final
    if result.error or final is None or final.status != 200 or result.skipped:
        why = result.error or result.skipped or f"HTTP {final.status if final else '?'}"
        raise FetchError(f"cannot explain {url}: {why}")
    html = decode_html(final.body, charset_from_content_type(final.header("Content-Type")))
    return explain_html(html, result.final_url, profile=profile)


def format_explanation(explanation: Explanation, *, show_all: bool = False) -> str:
    """The explanation as text for the terminal."""
    found = explanation.discovery
    profile = explanation.profile
    profile_note = "profiles off" if profile.name == "generic" else f"profile {profile.name}"
    if profile.fallback:
        profile_note += " (fallback: no CMS family recognised)"
    lines = [
        f"{explanation.url}",
        f"  {profile_note}; the page is {'an ARTICLE' if explanation.kind.is_article else 'a LISTING'}: "
        f"{explanation.kind.reason}",
    ]
    if explanation.kind.is_article:
        lines.append("  (the crawler extracts an article page and follows none of its links; they are shown anyway)")
    lines.append("")
    lines.append(f"repeated item blocks ({len(found.blocks)}):")
    lines += [f"  {block.describe()}" for block in found.blocks] or ["  none"]
    shapes = explanation.shapes.article_shapes()
    lines.append("article URL shapes learned from them:")
    lines += [f"  {shape}" for shape in shapes] or ["  none"]
    for kind, title in (("article", "ARTICLES"), ("listing", "LISTINGS (pagination)"), ("feed", "FEEDS")):
        links = found.of_kind(kind)
        lines.append("")
        lines.append(f"{title} ({len(links)}):")
        for link in links if show_all else links[:_SHOWN_PER_GROUP]:
            text = f'  "{link.text[:60]}"' if link.text else ""
            lines.append(f"  [{link.rule}] {link.url}{text}")
            lines.append(f"      why: {link.why}" + (f"; dated {link.hint}" if link.hint else ""))
        if not show_all and len(links) > _SHOWN_PER_GROUP:
            lines.append(f"  ... and {len(links) - _SHOWN_PER_GROUP} more (--explain-all shows them)")
    ignored = found.of_kind("ignored")
    lines.append("")
    lines.append(f"LEFT ALONE ({len(ignored)}), by reason:")
    for why, count in Counter(link.why for link in ignored).most_common():
        examples = [link.url for link in ignored if link.why == why][:2]
        lines.append(f"  {count:3} × {why}: {', '.join(examples)}")
    for note in found.notes:
        lines.append("")
        lines.append(f"note: {note}")
    return "\n".join(lines)


def learned_profile(explanation: Explanation, name: str | None = None) -> dict[str, Any]:
    """A site profile (the JSON object of cchc_nlp/data/page/site_profiles/*.json) from what the page taught."""
    host = host_of(explanation.url)
    site = site_host(explanation.url) or host
    found = explanation.discovery
    article_shapes = explanation.shapes.article_shapes() or sorted(
        {url_shape(link.url) for link in found.articles if link.rule in ("block", "items")}
    )
    listing_shapes = sorted({url_shape(link.url) for link in found.listings} | {url_shape(found.url)})
    base = explanation.profile if explanation.profile.name != "generic" and not explanation.profile.fallback else None
    return {
        "name": name or site.replace(".", "-"),
        "version": 1,
        "family": base.family if base else "site",
        "description": (
            f"Learned by `cchc-nlp crawl --explain {explanation.url}` on {date.today().isoformat()}: the "
            "article URL shapes and listing items of the site. Check it, then add title/published/body "
            "selectors if the generic extraction misses something."
        ),
        "match": {"hosts": [site], "html_markers": [], "url_patterns": []},
        "article_url_patterns": [shape_regex(shape) for shape in article_shapes],
        "listing_url_patterns": [shape_regex(shape) for shape in listing_shapes if shape not in article_shapes],
        "title": list(base.title) if base else [],
        "published": list(base.published) if base else [],
        "published_patterns": [pattern.pattern for pattern in base.published_patterns] if base else [],
        "lead": list(base.lead) if base else [],
        "body": list(base.body) if base else [],
        "author": list(base.author) if base else [],
        "captions": list(base.captions) if base else [],
        "remove": list(base.remove) if base else [],
        "listing": {
            "article_links": [block.selector for block in found.blocks],
            "next_page": list(base.next_page) if base else [],
            "item": [],
        },
    }
