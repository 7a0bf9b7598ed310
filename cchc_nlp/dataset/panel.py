"""The province × period panel: for each province, period and metric, the one figure that is
the province's own, with its evidence, how many candidate figures there were and whether
they disagree.

Which rows are candidates (the rest are counted in the panel's caveats):

* achievements only (targets are goals, not results);
* rows whose `scope` is `province` (the whole province's figure), and `ranking` rows whose
  subject is a province, attributed to that province ("Cần Thơ xếp thứ 14" in a national
  list is Cần Thơ's rank). Figures of an agency, a district, a commune or a level, and
  national averages, are not the province's. Tables written before `scope` existed: rows
  without a subject and without a level below tỉnh;
* with a province (the row's own, else its article's);
* of one unit: an index score in points and one in percent are the same scale; otherwise the
  metric's most common unit (a count and a percent of one key never share a cell); with
  value="share" (the stated percent) every unit;
* placed by the period the figure covers: the period holding its end (else its publication
  date). A figure whose period is longer than the cell ("giai đoạn 2016-2020" in a year
  cell) is not placed, and an achieved figure whose period ends after its article was
  published is not placed either (its period is a programme's span, not the figure's;
  warning `period_after_publication`).
* the rows of one article per near-duplicate group (`articles.dup_group`): copies of one
  article count once.

The chosen figure of a cell: the province's own report before a ranking list, an exact
figure before an approximate one, a figure covering exactly the cell before one for a part
of it ("6 tháng đầu năm" in a year cell), then the latest period end and the earliest
start (the most complete cumulative report: "lũy kế quý I" before "tháng 3"), the larger
count (the whole province's before a part of it), the latest publication, the highest
confidence. `n_candidates` counts the candidate rows of the cell, `n_values` the distinct
exact values for the chosen figure's period, and `conflict` is true when there are
several (two sources, or one text giving two figures for one key and period);
`other_values` lists every other candidate value. `period_match` says how the figure's
period sits in the cell: exact, point (an as-of date), within (a part of the cell: a
month in a year cell), published (no period: placed by its publication date).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from cchc_nlp.dataset.select import check_choice, metric_keys_matching, province_mask
from cchc_nlp.errors import InputError
from cchc_nlp.tag.gazetteer import MERGER_DATE, province, province_columns, province_names_in_order, province_units

__all__ = [
    "PANEL_COLUMNS",
    "PERIODS",
    "VALUES",
    "AGGREGATIONS",
    "with_articles",
    "province_rows",
    "panel_frame",
    "wide_frame",
    "successor_cells",
    "caveat_lines",
]

# period name -> pandas period frequency
PERIODS = {"year": "Y", "quarter": "Q", "month": "M"}
VALUES = ("value", "share")
AGGREGATIONS = ("best", "last", "max", "min", "mean", "median", "sum", "count")
PANEL_COLUMNS = [
    "province",
    "province_code",
    "province_2025",
    "province_2025_code",
    "period",
    "metric",
    "value",
    "unit",
    "period_start",
    "period_end",
    "period_label",
    "period_match",
    "scope",
    "subject",
    "n_candidates",
    "n_values",
    "conflict",
    "other_values",
    "doc_id",
    "dup_group",
    "sentence",
    "published",
    "url",
    "title",
    "warnings",
]
# How a figure's period sits in its cell, best first.
_MATCH_RANK = {"exact": 0, "point": 1, "within": 2, "published": 3}
_FAR_PAST = pd.Timestamp("1900-01-01")  # sorts before any period (a missing one)
_ARTICLE_FIELDS = ("province", "province_code", "province_2025", "province_2025_code")


def with_articles(metrics: pd.DataFrame, articles: pd.DataFrame | None) -> pd.DataFrame:
    """Metric rows with their article's publication, title, url, dup_group and province
    (as article_province...), and `province` + codes filled from the article when the row
    has none (national rows keep none)."""
    rows = metrics.copy()
    if articles is not None and len(articles.columns):
        wanted = ["doc_id", "published", "published_date", "title", "url", "dup_group", *_ARTICLE_FIELDS]
        context = articles[[c for c in wanted if c in articles.columns]].drop_duplicates("doc_id")
        context = context.rename(columns={c: f"article_{c}" for c in _ARTICLE_FIELDS})
        rows = rows.merge(context, on="doc_id", how="left")
    for column in _ARTICLE_FIELDS:
        if column not in rows:
            rows[column] = None
        source = f"article_{column}"
        if source in rows:
            national = rows["scope"].eq("national") if "scope" in rows else False
            fill = rows[column].isna() & ~national
            rows[column] = rows[column].where(~fill, rows[source])
    for column in ("published", "published_date", "title", "url", "dup_group"):
        if column not in rows:
            rows[column] = None
    rows["dup_group"] = rows["dup_group"].where(rows["dup_group"].notna(), rows["doc_id"])
    return rows


@lru_cache(maxsize=4096)
def _is_province_name(subject: str) -> bool:
    return province(subject) is not None


def province_rows(rows: pd.DataFrame) -> pd.Series:
    """The rows that are a province's own figure (see the module docstring)."""
    scope = rows["scope"] if "scope" in rows else pd.Series(None, index=rows.index, dtype=object)
    subject = rows["subject"] if "subject" in rows else pd.Series(None, index=rows.index, dtype=object)
    level = rows["scope_level"] if "scope_level" in rows else pd.Series(None, index=rows.index, dtype=object)
    legacy = scope.isna() & subject.isna() & (level.isna() | level.eq("tỉnh"))
    named = pd.Series([isinstance(s, str) and _is_province_name(s) for s in subject], index=rows.index, dtype=bool)
    ranked = scope.eq("ranking") & named
    return scope.eq("province") | ranked | legacy


def _unit_key(metric: str, unit: Any) -> Any:
    return "score" if str(metric).endswith(".score") and unit in ("percent", "score") else unit


def panel_frame(
    metrics: pd.DataFrame,
    articles: pd.DataFrame | None,
    metric: str | Sequence[str],
    period: str = "year",
    *,
    province: str | int | Sequence[str | int] | None = None,
    province_2025: str | int | Sequence[str | int] | None = None,
    unit: str | None = None,
    value: str = "value",
    include_targets: bool = False,
    candidates: bool = False,
) -> pd.DataFrame:
    """The panel (see the module docstring), one row per province, period and metric.

    candidates: return every candidate row instead (with `chosen` true for the panel's),
    after the filters and the one-per-duplicate-group step.
    The caveats (rows left out, by reason; conflicts; warnings) are in `.attrs["caveats"]`.
    """
    check_choice("period", period, tuple(PERIODS))
    check_choice("value", value, VALUES)
    keys = metric_keys_matching(metric, present=metrics["metric"].dropna().unique() if "metric" in metrics else ())
    rows = with_articles(metrics, articles)
    rows = rows[rows["metric"].isin(keys)]
    caveats: dict[str, Any] = {"rows": len(rows), "dropped": Counter(), "scopes_dropped": Counter()}
    dropped = caveats["dropped"]

    def drop(mask: pd.Series, reason: str) -> None:
        nonlocal rows
        if mask.any():
            dropped[reason] += int(mask.sum())
            rows = rows[~mask]

    if not include_targets:
        drop(rows["is_target"].eq(True), "target")
    own = province_rows(rows)
    for scope, count in rows.loc[~own, "scope"].fillna("(none)").value_counts().items():
        caveats["scopes_dropped"][str(scope)] += int(count)
    drop(~own, "not the province's own figure")
    if province is not None:
        rows = rows[province_mask(rows, province)]
    if province_2025 is not None:
        rows = rows[province_mask(rows, province_2025, "province_2025_code", "province_2025")]
    drop(rows["province"].isna(), "no province")
    rows = rows.assign(unit_key=[_unit_key(m, u) for m, u in zip(rows["metric"], rows["unit"], strict=True)])
    for key, group in rows.groupby("metric") if len(rows) and value == "value" else ():
        wanted = _unit_key(key, unit) if unit is not None else group["unit_key"].mode().iloc[0]
        drop(rows["metric"].eq(key) & rows["unit_key"].ne(wanted), "another unit")
    drop(rows[value].isna(), f"no {value}")
    rows = rows.assign(value_used=rows[value])
    rows = _place(rows, PERIODS[period], caveats)
    rows = _one_per_group(rows, caveats)
    chosen = _choose(rows)
    caveats["conflicts"] = int(chosen["conflict"].sum()) if len(chosen) else 0
    caveats["warned"] = sum(1 for w in chosen["warnings"] if w is not None and len(w)) if len(chosen) else 0
    out = chosen if not candidates else rows.assign(chosen=rows.index.isin(chosen["_row"]))
    out = _finish(out, value, candidates)
    out.attrs["caveats"] = caveats
    return out


def _place(rows: pd.DataFrame, freq: str, caveats: dict[str, Any]) -> pd.DataFrame:
    """The cell period of each row and how the figure's period sits in it."""
    if rows.empty:
        return rows.assign(period=pd.Series(dtype=object), period_match=pd.Series(dtype=object))
    end = pd.to_datetime(rows["period_end"])
    start = pd.to_datetime(rows["period_start"])
    published = pd.to_datetime(rows["published_date"])
    late = end.notna() & published.notna() & (end > published) & rows["is_target"].ne(True)
    if late.any():
        caveats["dropped"]["period ends after publication"] += int(late.sum())
        caveats.setdefault("late_rows", []).extend(rows.loc[late, "doc_id"].tolist())
    when = end.fillna(published)
    rows = rows.assign(when=when)[~late & when.notna()]
    if rows.empty:
        return rows.assign(period=pd.Series(dtype=object), period_match=pd.Series(dtype=object))
    cells = rows["when"].dt.to_period(freq)
    cell_start = cells.map(lambda p: p.start_time.normalize())
    cell_end = cells.map(lambda p: p.end_time.normalize())
    start, end = pd.to_datetime(rows["period_start"]), pd.to_datetime(rows["period_end"])
    match = np.select(
        [
            end.isna(),
            start.isna(),
            (start == cell_start) & (end == cell_end),
            start >= cell_start,
        ],
        ["published", "point", "exact", "within"],
        default="wider",
    )
    rows = rows.assign(period=cells.astype(str), period_match=match)
    wider = rows["period_match"].eq("wider")
    if wider.any():
        caveats["dropped"]["period longer than the cell"] += int(wider.sum())
    return rows[~wider]


def _order(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted best first within their cell (see the module docstring)."""
    return rows.assign(
        _own=rows["scope"].ne("province").astype(int),
        _exact=rows["qualifier"].fillna("exact").ne("exact").astype(int),
        _match=rows["period_match"].map(_MATCH_RANK).fillna(9),
        _end=pd.to_datetime(rows["period_end"]).fillna(_FAR_PAST),
        _start=pd.to_datetime(rows["period_start"]).fillna(pd.Timestamp("2200-01-01")),
        # of two counts of the province for one period, the larger is the more inclusive
        # ("toàn thành phố tiếp nhận" over the one-stop centre's share of it)
        _size=rows["value_used"].where(rows["unit"].eq("count"), 0.0).fillna(0.0),
        _pub=rows["published"].fillna("").astype(str),
        _conf=rows["confidence"].fillna(0.0) if "confidence" in rows else 0.0,
    ).sort_values(
        ["province", "period", "metric", "_own", "_exact", "_match", "_end", "_start", "_size", "_pub", "_conf"],
        ascending=[True, True, True, True, True, True, False, True, False, False, False],
        kind="stable",
    )


def _one_per_group(rows: pd.DataFrame, caveats: dict[str, Any]) -> pd.DataFrame:
    """In each cell, the rows of one article per near-duplicate group (the copies of a story
    count once): the article whose row ranks first."""
    if rows.empty:
        return rows.assign(_row=pd.Series(dtype=int))
    rows = _order(rows.assign(_row=rows.index))
    keys = ["province", "period", "metric", "dup_group"]
    first = rows.groupby(keys, sort=False)["doc_id"].transform("first")
    copy = rows["doc_id"].ne(first)
    if copy.any():
        caveats["dropped"]["copy of another article (same dup_group)"] += int(copy.sum())
    return rows[~copy]


def _choose(rows: pd.DataFrame) -> pd.DataFrame:
    """The first (best) row of each cell, with the counts and the conflict flag."""
    if rows.empty:
        extra = {"n_candidates": int, "n_values": int, "conflict": bool, "other_values": object}
        return rows.assign(**{k: pd.Series(dtype=t) for k, t in extra.items()})
    records = []
    for _, cell in rows.groupby(["province", "period", "metric"], sort=False):
        best = cell.iloc[0]
        same = cell[
            (pd.to_datetime(cell["period_start"]).fillna(_FAR_PAST) == _ts(best["period_start"]))
            & (pd.to_datetime(cell["period_end"]).fillna(_FAR_PAST) == _ts(best["period_end"]))
            & cell["qualifier"].fillna("exact").eq("exact")
        ]
        values = _distinct(same["value_used"])
        record = best.to_dict()
        record["n_candidates"] = len(cell)
        record["n_values"] = max(len(values), 1)
        record["conflict"] = len(values) > 1
        record["other_values"] = [v for v in _distinct(cell["value_used"]) if not _close(v, best["value_used"])]
        records.append(record)
    return pd.DataFrame.from_records(records)


def _ts(value: Any) -> pd.Timestamp:
    return _FAR_PAST if pd.isna(value) else pd.Timestamp(value)


def _close(a: float, b: float) -> bool:
    return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))


def _distinct(values: pd.Series) -> list[float]:
    out: list[float] = []
    for v in values.dropna():
        if not any(_close(v, o) for o in out):
            out.append(float(v))
    return out


def _finish(rows: pd.DataFrame, value: str, candidates: bool) -> pd.DataFrame:
    """Panel columns, codes of the attributed province, official province order."""
    columns = PANEL_COLUMNS + (["chosen"] if candidates else [])
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = rows.copy()
    rows["value"] = rows["value_used"] if "value_used" in rows else rows[value]
    missing = rows["province_code"].isna()
    if missing.any():  # a ranking row's province, or an input record's spelling
        filled = [province_columns(p) for p in rows.loc[missing, "province"]]
        for column in ("province_code", "province_2025", "province_2025_code"):
            rows.loc[missing, column] = [f[column] for f in filled]
    for column in columns:
        if column not in rows:
            rows[column] = None
    order = {name: i for i, name in enumerate(province_names_in_order())}
    rows["_order"] = rows["province"].map(order).fillna(len(order))
    rows = rows.sort_values(["_order", "province", "metric", "period"], kind="stable")
    return rows[columns].reset_index(drop=True)


@lru_cache(maxsize=1)
def _merged_codes() -> dict[str, frozenset[str]]:
    """Code of each of the 34 provinces -> the codes of the pre-merger provinces it took in."""
    found: dict[str, set[str]] = {}
    for unit in province_units():
        if unit.era == "63":
            found.setdefault(unit.successor_code, set()).add(unit.code)
    return {code: frozenset(codes) for code, codes in found.items()}


def successor_cells(panel: pd.DataFrame, combine: str = "sum") -> pd.DataFrame:
    """The panel at the level of the 34 provinces: one row per province_2025 and period.

    A cell with figures of the new province itself (periods from 1 July 2025) takes them; a
    cell before the merger combines the figures of every province merged into the new one
    (`combine`: "sum" for counts, or "mean", "median", "min", "max") and stays empty
    (`complete` false) when one of them has no figure for the period.
    """
    columns = ["province_2025", "province_2025_code", "period", "value", "provinces", "complete"]
    if panel.empty:
        return pd.DataFrame(columns=columns)
    after = pd.to_datetime(panel["period_start"]) >= pd.Timestamp(MERGER_DATE)
    records = []
    for (name, code, period), cell in panel.groupby(["province_2025", "province_2025_code", "period"], sort=False):
        new = cell[after.loc[cell.index]]
        if len(new):
            value, members, complete = new["value"].agg(combine), sorted(set(new["province"])), True
        else:
            members = sorted(set(cell["province"]))
            complete = set(cell["province_code"]) >= _merged_codes().get(code, frozenset({code}))
            value = cell["value"].agg(combine) if complete else np.nan
        records.append([name, code, period, value, members, complete])
    return pd.DataFrame(records, columns=columns)


def wide_frame(
    metrics: pd.DataFrame,
    articles: pd.DataFrame | None,
    metric: str,
    period: str = "year",
    *,
    value: str = "value",
    agg: str = "best",
    unit: str | None = None,
    by: str = "province",
    codes: bool = True,
) -> pd.DataFrame:
    """One metric as a table: rows province (with its code and 2025 successor), columns periods.

    agg: "best" (or "last"): the panel's figure; "max", "min", "mean", "median", "sum",
    "count": over the cell's stories, one figure each (the best row of each dup_group: a
    headline's rounded figure and the body's exact one are one story's).
    by: "province", or "province_2025" to follow the 34 provinces across the merger
    (`successor_cells`): counts of the provinces merged into one are added up, and a cell
    stays empty unless every one of them has a figure; other units need agg "mean",
    "median", "min" or "max" (an index of a merged province is not the mean of its parts:
    say so yourself). `attrs["combined"]` says how.
    codes: index levels province, province_code, province_2025 (by="province_2025":
    province_2025, province_2025_code); False: the name alone.
    """
    check_choice("agg", agg, AGGREGATIONS)
    check_choice("by", by, ("province", "province_2025"))
    keys = metric_keys_matching(metric, present=metrics["metric"].dropna().unique() if "metric" in metrics else ())
    if len(keys) != 1:
        raise InputError(f"wide needs one metric key, {metric!r} matches {len(keys)}: {', '.join(keys[:8])}")
    pick = agg in ("best", "last") or by == "province_2025"
    frame = panel_frame(metrics, articles, keys[0], period, unit=unit, value=value, candidates=not pick)
    caveats = frame.attrs.get("caveats", {})
    if not pick:  # one figure per story: the best row of each duplicate group in the cell
        frame = frame.drop_duplicates(["province", "period", "metric", "dup_group"], keep="first")
    index = ["province", "province_code", "province_2025"]
    if by == "province_2025":
        index = ["province_2025", "province_2025_code"]
        counts = not frame.empty and frame["unit"].eq("count").all()
        if not counts and agg not in ("mean", "median", "min", "max"):
            raise InputError(
                f"{keys[0]} is not a count: say how to combine the provinces merged in 2025 with agg='mean', "
                "'median', 'min' or 'max', or use by='province'"
            )
        combine = "sum" if counts else agg
        frame = successor_cells(frame, combine)
        caveats = {**caveats, "incomplete": int((~frame["complete"]).sum()) if len(frame) else 0}
    if frame.empty:
        empty = pd.MultiIndex.from_tuples([], names=index) if codes else pd.Index([], name=index[0])
        table = pd.DataFrame(index=empty, columns=pd.Index([], name="period"))
        table.attrs["caveats"] = caveats
        return table
    table = frame.pivot_table(index=index, columns="period", values="value", aggfunc="first" if pick else agg)
    table.columns = [str(c) for c in table.columns]
    table.columns.name = "period"
    order = {name: i for i, name in enumerate(province_names_in_order())}
    table = table.iloc[sorted(range(len(table)), key=lambda i: (order.get(table.index[i][0], 999), table.index[i]))]
    if not codes:
        table.index = table.index.get_level_values(0)
    table.attrs["caveats"] = caveats
    if by == "province_2025":
        table.attrs["combined"] = combine
    return table


def caveat_lines(caveats: dict[str, Any]) -> list[str]:
    """The caveats of a panel as sentences (for the report and notebooks)."""
    if not caveats:
        return []
    lines = []
    for reason, count in sorted(caveats.get("dropped", {}).items(), key=lambda kv: -kv[1]):
        lines.append(f"{count} row(s) left out: {reason}")
    scopes = caveats.get("scopes_dropped") or {}
    if scopes:
        lines.append(
            "not the province's own figure, by scope: " + ", ".join(f"{k} {v}" for k, v in sorted(scopes.items()))
        )
    if caveats.get("conflicts"):
        lines.append(f"{caveats['conflicts']} cell(s) with conflicting candidates (conflict = True)")
    if caveats.get("incomplete"):
        lines.append(
            f"{caveats['incomplete']} cell(s) of a 2025 province left empty: a province merged into it has no figure"
        )
    if caveats.get("warned"):
        lines.append(f"{caveats['warned']} cell(s) whose figure carries a consistency warning")
    return lines
