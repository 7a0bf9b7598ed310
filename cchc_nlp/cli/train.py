"""`cchc-nlp train metric-classifier`: retrain models/metric_classifier.skops and its card
(see `cchc_nlp.research.training`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cchc_nlp.errors import InputError
from cchc_nlp.metrics.model import DEFAULT_THRESHOLD, MODEL_PATH
from cchc_nlp.research.training import DEV_GOLDS, HELDOUT_GOLDS, SEED, build_card, save_model, train

__all__ = ["configure_parser", "run"]


def configure_parser(parser: argparse.ArgumentParser) -> None:
    models = parser.add_subparsers(dest="model", metavar="MODEL", required=True)
    sub = models.add_parser("metric-classifier", help="train the number-mention metric classifier on the dev gold")
    sub.add_argument(
        "--gold",
        nargs="+",
        default=[str(p) for p in DEV_GOLDS],
        help="training gold files (default: the dev sets metrics_dev.jsonl, metrics_round2_dev.jsonl; never held-out)",
    )
    sub.add_argument("--out", default=str(MODEL_PATH), help="model file to write (.skops)")
    sub.add_argument("--seed", type=int, default=SEED, help="random_state of the classifier")
    sub.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="minimum probability of a decision")
    sub.add_argument(
        "--heldout",
        nargs="*",
        default=[str(p) for p in HELDOUT_GOLDS],
        help="held-out gold files to evaluate on (evaluation only); the card's scores and decision come from them",
    )
    sub.add_argument("--no-card", action="store_true", help="write only the model file, not the model card")


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if not out.parent.is_dir():
        raise InputError(f"cannot write {out}: folder {out.parent} does not exist")
    pipeline, stats = train(args.gold, seed=args.seed)
    sha = save_model(pipeline, out)
    print(f"wrote {out} ({out.stat().st_size:,} bytes, sha256 {sha})")
    print(
        f"trained on {stats['examples']} mentions of {stats['documents']} documents: "
        + ", ".join(f"{label} {count}" for label, count in stats["examples_per_class"].items())
    )
    if args.no_card:
        return 0
    heldout = [Path(p) for p in args.heldout] if args.heldout else None
    card = build_card(out, [Path(p) for p in args.gold], stats, args.seed, args.threshold, heldout)
    card_path = out.with_name(out.name.replace(".skops", ".card.json"))
    card_path.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {card_path}: enabled_by_default={card['enabled_by_default']} ({card['decision']})")
    return 0
