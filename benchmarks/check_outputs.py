"""Same results before and after a speed change: the tables of two checkouts must be identical.

    python benchmarks/check_outputs.py --reference /tmp/main-checkout
    python benchmarks/check_outputs.py --reference /tmp/main-checkout --jobs 1,2 --articles 240

Writes one set of inputs (corpus/samples, the page fixtures of tests/fixtures, every gold
text of tests/gold as JSON Lines, and a real-length corpus of --articles articles as the
benchmarks build it), runs `cchc-nlp extract` on them with the reference checkout's code
(PYTHONPATH) and with this checkout's, once per --jobs value, and compares the four tables
row by row and the manifest's counts, pipeline, models and data digest. Exit code 1 when
anything differs. Run it with the .venv of this checkout (the reference runs on the same
interpreter and dependencies).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
from _corpus import ROOT, SAMPLES, base_articles, write_corpus

TABLES = ("articles", "entities", "metrics", "errors")


def write_inputs(folder: Path, articles: int) -> list[Path]:
    """The inputs of the check, below `folder`."""
    shutil.copytree(SAMPLES, folder / "samples", ignore=shutil.ignore_patterns("*.md"))
    fixtures = folder / "fixtures"
    for path in sorted((ROOT / "tests" / "fixtures").rglob("*")):
        if path.suffix in (".html", ".txt") and path.parent.name != "expected":
            target = fixtures / path.relative_to(ROOT / "tests" / "fixtures")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    gold = folder / "gold"
    gold.mkdir()
    for path in sorted((ROOT / "tests" / "gold").glob("*.jsonl")):
        with open(path, encoding="utf-8") as src, open(gold / path.name, "w", encoding="utf-8") as dst:
            for line in src:
                record = json.loads(line) if line.strip() else {}
                if isinstance(record.get("text"), str):  # (some gold sets hold no text)
                    keep = {"text": record["text"], "published": record.get("published"), "url": record.get("source")}
                    dst.write(json.dumps(keep, ensure_ascii=False) + "\n")
    inputs = [folder / "samples", fixtures, gold]
    if articles:
        write_corpus(folder / "real_length", articles, base_articles())
        inputs.append(folder / "real_length")
    return inputs


def extract(inputs: list[Path], out: Path, jobs: int, code: Path | None) -> None:
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    command = [sys.executable, "-m", "cchc_nlp", "extract", *map(str, inputs), "--out", str(out), "--quiet"]
    command += ["--jobs", str(jobs)]
    # Run from the output's parent: `python -m` puts the working directory first on sys.path.
    cwd = out.parent
    probe = [sys.executable, "-c", "import cchc_nlp; print(cchc_nlp.__file__)"]
    where = subprocess.run(probe, env=env, cwd=cwd, capture_output=True, text=True).stdout.strip()
    print(f"extract --jobs {jobs} with {where}", flush=True)
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"extract failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def compare(a: Path, b: Path) -> bool:
    same = True
    for table in TABLES:
        ta, tb = pq.read_table(a / f"{table}.parquet"), pq.read_table(b / f"{table}.parquet")
        rows_a, rows_b = ta.to_pylist(), tb.to_pylist()
        equal = ta.schema == tb.schema and rows_a == rows_b
        detail = ""
        if not equal:
            first = next((i for i, (x, y) in enumerate(zip(rows_a, rows_b, strict=False)) if x != y), None)
            if first is not None:
                keys = [k for k in rows_a[first] if rows_a[first][k] != rows_b[first].get(k)]
                detail = f"; first difference at row {first}, columns {keys}"
        print(f"  {table:9} {len(rows_a):6,} rows / {len(rows_b):6,} rows  {'same' if equal else 'DIFFERENT'}{detail}")
        same &= equal
    ma = json.loads((a / "manifest.json").read_text(encoding="utf-8"))
    mb = json.loads((b / "manifest.json").read_text(encoding="utf-8"))
    for key in ("counts", "pipeline", "models", "data_sha256", "format", "tables"):
        equal = ma.get(key) == mb.get(key)
        print(f"  manifest {key}: {'same' if equal else f'DIFFERENT: {ma.get(key)} / {mb.get(key)}'}")
        same &= equal
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", type=Path, required=True, help="a checkout of the reference code (e.g. main)")
    parser.add_argument("--jobs", default="1", help="comma-separated --jobs values for this checkout (default 1)")
    parser.add_argument("--articles", type=int, default=126, help="real-length articles added (default 126)")
    parser.add_argument("--keep", type=Path, help="keep inputs and outputs in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="check-outputs-") as tmp:
        work = args.keep or Path(tmp)
        inputs = write_inputs(work / "inputs", args.articles)
        reference = work / "out_reference"
        extract(inputs, reference, 1, args.reference.resolve())
        ok = True
        for jobs in (int(j) for j in args.jobs.split(",")):
            out = work / f"out_jobs{jobs}"
            extract(inputs, out, jobs, None)
            print(f"reference vs this checkout, --jobs {jobs}:")
            ok &= compare(reference, out)
    print("identical" if ok else "DIFFERENT")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
