"""Entity tagging: spaCy components that add entity records to doc._.entities.

Importing a module registers its factory; the default pipeline runs them in this order:
"cchc_places" (PROVINCE/DISTRICT/COMMUNE), "cchc_timex" (DATE/PERIOD), "cchc_legal"
(LEGAL_DOC), "cchc_orgs" (ORG), "cchc_officials" (AUTHOR, OFFICIAL, PERSON) and
"cchc_article_province" (doc._.province, then provinces implied by it). Each module's
docstring documents its records' norm and attrs. Every component leaves
doc.spans["entities"] (all records, overlapping) and doc.ents (longest non-overlapping)
in step with doc._.entities.

The plain functions work on a normalized text without spaCy:
find_places -> find_times -> find_legal_docs -> find_orgs -> find_authors/find_people.
"""

from cchc_nlp.tag.article_province import ArticleProvinceTagger, article_province
from cchc_nlp.tag.legal import LegalDocTagger, find_legal_docs, parse_doc_number
from cchc_nlp.tag.officials import OfficialTagger, find_authors, find_people
from cchc_nlp.tag.orgs import OrgTagger, find_orgs
from cchc_nlp.tag.places import PlaceTagger, find_places
from cchc_nlp.tag.timex import TimexTagger, find_times

__all__ = [
    "PlaceTagger",
    "TimexTagger",
    "LegalDocTagger",
    "OrgTagger",
    "OfficialTagger",
    "ArticleProvinceTagger",
    "find_places",
    "find_times",
    "find_legal_docs",
    "find_orgs",
    "find_authors",
    "find_people",
    "article_province",
    "parse_doc_number",
]
