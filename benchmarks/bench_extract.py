"""Throughput, scaling and memory of `cchc-nlp extract`, against bare underthesea.ner.

    python benchmarks/bench_extract.py                    # N = 2,000, 1 and 2 processes
    python benchmarks/bench_extract.py --sizes 500,2000,8000
    python benchmarks/bench_extract.py --sizes 500 --jobs 1,2 --ner-sample 20

For each N it writes a corpus of N articles made from corpus/samples (page dumps and HTML
pages; in each copy the digits of counts, the days of dates and the surnames are changed,
so the copies are distinct documents), runs the full extraction (page extraction,
pipeline, tables) as the command line does, once per --jobs value, and prints articles/s,
the speed-up over one process, and the peak RSS of the main and worker processes. The
reference, measured in the same run: bare `underthesea.ner` over the same article texts,
one call per paragraph, on a sample of articles, extrapolated to N.

Targets on a 2-core machine: >= 15 articles/s on one process and >= 5x bare
underthesea.ner; >= 1.7x with 2 processes; peak RSS < 500 MB per process; time linear in N.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpus" / "samples"

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
_SURNAME_RE = re.compile(r"\b(" + "|".join(SURNAMES) + r")\b")
_DATE_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b")
# a count: digits with thousands dots or a decimal comma, not part of a date, a fraction or a document number
_COUNT_RE = re.compile(r"(?<![\d/.,:-])(\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)(?![\d/:-]|\.\d)")


def vary(text: str, variant: int) -> str:
    """A distinct copy of a sample: last digit of counts, day of dates, surnames changed."""
    digit_shift, surname_shift, day_shift = variant % 10, variant // 10 % len(SURNAMES), variant // 160 % 28

    def count(match: re.Match) -> str:
        number = match.group(1)
        before = match.string[max(0, match.start() - 6) : match.start()].lower()
        if re.fullmatch(r"(19|20)\d\d", number) or before.endswith(("tháng ", "quý ", "ngày ")):
            return number  # years, months and days stay valid
        last = str((int(number[-1]) + digit_shift) % 10)
        return number[:-1] + last

    def date(match: re.Match) -> str:
        day = (int(match.group(1)) - 1 + day_shift) % 28 + 1
        return f"{day:0{len(match.group(1))}d}/{match.group(2)}/{match.group(3)}"

    def surname(match: re.Match) -> str:
        return SURNAMES[(SURNAMES.index(match.group(1)) + surname_shift) % len(SURNAMES)]

    text = _DATE_RE.sub(date, text)
    text = _COUNT_RE.sub(count, text)
    return _SURNAME_RE.sub(surname, text)


def build_corpus(folder: Path, n: int) -> None:
    samples = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".txt", ".html"))
    if not samples:
        sys.exit(f"no samples in {SAMPLES}")
    texts = [p.read_text(encoding="utf-8") for p in samples]
    for i in range(n):
        sample = i % len(samples)
        sub = folder / f"{i // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{i:05d}_{samples[sample].name}").write_text(vary(texts[sample], i // len(samples)), encoding="utf-8")


def run_extract(corpus: Path, out: Path, jobs: int) -> dict:
    """One run of the command line; wall time and the manifest's figures."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cchc_nlp", "extract", str(corpus), "--out", str(out), "--jobs", str(jobs), "--quiet"],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1) or not (out / "manifest.json").is_file():
        sys.exit(f"extract failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {
        "seconds": seconds,
        "cpu": manifest["run"]["cpu_seconds"],  # main and worker processes
        "articles": manifest["counts"]["articles"],
        "errors": manifest["counts"]["errors"],
        "rss_main": manifest["run"]["peak_rss_mb"]["main"],
        "rss_worker": manifest["run"]["peak_rss_mb"]["worker_max"],
    }


def ner_seconds_per_article(out: Path, sample: int) -> float:
    """Bare underthesea.ner, one call per paragraph, over `sample` extracted articles."""
    import pandas as pd
    from underthesea import ner

    texts = pd.read_parquet(out / "articles.parquet", columns=["text"])["text"].tolist()
    step = max(1, len(texts) // sample)
    chosen = texts[::step][:sample]
    ner("Khởi động mô hình.")  # model loading is not part of the measure
    start = time.perf_counter()
    for text in chosen:
        for paragraph in text.split("\n"):
            if paragraph.strip():
                ner(paragraph)
    return (time.perf_counter() - start) / len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000", help="comma-separated corpus sizes N (default 2000)")
    parser.add_argument("--jobs", default="1,2", help="comma-separated process counts (default 1,2)")
    parser.add_argument(
        "--ner-sample", type=int, default=20, help="articles timed with bare underthesea.ner (default 20)"
    )
    parser.add_argument("--keep", type=Path, help="keep corpora and outputs in this folder")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    baseline = os.getloadavg()[0]
    jobs_list = [int(j) for j in args.jobs.split(",")]

    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        work = args.keep or Path(tmp)
        rows = []
        ner_per_article = None
        for n in sizes:
            corpus = work / f"corpus_{n}"
            if not corpus.exists():
                build_corpus(corpus, n)
            for jobs in jobs_list:
                out = work / f"out_{n}_{jobs}"
                if out.exists():
                    import shutil

                    shutil.rmtree(out)
                result = run_extract(corpus, out, jobs)
                result.update(n=n, jobs=jobs, rate=result["articles"] / result["seconds"])
                rows.append(result)
                print(
                    f"N={n:>6,}  jobs={jobs}  {result['seconds']:7.1f} s  {result['rate']:6.1f} articles/s  "
                    f"peak RSS main {result['rss_main']} MB, worker {result['rss_worker']} MB  "
                    f"CPU {result['cpu']:.1f} s ({1000 * result['cpu'] / result['articles']:.0f} ms/article)  "
                    f"({result['articles']:,} articles, {result['errors']} errors)",
                    flush=True,
                )
            if ner_per_article is None:
                ner_per_article = ner_seconds_per_article(work / f"out_{n}_{jobs_list[0]}", args.ner_sample)

    print()
    ner_rate = 1 / ner_per_article
    print(
        f"reference: bare underthesea.ner {ner_per_article:.3f} s/article ({ner_rate:.1f} articles/s), "
        f"{args.ner_sample} articles timed"
    )
    print("| N | processes | seconds | articles/s | x bare ner | speed-up | ms/article | peak RSS main / worker MB |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for row in rows:
        single = next(r for r in rows if r["n"] == row["n"] and r["jobs"] == jobs_list[0])
        print(
            f"| {row['n']:,} | {row['jobs']} | {row['seconds']:.1f} | {row['rate']:.1f} | "
            f"{row['rate'] / ner_rate:.1f} | "
            f"{row['rate'] / single['rate']:.2f} | {1000 / row['rate']:.1f} | {row['rss_main']} / {row['rss_worker']} |"
        )
    one = [r for r in rows if r["jobs"] == 1]
    two = [r for r in rows if r["jobs"] == 2]
    print()
    if one:
        best = max(r["rate"] for r in one)
        print(
            f"one process: {best:.1f} articles/s (target >= 15), {best / ner_rate:.1f}x bare underthesea.ner (target "
            ">= 5)"
        )
    if one and two:
        speedups = [t["rate"] / o["rate"] for o, t in zip(one, two, strict=False)]
        print(f"two processes: speed-up {min(speedups):.2f}-{max(speedups):.2f} (target >= 1.7)")
    if baseline > 0.5:
        print(
            f"WARNING: load average {baseline:.2f} before the benchmark: other processes may have shared the CPUs; "
            "wall-clock rates and speed-ups are then understated (CPU ms/article is the steadier figure)"
        )
    peak = max(max(r["rss_main"] or 0, r["rss_worker"] or 0) for r in rows)
    print(f"peak RSS of any process: {peak} MB (target < 500)")
    if len(one) > 1:
        per_article = [1 / r["rate"] for r in one]
        print(
            f"time per article across N={', '.join(str(r['n']) for r in one)}: "
            f"{', '.join(f'{1000 * p:.1f} ms' for p in per_article)} "
            f"(max/min {max(per_article) / min(per_article):.2f}; linear when close to 1)"
        )


if __name__ == "__main__":
    main()
