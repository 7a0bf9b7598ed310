"""Cost of metric extraction: the pipeline with and without "cchc_metrics", in one run.

Metric extraction must add at most 20% to the time per article of the default pipeline
(text core + tagging components). Both pipelines parse the same articles, alternately,
and the best of `--repeat` runs is kept for each; the overhead is the time of the
"cchc_metrics" component on the Docs of the pipeline without it, over that pipeline's
time (the whole-pipeline difference is printed as a cross-check). Times are CPU seconds of this process
(time.process_time), which other processes on the machine disturb less than wall-clock
time; a warning is printed when the machine is busy.

    python benchmarks/bench_metrics.py [--repeat 3] [--corpus DIR ...]

Texts: corpus/samples/*.txt|*.html (HTML tags stripped crudely) plus ../shared/corpus
when present. Also printed: extract_metrics alone on plain text (no spaCy, no tagging),
the path `cchc-nlp evaluate metrics` uses.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from _corpus import DEFAULT_CORPORA, load_texts

LIMIT = 0.20


def _timed(func) -> float:
    start = time.process_time()
    func()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    parser.add_argument("--corpus", type=Path, nargs="*", default=DEFAULT_CORPORA)
    args = parser.parse_args()

    from cchc_nlp.metrics import extract_metrics
    from cchc_nlp.text.pipeline import DEFAULT_COMPONENTS, DOC_TEXT_KEY, load

    texts = load_texts(args.corpus)
    if not texts:
        raise SystemExit("no texts found; pass --corpus DIR")
    names = [name for name, _ in DEFAULT_COMPONENTS]
    without = [name for name in names if name != "cchc_metrics"]
    nlp_with = load(components=without + ["cchc_metrics"])
    nlp_without = load(components=without)
    published = "2021-06-30"

    def run(nlp):
        return lambda: [nlp.parse(text, published=published) for text in texts]

    # warm-up: caches (lexicon, underthesea models) are loaded outside the measurement
    run(nlp_with)()
    run(nlp_without)()
    times_with, times_without = [], []
    for _ in range(args.repeat):
        times_without.append(_timed(run(nlp_without)))
        times_with.append(_timed(run(nlp_with)))
    best_with, best_without = min(times_with), min(times_without)
    # the component alone, on the very Docs the pipeline without it produces: the added
    # cost, free of the run-to-run noise of two whole-pipeline measurements
    docs = [nlp_without.parse(text, published=published) for text in texts]
    component = nlp_with.get_pipe("cchc_metrics")
    # The taggers leave the article's text in doc.user_data and the component drops it once
    # read: it is put back before each run, as the pipeline always provides it (else every
    # run after the first would time spaCy rebuilding doc.text, which the pipeline never does).
    cached = [doc.user_data.get(DOC_TEXT_KEY) for doc in docs]
    component_times = []
    for _ in range(max(3, args.repeat)):
        for doc, text in zip(docs, cached, strict=True):
            if text is not None:
                doc.user_data[DOC_TEXT_KEY] = text
        component_times.append(_timed(lambda: [component(doc) for doc in docs]))
    added = min(component_times)
    alone = min(_timed(lambda: [extract_metrics(t, published) for t in texts]) for _ in range(args.repeat))
    rows = sum(len(doc._.metrics) for doc in docs)
    n = len(texts)
    overhead = added / best_without
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > 1.0:
        print(f"warning: load average {load:.1f}: other processes share the CPU; figures are noisier")
    print(f"articles: {n} ({sum(len(t) for t in texts):,} characters), metric rows: {rows}")
    print(f"components without metrics: {', '.join(without) or '(text core only)'}")
    print(f"pipeline without cchc_metrics: {1000 * best_without / n:8.1f} ms/article (CPU)")
    print(f"cchc_metrics on those Docs:    {1000 * added / n:8.1f} ms/article (CPU)")
    print(
        f"metric extraction overhead:    {100 * overhead:8.1f} %  (limit {100 * LIMIT:.0f} %) "
        f"-> {'OK' if overhead <= LIMIT else 'TOO SLOW'}"
    )
    print(
        f"cross-check, whole pipelines:  {1000 * best_with / n:8.1f} vs {1000 * best_without / n:.1f} ms/article "
        f"({100 * (best_with / best_without - 1):+.1f} %, noisier)"
    )
    print(f"extract_metrics on plain text: {1000 * alone / n:8.1f} ms/article (CPU; no spaCy, no tagging)")


if __name__ == "__main__":
    main()
