"""The Dask engine gives the same tables as the local one."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from extract_corpus import build_corpus, fake_pipeline

from cchc_nlp.dataset import Dataset, extract, worker
from cchc_nlp.errors import InputError

distributed = pytest.importorskip("distributed")

TABLES = ("articles", "entities", "metrics", "errors")


def _assert_same(a: Dataset, b: Dataset) -> None:
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))


def test_dask_engine_on_a_cluster_equals_local_engine(tmp_path, monkeypatch):
    # An in-process cluster shares this process's pipeline, here the stand-in tagger.
    monkeypatch.setattr(worker, "_NLP", fake_pipeline())
    corpus = build_corpus(tmp_path / "corpus", n=3, broken=True)
    local = extract(corpus.root, tmp_path / "local")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        on_dask = extract(
            corpus.root, tmp_path / "dask", engine="dask", scheduler=cluster.scheduler_address, chunk_size=3
        )
    assert len(on_dask.entities) > 0 and len(on_dask.errors) == len(corpus.broken)
    _assert_same(local, on_dask)
    assert on_dask.manifest["run"]["engine"] == "dask"


def test_missing_dask_is_a_one_line_install_hint(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    (tmp_path / "a.jsonl").write_text('{"text": "Hội nghị cải cách hành chính."}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"pip install 'cchc-nlp\[dask\]'"):
        extract(tmp_path / "a.jsonl", tmp_path / "out", engine="dask")


@pytest.mark.slow
def test_default_local_cluster_with_worker_processes(tmp_path):
    corpus = build_corpus(tmp_path / "corpus", n=1)
    local = extract(corpus.root, tmp_path / "local")
    on_dask = extract(corpus.root, tmp_path / "dask", engine="dask", jobs=1)
    _assert_same(local, on_dask)
