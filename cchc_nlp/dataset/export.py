"""Exports for statistics packages: Stata (.dta) and R (CSV + a loader script), with a codebook.

What the exports hold (`analysis_frames`): the articles, entities, metrics and errors tables
and the yearly panel of every metric (`Dataset.panel`), where

* list columns are flattened to text ("a | b"),
* `province` and `metric` are categoricals, provinces in the official order of their codes
  (Stata value labels, R factors),
* `published` is a timezone-aware datetime in Vietnam time, with `published_precision`
  ("day" when only the date is known: midnight is then a placeholder),
* dates are dates, booleans 0/1 in Stata, text Unicode (Stata 14+ files, UTF-8 CSV),
* every variable carries its label from the data dictionary (`cchc_nlp.dataset.tables`).

Stata has no time zones: `published` is written as the Vietnam clock time (the label says
so). R gets `load.R`, which reads the CSV files with base R into data frames with factors,
POSIXct times in Asia/Ho_Chi_Minh, Dates and the labels as `attr(x, "label")`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from cchc_nlp.dataset.panel import PANEL_COLUMNS, panel_frame
from cchc_nlp.dataset.select import metric_keys
from cchc_nlp.dataset.tables import DATA_DICTIONARY
from cchc_nlp.errors import InputError, one_line
from cchc_nlp.tag.gazetteer import province_names_in_order

__all__ = ["EXPORT_FORMATS", "analysis_frames", "variable_labels", "to_stata", "to_r", "export"]

EXPORT_FORMATS = ("stata", "r")
VN = "Asia/Ho_Chi_Minh"
_STATA_LABEL = 80  # Stata's limit for a variable label
_STATA_STR = 2045  # longer text goes to strL
_LIST_SEP = " | "
_CATEGORICAL = ("province", "province_2025", "metric")
STATA_NAMES = {"start": "start_offset", "end": "end_offset"}  # "end" is a reserved word in Stata
# text columns of any table: kept text when every value is missing (pandas makes such a column float,
# Stata a numeric variable that a later `append` of a dataset with URLs refuses)
_TEXT_COLUMNS = {
    name for columns in DATA_DICTIONARY.values() for name, (dtype, _) in columns.items() if str(dtype) == "string"
}

_PANEL_LABELS = {
    "period": "panel period (year, quarter or month) holding the figure's period",
    "period_match": "how the figure's period sits in the cell: exact, point, within, published",
    "n_candidates": "candidate figures for the cell (copies of one article counted once)",
    "n_values": "distinct exact values for the chosen figure's period",
    "conflict": "the candidates for the same period disagree",
    "other_values": "the other candidate values of the cell",
    "published": "publication time of the chosen figure's article",
    "url": "URL of the chosen figure's article",
    "title": "headline of the chosen figure's article",
    "dup_group": "near-duplicate group of the chosen figure's article",
    "doc_id": "article of the chosen figure (articles.doc_id)",
    "sentence": "the sentence the chosen figure was read from",
}


def variable_labels(table: str) -> dict[str, str]:
    """column -> its meaning (the data dictionary; the panel's own columns for "panel")."""
    if table == "panel":
        metric = {name: meaning for name, (_, meaning) in DATA_DICTIONARY["metrics"].items()}
        return {column: _PANEL_LABELS.get(column) or metric.get(column, column) for column in PANEL_COLUMNS}
    labels = {name: meaning for name, (_, meaning) in DATA_DICTIONARY[table].items()}
    if table == "articles":
        labels["published"] = "publication time, Vietnam time (UTC+7); midnight when published_precision is day"
    return labels


def _flatten(value: Any) -> Any:
    if isinstance(value, (list, tuple)) or (hasattr(value, "tolist") and not isinstance(value, str)):
        items = value.tolist() if hasattr(value, "tolist") else value
        return _LIST_SEP.join(str(item) for item in items)
    return value


def _published(values: pd.Series) -> pd.Series:
    """ISO strings (datetimes with an offset, or dates) as tz-aware Vietnam datetimes."""
    parsed = pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
    # a date alone means that day in Vietnam, not midnight UTC
    dates_only = values.astype("string").str.len().eq(10).fillna(False).to_numpy(dtype=bool)
    local = parsed.dt.tz_convert(VN)
    if dates_only.any():
        days = pd.to_datetime(values[dates_only], errors="coerce").dt.tz_localize(VN)
        local = local.where(~dates_only, days)
    return local


def analysis_frames(dataset: Any, period: str = "year") -> dict[str, pd.DataFrame]:
    """The exported tables as analysis-ready DataFrames (see the module docstring)."""
    provinces = pd.CategoricalDtype(list(province_names_in_order()), ordered=True)
    present = set(dataset.metrics["metric"].dropna()) if "metric" in dataset.metrics else set()
    keys = list(metric_keys()) + sorted(present - set(metric_keys()))
    metrics_type = pd.CategoricalDtype(keys, ordered=False)
    frames = {
        "articles": dataset.articles.copy(),
        "entities": dataset.entities.copy(),
        "metrics": dataset.metrics.copy(),
        "errors": dataset.errors.copy(),
    }
    frames["panel"] = (
        panel_frame(dataset.metrics, dataset.articles, "*", period) if len(dataset.metrics) else pd.DataFrame()
    )
    out = {}
    for name, frame in frames.items():
        frame = frame.reset_index(drop=True)
        for column in frame.columns:
            if frame[column].dtype == object:
                frame[column] = frame[column].map(_flatten)
            elif column in _TEXT_COLUMNS and column != "published" and frame[column].isna().all():
                frame[column] = pd.Series(None, index=frame.index, dtype=object)
        if "published" in frame and len(frame):
            frame["published"] = _published(frame["published"])
        for column in _CATEGORICAL:
            if column in frame:
                dtype = metrics_type if column == "metric" else provinces
                extra = set(frame[column].dropna()) - set(dtype.categories)
                if extra:  # a spelling the gazetteer does not know: kept, after the known ones
                    dtype = pd.CategoricalDtype([*dtype.categories, *sorted(extra)], ordered=dtype.ordered)
                frame[column] = frame[column].astype(dtype)
        out[name] = frame
    return out


def _stata_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Stata-ready copy: naive local times, 0/1 booleans, text; the strL columns."""
    frame = frame.copy()
    strl = []
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            frame[column] = series.dt.tz_localize(None)
        elif isinstance(series.dtype, pd.CategoricalDtype):
            continue
        elif pd.api.types.is_bool_dtype(series.dtype) or (len(series) and all(isinstance(v, bool) for v in series)):
            frame[column] = series.map(lambda v: None if v is None or pd.isna(v) else int(bool(v))).astype("float64")
        elif (
            isinstance(series.dtype, pd.CategoricalDtype)
            or pd.api.types.is_numeric_dtype(series.dtype)
            or pd.api.types.is_datetime64_any_dtype(series.dtype)
        ):
            continue
        else:
            text = series.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
            frame[column] = text.astype(object)
            if len(text) and text.map(lambda v: len(v.encode("utf-8"))).max() > _STATA_STR:
                strl.append(column)
    return frame, strl


def _labels(table: str, frame: pd.DataFrame, limit: int | None = None) -> dict[str, str]:
    labels = variable_labels(table)
    out = {}
    for column in frame.columns:
        text = one_line(labels.get(column, column))
        out[column] = text if limit is None or len(text) <= limit else text[: limit - 1] + "…"
    return out


def to_stata(dataset: Any, directory: str | os.PathLike) -> list[Path]:
    """Write DIR/<table>.dta (Stata 14+, Unicode) for each table and the panel, and the codebook."""
    directory = _folder(directory)
    written = []
    for name, frame in analysis_frames(dataset).items():
        if frame.empty and not len(frame.columns):
            continue
        stata, strl = _stata_frame(frame)
        labels = {STATA_NAMES.get(c, c): text for c, text in _labels(name, stata, _STATA_LABEL).items()}
        stata = stata.rename(columns=STATA_NAMES)
        path = directory / f"{name}.dta"
        stata.to_stata(
            path,
            write_index=False,
            version=118,
            convert_strl=[STATA_NAMES.get(c, c) for c in strl],
            variable_labels=labels,
            data_label=f"cchc_nlp {name}"[:80],
        )
        written.append(path)
    written += _codebook(dataset, directory, "stata")
    return written


def to_r(dataset: Any, directory: str | os.PathLike) -> list[Path]:
    """Write DIR/<table>.csv (UTF-8), DIR/load.R (reads them with types, factors and labels)
    and the codebook."""
    directory = _folder(directory)
    written, spec = [], {}
    for name, frame in analysis_frames(dataset).items():
        if frame.empty and not len(frame.columns):
            continue
        path = directory / f"{name}.csv"
        csv = frame.copy()
        kinds = {}
        for column in csv.columns:
            dtype = csv[column].dtype
            if isinstance(dtype, pd.DatetimeTZDtype):
                csv[column] = csv[column].map(lambda v: None if pd.isna(v) else v.isoformat())
                kinds[column] = "datetime"
            elif pd.api.types.is_datetime64_any_dtype(dtype):
                csv[column] = csv[column].dt.strftime("%Y-%m-%d")
                kinds[column] = "date"
            elif isinstance(dtype, pd.CategoricalDtype):
                kinds[column] = "factor:" + json.dumps([str(c) for c in dtype.categories], ensure_ascii=False)
            elif pd.api.types.is_bool_dtype(dtype) or (len(csv) and all(isinstance(v, bool) for v in csv[column])):
                kinds[column] = "logical"
            elif pd.api.types.is_numeric_dtype(dtype):
                kinds[column] = "numeric"
            else:
                kinds[column] = "character"
        csv.to_csv(path, index=False, encoding="utf-8")
        written.append(path)
        spec[name] = {"types": kinds, "labels": _labels(name, csv)}
    loader = directory / "load.R"
    loader.write_text(_r_script(spec), encoding="utf-8")
    written.append(loader)
    written += _codebook(dataset, directory, "r")
    return written


def export(dataset: Any, directory: str | os.PathLike, fmt: str) -> list[Path]:
    """`to_stata` or `to_r` by name."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    return to_stata(dataset, directory) if fmt == "stata" else to_r(dataset, directory)


def _folder(directory: str | os.PathLike) -> Path:
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the export folder {directory}: {exc.strerror}") from None
    return directory


def _codebook(dataset: Any, directory: Path, fmt: str) -> list[Path]:
    """codebook.md (per table: variable, type, missing, meaning; categories) and codebook.csv."""
    rows = []
    lines = [
        "# Codebook",
        "",
        f"Exported by cchc_nlp for {'Stata' if fmt == 'stata' else 'R'}. Meanings: the data dictionary of the "
        "README; the panel: `Dataset.panel` (one row per province, year and metric, the province's own figure).",
        "",
    ]
    for name, frame in analysis_frames(dataset).items():
        labels = variable_labels(name)
        lines += [
            f"## {name} ({len(frame):,} rows)",
            "",
            "| variable | type | missing | meaning |",
            "| --- | --- | --- | --- |",
        ]
        for column in frame.columns:
            dtype = frame[column].dtype
            shown = STATA_NAMES.get(column, column) if fmt == "stata" else column
            kind = (
                "categorical"
                if isinstance(dtype, pd.CategoricalDtype)
                else "datetime (Vietnam time)"
                if isinstance(dtype, pd.DatetimeTZDtype)
                else "date"
                if pd.api.types.is_datetime64_any_dtype(dtype)
                else "number"
                if pd.api.types.is_numeric_dtype(dtype)
                else "text"
            )
            missing = int(frame[column].isna().sum())
            meaning = one_line(labels.get(column, column))
            lines.append(f"| {shown} | {kind} | {missing} | {meaning.replace('|', '/')} |")
            rows.append({"table": name, "variable": shown, "type": kind, "missing": missing, "meaning": meaning})
        lines.append("")
    categories = list(province_names_in_order())
    lines += ["## Province order (categories of province, province_2025)", "", ", ".join(categories), ""]
    markdown = directory / "codebook.md"
    markdown.write_text("\n".join(lines), encoding="utf-8")
    table = directory / "codebook.csv"
    pd.DataFrame(rows).to_csv(table, index=False, encoding="utf-8")
    return [markdown, table]


def _r_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _r_script(spec: dict[str, dict[str, dict[str, str]]]) -> str:
    lines = [
        "# Written by cchc_nlp: reads the exported tables into data frames with their types.",
        "# source('load.R') in this folder; gives articles, entities, metrics, errors, panel.",
        "cchc_read <- function(name, types, labels) {",
        '  path <- paste0(name, ".csv")',
        "  if (!file.exists(path)) return(NULL)",
        '  d <- read.csv(path, fileEncoding = "UTF-8", stringsAsFactors = FALSE, na.strings = "",',
        '                check.names = FALSE, colClasses = "character")',
        "  for (column in names(types)) {",
        "    kind <- types[[column]]",
        "    x <- d[[column]]",
        '    if (kind == "numeric") x <- as.numeric(x)',
        '    else if (kind == "logical") x <- as.logical(x)',
        '    else if (kind == "date") x <- as.Date(x)',
        '    else if (kind == "datetime") x <- as.POSIXct(sub("([+-][0-9]{2}):([0-9]{2})$", "\\\\1\\\\2", x),',
        '                                              format = "%Y-%m-%dT%H:%M:%S%z", tz = "Asia/Ho_Chi_Minh")',
        '    else if (kind == "factor") x <- factor(x, levels = kind_levels[[name]][[column]])',
        '    attr(x, "label") <- labels[[column]]',
        "    d[[column]] <- x",
        "  }",
        "  d",
        "}",
        "kind_levels <- list()",
    ]
    for name, table in spec.items():
        factors = {c: json.loads(k.split(":", 1)[1]) for c, k in table["types"].items() if k.startswith("factor:")}
        entries = ", ".join(
            f"{_r_string(c)} = c({', '.join(_r_string(level) for level in levels)})" for c, levels in factors.items()
        )
        lines.append(f"kind_levels[[{_r_string(name)}]] <- list({entries})")
    for name, table in spec.items():
        types = ", ".join(f"{_r_string(c)} = {_r_string(k.split(':', 1)[0])}" for c, k in table["types"].items())
        labels = ", ".join(f"{_r_string(c)} = {_r_string(text)}" for c, text in table["labels"].items())
        lines.append(f"{name} <- cchc_read({_r_string(name)}, list({types}), list({labels}))")
    return "\n".join(lines) + "\n"
