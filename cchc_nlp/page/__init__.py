"""One web page (HTML or a plain-text page dump) -> a clean `cchc_nlp.article.Article`."""

from cchc_nlp.page.html import (
    GENERIC_PROFILE,
    CleanedParagraphs,
    SiteProfile,
    article_from_html,
    article_from_text,
    choose_profile,
    chrome_rules,
    clean_paragraphs,
    decode_html,
    get_profile,
    is_article_page,
    site_profiles,
)

__all__ = [
    "SiteProfile",
    "GENERIC_PROFILE",
    "article_from_html",
    "article_from_text",
    "is_article_page",
    "decode_html",
    "get_profile",
    "choose_profile",
    "site_profiles",
    "chrome_rules",
    "clean_paragraphs",
    "CleanedParagraphs",
]
