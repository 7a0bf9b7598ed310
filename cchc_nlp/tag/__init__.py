"""Entity tagging: spaCy components that add entity records to doc._.entities.

Importing a module registers its factory; the default pipeline runs them in this order:
"cchc_places" (PROVINCE/DISTRICT/COMMUNE), "cchc_timex" (DATE/PERIOD), "cchc_legal"
(LEGAL_DOC), "cchc_orgs" (ORG), "cchc_officials" (AUTHOR, OFFICIAL, PERSON) and
"cchc_article_province" (doc._.province, then provinces implied by it). Each module's
docstring documents its records' norm and attrs. Every component leaves
doc.spans["entities"] (all records, overlapping) and doc.ents (longest non-overlapping)
in step with doc._.entities.

The plain functions work on a normalized text (no Doc needed):
places.find_places -> timex.find_times -> legal.find_legal_docs -> orgs.find_orgs ->
officials.find_authors/find_people. `gazetteer` is the administrative geography (63/34
provinces, districts, communes, source domains) they and the page reader look names up in.

This __init__ imports nothing, so that `cchc_nlp.tag.gazetteer` can be used without
loading spaCy and the taggers.
"""
