"""`cchc-nlp extract`: options, summary, exit codes, manifest (with the real pipeline)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from extract_corpus import Sample, build_corpus

from cchc_nlp.cli import main
from cchc_nlp.dataset import Dataset


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return build_corpus(tmp_path_factory.mktemp("cli") / "corpus", n=2)


def test_extract_writes_tables_manifest_and_a_summary(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["extract", str(corpus.root), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    for word in ("articles", "entities", "metrics", "warnings", f"tables in {out}: articles.parquet"):
        assert word in captured.out
    assert "articles/s" in captured.err  # the progress bar
    for name in ("articles.parquet", "entities.parquet", "metrics.parquet", "errors.parquet", "manifest.json"):
        assert (out / name).is_file()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["articles"] == len(corpus.good) and manifest["counts"]["errors"] == 0
    assert manifest["versions"]["cchc_nlp"] and manifest["versions"]["underthesea"]
    assert any(key.startswith("underthesea.word_tokenize") for key in manifest["models"])
    assert manifest["run"]["seconds"] > 0 and manifest["run"]["documents"] == len(corpus.good) + corpus.skipped
    assert {i["path"] for i in manifest["inputs"]} == {
        str(p) for p in corpus.root.rglob("*") if p.suffix in (".txt", ".html", ".jsonl", ".gz")
    }
    assert all(i["complete"] for i in manifest["inputs"])
    ds = Dataset.load(out)
    assert set(ds.articles["path"]) == corpus.good
    for row in ds.entities.itertuples():  # whatever the taggers find, offsets hold
        assert ds.articles.set_index("doc_id").at[row.doc_id, "text"][row.start : row.end] == row.text


def test_quiet_jsonl_and_a_second_run(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["extract", str(corpus.root), "--out", str(out), "--format", "jsonl", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "articles/s" not in captured.err and "articles" in captured.out
    rows = [json.loads(line) for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["path"] for r in rows} == corpus.good
    assert main(["extract", str(corpus.root), "--out", str(out), "-q"]) == 0
    assert "this run: 0 documents" in capsys.readouterr().out


def test_failed_documents_give_exit_code_1(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text(Sample(1).dump(), encoding="utf-8")
    (tmp_path / "in" / "bad.txt").write_bytes(b"\xff\xfe\x00\x00")
    code = main(["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q"])
    assert code == 1
    assert "errors.parquet" in capsys.readouterr().out
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    assert errors[["path", "stage"]].values.tolist() == [[str(tmp_path / "in" / "bad.txt"), "decode"]]
    assert len(pd.read_parquet(tmp_path / "out" / "articles.parquet")) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["nothing-here"], "does not exist"),
        (["{corpus}", "--jobs", "0"], "--jobs"),
        (["{corpus}", "--scheduler", "tcp://127.0.0.1:1"], "--engine dask"),
        (["{corpus}", "--limit", "-1"], "--limit"),
    ],
)
def test_usage_errors_exit_2_with_one_line(corpus, tmp_path, capsys, args, message):
    args = [a.format(corpus=corpus.root) for a in args]
    assert main(["extract", *args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and err.startswith("cchc-nlp extract: error:")


def test_bad_option_values_are_usage_errors(corpus, tmp_path):
    with pytest.raises(SystemExit) as caught:
        main(["extract", str(corpus.root), "--out", str(tmp_path / "o"), "--format", "xlsx"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["extract", str(corpus.root)])  # --out is required
    assert caught.value.code == 2


@pytest.mark.slow
def test_two_processes_give_the_same_tables(corpus, tmp_path):
    assert main(["extract", str(corpus.root), "--out", str(tmp_path / "one"), "-q"]) == 0
    assert (
        main(["extract", str(corpus.root), "--out", str(tmp_path / "two"), "-q", "--jobs", "2", "--chunk-size", "2"])
        == 0
    )
    one, two = Dataset.load(tmp_path / "one"), Dataset.load(tmp_path / "two")
    for table in ("articles", "entities", "metrics", "errors"):
        pd.testing.assert_frame_equal(getattr(one, table), getattr(two, table))


def test_default_jobs_is_one_process_per_cpu_but_one_for_a_small_run(corpus, tmp_path, capsys, monkeypatch):
    from cchc_nlp.dataset import engines, run

    monkeypatch.setattr(run, "available_cpus", lambda: 4)
    assert run.processes_for(None, 1000, 16) == 4
    assert run.processes_for(None, engines.POOL_MIN_DOCUMENTS - 1, 16) == 1
    assert run.processes_for(None, 40, 16) == 3  # no more workers than tasks
    assert run.processes_for(1, 1000, 16) == 1 and run.processes_for(2, 1, 16) == 1
    monkeypatch.setattr(engines.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert engines.available_cpus() == 1  # the affinity mask, not the machine's count
    out = tmp_path / "out"
    assert main(["extract", str(corpus.root), "--out", str(out), "-q"]) == 0
    assert ", 1 process)" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run"]["jobs"] == 1 and manifest["run"]["workers"] == 1  # a small run stays in this process


def test_the_last_tasks_of_a_parallel_run_are_smaller(tmp_path):
    from cchc_nlp.dataset.inputs import find_inputs
    from cchc_nlp.dataset.tasks import plan_tasks

    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(Sample(i).record(), ensure_ascii=False) + "\n" for i in range(40)))
    inputs = find_inputs([path])

    def sizes(**options):
        tasks = list(plan_tasks(inputs, {}, 16, None, **options))
        assert [item.index for task in tasks for item in task.items] == list(range(40))  # all, in order
        return [len(task.items) for task in tasks]

    assert sizes() == sizes(workers=2) == [16, 16, 8]  # the total not known, or one worker: full tasks
    # at most a 4th of what is left (the last task, empty, tells the input's total)
    assert sizes(workers=2, total=40) == [10, 8, 6, 4, 3, 3, 2, 1, 1, 1, 1, 0]
    assert sizes(workers=2, total=30) == [8, 6, 4, 3, 3, 2, 1, 1, 1, 1, 10]  # an undercount: a full task after
