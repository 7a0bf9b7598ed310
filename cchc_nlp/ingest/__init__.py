"""Getting pages: URLs (`urls`), the polite HTTP client (`fetch`) and the WARC archive (`archive`).

The crawler that drives them is `cchc_nlp.crawl`; what a page says is `cchc_nlp.page`.
"""
