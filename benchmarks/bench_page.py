"""Extraction quality and speed of cchc_nlp.page on the fixture portals, per style, profiles off and on,
next to trafilatura alone.

    .venv/bin/python benchmarks/bench_page.py [--repeat 5] [--pages]

For every fixture article (tests/fixtures/sites/*/expected/*.txt, hand-checked: title,
publication date, author, then lead and body; `null` where the page has none) it counts
exact titles, publication dates (the full value: a date, or a time with its +07:00
offset; trafilatura gives a day, so it is compared on the day), authors, lead+body texts
(whitespace-insensitive) and the character F1 of the text (matching blocks of
difflib.SequenceMatcher), for three extractors on the same pages:

* `profiles on`:  cchc_nlp.page.article_from_html, profile chosen per page (the default);
* `profiles off`: article_from_html(profile="generic"), the generic rules alone;
* `trafilatura`:  trafilatura.bare_extraction alone, with metadata.

Per style (one fixture site per CMS style), then in all; the captions set apart (the
site.json manifests list them) for the two cchc_nlp modes; then pages/s. When
../shared/corpus/seeds is present, the publication dates of the five real page dumps are
checked too (the visit-time clock trap of seed 000).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from cchc_nlp.page import article_from_html, article_from_text  # noqa: E402

SITES = ROOT / "tests" / "fixtures" / "sites"
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
SEED_DATES = {  # the article's own date (not the visit clock), read off the dumps by hand
    "000": "2018-07-04T21:47:04+07:00",
    "001": "2016-12-26",
    "002": None,
    "003": "2020-08-20T16:00:00+07:00",
    "004": "2019-05-31T14:00:00+07:00",
}
BASE = "http://127.0.0.1:8000"
MODES = ("profiles on", "profiles off", "trafilatura")


def _none(value: str) -> str | None:
    return None if value == "null" else value


def fixture_pages() -> list[dict]:
    """(html bytes, url, expected fields, expected captions) of every fixture article."""
    pages = []
    for expected_file in sorted(SITES.glob("*/expected/*.txt")):
        site = expected_file.parent.parent
        header, _, text = expected_file.read_text(encoding="utf-8").partition("----\n")
        fields = dict(line.split(": ", 1) for line in header.strip().splitlines())
        manifest = site / "site.json"
        captions = json.loads(manifest.read_text(encoding="utf-8"))["captions"] if manifest.exists() else {}
        pages.append(
            {
                "site": site.name,
                "key": expected_file.stem,
                "html": _file_for(site, fields["url"]).read_bytes(),
                "url": BASE + fields["url"],
                "title": fields["title"],
                "published": _none(fields["published"]),
                "author": _none(fields["author"]),
                "text": text.strip(),
                "captions": captions.get(fields["url"]) if manifest.exists() else None,
            }
        )
    return pages


def _file_for(site: Path, url_path: str) -> Path:
    routes = json.loads((site / "routes.json").read_text(encoding="utf-8")) if (site / "routes.json").exists() else {}
    route = routes.get(url_path)
    if route and "file" in route:
        return site / route["file"]
    if route and route.get("sequence"):
        return site / route["sequence"][-1]["file"]
    target = site / url_path.lstrip("/")
    return target / "index.html" if target.is_dir() else target


def char_f1(extracted: str, expected: str) -> float:
    extracted, expected = " ".join(extracted.split()), " ".join(expected.split())
    if not extracted or not expected:
        return float(extracted == expected)
    matcher = difflib.SequenceMatcher(None, extracted, expected, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    precision, recall = matched / len(extracted), matched / len(expected)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def extract(page: dict, mode: str) -> dict:
    if mode == "trafilatura":
        document = trafilatura.bare_extraction(
            page["html"], url=page["url"], with_metadata=True, include_comments=False
        )
        if document is None:
            return {"title": None, "published": None, "author": None, "text": "", "captions": None}
        return {
            "title": document.title,
            "published": document.date,
            "author": document.author,
            "text": document.text or "",
            "captions": None,
        }
    article = article_from_html(page["html"], page["url"], profile=None if mode == "profiles on" else "generic")
    return {
        "title": article.title,
        "published": article.published,
        "author": article.author,
        "text": "\n\n".join(p for p in (article.lead, article.body) if p),
        "captions": article.captions,
    }


def score(page: dict, got: dict, mode: str) -> dict:
    published = got["published"]
    if mode == "trafilatura":  # a day only: compare days
        right_date = (published or None) == (page["published"] or "")[:10] or None
        right_date = bool(right_date) or (published is None and page["published"] is None)
    else:
        right_date = published == page["published"]
    wanted = page["captions"]
    return {
        "title": got["title"] == page["title"],
        "date": right_date,
        "author": got["author"] == page["author"],
        "text": " ".join(got["text"].split()) == " ".join(page["text"].split()),
        "f1": char_f1(got["text"], page["text"]),
        "captions": None
        if wanted is None or got["captions"] is None
        else (len(set(wanted) & set(got["captions"])), len(wanted)),
        "caption_leaks": sum(1 for c in wanted or [] if c in got["text"]),
    }


def throughput(pages: list[dict], mode: str, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        for page in pages:
            extract(page, mode)
    return repeat * len(pages) / (time.perf_counter() - started)


def table(rows: dict[str, dict[str, list[dict]]], pages: list[dict]) -> list[str]:
    """Per style: title/date/author/text exact and char F1, for the three modes."""
    styles = sorted({p["site"] for p in pages})
    head = f"{'style':<24} {'n':>3}  " + "  ".join(f"{m:^27}" for m in MODES)
    sub = f"{'':<24} {'':>3}  " + "  ".join(f"{'title date auth text  F1':^27}" for _ in MODES)
    out = [head, sub]

    def cells(scored: list[dict]) -> str:
        n = len(scored)
        counts = [sum(s[k] for s in scored) for k in ("title", "date", "author", "text")]
        f1 = sum(s["f1"] for s in scored) / n if n else 0.0
        return " ".join(f"{c:>2}/{n:<2}"[:5].rjust(5) for c in counts) + f" {f1:.3f}"

    for style in [*styles, "all"]:
        chosen = [i for i, p in enumerate(pages) if style == "all" or p["site"] == style]
        line = f"{style:<24} {len(chosen):>3}  "
        line += "  ".join(f"{cells([rows[m][i] for i in chosen]):>27}" for m in MODES)
        out.append(line)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="passes over the pages for the speed figures")
    parser.add_argument("--pages", action="store_true", help="also print every page's result")
    args = parser.parse_args()
    pages = fixture_pages()
    for mode in MODES:
        extract(pages[0], mode)  # warm caches (profiles, lxml, trafilatura) before timing
    rows = {mode: [score(page, extract(page, mode), mode) for page in pages] for mode in MODES}
    styles = len({p["site"] for p in pages})
    print(f"{len(pages)} fixture article pages in {styles} styles (tests/fixtures/sites); exact counts, then char F1\n")
    for line in table(rows, pages):
        print(line)
    if args.pages:
        print()
        for i, page in enumerate(pages):
            flags = "  ".join(
                "".join("y" if rows[m][i][k] else "n" for k in ("title", "date", "author", "text")) for m in MODES
            )
            print(f"{page['site'] + '/' + page['key']:<70} {flags}")
    print()
    for mode in MODES[:2]:
        counts = defaultdict(int)
        for row in rows[mode]:
            if row["captions"] is not None:
                counts["found"] += row["captions"][0]
                counts["wanted"] += row["captions"][1]
            counts["leaks"] += row["caption_leaks"]
        print(
            f"captions set apart, {mode}: {counts['found']}/{counts['wanted']} (manifests of the new portals); "
            f"left in the text: {counts['leaks']}"
        )
    speeds = {mode: throughput(pages, mode, args.repeat) for mode in MODES}
    print(
        f"\nthroughput ({args.repeat} passes over {len(pages)} pages): "
        + ", ".join(f"{mode} {speed:.1f} pages/s" for mode, speed in speeds.items())
        + f"; profiles on / trafilatura alone = {speeds['profiles on'] / speeds['trafilatura']:.2f}"
    )
    if SEEDS.is_dir():
        right = 0
        for path in sorted(SEEDS.glob("*.txt")):
            article = article_from_text(path.read_text(encoding="utf-8"), path=path)
            expected = SEED_DATES.get(path.name[:3], "?")
            right += article.published == expected
            print(f"seed {path.name[:3]}: published {article.published} (expected {expected})")
        print(f"seed page dumps: publication date right on {right}/{len(list(SEEDS.glob('*.txt')))}")


if __name__ == "__main__":
    main()
