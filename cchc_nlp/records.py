"""The records later stages attach to a Doc: entity and metric dicts.

Records are plain JSON-able dicts (str, int, float, bool, None, lists, dicts) so they
survive `nlp.pipe(n_process=...)`, Parquet, CSV and JSON alike.

Entity record::

    {"label": "OFFICIAL", "text": "Lê Quang Trung", "start": 10, "end": 24,
     "norm": "Lê Quang Trung", "attrs": {"titles": [...], ...}}

Metric record: the keys of METRIC_COLUMNS (doc_id is filled by the dataset stage).
`scope` is one of SCOPES (or None while no stage has decided it); the metric rules may set
it for the rows they build from ranked lists and national figures, and
`cchc_nlp.metrics.scope` fills every row still without one (it never overrides a set
scope). `province_code`, `province_2025` and `province_2025_code` follow `province` (the
code at publication, the post-merger successor and its code).

doc._.province, the province an article is about, is a dict with a "name" (the
cchc_article_province component) or a plain name; `province_name_of` reads either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only annotations: this module must not load spaCy (the dataset tables use it)
    from spacy.tokens import Doc

__all__ = [
    "ENTITY_LABELS",
    "METRIC_COLUMNS",
    "SCOPES",
    "add_entities",
    "add_entity",
    "entities",
    "metrics",
    "province_name_of",
]

ENTITY_LABELS = (
    "OFFICIAL",
    "PERSON",
    "AUTHOR",
    "PROVINCE",
    "DISTRICT",
    "COMMUNE",
    "ORG",
    "DATE",
    "PERIOD",
    "LEGAL_DOC",
)

METRIC_COLUMNS = (
    "doc_id",
    "metric",
    "value",
    "unit",
    "denominator",
    "share",
    "qualifier",
    "is_target",
    "period_start",
    "period_end",
    "period_label",
    "scope",
    "scope_level",
    "subject",
    "province",
    "province_code",
    "province_2025",
    "province_2025_code",
    "start",
    "end",
    "sentence",
    "antecedent",
    "confidence",
    "warnings",
)


# Who a metric row is about (tests/gold/README.md, "Round 2"): the whole province, an aggregate
# over one administrative level, one agency, one unit (district, commune), one entry of a list
# ranking or comparing several units, or the whole country.
SCOPES = ("province", "level", "agency", "unit", "ranking", "national")


def add_entities(doc: Doc, items: Iterable[dict[str, Any]], text: str | None = None) -> list[dict[str, Any]]:
    """Append entity records in one batch and return them.

    Each item has label, start, end and optionally norm and attrs (a dict). `text` is
    doc.text when the caller has it already (spaCy rebuilds doc.text on each access).
    """
    text = doc.text if text is None else text
    if doc._.entities is None:
        doc._.entities = []
    added = []
    for item in items:
        label, start, end = item["label"], item["start"], item["end"]
        if label not in ENTITY_LABELS:
            raise ValueError(f"unknown entity label {label!r}; expected one of {', '.join(ENTITY_LABELS)}")
        added.append(
            {
                "label": label,
                "text": text[start:end],
                "start": start,
                "end": end,
                "norm": item.get("norm"),
                "attrs": {key: value for key, value in (item.get("attrs") or {}).items() if value is not None},
            }
        )
    doc._.entities.extend(added)
    return added


def add_entity(doc: Doc, label: str, start: int, end: int, norm: str | None = None, **attrs: Any) -> dict[str, Any]:
    """Append one entity record for doc.text[start:end] and return it."""
    return add_entities(doc, [{"label": label, "start": start, "end": end, "norm": norm, "attrs": attrs}])[0]


def entities(doc: Doc, label: str | None = None) -> list[dict[str, Any]]:
    """The entity records of a Doc, in text order, optionally of one label."""
    found = sorted(doc._.entities or [], key=lambda r: (r["start"], -r["end"]))
    return [r for r in found if label is None or r["label"] == label]


def metrics(doc: Doc) -> list[dict[str, Any]]:
    """The metric records of a Doc, in text order."""
    return sorted(doc._.metrics or [], key=lambda r: (r["start"], r["end"]))


def province_name_of(value: Any) -> str | None:
    """The province name of a doc._.province value: a dict's "name" (else "norm",
    "province", "text"), a plain name, or None.

    >>> province_name_of({"name": "Sóc Trăng", "code": "94"}), province_name_of("Huế"), province_name_of(None)
    ('Sóc Trăng', 'Huế', None)
    """
    if isinstance(value, Mapping):
        for key in ("name", "norm", "province", "text"):
            if value.get(key):
                return str(value[key])
        return None
    return str(value) if value else None
