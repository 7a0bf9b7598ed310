"""The dataset: articles, entities and metrics of a corpus as tables (`Dataset`, `extract`).

The names resolve on first use (PEP 562), so that `cchc-nlp extract`, which needs the run
machinery (`cchc_nlp.dataset.run`) but not pandas, does not import pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cchc_nlp.dataset.dataset import Dataset, extract

__all__ = ["Dataset", "extract"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module("cchc_nlp.dataset.dataset"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cchc_nlp.dataset' has no attribute {name!r}")
