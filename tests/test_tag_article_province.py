"""Article province, province back-filling and the spaCy integration of the taggers."""

import json
from itertools import pairwise

import pytest
from spacy import displacy
from spacy.tokens import Doc

from cchc_nlp.text.pipeline import load


@pytest.fixture(scope="module")
def nlp():
    return load()


def test_default_pipeline_has_the_taggers_in_order(nlp):
    names = nlp.pipe_names
    wanted = ["cchc_places", "cchc_timex", "cchc_legal", "cchc_orgs", "cchc_officials", "cchc_article_province"]
    assert [n for n in names if n in wanted] == wanted


def test_province_from_the_source_domain(nlp):
    doc = nlp.parse(
        "Sở Nội vụ tỉnh tổ chức hội nghị sơ kết.",
        published="2019-04-02",
        url="https://baobaclieu.vn/cai-cach-hanh-chinh/a.html",
    )
    assert doc._.province["name"] == "Bạc Liêu"
    assert doc._.province["evidence"][0] == "source:baobaclieu.vn"
    (org,) = [r for r in doc._.entities if r["label"] == "ORG"]
    assert org["norm"] == "Sở Nội vụ tỉnh Bạc Liêu"
    assert org["attrs"]["province"] == "Bạc Liêu" and org["attrs"]["province_source"] == "article"


def test_province_from_a_dateline_tag_and_a_district(nlp):
    doc = nlp.parse("STO - Đoàn kiểm tra làm việc với UBND huyện Long Phú về công tác CCHC.", published="2019-06-01")
    assert doc._.province["name"] == "Sóc Trăng"
    assert "tag:STO" in doc._.province["evidence"]


def test_province_from_a_domain_written_in_the_text(nlp):
    doc = nlp.parse("(Baclieu.gov.vn) - Sáng 3/4, UBND tỉnh tổ chức hội nghị.", published="2019-04-03")
    assert doc._.province["name"] == "Bạc Liêu"
    ubnd = next(r for r in doc._.entities if r["label"] == "ORG")
    assert ubnd["norm"] == "UBND tỉnh Bạc Liêu"


def test_no_evidence_no_province_and_never_from_a_surname(nlp):
    doc = nlp.parse(
        "Đồng chí Trần Thái Bình, Giám đốc Sở Nội vụ phát biểu tại Văn phòng UBND tỉnh.", published="2020-08-20"
    )
    assert doc._.province is None
    official = next(r for r in doc._.entities if r["label"] == "OFFICIAL")
    assert "province" not in official["attrs"]


def test_official_gets_the_article_province_through_the_title_org(nlp):
    doc = nlp.parse(
        "Chiều 5/6, tại tỉnh Bạc Liêu, đồng chí Lê Minh Tâm, Phó Chủ tịch UBND tỉnh dự hội nghị.",
        published="2021-06-07",
    )
    official = next(r for r in doc._.entities if r["label"] == "OFFICIAL")
    assert official["attrs"]["province"] == "Bạc Liêu"
    assert official["attrs"]["orgs"] == ["UBND tỉnh Bạc Liêu"]


def test_post_merger_article_is_resolved_to_the_successor(nlp):
    doc = nlp.parse("Sở Nội vụ tổ chức hội nghị.", published="2025-08-15", url="https://baosoctrang.org.vn/x.html")
    assert doc._.province["name"] == "Cần Thơ"
    assert doc._.province["mentioned"] == "Sóc Trăng"


def test_ambiguous_district_settled_by_the_article_province(nlp):
    doc = nlp.parse("STO - Đoàn làm việc với UBND huyện Châu Thành.", published="2019-06-01")
    district = next(r for r in doc._.entities if r["label"] == "DISTRICT")
    assert district["attrs"]["province"] == "Sóc Trăng"


def test_dateline_anchors_dates_when_no_publication_date(nlp):
    doc = nlp.parse("Thứ Hai, 12/04/2021 09:15\nSáng ngày 9/4, UBND tỉnh Bạc Liêu tổ chức hội nghị.")
    date = next(r for r in doc._.entities if r["label"] == "DATE" and r["text"] == "ngày 9/4")
    assert date["norm"] == "2021-04-09"


def test_no_date_anywhere_leaves_relative_dates_unresolved(nlp):
    doc = nlp.parse("Sáng ngày 9/4, UBND tỉnh Bạc Liêu tổ chức hội nghị 6 tháng đầu năm.")
    times = [r for r in doc._.entities if r["label"] in ("DATE", "PERIOD")]
    assert [(r["text"], r["norm"]) for r in times] == [("ngày 9/4", None), ("6 tháng đầu năm", None)]


def test_spans_ents_and_serialization(nlp):
    doc = nlp.parse(
        "Ông Lê Văn Tám - Giám đốc Sở Nội vụ tỉnh Bạc Liêu ký Quyết định số 12/2019/QĐ-UBND ngày 4/5/2019.",
        published="2019-05-10",
    )
    labels = {s.label_ for s in doc.spans["entities"]}
    assert {"OFFICIAL", "ORG", "PROVINCE", "LEGAL_DOC", "DATE"} <= labels
    assert len(doc.spans["entities"]) == len(doc._.entities)
    ents = list(doc.ents)
    assert all(a.end <= b.start for a, b in pairwise(ents))
    assert {e.label_ for e in ents} >= {"OFFICIAL", "ORG", "LEGAL_DOC", "DATE"}
    json.dumps(doc._.entities)
    json.dumps(doc._.province)
    assert "cchc_text" not in doc.user_data
    restored = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert [e.text for e in restored.ents] == [e.text for e in ents]
    assert "Lê Văn Tám" in displacy.render(doc, style="ent", page=False)


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "UBND", "Đồng chí"])
def test_empty_and_tiny_texts(nlp, text):
    doc = nlp.parse(text)
    assert doc._.entities == [] and doc._.province is None and len(doc.ents) == 0
