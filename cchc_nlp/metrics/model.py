"""The metric classifier at run time: which metric a number mention reports.

The rules of `cchc_nlp.metrics` label most figures; some number mentions stay unlabelled
or ambiguous. `MetricClassifier` assigns such a mention a metric key from the clause
around it (character n-gram TF-IDF of the left context, the words just before the number,
the right context and the number's shape, then a LogisticRegression), or "none" for
numbers that are not metrics (change amounts, counts of meetings, ...). Its probability
goes to the metric record's `confidence`.

This module loads and scores the shipped model (models/metric_classifier.skops) and
computes the features; training, the model card and the evaluations are in
`cchc_nlp.research.training`. The model is stored with skops (never pickle: loading a
pickle runs arbitrary code); loading refuses any type outside `TRUSTED_TYPES`.

>>> context = mention_context("Toàn tỉnh đã tiếp nhận 7.182 hồ sơ; đã giải quyết 6.827 hồ sơ.", 23, 28)
>>> context["left"], context["right"], context["shape"]
('toàn tỉnh đã tiếp nhận ', ' hồ sơ', '0.0')
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from cchc_nlp.errors import DataError, InputError
from cchc_nlp.metrics.model_file import SkopsObject, char_wb_ngrams, read_state
from cchc_nlp.resources import shipped_dir
from cchc_nlp.text.numbers import find_numbers

__all__ = [
    "MODEL_PATH",
    "CARD_PATH",
    "NONE",
    "DEFAULT_THRESHOLD",
    "TRUSTED_TYPES",
    "FEATURE_COLUMNS",
    "LEFT_CHARS",
    "NEAR_CHARS",
    "RIGHT_CHARS",
    "MetricClassifier",
    "mention_context",
    "load_model",
    "read_card",
    "default_classifier",
    "enabled_by_default",
]

# models/ of a source checkout, else the copy setup.cfg's data_files installs
# (<prefix>/share/cchc-nlp/models); CCHC_NLP_MODELS overrides both.
MODELS_DIR = shipped_dir("models", env="CCHC_NLP_MODELS", checkout="models")
MODEL_PATH = MODELS_DIR / "metric_classifier.skops"
CARD_PATH = MODELS_DIR / "metric_classifier.card.json"

NONE = "none"  # the class of number mentions that are not (new) metrics
DEFAULT_THRESHOLD = 0.5


# Types a model file may contain beyond skops' defaults (sklearn estimators, numpy
# arrays and builtins are trusted by skops itself). Anything else is refused on load.
TRUSTED_TYPES: frozenset[str] = frozenset()

# Context windows, in characters, cut at clause boundaries.
LEFT_CHARS = 60
NEAR_CHARS = 24
RIGHT_CHARS = 30
_LEFT_BOUNDARY = re.compile(r"[\n;!?]|\.(?=\s)|\.$")
_RIGHT_BOUNDARY = re.compile(r"[\n;!?]|\.(?=\s|$)")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")

FEATURE_COLUMNS = ("left", "near", "right", "shape")


# --------------------------------------------------------------------------- features


def _clean(text: str) -> str:
    return _DIGITS.sub("0", _SPACES.sub(" ", text.lower()))


def mention_context(text: str, start: int, end: int) -> dict[str, str]:
    """The features of the number at text[start:end]: its clause's left part (up to
    60 characters), the last 24 of those, the right part (up to 30) and its shape.

    Text is lowercased and digits become "0" so that the model learns phrasings, not
    figures. The clause stops at a sentence end, a semicolon or a line break.
    """
    if not 0 <= start <= end <= len(text):
        raise InputError(f"mention offsets {start}:{end} are outside a text of {len(text)} characters")
    window_start = max(0, start - LEFT_CHARS)
    left = text[window_start:start]
    boundaries = list(_LEFT_BOUNDARY.finditer(left))
    if boundaries:
        left = left[boundaries[-1].end() :]
    right = text[end : end + RIGHT_CHARS]
    boundary = _RIGHT_BOUNDARY.search(right)
    if boundary:
        right = right[: boundary.start()]
    left, right = _clean(left.lstrip()), _clean(right)
    return {"left": left, "near": left[-NEAR_CHARS:], "right": right, "shape": _clean(text[start:end])}


# --------------------------------------------------------------------------- the model


@dataclass
class MetricClassifier:
    """A trained metric classifier for number mentions.

    `classify(text, start, end)` -> (metric, probability) or None when the most likely
    class is "none" or below `threshold`. Calling the object is the hook of
    `cchc_nlp.metrics` (see `__call__`).
    """

    pipeline: Any  # the fitted scikit-learn pipeline; None when read without it (`scorer_only`)
    threshold: float = DEFAULT_THRESHOLD
    sha256: str | None = None
    classes: tuple[str, ...] = ()  # the pipeline's, when there is one
    _scorer: _DirectScorer | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.pipeline is not None:
            self.classes = tuple(str(label) for label in self.pipeline.classes_)
            self._scorer = _DirectScorer.of(self.pipeline)
        elif self._scorer is None or not self.classes:
            raise InputError("a MetricClassifier needs a fitted pipeline, or a direct scorer and its classes")

    def probabilities(self, contexts: Sequence[Mapping[str, str]]) -> np.ndarray:
        """Class probabilities (rows: contexts, columns: `classes`)."""
        if not contexts:
            return np.zeros((0, len(self.classes)))
        scorer = self._scorer
        if scorer is None:
            import pandas as pd  # only for a pipeline the direct scorer cannot compute (not the shipped one)

            return self.pipeline.predict_proba(pd.DataFrame(list(contexts), columns=list(FEATURE_COLUMNS)))
        return scorer(contexts)

    def decide(self, contexts: Sequence[Mapping[str, str]]) -> list[tuple[str, float] | None]:
        """For each context: (metric, probability), or None for "none" / low confidence."""
        decisions: list[tuple[str, float] | None] = []
        for row in self.probabilities(contexts):
            best = int(np.argmax(row))
            label, probability = self.classes[best], float(row[best])
            decisions.append(None if label == NONE or probability < self.threshold else (label, round(probability, 4)))
        return decisions

    def judge_batch(self, contexts: Sequence[Any]) -> list[tuple[str, float] | None]:
        """The most probable class of each hook context, "none" included, with its
        probability (None for a context without a number): what the metric rules use to
        re-key or remove a doubtful row."""
        spans = [_text_start_end(context) for context in contexts]
        found = [i for i, (_, start, end) in enumerate(spans) if end > start]
        judged: list[tuple[str, float] | None] = [None] * len(spans)
        if not found:
            return judged
        probabilities = self.probabilities([mention_context(*spans[i]) for i in found])
        for i, row in zip(found, probabilities, strict=True):
            best = int(np.argmax(row))
            judged[i] = (self.classes[best], round(float(row[best]), 4))
        return judged

    def classify_batch(self, contexts: Sequence[Any]) -> list[tuple[str, float] | None]:
        """Decisions for many hook contexts (see `__call__`) in one model call; None for a
        context without a number."""
        spans = [_text_start_end(context) for context in contexts]
        found = [i for i, (_, start, end) in enumerate(spans) if end > start]
        decided = self.decide([mention_context(*spans[i]) for i in found])
        decisions: list[tuple[str, float] | None] = [None] * len(spans)
        for i, decision in zip(found, decided, strict=True):
            decisions[i] = decision
        return decisions

    def classify(self, text: str, start: int, end: int) -> tuple[str, float] | None:
        """The metric of the number at text[start:end], with its probability, or None."""
        return self.decide([mention_context(text, start, end)])[0]

    def __call__(self, context: Any) -> tuple[str, float] | None:
        """The hook of `cchc_nlp.metrics.extract_metrics(classifier=...)`.

        `context` is a `MentionContext` (a str with .text, .start, .end: the number's
        offsets in the full text), a mapping with those keys, a (text, start, end) tuple,
        or a plain string, whose first number mention is classified.
        """
        return self.classify_batch([context])[0]


class _DirectScorer:
    """The fitted pipeline's predict_proba computed directly with NumPy.

    For one article's few mentions, scikit-learn's per-call input validation costs more
    than the model itself (about 1.3 ms against 0.1 ms). This applies the same fitted
    parameters (vocabularies, idf weights, sublinear tf, l2 norm, coefficients, softmax);
    a test checks it agrees with `pipeline.predict_proba`. `of()` returns None for any
    pipeline shape it does not reproduce exactly, and the pipeline is used instead.
    """

    def __init__(
        self, blocks: list[tuple[str, Any, dict[str, int], np.ndarray]], coef: np.ndarray, intercept: np.ndarray
    ):
        self.blocks = blocks  # (column, analyzer, vocabulary, idf) per vectorizer
        # features x classes, rows contiguous: gathering a mention's few features is a row gather
        self.coef_t = np.ascontiguousarray(coef.T)
        self.intercept = intercept

    @classmethod
    def of(cls, pipeline: Any) -> _DirectScorer | None:
        steps = getattr(pipeline, "named_steps", {})
        features, model = steps.get("features"), steps.get("model")
        if features is None or model is None or getattr(features, "remainder", None) != "drop":
            return None
        if type(model).__name__ != "LogisticRegression" or len(model.classes_) < 3:
            return None
        blocks = []
        for _, vectorizer, column in features.transformers_:
            exact = (
                type(vectorizer).__name__ == "TfidfVectorizer"
                and isinstance(column, str)
                and vectorizer.norm == "l2"
                and vectorizer.use_idf
                and vectorizer.sublinear_tf
                and not vectorizer.binary
            )
            if not exact:
                return None
            blocks.append((column, vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_))
        return cls(blocks, model.coef_, model.intercept_)

    @classmethod
    def from_state(cls, root: SkopsObject) -> tuple[_DirectScorer, tuple[str, ...]] | None:
        """The scorer and the classes of a pipeline read by `model_file.read_state` (no
        scikit-learn), or None for any shape this does not reproduce exactly."""
        steps = root.attrs.get("steps") if root.type_name == "sklearn.pipeline.Pipeline" else None
        named = dict(steps) if isinstance(steps, list) and all(len(step) == 2 for step in steps) else {}
        features, model = named.get("features"), named.get("model")
        if not (
            isinstance(features, SkopsObject)
            and features.type_name == "sklearn.compose._column_transformer.ColumnTransformer"
            and features.attrs.get("remainder") == "drop"
            and isinstance(model, SkopsObject)
            and model.type_name == "sklearn.linear_model._logistic.LogisticRegression"
            and model.attrs.get("multi_class", "multinomial") == "multinomial"
        ):
            return None
        classes, coef, intercept = (model.attrs.get(name) for name in ("classes_", "coef_", "intercept_"))
        arrays = all(isinstance(a, np.ndarray) for a in (classes, coef, intercept))
        if not arrays or len(classes) < 3 or classes.dtype.kind not in "U" or coef.dtype != np.float64:
            return None
        blocks = []
        for entry in features.attrs.get("transformers_") or [None]:
            if not (isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[1], SkopsObject)):
                return None
            _, vectorizer, column = entry
            settings = vectorizer.attrs
            tfidf = settings.get("_tfidf")
            idf = tfidf.attrs.get("idf_") if isinstance(tfidf, SkopsObject) else None
            exact = (
                vectorizer.type_name == "sklearn.feature_extraction.text.TfidfVectorizer"
                and isinstance(column, str)
                and settings.get("analyzer") == "char_wb"
                and settings.get("input") == "content"
                and settings.get("preprocessor") is None
                and not settings.get("strip_accents")
                and settings.get("dtype") == "numpy.float64"
                and settings.get("norm") == "l2"
                and settings.get("use_idf") is True
                and settings.get("sublinear_tf") is True
                and settings.get("binary") is False
                and isinstance(settings.get("ngram_range"), tuple)
                and isinstance(settings.get("vocabulary_"), dict)
                and isinstance(idf, np.ndarray)
                and idf.dtype == np.float64
            )
            if not exact:
                return None
            analyzer = functools.partial(
                char_wb_ngrams, ngram_range=settings["ngram_range"], lowercase=bool(settings.get("lowercase"))
            )
            blocks.append((column, analyzer, settings["vocabulary_"], idf))
        return cls(blocks, coef, intercept), tuple(str(label) for label in classes)

    def __call__(self, contexts: Sequence[Mapping[str, str]]) -> np.ndarray:
        scores = np.tile(self.intercept, (len(contexts), 1))
        offset = 0
        for column, analyzer, vocabulary, idf in self.blocks:
            for row, context in enumerate(contexts):
                counts = Counter(i for i in map(vocabulary.get, analyzer(context[column])) if i is not None)
                if not counts:
                    continue
                index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
                weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[index]
                weights /= np.sqrt(np.dot(weights, weights))
                scores[row] += weights @ self.coef_t[offset + index]
            offset += len(idf)
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores


def _text_start_end(context: Any) -> tuple[str, int, int]:
    """(text, start, end) of a hook context: a MentionContext (a str with .text, .start,
    .end), a mapping with those keys, a (text, start, end) tuple, or a plain string, whose
    first number mention is meant."""
    if isinstance(context, tuple) and len(context) == 3:
        text, start, end = context
    elif isinstance(context, Mapping):
        text, start, end = context["text"], context["start"], context["end"]
    elif all(hasattr(context, name) for name in ("text", "start", "end")):
        text, start, end = context.text, context.start, context.end
    elif isinstance(context, str):
        mentions = find_numbers(context)
        if not mentions:
            return context, 0, 0
        text, start, end = context, mentions[0].start, mentions[0].end
    else:
        raise InputError(f"the metric classifier needs a mention context, got {type(context).__name__}")
    return text, int(start), int(end)


def _check_types(sio: Any, data: bytes, where: str) -> list[str]:
    untrusted = sio.get_untrusted_types(data=data)
    refused = sorted(set(untrusted) - TRUSTED_TYPES)
    if refused:
        raise DataError(
            f"model file {where} contains types outside the allow-list ({', '.join(refused)}); "
            "refusing to load it; retrain with `cchc-nlp train metric-classifier`"
        )
    return list(untrusted)


def load_model(
    path: str | Path = MODEL_PATH, threshold: float | None = None, *, scorer_only: bool = False
) -> MetricClassifier:
    """Load a skops model file after checking its types against `TRUSTED_TYPES`.

    threshold: minimum probability of a metric decision; default the card's, else 0.5.
    scorer_only: the classifier is only used to score mentions, so `pipeline` may stay
        None: a file of the shape the direct scorer computes is read without skops and
        scikit-learn (`cchc_nlp.metrics.model_file`; the same decisions, 3 s less at start).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"model file {path} not found; run `cchc-nlp train metric-classifier`") from None
    if threshold is None:
        threshold = read_card(path.with_name(path.name.replace(".skops", ".card.json"))).get(
            "threshold", DEFAULT_THRESHOLD
        )
    digest = hashlib.sha256(data).hexdigest()
    try:
        state = read_state(data) if scorer_only else None
        direct = _DirectScorer.from_state(state) if state is not None else None
        if direct is not None:
            scorer, classes = direct
            return MetricClassifier(None, float(threshold), digest, classes=classes, _scorer=scorer)
        import skops.io as sio  # skops and scikit-learn load only with a model, not with the rules

        trusted = _check_types(sio, data, str(path))
        pipeline = sio.loads(data, trusted=trusted)
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as exc:
        raise DataError(
            f"model file {path} is not a skops file ({exc}); retrain with `cchc-nlp train metric-classifier`"
        ) from None
    return MetricClassifier(pipeline, threshold=float(threshold), sha256=digest)


def read_card(path: Path) -> dict[str, Any]:
    """A model card (JSON), or {} when there is none."""
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(
            f"model card {path} is not valid JSON (line {exc.lineno}); regenerate it with `cchc-nlp train "
            "metric-classifier`"
        ) from None


@lru_cache(maxsize=1)
def default_classifier() -> MetricClassifier | None:
    """The shipped classifier (models/metric_classifier.skops), or None when it is absent.

    Checked against the SHA-256 of its model card. Whether the pipeline uses it without
    being asked is `enabled_by_default()`; asking for it (`use_classifier=True`,
    `cchc-nlp evaluate metrics --classifier`) always loads it.
    """
    if not MODEL_PATH.is_file():
        return None
    card = read_card(CARD_PATH)
    classifier = load_model(MODEL_PATH, threshold=card.get("threshold"), scorer_only=True)
    if card.get("sha256") and card["sha256"] != classifier.sha256:
        raise DataError(
            f"{MODEL_PATH} does not match the SHA-256 in {CARD_PATH}; retrain with `cchc-nlp train metric-classifier`"
        )
    return classifier


def enabled_by_default() -> bool:
    """What the model card decided: does the classifier raise held-out recall without
    lowering precision by more than 0.02 (see the card's "decision")?"""
    return bool(read_card(CARD_PATH).get("enabled_by_default")) and MODEL_PATH.is_file()
