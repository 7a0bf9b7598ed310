"""The Article: one news item as it enters the NLP stages."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Article", "make_doc_id"]


def make_doc_id(source: str, text: str) -> str:
    """A stable id from where an article came from and what it says (16 hex digits)."""
    digest = hashlib.sha256()
    digest.update(source.encode("utf-8"))
    digest.update(b"\x00")
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()[:16]


@dataclass
class Article:
    """A cleaned article.

    `text` is what the NLP stages read: title, lead and body paragraphs separated by
    blank lines (captions and page chrome excluded). `published` is ISO 8601 with the
    +07:00 offset ("2018-07-04T21:47:04+07:00", or a date "2018-07-04"), None when unknown;
    `published_source` says where it came from (meta, json-ld, profile, text, input).
    """

    text: str
    title: str | None = None
    lead: str | None = None
    body: str | None = None
    url: str | None = None
    canonical_url: str | None = None
    source: str | None = None
    published: str | None = None
    published_source: str | None = None
    province: str | None = None
    author: str | None = None
    captions: list[str] = field(default_factory=list)
    extractor: str | None = None
    path: str | None = None
    doc_id: str | None = None

    def __post_init__(self) -> None:
        if self.doc_id is None:
            self.doc_id = make_doc_id(self.canonical_url or self.url or self.path or "", self.text)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
