"""Scoring metric extraction against the gold sets (`cchc-nlp evaluate metrics`, `cchc_nlp.cli.evaluate`).

Gold format: tests/gold/README.md (JSON Lines, one document per line). Scoring, per split:

* (metric, value): one-to-one matching of predicted and gold rows of a document on the
  metric key and the value (equal within 1e-6 relative); precision, recall, F1;
* full row: a matched pair also agrees on unit, denominator, share, is_target,
  period_start and period_end wherever the gold row states them; P/R/F1 again;
* period accuracy: share of matched pairs whose period_start and period_end equal gold's;
* attribute accuracy over matched pairs where gold states them: qualifier, subject
  (same text, ignoring case and a leading "UBND", or one contained in the other),
  scope_level, scope (province, level, agency, unit, ranking, national: tests/gold/README.md, Round 2).

Only metric keys of the scored vocabulary count: the core keys of the design plus every key
that occurs in the split's gold; predicted rows with other keys (extensions such as
dossier.to_process when that gold never uses them) are counted and reported apart.

By default the extractor is `extract_metrics` on the plain text (what the rules see
without the taggers); `--pipeline` runs the full spaCy pipeline instead.

Errors are also counted by cause (`cchc_nlp.research.metric_errors`): false positives by
the shape of their number, wrong keys, misses, and per document `causes` where the gold
states them.

Gold sets (`GOLD_SETS`): the dev files (written by the rule authors: round 1 "dev",
round 2 "dev2", round 3's long articles "dev3"), the held-out files (written by someone
else; the rules were not tuned on them: round 1 "heldout", round 2 "heldout2", whose
annotator annotated core keys only, so it is scored on core keys only, round 4 "heldout3",
written blind to the rules) and the contrast
pairs. A file named *_dev.jsonl is "dev", *_heldout.jsonl "heldout", another file "custom"
(`split_of`). `--errors` lists the misses and false alarms (for dev work; don't read them for held-out gold).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cchc_nlp.errors import DataError
from cchc_nlp.metrics import extract_metrics
from cchc_nlp.research.gold import split_of
from cchc_nlp.research.metric_errors import FP_SHAPES, ErrorCounts, classify_errors
from cchc_nlp.research.scoring import precision_recall_f1
from cchc_nlp.resources import read_user_jsonl

__all__ = [
    "evaluate",
    "load_gold",
    "match_rows",
    "full_row_match",
    "score_table",
    "cause_table",
    "Scores",
    "GoldSet",
    "GOLD_SETS",
    "gold_set_of",
    "discover_gold_sets",
    "split_of",
]


@dataclass(frozen=True)
class GoldSet:
    label: str  # the name the scores are printed under
    file: str
    split: str  # dev | heldout | custom
    core_only: bool = False  # scored on the core metric keys only (its annotator annotated only those)


GOLD_SETS = (
    GoldSet("dev", "metrics_dev.jsonl", "dev"),
    GoldSet("dev2", "metrics_round2_dev.jsonl", "dev"),
    GoldSet("dev3", "metrics_round3_long_dev.jsonl", "dev"),
    GoldSet("dev3s", "metrics_round3_dev.jsonl", "dev"),
    GoldSet("heldout", "metrics_heldout.jsonl", "heldout"),
    GoldSet("heldout2", "metrics_round2_heldout.jsonl", "heldout", core_only=True),
    GoldSet("heldout3", "metrics_round4_heldout.jsonl", "heldout"),
    GoldSet("contrast", "metrics_contrast.jsonl", "custom"),
)
FULL_ROW_KEYS = ("unit", "denominator", "share", "is_target", "period_start", "period_end")
ATTRIBUTE_KEYS = ("qualifier", "subject", "scope_level", "scope")


def discover_gold_sets(folder: Path | None) -> list[tuple[GoldSet, Path]]:
    """The metric gold sets of a folder: the known ones (GOLD_SETS) in their order, then any
    other metrics_*_dev.jsonl / metrics_*_heldout.jsonl file, labelled by its file stem."""
    if folder is None or not folder.is_dir():
        return []
    found = [(g, folder / g.file) for g in GOLD_SETS if (folder / g.file).is_file()]
    known = {g.file for g in GOLD_SETS}
    for path in sorted(folder.glob("metrics_*.jsonl")):
        if path.name not in known and split_of(path) in ("dev", "heldout"):
            found.append((gold_set_of(path), path))
    return found


def gold_set_of(path: Path) -> GoldSet:
    """The GoldSet of a file: a known one by its name, else one labelled by its file stem."""
    known = next((g for g in GOLD_SETS if g.file == path.name), None)
    return known if known is not None else GoldSet(path.stem, path.name, split_of(path))


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """The documents of a gold file, validated (one clear DataError per bad line)."""
    path = Path(path)
    documents = []
    for number, doc in read_user_jsonl(path, "gold file", "pass an existing --gold file"):
        if not isinstance(doc, dict) or "text" not in doc:
            raise DataError(f"{path}:{number}: a gold document needs a 'text'; see tests/gold/README.md")
        rows = doc.get("metrics", [])
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise DataError(f"{path}:{number}: 'metrics' must be a list of objects; see tests/gold/README.md")
        for row in rows:
            missing = [k for k in ("metric", "value", "unit") if k not in row]
            if missing:
                raise DataError(f"{path}:{number}: a metric row lacks {', '.join(missing)}; see tests/gold/README.md")
        documents.append(doc)
    return documents


def _same_number(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))
    except (TypeError, ValueError):
        return False


def _norm_subject(value: Any) -> str:
    text = " ".join(str(value or "").lower().split())
    for prefix in ("ubnd ", "ủy ban nhân dân "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def _same_subject(gold: Any, pred: Any) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    g, p = _norm_subject(gold), _norm_subject(pred)
    return g == p or (bool(g) and bool(p) and (g in p or p in g))


def _agrees(gold: dict[str, Any], pred: dict[str, Any], key: str) -> bool:
    if key in ("denominator", "share"):
        return _same_number(gold.get(key), pred.get(key))
    if key == "subject":
        return _same_subject(gold.get(key), pred.get(key))
    return gold.get(key) == pred.get(key)


def full_row_match(gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    return all(_agrees(gold, pred, k) for k in FULL_ROW_KEYS if k in gold)


def match_rows(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs on (metric, value); full-row
    agreement is preferred among equal candidates, then text order."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for gi, g in enumerate(gold):
        candidates = [
            pi
            for pi, p in enumerate(pred)
            if pi not in used and p["metric"] == g["metric"] and _same_number(p["value"], g["value"])
        ]
        if not candidates:
            continue
        candidates.sort(key=lambda pi: (not full_row_match(g, pred[pi]), pi))
        used.add(candidates[0])
        pairs.append((gi, candidates[0]))
    return pairs


@dataclass
class Scores:
    split: str
    documents: int = 0
    gold_rows: int = 0
    predicted_rows: int = 0
    unscored_rows: int = 0
    matched: int = 0
    full_matched: int = 0
    period_checked: int = 0
    period_correct: int = 0
    attribute_checked: Counter = field(default_factory=Counter)
    attribute_correct: Counter = field(default_factory=Counter)
    per_metric: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: list[str] = field(default_factory=list)
    error_counts: ErrorCounts = field(default_factory=ErrorCounts)
    by_cause: dict[str, ErrorCounts] = field(default_factory=lambda: defaultdict(ErrorCounts))
    cause_documents: Counter = field(default_factory=Counter)

    prf = staticmethod(precision_recall_f1)

    @property
    def value_prf(self) -> tuple[float, float, float]:
        return self.prf(self.matched, self.predicted_rows, self.gold_rows)

    @property
    def full_prf(self) -> tuple[float, float, float]:
        return self.prf(self.full_matched, self.predicted_rows, self.gold_rows)

    @property
    def period_accuracy(self) -> float:
        return self.period_correct / self.period_checked if self.period_checked else 0.0

    def as_dict(self) -> dict[str, Any]:
        vp, vr, vf = self.value_prf
        fp, fr, ff = self.full_prf
        return {
            "split": self.split,
            "documents": self.documents,
            "gold_rows": self.gold_rows,
            "predicted_rows": self.predicted_rows,
            "unscored_predicted_rows": self.unscored_rows,
            "metric_value": {"precision": round(vp, 4), "recall": round(vr, 4), "f1": round(vf, 4)},
            "full_row": {"precision": round(fp, 4), "recall": round(fr, 4), "f1": round(ff, 4)},
            "period_accuracy": round(self.period_accuracy, 4),
            "period_checked": self.period_checked,
            "attributes": {
                k: round(self.attribute_correct[k] / self.attribute_checked[k], 4)
                for k in ATTRIBUTE_KEYS
                if self.attribute_checked[k]
            },
            "errors_by_cause": {
                "false_positives": {shape: self.error_counts.false_positives[shape] for shape in FP_SHAPES},
                "wrong_key": self.error_counts.wrong_key,
                "missed": self.error_counts.missed,
                "document_causes": {
                    cause: {
                        "documents": self.cause_documents[cause],
                        "false_positives": sum(c.false_positives.values()),
                        "wrong_key": c.wrong_key,
                        "missed": c.missed,
                    }
                    for cause, c in sorted(self.by_cause.items())
                },
            },
        }


def _period_stated(row: dict[str, Any]) -> bool:
    return "period_start" in row or "period_end" in row


def evaluate(
    documents: list[dict[str, Any]], split: str, vocabulary: frozenset[str], extractor=None, keep_errors: bool = False
) -> Scores:
    """Score an extractor (default: cchc_nlp.metrics.extract_metrics) on gold documents."""
    if extractor is None:
        extractor = extract_metrics
    scores = Scores(split)
    for doc in documents:
        gold = [g for g in doc.get("metrics", []) if g["metric"] in vocabulary]
        predicted_all = extractor(doc["text"], published=doc.get("published"))
        pred = [p for p in predicted_all if p["metric"] in vocabulary]
        scores.documents += 1
        scores.gold_rows += len(gold)
        scores.predicted_rows += len(pred)
        scores.unscored_rows += len(predicted_all) - len(pred)
        pairs = match_rows(gold, pred)
        matched_gold = {gi for gi, _ in pairs}
        matched_pred = {pi for _, pi in pairs}
        counts = classify_errors(doc["text"], gold, pred, pairs)
        scores.error_counts.add(counts)
        for cause in doc.get("causes") or ():
            scores.cause_documents[cause] += 1
            scores.by_cause[cause].add(counts)
        for g in gold:
            scores.per_metric[g["metric"]]["gold"] += 1
        for p in pred:
            scores.per_metric[p["metric"]]["predicted"] += 1
        for gi, pi in pairs:
            g, p = gold[gi], pred[pi]
            scores.matched += 1
            scores.per_metric[g["metric"]]["matched"] += 1
            full = full_row_match(g, p)
            scores.full_matched += full
            if _period_stated(g):
                scores.period_checked += 1
                ok = g.get("period_start") == p.get("period_start") and g.get("period_end") == p.get("period_end")
                scores.period_correct += ok
            for key in ATTRIBUTE_KEYS:
                if key in g:
                    scores.attribute_checked[key] += 1
                    agrees = _agrees(g, p, key)
                    scores.attribute_correct[key] += agrees
                    if keep_errors and not agrees:
                        scores.errors.append(
                            f"{doc.get('id')}: ATTR {g['metric']}={g['value']}: {key} gold {g.get(key)!r} got "
                            f"{p.get(key)!r}"
                        )
            if keep_errors and not full:
                diffs = [
                    f"{k}: gold {g.get(k)!r} got {p.get(k)!r}" for k in FULL_ROW_KEYS if k in g and not _agrees(g, p, k)
                ]
                scores.errors.append(f"{doc.get('id')}: ROW {g['metric']}={g['value']}: " + "; ".join(diffs))
        if keep_errors:
            for gi, g in enumerate(gold):
                if gi not in matched_gold:
                    scores.errors.append(f"{doc.get('id')}: MISS {g['metric']}={g['value']}")
            for pi, p in enumerate(pred):
                if pi not in matched_pred:
                    scores.errors.append(
                        f"{doc.get('id')}: FALSE {p['metric']}={p['value']} (confidence {p['confidence']}) in: "
                        f"{p['sentence'][:120]}"
                    )
    return scores


def score_table(scores: list[Scores]) -> str:
    lines = [
        "split     docs  gold  pred | metric+value  P      R      F1    | full row  P      R      F1    | period acc",
        "-" * 108,
    ]
    for s in scores:
        vp, vr, vf = s.value_prf
        fp, fr, ff = s.full_prf
        lines.append(
            f"{s.split:<8} {s.documents:>5} {s.gold_rows:>5} {s.predicted_rows:>5} |"
            f"              {vp:.3f}  {vr:.3f}  {vf:.3f} |"
            f"          {fp:.3f}  {fr:.3f}  {ff:.3f} | {s.period_accuracy:.3f} ({s.period_correct}/{s.period_checked})"
        )
    return "\n".join(lines)


def cause_table(s: Scores) -> str:
    """The errors of one split by cause (see `cchc_nlp.research.metric_errors`)."""
    e = s.error_counts
    shapes = ", ".join(f"{shape.replace('_', ' ')} {e.false_positives[shape]}" for shape in FP_SHAPES)
    lines = [
        f"{s.split}: false positives {sum(e.false_positives.values())} ({shapes}); "
        f"wrong key {e.wrong_key}; missed {e.missed}"
    ]
    if s.by_cause:
        lines.append(f"  by document cause ({s.split}):  docs  false pos  wrong key  missed")
        for cause, c in sorted(s.by_cause.items()):
            lines.append(
                f"    {cause:<26} {s.cause_documents[cause]:>5} {sum(c.false_positives.values()):>10}"
                f" {c.wrong_key:>10} {c.missed:>7}"
            )
    return "\n".join(lines)
