"""cchc_nlp.ingest.archive: WARC writing, reading back, truncated tails."""

from __future__ import annotations

import gzip

import pytest
from warcio.archiveiterator import ArchiveIterator

from cchc_nlp.errors import DataError
from cchc_nlp.ingest.archive import (
    TruncatedArchiveError,
    WarcWriter,
    complete_length,
    iter_archived_pages,
    repair_warc,
    scan_warc,
    warc_files,
)

HTML = "<html><body><h1>Tỉnh công bố Chỉ số CCHC năm 2022</h1><p>Đạt 87,61 điểm.</p></body></html>".encode()


def write_three(folder, **kwargs):
    with WarcWriter(folder, fsync=False, **kwargs) as writer:
        first = writer.write_response(
            "http://a.gov.vn/tin/1.html",
            200,
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"), ("ETag", '"x1"')],
            HTML,
            reason="OK",
        )
        second = writer.write_response(
            "http://a.gov.vn/cu", 301, [("Location", "http://a.gov.vn/moi")], b"", reason="Moved Permanently"
        )
        third = writer.write_response(
            "http://a.gov.vn/lon.html", 200, [("Content-Type", "text/html")], b"<p>" + b"x" * 5000, truncated="length"
        )
    return writer, [first, second, third]


def test_responses_round_trip(tmp_path):
    writer, records = write_three(tmp_path / "warc")
    pages = list(iter_archived_pages(tmp_path))  # a corpus folder holding warc/
    assert [p.url for p in pages] == ["http://a.gov.vn/tin/1.html", "http://a.gov.vn/cu", "http://a.gov.vn/lon.html"]
    first, moved, big = pages
    assert first.status == 200 and first.body == HTML and first.ok and first.is_html
    assert first.header("etag") == '"x1"'
    assert first.header("Content-Encoding") is None  # the body is stored decoded
    assert first.header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert first.charset == "utf-8" and first.content_type == "text/html"
    assert first.record_id == records[0].record_id and first.offset == records[0].offset
    assert moved.status == 301 and moved.header("Location") == "http://a.gov.vn/moi" and not moved.ok
    assert big.truncated == "length" and not big.ok
    assert all(p.path == writer.path for p in pages)


def test_files_are_standard_warc_readable_by_warcio(tmp_path):
    writer, records = write_three(tmp_path)
    with open(writer.path, "rb") as handle:
        kinds = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(handle)]
    assert kinds[0][0] == "warcinfo"
    assert [k for k, _ in kinds[1:]] == ["response"] * 3
    with gzip.open(writer.path) as handle:  # one gzip member per record, all valid
        assert b"WARC/1" in handle.read()


@pytest.mark.parametrize("cut", ["header", "middle", "trailer"])
def test_truncated_final_record_raises_after_the_good_ones(tmp_path, cut):
    writer, records = write_three(tmp_path)
    last = records[-1]
    size = {"header": 10, "middle": last.length // 2, "trailer": last.length - 3}[cut]
    data = writer.path.read_bytes()
    writer.path.write_bytes(data[: last.offset + size])
    seen = []
    with pytest.raises(TruncatedArchiveError) as caught:
        for page in iter_archived_pages(writer.path):
            seen.append(page.url)
    assert seen == ["http://a.gov.vn/tin/1.html", "http://a.gov.vn/cu"]
    assert isinstance(caught.value, DataError)
    assert caught.value.path == writer.path and caught.value.offset == last.offset
    assert "incomplete WARC record" in str(caught.value)
    assert complete_length(writer.path) == last.offset
    assert repair_warc(writer.path) == size
    assert [p.url for p in iter_archived_pages(writer.path)] == seen
    assert repair_warc(writer.path) == 0


def test_a_truncated_file_does_not_hide_later_files(tmp_path):
    old, records = write_three(tmp_path, prefix="a")
    old.path.write_bytes(old.path.read_bytes()[: records[-1].offset + 5])
    with WarcWriter(tmp_path, prefix="b", fsync=False) as new:
        new.write_response("http://a.gov.vn/tin/2.html", 200, [("Content-Type", "text/html")], HTML)
    urls = []
    with pytest.raises(TruncatedArchiveError) as caught:
        for page in iter_archived_pages(tmp_path):
            urls.append(page.url)
    assert urls[-1] == "http://a.gov.vn/tin/2.html" and len(urls) == 3
    assert caught.value.problems == [(old.path, records[-1].offset)]


def test_scan_from_an_offset_and_rollover(tmp_path):
    with WarcWriter(tmp_path, fsync=False, max_file_bytes=1) as writer:
        for i in range(3):
            writer.write_response(f"http://a.gov.vn/{i}", 200, [("Content-Type", "text/html")], HTML)
    files = warc_files(tmp_path)
    assert len(files) == 3  # every record past the size limit opens a new file
    writer, records = write_three(tmp_path / "one")
    scanned = [(e.offset, e.page.url) for e in scan_warc(writer.path, records[1].offset) if e.page]
    assert scanned == [(records[1].offset, "http://a.gov.vn/cu"), (records[2].offset, "http://a.gov.vn/lon.html")]


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="neither a WARC file nor a folder"):
        list(iter_archived_pages(tmp_path / "nothing"))


def test_write_fetch_appends_responses_and_a_closing_metadata_record(tmp_path):
    with WarcWriter(tmp_path, fsync=False) as writer:
        responses = [
            {
                "url": "http://a.gov.vn/cu",
                "status": 302,
                "reason": "Found",
                "headers": [("Location", "/moi")],
                "body": b"",
            },
            {
                "url": "http://a.gov.vn/moi",
                "status": 200,
                "reason": "OK",
                "headers": [("Content-Type", "text/html")],
                "body": HTML,
            },
        ]
        written, metadata = writer.write_fetch("http://a.gov.vn/cu", responses, {"error": None})
    entries = list(scan_warc(writer.path))
    kinds = [(e.record_type, e.target) for e in entries]
    assert kinds[1:] == [
        ("response", "http://a.gov.vn/cu"),
        ("response", "http://a.gov.vn/moi"),
        ("metadata", "http://a.gov.vn/cu"),
    ]
    assert entries[-1].metadata == {"error": None, "records": [r.record_id for r in written]}
    assert entries[-1].offset == metadata.offset and entries[2].page.body == HTML
    assert [p.url for p in iter_archived_pages(writer.path)] == ["http://a.gov.vn/cu", "http://a.gov.vn/moi"]
