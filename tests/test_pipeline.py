import unicodedata

import pytest
from spacy.language import Language

import cchc_nlp
from cchc_nlp import InputError, load, normalize_text
from cchc_nlp.text.pipeline import MAX_TEXT_CHARS, VietnameseTokenizer

ARTICLE = (
    "Thứ Hai, 26/12/2016 4:49:58 CH\n"
    "Sáng ngày 23/12, Ban Chỉ đạo cải cách hành chính tỉnh tổ chức hội nghị.\u00a0Đồng chí Trần Văn Hùng - "
    "Phó Chủ tịch UBND tỉnh chủ trì.\n\n\n"
    "Hiện tổng số TTHC là 1.937 thủ tục; đã đơn giản hoá 1132/1937 thủ tục (đạt 57,41%). Xem www.hanam.gov.vn."
)


@pytest.fixture(scope="module")
def nlp():
    return load(components=[])


def test_doc_text_is_normalized_text(nlp):
    doc = nlp(ARTICLE)
    assert doc.text == normalize_text(ARTICLE)
    assert "hóa" in doc.text and "\u00a0" not in doc.text


def test_tokens_align_to_characters(nlp):
    doc = nlp(ARTICLE)
    for token in doc:
        assert doc.text[token.idx : token.idx + len(token.text)] == token.text
    words = [t.text for t in doc if not t.is_space]
    for expected in ["1.937", "57,41", "www.hanam.gov.vn", "cải cách", "hành chính", "Trần Văn Hùng"]:
        assert expected in words


def test_sentences(nlp):
    doc = nlp(ARTICLE)
    sents = [s.text.strip() for s in doc.sents]
    assert sents[0] == "Thứ Hai, 26/12/2016 4:49:58 CH"
    assert "Sáng ngày 23/12, Ban Chỉ đạo cải cách hành chính tỉnh tổ chức hội nghị." in sents
    assert sents[-1] == "Xem www.hanam.gov.vn."


def test_offsets_back_to_raw(nlp):
    doc = nlp(ARTICLE)
    norm = cchc_nlp.normalize(ARTICLE)
    assert [tuple(pair) for pair in doc._.offsets] == list(norm.anchors)
    start = doc.text.index("Đồng chí")
    o_start, o_end = norm.original_span(start, start + len("Đồng chí"))
    assert ARTICLE[o_start:o_end] == "Đồng chí"


def test_pos_tags_only_when_asked():
    tagged = load(pos=True, components=[])("Ông Trần Văn Hùng phát biểu.")
    assert {t.text: t.tag_ for t in tagged}["Trần Văn Hùng"] == "Np"
    plain = load(components=[])("Ông Trần Văn Hùng phát biểu.")
    assert all(t.tag_ == "" for t in plain)


def test_parse_sets_metadata(nlp):
    doc = nlp.parse(
        "Sáng ngày 23/12, hội nghị diễn ra.", published="2016-12-26T08:00:00+07:00", url="https://hanam.gov.vn/a"
    )
    assert doc._.published == "2016-12-26"
    assert doc._.meta == {"url": "https://hanam.gov.vn/a"}


def test_parse_rejects_bad_date(nlp):
    with pytest.raises(InputError, match="not an ISO date"):
        nlp.parse("Văn bản.", published="26/12/2016")


def test_pipe_with_processes(nlp):
    texts = ["Câu thứ nhất. Câu thứ hai.", "Hoà Bình", "", "Một văn bản khác\n\nđoạn hai."]
    docs = list(nlp.pipe(texts, n_process=2, batch_size=1))
    assert [d.text for d in docs] == [normalize_text(t) for t in texts]


def test_components_register_with_factory(nlp):
    @Language.component("test_count_words")
    def count_words(doc):
        doc.user_data["words"] = len([t for t in doc if not t.is_space])
        return doc

    pipeline = load(components=["test_count_words"])
    assert pipeline("Cải cách hành chính").user_data["words"] == 2


# Bad input: an empty or valid Doc, or InputError with a one-line message.
@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", "\u200b\u200b"])
def test_empty_input_gives_empty_doc(nlp, text):
    assert len(nlp(text)) == 0


def test_binary_bytes_are_refused_clearly():
    tokenizer = VietnameseTokenizer(load(components=[]).vocab)
    with pytest.raises(InputError) as info:
        tokenizer(b"\x89PNG\r\n\x1a\n\x00\x00\xff")  # type: ignore[arg-type]
    assert "\n" not in str(info.value)


def test_binary_looking_text_gives_a_valid_doc(nlp):
    doc = nlp("\x00\x01\x02PK\x03\x04 abc \x7f\ufffd")
    assert doc.text == "PK abc \ufffd"


def test_mixed_nfd_nfc(nlp):
    text = "Sở Nội vụ " + unicodedata.normalize("NFD", "tỉnh Sóc Trăng") + " làm việc."
    doc = nlp(text)
    assert doc.text == "Sở Nội vụ tỉnh Sóc Trăng làm việc."
    assert "Sóc Trăng" in [t.text for t in doc]


def test_other_language(nlp):
    doc = nlp("The committee met on Monday. 会议在周一举行。")
    assert doc.text == "The committee met on Monday. 会议在周一举行。"
    # A valid Doc; sentence rules are tuned for Vietnamese, so only coverage is promised.
    assert "".join(t.text_with_ws for t in doc) == doc.text
    assert len(list(doc.sents)) >= 1


def test_over_limit_text_is_refused():
    tokenizer = VietnameseTokenizer(load(components=[]).vocab, max_chars=100)
    with pytest.raises(InputError, match="over the limit"):
        tokenizer("a" * 101)
    assert MAX_TEXT_CHARS >= 5_000_000


@pytest.mark.slow
def test_five_megabyte_text(nlp):
    paragraph = "Trung tâm Phục vụ hành chính công tiếp nhận 1.234 hồ sơ, đạt 98,5%. " * 20
    text = "\n\n".join([paragraph] * (5_000_000 // (len(paragraph) + 2) + 1))
    assert len(text) >= 5_000_000
    doc = nlp(text)
    assert doc.text == normalize_text(text)
    assert sum(1 for t in doc if t.text == "1.234") == text.count("1.234")


def test_word_joined_across_sentences_is_split():
    from cchc_nlp.text.pipeline import _split_at
    from cchc_nlp.text.segment import Token

    text = "hội nghị\nđã xong"
    joined = [Token("hội nghị\nđã", 0, 11), Token("xong", 12, 16)]
    assert [t.text for t in _split_at(joined, [0, 9], text)] == ["hội nghị", "đã", "xong"]


def test_line_chunks_cover_text_on_line_boundaries():
    from cchc_nlp.text.pipeline import _line_chunks

    text = "\n".join([f"dòng số {i} có vài chữ" for i in range(200)])
    chunks = list(_line_chunks(text, 100))
    assert "\n".join(text[s:e] for s, e in chunks) == text
    assert all(e - s <= 100 for s, e in chunks)
    assert list(_line_chunks("x" * 250, 100)) == [(0, 250)]
