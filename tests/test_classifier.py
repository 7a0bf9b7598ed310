"""The metric classifier: features, training set, reproducible skops file, safe loading,
the extractor hook, and the model card's held-out claim."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from types import SimpleNamespace

import numpy as np
import pytest

from cchc_nlp import cli
from cchc_nlp.errors import DataError, InputError
from cchc_nlp.metrics import model
from cchc_nlp.research import training

CARD = json.loads(model.CARD_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def trained():
    """The model trained from the repository's dev gold, and its canonical bytes."""
    pipeline, stats = training.train(training.DEV_GOLDS)
    return pipeline, stats, training.model_bytes(pipeline)


@pytest.fixture(scope="module")
def shipped():
    return model.load_model(model.MODEL_PATH)


# --------------------------------------------------------------------------- features


@pytest.mark.parametrize(
    "text, number, expected",
    [
        (
            "Toàn tỉnh đã tiếp nhận 7.182 hồ sơ; đã giải quyết 6.827 hồ sơ.",
            "7.182",
            {"left": "toàn tỉnh đã tiếp nhận ", "right": " hồ sơ", "shape": "0.0"},
        ),
        # the clause starts after the semicolon and the digits of other numbers become 0
        (
            "Toàn tỉnh đã tiếp nhận 7.182 hồ sơ; đã giải quyết 6.827 hồ sơ, đạt 95%.",
            "6.827",
            {"left": "đã giải quyết ", "right": " hồ sơ, đạt 0%", "shape": "0.0"},
        ),
        # a sentence end cuts the left context; the percent sign is part of the shape
        (
            "Năm 2020 có nhiều đổi mới. Tỷ lệ hồ sơ đúng hạn đạt 98,81% trong năm.",
            "98,81%",
            {"left": "tỷ lệ hồ sơ đúng hạn đạt ", "right": " trong năm", "shape": "0,0%"},
        ),
        ("Chỉ số CCHC xếp thứ 42/63.", "42/63", {"left": "chỉ số cchc xếp thứ ", "right": "", "shape": "0/0"}),
    ],
)
def test_mention_context(text, number, expected):
    start = text.index(number)
    context = model.mention_context(text, start, start + len(number))
    assert {key: context[key] for key in expected} == expected
    assert context["near"] == context["left"][-model.NEAR_CHARS :]


def test_mention_context_window_is_bounded():
    text = "Trong giai đoạn vừa qua, " * 10 + "tiếp nhận 500 hồ sơ " + "và nhiều nội dung khác " * 5
    start = text.index("500")
    context = model.mention_context(text, start, start + 3)
    assert len(context["left"]) <= model.LEFT_CHARS and context["left"].endswith("tiếp nhận ")
    assert len(context["right"]) <= model.RIGHT_CHARS
    with pytest.raises(InputError, match="outside a text"):
        model.mention_context("abc", 2, 10)


# --------------------------------------------------------------------------- training set


def test_label_mentions_rows_shares_and_traps():
    document = {
        "text": "Năm 2020 tỉnh tiếp nhận 5.120 hồ sơ, đúng và trước hạn 4.998 hồ sơ, chiếm tỷ lệ 97,6%. "
        "Chỉ số CCHC xếp thứ 20/63, tăng 3 bậc. Đã đơn giản hóa 112/197 thủ tục (đạt 56,85%).",
        "metrics": [
            {"metric": "dossier.received", "value": 5120, "unit": "count"},
            {"metric": "dossier.on_time_or_early", "value": 4998, "unit": "count", "share": 97.6},
            {"metric": "index.par.rank", "value": 20, "unit": "rank", "denominator": 63},
            {"metric": "tthc.simplified", "value": 112, "unit": "count", "denominator": 197, "share": 56.85},
            {"metric": "staff.cut", "value": 999, "unit": "count"},  # not in the text
        ],
    }
    pairs, unlocated = training.label_mentions(document)
    assert [(mention.raw, label) for mention, label in pairs] == [
        ("5.120", "dossier.received"),
        ("4.998", "dossier.on_time_or_early"),
        ("97,6%", "none"),  # the stated share of the row before: not a second row
        ("20/63", "index.par.rank"),
        ("3", "none"),  # a change amount
        ("112/197", "tthc.simplified"),
        ("56,85%", "none"),
    ]
    assert unlocated == 1


def test_training_set_of_the_dev_gold(trained):
    _, stats, _ = trained
    assert stats["documents"] >= 50 and stats["examples"] >= 200
    per_class = stats["examples_per_class"]
    assert per_class["none"] >= 30 and per_class["dossier.received"] >= 10
    assert all(count >= training.MIN_EXAMPLES_PER_CLASS for count in per_class.values())
    assert stats["gold_rows_unlocated"] <= 0.05 * stats["mentions"]


def test_held_out_gold_is_never_training_data(tmp_path):
    with pytest.raises(InputError, match="held-out gold is for evaluation only"):
        training.training_examples(training.HELDOUT_GOLD)
    assert (
        cli.main(
            ["train", "metric-classifier", "--gold", str(training.HELDOUT_GOLD), "--out", str(tmp_path / "m.skops")]
        )
        == 2
    )
    assert not (tmp_path / "m.skops").exists()


# --------------------------------------------------------------------------- reproducibility


def _same_model(data: bytes, reference: bytes) -> bool:
    """Two canonical skops files hold the same model: the same schema and non-float arrays,
    and float arrays equal up to the last bits that another CPU's BLAS rounds differently."""
    with zipfile.ZipFile(io.BytesIO(data)) as a, zipfile.ZipFile(io.BytesIO(reference)) as b:
        if a.namelist() != b.namelist() or a.read("schema.json") != b.read("schema.json"):
            return False
        for name in a.namelist():
            if name == "schema.json" or a.read(name) == b.read(name):
                continue
            x, y = (np.load(io.BytesIO(z.read(name)), allow_pickle=False) for z in (a, b))
            if x.dtype.kind != "f" or x.shape != y.shape or not np.allclose(x, y, rtol=1e-9, atol=1e-12):
                return False
    return True


def test_training_is_reproducible_and_matches_the_shipped_file(trained):
    _, _, first = trained  # trained in this process; the shipped file in another one
    gold_shas = [hashlib.sha256(path.read_bytes()).hexdigest() for path in training.DEV_GOLDS]
    assert gold_shas == [f["sha256"] for f in CARD["training_data"]["files"]], (
        "the dev gold changed since the model was trained; run `cchc-nlp train metric-classifier` and commit models/"
    )
    assert training.model_bytes(training.train(training.DEV_GOLDS)[0]) == first  # same machine: same bytes
    shipped = model.MODEL_PATH.read_bytes()
    assert hashlib.sha256(shipped).hexdigest() == CARD["sha256"]
    # Another machine's BLAS may differ in the last bits (1e-15) of the coefficients.
    assert _same_model(first, shipped), (
        "the shipped model differs from a fresh training run (library versions or cchc_nlp.text.numbers changed?); "
        "run `cchc-nlp train metric-classifier` and commit models/"
    )


def test_canonical_file_has_no_object_ids_or_timestamps(trained):
    _, _, data = trained
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        schema = archive.read("schema.json").decode("utf-8")
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    names = [info.filename for info in infos]
    assert names[0] == "schema.json" and all(name.split(".")[0].isdigit() for name in names[1:])
    ids = [int(value) for value in __import__("re").findall(r'"__id__": (\d+)', schema)]
    assert max(ids) < 10_000  # renumbered, not memory addresses


def test_cli_writes_the_same_file(tmp_path, capsys):
    out = tmp_path / "metric_classifier.skops"
    assert cli.main(["train", "metric-classifier", "--out", str(out), "--no-card"]) == 0
    data = out.read_bytes()
    assert _same_model(data, model.MODEL_PATH.read_bytes())
    assert "sha256 " + hashlib.sha256(data).hexdigest() in capsys.readouterr().out


# --------------------------------------------------------------------------- loading


def test_loading_refuses_untrusted_types(tmp_path):
    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    path = tmp_path / "evil.skops"
    sio.dump(FunctionTransformer(func=os.system), path)
    with pytest.raises(DataError) as raised:
        model.load_model(path)
    message = str(raised.value)
    assert "posix.system" in message or "nt.system" in message
    assert "refusing to load" in message and "\n" not in message


def test_loading_reports_missing_and_broken_files(tmp_path):
    with pytest.raises(DataError, match="not found"):
        model.load_model(tmp_path / "none.skops")
    broken = tmp_path / "broken.skops"
    broken.write_bytes(b"not a zip file")
    with pytest.raises(DataError, match="not a skops file"):
        model.load_model(broken)


def test_shipped_model_loads_with_the_card(shipped):
    assert shipped.sha256 == CARD["sha256"]
    assert shipped.threshold == CARD["threshold"]
    assert list(shipped.classes) == CARD["classes"] and "none" in shipped.classes
    default = model.default_classifier()
    assert default is not None and default.sha256 == CARD["sha256"]
    assert model.enabled_by_default() is CARD["enabled_by_default"]


# --------------------------------------------------------------------------- the hook


@pytest.mark.parametrize(
    "text, number, metric",
    [
        ("Toàn tỉnh đã tiếp nhận 8.456 hồ sơ trong quý.", "8.456", "dossier.received"),
        ("Chỉ số CCHC của tỉnh xếp thứ 17/63, tăng 3 bậc.", "17/63", "index.par.rank"),
        ("Hội nghị có 120 đại biểu tham dự.", "120", None),
    ],
)
def test_classify(shipped, text, number, metric):
    start = text.index(number)
    decision = shipped.classify(text, start, start + len(number))
    if metric is None:
        assert decision is None
    else:
        assert decision[0] == metric and shipped.threshold <= decision[1] <= 1.0


def test_hook_accepts_the_extractor_context_and_plain_forms(shipped):
    from cchc_nlp.metrics import MentionContext

    text = "Toàn tỉnh đã tiếp nhận 8.456 hồ sơ trong quý."
    start, end = text.index("8.456"), text.index("8.456") + 5
    expected = shipped.classify(text, start, end)
    assert shipped(MentionContext(text[: end + 6], text, start, end)) == expected
    assert shipped({"text": text, "start": start, "end": end}) == expected
    assert shipped((text, start, end)) == expected
    assert shipped(SimpleNamespace(text=text, start=start, end=end)) == expected
    assert shipped(text) == expected  # a plain string: its first number
    assert shipped("không có số nào") is None
    with pytest.raises(InputError):
        shipped(42)


def test_probabilities_are_a_distribution(shipped):
    context = model.mention_context("Đã giải quyết 6.827 hồ sơ.", 14, 19)
    probabilities = shipped.probabilities([context, context])
    assert probabilities.shape == (2, len(shipped.classes))
    assert probabilities.sum(axis=1) == pytest.approx([1.0, 1.0])
    assert shipped.probabilities([]).shape == (0, len(shipped.classes))


def test_direct_scoring_equals_the_pipeline(shipped):
    import numpy as np
    import pandas as pd

    frame, _, _ = training.training_examples()
    contexts = frame.to_dict("records") + [{"left": "", "near": "", "right": "", "shape": ""}]
    expected = shipped.pipeline.predict_proba(pd.DataFrame(contexts, columns=list(model.FEATURE_COLUMNS)))
    assert shipped._scorer is not None
    assert np.abs(shipped.probabilities(contexts) - expected).max() < 1e-9


def test_scorer_only_loading_gives_the_same_probabilities_without_scikit_learn(shipped):
    fast = model.load_model(model.MODEL_PATH, scorer_only=True)
    assert fast.pipeline is None and fast._scorer is not None
    assert (fast.classes, fast.sha256, fast.threshold) == (shipped.classes, shipped.sha256, shipped.threshold)
    frame, _, _ = training.training_examples()
    odd = {"left": " Đạt\t\t  TỶ LỆ  ", "near": "a", "right": "hồ sơ\n\nx", "shape": "0,0%"}
    contexts = frame.to_dict("records") + [{"left": "", "near": "", "right": "", "shape": ""}, odd]
    assert np.array_equal(fast.probabilities(contexts), shipped.probabilities(contexts))  # bit for bit
    assert fast.decide(contexts) == shipped.decide(contexts)


@pytest.mark.parametrize("text", ["", "a", "Hồ  sơ\t\tđúng hạn", " 1.234,5 %  ", "ĐẠT\n\nTỶ LỆ 98,81%", "x" * 12])
def test_char_wb_ngrams_equal_scikit_learns(text):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from cchc_nlp.metrics.model_file import char_wb_ngrams

    for ngram_range, lowercase in [((2, 5), True), ((1, 3), False), ((3, 3), True)]:
        analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, lowercase=lowercase).build_analyzer()
        assert char_wb_ngrams(text, ngram_range, lowercase) == analyzer(text)


def _assert_same_tree(a, b):
    assert type(a) is type(b)
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.tolist() == b.tolist()
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            _assert_same_tree(a[key], b[key])
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_same_tree(x, y)
    elif hasattr(a, "attrs"):
        assert a.type_name == b.type_name
        _assert_same_tree(a.attrs, b.attrs)
    else:
        assert a == b or (a != a and b != b)  # NaN


def test_json_nodes_decoded_in_one_call_equal_one_by_one():
    from cchc_nlp.metrics.model_file import _Decoder, _Unsupported

    archive = zipfile.ZipFile(io.BytesIO(model.MODEL_PATH.read_bytes()))
    schema = json.loads(archive.read("schema.json"))
    batched = _Decoder(archive)
    one_by_one = _Decoder(archive)
    one_by_one.decode_all = lambda nodes: [one_by_one.decode(node) for node in nodes]
    _assert_same_tree(batched.decode(schema), one_by_one.decode(schema))
    assert batched.memo.keys() == one_by_one.memo.keys()
    node = {"__class__": "int", "__module__": "builtins", "__loader__": "JsonNode", "content": "1, 2"}
    with pytest.raises(_Unsupported):
        _Decoder(archive).decode_all([node, {**node, "content": "3"}])


def test_scorer_only_loading_falls_back_to_skops_and_its_allow_list(tmp_path):
    import skops.io as sio
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    evil = tmp_path / "evil.skops"
    sio.dump(FunctionTransformer(func=os.system), evil)
    with pytest.raises(DataError, match="refusing to load"):
        model.load_model(evil, scorer_only=True)
    other = Pipeline([("words", CountVectorizer()), ("model", LogisticRegression())])
    other.fit(["một hai", "ba bốn", "năm sáu"], ["a", "b", "c"])
    path = tmp_path / "other.skops"
    sio.dump(other, path)
    loaded = model.load_model(path, threshold=0.1, scorer_only=True)  # a shape the direct scorer does not compute
    assert loaded.pipeline is not None and loaded.classes == ("a", "b", "c")
    broken = tmp_path / "broken.skops"
    broken.write_bytes(b"not a zip file")
    with pytest.raises(DataError, match="not a skops file"):
        model.load_model(broken, scorer_only=True)


def test_the_pipeline_loads_the_classifier_without_scikit_learn():
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from cchc_nlp.metrics.model import default_classifier\n"
        "assert default_classifier() is not None\n"
        "print(sorted(m for m in ('sklearn', 'skops', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_batch_and_single_calls_agree(shipped):
    text = "Trung tâm tiếp nhận 1.234 hồ sơ, trả kết quả qua bưu điện 56 hồ sơ; không có số."
    contexts = [(text, 20, 25), (text, 58, 60), "không có số nào"]
    assert shipped.classify_batch(contexts) == [shipped(c) for c in contexts]
    assert shipped.classify_batch(contexts)[2] is None


# --------------------------------------------------------------------------- the card's claim


def test_card_describes_data_versions_and_held_out_scores():
    assert [f["file"] for f in CARD["training_data"]["files"]] == [
        "tests/gold/metrics_dev.jsonl",
        "tests/gold/metrics_round2_dev.jsonl",
    ]
    files = CARD["heldout"]["files"]
    assert [(f["file"], f["core_only"]) for f in files] == [
        ("tests/gold/metrics_heldout.jsonl", False),
        ("tests/gold/metrics_round2_heldout.jsonl", True),
    ]
    assert set(CARD["versions"]) >= {"python", "scikit-learn", "skops", "numpy", "scipy"}
    for f in files:
        per_class = f["mentions"]["per_class"]
        assert per_class and all({"precision", "recall", "f1", "support"} <= set(s) for s in per_class.values())
        assert set(f["extraction"]["delta_metric_value"]) == {"precision", "recall", "f1"}
    assert set(CARD["heldout"]["pooled"]["delta_metric_value"]) == {"precision", "recall", "f1"}
    assert CARD["decision"].startswith("on" if CARD["enabled_by_default"] else "off")


@pytest.mark.slow
def test_held_out_effect_still_supports_the_cards_decision(shipped):
    extraction = training.pooled_effect([training.evaluate_extraction(shipped, p) for p in training.HELDOUT_GOLDS])
    enabled, decision = training.decide_default(extraction)
    assert enabled is CARD["enabled_by_default"], (
        f"the held-out effect changed ({decision}); regenerate the card with `cchc-nlp train metric-classifier`"
    )
    if enabled:
        delta = extraction["delta_metric_value"]
        assert delta["recall"] > 0 and delta["precision"] >= -training.MAX_PRECISION_DROP
