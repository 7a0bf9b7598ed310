"""One web page (HTML or a plain-text page dump) -> a clean `cchc_nlp.article.Article`.

HTML (`html`) goes through a site profile (`profiles`) after decoding (`decode`): the
page's metadata (`metadata`), its paragraphs (`blocks`), the chrome rules shared with the
text-dump reader (`chrome`, `dumps`), the publication date (`dating`), the Article
assembled (`compose`). `kind` tells an article from a listing page; `lines` holds the
small text helpers they share.

The names below are imported on first use (module `__getattr__`, as in the package root):
a run on text dumps never loads the HTML side (BeautifulSoup, soupsieve), 0.1 s of start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from cchc_nlp.page.chrome import CleanedParagraphs, chrome_rules, clean_paragraphs
    from cchc_nlp.page.decode import decode_html
    from cchc_nlp.page.dumps import article_from_text
    from cchc_nlp.page.html import article_from_html
    from cchc_nlp.page.kind import PageKind, is_article_page, page_kind
    from cchc_nlp.page.profiles import GENERIC_PROFILE, SiteProfile, choose_profile, get_profile, site_profiles

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(("CleanedParagraphs", "chrome_rules", "clean_paragraphs"), "cchc_nlp.page.chrome"),
    "decode_html": "cchc_nlp.page.decode",
    "article_from_text": "cchc_nlp.page.dumps",
    "article_from_html": "cchc_nlp.page.html",
    **dict.fromkeys(("PageKind", "is_article_page", "page_kind"), "cchc_nlp.page.kind"),
    **dict.fromkeys(
        ("GENERIC_PROFILE", "SiteProfile", "choose_profile", "get_profile", "site_profiles"), "cchc_nlp.page.profiles"
    ),
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access (PEP 562) and keep the value."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'cchc_nlp.page' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "SiteProfile",
    "GENERIC_PROFILE",
    "article_from_html",
    "article_from_text",
    "is_article_page",
    "page_kind",
    "PageKind",
    "decode_html",
    "get_profile",
    "choose_profile",
    "site_profiles",
    "chrome_rules",
    "clean_paragraphs",
    "CleanedParagraphs",
]
