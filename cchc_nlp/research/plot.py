"""Matplotlib charts of an extracted dataset: metrics by province and period, ranks,
consistency warnings and officials.

Every chart function accepts a `cchc_nlp.dataset.Dataset` or the matching DataFrame
(the metric table for metric charts, the entity table for `officials_timeline`), draws
on `ax` when given (else on a new pyplot figure) and returns the Axes. Labels are
Vietnamese text: `ensure_vietnamese_font()` (called by every chart) makes sure the font
in use has the Vietnamese glyphs; DejaVu Sans, which ships with matplotlib, has them.

>>> import pandas as pd
>>> rows = pd.DataFrame({"metric": ["index.par.rank"] * 2, "value": [42.0, 30.0],
...     "province": ["Hà Nam", "Hà Nam"], "period_start": ["2018-01-01", "2019-01-01"],
...     "period_end": ["2018-12-31", "2019-12-31"]})
>>> select_metric(rows, "index.par.rank")[["province", "period", "value"]].values.tolist()
[['Hà Nam', Period('2018', 'Y-DEC'), 42.0], ['Hà Nam', Period('2019', 'Y-DEC'), 30.0]]
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import MaxNLocator

from cchc_nlp.dataset.panel import panel_frame, province_rows, successor_cells, wide_frame
from cchc_nlp.errors import InputError

__all__ = [
    "METRIC_LABELS",
    "ensure_vietnamese_font",
    "metric_label",
    "select_metric",
    "wide_table",
    "panel_chart",
    "warning_codes",
    "metric_over_time",
    "province_period_heatmap",
    "rank_chart",
    "warnings_distribution",
    "officials_timeline",
    "ENTITY_COLORS",
    "render_entities",
]

# Axis titles for the metrics researchers chart most often; other keys are shown as is.
METRIC_LABELS = {
    "dossier.received": "Hồ sơ tiếp nhận",
    "dossier.resolved": "Hồ sơ đã giải quyết",
    "dossier.on_time": "Hồ sơ đúng hạn",
    "dossier.early": "Hồ sơ trước hạn",
    "dossier.on_time_or_early": "Hồ sơ đúng và trước hạn",
    "dossier.overdue": "Hồ sơ quá hạn",
    "dossier.online": "Hồ sơ trực tuyến",
    "tthc.total": "Tổng số TTHC",
    "tthc.simplified": "TTHC được đơn giản hóa",
    "tthc.cut": "TTHC được cắt giảm",
    "plan.completion": "Mức hoàn thành kế hoạch",
    "index.par.score": "Chỉ số CCHC (PAR INDEX), điểm",
    "index.par.rank": "Chỉ số CCHC (PAR INDEX), thứ hạng",
    "index.sipas.score": "SIPAS, điểm",
    "index.sipas.rank": "SIPAS, thứ hạng",
    "index.papi.score": "PAPI, điểm",
    "index.papi.rank": "PAPI, thứ hạng",
    "index.pci.score": "PCI, điểm",
    "index.pci.rank": "PCI, thứ hạng",
    "index.766.score": "Bộ chỉ số 766, điểm",
    "index.766.rank": "Bộ chỉ số 766, thứ hạng",
}

# displaCy colours per entity label (people warm, places green, bodies blue, time grey).
ENTITY_COLORS = {
    "OFFICIAL": "#f4a582",
    "PERSON": "#fddbc7",
    "AUTHOR": "#e0d0f0",
    "PROVINCE": "#a6dba0",
    "DISTRICT": "#c7e9c0",
    "COMMUNE": "#e5f5e0",
    "ORG": "#92c5de",
    "DATE": "#d9d9d9",
    "PERIOD": "#bdbdbd",
    "LEGAL_DOC": "#fee08b",
}

# Characters a font must draw for Vietnamese labels (precomposed NFC forms).
_VIETNAMESE_PROBE = "ĂăÂâĐđÊêÔôƠơƯưÀẢÃÁẠẰẲẴẮẶẦẨẪẤẬÈẺẼÉẸỀỂỄẾỆÌỈĨÍỊÒỎÕÓỌỒỔỖỐỘỜỞỠỚỢÙỦŨÚỤỪỬỮỨỰỲỶỸÝỴ"
_FALLBACK_FONT = "DejaVu Sans"
_PERIOD_FREQ = {"year": "Y", "half": None, "quarter": "Q", "month": "M"}  # half: "2018-H1"


def ensure_vietnamese_font() -> str:
    """Make sure the default sans-serif font draws Vietnamese; return its family name.

    When the font matplotlib would use lacks Vietnamese glyphs (a user style sheet, say),
    DejaVu Sans is put first in `rcParams["font.sans-serif"]` and the family set to
    sans-serif. Called by every chart function; cheap after the first call.
    """
    path = font_manager.findfont(font_manager.FontProperties(family=plt.rcParams["font.family"]))
    if _has_glyphs(path):
        return FT2Font(path).family_name
    plt.rcParams["font.family"] = ["sans-serif"]
    plt.rcParams["font.sans-serif"] = [_FALLBACK_FONT] + [
        name for name in plt.rcParams["font.sans-serif"] if name != _FALLBACK_FONT
    ]
    return _FALLBACK_FONT


_GLYPH_CACHE: dict[str, bool] = {}


def _has_glyphs(path: str) -> bool:
    if path not in _GLYPH_CACHE:
        charmap = FT2Font(path).get_charmap()
        _GLYPH_CACHE[path] = all(ord(char) in charmap for char in _VIETNAMESE_PROBE)
    return _GLYPH_CACHE[path]


def metric_label(metric: str) -> str:
    """A Vietnamese axis title for a metric key ("index.par.rank" -> "Chỉ số CCHC ...")."""
    label = METRIC_LABELS.get(metric)
    return f"{label} ({metric})" if label else metric


# --------------------------------------------------------------------------- tables


def _table(data: Any, name: str) -> pd.DataFrame:
    """The `name` table of a Dataset, or `data` itself when it is a DataFrame."""
    if isinstance(data, pd.DataFrame):
        return data
    table = getattr(data, name, None)
    if isinstance(table, pd.DataFrame):
        return table
    raise InputError(
        f"expected a Dataset or a pandas DataFrame of {name}, got {type(data).__name__}; "
        "pass cchc_nlp.dataset.extract(...) or Dataset.load(dir)"
    )


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InputError(f"{what} table lacks column(s) {', '.join(missing)}; pass the table of a cchc_nlp Dataset")


def _with_article_fields(metrics: pd.DataFrame, data: Any) -> pd.DataFrame:
    """Fill a missing province from the article table when `data` is a Dataset."""
    articles = getattr(data, "articles", None)
    if not isinstance(articles, pd.DataFrame) or "doc_id" not in metrics.columns or "doc_id" not in articles.columns:
        return metrics
    lookup = articles.drop_duplicates("doc_id").set_index("doc_id")
    metrics = metrics.copy()
    if "province" in lookup.columns:
        from_article = metrics["doc_id"].map(lookup["province"])
        metrics["province"] = (
            metrics["province"].where(metrics["province"].notna(), from_article)
            if "province" in metrics.columns
            else from_article
        )
    if "published" in lookup.columns:
        metrics["published"] = metrics["doc_id"].map(lookup["published"])
    return metrics


def select_metric(
    data: Any,
    metric: str,
    value: str = "value",
    *,
    period: str = "year",
    scope_level: str | None = "tỉnh",
    include_targets: bool = False,
    unit: str | None = None,
) -> pd.DataFrame:
    """The rows of one metric, ready to chart: province, date, period, value, doc_id...

    value: the column to chart, "value" or "share" (the stated percent); the chosen
        column is copied to "value".
    period: "year", "half", "quarter" or "month": the calendar period holding each row's
        period end (its start, or the article's publication date, when there is no end).
    scope_level: "tỉnh" keeps the province's own figures (scope province, and ranking
        entries naming a province, as `Dataset.panel`); "huyện" or "xã" rows of that level
        or of no stated level; None keeps every row.
    include_targets: keep targets ("phấn đấu đạt 95%"), which are not achievements.
    unit: with value="value", keep rows of this unit only; default: the metric's most
        common unit, so counts and percents of one key are never mixed on an axis.
    Rows without a province, a date or a value are dropped; the rest are sorted by
    province, date and publication date (the last row of a cell is the latest report).
    """
    metrics = _with_article_fields(_table(data, "metrics"), data)
    _require(metrics, ["metric", value], "metric")
    if period not in _PERIOD_FREQ:
        raise InputError(f"unknown period {period!r}; use one of {', '.join(_PERIOD_FREQ)}")
    rows = metrics[metrics["metric"] == metric].copy()
    if not include_targets and "is_target" in rows.columns:
        rows = rows[~rows["is_target"].fillna(False).astype(bool)]
    if scope_level == "tỉnh":  # the province's own figures (cchc_nlp.dataset.panel)
        rows = rows[province_rows(rows)]
    elif scope_level is not None and "scope_level" in rows.columns:
        rows = rows[rows["scope_level"].isna() | (rows["scope_level"] == scope_level)]
    date = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
    for column in ("period_end", "period_start", "published"):
        if column in rows.columns:
            parsed = pd.to_datetime(rows[column].astype("string").str.slice(0, 10), errors="coerce")
            date = date.fillna(parsed)
    rows["date"] = date
    rows["value"] = pd.to_numeric(rows[value], errors="coerce")
    if "province" not in rows.columns:
        rows["province"] = None
    rows = rows.dropna(subset=["province", "date", "value"])
    if value == "value" and "unit" in rows.columns and len(rows):
        wanted = unit if unit is not None else rows["unit"].mode().iloc[0]
        rows = rows[rows["unit"] == wanted]
    if period == "half":
        rows["period"] = rows["date"].map(_half_label)
    else:
        rows["period"] = rows["date"].dt.to_period(_PERIOD_FREQ[period])
    order = ["province", "date"] + (["published"] if "published" in rows.columns else [])
    return rows.sort_values(order, kind="stable").reset_index(drop=True)


def _half_label(date: pd.Timestamp) -> str:
    return f"{date.year}-H{1 if date.month <= 6 else 2}"


def wide_table(
    data: Any,
    metric: str,
    value: str = "value",
    *,
    period: str = "year",
    agg: str = "last",
    scope_level: str | None = "tỉnh",
    unit: str | None = None,
    by: str = "province",
) -> pd.DataFrame:
    """Province x period table of one metric; NaN = no figure.

    Built on the panel (`cchc_nlp.dataset.panel`, `Dataset.wide`): each cell is the
    province's own figure, copies of an article counted once; `attrs["caveats"]` says what
    was left out. agg: "last" (or "best": the panel's figure), or "max", "min", "mean",
    "median", "sum", "count" over the cell's candidates. period "half" (2018-H1) is not a
    panel period: its cells are the last report of the half-year among the province's own
    figures. scope_level other than "tỉnh" tables the rows of that level instead.
    """
    if period == "half" or scope_level not in ("tỉnh", None):
        rows = select_metric(data, metric, value, period=period, scope_level=scope_level, unit=unit)
        if rows.empty:
            return pd.DataFrame()
        table = rows.pivot_table(index="province", columns="period", values="value", aggfunc=agg)
        table.columns = [str(column) for column in table.columns]
        table.columns.name = "period"
        return table.sort_index()
    metrics = _table(data, "metrics")
    articles = getattr(data, "articles", None) if not isinstance(data, pd.DataFrame) else None
    agg = "best" if agg == "last" else agg
    return wide_frame(metrics, articles, metric, period, value=value, agg=agg, unit=unit, by=by, codes=False)


def panel_chart(
    data: Any,
    metric: str,
    value: str = "value",
    *,
    provinces: Iterable[str] | None = None,
    by: str = "province",
    ax: Axes | None = None,
) -> Axes:
    """One metric by province over the years, from the panel: one line per province (or per
    2025 province with by="province_2025": the merged provinces' counts added up, other
    units averaged, a year left out unless every merged province has a figure), a point per
    year with its figure; cells whose candidates conflict are drawn as open circles.
    Accepts a Dataset or a panel DataFrame."""
    ax = _axes(ax, (8, 4.5))
    if isinstance(data, pd.DataFrame) and "period_match" in data.columns:
        panel = data[data["metric"] == metric]
    else:
        panel = panel_frame(_table(data, "metrics"), getattr(data, "articles", None), metric, "year", value=value)
    title = metric_label(metric) + (" — %" if value == "share" else "")
    ax.set_title(title)
    if provinces is not None:
        panel = panel[panel["province"].isin(list(provinces)) | panel["province_2025"].isin(list(provinces))]
    if panel.empty:
        return _no_data(ax, f"không có số liệu {metric}")
    panel = panel.assign(year=panel["period"].astype(str).str.slice(0, 4).astype(int))
    key = "province_2025" if by == "province_2025" else "province"
    if by == "province_2025":  # the provinces merged in 2025 added up (counts) or averaged
        combined = successor_cells(panel, "sum" if panel["unit"].eq("count").all() else "mean")
        combined = combined.assign(year=combined["period"].astype(str).str.slice(0, 4).astype(int))
        flags = panel.groupby(["province_2025", "year"])["conflict"].any()
        combined["conflict"] = [
            flags.get((n, y), False) for n, y in zip(combined["province_2025"], combined["year"], strict=True)
        ]
        panel = combined.dropna(subset=["value"])
    for name, group in panel.groupby(key, sort=False):
        series = group.set_index("year")["value"].sort_index()
        conflict = group.set_index("year")["conflict"].sort_index().astype(bool)
        (line,) = ax.plot(series.index, series.values, marker="o", label=name)
        flagged = conflict[conflict].index
        if len(flagged):
            ax.scatter(flagged, series.loc[flagged], s=90, facecolors="white", edgecolors=line.get_color(), zorder=3)
    ax.set_xlabel("năm")
    ax.set_ylabel("%" if value == "share" else "giá trị")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    _legend(ax)
    if metric.endswith(".rank"):
        _rank_axis(ax)
    return ax


def warning_codes(warnings: Any) -> list[str]:
    """The warning codes of one metric row's `warnings` cell (list, array, JSON or text).

    A warning "share_mismatch: 1132/1937 = 58.44% but the text says 57.41%" has the code
    "share_mismatch"; a warning without a colon is its own code.
    """
    if warnings is None or (isinstance(warnings, float) and np.isnan(warnings)):
        return []
    if isinstance(warnings, str):
        text = warnings.strip()
        if not text:
            return []
        if text.startswith("["):
            try:
                warnings = json.loads(text)
            except json.JSONDecodeError:
                warnings = [text]
        else:
            warnings = [part for part in text.split(";") if part.strip()]
    if isinstance(warnings, dict):
        warnings = [warnings]
    codes = []
    for item in warnings:
        if isinstance(item, dict):
            code = item.get("code") or item.get("type") or str(item)
        else:
            code = str(item).split(":", 1)[0]
        codes.append(str(code).strip())
    return codes


# --------------------------------------------------------------------------- charts


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    ensure_vietnamese_font()
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _no_data(ax: Axes, message: str) -> Axes:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def metric_over_time(
    data: Any,
    metric: str,
    value: str = "value",
    *,
    provinces: Iterable[str] | None = None,
    scope_level: str | None = "tỉnh",
    ax: Axes | None = None,
) -> Axes:
    """One line per province: the metric's figures at their period end dates."""
    ax = _axes(ax, (8, 4.5))
    rows = select_metric(data, metric, value, scope_level=scope_level)
    if provinces is not None:
        rows = rows[rows["province"].isin(list(provinces))]
    ylabel = metric_label(metric) + (" — %" if value == "share" else "")
    ax.set_title(ylabel)
    if rows.empty:
        return _no_data(ax, f"không có số liệu {metric}")
    for province, group in rows.groupby("province", sort=True):
        series = group.groupby("date")["value"].last()
        ax.plot(series.index, series.values, marker="o", label=province)
    ax.set_ylabel("%" if value == "share" else "giá trị")
    ax.set_xlabel("kỳ báo cáo (ngày cuối kỳ)")
    ax.grid(True, alpha=0.3)
    _legend(ax)
    if metric.endswith(".rank"):
        _rank_axis(ax)
    return ax


def province_period_heatmap(
    data: Any,
    metric: str,
    value: str = "value",
    *,
    period: str = "year",
    agg: str = "last",
    scope_level: str | None = "tỉnh",
    ax: Axes | None = None,
    cmap: str | None = None,
) -> Axes:
    """Provinces (rows) x periods (columns), each cell the figure, written in the cell too.

    Ranks use a reversed colour map so that better (lower) ranks are the darker green.
    """
    table = wide_table(data, metric, value, period=period, agg=agg, scope_level=scope_level)
    height = 1.2 + 0.45 * max(len(table), 1)
    width = 2.5 + 0.9 * max(len(table.columns), 1)
    ax = _axes(ax, (max(width, 5), height))
    ax.set_title(metric_label(metric) + (" — %" if value == "share" else ""))
    if table.empty:
        return _no_data(ax, f"không có số liệu {metric}")
    is_rank = metric.endswith(".rank")
    cmap = cmap or ("YlGn_r" if is_rank else "YlGn")
    values = table.to_numpy(dtype=float)
    image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", cmap=cmap)
    ax.set_xticks(range(len(table.columns)), labels=list(table.columns))
    ax.set_yticks(range(len(table.index)), labels=list(table.index))
    ax.set_xlabel("kỳ")
    low, high = np.nanmin(values), np.nanmax(values)
    for (row, column), cell in np.ndenumerate(values):
        if np.isnan(cell):
            continue
        dark = (cell - low) / (high - low) > 0.6 if high > low else False
        if is_rank:
            dark = not dark
        ax.text(
            column,
            row,
            _short_number(cell),
            ha="center",
            va="center",
            fontsize="small",
            color="white" if dark else "black",
        )
    colorbar = ax.figure.colorbar(image, ax=ax, shrink=0.8)
    if is_rank:
        colorbar.ax.invert_yaxis()
    return ax


def rank_chart(
    data: Any,
    metric: str = "index.par.rank",
    *,
    provinces: Iterable[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Ranks over the years, one line per province; rank 1 at the top (lower is better).

    Each point is labelled with its rank and, when stated, the number ranked ("42/63").
    """
    if not metric.endswith(".rank"):
        raise InputError(f"rank_chart draws rank metrics (*.rank), not {metric!r}; use metric_over_time")
    ax = _axes(ax, (8, 4.5))
    rows = select_metric(data, metric, scope_level=None)
    if provinces is not None:
        rows = rows[rows["province"].isin(list(provinces))]
    ax.set_title(metric_label(metric))
    if rows.empty:
        return _no_data(ax, f"không có số liệu {metric}")
    for province, group in rows.groupby("province", sort=True):
        group = group.sort_values("date").drop_duplicates("period", keep="last")
        years = [period.year for period in group["period"]]
        (line,) = ax.plot(years, group["value"], marker="o", label=province)
        denominators = group["denominator"] if "denominator" in group.columns else [None] * len(group)
        for year, rank, denominator in zip(years, group["value"], denominators, strict=True):
            text = _short_number(rank) + (f"/{_short_number(denominator)}" if _is_number(denominator) else "")
            ax.annotate(
                text,
                (year, rank),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize="small",
                color=line.get_color(),
            )
    ax.set_xlabel("năm")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _rank_axis(ax)
    ax.grid(True, alpha=0.3)
    _legend(ax)
    return ax


def _legend(ax: Axes) -> None:
    """The province legend: inside when short, beside the plot when long."""
    if len(ax.get_lines()) > 6:
        ax.legend(title="Tỉnh", fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        ax.legend(title="Tỉnh", fontsize="small", loc="best")


def _rank_axis(ax: Axes) -> None:
    """Rank 1 on top, integer ticks, room for the point labels."""
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    low, high = ax.get_ylim()
    if low < high:
        ax.set_ylim(high + 1, max(low - 1, 0.5))
    ax.set_ylabel("thứ hạng (1 = tốt nhất)")


def warnings_distribution(data: Any, *, by: str = "code", ax: Axes | None = None) -> Axes:
    """Horizontal bars: how many metric rows carry each consistency warning.

    by: "code" (the warning code) or "metric" (the metric key of rows with any warning).
    """
    metrics = _table(data, "metrics")
    ax = _axes(ax, (7, 3.5))
    ax.set_title("Cảnh báo nhất quán của số liệu")
    counts: Counter[str] = Counter()
    if "warnings" in metrics.columns:
        for metric, warnings in zip(metrics.get("metric", [""] * len(metrics)), metrics["warnings"], strict=True):
            codes = warning_codes(warnings)
            if by == "metric":
                counts.update([metric] if codes else [])
            else:
                counts.update(set(codes))
    if not counts:
        return _no_data(ax, "không có cảnh báo")
    labels, sizes = zip(*sorted(counts.items(), key=lambda item: (item[1], item[0])), strict=True)
    ax.barh(labels, sizes, color="tab:orange")
    for y, size in enumerate(sizes):
        ax.text(size, y, f" {size}", va="center", fontsize="small")
    ax.set_xlabel("số dòng số liệu")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.margins(x=0.15)
    return ax


def officials_timeline(data: Any, *, top: int = 15, ax: Axes | None = None) -> Axes:
    """When each official appears: one row per person, a dot per article, coloured by province.

    Takes a Dataset (entities joined to articles for the publication date) or an entity
    DataFrame that already has `published`. Shows the `top` officials with most articles.
    """
    entities = _table(data, "entities")
    _require(entities, ["label"], "entity")
    people = entities[entities["label"] == "OFFICIAL"].copy()
    articles = getattr(data, "articles", None)
    if isinstance(articles, pd.DataFrame) and "doc_id" in people.columns:
        lookup = articles.drop_duplicates("doc_id").set_index("doc_id")
        for column in ("published", "province"):
            if column in lookup.columns:
                joined = people["doc_id"].map(lookup[column])
                people[column] = people[column].fillna(joined) if column in people.columns else joined
    title = "Cán bộ được nêu tên theo thời gian"
    if "published" not in people.columns or people.empty:
        return _no_data(_titled(_axes(ax, (8, 3)), title), "không có cán bộ nào có ngày đăng")
    people["person"] = people["norm"].fillna(people["text"]) if "norm" in people.columns else people["text"]
    people["date"] = pd.to_datetime(people["published"].astype("string").str.slice(0, 10), errors="coerce")
    if "province" not in people.columns:
        people["province"] = None
    people["province"] = people["province"].fillna("(không rõ)")
    people = people.dropna(subset=["date"]).drop_duplicates(
        ["person", "doc_id"] if "doc_id" in people.columns else ["person", "date"]
    )
    if people.empty:
        return _no_data(_titled(_axes(ax, (8, 3)), title), "không có cán bộ nào có ngày đăng")
    order = (
        people.groupby("person")["date"].agg(["count", "min"]).sort_values(["count", "min"], ascending=[False, True])
    )
    chosen = list(order.index[:top])
    people = people[people["person"].isin(chosen)]
    ax = _titled(_axes(ax, (9, 1.4 + 0.3 * len(chosen))), title)
    position = {person: index for index, person in enumerate(reversed(chosen))}
    for province, group in people.groupby("province", sort=True):
        ax.scatter(group["date"], group["person"].map(position), label=province, s=40, alpha=0.8)
    ax.set_yticks(range(len(chosen)), labels=list(reversed(chosen)))
    ax.set_xlabel("ngày đăng")
    ax.margins(x=0.08, y=0.5 / max(len(chosen), 1))
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(title="Tỉnh", fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")
    return ax


def _titled(ax: Axes, title: str) -> Axes:
    ax.set_title(title)
    return ax


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not pd.isna(value)


def _short_number(value: float) -> str:
    """42.0 -> "42", 57.41 -> "57,41", 6827.0 -> "6.827" (Vietnamese separators)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", " ").replace(".", ",").replace(" ", ".")


def render_entities(doc: Any, style: str = "span", *, jupyter: bool | None = None) -> str | None:
    """Highlight a Doc's entities with displaCy, one colour per label (ENTITY_COLORS).

    style "span" shows doc.spans["entities"] (nested and overlapping entities too, e.g.
    the PROVINCE inside "UBND tỉnh Vĩnh Long"); "ent" shows the non-overlapping doc.ents.
    In Jupyter the markup is displayed (None returned); elsewhere it is returned as HTML.
    """
    from spacy import displacy  # spaCy only for this view, not for the charts

    if style == "span":
        if "entities" not in doc.spans:
            raise InputError('the Doc has no spans["entities"]; parse it with cchc_nlp.load() (entity taggers on)')
        options = {"spans_key": "entities", "colors": ENTITY_COLORS}
    elif style == "ent":
        options = {"ents": list(ENTITY_COLORS), "colors": ENTITY_COLORS}
    else:
        raise InputError(f"style must be 'span' or 'ent', not {style!r}")
    return displacy.render(doc, style=style, options=options, jupyter=jupyter)
