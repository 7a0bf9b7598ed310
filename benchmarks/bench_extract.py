"""The whole `cchc-nlp extract` command, as a user times it, against bare underthesea.ner.

    python benchmarks/bench_extract.py                       # N = 240 and 2,000; --jobs 1 and the default
    python benchmarks/bench_extract.py --sizes 240 --jobs 1 --repeat 3
    python benchmarks/bench_extract.py --sizes 500,2000,8000 --jobs 1,2

Corpus: N distinct real-length articles (`_corpus.write_corpus`): the real articles of
../shared/corpus (real, real2, seeds) when present, plus corpus/samples (page dumps and
HTML pages), cycled, each copy with the digits of its counts, the days of its dates and its
surnames changed. The shared texts are written to a temporary folder only.

Measured, each in a subprocess timed from outside (start-up, page extraction, pipeline,
part files, consolidation, manifest: everything `time cchc-nlp extract ...` shows):

* start-up: the whole command on one article;
* the whole command on N articles, once per --jobs value ("default" = no --jobs option);
* steady state: the time of one more article, (T(N2) - T(N1)) / (N2 - N1) between the
  two sizes with one process.

The reference, measured in the same run: bare `underthesea.ner` (model loaded, warm),
one call per paragraph, over the article texts of the same corpus: each distinct article
is timed once and counted as often as the corpus holds copies of it (copies differ in a
few digits and names only). "x bare ner" is the bare ner time over the N articles divided
by the whole command's wall time.

Targets (issue 13, 2-core machine): >= 5x bare ner at N = 240 with one process, and a
path to >= 10x; start-up (the command on one article) under 1 s; peak RSS < 500 MB per
process. Other processes on the machine slow the wall-clock figures: the load average is
printed, CPU seconds (of the command and its workers; of bare ner) are given beside wall
seconds, --repeat keeps the fastest run and --wait-load L waits (up to 10 minutes) for a
1-minute load average under L before each timed command.

The package is timed as installed: a copy of its checkout (package and models) with its
bytecode compiled, as pip compiles an installed package (the dependencies' bytecode is in
the environment already). A source checkout run with PYTHONDONTWRITEBYTECODE set compiles
every package module at each start (0.05-0.1 s): that start-up is printed too
(--no-bytecode times the checkout itself throughout).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _corpus import ROOT, base_articles, write_corpus

WAIT_LOAD: float | None = None  # --wait-load
CODE: Path | None = None  # --code: another checkout's package instead of this one


def wait_for_quiet() -> None:
    """Wait (up to 10 minutes) for the 1-minute load average to drop under --wait-load."""
    deadline = time.time() + 600
    while WAIT_LOAD is not None and os.getloadavg()[0] >= WAIT_LOAD and time.time() < deadline:
        time.sleep(5)


def compiled_copy(checkout: Path, folder: Path) -> Path:
    """A copy of a checkout's package and models, its bytecode compiled (as pip installs it)."""
    shutil.copytree(checkout / "cchc_nlp", folder / "cchc_nlp", ignore=shutil.ignore_patterns("__pycache__"))
    if (checkout / "models").is_dir():
        shutil.copytree(checkout / "models", folder / "models")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder / "cchc_nlp")], check=True, env=env)
    return folder


def run_extract(corpus: Path, out: Path, jobs: str) -> dict:
    """One run of the command line; wall time and the manifest's figures."""
    if out.exists():
        shutil.rmtree(out)
    wait_for_quiet()
    command = [sys.executable, "-m", "cchc_nlp", "extract", str(corpus), "--out", str(out), "--quiet"]
    if jobs != "default":
        command += ["--jobs", jobs]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = dict(os.environ, PYTHONPATH=str(CODE)) if CODE else None
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=out.parent, env=env)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)  # the command and its workers
    if done.returncode not in (0, 1) or not (out / "manifest.json").is_file():
        sys.exit(f"extract failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {
        "seconds": seconds,
        "cpu": cpu,
        "workers": manifest["run"].get("workers"),
        "articles": manifest["counts"]["articles"],
        "errors": manifest["counts"]["errors"],
        "rss_main": manifest["run"]["peak_rss_mb"]["main"],
        "rss_worker": manifest["run"]["peak_rss_mb"]["worker_max"],
    }


def best_run(corpus: Path, out: Path, jobs: str, repeat: int) -> dict:
    runs = [run_extract(corpus, out, jobs) for _ in range(repeat)]
    best = min(runs, key=lambda r: r["seconds"])
    return dict(best, all_seconds=[r["seconds"] for r in runs])


def ner_seconds_per_base(out: Path, n_base: int) -> tuple[list[float], list[float]]:
    """Bare underthesea.ner, one call per paragraph, over the extracted text of each
    distinct article (files 0 .. n_base-1 of the corpus): wall and CPU seconds of each
    (0 for one that is not an article)."""
    import pandas as pd
    from underthesea import ner

    articles = pd.read_parquet(out / "articles.parquet", columns=["path", "text"])
    text_of = {
        int(Path(path).name.split("_", 1)[0]): text for path, text in zip(articles.path, articles.text, strict=True)
    }
    ner("Khởi động mô hình.")  # model loading is not part of the measure
    wait_for_quiet()
    seconds, cpu = [], []
    for index in range(n_base):
        text = text_of.get(index)
        start, start_cpu = time.perf_counter(), time.process_time()
        for paragraph in (text or "").split("\n"):
            if paragraph.strip():
                ner(paragraph)
        seconds.append(time.perf_counter() - start if text is not None else 0.0)
        cpu.append(time.process_time() - start_cpu if text is not None else 0.0)
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="240,2000", help="comma-separated corpus sizes N (default 240,2000)")
    parser.add_argument(
        "--jobs", default="1,default", help="comma-separated --jobs values; 'default' = no --jobs (default 1,default)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement, the fastest is kept (default 1)")
    parser.add_argument("--startup-repeat", type=int, default=3, help="runs of the one-article command (default 3)")
    parser.add_argument("--samples-only", action="store_true", help="corpus/samples only, not ../shared/corpus")
    parser.add_argument("--keep", type=Path, help="keep corpora and outputs in this folder")
    parser.add_argument("--wait-load", type=float, metavar="L", help="wait for a load average under L before a run")
    parser.add_argument("--code", type=Path, metavar="DIR", help="time the package of another checkout (before/after)")
    parser.add_argument(
        "--no-bytecode", action="store_true", help="time the checkout as it is, not a compiled copy (see above)"
    )
    args = parser.parse_args()
    global WAIT_LOAD, CODE
    WAIT_LOAD, CODE = args.wait_load, args.code and args.code.resolve()
    checkout = CODE or ROOT
    sizes = sorted(int(s) for s in args.sizes.split(","))
    jobs_list = args.jobs.split(",")
    articles = base_articles(samples_only=args.samples_only)
    load_before = os.getloadavg()
    print(
        f"{len(articles)} distinct articles ({sum(len(t) for _, t in articles) // len(articles):,} characters on "
        f"average), {os.cpu_count()} CPUs, load average {load_before[0]:.2f} {load_before[1]:.2f}",
        flush=True,
    )

    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        one = work / "corpus_1"
        if not one.exists():
            write_corpus(one, 1, articles)
        uncompiled = None
        if not args.no_bytecode:
            if os.environ.get("PYTHONDONTWRITEBYTECODE"):
                CODE = checkout
                runs = [run_extract(one, work / "out_1", "1") for _ in range(args.startup_repeat)]
                uncompiled = [r["seconds"] for r in runs]
                print(
                    f"start-up of the checkout without bytecode (PYTHONDONTWRITEBYTECODE): "
                    f"{', '.join(f'{s:.2f}' for s in uncompiled)} s",
                    flush=True,
                )
            code = work / "code"
            if code.exists():
                shutil.rmtree(code)
            CODE = compiled_copy(checkout, code)
        print(f"timing the package of {checkout}" + ("" if args.no_bytecode else " (a compiled copy)"), flush=True)
        startup_runs = [run_extract(one, work / "out_1", "1") for _ in range(args.startup_repeat)]
        startup = [r["seconds"] for r in startup_runs]
        startup_cpu = [r["cpu"] for r in startup_runs]
        print(
            f"start-up: the whole command on one article {', '.join(f'{s:.2f}' for s in startup)} s "
            f"(CPU {', '.join(f'{s:.2f}' for s in startup_cpu)} s)",
            flush=True,
        )

        rows = []
        copies: dict[int, list[int]] = {}
        for n in sizes:
            corpus = work / f"corpus_{n}"
            if corpus.exists():
                shutil.rmtree(corpus)
            copies[n] = write_corpus(corpus, n, articles)
            for jobs in jobs_list:
                result = best_run(corpus, work / f"out_{n}_{jobs}", jobs, args.repeat)
                result.update(n=n, jobs=jobs, rate=result["articles"] / result["seconds"])
                rows.append(result)
                print(
                    f"N={n:>6,}  jobs={jobs:>7}  {result['seconds']:7.1f} s "
                    f"({', '.join(f'{s:.1f}' for s in result['all_seconds'])})  {result['rate']:6.1f} articles/s  "
                    f"{result['workers'] or 1} process(es)  peak RSS main {result['rss_main']} MB, worker "
                    f"{result['rss_worker']} MB  CPU {result['cpu']:.1f} s  "
                    f"({result['articles']:,} articles, {result['errors']} errors)",
                    flush=True,
                )
        first = rows[0]
        first_out = work / f"out_{first['n']}_{first['jobs']}"
        per_base, per_base_cpu = ner_seconds_per_base(first_out, min(len(articles), sizes[0]))
        if sizes[0] < len(articles):
            print(f"note: N={sizes[0]} holds {sizes[0]} of the {len(articles)} distinct articles; ner timed on those")
        load_after = os.getloadavg()

    def ner_total(n: int, cpu: bool = False) -> float:
        return sum(c * t for c, t in zip(copies[n], per_base_cpu if cpu else per_base, strict=False))

    print()
    print(
        f"reference: bare underthesea.ner {sum(per_base) / len(per_base):.3f} s per distinct article "
        f"({len(per_base)} timed)"
    )
    print(
        "| N | --jobs | processes | seconds (whole command) | articles/s | bare ner seconds | x bare ner | "
        "CPU s (command / ner) | x bare ner, CPU | peak RSS main / worker MB |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for row in rows:
        ner, ner_cpu = ner_total(row["n"]), ner_total(row["n"], cpu=True)
        print(
            f"| {row['n']:,} | {row['jobs']} | {row['workers'] or 1} | {row['seconds']:.1f} | {row['rate']:.1f} | "
            f"{ner:.1f} | {ner / row['seconds']:.1f} | {row['cpu']:.1f} / {ner_cpu:.1f} | {ner_cpu / row['cpu']:.1f} | "
            f"{row['rss_main']} / {row['rss_worker']} |"
        )
    print()
    print(
        f"start-up (whole command, one article): {min(startup):.2f}-{max(startup):.2f} s, "
        f"CPU {min(startup_cpu):.2f}-{max(startup_cpu):.2f} s"
        + (f"; without bytecode {min(uncompiled):.2f}-{max(uncompiled):.2f} s" if uncompiled else "")
    )
    one_process = [r for r in rows if r["jobs"] == "1"]
    if len(one_process) >= 2:
        small, big = one_process[0], one_process[-1]
        more = big["n"] - small["n"]
        per_article = (big["seconds"] - small["seconds"]) / more
        ner_per_article = (ner_total(big["n"]) - ner_total(small["n"])) / more
        cpu_per_article = (big["cpu"] - small["cpu"]) / more
        ner_cpu_per_article = (ner_total(big["n"], cpu=True) - ner_total(small["n"], cpu=True)) / more
        fixed = small["seconds"] - small["n"] * per_article
        print(
            f"steady state, one process: {1000 * per_article:.1f} ms per article ({1 / per_article:.1f} articles/s), "
            f"{ner_per_article / per_article:.1f}x bare ner; fixed cost {fixed:.1f} s"
            f"; by CPU time {1000 * cpu_per_article:.1f} ms per article, {ner_cpu_per_article / cpu_per_article:.1f}x "
            f"bare ner, fixed cost {small['cpu'] - small['n'] * cpu_per_article:.1f} s"
        )
    for jobs in jobs_list:
        if jobs == "1":
            continue
        for row in (r for r in rows if r["jobs"] == jobs):
            single = next((r for r in one_process if r["n"] == row["n"]), None)
            if single:
                print(f"--jobs {jobs} at N={row['n']:,}: {single['seconds'] / row['seconds']:.2f}x one process")
    peak = max(max(r["rss_main"] or 0, r["rss_worker"] or 0) for r in rows)
    print(f"peak RSS of any process: {peak} MB (target < 500)")
    print(
        f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}"
        + (" (other processes shared the CPUs: wall-clock figures are understated)" if load_before[0] > 0.5 else "")
    )


if __name__ == "__main__":
    main()
