"""Site profiles: how to read one CMS family or site (data/page/site_profiles/*.json), and
which profile a page gets."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cchc_nlp.errors import DataError
from cchc_nlp.resources import data_path, read_user_text

__all__ = ["SiteProfile", "GENERIC_PROFILE", "site_profiles", "get_profile", "choose_profile"]

_HEAD_SCAN_CHARS = 200_000  # markers and meta tags are looked for in the first part of a page


def _compile_all(patterns: Iterable[str], where: str) -> tuple[re.Pattern, ...]:
    try:
        return tuple(re.compile(p, re.IGNORECASE) for p in patterns)
    except re.error as exc:
        raise DataError(f"{where}: bad regular expression ({exc}); fix the profile") from None


@dataclass(frozen=True)
class SiteProfile:
    """How to read one CMS family or site: selectors and URL patterns (a JSON file)."""

    name: str
    version: int = 1
    family: str = "generic"
    description: str = ""
    source_name: str | None = None
    fallback: bool = False
    hosts: tuple[str, ...] = ()
    html_markers: tuple[re.Pattern, ...] = ()
    url_patterns: tuple[re.Pattern, ...] = ()
    article_url_patterns: tuple[re.Pattern, ...] = ()
    listing_url_patterns: tuple[re.Pattern, ...] = ()
    title: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    published_patterns: tuple[re.Pattern, ...] = ()
    lead: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    article_links: tuple[str, ...] = ()
    next_page: tuple[str, ...] = ()
    listing_items: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str) -> SiteProfile:
        """Build a profile from its JSON object; DataError names the file and the key."""
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise DataError(f'{where}: a site profile must be a JSON object with a "name"; see data/README.md')
        match = data.get("match") or {}
        listing = data.get("listing") or {}

        def strings(value: Any, key: str) -> tuple[str, ...]:
            if value is None:
                return ()
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise DataError(f'{where}: "{key}" must be a list of strings')
            return tuple(value)

        return cls(
            name=data["name"],
            version=int(data.get("version", 1)),
            family=data.get("family", data["name"]),
            description=data.get("description", ""),
            source_name=data.get("source_name"),
            fallback=bool(data.get("fallback", False)),
            hosts=tuple(h.lower() for h in strings(match.get("hosts"), "match.hosts")),
            html_markers=_compile_all(strings(match.get("html_markers"), "match.html_markers"), where),
            url_patterns=_compile_all(strings(match.get("url_patterns"), "match.url_patterns"), where),
            article_url_patterns=_compile_all(strings(data.get("article_url_patterns"), "article_url_patterns"), where),
            listing_url_patterns=_compile_all(strings(data.get("listing_url_patterns"), "listing_url_patterns"), where),
            title=strings(data.get("title"), "title"),
            published=strings(data.get("published"), "published"),
            published_patterns=_compile_all(strings(data.get("published_patterns"), "published_patterns"), where),
            lead=strings(data.get("lead"), "lead"),
            body=strings(data.get("body"), "body"),
            author=strings(data.get("author"), "author"),
            captions=strings(data.get("captions"), "captions"),
            remove=strings(data.get("remove"), "remove"),
            article_links=strings(listing.get("article_links"), "listing.article_links"),
            next_page=strings(listing.get("next_page"), "listing.next_page"),
            listing_items=strings(listing.get("item"), "listing.item"),
        )

    def is_article_url(self, url: str) -> bool:
        return any(p.search(url) for p in self.article_url_patterns)

    def is_listing_url(self, url: str) -> bool:
        return not self.is_article_url(url) and any(p.search(url) for p in self.listing_url_patterns)

    def matches(self, url: str | None, html: str) -> bool:
        """Whether this family/site profile claims the page (host, URL shape or HTML marker)."""
        if url:
            host = (urlsplit(url).hostname or "").lower()
            if any(host == h or host.endswith("." + h) for h in self.hosts):
                return True
            if any(p.search(url) for p in self.url_patterns):
                return True
        head = html[:_HEAD_SCAN_CHARS]
        return any(p.search(head) for p in self.html_markers)


GENERIC_PROFILE = SiteProfile(name="generic", family="generic", description="trafilatura alone")


@lru_cache(maxsize=1)
def site_profiles() -> dict[str, SiteProfile]:
    """The bundled profiles (data/page/site_profiles/*.json) by name."""
    folder = data_path("page/site_profiles")
    profiles: dict[str, SiteProfile] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        where = f"cchc_nlp/data/page/site_profiles/{entry.name}"
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(f"{where} is not valid JSON (line {exc.lineno}): {exc.msg}") from None
        profile = SiteProfile.from_dict(data, where)
        profiles[profile.name] = profile
    return profiles


def get_profile(name_or_path: str | Path | SiteProfile) -> SiteProfile:
    """A bundled profile by name ("nukeviet"), or a profile JSON file by path."""
    if isinstance(name_or_path, SiteProfile):
        return name_or_path
    text = str(name_or_path)
    if text == "generic":
        return GENERIC_PROFILE
    if text in site_profiles():
        return site_profiles()[text]
    path = Path(text)
    if path.suffix == ".json" and path.is_file():
        try:
            data = json.loads(read_user_text(path, "site profile", "pass an existing profile .json file"))
        except json.JSONDecodeError as exc:
            raise DataError(f"{path} is not valid JSON (line {exc.lineno}): {exc.msg}") from None
        return SiteProfile.from_dict(data, str(path))
    names = ", ".join(["generic", *site_profiles()])
    raise DataError(f"unknown site profile {text!r}; use one of {names} or the path of a profile .json file")


def choose_profile(url: str | None, html: str) -> SiteProfile:
    """The profile for a page: a site profile by host, a CMS family by URL/markers, else a fallback."""
    profiles = list(site_profiles().values())
    for profile in profiles:  # site-specific profiles first
        if profile.hosts and profile.matches(url, ""):
            return profile
    for profile in profiles:
        if not profile.fallback and profile.matches(url, html):
            return profile
    for profile in profiles:
        if profile.fallback:
            return profile
    return GENERIC_PROFILE


def _resolve_profile(profile: str | Path | SiteProfile | None, url: str | None, text: str) -> SiteProfile:
    return get_profile(profile) if profile is not None else choose_profile(url, text)
