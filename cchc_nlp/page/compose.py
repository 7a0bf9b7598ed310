"""The Article of a page: title, lead and body joined, the source tag of a lead, the site's province."""

from __future__ import annotations

import re

from cchc_nlp.article import Article
from cchc_nlp.errors import InputError
from cchc_nlp.ingest.urls import site_host
from cchc_nlp.page.chrome import chrome_rules
from cchc_nlp.tag.gazetteer import province_for_url, publication_for_tag

__all__ = []

_DATELINE_TAG = re.compile(r"^\(?(?P<tag>[A-ZĐ][A-ZĐ0-9]{1,7}(?:\.[A-Z]{2,3})?)\)?\s*[-–—]\s")
_DOMAIN_RE = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.(?:vn|com|net|org)$", re.IGNORECASE)


def _province(url: str | None) -> str | None:
    if not url:
        return None
    return province_for_url(url)


def _make_article(
    *,
    title: str | None,
    paragraphs: list[str],
    lead: str | None,
    url: str | None,
    canonical: str | None,
    source: str | None,
    published: str | None,
    published_source: str | None,
    author: str | None,
    captions: list[str],
    extractor: str,
    path: str | None,
    where: str,
) -> Article:
    if lead is None and paragraphs:
        lead, paragraphs = paragraphs[0], paragraphs[1:]
    if source is None and lead:  # "(Vinhlong.gov.vn) - Ngày 02/7/2018, ..."
        tag = chrome_rules().lead_source_tag.match(lead)
        source = tag.group("source") if tag else None
    if source is None and lead:  # "BDK.VN - ...", "(QNP) - ...": the publication of a dateline tag
        tag = _DATELINE_TAG.match(lead)
        source = (publication_for_tag(tag.group("tag")) or tag.group("tag")) if tag else None
    source = source or site_host(url or canonical)  # nothing names it: the site's host
    if not lead and not paragraphs:
        raise InputError(f"no article text found in {where}; is it a listing or an empty page?")
    body = "\n\n".join(paragraphs) or None
    text = "\n\n".join(part for part in (title, lead, body) if part)
    return Article(
        text=text,
        title=title,
        lead=lead,
        body=body,
        url=url,
        canonical_url=canonical,
        source=source,
        published=published,
        published_source=published_source if published or (published_source or "").startswith("none:") else None,
        province=_province(url or canonical or (source if source and _DOMAIN_RE.match(source) else None)),
        author=author,
        captions=captions,
        extractor=extractor,
        path=path,
    )
