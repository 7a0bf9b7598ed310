"""The dataset: articles, entities and metrics of a corpus as tables.

From the command line::

    cchc-nlp extract corpus/ crawl.warc.gz --out out/ --jobs 2

From Python::

    import cchc_nlp as cc
    ds = cc.extract(["corpus/"], jobs=2, out="out/")   # or out=None: in memory only
    ds = cc.Dataset.load("out/")
    ds.articles, ds.entities, ds.metrics, ds.errors       # pandas DataFrames
    ds.metrics_by(province="Vĩnh Long", metric="dossier.*", period="year")
    ds.wide("dossier.on_time_or_early", period="quarter", value="share")

The tables, their columns and types are described in `cchc_nlp.dataset.tables` (data dictionary);
how a run reads, parallelizes, resumes and writes in `cchc_nlp.dataset.run`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from cchc_nlp.dataset.dedup import dup_groups
from cchc_nlp.dataset.export import to_r, to_stata
from cchc_nlp.dataset.panel import PERIODS, panel_frame, wide_frame, with_articles
from cchc_nlp.dataset.run import CHUNK_SIZE, run_extract
from cchc_nlp.dataset.select import metric_keys_matching, province_mask
from cchc_nlp.dataset.tables import FORMATS, SCHEMAS, TABLES, read_table, table_file, write_table
from cchc_nlp.errors import DataError, InputError
from cchc_nlp.tag.gazetteer import PROVINCE_COLUMNS, province_columns

__all__ = ["Dataset", "extract", "PERIODS"]


class Dataset:
    """The tables of an extraction, as pandas DataFrames.

    Attributes: `articles`, `entities`, `metrics`, `errors` (DataFrames with the columns
    of the data dictionary; date columns are datetime64, list columns hold lists),
    `manifest` (dict: inputs, counts, versions, run) and `path` (the directory it was
    loaded from, or None).

    >>> ds = Dataset.load("out/")                                  # doctest: +SKIP
    >>> ds.metrics_by(metric="index.par.rank", province="Lạng Sơn")  # doctest: +SKIP
    """

    def __init__(
        self,
        articles: pd.DataFrame,
        entities: pd.DataFrame,
        metrics: pd.DataFrame,
        errors: pd.DataFrame,
        manifest: dict[str, Any] | None = None,
        path: Path | None = None,
    ):
        self.articles = articles
        self.entities = entities
        self.metrics = metrics
        self.errors = errors
        self.manifest = manifest or {}
        self.path = path

    # --- loading and saving ---------------------------------------------------------

    @classmethod
    def load(cls, directory: str | os.PathLike) -> Dataset:
        """Read the tables an extraction wrote to `directory` (any of the three formats).

        >>> ds = Dataset.load("out/")      # doctest: +SKIP
        >>> len(ds.articles), len(ds.metrics)  # doctest: +SKIP
        (120, 1843)
        """
        directory = Path(directory)
        manifest_path = directory / "manifest.json"
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DataError(f"{directory} has no manifest.json; it is not the output of cchc-nlp extract") from None
        except ValueError as exc:
            raise DataError(f"{manifest_path} is not valid JSON ({exc}); run the extraction again") from None
        fmt = manifest.get("format", "parquet")
        frames = {}
        for table in TABLES:
            path = table_file(directory, table, fmt)
            try:
                frames[table] = _to_pandas(read_table(path, table, fmt))
            except FileNotFoundError:
                raise DataError(f"{path} is missing; run the extraction again") from None
        _backfill(frames)
        return cls(**frames, manifest=manifest, path=directory)

    def tables(self) -> dict[str, pd.DataFrame]:
        """{table name: DataFrame} of the four tables."""
        return {"articles": self.articles, "entities": self.entities, "metrics": self.metrics, "errors": self.errors}

    def save(self, directory: str | os.PathLike, fmt: str = "parquet") -> list[Path]:
        """Write the four tables to `directory` in `fmt` (parquet, csv or jsonl); return the paths."""
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for table, frame in self.tables().items():
            data = pa.Table.from_pandas(frame[SCHEMAS[table].names], schema=SCHEMAS[table], preserve_index=False)
            path = table_file(directory, table, fmt)
            write_table(data, path, fmt)
            written.append(path)
        return written

    def to_parquet(self, directory: str | os.PathLike) -> list[Path]:
        """Write the tables as DIR/articles.parquet, ... (same schema as `extract`)."""
        return self.save(directory, "parquet")

    def to_csv(self, directory: str | os.PathLike) -> list[Path]:
        """Write the tables as CSV (list columns as JSON arrays, dates as YYYY-MM-DD)."""
        return self.save(directory, "csv")

    def to_jsonl(self, directory: str | os.PathLike) -> list[Path]:
        """Write the tables as JSON Lines."""
        return self.save(directory, "jsonl")

    def to_stata(self, directory: str | os.PathLike) -> list[Path]:
        """Write the tables and the yearly panel as Stata files (DIR/articles.dta, ..., panel.dta)
        with variable labels, value labels for province and metric, and DIR/codebook.md
        (`cchc_nlp.dataset.export`)."""
        return to_stata(self, directory)

    def to_r(self, directory: str | os.PathLike) -> list[Path]:
        """Write the tables and the yearly panel as UTF-8 CSV with DIR/load.R, which reads them
        into R with factors, Vietnam-time POSIXct, Dates and labels; and DIR/codebook.md."""
        return to_r(self, directory)

    # --- research helpers -----------------------------------------------------------

    def metrics_by(
        self,
        province: str | int | Sequence[str | int] | None = None,
        metric: str | Sequence[str] | None = None,
        period: str | None = None,
        include_targets: bool = False,
        *,
        province_2025: str | int | Sequence[str | int] | None = None,
        dedup: bool = False,
    ) -> pd.DataFrame:
        """Metric rows with their article's context, filtered.

        Each row gets `province` and its codes (the figure's own province, else its
        article's; none for national figures), `published`, `title`, `url`, `dup_group`, and
        with `period` a `period` column (a pandas Period of the figure's period end, else of
        the publication date).

        province: a name, code or list of them, with or without diacritics ("Soc Trang",
            "94", "TP.HCM"); province_2025: the same for the post-merger province (34 units:
            "Cần Thơ" keeps the rows of Sóc Trăng, Hậu Giang and Cần Thơ). An unknown name is
            an InputError with suggestions.
        metric: a key, a list of keys, or a pattern ("dossier.*"); one that matches no key is
            an InputError with suggestions.
        period: "year", "quarter" or "month" adds the period column; a period such as
            "2020", "2020Q2" or "2020-06" keeps only the figures of that period.
        include_targets: keep goals (is_target) too; by default only achievements.
        dedup: keep the rows of one article per near-duplicate group (`articles.dup_group`),
            so that sums count a story published under several URLs once.

        Every scope is kept (an agency's or a district's figure too): `panel` keeps the
        province's own figures.

        >>> ds.metrics_by(province="Vinh Long", metric="dossier.*", period="2018")  # doctest: +SKIP
        """
        rows = with_articles(self.metrics, self.articles)
        if not include_targets:
            rows = rows[rows["is_target"].ne(True)]
        if province is not None:
            rows = rows[province_mask(rows, province)]
        if province_2025 is not None:
            rows = rows[province_mask(rows, province_2025, "province_2025_code", "province_2025")]
        if metric is not None:
            keys = metric_keys_matching(metric, present=self.metrics["metric"].dropna().unique())
            rows = rows[rows["metric"].isin(keys)]
        if dedup:
            first = self.articles.drop_duplicates("dup_group") if "dup_group" in self.articles else self.articles
            rows = rows[rows["doc_id"].isin(first["doc_id"]) | rows["dup_group"].isna()]
        if period is not None:
            freq, selected = _period_spec(period)
            rows = rows.assign(period=_period_of(rows, freq))
            if selected is not None:
                rows = rows[rows["period"] == selected]
        return rows.reset_index(drop=True)

    def panel(
        self,
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
        """The province x period panel: one row per province, period and metric with the
        province's own figure, its evidence (doc_id, sentence, url), the number of
        candidate figures, whether they conflict, and the province's code and 2025
        successor. How rows are chosen: `cchc_nlp.dataset.panel`; what was left out and
        why: `.attrs["caveats"]` (`cchc_nlp.dataset.panel.caveat_lines`).

        candidates: every candidate row of the cells instead, `chosen` marking the panel's.

        >>> ds.panel("index.par.score")[["province", "period", "value", "conflict"]]  # doctest: +SKIP
        """
        return panel_frame(
            self.metrics,
            self.articles,
            metric,
            period,
            province=province,
            province_2025=province_2025,
            unit=unit,
            value=value,
            include_targets=include_targets,
            candidates=candidates,
        )

    def wide(
        self,
        metric: str,
        period: str = "year",
        value: str = "value",
        agg: str = "best",
        unit: str | None = None,
        *,
        by: str = "province",
        codes: bool = True,
    ) -> pd.DataFrame:
        """One metric as a province x period table built on `panel`: rows are provinces
        (index levels province, province_code, province_2025, in official order), columns
        periods.

        period: "year", "quarter" or "month".
        value: "value" or "share" (the stated percent).
        agg: "best" (the panel's figure; "last" is the same), or "max", "min", "mean",
            "median", "sum", "count" over the cell's stories, one figure each (copies of an
            article are one story).
        unit: keep figures of this unit only; default: the metric's most common unit.
        by: "province_2025" follows the 34 provinces across the 2025 merger (the figures of
            merged provinces added up for counts, averaged otherwise).
        codes: False indexes the rows by the province name alone (`.loc["Hà Nam", "2020"]`).

        >>> ds.wide("dossier.received", period="quarter")  # doctest: +SKIP
        """
        return wide_frame(
            self.metrics, self.articles, metric, period, value=value, agg=agg, unit=unit, by=by, codes=codes
        )

    def __repr__(self) -> str:
        where = f" from {self.path}" if self.path else ""
        return (
            f"<Dataset{where}: {len(self.articles):,} articles, {len(self.entities):,} entities, "
            f"{len(self.metrics):,} metrics, {len(self.errors):,} errors>"
        )


def _to_pandas(data) -> pd.DataFrame:
    """Arrow -> pandas with dates as datetime64 (so .dt and period grouping work) and list
    columns as Python lists."""
    frame = data.to_pandas(date_as_object=False)
    for field in data.schema:
        if pa.types.is_list(field.type):
            frame[field.name] = pd.Series(data.column(field.name).to_pylist(), index=frame.index, dtype=object)
    return frame


def _backfill(frames: dict[str, pd.DataFrame]) -> None:
    """Columns that tables written by an older version lack (read as nulls): the province
    codes and the near-duplicate groups, derived here as an extraction would."""
    articles, metrics = frames["articles"], frames["metrics"]
    if len(articles) and articles["dup_group"].isna().all():
        groups = dup_groups(articles["doc_id"].tolist(), articles["text"].tolist(), order=articles["published"])
        articles["dup_group"] = articles["doc_id"].map(groups)
    published = dict(zip(articles["doc_id"], articles["published"], strict=False))
    for frame in (articles, metrics):
        if not (frame["province_code"].isna().all() and frame["province"].notna().any()):
            continue  # codes present (or no province to code)
        filled = [
            province_columns(p, published.get(d)) for p, d in zip(frame["province"], frame["doc_id"], strict=True)
        ]
        for column in PROVINCE_COLUMNS:
            frame[column] = [f[column] for f in filled]
    entities = frames["entities"]
    if len(entities) and entities["province_2025"].isna().all():  # written before entities had the 2025 columns
        named = entities["province"].where(
            entities["province"].notna(), entities["name"].where(entities["label"].eq("PROVINCE"))
        )
        filled = [
            province_columns(p, published.get(d)) if isinstance(p, str) else dict.fromkeys(PROVINCE_COLUMNS)
            for p, d in zip(named, entities["doc_id"], strict=True)
        ]
        for column in PROVINCE_COLUMNS:
            entities[column] = entities[column].where(entities[column].notna(), [f[column] for f in filled])


def _period_spec(period: str) -> tuple[str, pd.Period | None]:
    """("year"|"quarter"|"month") -> (freq, None); "2020"/"2020Q2"/"2020-06" -> (freq, that period)."""
    if period in PERIODS:
        return PERIODS[period], None
    text = str(period).strip()
    freq = "Q" if "Q" in text.upper() else "M" if len(text) >= 6 else "Y"
    try:
        return freq, pd.Period(text, freq=freq)
    except ValueError:
        raise InputError(
            f"period {period!r} is not year/quarter/month nor a period like 2020, 2020Q2, 2020-06"
        ) from None


def _period_of(rows: pd.DataFrame, freq: str) -> pd.Series:
    when = pd.to_datetime(rows["period_end"]).fillna(pd.to_datetime(rows["published_date"]))
    return when.dt.to_period(freq)


# --- extract -------------------------------------------------------------------------


def extract(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    out: str | os.PathLike | None = None,
    *,
    jobs: int | None = 1,
    engine: str = "local",
    scheduler: str | None = None,
    limit: int | None = None,
    format: str = "parquet",
    progress: bool = False,
    chunk_size: int | None = None,
    prune: bool = False,
) -> Dataset:
    """Extract articles, entities and metrics from a corpus.

    paths: files or folders of .txt page dumps, .html pages, .warc(.gz) archives and
        .jsonl records.
    out: output directory (tables, manifest.json, parts for resuming); None to keep the
        result in memory only.
    jobs: worker processes (or Dask workers of the local cluster with engine="dask");
        None: one per available CPU, but this process alone for fewer than 32 documents
        (the command line's default).
    engine: "local" or "dask"; scheduler: a Dask scheduler address ("tcp://host:8786").
    limit: process at most this many new documents.
    prune: drop the rows of inputs an earlier run on `out` had and this one has not
        (by default they are kept, and the manifest's "gone_inputs" lists them).

    Documents that fail are in `.errors`; the run goes on. Re-running with the same `out`
    processes only new or changed inputs. With jobs > 1 in a script, call extract under
    ``if __name__ == "__main__":`` (worker processes import the main module, as with any
    multiprocessing on macOS/Windows or Python's forkserver).

    >>> import cchc_nlp as cc
    >>> ds = cc.extract(["corpus/samples"], jobs=2)        # doctest: +SKIP
    >>> ds.articles[["doc_id", "title", "province"]].head()  # doctest: +SKIP
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    options = dict(
        fmt=format,
        jobs=jobs,
        engine=engine,
        scheduler=scheduler,
        limit=limit,
        chunk_size=chunk_size or CHUNK_SIZE,
        progress=progress,
        prune=prune,
    )
    if out is not None:
        run_extract(paths, out, **options)
        return Dataset.load(out)
    with tempfile.TemporaryDirectory(prefix="cchc-extract-") as tmp:
        run_extract(paths, tmp, **options)
        dataset = Dataset.load(tmp)
    dataset.path = None
    return dataset
