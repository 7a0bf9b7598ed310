"""Scoring the entity taggers against the gold sets (`cchc-nlp evaluate entities`, `cchc_nlp.cli.evaluate`).

Gold files (format in tests/gold/README.md): tests/gold/entities_dev.jsonl (written by the rule
authors) and tests/gold/entities_heldout.jsonl (written by someone else), found where
`cchc_nlp.research.gold` looks for them; `--gold FILE ...` scores other files.

Scoring, per entity type and per file:
* overlap P/R/F1 (primary): one-to-one matching of gold and predicted entities with the
  same label and overlapping spans, greedy by overlap length;
* strict F1: the same with identical spans;
* norm accuracy: over overlap-matched pairs whose gold entity has a norm;
* article province accuracy over the documents whose gold states one.

Side by side: underthesea's bundled CRF `ner` (shallow, offline), its PER/LOC/ORG spans
mapped to our types. The mapping is favourable to underthesea (an oracle): a PER span
takes the label of the gold OFFICIAL or PERSON it overlaps (else OFFICIAL), a LOC span
that of the gold PROVINCE/DISTRICT/COMMUNE it overlaps (else PROVINCE); ORG stays ORG.
It has no DATE, PERIOD, LEGAL_DOC or AUTHOR (scored 0) and no normalization.

Span conventions of the dev gold beyond tests/gold/README.md: an agency inside a longer agency name
is not a second ORG ("Văn phòng UBND tỉnh" is one ORG), a place inside an ORG is
annotated ("UBND huyện Mỹ Xuyên" + "huyện Mỹ Xuyên"), an ORG inside a title chain is
annotated, generic plurals ("UBND các huyện", "UBND cấp huyện", "các sở, ngành") are not
ORGs, page-chrome datelines are DATEs, bylines and photo credits are AUTHORs.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cchc_nlp.errors import InputError
from cchc_nlp.records import ENTITY_LABELS
from cchc_nlp.research.gold import gold_files
from cchc_nlp.research.scoring import precision_recall_f1
from cchc_nlp.resources import read_user_text
from cchc_nlp.text.normalize import normalize
from cchc_nlp.text.segment import split_sentences

__all__ = [
    "evaluate_file",
    "format_report",
    "report_json",
    "load_gold",
    "default_gold_files",
    "score",
    "predict",
    "underthesea_predict",
    "TAG_COMPONENTS",
]

TAG_COMPONENTS = [
    "cchc_places",
    "cchc_timex",
    "cchc_legal",
    "cchc_orgs",
    "cchc_officials",
    "cchc_article_province",
]
GOLD_NAMES = ("entities_dev.jsonl", "entities_heldout.jsonl")
_PER_LABELS = ("OFFICIAL", "PERSON")
_LOC_LABELS = ("PROVINCE", "DISTRICT", "COMMUNE")


@dataclass
class Entity:
    label: str
    start: int
    end: int
    norm: str | None = None


@dataclass
class GoldDoc:
    id: str
    text: str
    published: str | None
    source: str | None
    entities: list[Entity]
    province: str | None = None
    has_province: bool = False


@dataclass
class Counts:
    gold: int = 0
    pred: int = 0
    overlap: int = 0
    strict: int = 0
    norm_total: int = 0
    norm_ok: int = 0

    def add(self, other: Counts) -> None:
        for name in ("gold", "pred", "overlap", "strict", "norm_total", "norm_ok"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def prf(self, strict: bool = False) -> tuple[float, float, float]:
        return precision_recall_f1(self.strict if strict else self.overlap, self.pred, self.gold)

    def norm_accuracy(self) -> float | None:
        return self.norm_ok / self.norm_total if self.norm_total else None


@dataclass
class Report:
    name: str
    ours: dict[str, Counts] = field(default_factory=dict)
    baseline: dict[str, Counts] = field(default_factory=dict)
    province_total: int = 0
    province_ok: int = 0
    docs: int = 0
    seconds_ours: float = 0.0
    seconds_baseline: float = 0.0
    errors: list[str] = field(default_factory=list)


def _occurrence(text: str, needle: str, n: int, where: str) -> int:
    start = -1
    for _ in range(n):
        start = text.find(needle, start + 1)
        if start < 0:
            raise InputError(
                f"{where}: entity text {needle!r} (occurrence {n}) is not in the document text; fix the gold file"
            )
    return start


def load_gold(path: str | Path) -> list[GoldDoc]:
    """Gold documents of a JSON Lines file, entity spans resolved to character offsets."""
    path = Path(path)
    lines = read_user_text(path, "gold file", "pass an existing --gold FILE").splitlines()
    docs = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg}); one document per line") from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise InputError(f'{where}: a gold document needs a "text" string')
        text = item["text"]
        entities = []
        for ent in item.get("entities", []):
            if ent.get("label") not in ENTITY_LABELS:
                raise InputError(f"{where}: unknown entity label {ent.get('label')!r}")
            start = _occurrence(text, ent["text"], int(ent.get("n", 1)), where)
            entities.append(Entity(ent["label"], start, start + len(ent["text"]), ent.get("norm")))
        docs.append(
            GoldDoc(
                id=str(item.get("id", number)),
                text=text,
                published=item.get("published"),
                source=item.get("source"),
                entities=entities,
                province=item.get("article_province"),
                has_province="article_province" in item,
            )
        )
    return docs


def default_gold_files() -> list[Path]:
    """The entity gold files found by `cchc_nlp.research.gold`."""
    return gold_files(GOLD_NAMES)


def predict(nlp, doc: GoldDoc) -> tuple[list[Entity], str | None]:
    """Our entities in the gold text's offsets, and the article province."""
    normalized = normalize(doc.text)
    parsed = nlp.parse(doc.text, published=doc.published, url=doc.source)
    out = []
    for record in parsed._.entities or []:
        start, end = normalized.original_span(record["start"], record["end"])
        out.append(Entity(record["label"], start, end, record.get("norm")))
    province = parsed._.province["name"] if parsed._.province else None
    return out, province


def underthesea_predict(doc: GoldDoc) -> list[Entity]:
    """underthesea.ner spans (PER/LOC/ORG) in gold offsets, mapped with the oracle of the module docstring."""
    from underthesea import ner  # loads underthesea's NER model: only for the baseline (not with --no-baseline)

    normalized = normalize(doc.text)
    text = normalized.text
    spans: list[tuple[str, int, int]] = []
    for s_start, s_end in split_sentences(text):
        sentence = text[s_start:s_end]
        cursor = 0
        current: list = []
        for word, _pos, _chunk, tag in ner(sentence):
            found = sentence.find(word, cursor)
            if found < 0:
                continue
            w_start, w_end = s_start + found, s_start + found + len(word)
            cursor = found + len(word)
            kind = tag[2:] if tag != "O" else None
            if tag.startswith("B-") or (tag.startswith("I-") and (not current or current[0] != kind)):
                if current:
                    spans.append(tuple(current))
                current = [kind, w_start, w_end]
            elif tag.startswith("I-"):
                current[2] = w_end
            else:
                if current:
                    spans.append(tuple(current))
                current = []
        if current:
            spans.append(tuple(current))
    out = []
    for kind, start, end in spans:
        start, end = normalized.original_span(start, end)
        if kind == "PER":
            label = _oracle(doc, start, end, _PER_LABELS)
        elif kind == "LOC":
            label = _oracle(doc, start, end, _LOC_LABELS)
        elif kind == "ORG":
            label = "ORG"
        else:
            continue
        out.append(Entity(label, start, end))
    return out


def _oracle(doc: GoldDoc, start: int, end: int, labels: tuple[str, ...]) -> str:
    for ent in doc.entities:
        if ent.label in labels and ent.start < end and start < ent.end:
            return ent.label
    return labels[0]


def score(gold: list[Entity], pred: list[Entity]) -> dict[str, Counts]:
    """Per-label counts of one document (see the module docstring for the matching)."""
    counts: dict[str, Counts] = {label: Counts() for label in ENTITY_LABELS}
    for label in ENTITY_LABELS:
        g = [e for e in gold if e.label == label]
        p = [e for e in pred if e.label == label]
        c = counts[label]
        c.gold, c.pred = len(g), len(p)
        exact = {(e.start, e.end) for e in p}
        used_exact: set[tuple[int, int]] = set()
        for e in g:
            if (e.start, e.end) in exact and (e.start, e.end) not in used_exact:
                used_exact.add((e.start, e.end))
                c.strict += 1
        pairs = sorted(
            (
                (min(a.end, b.end) - max(a.start, b.start), i, j)
                for i, a in enumerate(g)
                for j, b in enumerate(p)
                if a.start < b.end and b.start < a.end
            ),
            reverse=True,
        )
        used_g: set[int] = set()
        used_p: set[int] = set()
        for _, i, j in pairs:
            if i in used_g or j in used_p:
                continue
            used_g.add(i)
            used_p.add(j)
            c.overlap += 1
            if g[i].norm is not None:
                c.norm_total += 1
                c.norm_ok += int(p[j].norm == g[i].norm)
    return counts


def evaluate_file(path: Path, nlp, baseline: bool = True, errors: bool = False) -> Report:
    report = Report(path.name)
    report.ours = {label: Counts() for label in ENTITY_LABELS}
    report.baseline = {label: Counts() for label in ENTITY_LABELS}
    for doc in load_gold(path):
        report.docs += 1
        started = time.perf_counter()
        pred, province = predict(nlp, doc)
        report.seconds_ours += time.perf_counter() - started
        for label, counts in score(doc.entities, pred).items():
            report.ours[label].add(counts)
        if errors:
            report.errors.extend(_differences(doc, pred))
        if doc.has_province:
            report.province_total += 1
            report.province_ok += int(province == doc.province)
            if errors and province != doc.province:
                report.errors.append(f"{doc.id}: article province {province!r}, gold {doc.province!r}")
        if baseline:
            started = time.perf_counter()
            base = underthesea_predict(doc)
            report.seconds_baseline += time.perf_counter() - started
            for label, counts in score(doc.entities, base).items():
                report.baseline[label].add(counts)
    return report


def _differences(doc: GoldDoc, pred: list[Entity]) -> list[str]:
    out = []
    for e in doc.entities:
        if not any(p.label == e.label and p.start < e.end and e.start < p.end for p in pred):
            out.append(f"{doc.id}: missed {e.label} {doc.text[e.start : e.end]!r}")
        else:
            match = next(p for p in pred if p.label == e.label and p.start < e.end and e.start < p.end)
            if e.norm is not None and match.norm != e.norm:
                out.append(f"{doc.id}: {e.label} {doc.text[e.start : e.end]!r} norm {match.norm!r}, gold {e.norm!r}")
    for p in pred:
        if not any(p.label == e.label and p.start < e.end and e.start < p.end for e in doc.entities):
            out.append(f"{doc.id}: spurious {p.label} {doc.text[p.start : p.end]!r}")
    return out


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:5.3f}"


def format_report(report: Report, baseline: bool = True) -> str:
    header = f"{'type':<10} {'gold':>5} {'pred':>5}  {'P':>5} {'R':>5} {'F1':>5}  {'F1str':>5} {'norm':>5}"
    if baseline:
        header += "   | uts P  uts R  uts F1 uts F1str   ΔF1"
    lines = [f"== {report.name}: {report.docs} documents", header]
    total, base_total = Counts(), Counts()
    for label in ENTITY_LABELS:
        c = report.ours[label]
        if not c.gold and not c.pred:
            continue
        total.add(c)
        p, r, f = c.prf()
        line = (
            f"{label:<10} {c.gold:>5} {c.pred:>5}  {p:5.3f} {r:5.3f} {f:5.3f}  {c.prf(True)[2]:5.3f} "
            f"{_fmt(c.norm_accuracy())}"
        )
        if baseline:
            b = report.baseline[label]
            base_total.add(b)
            bp, br, bf = b.prf()
            line += f"   | {bp:5.3f}  {br:5.3f}  {bf:5.3f}  {b.prf(True)[2]:5.3f}    {f - bf:+5.3f}"
        lines.append(line)
    p, r, f = total.prf()
    line = (
        f"{'ALL':<10} {total.gold:>5} {total.pred:>5}  {p:5.3f} {r:5.3f} {f:5.3f}  {total.prf(True)[2]:5.3f} "
        f"{_fmt(total.norm_accuracy())}"
    )
    if baseline:
        bp, br, bf = base_total.prf()
        line += f"   | {bp:5.3f}  {br:5.3f}  {bf:5.3f}  {base_total.prf(True)[2]:5.3f}    {f - bf:+5.3f}"
    lines.append(line)
    if report.province_total:
        lines.append(
            f"article province: {report.province_ok}/{report.province_total} "
            f"({report.province_ok / report.province_total:.3f})"
        )
    timing = f"time: cchc_nlp {report.seconds_ours:.2f} s"
    if baseline:
        timing += f", underthesea ner {report.seconds_baseline:.2f} s"
    lines.append(timing)
    return "\n".join(lines)


def report_json(report: Report) -> dict[str, Any]:
    def block(counts: dict[str, Counts]) -> dict[str, Any]:
        out = {}
        for label, c in counts.items():
            if not c.gold and not c.pred:
                continue
            p, r, f = c.prf()
            out[label] = {
                "gold": c.gold,
                "pred": c.pred,
                "precision": p,
                "recall": r,
                "f1": f,
                "f1_strict": c.prf(True)[2],
                "norm_accuracy": c.norm_accuracy(),
            }
        return out

    return {
        "file": report.name,
        "documents": report.docs,
        "cchc_nlp": block(report.ours),
        "underthesea": block(report.baseline) if report.seconds_baseline else None,
        "article_province_accuracy": report.province_ok / report.province_total if report.province_total else None,
    }
