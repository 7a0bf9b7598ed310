"""Polite HTTP fetching of provincial portals, and URL canonicalization.

Only http/https; hosts outside the allowed set are never contacted (redirects are
followed by hand, one hop at a time, each hop checked); private and loopback
addresses are refused unless allowed; robots.txt (Disallow, Crawl-delay) is honoured;
one request at a time per host with a delay; Retry-After on 429/503; exponential
backoff with a cap; conditional requests; a size cap; a content-type check.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["canonicalize_url", "TRACKING_PARAMETERS"]

# Query parameters that only track a visit; dropped from canonical URLs.
TRACKING_PARAMETERS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|zarsrc|zalo_\w+|_ga|_gl|mc_cid|mc_eid|igshid|ref|ref_src|share|cmpid|__cf_\w+)$",
    re.IGNORECASE,
)


def canonicalize_url(url: str) -> str:
    """The form of a URL used for de-duplication.

    Lowercase scheme and host, default port and fragment dropped, tracking parameters
    (utm_*, fbclid, zarsrc, ...) dropped, the remaining query sorted, an empty path
    made "/". Path case is kept (servers differ).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and not (scheme == "http" and parts.port == 80 or scheme == "https" and parts.port == 443):
        host = f"{host}:{parts.port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMETERS.match(k)]
    query.sort()
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(query, doseq=True), ""))
