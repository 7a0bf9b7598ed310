"""`cchc-nlp evaluate entities|metrics|panel`: score the taggers, the metric rules and the
province x period panel against the gold sets (`cchc_nlp.research.entities_eval`,
`cchc_nlp.research.metrics_eval`, `cchc_nlp.research.panel_eval`)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from cchc_nlp.errors import DataError, InputError
from cchc_nlp.metrics import extract_metrics
from cchc_nlp.metrics.lexicon import lexicon
from cchc_nlp.metrics.model import default_classifier
from cchc_nlp.research.entities_eval import (
    TAG_COMPONENTS,
    default_gold_files,
    evaluate_file,
    format_report,
    report_json,
)
from cchc_nlp.research.entities_eval import load_gold as load_entity_gold
from cchc_nlp.research.gold import gold_dir
from cchc_nlp.research.metrics_eval import (
    GoldSet,
    cause_table,
    discover_gold_sets,
    evaluate,
    gold_set_of,
    load_gold,
    score_table,
)
from cchc_nlp.research.panel_eval import (
    PanelScores,
    default_panel_gold,
    evaluate_panel_set,
    load_panel_gold,
    panel_table,
)
from cchc_nlp.text.pipeline import load

__all__ = ["configure_parser", "run"]


def configure_parser(parser: argparse.ArgumentParser) -> None:
    tasks = parser.add_subparsers(dest="task", metavar="TASK", required=True)
    for task, configure in (("entities", _configure_entities), ("metrics", _configure_metrics)):
        sub = tasks.add_parser(task, help=f"precision, recall and F1 of the {task} against the gold set")
        configure(sub)
    _configure_panel(
        tasks.add_parser("panel", help="cell accuracy of the province x period panel against a gold panel")
    )


def run(args: argparse.Namespace) -> int:
    if args.task == "panel":
        return _run_panel(args)
    return _run_entities(args) if args.task == "entities" else _run_metrics(args)


def _gold(loader: Callable[[Path], list], path: Path) -> list:
    """A gold file through its loader; a malformed one is an input error (exit 2), as a missing one is."""
    try:
        return loader(path)
    except DataError as exc:
        raise InputError(str(exc)) from None


# --------------------------------------------------------------------------- panel


def _configure_panel(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gold", nargs="+", metavar="FILE", type=Path, help="gold panel files (default: tests/gold/panel_*.jsonl)"
    )
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--errors", action="store_true", help="list wrong, missing and spurious cells")


def _run_panel(args: argparse.Namespace) -> int:
    files = list(args.gold) if args.gold else default_panel_gold()
    if not files:
        raise InputError("no panel gold files found under tests/gold; run from the repository or pass --gold FILE")
    results = []
    for data in [data for path in files for data in _gold(load_panel_gold, path)]:
        results.append(evaluate_panel_set(data, keep_errors=args.errors))
    total = PanelScores("all")
    for scores in results:
        total.add(scores)
    if args.json:
        print(json.dumps([s.as_dict() for s in [*results, total]], ensure_ascii=False, indent=2))
        return 0
    print("The province x period panel against gold panels (" + ", ".join(str(f) for f in files) + ")")
    print(panel_table([*results, total]))
    for line in total.errors:
        print("  " + line)
    return 0


# --------------------------------------------------------------------------- entities


def _configure_entities(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gold",
        nargs="+",
        metavar="FILE",
        type=Path,
        help="gold JSONL files (default: tests/gold/entities_dev.jsonl and entities_heldout.jsonl)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip underthesea's ner (faster)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument(
        "--errors", action="store_true", help="list misses, spurious entities and wrong norms (dev work)"
    )


def _run_entities(args: argparse.Namespace) -> int:
    files = list(args.gold) if args.gold else default_gold_files()
    if not files:
        raise InputError("no entity gold files found under tests/gold; run from the repository or pass --gold FILE")
    for path in files:  # every file checked before the pipeline loads (seconds)
        load_entity_gold(Path(path))
    nlp = load(components=TAG_COMPONENTS)
    reports = [evaluate_file(Path(path), nlp, baseline=not args.no_baseline, errors=args.errors) for path in files]
    if args.json:
        print(json.dumps([report_json(r) for r in reports], ensure_ascii=False, indent=2))
        return 0
    for report in reports:
        print(format_report(report, baseline=not args.no_baseline))
        for line in report.errors:
            print("  " + line)
        print()
    return 0


# --------------------------------------------------------------------------- metrics


def _configure_metrics(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gold",
        nargs="+",
        metavar="FILE",
        help="gold JSONL files (default: the dev, held-out and contrast sets of tests/gold, each scored apart)",
    )
    parser.add_argument(
        "--split",
        choices=("dev", "heldout", "custom", "all"),
        default="all",
        help="which split(s) to score: dev (*_dev.jsonl), heldout (*_heldout.jsonl), custom (others); default all",
    )
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--per-metric", action="store_true", help="also print precision/recall per metric key")
    parser.add_argument("--errors", action="store_true", help="list misses and false alarms (dev work only)")
    parser.add_argument(
        "--classifier",
        action="store_true",
        help="use the trained classifier hook for mentions the rules leave unlabelled",
    )
    parser.add_argument(
        "--pipeline",
        action="store_true",
        help="run the whole spaCy pipeline (tagged places, agencies, dates) instead of extract_metrics on plain text",
    )


def _metric_files(args: argparse.Namespace) -> list[tuple[GoldSet, Path]]:
    if args.gold:
        files = [(gold_set_of(Path(f)), Path(f)) for f in args.gold]
    else:
        folder = gold_dir()
        files = discover_gold_sets(folder)
        if not files:
            raise InputError(f"no metric gold files in {folder or 'tests/gold'}; pass --gold FILE")
    if args.split != "all":
        files = [(g, path) for g, path in files if g.split == args.split]
        if not files:
            raise InputError(f"no {args.split} gold file given or found; pass --gold FILE")
    return files


def _run_metrics(args: argparse.Namespace) -> int:
    files = _metric_files(args)
    loaded = [(split, path, _gold(load_gold, path)) for split, path in files]
    extractor = None
    if args.pipeline:
        nlp = load()

        def extractor(text, published=None):
            return nlp.parse(text, published=published)._.metrics

    if args.classifier:
        hook = default_classifier()
        if hook is None:
            raise InputError("no trained metric classifier found; train one with `cchc-nlp train metric-classifier`")

        def extractor(text, published=None):
            return extract_metrics(text, published=published, classifier=hook)

    core = lexicon().core_keys
    results = []
    for gold_set, _, docs in loaded:
        # the scored vocabulary: the design's core keys and, unless the set annotates core keys
        # only, every key its gold uses
        used = set() if gold_set.core_only else {row["metric"] for doc in docs for row in doc.get("metrics", [])}
        vocabulary = frozenset(core | used)
        results.append(evaluate(docs, gold_set.label, vocabulary, extractor, keep_errors=args.errors))
    if args.json:
        print(json.dumps([s.as_dict() for s in results], ensure_ascii=False, indent=2))
    else:
        print("Metric extraction against gold (" + ", ".join(f"{g.label}: {path}" for g, path, _ in loaded) + ")")
        print(
            "dev* = written by the rule authors; heldout* = written by someone else, rules not tuned "
            "on them (heldout2: core keys only); contrast = pairs that differ only in a trap"
        )
        print(score_table(results))
        for s in results:
            if s.unscored_rows:
                print(
                    f"{s.split}: {s.unscored_rows} predicted rows with metric keys outside the scored vocabulary "
                    "(not counted)"
                )
            attrs = s.as_dict()["attributes"]
            if attrs:
                print(
                    f"{s.split}: attribute accuracy over matched rows: "
                    + ", ".join(f"{k} {v:.3f}" for k, v in attrs.items())
                )
        print("\nErrors by cause: false positives by the shape of their number, wrong keys, misses")
        for s in results:
            print(cause_table(s))
    if args.per_metric:
        for s in results:
            print(f"\nper metric ({s.split}): gold pred matched  P      R")
            for metric in sorted(s.per_metric):
                c = s.per_metric[metric]
                p = c["matched"] / c["predicted"] if c["predicted"] else 0.0
                r = c["matched"] / c["gold"] if c["gold"] else 0.0
                print(f"  {metric:<32} {c['gold']:>4} {c['predicted']:>4} {c['matched']:>4}  {p:.3f}  {r:.3f}")
    if args.errors:
        for s in results:
            print(f"\nerrors ({s.split}):")
            for line in s.errors:
                print("  " + line)
    return 0
