"""Choosing rows by province and metric key, the way a researcher writes them: names with or
without diacritics ("Soc Trang"), aliases ("TP.HCM"), codes ("94"), the pre- or post-2025
unit; and one clear error with suggestions for a name or key that matches nothing.

>>> sorted(province_codes("Soc Trang"))
['94']
>>> metric_keys_matching("dossier.on_time*")[:2]
['dossier.on_time', 'dossier.on_time_or_early']
>>> metric_keys_matching("dosier.*")
Traceback (most recent call last):
...
cchc_nlp.errors.InputError: metric pattern 'dosier.*' matches no metric key; did you mean 'dossier.*'?
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable, Sequence
from functools import cache

import pandas as pd

from cchc_nlp.errors import InputError
from cchc_nlp.resources import read_csv
from cchc_nlp.tag.gazetteer import place_key, province, province_units
from cchc_nlp.text.normalize import fold_diacritics

__all__ = ["province_codes", "province_mask", "metric_keys", "metric_keys_matching", "check_choice"]


@cache
def _codes_by_name() -> dict[str, frozenset[str]]:
    """Canonical name -> its codes (one, or two for a name used in both eras with two codes)."""
    found: dict[str, set[str]] = {}
    for unit in province_units():
        found.setdefault(unit.name, set()).add(unit.code)
    return {name: frozenset(codes) for name, codes in found.items()}


@cache
def _all_codes() -> frozenset[str]:
    return frozenset(unit.code for unit in province_units())


def _suggest(value: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Close matches of `value` among `choices`, compared without diacritics and case."""
    by_fold: dict[str, str] = {}
    for choice in choices:
        by_fold.setdefault(fold_diacritics(choice).lower(), choice)
    hits = difflib.get_close_matches(fold_diacritics(value).lower(), list(by_fold), n=n, cutoff=0.6)
    return [by_fold[h] for h in hits]


def _did_you_mean(suggestions: list[str]) -> str:
    return f"; did you mean {' or '.join(repr(s) for s in suggestions)}?" if suggestions else ""


def province_codes(value: str | int) -> frozenset[str]:
    """The province code(s) a name, alias or code stands for ("Sóc Trăng", "Soc Trang", "94", 94).

    Raises InputError with suggestions for anything else.
    """
    text = str(value).strip()
    if text.isdigit():
        code = text.zfill(2)
        if code in _all_codes():
            return frozenset({code})
        raise InputError(f"unknown province code {text!r}; codes run from 01 (Hà Nội) to 96 (Cà Mau)")
    ref = province(text)
    if ref is None:
        names = sorted(_codes_by_name())
        raise InputError(
            f"unknown province {text!r}{_did_you_mean(_suggest(text, names))} "
            "(names with or without diacritics, aliases such as TP.HCM, or codes such as 94)"
        )
    codes = set(_codes_by_name().get(ref.mentioned, ())) | {ref.code}
    return frozenset(codes)


def _as_list(values: str | int | Sequence[str | int]) -> list[str | int]:
    return [values] if isinstance(values, (str, int)) else list(values)


def province_mask(
    frame: pd.DataFrame,
    values: str | int | Sequence[str | int],
    code_column: str = "province_code",
    name_column: str = "province",
) -> pd.Series:
    """Rows of `frame` whose province (by code, else by name) is one of `values`."""
    codes: set[str] = set()
    for value in _as_list(values):
        codes |= province_codes(value)
    mask = frame[code_column].isin(codes) if code_column in frame else pd.Series(False, index=frame.index)
    if name_column in frame:
        # rows without a code (a name the gazetteer does not know): compare the names themselves
        keys = {place_key(str(v)) for v in _as_list(values)}
        uncoded = frame[code_column].isna() if code_column in frame else pd.Series(True, index=frame.index)
        by_name = pd.Series(
            [isinstance(n, str) and place_key(n) in keys for n in frame[name_column]], index=frame.index, dtype=bool
        )
        mask = mask | (uncoded & by_name)
    return mask


@cache
def metric_keys() -> tuple[str, ...]:
    """Every metric key of the vocabulary (data/metrics/metric_keys.csv)."""
    return tuple(row["key"] for row in read_csv("metrics/metric_keys.csv"))


def metric_keys_matching(patterns: str | Sequence[str], present: Iterable[str] = ()) -> list[str]:
    """The keys (vocabulary and `present` ones) a key or a pattern ("dossier.*") stands for.

    A key or pattern that matches no key raises InputError with suggestions.
    """
    if patterns is None or not _as_list(patterns):
        raise InputError('give a metric key or pattern, e.g. "dossier.received" or "index.par.*"')
    known = sorted(set(metric_keys()) | {str(k) for k in present})
    out: list[str] = []
    for pattern in _as_list(patterns):
        pattern = str(pattern)
        hits = [key for key in known if fnmatch.fnmatchcase(key, pattern)]
        if not hits:
            families = sorted({key[: i + 1] for key in known for i, c in enumerate(key) if c == "."})
            wild = next((i for i, c in enumerate(pattern) if c in "*?["), None)
            if wild is None:
                family = [pattern + ".*"] if pattern + "." in families else []
                hint = _did_you_mean(family or _suggest(pattern, known))
                raise InputError(f"unknown metric key {pattern!r}{hint}")
            head, tail = pattern[:wild], pattern[wild:]
            fixed = [p + tail for p in _suggest(head, families if head.endswith(".") else known, n=1)]
            raise InputError(f"metric pattern {pattern!r} matches no metric key{_did_you_mean(fixed)}")
        out += [key for key in hits if key not in out]
    return out


def check_choice(what: str, value: str, choices: Sequence[str]) -> str:
    """`value` when it is one of `choices`; else InputError naming them (and the closest)."""
    if value in choices:
        return value
    hint = _did_you_mean(difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.5))
    raise InputError(f"{what} must be one of {', '.join(repr(c) for c in choices)}, not {value!r}{hint}")
