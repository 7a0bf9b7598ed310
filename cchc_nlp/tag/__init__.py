"""Entity tagging: spaCy components that add entity records to doc._.entities.

Importing this package registers the factories (in pipeline order):
"cchc_places" (PROVINCE/DISTRICT/COMMUNE).
"""

from cchc_nlp.tag.places import PlaceTagger, find_places

__all__ = ["PlaceTagger", "find_places"]
