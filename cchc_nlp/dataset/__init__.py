"""The dataset: articles, entities and metrics of a corpus as tables (`Dataset`, `extract`)."""

from cchc_nlp.dataset.dataset import Dataset, extract

__all__ = ["Dataset", "extract"]
