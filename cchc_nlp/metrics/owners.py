"""Who the figures of an article may belong to: its owners (the province, a level, an
agency, a unit, another province, the country), found once per article for
`cchc_nlp.metrics.scope`. The rules are described there; word lists in
data/metrics/metric_scope.csv, named agencies and unit words in metric_holders.csv."""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from cchc_nlp.metrics.context import find_holders
from cchc_nlp.metrics.lexicon import finditer_at_words, phrase_key
from cchc_nlp.resources import read_csv
from cchc_nlp.tag.gazetteer import districts_named, province, province_aliases, province_units
from cchc_nlp.text.phrases import grouped_alternation, word_start_alternation

__all__ = ["Owner", "ArticleOwners", "find_owners", "owner_patterns", "AFTER_WINDOW", "NATIONAL_GAP"]

# Windows, in characters of the normalized text.
LEAD_WINDOW = 16  # the words before a holder that make it a place, a field or a speaker
QUALIFIER_GAP = 24  # "các xã, phường <của|trên địa bàn> tỉnh": a province qualifying a group
AFTER_WINDOW = 45  # "N thủ tục thuộc thẩm quyền cấp xã": an owner tied to the figure after it
NATIONAL_GAP = 30  # a national cue at most this far before the figure, no owner between
FRAME_WINDOW = 30  # "Tại huyện X," opens the sentence within this many characters


@dataclass(frozen=True)
class Owner:
    """Who figures may belong to, at text[start:end]."""

    start: int
    end: int
    scope: str  # province | level | agency | unit | national
    subject: str | None = None  # as written
    level: str | None = None  # tỉnh | huyện | xã
    province: str | None = None  # canonical name when a province is named
    other: bool = False  # a province other than the article's
    former: bool = False  # "tỉnh Bình Định (cũ)": a province merged into the article's
    centre: bool = False  # the province's one-stop centre ("Trung tâm" later refers back to it)

    @property
    def named(self) -> bool:
        return self.subject is not None and self.scope in ("agency", "unit", "province")


@cache
def _words() -> dict[str, tuple[tuple[str, str], ...]]:
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in read_csv("metrics/metric_scope.csv"):
        found[row["kind"]].append((row["phrase"], row["value"]))
    return {kind: tuple(items) for kind, items in found.items()}


def _phrases(kind: str) -> list[str]:
    return sorted({p for p, _ in _words()[kind]}, key=len, reverse=True)


def _source(phrase: str) -> str:
    return re.escape(phrase).replace(r"\ ", r"\s+")


def _alternation(kind: str) -> str:
    return grouped_alternation(_phrases(kind), _source)


# The patterns that scan a whole article open with a character class (the engine's fast scan
# stops only at its letters) and check the word start after it: "(?<!\w)X" is "X(?<!\w[\s\S])"
# once X is read, "^" in a multi-line pattern "(?<![^\n][\s\S])" (text.phrases.word_start_alternation).


def _at_start(kind: str) -> str:
    """(?<!\\w)(?:the phrases of kind), opening with a class of their first letters."""
    return word_start_alternation([(p, "") for p in _phrases(kind)], _source)


@cache
def owner_patterns() -> dict[str, re.Pattern]:
    alt, at_start = _alternation, _at_start
    return {
        "national": re.compile(
            "(?i)(?:"
            + word_start_alternation(
                [(p, rf"[^;.]{{0,40}}?(?:{alt('national_field')})") for p in _phrases("national_head")]
                + [(p, "") for p in _phrases("national")],
                _source,
            )
            + r")(?!\w)"
        ),
        "ranking": re.compile(rf"(?i)(?:{at_start('ranking')})(?!\w)"),
        "respectively": re.compile(rf"(?i)(?:{at_start('respectively')})(?!\w)"),
        "title": re.compile(rf"(?:{at_start('title')})\s+$"),
        "not_owner": re.compile(rf"^(?:(?:UBND|Ủy ban nhân dân)\s+)?(?:{alt('not_owner')})(?!\w)"),
        "place_lead": re.compile(rf"(?i)(?:{at_start('place_lead')})\s+(?:các\s+)?$"),
        "field_lead": re.compile(
            r"(?i)(?<!\w)(?:dẫn đầu|đứng đầu|cao nhất|thấp nhất|thứ\s+[^\s,;.]+|trong|trong số)\s+$"
        ),
        "quantifier": re.compile(rf"(?i)(?:(?<!\w)(?:{alt('quantifier')})|(?<![\d/.,])(?<!năm\s)\d{{1,3}})\s+$"),
        "anaphor": re.compile(f"({word_start_alternation([(p, '') for p in _phrases('anaphor')], _source)})(?!\\w)"),
        "one_stop": re.compile(rf"(?i)^(?:{alt('one_stop')})(?!\w)"),
        "group": re.compile(  # (?<![\w/.,])(?<!năm\s)(?<!tháng\s)(?:các|những|\d{1,3}), its first character read
            r"(?i)(?-i:[cCnN\d])(?<![\w/.,][\s\S])(?<!năm\s[\s\S])(?<!tháng\s[\s\S])(?:(?<=c)ác|(?<=n)hững|(?<=\d)\d{0,2})"
            r"\s+(?:cơ\s+quan\s+|đơn\s+vị\s+)?"
            r"(xã|phường|huyện|quận|thị xã|sở|địa phương)(?:\s*,\s*(?:xã|phường|thị trấn|thị xã|thành phố|quận|"
            r"huyện|ngành|đặc khu|đơn vị))*(?!\w)"
        ),
        # (?<!\w)(?:của|toàn|cả)\s+tỉnh, or "tỉnh" at the start or after [,;:]
        "province_word": re.compile(
            r"(?i)(?-i:[cCtT,;:])(?:(?<!\w[\s\S])(?:(?<=c)(?:ủa|ả)|(?<=t)oàn)\s+tỉnh|(?<=t)(?<![\s\S]{2})ỉnh|(?<=[,;:])\s*tỉnh)"
            r"(?!\s*(?:ủy|[A-ZĐ]))"
        ),
        "special_unit": re.compile(r"[Đđ](?<!\w[\s\S])ặc khu\s+[A-ZĐ][^\W\d]*(?:\s+[A-ZĐ][^\W\d]*)*"),
        "headline": re.compile(r"([A-ZĐ](?<![^\n][\s\S])[^\W\d]*(?:[ -]+[A-ZĐ][^\W\d]*){0,4})\s*:"),  # at a line start
        "after_link": re.compile(
            r"(?i)^[^,;.()\d]*?(?<!\w)(?:của|thuộc thẩm quyền|tại|ở)\s+(?:các\s+)?(?:cơ quan\s+)?"
        ),
    }


@cache
def _anaphors() -> dict[str, tuple[str, str]]:
    """anaphor word -> (scope, the word its antecedent's subject starts with)."""
    out = {}
    for phrase, value in _words()["anaphor"]:
        scope, _, head = value.partition(":")
        out[phrase] = (scope, head or "")
    return out


@cache
def _cities() -> frozenset[str]:
    return frozenset(u.name for u in province_units() if u.centrally_run)


# A run of capitalised words, maybe after a unit word: where province names are looked up.
# The match is its first letter at a word start, read by a class (the engine's fast scan
# stops only there); the run is a look-ahead from it: a scan skips the matches inside the last run.
_PROPER_RUN = re.compile(
    r"[tTA-ZĐ](?<!\w[\s\S])"
    r"(?<=(?=(?:(tỉnh|thành phố|TP\.?)\s*)?([A-ZĐ][^\W\d_]*(?:[ \-–]+[A-ZĐ][^\W\d_]*){0,4}))[\s\S])"
)
_NAME_SEP = re.compile(r"[\s\-–—.]+")


@lru_cache(maxsize=8192)
def _alias_key(written: str) -> str:
    """The province-alias key of words as written (the same runs recur in every article)."""
    return _NAME_SEP.sub(" ", written.lower()).strip()


def _province_names(text: str, start: int, end: int):
    """(start, end, unit word or None, name as written, canonical name, needs a unit word) of
    the province names in text[start:end]: the longest alias inside each capitalised run."""
    last = -1
    for m in _PROPER_RUN.finditer(text, start, end):
        if m.start() < last:
            continue  # inside the last run
        last = m.end(2)
        base = m.start(2)
        for a, b, first, written, name, needs_unit in _names_in_run(m.group(2)):
            unit = m.group(1) if first else None
            yield (m.start() if unit else base + a), base + b, unit, written, name, needs_unit


_RUN_WORD = re.compile(r"[^\s\-–]+")


@lru_cache(maxsize=8192)
def _names_in_run(run: str) -> tuple[tuple[int, int, bool, str, str, bool], ...]:
    """(start, end, whether at the run's first word, name as written, canonical name, needs a
    unit word) of the longest aliases inside a capitalised run, left to right, offsets in the
    run (memoised: the same runs recur in every article)."""
    aliases = province_aliases()
    words = list(_RUN_WORD.finditer(run))
    out = []
    i = 0
    while i < len(words):
        for j in range(len(words), i, -1):
            written = run[words[i].start() : words[j - 1].end()]
            found = aliases.get(_alias_key(written))
            if found:
                out.append((words[i].start(), words[j - 1].end(), i == 0, written, found[0], found[1]))
                i = j - 1
                break
        i += 1
    return tuple(out)


_BARE_UNITS = frozenset(("huyện", "quận", "thị xã", "thành phố", "tp.", "xã", "phường", "thị trấn", "đặc khu"))
_UNIT_PREFIX = re.compile(r"(?i)^(?:UBND|Ủy ban nhân dân|Bộ phận một cửa|toàn|cả)\s+")
_LEVEL_WORDS = {
    "xã": "xã",
    "phường": "xã",
    "thị trấn": "xã",
    "đặc khu": "xã",
    "huyện": "huyện",
    "quận": "huyện",
    "thị xã": "huyện",
    "thành phố": "huyện",
    "sở": "tỉnh",
    "ngành": "tỉnh",
    "địa phương": "huyện",
}


# --------------------------------------------------------------------------- owners


class ArticleOwners:
    """What the rules need of one article: its text, province and every owner in it."""

    def __init__(
        self,
        text: str,
        article_province: str | None,
        published: str | None,
        places: list | None,
        limit: int | None = None,
    ):
        self.text = text
        self.limit = len(text) if limit is None else min(limit, len(text))
        self.published = published
        ref = province(article_province, published) if article_province else None
        self.province = ref.name if ref else article_province
        self.city = self.province in _cities()
        self.owners, self.antecedents = _scan(self, places)
        self.starts = [o.start for o in self.owners]

    def in_span(self, start: int, end: int) -> list[Owner]:
        i = bisect.bisect_left(self.starts, start)
        j = bisect.bisect_left(self.starts, end)
        return [o for o in self.owners[i:j] if o.end <= end]


def find_owners(text: str, article_province: str | None = None, published: str | None = None) -> list[Owner]:
    """Every owner of figures in a text, in text order (for tests and debugging)."""
    return ArticleOwners(text, article_province, published, None).owners


def _scan(ctx: ArticleOwners, places: list | None) -> tuple[list[Owner], list[Owner]]:
    """(owners, antecedents) in text[:ctx.limit]: speakers are antecedents but not owners."""
    text, limit = ctx.text, ctx.limit
    pats = owner_patterns()
    found: list[Owner] = []
    holders = find_holders(text, 0, limit, places)
    covered = bytearray(limit + 1)  # positions inside a holder or group already read
    taken_by_agency = bytearray(limit + 1)
    for h in holders:
        if h.kind != "level":
            taken_by_agency[h.start : h.end] = b"\x01" * (h.end - h.start)
    groups = bytearray(limit + 1)
    for m in pats["group"].finditer(text, 0, limit):
        if taken_by_agency[m.start()]:
            continue
        words = re.findall(
            r"(?i)thị xã|thị trấn|đặc khu|thành phố|địa phương|xã|phường|huyện|quận|sở|ngành", m.group(0)
        )
        levels = {_LEVEL_WORDS.get(w.lower(), "xã") for w in words}
        groups[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        if len(levels) > 1:  # "các sở, ngành, quận, huyện, phường, xã": every level, the whole province
            found.append(Owner(m.start(), m.end(), "province", None, "tỉnh", ctx.province))
        else:
            found.append(Owner(m.start(), m.end(), "level", None, levels.pop()))
    covered[:] = groups
    for h in holders:
        written = text[h.start : h.end]
        if h.kind == "level" and groups[h.start]:
            continue
        covered[h.start : h.end] = b"\x01" * (h.end - h.start)
        if h.kind == "province":
            found.append(_province_owner(ctx, h.start, h.end, written))
        elif h.kind == "level":
            if _clean(written).lower() in _BARE_UNITS:
                continue  # a bare unit word: the anaphor scan below reads it
            found.append(Owner(h.start, h.end, "level", None, h.scope))
        elif h.kind == "agency":
            owner = _agency_owner(ctx, h.start, h.end, written, h.scope)
            if owner is not None:
                found.append(owner)
        else:
            found.append(Owner(h.start, h.end, "unit", re.split(r"[,;]", _clean(written))[0].strip(), h.scope))
    for m in pats["special_unit"].finditer(text, 0, limit):
        if not covered[m.start()]:
            found.append(Owner(m.start(), m.end(), "unit", m.group(0), "xã"))
            covered[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    for start, end, unit_word, written, name, needs_unit in _province_names(text, 0, limit):
        if not covered[end - 1]:
            found.append(_named_province(ctx, start, end, unit_word, written, name, needs_unit))
    for m in pats["national"].finditer(text, 0, limit):
        found.append(Owner(m.start(), m.end(), "national"))
    for m in pats["province_word"].finditer(text, 0, limit):
        start = m.end() - 4
        if not covered[start]:
            found.append(Owner(start, m.end(), "province", None, "tỉnh", ctx.province))
    for m in pats["headline"].finditer(text, 0, limit):
        owner = _headline_owner(ctx, m)
        if owner is not None:
            found.append(owner)
    found = _merge(text, sorted(found, key=lambda o: (o.start, -o.end)))
    antecedents = [o for o in found if o.named or o.centre]
    found += _anaphor_owners(ctx, antecedents, found)
    found.sort(key=lambda o: (o.start, -o.end))
    owners = [o for o in found if _is_owner(ctx, o, found)]
    return owners, antecedents


def _clean(subject: str) -> str:
    return _UNIT_PREFIX.sub("", subject).strip()


def _province_owner(ctx: ArticleOwners, start: int, end: int, written: str) -> Owner:
    name = _clean(written)
    ref = province(name, ctx.published) if any(c.isupper() for c in name[1:]) or name[:1].isupper() else None
    if ref is None or name.lower() in ("tỉnh", "thành phố"):
        return Owner(start, end, "province", None, "tỉnh", ctx.province)
    return _province_ref_owner(ctx, start, end, name, ref.mentioned)


def _province_ref_owner(ctx: ArticleOwners, start: int, end: int, written: str, name: str) -> Owner:
    """A named province: the unit the text names ("tỉnh Bình Định (cũ)" in a 2025 article is
    Bình Định, part of the article's Gia Lai)."""
    ref = province(name, ctx.published)
    mentioned = ref.mentioned if ref else name
    former = re.match(r"\s*\(cũ\)", ctx.text[end : end + 8])
    if former:
        end += former.end()
    own = ctx.province is None or ctx.province in (mentioned, ref.name if ref else name)
    return Owner(start, end, "province", written, "tỉnh", mentioned, other=not (own or former), former=bool(former))


def _named_province(
    ctx: ArticleOwners, start: int, end: int, unit_word: str | None, written: str, name: str, needs_unit: bool
) -> Owner:
    ref = province(name, ctx.published)
    canonical = ref.mentioned if ref else name
    if (unit_word is None and needs_unit) or (unit_word and unit_word.lower() != "tỉnh" and name not in _cities()):
        return Owner(start, end, "unit", ctx.text[start:end], "huyện")  # "thành phố Lạng Sơn": a city under a province
    return _province_ref_owner(ctx, start, end, ctx.text[start:end], canonical)


_NAME_AFTER = re.compile(
    r"\s+((?:tỉnh|thành phố|TP\.|huyện|thị xã|quận|đặc khu|xã|phường)\s+)?([A-ZĐ][^\W\d]*(?:\s+[A-ZĐ][^\W\d]*)*)"
)


def _agency_owner(ctx: ArticleOwners, start: int, end: int, written: str, level: str | None) -> Owner | None:
    text = ctx.text
    subject = _clean(written)
    if owner_patterns()["not_owner"].match(subject):
        return None
    # "Công an tỉnh Sơn La", "Trung tâm ... đặc khu Vân Đồn": the name after the agency
    tail = _NAME_AFTER.match(text, end)  # (not a copy of the rest of the text)
    unit_tail = None
    if tail and (tail.group(1) or subject.endswith(("tỉnh", "huyện"))):
        unit_tail = ((tail.group(1) or "") + tail.group(2)).strip()
        end = tail.end()
        subject = f"{subject} {tail.group(2)}" if not tail.group(1) else f"{subject} {unit_tail}"
    if owner_patterns()["one_stop"].match(subject):
        if unit_tail and not unit_tail.lower().startswith("tỉnh"):
            ref = province(unit_tail, ctx.published)
            if ref is not None:
                return _province_ref_owner(ctx, start, end, unit_tail, ref.mentioned)
            if unit_tail.lower().startswith("thành phố"):
                return Owner(start, end, "province", None, "tỉnh", ctx.province, centre=True)
            word = unit_tail.split()[0].lower()
            return Owner(start, end, "unit", unit_tail, "xã" if word in ("xã", "phường", "đặc") else "huyện")
        after = text[end : end + 12].lstrip().lower()
        if subject.lower().endswith("tỉnh") or not after.startswith(("huyện", "thị xã", "xã", "quận", "phường")):
            return Owner(start, end, "province", None, "tỉnh", ctx.province, centre=True)
    return Owner(start, end, "agency", subject, level or "tỉnh")


def _headline_owner(ctx: ArticleOwners, m: re.Match) -> Owner | None:
    name = m.group(1)
    ref = province(name, ctx.published)
    if ref is not None:
        return _province_ref_owner(ctx, m.start(1), m.end(1), name, ref.mentioned)
    districts = districts_named(name, normalized=True)
    if ctx.province:
        districts = tuple(d for d in districts if d.province == ctx.province) or districts
    if not districts:
        return None
    return Owner(m.start(1), m.end(1), "unit", name, "huyện")


def _merge(text: str, owners: list[Owner]) -> list[Owner]:
    """Drop owners inside a longer one."""
    out: list[Owner] = []
    for o in owners:
        if out and o.start < out[-1].end and o.end <= out[-1].end and o.scope != "national":
            continue
        out.append(o)
    return out


@cache
def _anaphor_first_words() -> frozenset[str] | None:
    """The lowercased first words of the anaphors (every match of the case-sensitive pattern
    opens with one), or None when one does not open with a letter or digit."""
    phrases = _phrases("anaphor")
    if not all(p[:1].isalnum() for p in phrases):
        return None
    return frozenset(phrase_key(p).split(" ")[0] for p in phrases)


def _anaphor_matches(text: str, limit: int):
    firsts = _anaphor_first_words()
    if firsts is None:
        return owner_patterns()["anaphor"].finditer(text, 0, limit)
    return finditer_at_words(owner_patterns()["anaphor"], text, 0, limit, firsts)


def _anaphor_owners(ctx: ArticleOwners, antecedents: list[Owner], found: list[Owner]) -> list[Owner]:
    """Unit words without a name ("huyện tiếp nhận", "Sở đã", "Trung tâm tiếp nhận")."""
    text = ctx.text
    pats = owner_patterns()
    table = _anaphors()
    taken = bytearray(ctx.limit + 1)
    for o in found:
        taken[o.start : o.end] = b"\x01" * (o.end - o.start)
    out = []
    for m in _anaphor_matches(text, ctx.limit):
        if taken[m.start()]:
            continue
        word = m.group(1)
        after = text[m.end() : m.end() + 3]
        if re.match(r"\s+(?:[A-ZĐ]|\d)", after) or re.match(
            r"\s*,\s*(?:xã|phường|thị|thành|quận|huyện|ngành)", text[m.end() : m.end() + 12]
        ):
            continue  # a name follows (the holder scan read it) or an enumeration "xã, phường"
        lead = text[max(0, m.start() - LEAD_WINDOW) : m.start()]
        if pats["quantifier"].search(lead) or re.search(
            r"(?i)(?:xã|phường|huyện|quận|thị trấn|tỉnh|sở|ngành)\s*,\s*$", lead
        ):
            continue
        scope, head = table[word]
        key = word.lower()
        if scope == "unit" and key in ("thành phố", "tp.") and ctx.city:
            prior = [
                a
                for a in antecedents
                if a.end <= m.start()
                and a.scope == "unit"
                and (a.subject or "").lower().startswith(("thành phố", "tp"))
            ]
            if not prior:
                out.append(Owner(m.start(), m.end(), "province", None, "tỉnh", ctx.province))
                continue
        antecedent = _antecedent(antecedents, m.start(), scope, head or None, key)
        if antecedent is not None:
            out.append(replace(antecedent, start=m.start(), end=m.end()))
        elif scope == "unit" and key not in ("thành phố", "tp."):
            out.append(
                Owner(
                    m.start(),
                    m.end(),
                    "unit",
                    None,
                    "xã" if key in ("xã", "phường", "thị trấn", "đặc khu") else "huyện",
                )
            )
    return out


def _antecedent(antecedents: list[Owner], pos: int, scope: str, head: str | None, word: str) -> Owner | None:
    for a in reversed(antecedents):
        if a.start >= pos:
            continue
        subject = (a.subject or "").lower()
        if scope == "unit":
            if a.scope != "unit":
                continue
            if subject.startswith(word) or (word in ("thành phố", "tp.") and subject.startswith(("thành phố", "tp"))):
                return a
            if (
                word in ("huyện", "thành phố", "thị xã", "quận", "tp.")
                and a.level == "huyện"
                and not re.match(r"(?:huyện|quận|thị xã|thành phố|tp)", subject)
            ):
                return a  # a headline name ("Quy Nhơn:")
        elif head:
            if subject.startswith(head.lower()) or (head == "Trung tâm" and a.centre):
                return a
        elif a.scope in ("agency", "unit"):
            return a
    return None


def _is_owner(ctx: ArticleOwners, o: Owner, owners: list[Owner]) -> bool:
    """False for speakers, places, partners, fields of a ranking and qualifying provinces."""
    if o.scope == "national":
        return True
    text = ctx.text
    pats = owner_patterns()
    lead = text[max(0, o.start - LEAD_WINDOW) : o.start]
    if o.scope == "agency" and pats["title"].search(lead):
        return False
    field = pats["field_lead"].search(lead)
    if field and not (o.named and field.group(0).lower().startswith("thứ")):
        return False  # "đứng thứ 6 toàn tỉnh" (but "đứng thứ 2 tỉnh Nam Định": the unit in 2nd place)
    if re.search(r"[^\W\d]\s*\(\s*$", lead) and o.scope != "national":
        return False  # "xã Mỹ Yên (huyện Bến Lức)": a qualifier in parentheses
    if o.scope != "level" and pats["place_lead"].search(lead):
        line_start = max(text.rfind("\n", 0, o.start), text.rfind(". ", 0, o.start)) + 1
        opening = text[line_start : o.start]
        # "Tại huyện Núi Thành, 9 tháng ...": the sentence's frame
        return o.scope in ("unit", "agency") and len(opening) <= FRAME_WINDOW and "," not in opening
    if o.scope == "province":
        for prior in owners:
            # (the gap's length is checked before it is cut out of the text)
            if (
                prior.end <= o.start
                and o.start - prior.end <= QUALIFIER_GAP
                and prior.scope in ("level", "unit", "agency")
            ):
                gap = text[prior.end : o.start]
                if re.fullmatch(r"[\s,]*(?:(?:của|trên địa bàn|thuộc)\s*)?", gap):
                    return False  # "các xã, phường của tỉnh", "huyện Mỹ Xuyên, tỉnh Sóc Trăng"
    return True
