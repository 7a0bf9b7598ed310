"""`cchc-nlp crawl`: collect the article pages of provincial portals, politely and resumably."""

from cchc_nlp.crawl.crawler import Crawler, CrawlOptions, CrawlState, CrawlSummary, crawl
from cchc_nlp.crawl.discover import Discovery, FoundLink, discover
from cchc_nlp.crawl.links import find_links, parse_feed

__all__ = [
    "CrawlOptions",
    "CrawlState",
    "Crawler",
    "CrawlSummary",
    "crawl",
    "discover",
    "Discovery",
    "FoundLink",
    "find_links",
    "parse_feed",
]
