"""URLs and headers: the canonical form of a URL, host names, the charset of a Content-Type.

>>> canonicalize_url("HTTP://Example.VN:80/tin?id=3&utm_source=x#top")
'http://example.vn/tin?id=3'
>>> host_of("https://a.gov.vn:8443/x"), site_host("https://www.baosoctrang.org.vn/a.html")
('a.gov.vn:8443', 'baosoctrang.org.vn')
>>> charset_from_content_type("text/html; charset=windows-1258")
'windows-1258'
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["TRACKING_PARAMETERS", "canonicalize_url", "host_of", "site_host", "charset_from_content_type"]

# Query parameters that only track a visit; dropped from canonical URLs.
TRACKING_PARAMETERS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|zarsrc|zalo_\w+|_ga|_gl|mc_cid|mc_eid|igshid|ref_src|cmpid|__cf_\w+)$",
    re.IGNORECASE,
)


def canonicalize_url(url: str) -> str:
    """The form of a URL used for de-duplication.

    Lowercase scheme and host, default port and fragment dropped, tracking parameters
    (utm_*, fbclid, zarsrc, ...) dropped, an empty path made "/". Path case and the
    order of the remaining query parameters are kept (some portals depend on them).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMETERS.match(k)]
    path = parts.path or "/"
    return urlunsplit((scheme, host_of(url), path, urlencode(query, doseq=True), ""))


def host_of(url: str) -> str:
    """The host of a URL as the crawler compares hosts: lowercase, ":port" unless default."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme.lower()
    if port and not (scheme == "http" and port == 80 or scheme == "https" and port == 443):
        host = f"{host}:{port}"
    return host


def site_host(url: str | None) -> str | None:
    """The site of a URL or bare host name: lowercase, without "www." (None for none)."""
    if not url:
        return None
    text = url.strip()
    host = urlsplit(text if "//" in text else "//" + text).hostname
    if host and host.startswith("www."):
        host = host[4:]
    return host


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header value, if any."""
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None
