"""The raw archive of a crawl: every HTTP response in gzipped WARC files.

`WarcWriter` appends one `response` record (status line, headers, body bytes) per
fetched response to corpus/NAME/warc/*.warc.gz, one gzip member per record, flushed
and fsynced before the crawler records the URL as done, so a crawl killed at any
moment leaves at worst one partial record at the end of the newest file.

`iter_archived_pages(path)` reads them back for re-extraction without re-crawling:
path is a corpus folder, its warc/ folder or one .warc.gz file. A truncated final
record (a crawl killed mid-write) is detected by its incomplete gzip member: every
complete record of every file is yielded first, then TruncatedArchiveError (a
DataError) is raised naming the file and offset. Catch it to keep what was read;
`repair_warc(file)` cuts the partial tail (the crawler does so when it resumes).

Other people's archives are read too: gzip members are decompressed as they are read, so
a .warc.gz compressed as one stream (`gzip crawl.warc`) costs no more memory than one
record, and its records are located by the member's offset plus their offset in the
decompressed member (`ArchivedPage.inner`). Whether a file is gzipped is decided by its
first bytes, not its name. A file that is not a WARC raises NotAWarcError; warcio's
warnings about malformed records are collected (`notes`), never printed. With `max_body`,
no more than that many bytes of a body are ever held (a record whose body, once its
Content-Encoding is undone, is larger, a gzip bomb among them, comes with an empty body
and `oversize` set; the rest of the record is skipped as stored, never inflated).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cchc_nlp._version import __version__
from cchc_nlp.errors import DataError, one_line
from cchc_nlp.ingest.fetch import ResponseHeaders
from cchc_nlp.ingest.urls import charset_from_content_type

__all__ = [
    "ArchivedPage",
    "ArchivedRecord",
    "CorruptArchiveError",
    "NotAWarcError",
    "TruncatedArchiveError",
    "WarcWriter",
    "iter_archived_pages",
    "complete_length",
    "repair_warc",
    "scan_warc",
    "WarcEntry",
    "warc_files",
]

_CHUNK = 1 << 20
_MAX_METADATA = 1 << 20  # the crawler's metadata records are a few hundred bytes
_GZIP_MAGIC = b"\x1f\x8b"
_LOG = logging.getLogger(__name__)
# Headers describing the transfer, not the stored body (requests already decoded it).
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


class TruncatedArchiveError(DataError):
    """A WARC file ends with an incomplete record (the writer was killed mid-record)."""

    def __init__(self, path: Path, offset: int, problems: list[tuple[Path, int]] | None = None):
        self.path = Path(path)
        self.offset = offset
        self.problems = problems or [(self.path, offset)]
        others = f" (and {len(self.problems) - 1} more file(s))" if len(self.problems) > 1 else ""
        super().__init__(
            f"{self.path} ends with an incomplete WARC record at byte {offset}{others}; the records before it were "
            "read; re-run the crawl to repair it, or cchc_nlp.ingest.archive.repair_warc(path)"
        )


class NotAWarcError(DataError):
    """A file read as a WARC archive is not one (another format, or not a WARC at all)."""

    def __init__(self, path: Path, begins: bytes, gzipped: bool):
        self.path = Path(path)
        shown = begins[:40].decode("latin-1").encode("unicode_escape").decode("ascii")
        what = "the gzipped file" if gzipped else "it"
        super().__init__(
            f"{self.path} is not a WARC archive ({what} begins with '{shown}'); leave it out, or give it a name "
            "that is not .warc/.warc.gz"
        )


class CorruptArchiveError(DataError):
    """A record of a WARC archive cannot be parsed (the records before it were read)."""

    def __init__(self, path: Path, offset: int, reason: str):
        self.path = Path(path)
        self.offset = offset
        self.reason = f"unreadable WARC record: {one_line(reason, 200)}"
        super().__init__(f"{self.path}: {self.reason} at byte {offset}")


@dataclass(frozen=True)
class ArchivedPage(ResponseHeaders):
    """One archived HTTP response."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    record_id: str
    offset: int  # byte offset of the record's gzip member in `path` (of the record, in an uncompressed file)
    path: Path
    date: str  # WARC-Date, UTC
    truncated: str | None = None  # WARC-Truncated ("length": body cut at the size cap)
    inner: int = 0  # offset of the record in its decompressed gzip member (0 when it starts the member)
    oversize: int | None = None  # with max_body: the body was larger than this many bytes and was not kept

    @property
    def position(self) -> str:
        """Where the record is: "10234" (its gzip member, or its byte in an uncompressed
        file), or "0+2881" (byte 2881 of the gzip member at 0: a file compressed as one stream)."""
        return f"{self.offset}+{self.inner}" if self.inner else str(self.offset)

    @property
    def charset(self) -> str | None:
        return charset_from_content_type(self.header("Content-Type"))

    @property
    def is_html(self) -> bool:
        return self.content_type in ("text/html", "application/xhtml+xml", "")

    @property
    def ok(self) -> bool:
        """A complete 200 HTML response: what extraction should read."""
        return self.status == 200 and self.is_html and self.truncated is None and bool(self.body)


@dataclass(frozen=True)
class ArchivedRecord:
    """Where a record was written."""

    path: Path
    offset: int
    length: int
    record_id: str


def _clean_headers(headers: list[tuple[str, str]], body_length: int) -> list[tuple[str, str]]:
    kept = []
    for name, value in headers:
        if name.lower() in _TRANSFER_HEADERS:
            if name.lower() != "content-length":
                kept.append((f"X-Archive-Orig-{name}", value))
            continue
        kept.append((name, value))
    kept.append(("Content-Length", str(body_length)))
    return kept


@dataclass
class WarcWriter:
    """Append response records to gzipped WARC files in `folder`.

    Each writer starts a new file (never appends to one a killed process may have
    left truncated) and rolls over to another past `max_file_bytes`.
    """

    folder: Path
    prefix: str = "crawl"
    max_file_bytes: int = 200 * 1024 * 1024
    fsync: bool = True
    software: str = f"cchc-nlp/{__version__}"
    description: str = ""
    _handle: io.BufferedWriter | None = field(default=None, repr=False)
    _writer: WARCWriter | None = field(default=None, repr=False)
    _sequence: int = 0
    path: Path | None = None

    def _open(self) -> None:
        self.folder = Path(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        while True:
            self._sequence += 1
            path = self.folder / f"{self.prefix}-{stamp}-{os.getpid()}-{self._sequence:03d}.warc.gz"
            if not path.exists():
                break
        self.path = path
        self._handle = open(path, "ab")  # noqa: SIM115 - open for the writer's lifetime, closed by close()
        self._writer = WARCWriter(self._handle, gzip=True)
        info = {"software": self.software, "format": "WARC File Format 1.1"}
        if self.description:
            info["description"] = self.description
        self._writer.write_record(self._writer.create_warcinfo_record(path.name, info))
        self._sync()

    def _sync(self) -> None:
        assert self._handle is not None
        self._handle.flush()
        if self.fsync:
            os.fsync(self._handle.fileno())

    def write_response(
        self,
        url: str,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        reason: str = "",
        truncated: str | None = None,
    ) -> ArchivedRecord:
        """Append one response record; returns where it was written (after fsync)."""
        if self._handle is None or self._handle.tell() >= self.max_file_bytes:
            self.close()
            self._open()
        assert self._handle is not None and self._writer is not None and self.path is not None
        http_headers = StatusAndHeaders(
            f"{status} {reason}".strip(), _clean_headers(headers, len(body)), protocol="HTTP/1.1"
        )
        warc_headers = {"WARC-Truncated": truncated} if truncated else None
        record = self._writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=http_headers, warc_headers_dict=warc_headers
        )
        offset = self._handle.tell()
        self._writer.write_record(record)
        self._sync()
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        return ArchivedRecord(self.path, offset, self._handle.tell() - offset, record_id)

    def write_fetch(
        self,
        target: str,
        responses: list[dict],
        info: dict,
        *,
        before_write: Callable[[bytes], None] | None = None,
    ) -> tuple[list[ArchivedRecord], ArchivedRecord]:
        """Append the responses of one fetch plus a closing `metadata` record, in one write.

        Each response dict has url, status, reason, headers, body and optionally
        truncated. The metadata record (JSON `info`, target URI = `target`) marks the
        fetch as complete: a crawl resuming after a kill keeps a fetch only when its
        metadata record is complete (see `last_complete_fetch_end`). `before_write`
        receives the bytes about to be written (a test hook).
        """
        if self._handle is None or self._handle.tell() >= self.max_file_bytes:
            self.close()
            self._open()
        assert self._handle is not None and self.path is not None
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=True)
        spans: list[tuple[int, int, str]] = []
        ids: list[str] = []
        for item in responses:
            body = item["body"]
            http_headers = StatusAndHeaders(
                f"{item['status']} {item.get('reason', '')}".strip(),
                _clean_headers(item["headers"], len(body)),
                protocol="HTTP/1.1",
            )
            extra = {"WARC-Truncated": "length"} if item.get("truncated") else None
            record = writer.create_warc_record(
                item["url"], "response", payload=io.BytesIO(body), http_headers=http_headers, warc_headers_dict=extra
            )
            start = buffer.tell()
            writer.write_record(record)
            ids.append(record.rec_headers.get_header("WARC-Record-ID"))
            spans.append((start, buffer.tell(), ids[-1]))
        payload = json.dumps({**info, "records": ids}, ensure_ascii=False).encode("utf-8")
        metadata = writer.create_warc_record(
            target,
            "metadata",
            payload=io.BytesIO(payload),
            warc_content_type="application/json",
            warc_headers_dict={"WARC-Refers-To": ids[-1]} if ids else None,
        )
        start = buffer.tell()
        writer.write_record(metadata)
        spans.append((start, buffer.tell(), metadata.rec_headers.get_header("WARC-Record-ID")))
        data = buffer.getvalue()
        base = self._handle.tell()
        if before_write is not None:
            before_write(data)
        self._handle.write(data)
        self._sync()
        records = [ArchivedRecord(self.path, base + a, b - a, rid) for a, b, rid in spans]
        return records[:-1], records[-1]

    def close(self) -> None:
        if self._handle is not None:
            self._sync()
            self._handle.close()
            self._handle = None
            self._writer = None

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Truncated(Exception):
    def __init__(self, offset: int):
        self.offset = offset


class _Member(io.RawIOBase):
    """One gzip member of a file, decompressed as it is read: memory stays at a chunk or
    two whatever the member's size. `tell()` is the position in the decompressed data
    (what warcio reports as record offsets); `end` the file offset after the member, once
    it is read to its end. Raises _Truncated where the file ends inside the member or its
    data is not gzip."""

    def __init__(self, handle: io.BufferedReader, start: int, pending: bytes):
        super().__init__()
        self.handle = handle
        self.start = start
        self.end: int | None = None
        self.rest = b""  # bytes after the member that were read with it (the next member's start)
        self._pending = pending  # compressed bytes read from the file, not yet inflated
        self._pending_at = start  # their offset in the file
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._out = bytearray()
        self._position = 0

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def _fill(self) -> bool:
        """Inflate one more chunk; False once the member is read to its end."""
        if self.end is not None:
            return False
        at_file_end = False
        if not self._pending:
            self._pending = self.handle.read(_CHUNK)
            at_file_end = not self._pending
        try:
            data = self._inflater.decompress(self._pending, _CHUNK)
        except zlib.error:
            raise _Truncated(self.start) from None
        self._out += data
        if self._inflater.eof:
            self.rest = self._inflater.unused_data
            self.end = self._pending_at + len(self._pending) - len(self.rest)
            self._pending = b""
        elif at_file_end and not data:
            raise _Truncated(self.start)
        else:
            tail = self._inflater.unconsumed_tail
            self._pending_at += len(self._pending) - len(tail)
            self._pending = tail
        return True

    def read(self, size: int = -1) -> bytes:
        while (size is None or size < 0 or len(self._out) < size) and self._fill():
            pass
        count = len(self._out) if size is None or size < 0 else min(size, len(self._out))
        data = bytes(self._out[:count])
        del self._out[:count]
        self._position += count
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def peek(self, size: int) -> bytes:
        while len(self._out) < size and self._fill():
            pass
        return bytes(self._out[:size])

    def stream(self) -> io.RawIOBase | io.BytesIO:
        """Something to read the member from: the member itself, or, when it is small enough
        to be inflated in one chunk (one record per member, the usual case), its bytes."""
        self._fill()
        if self.end is None or self._position:
            return self
        data = bytes(self._out)
        self._out.clear()
        self._position = len(data)
        return io.BytesIO(data)

    def drain(self) -> int:
        """Read the member to its end; returns `end`."""
        while self._fill():
            self._position += len(self._out)
            self._out.clear()
        assert self.end is not None
        return self.end


def _members(handle: io.BufferedReader, start: int = 0) -> Iterator[_Member]:
    """The gzip members of a file from byte `start`, each read to its end before the next."""
    handle.seek(start)
    position, pending = start, handle.read(_CHUNK)
    while pending:
        member = _Member(handle, position, pending)
        yield member
        position = member.drain()
        pending = member.rest or handle.read(_CHUNK)


class _Quiet:
    """Steps of a warcio ArchiveIterator with what warcio writes to stderr (warnings about
    malformed records) captured as notes instead of printed."""

    def __init__(self, path: Path, notes: list[str] | None):
        self.path = path
        self.notes = notes

    def note(self, text: str, where: str) -> None:
        message = f"{where}: warcio: {one_line(text, 300)}"
        if self.notes is None:
            _LOG.warning("%s: %s", self.path, message)
        else:
            self.notes.append(message)

    def records(self, iterator: ArchiveIterator, where: Callable[[], str], read: Callable) -> Iterator:
        """(record, read(record)) for every record; read() runs inside the capture too."""
        while True:
            sink = io.StringIO()
            near = where()  # warcio warns about the end of the record before the one it reads next
            try:
                with contextlib.redirect_stderr(sink):
                    record = next(iterator, None)
                    result = read(record) if record is not None else None
            except ArchiveLoadFailed as exc:
                raise CorruptArchiveError(self.path, _offset_of(near), str(exc)) from None
            finally:
                if sink.getvalue().strip():
                    self.note(sink.getvalue(), f"near {near}")
            if record is None:
                return
            yield record, result


def _offset_of(where: str) -> int:
    return int(where.split()[-1].split("+")[0])


def _read_capped(record, limit: int | None) -> tuple[bytes, int | None]:
    """The record's body (Content-Encoding undone), read in chunks and never more than
    `limit` + 1 bytes of it: (body, None), or (b"", limit) when it is larger."""
    stream = record.content_stream()
    if limit is None:
        return stream.read(), None
    chunks, size = [], 0
    while size <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(chunks), None
        chunks.append(chunk)
        size += len(chunk)
    return b"", limit


def _page_from_record(
    record, path: Path, offset: int, inner: int = 0, max_body: int | None = None
) -> ArchivedPage | None:
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status_line = record.http_headers.get_statuscode()
    try:
        status = int(status_line)
    except (TypeError, ValueError):
        status = 0
    headers = [(k, v) for k, v in record.http_headers.headers if k.lower() != "content-length"]
    body, oversize = _read_capped(record, max_body)
    return ArchivedPage(
        url=record.rec_headers.get_header("WARC-Target-URI"),
        status=status,
        headers=headers,
        body=body,
        oversize=oversize,
        record_id=record.rec_headers.get_header("WARC-Record-ID"),
        offset=offset,
        path=path,
        date=record.rec_headers.get_header("WARC-Date"),
        truncated=record.rec_headers.get_header("WARC-Truncated"),
        inner=inner,
    )


def warc_files(path: str | Path) -> list[Path]:
    """The WARC files of a corpus folder, a warc/ folder, or a single file, in name order."""
    path = Path(path)
    if path.is_file():
        return [path]
    if (path / "warc").is_dir():
        path = path / "warc"
    if not path.is_dir():
        raise DataError(
            f"{path} is neither a WARC file nor a folder holding WARC files; give corpus/NAME or a .warc.gz file"
        )
    return sorted(p for p in path.iterdir() if p.name.endswith((".warc.gz", ".warc")))


@dataclass(frozen=True)
class WarcEntry:
    """One record met while scanning a file: a response (page) or a crawl metadata record."""

    offset: int
    end: int
    record_type: str
    target: str | None
    page: ArchivedPage | None = None
    metadata: dict | None = None


def scan_warc(path: str | Path, start: int = 0) -> Iterator[WarcEntry]:
    """Every record of one file from byte `start`; TruncatedArchiveError at a partial final record."""
    path = Path(path)
    try:
        yield from _iter_file(path, start)
    except _Truncated as exc:
        raise TruncatedArchiveError(path, exc.offset) from None


def _entry(record, path: Path, offset: int, end: int, inner: int = 0, max_body: int | None = None) -> WarcEntry:
    metadata = None
    if record.rec_type == "metadata":
        data, oversize = _read_capped(record, _MAX_METADATA)
        try:
            metadata = None if oversize else json.loads(data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            metadata = None
    page = _page_from_record(record, path, offset, inner, max_body)
    return WarcEntry(offset, end, record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), page, metadata)


def _iter_file(
    path: Path, start: int = 0, notes: list[str] | None = None, max_body: int | None = None
) -> Iterator[WarcEntry]:
    """The records of one file; _Truncated at a partial tail, NotAWarcError when the file is
    not a WARC, CorruptArchiveError at a record warcio cannot parse. warcio's warnings go
    to `notes` (logged when it is None); bodies over `max_body` are not kept (`oversize`)."""
    quiet = _Quiet(path, notes)
    with open(path, "rb") as handle:
        begins = handle.read(64)
        handle.seek(start)
        if not begins.startswith(_GZIP_MAGIC):
            if start == 0 and begins and not begins.lstrip().startswith(b"WARC/"):
                raise NotAWarcError(path, begins, gzipped=False)
            iterator = ArchiveIterator(handle)

            def read(record) -> WarcEntry:
                entry = _entry(record, path, iterator.offset, 0, max_body=max_body)
                offset = iterator.get_record_offset()  # reads the record to its end (may warn)
                return _replace(entry, offset, offset + iterator.get_record_length())

            for _, entry in quiet.records(iterator, lambda: f"byte {iterator.offset}", read):
                yield entry
            return
        for member in _members(handle, start):
            if member.start == 0:
                head = member.peek(64)
                if head and not head.lstrip().startswith(b"WARC/"):
                    raise NotAWarcError(path, head, gzipped=True)
            iterator = ArchiveIterator(member.stream())
            steps = quiet.records(
                iterator,
                lambda m=member, it=iterator: f"byte {m.start}+{it.offset}",
                lambda r, m=member, it=iterator: _entry(r, path, m.start, 0, it.offset, max_body),
            )
            held: WarcEntry | None = None  # one record of lookahead: only the member's last one ends with it
            try:
                for _, entry in steps:
                    if held is not None:
                        yield held
                    held = entry
            except CorruptArchiveError as exc:  # gzip members stand alone: go on with the next one
                quiet.note(f"{exc.reason}; the rest of that gzip member was skipped", f"byte {exc.offset}")
            end = member.drain()
            if held is not None:
                yield _replace(held, held.offset, end)


def _replace(entry: WarcEntry, offset: int, end: int) -> WarcEntry:
    return WarcEntry(offset, end, entry.record_type, entry.target, entry.page, entry.metadata)


def iter_archived_pages(
    path: str | Path,
    *,
    start_offsets: dict[Path, int] | None = None,
    notes: list[str] | None = None,
    max_body: int | None = None,
) -> Iterator[ArchivedPage]:
    """Every archived response under `path` (see module docstring), in file and record order.

    Yields all responses, redirects and errors included: use `page.ok` to keep complete
    200 HTML pages and cchc_nlp.page.is_article_page to skip listings. Raises
    TruncatedArchiveError after the last good record when a file ends mid-record,
    NotAWarcError for a file that is not a WARC, CorruptArchiveError at a record that
    cannot be parsed. warcio's warnings about malformed records are appended to `notes`
    (one line each), or logged when it is None. `start_offsets` (file -> byte offset)
    resumes reading files part-way. `max_body`: a body larger than that many bytes (as
    served, Content-Encoding undone) is not read past the limit; the page comes with an
    empty body and `oversize` set.
    """
    problems: list[tuple[Path, int]] = []
    for file in warc_files(path):
        try:
            for entry in _iter_file(file, (start_offsets or {}).get(file, 0), notes, max_body):
                if entry.page is not None:
                    yield entry.page
        except _Truncated as exc:
            problems.append((file, exc.offset))
    if problems:
        raise TruncatedArchiveError(problems[0][0], problems[0][1], problems)


def complete_length(path: str | Path, start: int = 0) -> int:
    """The byte length of the complete records of a .warc.gz file (from `start`)."""
    path = Path(path)
    end = start
    try:
        with open(path, "rb") as handle:
            for member in _members(handle, start):
                end = member.drain()
    except _Truncated as exc:
        return exc.offset
    return end


def repair_warc(path: str | Path) -> int:
    """Cut a partial record off the end of a .warc.gz file; returns the bytes removed."""
    path = Path(path)
    size = path.stat().st_size
    good = complete_length(path)
    if good < size:
        with open(path, "r+b") as handle:
            handle.truncate(good)
            handle.flush()
            os.fsync(handle.fileno())
    return size - good
