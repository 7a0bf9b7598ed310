"""One web page (HTML or a plain-text page dump) -> a clean `cchc_nlp.article.Article`.

HTML (`html`) goes through a site profile (`profiles`) after decoding (`decode`): the
page's metadata (`metadata`), its paragraphs (`blocks`), the chrome rules shared with the
text-dump reader (`chrome`, `dumps`), the publication date (`dating`), the Article
assembled (`compose`). `kind` tells an article from a listing page; `lines` holds the
small text helpers they share.
"""

from cchc_nlp.page.chrome import CleanedParagraphs, chrome_rules, clean_paragraphs
from cchc_nlp.page.decode import decode_html
from cchc_nlp.page.dumps import article_from_text
from cchc_nlp.page.html import article_from_html
from cchc_nlp.page.kind import PageKind, is_article_page, page_kind
from cchc_nlp.page.profiles import GENERIC_PROFILE, SiteProfile, choose_profile, get_profile, site_profiles

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
