"""Corpus inputs -> documents: find the input files, cut them into raw items, make Articles.

Inputs are files or folders (searched recursively) of:

* ``.txt`` page dumps (one article per file, `cchc_nlp.page.article_from_text`);
* ``.html`` / ``.htm`` pages (`cchc_nlp.page.article_from_html`);
* ``.warc`` / ``.warc.gz`` archives: every HTML response with status 200 that
  `cchc_nlp.page.is_article_page` accepts (other pages are counted as skipped);
* ``.jsonl`` records, one article per line: ``text`` required; ``url``, ``title``,
  ``published``, ``source``, ``province``, ``author`` (and ``canonical_url``,
  ``published_source``, ``extractor``, as in a crawl's articles.jsonl) optional.

Reading is split in two so that the cheap part runs in the main process and the costly
part in the workers: `iter_items` reads bytes and yields `RawItem`s (numbered 0, 1, 2...
in each file, so a run can resume inside a large file); `to_article` turns one item into
an `Article` in a worker. Every document has a `label`: the file path, ``file.jsonl:12``
(line 12) or ``crawl.warc.gz@10234`` (record at byte offset 10234). A document that
cannot be read becomes an item carrying its error, never an exception that stops the run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Container, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cchc_nlp import page
from cchc_nlp.article import Article, make_doc_id
from cchc_nlp.dataset.inputs import INPUT_KINDS, InputFile, find_inputs, input_kind, scan_inputs
from cchc_nlp.errors import InputError, one_line
from cchc_nlp.page.dating import head_dateline
from cchc_nlp.page.decode import decode_bom
from cchc_nlp.text.dates import parse_dateline
from cchc_nlp.timeutil import iso_datetime

__all__ = [
    "INPUT_KINDS",
    "MAX_DOCUMENT_BYTES",
    "MAX_ARTICLE_CHARS",
    "InputFile",
    "RawItem",
    "DocumentError",
    "find_inputs",
    "input_kind",
    "scan_inputs",
    "iter_items",
    "looks_like_html",
    "to_article",
]

_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)?(?:<!doctype\s+html|<html|<head|<meta\s)", re.I | re.S
)


def looks_like_html(payload: bytes) -> bool:
    """Whether a file begins like an HTML page (a page's source saved as .txt, or with no extension)."""
    return bool(_HTML_START.match(payload[:4096]))


# One document (a file, a JSON line, an archived page) larger than this is refused unread:
# a news page is rarely over 1 MB, and the pipeline would spend minutes on it.
MAX_DOCUMENT_BYTES = 10_000_000
# An extracted article text longer than this is refused (a long report is ~100k chars).
MAX_ARTICLE_CHARS = 500_000

# text is required; the others are optional strings (a crawl's articles.jsonl has them all)
JSONL_FIELDS = (
    "text",
    "url",
    "canonical_url",
    "title",
    "published",
    "published_source",
    "source",
    "province",
    "author",
    "extractor",
)


class DocumentError(InputError):
    """One document cannot be processed; `stage` says which step failed."""

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage = stage


@dataclass
class RawItem:
    """One document as read from an input, before page extraction and NLP."""

    input: str  # InputFile.real
    input_path: str  # InputFile.path, as the user wrote it
    key: str  # InputFile.key
    index: int  # 0, 1, 2... within the input
    kind: str
    label: str  # the `path` column: file, file.jsonl:12, file.warc.gz@10234
    id_name: str  # doc_id source when the document has no URL
    payload: bytes | None = None
    url: str | None = None
    encoding: str | None = None  # charset of an archived page's Content-Type
    error: tuple[str, str, str] | None = None  # (stage, error type, message)


# --- raw items (main process) -----------------------------------------------------------


class iter_items:
    """The documents of one input file, numbered from 0; items in `skip` are not read.

    Errors of reading (missing file, oversized document, truncated archive) come out as
    items with `error` set. Once the iteration is over, `total` is the number of
    documents in the file (skipped ones included).

    >>> items = iter_items(source)          # doctest: +SKIP
    >>> [item.label for item in items], items.total    # doctest: +SKIP
    (['corpus/a.jsonl:1', 'corpus/a.jsonl:2'], 2)
    """

    def __init__(self, source: InputFile, skip: Container[int] = ()):
        self.source = source
        self.skip = skip
        self.total: int | None = None

    def __iter__(self) -> Iterator[RawItem]:
        reader = {"txt": _file_items, "html": _file_items, "jsonl": _jsonl_items, "warc": _warc_items}[self.source.kind]
        self.total = yield from reader(self.source, self.skip)


def _item(source: InputFile, index: int, label: str, **fields: Any) -> RawItem:
    return RawItem(
        input=source.real,
        input_path=source.path,
        key=source.key,
        index=index,
        kind=source.kind,
        label=label,
        id_name=source.id_name,
        **fields,
    )


def _read_error(exc: OSError) -> tuple[str, str, str]:
    """(stage, error, message) of a file that could not be read. One that vanished after it
    was listed (deleted or moved during the run) is an input problem, like a dangling link."""
    if isinstance(exc, FileNotFoundError):
        return ("input", "FileNotFoundError", "the file vanished after it was listed (deleted or moved during the run)")
    return ("read", type(exc).__name__, f"cannot read the file: {exc.strerror}")


def _too_large(size: int | None) -> str:
    """`size` None: an archived body that was not read past the limit."""
    if size is None:
        return (
            f"archived page of more than {MAX_DOCUMENT_BYTES:,} bytes (its body as served, decompressed: a huge page "
            "or a gzip bomb); it was not read past the limit and is left out"
        )
    return f"document of {size:,} bytes is over the limit of {MAX_DOCUMENT_BYTES:,} bytes; split it or leave it out"


def _file_items(source: InputFile, skip: Container[int]) -> Generator[RawItem, None, int]:
    if 0 in skip:
        return 1
    if source.size > MAX_DOCUMENT_BYTES:
        yield _item(source, 0, source.path, error=("read", "InputError", _too_large(source.size)))
        return 1
    try:
        payload = Path(source.real).read_bytes()
    except OSError as exc:
        yield _item(source, 0, source.path, error=_read_error(exc))
        return 1
    yield _item(source, 0, source.path, payload=payload)
    return 1


def _jsonl_items(source: InputFile, skip: Container[int]) -> Generator[RawItem, None, int]:
    index = 0
    try:
        with open(source.real, "rb") as handle:
            for number, line in enumerate(_bounded_lines(handle), start=1):
                if isinstance(line, bytes) and not line.strip():
                    continue
                label = f"{source.path}:{number}"
                if index not in skip:
                    if isinstance(line, int):
                        yield _item(source, index, label, error=("read", "InputError", _too_large(line)))
                    else:
                        yield _item(source, index, label, payload=line)
                index += 1
    except OSError as exc:
        if index not in skip:
            yield _item(source, index, source.path, error=_read_error(exc))
        index += 1
    return index


def _bounded_lines(handle: BinaryIO) -> Iterator[bytes | int]:
    """Lines of a binary file; a line over MAX_DOCUMENT_BYTES comes out as its length only."""
    while True:
        line = handle.readline(MAX_DOCUMENT_BYTES + 1)
        if not line:
            return
        if len(line) <= MAX_DOCUMENT_BYTES or line.endswith(b"\n"):
            yield line
            continue
        size = len(line)
        while line and not line.endswith(b"\n"):
            line = handle.readline(1 << 20)
            size += len(line)
        yield size


def _warc_items(source: InputFile, skip: Container[int]) -> Generator[RawItem, None, int]:
    """Complete 200 HTML responses of an archive (cchc_nlp.ingest.archive); a damaged archive
    gives its good records, then one error item where it breaks, and one more when warcio
    found malformed records on the way. A file that is not a WARC is one error item."""
    # warcio and requests (0.1 s of start-up) load only for a run with an archive among its inputs
    from cchc_nlp.ingest.archive import CorruptArchiveError, NotAWarcError, TruncatedArchiveError, iter_archived_pages

    index = 0
    last = None
    notes: list[str] = []
    errors: list[tuple[str, tuple[str, str, str]]] = []
    try:
        for page in iter_archived_pages(source.real, notes=notes, max_body=MAX_DOCUMENT_BYTES):
            last = page.position
            if page.status != 200 or not page.is_html:
                continue
            label = f"{source.path}@{page.position}"
            if page.truncated is not None:
                item = _item(
                    source,
                    index,
                    label,
                    url=page.url,
                    error=("read", "InputError", f"the archived page was cut ({page.truncated}) when it was crawled"),
                )
            elif page.oversize is not None:  # never read past the limit: a gzip bomb stays on disk
                item = _item(source, index, label, url=page.url, error=("read", "InputError", _too_large(None)))
            else:
                item = _item(source, index, label, url=page.url, payload=page.body, encoding=page.charset)
            if index not in skip:
                yield item
            index += 1
    except TruncatedArchiveError as exc:
        message = f"truncated archive: incomplete record at byte {exc.offset}; the records before it were read"
        errors.append((f"{source.path}@{exc.offset}", ("read", "TruncatedArchiveError", message)))
    except NotAWarcError as exc:
        errors.append((source.path, ("read", "NotAWarc", str(exc))))
    except CorruptArchiveError as exc:
        errors.append(
            (f"{source.path}@{exc.offset}", ("read", "CorruptArchiveError", f"{exc}; the records before it were read"))
        )
    except OSError as exc:
        errors.append((source.path, _read_error(exc)))
    except Exception as exc:  # warcio raises assorted types on corrupt data; record it and stop
        where = "at its start" if last is None else f"after the record at byte {last}"
        errors.append((source.path, ("read", type(exc).__name__, one_line(f"corrupt archive {where}: {exc}"))))
    if notes:
        more = f" (and {len(notes) - 1} more)" if len(notes) > 1 else ""
        message = f"malformed WARC records, read as far as possible: {notes[0]}{more}"
        errors.append((source.path, ("read", "MalformedRecords", one_line(message))))
    for label, error in errors:
        if index not in skip:
            yield _item(source, index, label, error=error)
        index += 1
    return index


# --- articles (workers) -------------------------------------------------------------------


def to_article(item: RawItem) -> Article | None:
    """The Article of a raw item, or None for an archived page that is not an article.

    Raises DocumentError (with its stage) when the document cannot be made an article.
    """
    if item.error is not None:
        stage, _, message = item.error
        raise DocumentError(stage, message)
    payload = item.payload or b""
    if item.kind == "txt" and looks_like_html(payload):  # a page's source saved as .txt
        article = page.article_from_html(payload)
    elif item.kind == "txt":
        article = page.article_from_text(_decode_text(payload), path=item.label)
    elif item.kind == "html":
        article = page.article_from_html(payload)
    elif item.kind == "warc":
        if not page.is_article_page(payload, item.url):
            return None
        article = page.article_from_html(payload, url=item.url, encoding=item.encoding)
    elif item.kind == "jsonl":
        article = _jsonl_article(payload, item.label)
    else:
        raise DocumentError("read", f"unknown input kind {item.kind!r}")
    if not article.text or not article.text.strip():
        raise DocumentError("page", "no article text found")
    if len(article.text) > MAX_ARTICLE_CHARS:
        raise DocumentError(
            "page", f"article text of {len(article.text):,} characters is over the limit of {MAX_ARTICLE_CHARS:,}"
        )
    try:
        article.published = iso_datetime(article.published)
    except ValueError:
        article.published = None
    if article.published is None:
        article.published_source = None
    article.path = item.label
    article.doc_id = make_doc_id(
        article.canonical_url or article.url or item.id_name + _position(item.label), article.text
    )
    return article


def _position(label: str) -> str:
    """':12' or '@1024' of a label (the record within a file), '' for a whole file."""
    for mark in ("@", ":"):
        head, sep, tail = label.rpartition(mark)
        if sep and tail.replace("+", "", 1).isdigit():
            return sep + tail
    return ""


def _decode_text(payload: bytes) -> str:
    """A text file: UTF-8, or UTF-16/UTF-32 with a byte-order mark (Windows editors write them)."""
    try:
        text = decode_bom(payload)
    except UnicodeDecodeError as exc:
        raise DocumentError("decode", f"malformed {exc.encoding.upper()} text (bad bytes at {exc.start})") from None
    if not text or "\x00" in text or not _reads_as_text(text):  # a mark on binary data proves nothing
        return _decode(payload)
    return text


def _reads_as_text(text: str) -> bool:
    """Whether text decoded by its byte-order mark looks like text of this corpus: mostly
    characters below U+2000 (Latin and Vietnamese letters, digits, punctuation). Binary data
    that happens to begin with a mark decodes to a run of CJK and other far characters."""
    sample = [c for c in text[:2000] if not c.isspace()]
    return bool(sample) and sum(ord(c) < 0x2000 for c in sample) >= 0.5 * len(sample)


def _decode(payload: bytes) -> str:
    utf16 = _utf16_without_mark(payload)
    if utf16:
        raise DocumentError(
            "decode", f"{utf16.upper()} text without a byte-order mark; convert it: iconv -f {utf16} -t utf-8"
        )
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            "decode", f"not UTF-8 text (bad byte at {exc.start}); convert it, e.g. iconv -f windows-1258 -t utf-8"
        ) from None
    if "\x00" in text:
        raise DocumentError("decode", "binary data, not a text file")
    return text


def _utf16_without_mark(payload: bytes) -> str | None:
    """ "utf-16le" or "utf-16be" when the bytes look like UTF-16 text (a NUL in every other
    byte, as Latin letters and Vietnamese ones of the U+00xx-U+01xx blocks give), else None."""
    head = payload[:400]
    pairs = len(head) // 2
    if pairs < 4:
        return None
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if odd >= 0.4 * pairs and even <= 0.05 * pairs:
        return "utf-16le"
    if even >= 0.4 * pairs and odd <= 0.05 * pairs:
        return "utf-16be"
    return None


def _jsonl_article(payload: bytes, label: str) -> Article:
    try:
        record = json.loads(_decode(payload))
    except json.JSONDecodeError as exc:
        raise DocumentError("record", f"not a JSON object: {exc.msg} at column {exc.colno}") from None
    if not isinstance(record, dict):
        raise DocumentError("record", f"a line must be a JSON object with a text, not a {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DocumentError("record", 'the record has no "text" (a non-empty string is required)')
    fields: dict[str, Any] = {}
    for name in JSONL_FIELDS[1:]:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise DocumentError("record", f'"{name}" must be a string, not {type(value).__name__}')
        fields[name] = value or None
    published = _published(fields.pop("published"))
    published_source = fields.pop("published_source") or "input"
    if published is None:  # "06:03, 18/03/2020" at the head of the text, as for .txt page dumps
        published = head_dateline(text, fields.get("title"))
        published_source = "text"
    captions = record.get("captions")
    if captions is not None and not (isinstance(captions, list) and all(isinstance(c, str) for c in captions)):
        raise DocumentError("record", '"captions" must be a list of strings')
    return Article(
        text=text,
        published=published,
        published_source=published_source if published else None,
        extractor=fields.pop("extractor") or "jsonl",
        captions=list(captions or []),
        path=label,
        **fields,
    )


def _published(value: str | None) -> str | None:
    """ISO 8601, or a Vietnamese date shape ("04/07/2018 21:47"), as ISO with +07:00."""
    if value is None:
        return None
    try:
        return iso_datetime(value)
    except ValueError:
        pass
    moment = parse_dateline(value)
    if moment is None:
        raise DocumentError(
            "record", f'"published" {value!r} is not a date; use ISO 8601 (2018-07-04 or 2018-07-04T21:47:04+07:00)'
        )
    return iso_datetime(moment if ":" in value else moment.date())  # no time written: a date, not midnight
