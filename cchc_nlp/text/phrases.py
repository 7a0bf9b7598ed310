"""Regex alternations of phrase lists, shared by the number finder and the metric lexicon."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = ["grouped_alternation", "case_variants", "leading_chars", "dispatched_alternation", "word_start_alternation"]

# Letters that re's IGNORECASE matching treats as equal beyond their lower and upper case
# (the Kelvin sign is k, the long s is s, ...); tests/test_phrases.py checks every letter of
# the ranges case_variants covers against re's own rules.
_OTHER_CASES = ("iIİı", "kK\u212a", "sSſ", "åÅ\u212b", "ßẞ", "ṡṠẛ", "µΜμ")
_LEAD = r"(?<!\w)"


def case_variants(char: str) -> str | None:
    """Every character that `char` matches case-insensitively (itself included), or None
    outside the Latin letters (U+0000-U+02FF, U+1E00-U+1EFF, Vietnamese included)."""
    if not ("\0" <= char < "\u0300" or "\u1e00" <= char <= "\u1eff"):
        return None
    found = {char}
    for other in (char.lower(), char.upper(), char.title(), char.lower().title()):
        if len(other) == 1:
            found.add(other)
    for group in _OTHER_CASES:
        if found & set(group):
            found.update(group)
    return "".join(sorted(found))


def _first_consumed(group: Sequence[str], sources: list[str], ignorecase: bool = False) -> str | None:
    """The group as one regex that reads the first character with a character class (the
    engine skips a class that cannot match at once, and a pattern that opens with one is
    searched for by a fast scan) and then checks it, in the caller's case mode, with a
    look-behind; None when the sources do not all open with that character."""
    first = group[0][0]
    variants = case_variants(first)
    if variants is None or any(p[0] != first for p in group):
        return None
    escaped = re.escape(first)
    lead = _LEAD if sources[0].startswith(_LEAD + escaped) else ""
    if not all(s.startswith(lead + escaped) for s in sources):
        return None
    rests = "|".join(f"(?:{s[len(lead) + len(escaped) :]})" for s in sources)
    # (?<!\w) before the first character is (?<!\w[\s\S]) after it; a case-insensitive
    # caller needs no check of the letter: the class is exactly what it matches
    behind = r"(?<!\w[\s\S])" if lead else ""
    check = "" if ignorecase else f"(?<={escaped})"
    return f"(?-i:[{''.join(re.escape(c) for c in variants)}]){behind}{check}(?:{rests})"


def grouped_alternation(
    phrases: Sequence[str], source: Callable[[str], str] = re.escape, ignorecase: bool = False
) -> str:
    """The regex alternation of `source(p)` for the phrases, in their order, grouped by
    first letter: the engine tries one group at a position instead of every phrase, and
    matches exactly what the flat alternation matches (only the phrases of one group can
    start at a position; when two groups' letters are equal case-insensitively, "s" and
    "ſ", or a phrase starts with a space, the flat alternation is kept).

    A group whose phrases all open with the same character reads it with a character
    class (its letter in every case) and checks it with a look-behind in the caller's
    case mode (none when `ignorecase`: the caller matches case-insensitively, and the class
    holds exactly the characters the letter matches then); any other group sits behind a
    look-ahead on its first letters."""
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
        sources = [source(p) for p in group]
        consumed = _first_consumed(group, sources, ignorecase)
        if consumed is not None:
            out.append(consumed)
        elif len(group) == 1:
            out.append(f"(?:{sources[0]})")
        else:
            firsts = "".join(re.escape(c) for c in sorted({p[0] for p in group}))
            out.append(f"(?=[{firsts}])(?:{'|'.join(f'(?:{s})' for s in sources)})")
    return "|".join(out)


# An alternative's leading look-ahead on its first character, maybe after a look-behind and
# inside "(?:" or "(?i:": "(?=\d)", "(?<!\w)(?:(?i:(?=[Tt])…" (group 1: case-insensitive).
_LEADING_AHEAD = re.compile(r"(?:\(\?<!(?:[^()\\]|\\.)*\))?(?:\(\?:)?(\(\?i:)?\(\?=(\\d|\[(?:[^\]\\-]|\\.)+\])\)")


def _top_level_bar(source: str) -> bool:
    """Whether a regex has a "|" outside any group (its leading look-ahead then covers only
    the first branch)."""
    depth, i, in_class = 0, 0, False
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 1
            i += source[i : i + 1] == "^"
            i += source[i : i + 1] == "]"  # a "]" right after "[" or "[^" is a member
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False


def leading_chars(source: str) -> frozenset[str] | None:
    """The characters a match of `source` can start with, read from its leading look-ahead
    ("(?=[TI])", "(?=\\d)": ASCII digits only), in every case when case-insensitive; None
    when it has none."""
    m = _LEADING_AHEAD.match(source)
    if m is None or _top_level_bar(source):
        return None
    body = m.group(2)
    chars = set("0123456789") if body == r"\d" else set(re.sub(r"\\(.)", r"\1", body[1:-1]))
    if m.group(1):
        variants = [case_variants(c) for c in chars]
        if any(v is None for v in variants):
            return None
        chars = {c for v in variants for c in v}
    return frozenset(chars)


def _without_ahead(source: str, chars: str, lead: str) -> str:
    """`source` without its leading look-ahead when that accepts every one of `chars` (the
    group's look-ahead has checked them), and without `lead` when it then opens with it
    (the caller's pattern checks it just before)."""
    m = _LEADING_AHEAD.match(source)
    if m is None:
        return source
    ahead = f"(?={m.group(2)})"
    test = re.compile(f"(?i:{ahead})" if m.group(1) else ahead)
    if not all(test.match(c) for c in chars):
        return source
    out = source[: m.end() - len(ahead)] + source[m.end() :]
    out = out.removeprefix("(?i:)")  # "(?i:(?=[tn]))…"
    if lead and out.startswith(lead):
        out = out[len(lead) :]
    return out


def dispatched_alternation(sources: Sequence[str], starts: str, lead: str = "") -> str:
    """The alternation of `sources`, in their order, for a regex that only matches where
    the next character is one of `starts` (and, when given, `lead` holds just before): one
    group per set of characters that opens the same alternatives, behind a look-ahead on
    them, so the engine tries at a position only the alternatives that can start there
    (each one's leading look-ahead says which, `leading_chars`; one without is in every
    group). In a group an alternative drops the look-ahead and the `lead` it opens with,
    as checked already. The same matches as the plain alternation behind a look-ahead on
    `starts`."""
    firsts = [leading_chars(s) for s in sources]
    groups: dict[tuple[int, ...], list[str]] = {}
    for char in starts:
        key = tuple(i for i, f in enumerate(firsts) if f is None or char in f)
        if key:
            groups.setdefault(key, []).append(char)
    out = []
    for key, chars in groups.items():
        alternatives = "|".join(f"(?:{_without_ahead(sources[i], ''.join(chars), lead)})" for i in key)
        out.append(f"(?=[{''.join(re.escape(c) for c in chars)}])(?:{alternatives})")
    return "|".join(out)


_NOT_BEHIND = re.compile(r"\(\?<!((?:[^()\\]|\\.)+)\)")


def word_start_alternation(
    items: Sequence[tuple[str, str]],
    source: Callable[[str], str] = re.escape,
    lead: str = r"(?<!\w)",
    ignorecase: bool = False,
) -> str:
    """A regex matching exactly what `lead(?:source(p1)tail1|source(p2)tail2|…)` matches (the
    (phrase, tail) items in their order; lead one or more negative look-behinds such as (?<!\\w)),
    written to open with a character class of the phrases' first letters in every case: a
    whole-text scan with a pattern that starts with it only stops at those letters (the
    engine's fast scan), where the look-behind and the phrases are then checked (the first
    letter, in the caller's case mode, by a look-behind after it). Each phrase's source must
    open with its first character as re.escape writes it; otherwise, or outside the Latin
    letters, the plain form is returned. `ignorecase`: the caller matches case-insensitively,
    and one look-behind per first letter tells the groups apart."""
    plain = lead + "(?:" + "|".join(f"(?:{source(p)}{tail})" for p, tail in items) + ")"
    behinds = _NOT_BEHIND.findall(lead)
    variants = [case_variants(p[0]) if p else None for p, _ in items]
    if "".join(f"(?<!{b})" for b in behinds) != lead or any(v is None for v in variants):
        return plain
    sources = [source(p) for p, _ in items]
    if any(not s.startswith(re.escape(p[0])) for s, (p, _) in zip(sources, items, strict=True)):
        return plain
    groups: dict[str, list[int]] = {}
    for i, (phrase, _) in enumerate(items):
        groups.setdefault(phrase[0].lower(), []).append(i)
    keys = sorted(groups)
    if any(re.fullmatch(re.escape(a), b, re.IGNORECASE) for i, a in enumerate(keys) for b in keys[i + 1 :]):
        return plain  # two groups' letters match each other ("s" and "ſ"): one group could steal the other's
    out = []
    for indices in groups.values():
        runs: list[tuple[str, list[str]]] = []  # consecutive phrases with the same first character
        for i in indices:
            phrase, tail = items[i]
            rest = sources[i][len(re.escape(phrase[0])) :] + tail
            if runs and runs[-1][0] == phrase[0]:
                runs[-1][1].append(rest)
            else:
                runs.append((phrase[0], [rest]))
        if ignorecase:  # the letters of one group match each other: one check of the letter
            rests = "|".join(f"(?:{r})" for _, group_rests in runs for r in group_rests)
            out.append(f"(?<={re.escape(runs[0][0])})(?:{rests})")
        else:
            out.append("|".join(f"(?<={re.escape(c)})(?:{'|'.join(f'(?:{r})' for r in rests)})" for c, rests in runs))
    chars = "".join(re.escape(c) for c in sorted({c for v in variants for c in v}))
    # the lead's look-behinds at the phrase's start are one character further back after it
    after = "".join(f"(?<!{b}[\\s\\S])" for b in behinds)
    return f"(?-i:[{chars}]){after}(?:{'|'.join(out)})"
