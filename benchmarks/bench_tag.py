"""Cost of entity tagging per article, against the text core and underthesea's ner, in one run.

Targets (issue 3): the taggers (cchc_places ... cchc_article_province) add at most 30% to
the text core's time per article, and the whole default pipeline keeps at least 15
articles/s on one core. underthesea's `ner` (shallow CRF) is measured on the same
articles as a reference (the brief quotes about 3 articles/s).

    python benchmarks/bench_tag.py [--repeat 5] [--corpus DIR ...]

Texts: the shared corpus (../shared/corpus: seeds and real articles, SOURCE/NOTE headers
dropped) when present, else the dev gold texts (tests/gold/entities_dev.jsonl). Each
article is timed `repeat` times per stage and the best time is kept, stages interleaved
article by article, so load on the machine affects all of them alike.
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from pathlib import Path

from _corpus import load_texts as corpus_texts

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
DEV_GOLD = ROOT / "tests" / "gold" / "entities_dev.jsonl"


def load_texts(dirs: list[Path]) -> tuple[list[str], str]:
    texts = corpus_texts(dirs, suffixes=(".txt",))
    if texts:
        return texts, ", ".join(str(d) for d in dirs if d.is_dir())
    lines = DEV_GOLD.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()], str(DEV_GOLD)


def best(repeat: int, func) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def underthesea_ner(text: str) -> None:
    from underthesea import ner

    from cchc_nlp.text.normalize import normalize_text
    from cchc_nlp.text.segment import split_sentences

    normalized = normalize_text(text)
    for start, end in split_sentences(normalized):
        ner(normalized[start:end])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="runs per article and stage; the best is kept")
    parser.add_argument("--corpus", type=Path, nargs="*", default=[SHARED])
    parser.add_argument("--no-ner", action="store_true", help="skip the underthesea ner reference")
    args = parser.parse_args()

    from cchc_nlp import load
    from cchc_nlp.research.entities_eval import TAG_COMPONENTS
    from cchc_nlp.text.pipeline import DEFAULT_COMPONENTS

    texts, where = load_texts(args.corpus)
    core = load(components=[])
    tagger = load(components=TAG_COMPONENTS)
    full = load()
    stages = {name: proc for name, proc in tagger.pipeline}
    # Warm up models, gazetteer and regex caches.
    for text in texts[:2]:
        full(text)
        if not args.no_ner:
            underthesea_ner(text)

    t_core = t_tag = t_full = t_ner = 0.0
    per_stage = {name: 0.0 for name in stages}

    def tag_only(text: str, timings: dict[str, float], spent: list[float]) -> None:
        doc = core(text)
        start = time.perf_counter()
        for name, proc in stages.items():
            began = time.perf_counter()
            proc(doc)
            timings[name] = min(timings.get(name, 1e9), time.perf_counter() - began)
        spent.append(time.perf_counter() - start)

    for text in texts:
        t_core += best(args.repeat, functools.partial(core, text))
        timings: dict[str, float] = {}
        spent: list[float] = []
        for _ in range(args.repeat):
            tag_only(text, timings, spent)
        t_tag += min(spent)
        for name, value in timings.items():
            per_stage[name] += value
        t_full += best(args.repeat, functools.partial(full, text))
        if not args.no_ner:
            t_ner += best(max(1, args.repeat // 2), functools.partial(underthesea_ner, text))

    n = len(texts)
    chars = sum(len(t) for t in texts) / n
    print(f"articles: {n} from {where} (mean {chars:,.0f} characters), best of {args.repeat} runs each")
    print(f"text core            {t_core / n * 1000:7.2f} ms/article  {n / t_core:6.1f} articles/s")
    print(
        f"entity taggers       {t_tag / n * 1000:7.2f} ms/article  = {t_tag / t_core:6.1%} of the core (target <= 30%)"
    )
    for name, value in per_stage.items():
        print(f"  {name:<22} {value / n * 1000:6.2f} ms")
    extra = [name for name, _ in DEFAULT_COMPONENTS if name not in TAG_COMPONENTS]
    label = "default pipeline" + (f" (+{', '.join(extra)})" if extra else "")
    print(f"{label:<20} {t_full / n * 1000:7.2f} ms/article  {n / t_full:6.1f} articles/s (target >= 15)")
    if not args.no_ner:
        print(
            f"underthesea ner      {t_ner / n * 1000:7.2f} ms/article  {n / t_ner:6.1f} articles/s "
            f"(default pipeline is {t_ner / t_full:.1f}x faster)"
        )


if __name__ == "__main__":
    main()
