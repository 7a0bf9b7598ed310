"""`cchc-nlp crawl START_URL... --out corpus/NAME`: a polite, resumable crawl into a WARC archive
(see `cchc_nlp.crawl.crawler`)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from cchc_nlp.crawl.crawler import CrawlOptions, crawl
from cchc_nlp.ingest.fetch import DEFAULT_USER_AGENT

__all__ = ["configure_parser", "run"]


def _since(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--since wants a date YYYY-MM-DD, got {text!r}") from None


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "start_urls", nargs="+", metavar="START_URL", help="listing/category pages, sitemaps or RSS feeds to start from"
    )
    parser.add_argument(
        "--out", required=True, type=Path, help="corpus folder (corpus/NAME): warc/, crawl.sqlite, articles.jsonl"
    )
    parser.add_argument(
        "--profile",
        help=(
            "site profile: a bundled name (nukeviet, sharepoint, liferay, newspaper, generic) or a .json file; "
            "default: chosen per page"
        ),
    )
    parser.add_argument("--max-pages", type=int, help="stop after this many fetches (this crawl generation)")
    parser.add_argument("--since", type=_since, help="skip articles published before this date (YYYY-MM-DD)")
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
    user_agent = (
        DEFAULT_USER_AGENT.replace("CONTACT-EMAIL-PLACEHOLDER", args.contact) if args.contact else DEFAULT_USER_AGENT
    )
    options = CrawlOptions(
        start_urls=list(args.start_urls),
        out=args.out,
        profile=args.profile,
        max_pages=args.max_pages,
        since=args.since,
        delay=args.delay,
        allow_hosts=list(args.allow_hosts),
        allow_private=args.allow_private,
        max_bytes=args.max_bytes,
        read_timeout=args.timeout,
        connect_timeout=min(10.0, args.timeout),
        retries=args.retries,
        user_agent=user_agent,
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
