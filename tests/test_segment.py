from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_nlp import normalize_text, split_sentences
from cchc_nlp.text.segment import segment_words


def sentences(text):
    return [text[s:e] for s, e in split_sentences(text)]


# (text, expected sentences): none of these may be split inside
NO_SPLIT = [
    "Xem chi tiết tại https://sonoivu.vinhlong.gov.vn/tin-tuc/cchc.html?id=12 ngay hôm nay.",
    "Liên hệ hopthu.sonoivu@hanam.gov.vn để biết thêm.",
    "Tệp đính kèm bao-cao-cchc.v2.pdf và anh1.jpg đã được gửi.",
    "Tỷ lệ đạt 57,41% so với 1.937 thủ tục.",
    "Hội nghị diễn ra ngày 02/7/2018 tại hội trường.",
    "Thực hiện Quyết định số 09/2015/QĐ-TTg của Thủ tướng.",
    "Đoàn làm việc tại TP. Phủ Lý và TX. Kỳ Anh.",
    "Báo cáo của TS. Nguyễn Văn An được thông qua.",
    "Ý kiến của PGS.TS. Trần Văn Bình rất xác đáng.",
    "Phiên bản ISO 9001:2015 được áp dụng.",
    "Đồng chí Lê Văn Hùng (N.H) phát biểu.",
]


@pytest.mark.parametrize("text", NO_SPLIT)
def test_not_split_inside(text):
    assert sentences(text) == [text]


SPLIT = [
    ("Hội nghị đã kết thúc. Các đại biểu ra về.", ["Hội nghị đã kết thúc.", "Các đại biểu ra về."]),
    ("Tiêu đề bài viết\nĐoạn đầu tiên", ["Tiêu đề bài viết", "Đoạn đầu tiên"]),
    ("Đoạn một.\n\nĐoạn hai.", ["Đoạn một.", "Đoạn hai."]),
    ("Có đúng không? Có! Vậy thì tốt.", ["Có đúng không?", "Có!", "Vậy thì tốt."]),
    ("Tỷ lệ đạt 98,5%. Năm 2019 tỉnh xếp thứ 12/63.", ["Tỷ lệ đạt 98,5%.", "Năm 2019 tỉnh xếp thứ 12/63."]),
    ("Xem www.hanam.gov.vn. Tin tiếp theo.", ["Xem www.hanam.gov.vn.", "Tin tiếp theo."]),
    ("Ông nói: “Phải làm ngay.” Sau đó ông rời đi.", ["Ông nói: “Phải làm ngay.”", "Sau đó ông rời đi."]),
    ("Đạt kết quả tốt… Tuy nhiên còn hạn chế.", ["Đạt kết quả tốt…", "Tuy nhiên còn hạn chế."]),
    ("còn nhiều việc… góp phần tạo chuyển biến.", ["còn nhiều việc… góp phần tạo chuyển biến."]),
]


@pytest.mark.parametrize("text, expected", SPLIT)
def test_split(text, expected):
    assert sentences(text) == expected


def test_spans_are_trimmed_and_ordered():
    text = normalize_text("  Câu một.   Câu hai.  \n  Câu ba  ")
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["Câu một.", "Câu hai.", "Câu ba"]
    assert all(a[1] <= b[0] for a, b in pairwise(spans))


def test_words_have_exact_offsets():
    text = "Sở Nội vụ tỉnh Vĩnh Long tiếp nhận 1.234 hồ sơ, đạt 98,5%."
    words = segment_words(text, 0, len(text))
    assert all(text[w.start : w.end] == w.text for w in words)
    assert "1.234" in [w.text for w in words]
    assert "hồ sơ" in [w.text for w in words]  # multi-syllable word


def test_words_of_empty_sentence():
    assert segment_words("   ", 0, 3) == []


@given(st.text(alphabet=st.sampled_from(list('aăâbđêơưhoà .,;:?!\n/%0123456789TPĐ()"“”…'))))
def test_split_never_loses_text(raw):
    text = normalize_text(raw)
    spans = split_sentences(text)
    covered = "".join(text[s:e] for s, e in spans)
    assert covered.replace(" ", "") == text.replace(" ", "").replace("\n", "")


def test_word_segmenter_is_underthesea_model_read_faster():
    """The segmenter read with the C unpickler is underthesea's own model: the same feature
    list and dictionary as its joblib loading, the same words."""
    import joblib
    from underthesea.models.fast_crf_sequence_tagger import FastCRFSequenceTagger
    from underthesea.pipeline import word_tokenize as module

    from cchc_nlp.text.segment import WORD_SEGMENTER_MODEL, _segmenter_tables, _word_tokenize, load_word_segmenter

    folder = Path(module.__file__).parent / "models" / WORD_SEGMENTER_MODEL
    theirs = FastCRFSequenceTagger()
    theirs.load(str(folder))
    tables = _segmenter_tables(folder, theirs.path_features, theirs.path_dictionary)
    assert tables is not None, "underthesea's model files changed: update WORD_SEGMENTER_MODEL"
    features, dictionary = tables
    assert features == joblib.load(folder / theirs.path_features)
    assert dictionary == joblib.load(folder / theirs.path_dictionary)
    assert len(dictionary) > 10_000
    segment = _word_tokenize()
    ours = load_word_segmenter().result()
    assert module.word_tokenize_model is ours
    assert isinstance(ours, FastCRFSequenceTagger)
    text = "Ngày 02/7/2018, UBND tỉnh Vĩnh Long đã tiếp nhận 1.234 hồ sơ thủ tục hành chính, đạt 98,5% đúng hạn."
    words = segment(text)
    try:
        module.word_tokenize_model = theirs
        assert segment(text) == words
    finally:
        module.word_tokenize_model = ours
    assert "hành chính" in words


def test_word_segmenter_leaves_other_model_files_to_underthesea(tmp_path):
    from cchc_nlp.text.segment import _segmenter_tables

    assert _segmenter_tables(tmp_path, "features.bin", "dictionary.bin") is None  # no model files
    for name in ("features.bin", "dictionary.bin"):
        (tmp_path / name).write_bytes(b"\x78\x9c compressed")
    assert _segmenter_tables(tmp_path, "features.bin", "dictionary.bin") is None  # not plain pickles


def test_loading_thread_is_joined_and_its_error_raised():
    from cchc_nlp.text.segment import _Loading

    loading = _Loading(lambda: 42)
    assert loading.result() == 42
    assert not loading._thread.is_alive()  # nothing left running when the workers fork

    def broken():
        raise OSError("model file unreadable")

    with pytest.raises(OSError, match="unreadable"):
        _Loading(broken).result()
