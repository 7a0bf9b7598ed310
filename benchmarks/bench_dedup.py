"""Near-duplicate detection (cchc_nlp.dataset.dedup): quality and speed on a few thousand articles.

Builds `--n` distinct articles by recombining the paragraphs of the corpus texts (each
article a different draw of paragraphs, plus its own number line), then plants `--groups`
stories published `--copies` times each with the small edits of syndication (a section
line in front, a source line at the end, a word changed). Reports: planted groups found
whole, articles wrongly merged, and the time per article of the MinHash signature and of
the grouping, against a reference measured in the same run: `normalize_text` (the first,
cheapest step of the text core) on the same texts. CPU seconds (time.process_time).

    python benchmarks/bench_dedup.py [--n 3000] [--groups 50] [--copies 5] [--corpus DIR ...]

Texts: corpus/samples plus ../shared/corpus when present (read here, never copied).
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from _corpus import DEFAULT_CORPORA, load_texts

from cchc_nlp.dataset.dedup import dup_groups, signature_bytes
from cchc_nlp.text.normalize import normalize_text


def _timed(func):
    start = time.process_time()
    result = func()
    return time.process_time() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=3000, help="distinct articles")
    parser.add_argument("--groups", type=int, default=50, help="stories published several times")
    parser.add_argument("--copies", type=int, default=5, help="copies of each such story")
    parser.add_argument("--corpus", type=Path, nargs="*", default=DEFAULT_CORPORA)
    args = parser.parse_args()
    rng = random.Random(20250701)
    paragraphs = [p for text in load_texts(args.corpus) for p in text.split("\n") if len(p.split()) >= 12]
    articles = []
    for i in range(args.n):
        chosen = rng.sample(paragraphs, k=min(6, len(paragraphs)))
        articles.append(f"Bài số {i}\n" + "\n".join(chosen))
    ids = [f"a{i}" for i in range(args.n)]
    truth = {}
    for g in range(args.groups):
        base = articles[g]
        for c in range(1, args.copies):
            copy = {1: "Tin tức\n" + base, 2: base + "\nNguồn: báo tỉnh", 3: base.replace(" tỉnh ", " tỉnh ta ", 1)}
            ids.append(f"a{g}-copy{c}")
            articles.append(copy.get(c % 4, base + "\nTheo Cổng thông tin điện tử"))
            truth[f"a{g}-copy{c}"] = f"a{g}"
    total = len(articles)
    t_norm, _ = _timed(lambda: [normalize_text(a) for a in articles])
    t_sig, signatures = _timed(lambda: [signature_bytes(a) for a in articles])
    t_group, groups = _timed(lambda: dup_groups(ids, signatures=signatures))
    found = sum(1 for copy, original in truth.items() if groups[copy] == groups[original])
    whole = sum(
        1
        for g in range(args.groups)
        if len({groups[f"a{g}"]} | {groups[f"a{g}-copy{c}"] for c in range(1, args.copies)}) == 1
    )
    singles = [i for i in ids if i not in truth and not any(i == f"a{g}" for g in range(args.groups))]
    merged = sum(1 for i in singles if groups[i] != i)
    print(f"articles: {total:,} ({args.n:,} distinct, {args.groups} stories x {args.copies} copies)")
    print(f"planted copies found: {found}/{len(truth)}; stories forming one group: {whole}/{args.groups}")
    print(f"distinct articles wrongly merged: {merged}/{len(singles)}")
    print(
        f"signature: {1000 * t_sig / total:.2f} ms per article; grouping: {1000 * t_group / total:.3f} ms per article "
        f"({t_group:.2f} s in all)"
    )
    print(
        f"reference, same run: normalize_text {1000 * t_norm / total:.2f} ms per article; "
        f"signature / normalize = {t_sig / t_norm:.2f}"
    )


if __name__ == "__main__":
    main()
