"""Metric extraction and article province on real articles, scored against their gold.

The articles belong to their publishers and are not in this repository: they are read
from ../shared/corpus beside the checkout (or --corpus DIR); the annotations are in
benchmarks/real_gold/ (format: its README). Each article is read the way
`cchc-nlp extract` reads a .txt page dump (`cchc_nlp.page.article_from_text`; the
SOURCE line of the shared files gives the URL) and parsed by the default pipeline.

Scores, as aggregates:

* (metric, value) precision, recall and F1 over all keys, and over the core keys only
  (predicted rows of extension keys the gold never uses are not counted against the
  all-keys figure: the scored vocabulary is the core keys plus the keys the gold uses);
* article province: accuracy over the articles, and how many national or multi-province
  stories (gold province null) got no province.

    python benchmarks/bench_real.py [--set realdev|real2] [--corpus DIR] [--details]

--details prints every article's misses and false rows: for development on realdev only.
The real2 set is a blind test: read its aggregate figures, never its details.

real2 is split in two by a rule fixed before either half was looked at (2026-12-06):
`--part study` (the odd-numbered files, 17) may be opened and read with --details to find
causes of error, which are then fixed with texts and rules of our own; `--part blind` (the
even-numbered files, 16) stays blind, aggregates only: it is the measurement on real
articles nobody tuned to.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = {
    "realdev": ROOT / "benchmarks" / "real_gold" / "realdev_metrics.jsonl",
    "real2": ROOT / "benchmarks" / "real_gold" / "real2_metrics.jsonl",
}
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
HEADER_END = "\n----\n"


def read_article(path: Path):
    """The Article of a shared page dump (SOURCE/NOTE header removed, its URL kept)."""
    from cchc_nlp.page import article_from_text

    raw = path.read_text(encoding="utf-8")
    url = None
    if raw.startswith("SOURCE:") and HEADER_END in raw:
        header, raw = raw.split(HEADER_END, 1)
        first = header.splitlines()[0]
        url = first.split(":", 1)[1].strip() or None
    return article_from_text(raw, path=path, url=url)


def _in_part(file: str, part: str) -> bool:
    """real2/NN.txt: odd NN is the study half, even NN the blind half."""
    odd = int(Path(file).stem) % 2 == 1
    return odd if part == "study" else not odd


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=sorted(GOLD), default="realdev", help="which gold set (default realdev)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder holding real/, seeds/, real2/")
    parser.add_argument("--part", choices=("study", "blind"), help="real2 only: its odd (study) or even (blind) files")
    parser.add_argument("--details", action="store_true", help="per-article errors (realdev, real2 --part study)")
    args = parser.parse_args()
    if args.part and args.set != "real2":
        print("--part splits the real2 set only; add --set real2", file=sys.stderr)
        return 2
    if args.details and args.set == "real2" and args.part != "study":
        print("refusing --details on real2 outside --part study: read aggregates of the blind part", file=sys.stderr)
        return 2
    if not args.corpus.is_dir():
        print(f"corpus folder {args.corpus} not found; pass --corpus DIR", file=sys.stderr)
        return 2

    from cchc_nlp.metrics.lexicon import lexicon
    from cchc_nlp.records import province_name_of
    from cchc_nlp.research.metrics_eval import match_rows
    from cchc_nlp.research.scoring import precision_recall_f1
    from cchc_nlp.text.pipeline import load

    documents = [json.loads(line) for line in GOLD[args.set].read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.part:
        documents = [doc for doc in documents if _in_part(doc["file"], args.part)]
    core = lexicon().core_keys
    vocabulary = core | {row["metric"] for doc in documents for row in doc["metrics"]}
    nlp = load()
    counts = {"all": [0, 0, 0], "core": [0, 0, 0]}  # matched, predicted, gold
    province_right = national = national_null = 0
    for doc in documents:
        path = args.corpus / doc["file"]
        if not path.is_file():
            print(f"article {path} not found; pass --corpus DIR", file=sys.stderr)
            return 2
        article = read_article(path)
        published = article.published[:10] if article.published else None
        parsed = nlp.parse(article.text, published=published, url=article.url, source=article.source)
        predicted = parsed._.metrics
        province = province_name_of(parsed._.province)
        province_right += province == doc.get("article_province")
        if doc.get("article_province") is None:
            national += 1
            national_null += province is None
        for name, keys in (("all", vocabulary), ("core", core)):
            gold = [g for g in doc["metrics"] if g["metric"] in keys]
            pred = [p for p in predicted if p["metric"] in keys]
            pairs = match_rows(gold, pred)
            counts[name][0] += len(pairs)
            counts[name][1] += len(pred)
            counts[name][2] += len(gold)
            if args.details and name == "all":
                matched_gold = {g for g, _ in pairs}
                matched_pred = {p for _, p in pairs}
                print(f"== {doc['file']} province {province!r} (gold {doc.get('article_province')!r})")
                for i, g in enumerate(gold):
                    if i not in matched_gold:
                        print(f"  MISS  {g['metric']}={g['value']} ({g.get('number')})")
                for i, p in enumerate(pred):
                    if i not in matched_pred:
                        print(f"  FALSE {p['metric']}={p['value']} in: {p['sentence'][:110]}")
    n = len(documents)
    part = f" --part {args.part}" if args.part else ""
    print(f"real-article gold: {args.set}{part}, {n} articles ({GOLD[args.set].relative_to(ROOT)})")
    for name, (hit, pred, gold) in counts.items():
        p, r, f = precision_recall_f1(hit, pred, gold)
        label = "all keys" if name == "all" else "core keys"
        print(f"(metric, value) {label:<9}: P {p:.3f}  R {r:.3f}  F1 {f:.3f}  (gold {gold}, predicted {pred})")
    print(f"article province: {province_right}/{n} right ({province_right / n:.0%})", end="")
    print(f"; national or multi-province stories with no province: {national_null}/{national}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
