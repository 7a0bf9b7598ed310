"""Throughput of the text core against bare underthesea.word_tokenize, in one run.

The core (normalize + sentence split + word segmentation + spaCy Doc) must keep at least
85% of bare word_tokenize's words/s on the same articles.

    python benchmarks/bench_text.py [--repeat 3] [--corpus DIR ...]

Texts: corpus/samples/*.txt|*.html (HTML tags stripped crudely: this measures the text
core, not page extraction) plus ../shared/corpus when present.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from _corpus import DEFAULT_CORPORA, load_texts


def best_of(repeat: int, func) -> float:
    return min(_timed(func) for _ in range(repeat))


def _timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    parser.add_argument("--corpus", type=Path, nargs="*", default=DEFAULT_CORPORA)
    args = parser.parse_args()

    from underthesea import word_tokenize

    from cchc_nlp import load

    texts = load_texts(args.corpus)
    if not texts:
        raise SystemExit("bench_text: no texts found; pass --corpus DIR")
    nlp = load(components=[])
    # Warm both up (model loading, regex compilation) before timing.
    word_tokenize(texts[0])
    nlp(texts[0])

    words = sum(len(word_tokenize(t)) for t in texts)
    bare = best_of(args.repeat, lambda: [word_tokenize(t) for t in texts])
    core = best_of(args.repeat, lambda: [nlp(t) for t in texts])
    tokens = sum(1 for t in texts for tok in nlp(t) if not tok.is_space)

    print(f"articles: {len(texts)}, characters: {sum(map(len, texts)):,}, words (underthesea): {words:,}")
    print(f"bare underthesea.word_tokenize : {words / bare:10,.0f} words/s  ({bare:.2f} s)")
    print(f"text core (normalize+split+Doc): {tokens / core:10,.0f} words/s  ({core:.2f} s)")
    print(f"ratio core/bare                : {(tokens / core) / (words / bare):10.2f}  (target >= 0.85)")
    per_article = [_timed(lambda t=t: nlp(t)) for t in texts]
    print(f"median time per article (core) : {statistics.median(per_article) * 1000:10.1f} ms")


if __name__ == "__main__":
    main()
