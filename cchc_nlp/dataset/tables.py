"""The four output tables: their Arrow schemas, rows from an Article and its Doc, and I/O.

Every table has a fixed schema (`SCHEMAS`), the same in Parquet, CSV and JSON Lines:
in CSV a list column is written as a JSON array string, dates as ISO "YYYY-MM-DD", and a
string cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a ``'``
in front (`cchc_nlp.dataset.cells`); `read_table` turns them all back into the schema's
types and exact values. `DATA_DICTIONARY` documents every
column; `data_dictionary_markdown()` renders it for the README.

Rows carry three internal columns while they live in part files (`_input`, `_key`,
`_item`: which input file, which version of it, which document in it); they are dropped
when the tables are consolidated (`public_table`).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from cchc_nlp.dataset.cells import neutralize_formulas, restore_formulas
from cchc_nlp.dataset.columns import table_from_rows
from cchc_nlp.dataset.dedup import signature_bytes
from cchc_nlp.records import METRIC_COLUMNS, province_name_of
from cchc_nlp.tag.gazetteer import province_columns
from cchc_nlp.timeutil import iso_datetime, to_date

__all__ = [
    "TABLES",
    "FORMATS",
    "SCHEMAS",
    "DATA_DICTIONARY",
    "ENTITY_ATTR_COLUMNS",
    "INTERNAL_COLUMNS",
    "article_row",
    "entity_rows",
    "metric_rows",
    "error_row",
    "to_table",
    "public_table",
    "write_table",
    "TableWriter",
    "read_table",
    "table_file",
    "data_dictionary_markdown",
]

TABLES = ("articles", "entities", "metrics", "errors")
FORMATS = ("parquet", "csv", "jsonl")

STRING = pa.string()
LIST_OF_STRINGS = pa.list_(pa.string())

# name -> (type, description); the order is the column order of the table.
DATA_DICTIONARY: dict[str, dict[str, tuple[pa.DataType, str]]] = {
    "articles": {
        "doc_id": (
            STRING,
            "stable id: hash of the source (URL, else the file name under its input folder) and the text",
        ),
        "path": (
            STRING,
            'where the document came from: a file, "file.jsonl:12" (line 12), "crawl.warc.gz@10234" (record at byte '
            'offset 10234), "big.warc.gz@0+2881" (byte 2881 of the gzip stream that starts at byte 0: a .warc.gz '
            "compressed as one stream)",
        ),
        "url": (STRING, "URL of the article, when known"),
        "canonical_url": (STRING, "the page's canonical URL, when it declares one"),
        "source": (
            STRING,
            'publisher as the page or input names it ("Báo Sóc Trăng", "vinhlong.gov.vn"), else the URL\'s host name',
        ),
        "title": (STRING, "headline"),
        "published": (
            STRING,
            'publication time, ISO 8601 in Vietnam time ("2018-07-04T21:47:04+07:00", or a date "2018-07-04" when '
            "only the day is known); null when unknown",
        ),
        "published_date": (pa.date32(), "calendar date of `published`"),
        "published_precision": (
            STRING,
            "time when `published` states the time of day, day when it states only the date; null when unknown",
        ),
        "published_source": (
            STRING,
            "where `published` came from: meta, json-ld, profile, text (page extractor: the dateline nearest the "
            "headline, or the head of a text), input (JSON Lines record) or guessed (a date found elsewhere in the "
            'markup); when `published` is null, "none: ..." says why a date seen was not taken (only an image path '
            "had one)",
        ),
        "province": (
            STRING,
            "province the article is about: the input record's, else the publishing site's (page extractor), else "
            "the one the text is about (entity tagger)",
        ),
        "province_source": (STRING, "input, page or text: which of the three gave `province`"),
        "province_code": (STRING, 'code of `province` as valid at publication ("94" Sóc Trăng before 2025)'),
        "province_2025": (
            STRING,
            "the province `province` belongs to after the 1 July 2025 merger (63 -> 34; Sóc Trăng -> Cần Thơ)",
        ),
        "province_2025_code": (STRING, "code of `province_2025` (Quyết định 19/2025/QĐ-TTg)"),
        "text_province": (
            STRING,
            "province found in the article text by the entity tagger (may differ from `province`)",
        ),
        "author": (STRING, "byline"),
        "captions": (
            LIST_OF_STRINGS,
            "photo captions of the page, normalized, set apart from `text`; the entities named in them have "
            "section caption",
        ),
        "extractor": (
            STRING,
            "how the text was extracted (page extractor's name and version; jsonl for JSON Lines records that do not "
            "say)",
        ),
        "n_chars": (pa.int64(), "length of `text`"),
        "n_entities": (pa.int64(), "number of rows of this article in the entities table"),
        "n_metrics": (pa.int64(), "number of rows of this article in the metrics table"),
        "dup_group": (
            STRING,
            "near-duplicate group: articles whose texts are near-identical (syndicated copies under other URLs) share "
            "it; the doc_id of the group's first article",
        ),
        "text": (STRING, "normalized article text; every start/end offset in the other tables refers to it"),
    },
    "entities": {
        "doc_id": (STRING, "article (articles.doc_id)"),
        "label": (STRING, "OFFICIAL, PERSON, AUTHOR, PROVINCE, DISTRICT, COMMUNE, ORG, DATE, PERIOD or LEGAL_DOC"),
        "text": (STRING, "the mention, exactly text[start:end] of the article (of its captions for section caption)"),
        "start": (
            pa.int64(),
            "character offset of the mention in articles.text (section caption: in the article's captions joined by "
            "line breaks)",
        ),
        "end": (pa.int64(), "end offset (exclusive)"),
        "section": (
            STRING,
            "body (the article text) or caption (a photo caption: officials and places named only under a photo)",
        ),
        "norm": (
            STRING,
            'normalized value: full name, canonical place name, "YYYY-MM-DD" date, "YYYY-MM-DD..YYYY-MM-DD" period, '
            "document number",
        ),
        "name": (STRING, "OFFICIAL/PERSON: the person's name; PROVINCE: the canonical province name"),
        "titles": (LIST_OF_STRINGS, 'OFFICIAL: the titles as written ("Phó Chủ tịch UBND tỉnh")'),
        "honorific": (STRING, 'OFFICIAL/PERSON: "ông", "bà", "đồng chí"...'),
        "orgs": (LIST_OF_STRINGS, 'OFFICIAL: the agencies of the titles, with their place ("UBND tỉnh Vĩnh Long")'),
        "rank": (STRING, 'OFFICIAL: police or military rank ("Thượng tá")'),
        "person_id": (
            STRING,
            "OFFICIAL/PERSON: the same id for the mentions of one person within the article (p1, p2...)",
        ),
        "province": (STRING, "canonical province of a place, agency or official"),
        "province_code": (STRING, "code of that province as valid at publication (PROVINCE: its own code)"),
        "province_2025": (
            STRING,
            "the province that province (PROVINCE: the province named) belongs to after the 1 July 2025 merger",
        ),
        "province_2025_code": (STRING, "code of `province_2025`"),
        "district": (STRING, "canonical district of a place or agency"),
        "commune": (STRING, "canonical commune of an agency"),
        "unit": (STRING, 'PROVINCE/DISTRICT/COMMUNE: the unit word written ("tỉnh", "huyện", "xã", "thành phố"...)'),
        "successor": (STRING, "PROVINCE: the province it belongs to after the 2025 merger"),
        "historical": (pa.bool_(), "PROVINCE: a province that no longer exists at publication time"),
        "kind": (
            STRING,
            'ORG: kind of agency ("people_committee"...); DATE/PERIOD: kind of period ("day", "half_year"...)',
        ),
        "level": (STRING, "ORG: administrative level (tỉnh, huyện, xã)"),
        "period_start": (pa.date32(), "DATE/PERIOD: first day"),
        "period_end": (pa.date32(), "DATE/PERIOD: last day"),
        "doc_type": (STRING, 'LEGAL_DOC: "Quyết định", "Kế hoạch", "Nghị quyết"...'),
        "doc_number": (STRING, 'LEGAL_DOC: the number ("09/2015/QĐ-TTg")'),
        "issuer": (STRING, 'LEGAL_DOC: issuing body ("UBND", "TTg")'),
        "doc_date": (pa.date32(), "LEGAL_DOC: date of issue"),
        "attrs_json": (STRING, "any other attribute of the record, as a JSON object (null when none)"),
    },
    "metrics": {
        "doc_id": (STRING, "article (articles.doc_id)"),
        "metric": (STRING, 'metric key, e.g. "dossier.received", "index.par.rank"'),
        "value": (pa.float64(), "the figure as written (1.937 -> 1937; 57,41% -> 57.41)"),
        "unit": (STRING, "count, percent, score or rank"),
        "denominator": (pa.float64(), 'the "b" of "a/b" (1132/1937 thủ tục; 42/63; 70,61/100 điểm)'),
        "share": (pa.float64(), "the percent stated with the figure (never recomputed)"),
        "qualifier": (STRING, "exact, approx, lower_bound or upper_bound"),
        "is_target": (pa.bool_(), "true for goals (phấn đấu, mục tiêu), false for achievements"),
        "period_start": (pa.date32(), "first day of the period the figure covers"),
        "period_end": (pa.date32(), "last day of the period the figure covers"),
        "period_label": (STRING, 'the period as written ("6 tháng đầu năm 2018")'),
        "scope": (
            STRING,
            "who the figure is about: province (the whole province), level (all districts or all communes), agency "
            "(one department), unit (one district, commune), ranking (one entry of a list of units), national",
        ),
        "scope_level": (STRING, "tỉnh, huyện or xã (administrative level the figure is about)"),
        "subject": (
            STRING,
            'the agency or unit the figure is about, as written ("Công an tỉnh", "huyện Kế Sách", "Cần Thơ")',
        ),
        "province": (
            STRING,
            "province the figure is about: the article's, the listed province for a ranking entry, null for national "
            "figures",
        ),
        "province_code": (STRING, "code of `province` as valid at publication"),
        "province_2025": (STRING, "the province `province` belongs to after the 1 July 2025 merger"),
        "province_2025_code": (STRING, "code of `province_2025`"),
        "start": (pa.int64(), "character offset of the figure in articles.text"),
        "end": (pa.int64(), "end offset (exclusive)"),
        "sentence": (STRING, "the sentence the figure was read from"),
        "antecedent": (
            STRING,
            'the index name, in an earlier sentence, the figure refers to ("Chỉ số SIPAS" before "Tỉnh xếp '
            'thứ 9/63"); null when the sentence names its metric itself',
        ),
        "confidence": (pa.float64(), "extractor's confidence, 0-1"),
        "warnings": (LIST_OF_STRINGS, "notes on doubtful figures (e.g. a stated share that does not match a/b)"),
    },
    "errors": {
        "path": (STRING, "the document or file that failed (same form as articles.path)"),
        "input": (STRING, "the input file"),
        "stage": (
            STRING,
            "input (a path that cannot be looked at: unreadable folder or file, dangling or looping link, file gone "
            "during the run), read (file, archive), decode (not UTF-8), record (JSON Lines), page (no article "
            "found), nlp (pipeline)",
        ),
        "error": (STRING, "exception type, or the kind of input problem (DanglingSymlink, SymlinkLoop, NotAWarc...)"),
        "message": (STRING, "what went wrong"),
        "doc_id": (STRING, "the article's id when it was known (nlp stage)"),
    },
}

# Entity attrs with a column of their own; the rest goes to attrs_json.
_ENTITY_COLUMNS = list(DATA_DICTIONARY["entities"])
ENTITY_ATTR_COLUMNS = tuple(_ENTITY_COLUMNS[_ENTITY_COLUMNS.index("name") : -1])
# (label or "*", attr key) -> column, where the taggers' attr names differ from the columns'.
ENTITY_ATTR_ALIASES = {
    ("DATE", "start"): "period_start",
    ("DATE", "end"): "period_end",
    ("PERIOD", "start"): "period_start",
    ("PERIOD", "end"): "period_end",
    ("LEGAL_DOC", "number"): "doc_number",
    ("LEGAL_DOC", "date"): "doc_date",
    ("PROVINCE", "code"): "province_code",
    ("*", "org"): "orgs",
}

INTERNAL_COLUMNS: dict[str, pa.DataType] = {"_input": STRING, "_key": STRING, "_item": pa.int64()}

SCHEMAS: dict[str, pa.Schema] = {
    table: pa.schema([pa.field(name, dtype) for name, (dtype, _) in columns.items()])
    for table, columns in DATA_DICTIONARY.items()
}
# Internal columns of one table only: the MinHash signature of an article's text, computed
# with its other rows in the worker, grouped into dup_group when the tables are consolidated.
TABLE_INTERNAL_COLUMNS: dict[str, dict[str, pa.DataType]] = {"articles": {"_minhash": pa.binary()}}

PART_SCHEMAS: dict[str, pa.Schema] = {
    table: pa.schema(
        list(schema)
        + [
            pa.field(name, dtype)
            for name, dtype in {**INTERNAL_COLUMNS, **TABLE_INTERNAL_COLUMNS.get(table, {})}.items()
        ]
    )
    for table, schema in SCHEMAS.items()
}

assert tuple(DATA_DICTIONARY["metrics"]) == METRIC_COLUMNS, "metrics table must follow records.METRIC_COLUMNS"


# --- values -------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    number = float(value)
    return None if math.isnan(number) else number


def _integer(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or int(value) != value:
        raise ValueError(f"{value!r} is not an integer")
    return int(value)


def _string(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"{value!r} is not a string")


def _strings(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return list(value)
    raise ValueError("not a list of strings")


def _boolean(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"{value!r} is not true/false")


_CONVERTERS = {
    pa.string(): _string,
    pa.date32(): to_date,
    pa.float64(): _number,
    pa.int64(): _integer,
    pa.bool_(): _boolean,
    LIST_OF_STRINGS: _strings,
}


def _convert(dtype: pa.DataType, value: Any) -> Any:
    return _CONVERTERS[dtype](value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


# --- rows ---------------------------------------------------------------------------


def published_precision(published: str | None) -> str | None:
    """ "time" for an ISO datetime, "day" for a date, None when unknown.

    >>> published_precision("2018-07-04T21:47:04+07:00"), published_precision("2018-07-04")
    ('time', 'day')
    """
    if not published:
        return None
    return "time" if "T" in published else "day"


def article_row(
    article: Any,
    doc: Any,
    n_entities: int,
    n_metrics: int,
    from_input: bool = False,
    captions: Iterable[str] = (),
) -> dict[str, Any]:
    """The articles-table row of an Article (cchc_nlp.article) and its processed Doc;
    `from_input`: the Article came from a JSON Lines record, not a page; `captions`: the
    normalized captions (the lines of the captions' Doc)."""
    published = iso_datetime(article.published)
    text_province = province_name_of(doc._.province)
    if article.province:
        province, province_source = article.province, "input" if from_input else "page"
    elif text_province:
        province, province_source = text_province, "text"
    else:
        province, province_source = None, None
    url = article.url or article.canonical_url
    text = doc.text  # built from the tokens on each access: once
    return {
        "doc_id": article.doc_id,
        "path": article.path,
        "url": url,
        "canonical_url": article.canonical_url,
        "source": article.source or (urlsplit(url).hostname if url else None),
        "title": article.title,
        "published": published,
        "published_date": to_date(published),
        "published_precision": published_precision(published),
        "published_source": article.published_source
        if published or (article.published_source or "").startswith("none:")
        else None,
        "province": province,
        "province_source": province_source,
        **province_columns(province, published),
        "text_province": text_province,
        "author": article.author,
        "captions": list(captions),
        "extractor": article.extractor,
        "n_chars": len(text),
        "n_entities": n_entities,
        "n_metrics": n_metrics,
        "dup_group": None,  # set when the tables are consolidated, from _minhash (cchc_nlp.dataset.dedup)
        "text": text,
        "_minhash": signature_bytes(text),
    }


def entity_rows(
    doc_id: str, records: Iterable[Mapping[str, Any]], section: str = "body", published: object = None
) -> list[dict[str, Any]]:
    """Entity records (cchc_nlp.records) flattened into entities-table rows of `section`
    (body, or caption for the entities of an article's photo captions).

    Known attrs go to their typed column; attrs that are unknown, or whose value does not
    fit the column's type, go to attrs_json. A row with a province (a PROVINCE: the one it
    names) gets the province's code as valid at `published` when the tagger gave none, and
    its 2025 successor with that code.

    >>> rows = entity_rows("d1", [{"label": "OFFICIAL", "text": "Lê Văn A", "start": 4, "end": 12,
    ...     "norm": "Lê Văn A", "attrs": {"titles": ["Giám đốc Sở Nội vụ"], "rank": 2}}])
    >>> rows[0]["titles"], rows[0]["attrs_json"]
    (['Giám đốc Sở Nội vụ'], '{"rank": 2}')
    """
    columns = DATA_DICTIONARY["entities"]
    rows = []
    for record in records:
        row: dict[str, Any] = {
            "doc_id": doc_id,
            "label": record["label"],
            "text": record["text"],
            "start": int(record["start"]),
            "end": int(record["end"]),
            "section": section,
            "norm": None if record.get("norm") is None else str(record["norm"]),
        }
        extra: dict[str, Any] = {}
        label = record["label"]
        for key, value in (record.get("attrs") or {}).items():
            column = ENTITY_ATTR_ALIASES.get((label, key)) or ENTITY_ATTR_ALIASES.get(("*", key)) or key
            if column in ENTITY_ATTR_COLUMNS and row.get(column) is None:
                try:
                    row[column] = _convert(columns[column][0], value)
                    continue
                except (TypeError, ValueError):
                    pass
            extra[key] = value
        for key in ENTITY_ATTR_COLUMNS:
            row.setdefault(key, None)
        named = row["province"] or (row["name"] if label == "PROVINCE" else None)
        if named and (row["province_code"] is None or row["province_2025"] is None):
            for column, value in province_columns(named, published).items():
                row[column] = row[column] if row[column] is not None else value
        row["attrs_json"] = _json(extra) if extra else None
        rows.append(row)
    return rows


def metric_rows(doc_id: str, records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Metric records (keys of records.METRIC_COLUMNS) as metrics-table rows.

    A value that does not fit its column's type is dropped and noted in `warnings`.
    """
    columns = DATA_DICTIONARY["metrics"]
    rows = []
    for record in records:
        row: dict[str, Any] = {"doc_id": doc_id}
        notes: list[str] = []
        for name in METRIC_COLUMNS[1:]:
            if name == "warnings":
                continue
            try:
                row[name] = _convert(columns[name][0], record.get(name))
            except (TypeError, ValueError):
                row[name] = None
                notes.append(f"dataset: {name} {record.get(name)!r} is not a {columns[name][0]}; dropped")
        warnings = record.get("warnings") or []
        if isinstance(warnings, str):
            warnings = [warnings]
        row["warnings"] = [str(w) for w in warnings] + notes
        rows.append(row)
    return rows


def error_row(
    path: str, input_path: str, stage: str, error: str, message: str, doc_id: str | None = None
) -> dict[str, Any]:
    return {"path": path, "input": input_path, "stage": stage, "error": error, "message": message, "doc_id": doc_id}


def to_table(table: str, rows: list[dict[str, Any]], internal: bool = True) -> pa.Table:
    """Rows (dicts) -> an Arrow table with the table's schema (plus internal columns)."""
    schema = PART_SCHEMAS[table] if internal else SCHEMAS[table]
    return table_from_rows(rows, schema)


def public_table(table: str, data: pa.Table) -> pa.Table:
    """Drop the internal columns and check the schema."""
    data = data.select(SCHEMAS[table].names)
    return data if data.schema.equals(SCHEMAS[table]) else data.cast(SCHEMAS[table])


# --- files --------------------------------------------------------------------------

_EXTENSIONS = {"parquet": ".parquet", "csv": ".csv", "jsonl": ".jsonl"}


def table_file(directory: str | os.PathLike, table: str, fmt: str = "parquet") -> Path:
    """Where a table lives in an output directory: DIR/articles.parquet, ..."""
    return Path(directory) / f"{table}{_EXTENSIONS[fmt]}"


def _text_columns(data: pa.Table) -> pa.Table:
    """List columns as JSON array strings (CSV has no list type)."""
    for i, field in enumerate(data.schema):
        if pa.types.is_list(field.type):
            values = [None if v is None else _json(v) for v in data.column(i).to_pylist()]
            data = data.set_column(i, pa.field(field.name, STRING), pa.array(values, STRING))
    return data


class TableWriter:
    """Write a table chunk by chunk to a temporary file, renamed into place on `close()`,
    so a reader sees the old file or the new one, never half of one.

    Parquet row groups are buffered to about `row_group_rows` rows (or 256 chunks).

    >>> with TableWriter(path, schema, "parquet") as writer:   # doctest: +SKIP
    ...     for chunk in chunks:
    ...         writer.write(chunk)
    """

    def __init__(self, path: str | os.PathLike, schema: pa.Schema, fmt: str, row_group_rows: int = 20_000):
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        self.path = Path(path)
        self.fmt = fmt
        self.schema = schema
        self.row_group_rows = row_group_rows
        self._buffer: list[pa.Table] = []
        self._buffered = 0
        self._tmp = self.path.with_name(f".tmp-{os.getpid()}-{self.path.name}")
        if fmt == "parquet":
            self._writer: Any = pq.ParquetWriter(self._tmp, schema, compression="zstd")
        elif fmt == "csv":
            self._writer = pacsv.CSVWriter(self._tmp, _text_columns(schema.empty_table()).schema)
        else:
            self._writer = open(self._tmp, "w", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def write(self, data: pa.Table) -> None:
        if data.num_rows == 0:
            return
        if self.fmt == "parquet":
            self._buffer.append(data)
            self._buffered += data.num_rows
            if self._buffered >= self.row_group_rows or len(self._buffer) >= 256:
                self._flush()
        elif self.fmt == "csv":
            self._writer.write_table(_text_columns(neutralize_formulas(data)))
        else:
            for row in data.to_pylist():  # keys in column order
                self._writer.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")

    def _flush(self) -> None:
        if self._buffer:
            self._writer.write_table(pa.concat_tables(self._buffer).combine_chunks())
            self._buffer, self._buffered = [], 0

    def close(self) -> None:
        """Finish the file and move it into place."""
        if self.fmt == "parquet":
            self._flush()
        self._writer.close()
        with open(self._tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        """Drop the temporary file; the old table stays."""
        with contextlib.suppress(Exception):
            self._writer.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def write_table(data: pa.Table, path: str | os.PathLike, fmt: str) -> None:
    """Write a table atomically: a temporary file in the same folder, then a rename."""
    with TableWriter(path, data.schema, fmt) as writer:
        writer.write(data)


def read_table(path: str | os.PathLike, table: str, fmt: str) -> pa.Table:
    """Read a table written by `write_table`, in the table's schema whatever the format
    (columns a table written by an older version lacks are null)."""
    schema = SCHEMAS[table]
    if fmt == "parquet":
        return pq.read_table(path, schema=schema)
    if fmt == "csv":
        types = {f.name: (STRING if pa.types.is_list(f.type) else f.type) for f in schema}
        data = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=None),
            convert_options=pacsv.ConvertOptions(
                column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=False
            ),
        )
        rows = restore_formulas(data).to_pylist()
        for field in schema:
            if pa.types.is_list(field.type):
                for row in rows:
                    row[field.name] = None if row[field.name] is None else json.loads(row[field.name])
        return pa.Table.from_pylist(rows, schema=schema)
    if fmt == "jsonl":
        rows = []
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    row = json.loads(line)
                    rows.append(
                        {
                            f.name: (to_date(row.get(f.name)) if f.type == pa.date32() else row.get(f.name))
                            for f in schema
                        }
                    )
        return pa.Table.from_pylist(rows, schema=schema)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def data_dictionary_markdown() -> str:
    """The data dictionary as markdown (one section per table)."""
    lines = []
    for table, columns in DATA_DICTIONARY.items():
        lines += [f"### {table}", "", "| column | type | meaning |", "| --- | --- | --- |"]
        for name, (dtype, meaning) in columns.items():
            type_name = (
                "list<string>" if pa.types.is_list(dtype) else {"date32[day]": "date"}.get(str(dtype), str(dtype))
            )
            lines.append(f"| {name} | {type_name} | {meaning.replace('|', '/')} |")
        lines.append("")
    return "\n".join(lines)
