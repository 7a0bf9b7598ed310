"""Inputs -> raw documents -> Articles (cchc_nlp.dataset.readers)."""

from __future__ import annotations

import json

import pytest
from extract_corpus import Sample, listing_html, write_warc

from cchc_nlp.article import make_doc_id
from cchc_nlp.dataset.readers import MAX_DOCUMENT_BYTES, DocumentError, find_inputs, iter_items, to_article
from cchc_nlp.errors import InputError


def _one(path):
    return find_inputs([path])[0]


def test_find_inputs_walks_folders_skips_other_files_hidden_and_output(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / ".hidden").mkdir()
    (corpus / "out").mkdir()
    for name in [
        "a.txt",
        "sub/b.HTML",
        "sub/c.htm",
        "d.jsonl",
        "e.warc.gz",
        "f.warc",
        "notes.md",
        "g.pdf",
        ".h.txt",
        ".hidden/i.txt",
        "out/articles.jsonl",
    ]:
        (corpus / name).write_text("x", encoding="utf-8")
    found = find_inputs([corpus], exclude=[corpus / "out"])
    names = {f.id_name: f.kind for f in found}
    assert names == {
        "corpus/a.txt": "txt",
        "corpus/sub/b.HTML": "html",
        "corpus/sub/c.htm": "html",
        "corpus/d.jsonl": "jsonl",
        "corpus/e.warc.gz": "warc",
        "corpus/f.warc": "warc",
    }
    # a file named twice (folder and file) is one input; paths keep the user's spelling
    again = find_inputs([corpus / "a.txt", corpus], exclude=[corpus / "out"])
    assert len(again) == len(found)
    assert again[0].path == str(corpus / "a.txt") and again[0].id_name == "a.txt"


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p / "missing", "does not exist"),
        (lambda p: (p / "x.pdf").write_text("x") and p / "x.pdf", "is not a .txt"),
        (lambda p: (p / "empty").mkdir() or p / "empty", "no .txt"),
    ],
)
def test_find_inputs_usage_errors(tmp_path, make, message):
    with pytest.raises(InputError, match=message):
        find_inputs([make(tmp_path)])


def test_input_key_changes_with_content(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("một", encoding="utf-8")
    before = _one(path).key
    path.write_text("một hai", encoding="utf-8")
    assert _one(path).key != before


def test_jsonl_items_are_numbered_by_document_and_labelled_by_line(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"text": "a"}\n\n{"text": "b"}\n   \n{"text": "c"}\n', encoding="utf-8")
    items = iter_items(_one(path))
    got = [(i.index, i.label) for i in items]
    assert got == [(0, f"{path}:1"), (1, f"{path}:3"), (2, f"{path}:5")]
    assert items.total == 3
    resumed = iter_items(_one(path), skip={0, 2})
    assert [i.label for i in resumed] == [f"{path}:3"] and resumed.total == 3


def test_oversized_documents_are_error_items_not_read(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:
        handle.truncate(MAX_DOCUMENT_BYTES + 1)
    (item,) = list(iter_items(_one(big)))
    assert item.payload is None and item.error[0] == "read" and "over the limit" in item.error[2]
    lines = tmp_path / "lines.jsonl"
    lines.write_bytes(b'{"text": "a"}\n' + b'{"text": "' + b"x" * (MAX_DOCUMENT_BYTES + 5) + b'"}\n{"text": "c"}\n')
    items = list(iter_items(_one(lines)))
    assert [i.label.rsplit(":", 1)[1] for i in items] == ["1", "2", "3"]
    assert items[1].error and items[0].error is None and items[2].payload == b'{"text": "c"}\n'


def test_warc_items_are_html_responses_labelled_by_offset(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    offsets = write_warc(
        path, [("https://a.gov.vn/1.html", Sample(1).html()), ("https://a.gov.vn/list", listing_html())]
    )
    items = iter_items(_one(path))
    got = list(items)
    assert [i.label for i in got] == [f"{path}@{o}" for o in offsets]  # the PNG and the requests are not documents
    assert [i.url for i in got] == ["https://a.gov.vn/1.html", "https://a.gov.vn/list"]
    assert items.total == 2 and all(i.error is None for i in got)
    # the offset is where the record starts: warcio can read it from there
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as handle:
        handle.seek(offsets[1])
        record = next(iter(ArchiveIterator(handle)))
        assert record.rec_headers.get_header("WARC-Target-URI") == "https://a.gov.vn/list"


def test_truncated_warc_keeps_good_records_and_reports_the_break(tmp_path):
    path = tmp_path / "cut.warc.gz"
    offsets = write_warc(path, [(f"https://a.gov.vn/{k}.html", Sample(k).html()) for k in range(3)], truncate=True)
    got = list(iter_items(_one(path)))
    assert [i.error is None for i in got] == [True, True, False]
    assert got[0].label.endswith(f"@{offsets[0]}") and got[1].label.endswith(f"@{offsets[1]}")
    assert got[2].error[0] == "read" and ("truncated" in got[2].error[2])


def test_garbage_warc_is_one_error(tmp_path):
    path = tmp_path / "junk.warc.gz"
    path.write_bytes(b"this is not an archive at all\n" * 10)
    (item,) = list(iter_items(_one(path)))
    assert item.error[:2] == ("read", "NotAWarc") and item.label == str(path)  # the whole file, not a record
    assert "is not a WARC archive (it begins with 'this is not an archive" in item.error[2]


def _jsonl_item(tmp_path, record, name="r.jsonl"):
    path = tmp_path / name
    path.write_text(
        (record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)) + "\n", encoding="utf-8"
    )
    return next(iter(iter_items(_one(path))))


def test_jsonl_record_becomes_an_article(tmp_path):
    record = Sample(2).record() | {"author": "Minh Châu", "published": "2019-03-04 09:30"}
    article = to_article(_jsonl_item(tmp_path, record))
    assert article.text == record["text"] and article.title == record["title"] and article.url == record["url"]
    assert article.province == record["province"] and article.source == "jsonl.gov.vn" and article.author == "Minh Châu"
    assert article.published == "2019-03-04T09:30:00+07:00" and article.published_source == "input"
    assert article.extractor == "jsonl" and article.path == f"{tmp_path / 'r.jsonl'}:1"
    assert article.doc_id == make_doc_id(record["url"], record["text"])


def test_a_crawls_articles_jsonl_is_read_with_its_extra_fields(tmp_path):
    record = Sample(4).record() | {
        "canonical_url": "https://jsonl.gov.vn/tin/4.html",
        "published": "2021-05-05T08:04:00+07:00",
        "published_source": "json-ld",
        "extractor": "profile:nukeviet cchc_nlp/0.1.0",
        "lead": "…",
        "captions": ["Ảnh: hội nghị"],
        "crawl": {"warc_file": "a.warc.gz", "offset": 0},
    }
    article = to_article(_jsonl_item(tmp_path, record))
    assert (article.published_source, article.extractor, article.canonical_url) == (
        "json-ld",
        record["extractor"],
        record["canonical_url"],
    )
    assert article.doc_id == make_doc_id(record["canonical_url"], record["text"])
    assert article.captions == ["Ảnh: hội nghị"]


@pytest.mark.parametrize(
    "text, title, expected",
    [
        ("Kiên Giang công bố chỉ số\n06:03, 18/03/2020\nUBND tỉnh vừa công bố.", None, "2020-03-18T06:03:00+07:00"),
        ("Thứ Hai, 12/10/2026 | 14:20\nLần đầu công bố chỉ số\nNội dung.", None, "2026-10-12T14:20:00+07:00"),
        ("29/09/2021\nBình Định công bố 312 dịch vụ công.", None, "2021-09-29"),
        # the visit clock above the title loses to the dateline under it
        ("Thứ Ba, 19/02/2019\nTiêu đề bài\nNgày 04/07/2018\nNội dung.", "Tiêu đề bài", "2018-07-04"),
        ("Ngày 02/7/2018, Sở Nội vụ tỉnh tổ chức hội nghị sơ kết công tác năm.", None, None),
        ("Tiêu đề\n" + "Một đoạn văn rất dài của bài viết. " * 10 + "\n18/03/2020", None, None),
    ],
)
def test_jsonl_record_without_published_takes_the_dateline_at_the_head(tmp_path, text, title, expected):
    record = {"text": text} | ({"title": title} if title else {})
    article = to_article(_jsonl_item(tmp_path, record))
    assert article.published == expected
    assert article.published_source == ("text" if expected else None)
    assert article.text == text  # the record's text is kept as it is


@pytest.mark.parametrize(
    "published, expected",
    [
        ("2019-03-04", "2019-03-04"),
        ("2019-03-04T09:30:00Z", "2019-03-04T16:30:00+07:00"),
        ("04/03/2019", "2019-03-04"),
        ("Ngày 04/03/2019 09:30", "2019-03-04T09:30:00+07:00"),
        (None, None),
    ],
)
def test_jsonl_published_dates(tmp_path, published, expected):
    article = to_article(_jsonl_item(tmp_path, {"text": "Hội nghị.", "published": published}))
    assert article.published == expected
    assert article.published_source == ("input" if expected else None)


def test_doc_id_without_url_depends_on_file_name_and_line_not_on_folder(tmp_path):
    record = {"text": "Hội nghị cải cách hành chính năm 2020."}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = to_article(_jsonl_item(tmp_path / "a", record))
    second = to_article(_jsonl_item(tmp_path / "b", record))
    assert first.doc_id == second.doc_id == make_doc_id("r.jsonl:1", record["text"])
    other = to_article(_jsonl_item(tmp_path / "a", record, name="s.jsonl"))
    assert other.doc_id != first.doc_id


@pytest.mark.parametrize(
    "line, stage, message",
    [
        ('{"text": "mở ngoặc', "record", "not a JSON object"),
        ('["a list"]', "record", "JSON object"),
        ('{"title": "no text"}', "record", '"text"'),
        ('{"text": "   "}', "record", '"text"'),
        ('{"text": "a", "published": "hôm qua"}', "record", "not a date"),
        ('{"text": "a", "province": 12}', "record", '"province" must be a string'),
        ('{"text": "a", "captions": "Ảnh: X"}', "record", '"captions" must be a list of strings'),
    ],
)
def test_bad_jsonl_records(tmp_path, line, stage, message):
    with pytest.raises(DocumentError, match=message) as caught:
        to_article(_jsonl_item(tmp_path, line))
    assert caught.value.stage == stage


def test_text_dump_and_html_page_become_articles(tmp_path):
    sample = Sample(5)
    dump = tmp_path / "d.txt"
    dump.write_text(sample.dump(), encoding="utf-8")
    article = to_article(next(iter(iter_items(_one(dump)))))
    assert article.title == sample.title and article.path == str(dump)
    assert sample.paragraphs[1][:40] in article.text
    assert article.published.startswith(f"{sample.year}-{sample.month:02d}-{sample.day:02d}")
    assert article.doc_id == make_doc_id("d.txt", article.text)
    page = tmp_path / "p.html"
    page.write_text(sample.html(), encoding="utf-8")
    article = to_article(next(iter(iter_items(_one(page)))))
    assert article.title == sample.title and sample.paragraphs[2][:40] in article.text


def test_archived_listing_page_is_skipped_not_an_error(tmp_path):
    path = tmp_path / "c.warc.gz"
    write_warc(path, [("https://a.gov.vn/list", listing_html()), ("https://a.gov.vn/1.html", Sample(1).html())])
    listing, page = list(iter_items(_one(path)))
    assert to_article(listing) is None
    article = to_article(page)
    assert article.url == "https://a.gov.vn/1.html" and article.doc_id == make_doc_id(
        article.canonical_url or article.url, article.text
    )


@pytest.mark.parametrize(
    "data, stage",
    [
        (b"\xff\xfe\x00binary\x00" * 20, "decode"),
        ("Hà Nam và Cà Mau".encode("windows-1258"), "decode"),
    ],
)
def test_undecodable_text_files(tmp_path, data, stage):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(DocumentError) as caught:
        to_article(next(iter(iter_items(_one(path)))))
    assert caught.value.stage == stage
