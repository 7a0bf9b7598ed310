"""URL shapes: what the article URLs of a site look like, learned from the links of its listings.

The shape of a URL keeps its fixed words and replaces what varies from one article to
the next: numbers become `{n}`, slugs (two or more hyphenated words, an id at the end or not) `{slug}`, long or
encoded query values `{text}`; query keys are sorted.

>>> url_shape("https://a.gov.vn/news/cai-cach-hanh-chinh/kiem-tra-cong-vu-1131.html")
'/news/{slug}/{slug}.html'
>>> url_shape("https://a.gov.vn/news/cai-cach-hanh-chinh/page-2.html")
'/news/{slug}/page-{n}.html'
>>> url_shape("https://a.gov.vn/tabid/76/ArticleID/1523/Default.aspx")
'/tabid/{n}/ArticleID/{n}/Default.aspx'
>>> url_shape("https://a.gov.vn/index.php?option=com_content&view=article&id=258:kiem-tra-xa&catid=18")
'/index.php?catid={n}&id={n}:{slug}&option=com_content&view=article'

A site's shapes (`SiteShapes`) count how many links of each shape were seen in listing
item blocks and how many pages of that shape turned out articles or not once fetched; a
shape is trusted for links outside item blocks when its pages were articles.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlsplit

__all__ = ["url_shape", "shape_regex", "SiteShapes"]

_SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+", re.IGNORECASE)
_EXT_RE = re.compile(r"^(?P<stem>.*?)(?P<ext>\.[A-Za-z][A-Za-z0-9]{1,4})?$")
_MAX_LITERAL = 24


def _slug_words(stem: str) -> int:
    return sum(1 for part in stem.split("-") if re.search(r"[a-z]", part, re.IGNORECASE))


def _segment_shape(segment: str) -> str:
    match = _EXT_RE.match(segment)
    stem, ext = match.group("stem"), match.group("ext") or ""
    if stem.isdigit():
        return "{n}" + ext
    if _SLUG_RE.fullmatch(stem) and _slug_words(stem) >= 2:  # "kiem-tra-cong-vu-1131"; not "page-2"
        return "{slug}" + ext
    return re.sub(r"\d+", "{n}", stem) + ext


def _value_shape(value: str) -> str:
    if value.isdigit():
        return "{n}"
    head, sep, tail = value.partition(":")
    if sep and head.isdigit():
        return "{n}:" + (_segment_shape(tail) if tail else "")
    if len(value) > _MAX_LITERAL or value.startswith(("/", "http")):
        return "{text}"
    return _segment_shape(value)


def url_shape(url: str) -> str:
    """The shape of a URL: its path and query with numbers, slugs and long values generalized."""
    parts = urlsplit(url)
    path = "/".join(_segment_shape(s) if s else "" for s in (parts.path or "/").split("/"))
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    if not query:
        return path
    return path + "?" + "&".join(f"{k}={_value_shape(v)}" for k, v in query)


def _part_regex(shape: str) -> str:
    out = []
    for piece in re.split(r"(\{n\}|\{slug\}|\{text\})", shape):
        if piece == "{n}":
            out.append(r"\d+")
        elif piece == "{slug}":
            out.append(r"[a-z0-9]+(?:-[a-z0-9]+)+")
        elif piece == "{text}":
            out.append(r"[^&#]*")
        else:
            out.append("".join(_char_regex(ch) for ch in piece))
    return "".join(out)


def _char_regex(ch: str) -> str:
    """A literal character, or its percent-encoded form (canonical URLs encode ':' in a query value)."""
    encoded = quote(ch, safe="/")
    return re.escape(ch) if encoded == ch else f"(?:{re.escape(ch)}|{re.escape(encoded)})"


def shape_regex(shape: str) -> str:
    """A regular expression (for a site profile's article_url_patterns) matching the URLs of a shape."""
    path, _, query = shape.partition("?")
    regex = r"^[a-z]+://[^/]+" + _part_regex(path)
    if not query:
        return regex + "$"
    keys = query.split("&")
    lookaheads = "".join(rf"(?=(?:[^#]*&)?{_part_regex(k)}(?:&|$))" for k in keys)
    return regex + r"\?" + lookaheads + r"[^#]*$"


@dataclass
class _Counts:
    in_blocks: int = 0
    articles: int = 0
    not_articles: int = 0


@dataclass
class SiteShapes:
    """Shapes of one site: how often each was seen in item blocks and what its pages were; and the
    CSS selectors of the site's listing items (learned from lists whose links have trusted shapes)."""

    counts: dict[str, _Counts] = field(default_factory=dict)
    item_selectors: dict[str, int] = field(default_factory=dict)

    def learn_selector(self, selector: str) -> None:
        self.item_selectors[selector] = self.item_selectors.get(selector, 0) + 1

    def seen_in_block(self, url: str) -> None:
        self.counts.setdefault(url_shape(url), _Counts()).in_blocks += 1

    def fetched(self, url: str, is_article: bool) -> None:
        counts = self.counts.setdefault(url_shape(url), _Counts())
        if is_article:
            counts.articles += 1
        else:
            counts.not_articles += 1

    def trusted(self, url: str) -> bool:
        """Whether links of this URL's shape are articles: its pages were articles more often than not,
        or (before any was fetched) it was seen at least twice in item blocks."""
        counts = self.counts.get(url_shape(url))
        if counts is None:
            return False
        if counts.articles or counts.not_articles:
            return counts.articles > counts.not_articles
        return counts.in_blocks >= 2

    def article_shapes(self) -> list[str]:
        """The trusted shapes, most seen first."""
        ranked = sorted(self.counts.items(), key=lambda kv: -(kv[1].articles + kv[1].in_blocks))
        return [
            shape
            for shape, c in ranked
            if (c.articles > c.not_articles) or (not c.articles and not c.not_articles and c.in_blocks >= 2)
        ]

    def to_json(self) -> str:
        shapes = {s: [c.in_blocks, c.articles, c.not_articles] for s, c in self.counts.items()}
        return json.dumps({"shapes": shapes, "item_selectors": self.item_selectors})

    @classmethod
    def from_json(cls, text: str | None) -> SiteShapes:
        if not text:
            return cls()
        data = json.loads(text)
        counts = {s: _Counts(*values) for s, values in data.get("shapes", {}).items()}
        return cls(counts, dict(data.get("item_selectors", {})))
