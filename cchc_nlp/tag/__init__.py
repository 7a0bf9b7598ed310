"""Entity tagging: spaCy components that add entity records to doc._.entities.

Importing this package registers the factories, in pipeline order:
"cchc_places" (PROVINCE/DISTRICT/COMMUNE), "cchc_timex" (DATE/PERIOD), "cchc_legal"
(LEGAL_DOC), "cchc_orgs" (ORG). Each module's docstring documents its records.
"""

from cchc_nlp.tag.legal import LegalDocTagger, find_legal_docs, parse_doc_number
from cchc_nlp.tag.orgs import OrgTagger, find_orgs
from cchc_nlp.tag.places import PlaceTagger, find_places
from cchc_nlp.tag.timex import TimexTagger, find_times

__all__ = [
    "PlaceTagger",
    "TimexTagger",
    "LegalDocTagger",
    "OrgTagger",
    "find_places",
    "find_times",
    "find_legal_docs",
    "find_orgs",
    "parse_doc_number",
]
