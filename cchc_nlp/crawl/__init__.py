"""`cchc-nlp crawl`: collect the article pages of provincial portals, politely and resumably."""

from cchc_nlp.crawl.crawler import Crawler, CrawlOptions, CrawlState, CrawlSummary, crawl, find_links, parse_feed

__all__ = ["CrawlOptions", "CrawlState", "Crawler", "CrawlSummary", "crawl", "find_links", "parse_feed"]
