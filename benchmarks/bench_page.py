"""Extraction quality and speed of cchc_nlp.page on the fixture sites, next to trafilatura alone.

    .venv/bin/python benchmarks/bench_page.py [--repeat 20]

For every fixture article (tests/fixtures/sites/*/expected/*.txt, hand-checked: title,
publication date, author, then lead and body) it measures title, date and author
exactness and the character precision/recall of the lead+body text (matching blocks of
difflib.SequenceMatcher), for cchc_nlp.page.article_from_html and for
trafilatura.bare_extraction alone on the same pages. trafilatura only gives a day, so
dates are compared on the day for both, and on the full timestamp for cchc_nlp. Then
pages/s of both. When /work/shared/corpus/seeds is present, the publication dates of
the five real page dumps are checked too (the visit-time clock trap of seed 000).
"""

from __future__ import annotations

import argparse
import difflib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from cchc_nlp.page import article_from_html, article_from_text  # noqa: E402

SITES = ROOT / "tests" / "fixtures" / "sites"
SEEDS = Path("/work/shared/corpus/seeds")
SEED_DATES = {  # the article's own date (not the visit clock), read off the dumps by hand
    "000": "2018-07-04T21:47:04+07:00",
    "001": "2016-12-26",
    "002": None,
    "003": "2020-08-20T16:00:00+07:00",
    "004": "2019-05-31T14:00:00+07:00",
}
BASE = "http://127.0.0.1:8000"


def fixture_pages() -> list[dict]:
    """(html bytes, url, expected fields) of every fixture article."""
    pages = []
    for expected_file in sorted(SITES.glob("*/expected/*.txt")):
        site = expected_file.parent.parent
        header, _, text = expected_file.read_text(encoding="utf-8").partition("----\n")
        fields = dict(line.split(": ", 1) for line in header.strip().splitlines())
        url_path = fields["url"]
        html_file = _file_for(site, url_path)
        pages.append(
            {
                "site": site.name,
                "key": expected_file.stem,
                "html": html_file.read_bytes(),
                "url": BASE + url_path,
                "title": fields["title"],
                "published": fields["published"],
                "author": fields["author"],
                "text": text.strip(),
            }
        )
    return pages


def _file_for(site: Path, url_path: str) -> Path:
    import json

    routes = json.loads((site / "routes.json").read_text(encoding="utf-8")) if (site / "routes.json").exists() else {}
    route = routes.get(url_path)
    if route and "file" in route:
        return site / route["file"]
    if route and route.get("sequence"):
        return site / route["sequence"][-1]["file"]
    return site / url_path.lstrip("/")


def char_pr(extracted: str, expected: str) -> tuple[float, float]:
    extracted, expected = " ".join(extracted.split()), " ".join(expected.split())
    if not extracted or not expected:
        return 0.0, 0.0
    matcher = difflib.SequenceMatcher(None, extracted, expected, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / len(extracted), matched / len(expected)


def ours(page: dict) -> dict:
    article = article_from_html(page["html"], page["url"])
    return {
        "title": article.title,
        "published": article.published,
        "author": article.author,
        "text": "\n\n".join(p for p in (article.lead, article.body) if p),
        "extractor": article.extractor.split()[0],
    }


def trafilatura_alone(page: dict) -> dict:
    document = trafilatura.bare_extraction(page["html"], url=page["url"], with_metadata=True, include_comments=False)
    if document is None:
        return {"title": None, "published": None, "author": None, "text": "", "extractor": "trafilatura"}
    return {
        "title": document.title,
        "published": document.date,
        "author": document.author,
        "text": document.text or "",
        "extractor": "trafilatura",
    }


def score(pages: list[dict], extract) -> dict:
    rows = []
    for page in pages:
        got = extract(page)
        precision, recall = char_pr(got["text"], page["text"])
        rows.append(
            {
                "page": f"{page['site']}/{page['key']}",
                "extractor": got["extractor"],
                "title": got["title"] == page["title"],
                "day": (got["published"] or "")[:10] == page["published"][:10],
                "datetime": got["published"] == page["published"],
                "author": got["author"] == page["author"],
                "exact_text": " ".join(got["text"].split()) == " ".join(page["text"].split()),
                "precision": precision,
                "recall": recall,
            }
        )
    return {"rows": rows}


def throughput(pages: list[dict], extract, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        for page in pages:
            extract(page)
    return repeat * len(pages) / (time.perf_counter() - started)


def summary_line(name: str, rows: list[dict]) -> str:
    n = len(rows)

    def share(key: str) -> str:
        return f"{sum(r[key] for r in rows)}/{n}"

    p = statistics.mean(r["precision"] for r in rows)
    r = statistics.mean(r["recall"] for r in rows)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return (
        f"{name:<20} title {share('title'):>6}  day {share('day'):>6}  datetime {share('datetime'):>6}  author "
        f"{share('author'):>6}  "
        f"exact body {share('exact_text'):>6}  char P {p:.3f}  R {r:.3f}  F1 {f1:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="passes over the pages for the speed figures")
    args = parser.parse_args()
    pages = fixture_pages()
    ours(pages[0]), trafilatura_alone(pages[0])  # warm caches (profiles, lxml) before timing
    mine = score(pages, ours)["rows"]
    theirs = score(pages, trafilatura_alone)["rows"]
    print(f"{len(pages)} fixture article pages, 4 CMS styles (tests/fixtures/sites)\n")
    print(f"{'page':<58} {'extractor':<22} title day  time auth  P     R     | trafilatura: title day auth P     R")
    for a, b in zip(mine, theirs, strict=True):
        flags = " ".join("y   " if a[k] else "n   " for k in ("title", "day", "datetime", "author"))
        other = " ".join("y   " if b[k] else "n   " for k in ("title", "day", "author"))
        print(
            f"{a['page']:<58} {a['extractor']:<22} {flags}{a['precision']:.3f} {a['recall']:.3f} |              "
            f"{other}{b['precision']:.3f} {b['recall']:.3f}"
        )
    print()
    print(summary_line("cchc_nlp.page", mine))
    print(summary_line("trafilatura alone", theirs))
    ours_speed = throughput(pages, ours, args.repeat)
    theirs_speed = throughput(pages, trafilatura_alone, args.repeat)
    print(
        f"\nthroughput: cchc_nlp.page {ours_speed:.1f} pages/s, trafilatura alone {theirs_speed:.1f} pages/s "
        f"(ratio {ours_speed / theirs_speed:.2f}); {args.repeat} passes over {len(pages)} pages"
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
