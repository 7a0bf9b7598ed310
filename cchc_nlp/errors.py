"""The exception types cchc_nlp raises on purpose.

Every message is one line: what went wrong, where, and what to do about it.
"""

from __future__ import annotations

__all__ = ["CchcError", "InputError", "FetchError", "DataError", "one_line"]


class CchcError(Exception):
    """Base class of every error cchc_nlp raises deliberately."""


class InputError(CchcError, ValueError):
    """The input cannot be processed as Vietnamese text (binary data, wrong type, too large)."""


class FetchError(CchcError):
    """A page could not be fetched (refused by policy, network error, bad response)."""


class DataError(CchcError):
    """A bundled or user-supplied data file (gazetteer, profile, model) is missing or malformed."""


def one_line(message: object, limit: int = 500) -> str:
    """A message as one line of at most `limit` characters (library messages can span lines).

    >>> one_line("ERROR: non-chunked gzip file detected,\\n    gzip block continues")
    'ERROR: non-chunked gzip file detected, gzip block continues'
    """
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
