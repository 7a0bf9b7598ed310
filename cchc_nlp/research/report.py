"""A self-contained HTML report of an extracted dataset (`cchc-nlp report DIR --out report.html`).

The report holds the summary tables (articles per province, metrics per key, headline
metrics by province and year, consistency warnings, officials, failed documents) and the
charts of `cchc_nlp.research.plot` as embedded base64 PNG images: one file, no external assets,
every piece of text HTML-escaped.

>>> from types import SimpleNamespace
>>> import pandas as pd
>>> empty = SimpleNamespace(articles=pd.DataFrame(), entities=pd.DataFrame(),
...                         metrics=pd.DataFrame(), errors=pd.DataFrame())
>>> "<h1>" in render_report(empty, title="<Báo cáo>") and "&lt;Báo cáo&gt;" in render_report(empty, title="<Báo cáo>")
True
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cchc_nlp.dataset import Dataset
from cchc_nlp.dataset.panel import caveat_lines, panel_frame, wide_frame
from cchc_nlp.errors import DataError, InputError
from cchc_nlp.research import plot
from cchc_nlp.tag.gazetteer import province_columns

__all__ = [
    "HEADLINE_METRICS",
    "load_dataset",
    "officials_table",
    "summary_tables",
    "render_report",
    "write_report",
]

# (metric, value column, heading): the figures the report charts by province and year.
HEADLINE_METRICS: tuple[tuple[str, str, str], ...] = (
    ("dossier.on_time_or_early", "share", "Tỷ lệ hồ sơ giải quyết đúng và trước hạn (%)"),
    ("tthc.simplified", "value", "Số TTHC được đơn giản hóa"),
    ("index.par.rank", "value", "Xếp hạng Chỉ số CCHC (PAR INDEX)"),
)

_MAX_TABLE_ROWS = 200

_STYLE = """
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; margin: 2em auto; max-width: 70em;
       color: #222; line-height: 1.4; padding: 0 1em; }
h1 { border-bottom: 2px solid #2a7; padding-bottom: .2em; }
h2 { margin-top: 2em; color: #185; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .9em; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #eef7f1; }
img { max-width: 100%; height: auto; display: block; margin: .5em 0 1em; }
.note { color: #666; font-size: .9em; }
dl.counts { display: grid; grid-template-columns: max-content auto; gap: .2em 1em; }
dl.counts dt { font-weight: bold; }
"""


# --------------------------------------------------------------------------- tables


def _frame(data: Any, name: str) -> pd.DataFrame:
    table = getattr(data, name, None)
    return table if isinstance(table, pd.DataFrame) else pd.DataFrame()


def _as_list(cell: Any) -> list[Any]:
    """A list-valued cell (list, tuple, numpy array, None/NaN) as a list."""
    if cell is None:
        return []
    if isinstance(cell, (list, tuple, np.ndarray)):
        return list(cell)
    if isinstance(cell, float) and np.isnan(cell):
        return []
    return [cell]


def _year(value: Any) -> int | None:
    stamp = pd.to_datetime(str(value)[:10], errors="coerce") if value is not None and not pd.isna(value) else pd.NaT
    return None if pd.isna(stamp) else int(stamp.year)


def officials_table(data: Any) -> pd.DataFrame:
    """Who appears with which title, in which province and year.

    One row per (official, title, province, year): the number of articles and the first
    article's doc_id. Takes a Dataset (dates and missing provinces come from the article
    table) or an entity DataFrame with `published`.
    """
    entities = data if isinstance(data, pd.DataFrame) else _frame(data, "entities")
    columns = ["official", "title", "province", "year", "articles", "first_doc_id"]
    if entities.empty or "label" not in entities.columns:
        return pd.DataFrame(columns=columns)
    people = entities[entities["label"] == "OFFICIAL"].copy()
    articles = _frame(data, "articles")
    if not articles.empty and "doc_id" in articles.columns and "doc_id" in people.columns:
        lookup = articles.drop_duplicates("doc_id").set_index("doc_id")
        for column in ("published", "province"):
            if column in lookup.columns:
                joined = people["doc_id"].map(lookup[column])
                people[column] = people[column].fillna(joined) if column in people.columns else joined
    rows = []
    for record in people.to_dict("records"):
        name = record.get("norm") or record.get("name") or record.get("text")
        titles = _as_list(record.get("titles")) or [None]
        for title in titles:
            rows.append(
                {
                    "official": name,
                    "title": title,
                    "province": record.get("province") if isinstance(record.get("province"), str) else None,
                    "year": _year(record.get("published")),
                    "doc_id": record.get("doc_id"),
                }
            )
    if not rows:
        return pd.DataFrame(columns=columns)
    flat = pd.DataFrame(rows)
    keys = ["official", "title", "province", "year"]
    grouped = (
        flat.groupby(keys, dropna=False, sort=False)["doc_id"]
        .agg(articles="nunique", first_doc_id="first")
        .reset_index()
    )
    grouped["year"] = grouped["year"].astype("Int64")
    return grouped.sort_values(["official", "year", "title"], na_position="last").reset_index(drop=True)[columns]


def summary_tables(data: Any) -> dict[str, pd.DataFrame]:
    """The report's tables, by name: articles_by_province, metrics_by_key, warnings, errors,
    officials, conflicts, and per headline metric its panel ("panel:<metric>") and province x
    year table built on it ("wide:<metric>", caveats in its attrs)."""
    articles, metrics, errors = _frame(data, "articles"), _frame(data, "metrics"), _frame(data, "errors")
    tables: dict[str, pd.DataFrame] = {}

    if not articles.empty:
        if "province_code" not in articles.columns:  # tables written before the codes existed
            filled = [province_columns(p) if isinstance(p, str) else {} for p in articles.get("province", [])]
            articles = articles.assign(
                province_code=[f.get("province_code") for f in filled],
                province_2025=[f.get("province_2025") for f in filled],
            )
        frame = articles.assign(
            province=articles["province"].fillna("(không rõ)") if "province" in articles.columns else "(không rõ)",
            date=pd.to_datetime(
                articles.get("published", pd.Series(None, index=articles.index)).astype("string").str.slice(0, 10),
                errors="coerce",
            ),
        )
        tables["articles_by_province"] = (
            frame.groupby("province")
            .agg(
                province_code=("province_code", "first"),
                province_2025=("province_2025", "first"),
                articles=("doc_id", "count"),
                stories=("dup_group", "nunique") if "dup_group" in frame.columns else ("doc_id", "nunique"),
                first=("date", "min"),
                last=("date", "max"),
            )
            .sort_values("articles", ascending=False)
            .assign(
                first=lambda t: t["first"].dt.strftime("%Y-%m-%d"), last=lambda t: t["last"].dt.strftime("%Y-%m-%d")
            )
        )
    else:
        tables["articles_by_province"] = pd.DataFrame()

    if not metrics.empty and "metric" in metrics.columns:
        with_warnings = (
            metrics["warnings"].map(lambda cell: bool(plot.warning_codes(cell)))
            if "warnings" in metrics.columns
            else False
        )
        frame = metrics.assign(has_warning=with_warnings)
        tables["metrics_by_key"] = (
            frame.groupby("metric")
            .agg(
                rows=("metric", "size"),
                documents=("doc_id", "nunique"),
                provinces=("province", "nunique"),
                with_warnings=("has_warning", "sum"),
            )
            .sort_values("rows", ascending=False)
        )
        flagged = frame[frame["has_warning"]]
        keep = [
            c
            for c in ("doc_id", "province", "metric", "value", "denominator", "share", "warnings", "sentence")
            if c in flagged.columns
        ]
        warnings = flagged[keep].copy()
        if "warnings" in warnings.columns:
            warnings["warnings"] = warnings["warnings"].map(lambda cell: "; ".join(str(w) for w in _as_list(cell)))
        tables["warnings"] = warnings.reset_index(drop=True)
    else:
        tables["metrics_by_key"] = pd.DataFrame()
        tables["warnings"] = pd.DataFrame()

    for metric, value, _ in HEADLINE_METRICS:
        if metrics.empty or "metric" not in metrics.columns:
            tables[f"wide:{metric}"] = tables[f"panel:{metric}"] = pd.DataFrame()
            continue
        panel = panel_frame(metrics, articles if not articles.empty else None, metric, "year", value=value)
        wide = wide_frame(metrics, articles if not articles.empty else None, metric, "year", value=value)
        tables[f"wide:{metric}"] = wide
        tables[f"panel:{metric}"] = panel
    conflicts = [
        tables[f"panel:{m}"][tables[f"panel:{m}"]["conflict"]]
        for m, _, _ in HEADLINE_METRICS
        if not tables[f"panel:{m}"].empty
    ]
    keep = ["province", "province_code", "period", "metric", "value", "other_values", "doc_id", "sentence"]
    tables["conflicts"] = pd.concat(conflicts)[keep].reset_index(drop=True) if conflicts else pd.DataFrame()

    tables["officials"] = officials_table(data)
    tables["errors"] = errors.reset_index(drop=True)
    return tables


# --------------------------------------------------------------------------- HTML


def _png(draw: Callable[[Axes], Any], size: tuple[float, float] = (8, 4.5)) -> str:
    """Draw on a fresh Figure (no pyplot state) and return it as a base64 PNG data URI."""
    plot.ensure_vietnamese_font()
    figure = Figure(figsize=size, layout="constrained")
    draw(figure.subplots())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _img(draw: Callable[[Axes], Any], alt: str, size: tuple[float, float] = (8, 4.5)) -> str:
    return f'<img src="{_png(draw, size)}" alt="{html.escape(alt)}">'


def _table_html(table: pd.DataFrame, table_id: str, empty: str, index: bool = True) -> str:
    if table.empty:
        return f'<p class="note">{html.escape(empty)}</p>'
    note = ""
    if len(table) > _MAX_TABLE_ROWS:
        note = f'<p class="note">{_MAX_TABLE_ROWS} / {len(table)} dòng đầu.</p>'
        table = table.head(_MAX_TABLE_ROWS)
    body = table.to_html(
        escape=True, index=index, table_id=table_id, na_rep="", border=0, float_format=lambda x: f"{x:g}"
    )
    return body + note


def render_report(data: Any, title: str = "Báo cáo dữ liệu CCHC", source: str | None = None) -> str:
    """The HTML text of the report of `data` (a Dataset, or anything with the four tables)."""
    tables = summary_tables(data)
    articles, entities, metrics, errors = (_frame(data, n) for n in ("articles", "entities", "metrics", "errors"))
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        '<p class="note">'
        + esc(f"Tạo lúc {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}" + (f" từ {source}" if source else ""))
        + "</p>",
        '<dl class="counts">',
        *(
            f"<dt>{esc(name)}</dt><dd>{len(frame):,}</dd>"
            for name, frame in (("Bài viết", articles), ("Thực thể", entities), ("Số liệu", metrics), ("Lỗi", errors))
        ),
        "</dl>",
        "<h2>Bài viết theo tỉnh</h2>",
        _table_html(tables["articles_by_province"], "articles-by-province", "Không có bài viết."),
        "<h2>Số liệu theo chỉ tiêu</h2>",
        _table_html(tables["metrics_by_key"], "metrics-by-key", "Không có số liệu."),
    ]
    parts.append(
        '<p class="note">'
        + esc(
            "Bảng tỉnh × năm dựng từ panel (Dataset.panel): mỗi ô là số liệu của chính tỉnh (phạm vi toàn tỉnh, "
            "hoặc tỉnh trong một bảng xếp hạng), bài đăng lại (cùng dup_group) chỉ tính một lần; số liệu của sở, "
            "huyện, xã, cấp hành chính và số liệu cả nước không vào bảng."
        )
        + "</p>"
    )
    for metric, value, heading in HEADLINE_METRICS:
        parts.append(f"<h2>{esc(heading)} <small>({esc(metric)})</small></h2>")
        wide = tables[f"wide:{metric}"]
        caveats = caveat_lines(wide.attrs.get("caveats", {})) if not wide.empty else []
        if wide.empty:
            parts.append(f'<p class="note">{esc("Không có số liệu " + metric + " của cấp tỉnh có kỳ báo cáo.")}</p>')
            continue
        parts.append(_table_html(wide, f"wide-{metric}", ""))
        if caveats:
            parts.append("<p>Lưu ý (caveats):</p><ul>" + "".join(f"<li>{esc(c)}</li>" for c in caveats) + "</ul>")
        if metric.endswith(".rank"):
            parts.append(_img(lambda ax, m=metric: plot.rank_chart(data, m, ax=ax), heading))
        else:
            panel = tables[f"panel:{metric}"]
            parts.append(_img(lambda ax, p=panel, m=metric, v=value: plot.panel_chart(p, m, v, ax=ax), heading))
        rows, columns = wide.shape
        parts.append(
            _img(
                lambda ax, m=metric, v=value: plot.province_period_heatmap(data, m, v, ax=ax),
                heading + " — bảng nhiệt",
                (max(5, 2.5 + 0.9 * columns), 1.2 + 0.45 * rows),
            )
        )
    parts += [
        "<h2>Ô có số liệu mâu thuẫn (conflicts)</h2>",
        '<p class="note">Các ô của panel có nhiều giá trị khác nhau cho cùng một kỳ; giá trị được chọn và các giá trị '
        "khác, kèm bằng chứng.</p>",
        _table_html(tables["conflicts"], "conflicts", "Không có ô mâu thuẫn.", index=False),
        "<h2>Cảnh báo nhất quán</h2>",
        '<p class="note">Số liệu được ghi đúng như văn bản; cảnh báo nêu chỗ các con số không khớp nhau.</p>',
    ]
    if not tables["warnings"].empty:
        parts.append(_img(lambda ax: plot.warnings_distribution(data, ax=ax), "Phân bố cảnh báo", (7, 3.5)))
    parts.append(_table_html(tables["warnings"], "warnings", "Không có cảnh báo.", index=False))
    parts.append("<h2>Cán bộ theo chức danh, tỉnh và năm</h2>")
    if not tables["officials"].empty:
        people = tables["officials"]["official"].nunique()
        parts.append(
            _img(
                lambda ax: plot.officials_timeline(data, ax=ax),
                "Cán bộ theo thời gian",
                (8, 1.5 + 0.3 * min(people, 15)),
            )
        )
    parts.append(_table_html(tables["officials"], "officials", "Không có cán bộ nào được nhận diện.", index=False))
    parts += ["<h2>Tài liệu lỗi</h2>", _table_html(tables["errors"], "errors", "Không có tài liệu lỗi.", index=False)]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(data: Any, out: str | Path, title: str = "Báo cáo dữ liệu CCHC", source: str | None = None) -> Path:
    """Write the report of `data` to `out` (UTF-8 HTML) and return its path."""
    out = Path(out)
    if out.parent and not out.parent.exists():
        raise InputError(f"cannot write {out}: folder {out.parent} does not exist; create it or choose another --out")
    out.write_text(render_report(data, title=title, source=source), encoding="utf-8")
    return out


def load_dataset(directory: str | Path) -> Any:
    """Dataset.load(directory), with a one-line InputError when it is not a dataset folder."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"{directory} is not a folder; give the output folder of `cchc-nlp extract`")
    try:
        return Dataset.load(directory)
    except DataError as exc:  # the folder the user named is not a (whole) dataset: an input error
        raise InputError(str(exc)) from None


# --------------------------------------------------------------------------- CLI
