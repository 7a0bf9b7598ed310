"""Metric extraction: every figure a CCHC article reports, as a typed, traceable record.

    >>> rows = extract_metrics("Năm 2016, tỉnh đã đơn giản hóa 1132/1937 thủ tục (đạt 57,41%).")
    >>> r = rows[0]
    >>> r["metric"], r["value"], r["denominator"], r["share"], r["period_start"]
    ('tthc.simplified', 1132, 1937, 57.41, '2016-01-01')
    >>> r["warnings"]
    ['share_mismatch: 1132/1937 = 58.44%, stated 57.41%']

Records have the keys of `cchc_nlp.records.METRIC_COLUMNS`; offsets refer to the
normalized text (`cchc_nlp.text.normalize`). The rules are table-driven (see
cchc_nlp/metrics/lexicon.py and the metric_* files of cchc_nlp/data/); figures they
cannot label stay available through `unlabelled_mentions`, and an optional classifier
hook (`classifier=`) labels those. `extract_metrics` runs the rules alone unless given a
classifier; the pipeline component uses the shipped model when its card enables it.

The spaCy component "cchc_metrics" fills doc._.metrics; it uses the DATE/PERIOD and
place/agency records that the tagging components put in doc._.entities when present.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from cchc_nlp.errors import InputError
from cchc_nlp.metrics.checks import check_records
from cchc_nlp.metrics.context import Period, assign_holder, assign_period, find_holders, target_spans, time_periods
from cchc_nlp.metrics.extract import analyze_text
from cchc_nlp.metrics.indices import index_year
from cchc_nlp.metrics.lexicon import remember_words
from cchc_nlp.metrics.mentions import Classifier, Mention, MentionContext
from cchc_nlp.metrics.model import default_classifier, enabled_by_default
from cchc_nlp.metrics.rankings import shared_figures, units_in
from cchc_nlp.metrics.scope import assign_scopes
from cchc_nlp.records import METRIC_COLUMNS, province_name_of
from cchc_nlp.tag.timex import find_times
from cchc_nlp.text.normalize import normalize_text
from cchc_nlp.timeutil import iso_date

TEXT_CACHE_KEY = "cchc_text"  # doc.user_data key of the text cached by the tagging components

__all__ = [
    "extract_metrics",
    "unlabelled_mentions",
    "number_mentions",
    "MetricExtractor",
    "MentionContext",
    "METRIC_COLUMNS",
]


def _inputs(text_or_doc: Any, published: str | None) -> tuple[str, str | None, list[dict[str, Any]] | None, Any]:
    """(normalized text, published, entity records or None, province) of a str or Doc."""
    if isinstance(text_or_doc, Doc):
        doc = text_or_doc
        published = published or doc._.published
        # the taggers' cached doc.text when still there (spaCy rebuilds it on each access)
        text = doc.user_data.get(TEXT_CACHE_KEY) or doc.text
        return text, published, list(doc._.entities or []) or None, doc._.province
    if isinstance(text_or_doc, (str, bytes)):
        return normalize_text(text_or_doc), published, None, None
    raise InputError(f"extract_metrics needs a str or a spaCy Doc, got {type(text_or_doc).__name__}")


def _run(
    text_or_doc: Any, published: Any, classifier: Classifier | None, all_mentions: bool = False
) -> tuple[str, list[Mention], list[dict[str, Any]]]:
    text, published, entities, province = _inputs(text_or_doc, None if published is None else published)
    published = iso_date(published)
    remember_words(text)  # every phrase scan below slices the words of this one tokenization
    try:
        return _run_text(text, published, entities, province, classifier, all_mentions)
    finally:
        remember_words(None)


def _run_text(
    text: str,
    published: str | None,
    entities: list[dict[str, Any]] | None,
    province: Any,
    classifier: Classifier | None,
    all_mentions: bool,
) -> tuple[str, list[Mention], list[dict[str, Any]]]:
    time_records = [r for r in entities or () if r.get("label") in ("DATE", "PERIOD")]
    if not time_records:
        time_records = find_times(text, published)
    periods = time_periods(text, published, time_records)
    # numbers inside dates, periods and document numbers are never figures
    excluded = [(r["start"], r["end"]) for r in time_records]
    excluded += [(r["start"], r["end"]) for r in entities or () if r.get("label") == "LEGAL_DOC"]
    analysis = analyze_text(text, excluded, classifier, all_mentions)
    targets = target_spans(
        text, analysis.sentences, {m.sentence.index for m in analysis.mentions if m.status == "metric"}, analysis.tokens
    )
    rated = {m.sentence.index for m in analysis.mentions if m.status == "metric" and m.unit == "percent"}
    requests = target_spans(text, analysis.sentences, rated, analysis.tokens, kind="request") if rated else []
    place_records = [r for r in entities or () if r.get("label") in ("ORG", "DISTRICT", "COMMUNE")]
    reserved = [
        (c.start, c.end)
        for matches in analysis.cue_matches.values()
        for c in matches
        if any(cue.metric.startswith("index.") for cue in c.cues)
    ]
    holders_by_sentence: dict[int, list] = {}
    province_name = province_name_of(province)
    mentions = _with_units(text, analysis, entities, published)
    rows: list[dict[str, Any]] = []
    paragraphs: list[int] = []
    for mention in mentions:
        if mention.status != "metric" or mention.metric is None:
            continue
        period = assign_period(text, mention, periods, analysis.sentences)
        year = index_year(text, mention)
        if year is not None and (period is None or period.period_start is None or period.period_start[:4] != str(year)):
            period = Period(mention.start, mention.end, str(year), f"{year}-01-01", f"{year}-12-31", "PERIOD", "year")
        sent = mention.sentence
        if sent.index not in holders_by_sentence:
            holders_by_sentence[sent.index] = find_holders(
                text, sent.start, sent.end, place_records, reserved, sent.tokens
            )
        subject, scope = assign_holder(text, mention, holders_by_sentence[sent.index])
        if mention.subject is not None:
            subject = mention.subject
        number = mention.number
        unit = mention.unit
        if mention.metric.endswith(".score") and unit == "count":
            unit = "score"
        if mention.metric.endswith(".rank"):
            unit = "rank"
        share = float(number.value) if unit == "percent" else mention.share
        sentence = analysis.sentences[mention.sentence.index]
        row = {
            "doc_id": None,
            "metric": mention.metric,
            "value": number.value,
            "unit": unit,
            "denominator": number.denominator,
            "share": share,
            "qualifier": number.qualifier,
            "is_target": mention.target
            or any(a <= mention.start < b for a, b in targets)
            or (unit == "percent" and any(a <= mention.start < b for a, b in requests)),
            "period_start": period.period_start if period else None,
            "period_end": period.period_end if period else None,
            "period_label": period.text if period else None,
            "scope": mention.scope,
            "scope_level": scope,
            "subject": subject,
            "province": None if mention.scope == "national" else mention.province or province_name,
            "province_code": None,
            "province_2025": None,
            "province_2025_code": None,
            "start": number.start,
            "end": number.end,
            "sentence": text[sentence.start : sentence.end],
            "antecedent": mention.antecedent,
            "confidence": round(mention.confidence, 4),
            "warnings": [],
        }
        _period_sanity(row, published)
        rows.append(row)
        paragraphs.append(mention.sentence.paragraph)
    check_records(rows, paragraphs)
    assign_scopes(text, rows, analysis.sentences, entities, published)
    return text, analysis.mentions, rows


def _period_sanity(row: dict[str, Any], published: str | None) -> None:
    """An achieved figure's period never ends after the publication date: "Năm 2023" in an
    article of 20/12/2023 is 2023-01-01..2023-12-20, "giai đoạn 2011 - 2020 … đã đơn giản hóa"
    in 2016 is 2011-01-01..2016-08-17 (the span is the programme's, not the figure's); a
    period that starts after publication is no period of an achievement. Either way a
    warning says so. Targets keep their target period."""
    end, start = row["period_end"], row["period_start"]
    if row["is_target"] or not published or not end or end <= published:
        return
    label = row["period_label"]
    if start is not None and start > published:
        row["period_start"] = row["period_end"] = None
        row["warnings"].append(f"period_after_publication: {label!r} starts after {published}; period left out")
    else:
        row["period_end"] = published
        row["warnings"].append(f"period_clipped: {label!r} ends {end}, after publication; clipped to {published}")


def _with_units(
    text: str, analysis: Any, entities: list[dict[str, Any]] | None, published: str | None
) -> list[Mention]:
    """The mentions, with a copy of each figure that units named together share
    (`cchc_nlp.metrics.rankings`) right before it."""
    by_sentence: dict[int, list[Mention]] = {}
    for mention in analysis.mentions:
        if mention.status == "metric":
            by_sentence.setdefault(mention.sentence.index, []).append(mention)
    extra: dict[int, list[Mention]] = {}
    for sentence_mentions in by_sentence.values():
        sentence = sentence_mentions[0].sentence
        if not _NAMED_TOGETHER.search(text, sentence.start, sentence.end):
            continue  # the quick check: "… và <name> cùng/có/đạt …"
        units = units_in(text, sentence, entities, published)
        for copy in shared_figures(text, sentence, sentence_mentions, units):
            original = next(m for m in sentence_mentions if m.number is copy.number)
            extra.setdefault(id(original), []).append(copy)
    if not extra:
        return analysis.mentions
    out: list[Mention] = []
    for mention in analysis.mentions:
        out.extend(extra.get(id(mention), []))
        out.append(mention)
    return out


# (?<!\w)và\s+…, its first letter read by a class (a fast scan) and the word start checked after it
_NAMED_TOGETHER = re.compile(r"(?i)(?-i:[Vv])(?<!\w[\s\S])(?<=v)à\s+(?:\S+\s+){1,6}?(?:cùng|đều|có|đạt|xếp|đứng)(?!\w)")


def extract_metrics(
    text_or_doc: str | Doc,
    published: str | None = None,
    classifier: Classifier | None = None,
) -> list[dict[str, Any]]:
    """The metric records of one article (a str or a Doc), in text order.

    published: ISO date anchoring relative periods ("tháng 10 vừa qua"); for a Doc,
    doc._.published is used when not given. A str is normalized first, and offsets
    refer to the normalized text. classifier: optional hook called for the mentions
    the rules leave unlabelled or label with low confidence, with a `MentionContext`
    (the clause, a str, with .text/.start/.end); it returns (metric, probability) or None.
    """
    return _run(text_or_doc, published, classifier)[2]


def _mention_dict(text: str, mention: Mention) -> dict[str, Any]:
    number = mention.number
    return {
        "start": number.start,
        "end": number.end,
        "raw": number.raw,
        "value": number.value,
        "unit": mention.unit,
        "denominator": number.denominator,
        "qualifier": number.qualifier,
        "family": mention.family,
        "status": mention.status,
        "reason": mention.reason,
        "metric": mention.metric,
        "confidence": round(mention.confidence, 4),
        "clause": text[mention.clause[0] : mention.clause[1]].strip(),
        "segment": text[mention.segment[0] : mention.segment[1]].strip(),
        "sentence": text[mention.sentence.start : mention.sentence.end],
    }


def number_mentions(text_or_doc: str | Doc, published: str | None = None) -> list[dict[str, Any]]:
    """Every number mention with what the rules made of it: status "metric" (a row),
    "share" (the stated percent of the row before it), "change" ("tăng 3 bậc") or
    "unlabelled", the reason, and the clause/segment/sentence text around it."""
    text, mentions, _ = _run(text_or_doc, published, None, all_mentions=True)
    return [_mention_dict(text, m) for m in mentions]


def unlabelled_mentions(text_or_doc: str | Doc, published: str | None = None) -> list[dict[str, Any]]:
    """The number mentions the rules could not assign a metric to (see number_mentions)."""
    return [m for m in number_mentions(text_or_doc, published) if m["status"] == "unlabelled"]


class MetricExtractor:
    """spaCy component: fills doc._.metrics with metric records.

    The shipped classifier (cchc_nlp.metrics.model) labels the mentions the rules leave
    unlabelled. Config use_classifier: true or false forces it on or off; null (the
    default) follows the model card, which enables it only when it raised held-out
    recall without costing more than 0.02 precision.
    """

    def __init__(self, nlp: Language, name: str, use_classifier: bool | None = None):
        self.name = name
        self.classifier: Classifier | None = None
        if use_classifier is None:
            use_classifier = enabled_by_default()
        if use_classifier:
            self.classifier = default_classifier()

    def __call__(self, doc: Doc) -> Doc:
        doc._.metrics = extract_metrics(doc, classifier=self.classifier)
        doc.user_data.pop(TEXT_CACHE_KEY, None)  # the last reader of the cached text
        return doc


@Language.factory("cchc_metrics", default_config={"use_classifier": None})
def make_metric_extractor(nlp: Language, name: str, use_classifier: bool | None) -> MetricExtractor:
    return MetricExtractor(nlp, name, use_classifier)
