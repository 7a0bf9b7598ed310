"""spaCy conventions: normalized values on entity spans, article metadata through
nlp.pipe(..., as_tuples=True), the pipeline's meta. Sentences written for these tests."""

from __future__ import annotations

import pytest

import cchc_nlp
from cchc_nlp.text.pipeline import load

TEXT = "Sáng ngày 23/12, UBND tỉnh Hà Nam tổ chức hội nghị; năm 2016 toàn tỉnh tiếp nhận 7.182 hồ sơ."


@pytest.fixture(scope="module")
def nlp():
    return load()


def test_entity_spans_carry_their_normalized_value(nlp):
    doc = nlp.parse(TEXT, published="2016-12-26")
    spans = {span.text: span for span in doc.spans["entities"]}
    assert spans["ngày 23/12"]._.norm == "2016-12-23" == spans["ngày 23/12"].kb_id_
    assert spans["tỉnh Hà Nam"]._.norm == "Hà Nam"
    assert {e.text: e._.norm for e in doc.ents}["năm 2016"] == "2016-01-01..2016-12-31"


def test_pipe_as_tuples_takes_the_publication_date_from_the_context(nlp):
    pairs = [(TEXT, {"published": "2016-12-26", "url": "https://hanam.gov.vn/tin/1", "row": 7})]
    ((doc, context),) = list(nlp.pipe(pairs, as_tuples=True))
    assert context["row"] == 7  # the context comes back as given
    assert doc._.published == "2016-12-26" and doc._.meta == {"url": "https://hanam.gov.vn/tin/1"}
    assert {e.text: e._.norm for e in doc.ents}["ngày 23/12"] == "2016-12-23"
    assert doc._.metrics[0]["period_start"] == "2016-01-01" and doc._.metrics[0]["scope"] == "province"


def test_pipeline_meta_names_the_package(nlp):
    assert nlp.meta["name"] == "cchc_nlp" and nlp.meta["version"] == cchc_nlp.__version__
    assert nlp.meta["lang"] == "vi"
