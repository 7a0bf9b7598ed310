"""Training the metric classifier (`cchc_nlp.metrics.model`), its model card and its evaluations.

Training data: the dev metric gold (tests/gold/metrics_dev.jsonl and
metrics_round2_dev.jsonl). Each gold row is located among the number mentions of its text
(`cchc_nlp.text.numbers.find_numbers`); the other mentions of the same texts, the traps,
are the "none" class, and so is the stated percent of a row whose value is a count
("635.593 hồ sơ, chiếm 98,81%"): it belongs to that row and must not become a second one.
The held-out gold (metrics_heldout.jsonl, metrics_round2_heldout.jsonl scored on core keys
only) is for evaluation only: the card records the classifier's effect on it.

The classifier only re-keys or removes the low-confidence rows of the rules
(`cchc_nlp.metrics.label.classify_unlabelled`); it never makes a row of its own.

The model is stored with skops in a canonical form (sequential object ids, fixed zip
timestamps), so `cchc-nlp train metric-classifier` reproduces
models/metric_classifier.skops byte for byte with the same library versions.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
import zipfile
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy
import sklearn
import skops
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from cchc_nlp.errors import DataError, InputError
from cchc_nlp.metrics import extract_metrics
from cchc_nlp.metrics.lexicon import lexicon
from cchc_nlp.metrics.model import (
    CARD_PATH,
    FEATURE_COLUMNS,
    LEFT_CHARS,
    MODEL_PATH,
    NEAR_CHARS,
    NONE,
    RIGHT_CHARS,
    MetricClassifier,
    load_model,
    mention_context,
)
from cchc_nlp.research.gold import gold_path, relative_to_checkout
from cchc_nlp.research.metrics_eval import evaluate, gold_set_of, load_gold
from cchc_nlp.research.scoring import precision_recall_f1
from cchc_nlp.text.numbers import find_numbers

__all__ = [
    "MODEL_PATH",
    "CARD_PATH",
    "DEV_GOLD",
    "DEV_GOLDS",
    "HELDOUT_GOLD",
    "HELDOUT_GOLDS",
    "SEED",
    "label_mentions",
    "training_examples",
    "build_pipeline",
    "train",
    "model_bytes",
    "save_model",
    "evaluate_mentions",
    "evaluate_extraction",
    "decide_default",
    "pooled_effect",
    "build_card",
]

DEV_GOLD = gold_path("metrics_dev.jsonl")
DEV_GOLDS = (DEV_GOLD, gold_path("metrics_round2_dev.jsonl"))
HELDOUT_GOLD = gold_path("metrics_heldout.jsonl")
HELDOUT_GOLDS = (HELDOUT_GOLD, gold_path("metrics_round2_heldout.jsonl"))

GoldFiles = str | Path | tuple[str | Path, ...] | list[str | Path]

SEED = 0
MIN_EXAMPLES_PER_CLASS = 2  # rarer metric keys are left to the rules
MAX_PRECISION_DROP = 0.02  # the classifier is on by default only within this precision cost


# --------------------------------------------------------------------------- training data


def _paths(gold: GoldFiles) -> list[Path]:
    return [Path(gold)] if isinstance(gold, (str, Path)) else [Path(p) for p in gold]


def _read_gold(gold: GoldFiles) -> list[dict[str, Any]]:
    """The validated gold documents of one or more files, sorted by id so training does not
    depend on file order."""
    documents = [doc for path in _paths(gold) for doc in load_gold(path)]
    return sorted(documents, key=lambda doc: str(doc.get("id", "")))


def _same(a: Any, b: Any) -> bool:
    return a is not None and b is not None and abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))


def label_mentions(document: Mapping[str, Any]) -> tuple[list[tuple[Any, str]], int]:
    """(mention, label) for every number mention of a gold document, and the number of
    gold rows whose number could not be found among the mentions.

    A gold row claims the first free mention whose value (or numerator) is its value;
    then the first free percent mention after it equal to its stated share is "none"
    (it belongs to that row); every other mention is "none".
    """
    text = document["text"]
    mentions = find_numbers(text)
    labels: dict[int, str] = {}
    unlocated = 0
    for row in document.get("metrics", []):
        value = row.get("value")
        found = next(
            (
                i
                for i, m in enumerate(mentions)
                if i not in labels and (_same(m.value, value) or _same(m.numerator, value))
            ),
            None,
        )
        if found is None:
            unlocated += 1
            continue
        labels[found] = row["metric"]
        share = row.get("share")
        if share is not None and row.get("unit") != "percent":
            after = next(
                (
                    i
                    for i, m in enumerate(mentions)
                    if i not in labels
                    and m.start >= mentions[found].end
                    and m.unit == "percent"
                    and _same(m.value, share)
                ),
                None,
            )
            if after is not None:
                labels[after] = NONE
    return [(mention, labels.get(i, NONE)) for i, mention in enumerate(mentions)], unlocated


def training_examples(gold_path: GoldFiles = DEV_GOLDS) -> tuple[pd.DataFrame, list[str], dict[str, Any]]:
    """Features, labels and statistics of the mention-level training set of gold files.

    Metric keys with fewer than MIN_EXAMPLES_PER_CLASS examples are dropped (listed in
    the statistics). Refuses held-out gold: it is for evaluation only.
    """
    for path in _paths(gold_path):
        if path.name.endswith("_heldout.jsonl"):
            raise InputError(f"refusing to train on {path}: held-out gold is for evaluation only")
    features, labels, unlocated, documents = _examples(gold_path)
    counts = Counter(labels)
    rare = sorted(label for label, count in counts.items() if label != NONE and count < MIN_EXAMPLES_PER_CLASS)
    keep = [i for i, label in enumerate(labels) if label not in rare]
    frame = pd.DataFrame([features[i] for i in keep], columns=list(FEATURE_COLUMNS))
    kept = [labels[i] for i in keep]
    stats = {
        "documents": documents,
        "mentions": len(labels),
        "examples": len(kept),
        "gold_rows_unlocated": unlocated,
        "dropped_rare_classes": {label: counts[label] for label in rare},
        "examples_per_class": dict(sorted(Counter(kept).items())),
    }
    return frame, kept, stats


def _examples(gold_path: GoldFiles) -> tuple[list[dict[str, str]], list[str], int, int]:
    features: list[dict[str, str]] = []
    labels: list[str] = []
    unlocated = 0
    documents = _read_gold(gold_path)
    for document in documents:
        pairs, missing = label_mentions(document)
        unlocated += missing
        for mention, label in pairs:
            features.append(mention_context(document["text"], mention.start, mention.end))
            labels.append(label)
    return features, labels, unlocated, len(documents)


# --------------------------------------------------------------------------- model


def build_pipeline(seed: int = SEED):
    """The untrained scikit-learn pipeline (ColumnTransformer of TF-IDF + LogisticRegression)."""

    def chars(low: int, high: int, min_df: int) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(low, high),
            min_df=min_df,
            sublinear_tf=True,
            lowercase=False,
            dtype=np.float64,
        )

    # n-grams seen in one mention only are dropped from the contexts: as accurate in
    # dev cross-validation, 4x faster to fit and a much smaller file.
    features = ColumnTransformer(
        [
            ("left", chars(2, 4, 2), "left"),
            ("near", chars(2, 4, 2), "near"),
            ("right", chars(2, 4, 2), "right"),
            ("shape", chars(1, 3, 1), "shape"),
        ],
        sparse_threshold=1.0,
    )
    model = LogisticRegression(C=10.0, max_iter=5000, class_weight="balanced", random_state=seed)
    return Pipeline([("features", features), ("model", model)])


def train(gold_path: GoldFiles = DEV_GOLDS, seed: int = SEED):
    """Fit the pipeline on the training set of the gold files; returns (pipeline, statistics)."""
    frame, labels, stats = training_examples(gold_path)
    if len(set(labels)) < 2:
        raise DataError(
            f"{', '.join(map(str, _paths(gold_path)))} give fewer than two classes of number mentions; add gold rows"
        )
    pipeline = build_pipeline(seed).fit(frame, labels)
    return pipeline, stats


def model_bytes(pipeline: Any) -> bytes:
    """The skops serialization of `pipeline` in canonical form: object ids renumbered in
    order of appearance, zip entries sorted with a fixed timestamp. Same model, same bytes."""
    raw = sio.dumps(pipeline)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        schema = json.loads(archive.read("schema.json"))
        blobs = {name: archive.read(name) for name in archive.namelist() if name != "schema.json"}
    numbering: dict[int, int] = {}

    def renumber(node: Any) -> None:
        if isinstance(node, dict):
            if "__loader__" in node:  # a skops node: its ids and file names are id()s
                if isinstance(node.get("__id__"), int):
                    node["__id__"] = numbering.setdefault(node["__id__"], len(numbering) + 1)
                file_name = node.get("file")
                if isinstance(file_name, str) and file_name in blobs:
                    stem, _, suffix = file_name.partition(".")
                    node["file"] = f"{numbering.setdefault(int(stem), len(numbering) + 1)}.{suffix}"
            for value in node.values():
                renumber(value)
        elif isinstance(node, list):
            for value in node:
                renumber(value)

    renumber(schema)
    renamed = {}
    for name, blob in blobs.items():
        stem, _, suffix = name.partition(".")
        renamed[f"{numbering.setdefault(int(stem), len(numbering) + 1)}.{suffix}"] = blob
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        entries = [("schema.json", json.dumps(schema, indent=2).encode("utf-8"))] + sorted(renamed.items())
        for name, blob in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, blob, compresslevel=9)
    return buffer.getvalue()


def save_model(pipeline: Any, path: str | Path = MODEL_PATH) -> str:
    """Write the canonical skops file; return its SHA-256."""
    data = model_bytes(pipeline)
    Path(path).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- evaluation


def evaluate_mentions(classifier: MetricClassifier, gold_path: str | Path) -> dict[str, Any]:
    """Mention-level precision/recall/F1 per metric class (and micro average) of the
    classifier alone on a gold file: every number mention is classified; "none" is the
    negative class."""
    features, labels, unlocated, documents = _examples(gold_path)
    predicted = [decision[0] if decision else NONE for decision in classifier.decide(features)]
    per_class: dict[str, dict[str, float]] = {}
    totals = Counter()
    for label in sorted(set(labels) | set(predicted)):
        if label == NONE:
            continue
        tp = sum(1 for g, p in zip(labels, predicted, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(labels, predicted, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(labels, predicted, strict=True) if g == label and p != label)
        totals.update(tp=tp, fp=fp, fn=fn)
        per_class[label] = {**_prf(tp, fp, fn), "support": tp + fn}
    return {
        "documents": documents,
        "mentions": len(labels),
        "gold_rows_unlocated": unlocated,
        "micro": {**_prf(totals["tp"], totals["fp"], totals["fn"]), "support": totals["tp"] + totals["fn"]},
        "per_class": per_class,
    }


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision, recall, f1 = precision_recall_f1(tp, tp + fp, tp + fn)
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def evaluate_extraction(classifier: MetricClassifier, gold_path: str | Path) -> dict[str, Any]:
    """Metric extraction scored on a gold file (cchc_nlp.research.metrics_eval), with the
    rules alone and with the classifier hook, and the difference. A file whose annotator
    annotated core keys only (metrics_round2_heldout.jsonl) is scored on core keys only."""
    documents = load_gold(gold_path)
    gold_set = gold_set_of(Path(gold_path))
    used = set() if gold_set.core_only else {row["metric"] for doc in documents for row in doc.get("metrics", [])}
    vocabulary = frozenset(set(lexicon().core_keys) | used)

    def with_hook(text: str, published: str | None = None) -> list[dict[str, Any]]:
        return extract_metrics(text, published=published, classifier=classifier)

    rules = evaluate(documents, gold_set.split, vocabulary)
    hooked = evaluate(documents, gold_set.split, vocabulary, with_hook)
    return _effect(rules, hooked) | {"core_only": gold_set.core_only}


def _effect(rules: Any, hooked: Any) -> dict[str, Any]:
    a, b = rules.as_dict(), hooked.as_dict()
    delta = {key: round(b["metric_value"][key] - a["metric_value"][key], 4) for key in ("precision", "recall", "f1")}
    return {
        "rules": a,
        "rules_plus_classifier": b,
        "delta_metric_value": delta,
        "counts": {
            "rules": [rules.matched, rules.predicted_rows, rules.gold_rows],
            "rules_plus_classifier": [hooked.matched, hooked.predicted_rows, hooked.gold_rows],
        },
    }


def pooled_effect(extractions: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The classifier's effect over several held-out files at once ((metric, value) counts
    added up: matched, predicted, gold)."""
    out: dict[str, Any] = {}
    for side in ("rules", "rules_plus_classifier"):
        matched, predicted, gold = (sum(e["counts"][side][i] for e in extractions) for i in range(3))
        p, r, f = precision_recall_f1(matched, predicted, gold)
        out[side] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}
    out["delta_metric_value"] = {
        key: round(out["rules_plus_classifier"][key] - out["rules"][key], 4) for key in ("precision", "recall", "f1")
    }
    return out


def decide_default(extraction: Mapping[str, Any], max_precision_drop: float = MAX_PRECISION_DROP) -> tuple[bool, str]:
    """On by default only if held-out recall rises and precision falls by at most 0.02."""
    delta = extraction["delta_metric_value"]
    recall_up = delta["recall"] > 0
    precision_ok = delta["precision"] >= -max_precision_drop
    because = (
        f"held-out metric+value recall {delta['recall']:+.4f}, precision {delta['precision']:+.4f} "
        f"(rule: recall must rise, precision may fall by at most {max_precision_drop})"
    )
    if recall_up and precision_ok:
        return True, "on: " + because
    return False, "off: " + because


def _sha256_file(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
    }


def build_card(
    model_path: Path,
    gold_path: GoldFiles,
    stats: Mapping[str, Any],
    seed: int,
    threshold: float,
    heldout_path: GoldFiles | None,
) -> dict[str, Any]:
    """The model card: data, sizes, versions, SHA-256, held-out scores and the default decision."""
    classifier = load_model(model_path, threshold=threshold)
    card: dict[str, Any] = {
        "model": model_path.name,
        "sha256": classifier.sha256,
        "size_bytes": model_path.stat().st_size,
        "task": "assign a metric key (or 'none') to a number mention from the clause around it",
        "used_for": (
            "the rows of the rules of cchc_nlp.metrics with confidence < 0.6: a more probable other key of the same "
            "family replaces the rule's, 'none' with probability >= 0.8 removes the row; it never makes a row of a "
            "number the rules did not make one of"
        ),
        "features": {
            "left": f"clause text before the number, up to {LEFT_CHARS} chars",
            "near": f"its last {NEAR_CHARS} chars",
            "right": f"clause text after the number, up to {RIGHT_CHARS} chars",
            "shape": "the mention with digits as 0",
            "encoding": (
                "lowercased, digits -> 0; character n-gram TF-IDF (char_wb 2-4 seen in >= 2 mentions; "
                "shape 1-3; sublinear tf)"
            ),
        },
        "estimator": "LogisticRegression(C=10, class_weight='balanced', lbfgs, max_iter=5000)",
        "seed": seed,
        "threshold": threshold,
        "threshold_note": (
            "a key decision needs probability >= threshold and above the rule row's confidence; 0.5, and the 0.8 "
            "of a removal, were fixed before any held-out evaluation"
        ),
        "classes": list(classifier.classes),
        "training_data": {
            "files": [{"file": relative_to_checkout(p), "sha256": _sha256_file(p)} for p in _paths(gold_path)],
            **stats,
        },
        "versions": _versions(),
        "serialization": (
            "skops, canonical (object ids renumbered, fixed zip timestamps); loaded with a fixed type allow-list"
        ),
        "reproduce": "cchc-nlp train metric-classifier",
    }
    heldout = [p for p in _paths(heldout_path) if p.is_file()] if heldout_path is not None else []
    if heldout:
        files = []
        for path in heldout:
            extraction = evaluate_extraction(classifier, path)
            files.append(
                {
                    "file": relative_to_checkout(path),
                    "sha256": _sha256_file(path),
                    "core_only": extraction.pop("core_only"),
                    "extraction": extraction,
                    "mentions": evaluate_mentions(classifier, path),
                }
            )
        pooled = pooled_effect([f["extraction"] for f in files])
        enabled, decision = decide_default(pooled)
        card["heldout"] = {
            "note": "evaluation only; never trained or tuned on; the decision is taken on the files pooled",
            "files": files,
            "pooled": pooled,
        }
    else:
        enabled, decision = False, "off: no held-out gold to show that the classifier helps"
    card["enabled_by_default"] = enabled
    card["decision"] = decision
    return card
