"""Regex alternations of phrase lists, shared by the number finder and the metric lexicon."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = ["grouped_alternation"]


def grouped_alternation(phrases: Sequence[str], source: Callable[[str], str] = re.escape) -> str:
    """The regex alternation of `source(p)` for the phrases, in their order, grouped by
    first letter behind a look-ahead on it: the engine tries one group at a position
    instead of every phrase, and matches exactly what the flat alternation matches (only
    the phrases of one group can start at a position; when two groups' letters are equal
    case-insensitively, "s" and "ſ", or a phrase starts with a space, the flat alternation
    is kept). A group of one phrase needs no look-ahead."""
    groups: dict[str, list[str]] = {}
    for phrase in phrases:
        groups.setdefault(phrase[0].lower() if phrase else "", []).append(phrase)
    keys = sorted(groups)
    if (
        len(groups) < 2
        or any(not p or p[0].isspace() for p in phrases)
        or any(re.fullmatch(re.escape(a), b, re.IGNORECASE) for i, a in enumerate(keys) for b in keys[i + 1 :])
    ):
        return "|".join(f"(?:{source(p)})" for p in phrases)
    out = []
    for group in groups.values():
        if len(group) == 1:
            out.append(f"(?:{source(group[0])})")
            continue
        firsts = "".join(re.escape(c) for c in sorted({p[0] for p in group}))
        out.append(f"(?=[{firsts}])(?:{'|'.join(f'(?:{source(p)})' for p in group)})")
    return "|".join(out)
