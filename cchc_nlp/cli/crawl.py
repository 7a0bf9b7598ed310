"""`cchc-nlp crawl START_URL... --out corpus/NAME`: a polite, resumable crawl into a WARC archive
(see `cchc_nlp.crawl.crawler`); `cchc-nlp crawl --explain URL`: what the crawler makes of one page
(see `cchc_nlp.crawl.explain`)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from cchc_nlp.crawl.crawler import CrawlOptions, crawl
from cchc_nlp.crawl.explain import explain, format_explanation, learned_profile
from cchc_nlp.errors import InputError
from cchc_nlp.ingest.fetch import FetchPolicy, user_agent
from cchc_nlp.ingest.urls import host_of

__all__ = ["configure_parser", "run"]


def _since(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--since wants a date YYYY-MM-DD, got {text!r}") from None


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "start_urls", nargs="*", metavar="START_URL", help="listing/category pages, sitemaps or RSS feeds to start from"
    )
    parser.add_argument(
        "--out", type=Path, help="corpus folder (corpus/NAME): warc/, crawl.sqlite, articles.jsonl (required to crawl)"
    )
    parser.add_argument(
        "--profile",
        help=(
            "site profile: a bundled name (nukeviet, sharepoint, liferay, newspaper) or a .json file; 'generic' "
            "switches profiles off (generic rules and trafilatura alone); default: chosen per page"
        ),
    )
    parser.add_argument(
        "--explain",
        metavar="URL",
        help="fetch this one page and show which links the crawler takes as articles, listings and chrome, and why",
    )
    parser.add_argument("--explain-all", action="store_true", help="with --explain: list every link, not the first 12")
    parser.add_argument(
        "--save-profile",
        type=Path,
        metavar="FILE.json",
        help="with --explain: write what the page taught (item selectors, article URL shapes) as a site profile",
    )
    parser.add_argument(
        "--max-pages", type=int, help="stop after this many article pages were fetched (this crawl generation)"
    )
    parser.add_argument(
        "--max-listings", type=int, help="fetch at most this many listing pages, feeds and sitemaps, then the articles"
    )
    parser.add_argument(
        "--max-empty-listings",
        type=int,
        default=3,
        metavar="N",
        help="end a pagination chain after N listing pages in a row without new article links (default 3)",
    )
    parser.add_argument(
        "--since",
        type=_since,
        help=(
            "skip articles published before this date (YYYY-MM-DD), and the later pages of a listing once a page of "
            "it lists only older articles"
        ),
    )
    parser.add_argument(
        "--delay",
        type=float,
        default=1.0,
        help=(
            "seconds between two requests to a host (default 1; robots.txt Crawl-delay wins when longer; 0 for local "
            "mirrors)"
        ),
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        dest="allow_hosts",
        metavar="HOST",
        help="also crawl this host (repeatable); default: the hosts of the start URLs",
    )
    parser.add_argument(
        "--allow-private", action="store_true", help="allow private and loopback addresses (tests, local mirrors)"
    )
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=10 * 1024 * 1024,
        help="responses over this size are recorded and skipped (default 10 MB)",
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="read timeout in seconds (default 30; connect timeout 10)"
    )
    parser.add_argument(
        "--retries", type=int, default=3, help="retries on 429/5xx/network errors, with exponential backoff (default 3)"
    )
    parser.add_argument("--contact", help="your e-mail or URL, put in the User-Agent so site owners can reach you")
    parser.add_argument(
        "--refresh", action="store_true", help="re-visit every page with conditional requests (ETag / Last-Modified)"
    )
    parser.add_argument("--retry-failed", action="store_true", help="try again the URLs that failed in earlier runs")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def run(args: argparse.Namespace) -> int:
    agent = user_agent(args.contact)
    if args.explain:
        return _explain(args, agent)
    if args.save_profile or args.explain_all:
        raise InputError("--save-profile and --explain-all go with --explain URL")
    if not args.start_urls or args.out is None:
        raise InputError("give one or more START_URLs and --out corpus/NAME (or --explain URL to look at one page)")
    if args.out.exists() and not args.out.is_dir():
        raise InputError(f"--out {args.out} is a file; give a folder (corpus/NAME)")
    for name in ("max_pages", "max_listings", "max_empty_listings"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise InputError(f"--{name.replace('_', '-')} must be 1 or more, got {value}")
    options = CrawlOptions(
        start_urls=list(args.start_urls),
        out=args.out,
        profile=args.profile,
        max_pages=args.max_pages,
        max_listings=args.max_listings,
        max_empty_listings=args.max_empty_listings,
        since=args.since,
        delay=args.delay,
        allow_hosts=list(args.allow_hosts),
        allow_private=args.allow_private,
        max_bytes=args.max_bytes,
        read_timeout=args.timeout,
        connect_timeout=min(10.0, args.timeout),
        retries=args.retries,
        user_agent=agent,
        refresh=args.refresh,
        retry_failed=args.retry_failed,
        quiet=args.quiet,
    )
    summary = crawl(options)
    counts = ", ".join(f"{k} {v}" for k, v in summary.counts.items())
    print(
        f"crawl: {summary.fetched} fetched this run; URLs: {counts}; {summary.articles} articles in "
        f"{summary.out / 'articles.jsonl'}"
    )
    return 1 if summary.counts.get("failed") else 0


def _explain(args: argparse.Namespace, agent: str) -> int:
    if args.start_urls or args.out is not None:
        raise InputError("--explain looks at one page: give no START_URL and no --out with it")
    hosts = frozenset({host_of(args.explain), *(h.lower() for h in args.allow_hosts)})
    policy = FetchPolicy(
        allowed_hosts=hosts,
        user_agent=agent,
        delay=max(args.delay, 0.0),
        read_timeout=args.timeout,
        connect_timeout=min(10.0, args.timeout),
        max_bytes=args.max_bytes,
        max_retries=args.retries,
        allow_private=args.allow_private,
    )
    explanation = explain(args.explain, policy, profile=args.profile)
    print(format_explanation(explanation, show_all=args.explain_all))
    if args.save_profile:
        profile = learned_profile(explanation, name=args.save_profile.stem)
        args.save_profile.write_text(json.dumps(profile, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"\nsaved the learned site profile to {args.save_profile}; try it with --profile {args.save_profile}")
    return 0
