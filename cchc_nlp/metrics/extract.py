"""Rule-based metric extraction: number mentions -> metric records.

For each sentence of a normalized text:

1. number mentions come from `cchc_nlp.text.numbers.find_numbers` (dates, document numbers,
   ISO versions, phones and "mức độ 3,4" are already skipped there); mentions inside a
   time expression ("6 tháng đầu năm") are dropped;
2. each mention gets a unit (percent, rank after "xếp thứ", score before "điểm", else
   count), the family of its counted noun ("hồ sơ" -> dossier, "điểm" -> score, "đại
   biểu" -> other) and a *segment*: the words between the separators (, ; ( ) và trong
   đó ...) around it, never cutting a lexicon phrase ("đúng và trước hạn");
3. change amounts ("tăng 3 bậc", "giảm 1,59 điểm", "tăng 2,5% so với") are set aside;
4. the metric is the best lexicon cue compatible with the noun family and the unit:
   first in the segment (confidence 0.9), then between the neighbouring mentions (0.8),
   then in the clause (0.7) and, for the index names, in the sentence (0.65); a higher
   priority wins, then the nearer cue ("trước hạn" beats "giải quyết");
5. a percent right after a count, introduced by "đạt/chiếm/tỷ lệ" or a parenthesis,
   is that count's stated share ("1132/1937 thủ tục (đạt 57,41%)"), not a row;
6. a figure without a cue inherits the metric of the figure it breaks down ("trong đó
   cấp tỉnh 21.306 hồ sơ") or of the first figure of a parallel list ("Công an tỉnh
   2.668 hồ sơ"), with a lower confidence;
7. context modifiers map metrics after them in the clause ("bưu chính": received ->
   postal.received), targets are flagged ("phấn đấu", "mục tiêu", "dự kiến"), and the
   period, subject and scope are attached (cchc_nlp.metrics.context).

Everything the rules cannot label stays available as an "unlabelled" mention (with the
clause around it) for the optional classifier hook and for training one.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import pairwise

from cchc_nlp.metrics.evidence import is_ordinal, mark_shapes, vet_mentions
from cchc_nlp.metrics.indices import (
    ORDINAL_RE,
    carry_index,
    first_index_cue,
    group_numbers,
    group_ranks,
    index_cue,
    mark_national,
    ordinal_numbers,
    vet_index,
)
from cchc_nlp.metrics.label import apply_contexts, classify_unlabelled, label_sentence
from cchc_nlp.metrics.lexicon import Lexicon, lexicon
from cchc_nlp.metrics.lists import is_list_item, key_from_intro
from cchc_nlp.metrics.mentions import (
    Classifier,
    CueMatch,
    Mention,
    Sentence,
    _counted_noun,
    _covered,
    _cue_matches,
    _ends_with,
    _inside,
    _sentences,
)
from cchc_nlp.metrics.tables import label_columns
from cchc_nlp.text.numbers import NumberMention, find_numbers
from cchc_nlp.text.phrases import word_start_alternation

__all__ = ["TextAnalysis", "analyze_text"]


# Windows and limits, in characters of the normalized text (see analyze_text).
CLOCK_LOOKBACK = 8  # "giờ"/"h" this close before a number: the number is the minutes of a clock time
NOUN_LOOKAHEAD = 40  # how far after a number its counted noun ("hồ sơ", "thủ tục") is looked for
CUE_LOOKBACK = 30  # the words before a number where a unit cue ("xếp thứ", "đạt") is looked for
SEPARATOR_LOOKBACK = 12  # words before a separator that make it part of a phrase ("so với", "đối với")
SHORT_PAREN = 16  # a parenthesis this short without digits or ";" is an aside ("(HS)"), not a sub-list
BARE_YEARS = (1990, 2035)  # a bare four-digit number in this range is a year unless a counted noun follows
STRONG_INDEX_NAME = 48  # lexicon priority of an index's own name ("Chỉ số CCHC", not "công tác cải cách hành chính")
RATE_LOOKBACK = 90  # how far before a percent the "tỷ lệ" naming it is looked for

# [;,:()\[\]]|\s[-–]\s, opening with one class (scanned for fast)
_PUNCT_SEPARATOR = re.compile(r"[;,:()\[\]\s](?:(?<=[;,:()\[\]])|(?<=\s)[-–]\s)")
_CLAUSE_SEPARATOR = re.compile(r";")
# \((?!…)|(?i:(?<!\w)(?:trong\s+đó|trong\s+số\s+đó|bao\s+gồm|gồm)(?!\w)), its first character read by
# a class (a fast scan), then checked with look-behinds
_SUBLIST = re.compile(
    rf"[(BGTbgt](?:(?<=\()(?![^()\d;]{{1,{SHORT_PAREN}}}\))"
    r"|(?<!\w[\s\S])(?i:(?<=t)(?:rong\s+đó|rong\s+số\s+đó)|(?<=b)ao\s+gồm|(?<=g)ồm)(?!\w))"
)
_DIGITS = re.compile(r"\d\d*")  # not \d+: a pattern that opens with a class is scanned for fast
_RANK_IS = re.compile(r"(?i)(?<!\w)(?:thứ\s+hạng|xếp\s+hạng)(?:\s+[^\s,;:()\d]+){0,4}\s+(?:là|ở\s+mức)\s*\Z")
_COMMA_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d.,])\Z")
_WHOLE_THINGS = frozenset(("dossier", "tthc", "dvctt", "staff"))
_DAY_BEFORE = re.compile(r"(?i)(?<!\w)ngày\s+\Z")
_CLOCK_BEFORE = re.compile(r"(?i)\d\s*(?:giờ|h)\s*\Z")
_BARE_YEAR = re.compile(r"(?:19|20)\d\d")
_SHORT_PAREN = re.compile(rf"\([^()\d;]{{1,{SHORT_PAREN}}}\)")
_RATE = re.compile(r"(?i)(?<!\w)t[ỷỉ]\s+lệ(?!\w)")
_IMAGE_LINE = re.compile(r"!\[[^\]\n]*\]\(\w+://")
_LINK_PARAGRAPH = re.compile(r"\s*!?\[[^\]\n]*\]\(\w+://[^)\s]*\)\s*\Z")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# \s*(?:\.\.\.|…)\s*\Z, opening with a class of its first characters (a fast scan)
_TEASER_END = re.compile(r"[\s.…](?:(?<=\s)\s*(?:\.\.\.|…)|(?<=\.)\.\.|(?<=…))\s*\Z")
TEASER_MIN = 30  # characters a teaser must repeat of a later paragraph
DUPLICATE_MIN = 80  # a paragraph this long that repeats an earlier one word for word is a copy
# words of the strong index names (metric_lexicon.csv, index.*, priority >= STRONG_INDEX_NAME): a sentence
# with one may name the index of the next
_INDEX_WORD = re.compile(
    "(?i)"
    + word_start_alternation(
        [(w, "") for w in ("chỉ số", "PAR", "SIPAS", "PAPI", "PCI", "766", "hài lòng", "năng lực cạnh tranh")],
        lambda w: re.escape(w).replace(r"\ ", r"\s+"),
        lead="",
    )
)
_WORD_AFTER = re.compile(r" ([a-zà-ỹđ]+)(?![\w.])")  # a lowercase word right after a number
_PAREN_AFTER = re.compile(r"\s*\(")
_TABLE_ROW = re.compile(r"\d\s+[|/–-]\s+\d|\d\s*\|\s*\d")
_RANK_OR_POINTS = frozenset(("thứ", "hạng", "điểm"))
_NOT_SEPARATOR_BEFORE = re.compile(r"(?i)(?<!\w)(?:đối|so|cùng|tương\s+ứng|kèm\s+theo|kèm)\s+\Z")


# --------------------------------------------------------------------------- analysis


@dataclass
class TextAnalysis:
    text: str
    sentences: list[Sentence]
    mentions: list[Mention]
    cue_matches: dict[int, list[CueMatch]] = field(default_factory=dict)  # sentence index -> cues
    tokens: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)  # sentence index -> words


def analyze_text(
    text: str,
    excluded: list[tuple[int, int]] | None = None,
    classifier: Classifier | None = None,
    all_mentions: bool = False,
) -> TextAnalysis:
    """Find and label the number mentions of a normalized text (no periods/subjects yet).

    excluded: spans (time expressions) whose numbers are not figures. Sentences without
    digits, and (unless `all_mentions` or a classifier is given) sentences with neither
    a cue, a metric noun nor a percent sign, cannot yield a row and are skipped.
    """
    lex = lexicon()
    sentences = _sentences(text)
    excluded = sorted(excluded or [])
    analysis = TextAnalysis(text, sentences, [])
    # one pass of the number finder over the whole text; sentences without numbers are
    # skipped altogether
    numbers_by_sentence: dict[int, list[NumberMention]] = {}
    cues_by_sentence: dict[int, list[CueMatch]] = {}
    everything = all_mentions or classifier is not None
    index_named = False  # an index name stood in an earlier sentence
    teasers = _teasers(text)
    related = _related_ranges(text)
    named_only: dict[int, tuple[str, CueMatch]] = {}  # sentences without figures that name an index
    heading_of: dict[int, tuple[str, CueMatch]] = {}  # paragraph -> the index its heading names
    for sentence in sentences:
        # figures are written in digits (number words, "hai", "ba", are left aside, but not
        # ranks: "xếp thứ nhất") and stand outside dates and periods ("Sáng ngày 23/12, ...")
        figures = any(
            not _covered(excluded, m.start()) for m in _DIGITS.finditer(text, sentence.start, sentence.end)
        ) or ORDINAL_RE.search(text, sentence.start, sentence.end)
        if not figures and not _INDEX_WORD.search(text, sentence.start, sentence.end):
            continue
        if _IMAGE_LINE.match(text, sentence.start, sentence.end):
            continue  # "![caption](https://…)": an image of a page dump (its alt text repeats the headline)
        if sentence.paragraph in teasers:
            continue  # a link line or a teaser ("Có 44 TTHC được … qua quá ...") above the article
        if related and _covered(related, sentence.start):
            continue  # "Tin liên quan:" / "Các tin khác": other articles' headlines
        tokens = lex.cue_matcher.tokens(text, sentence.start, sentence.end)
        cues = _cue_matches(lex, text, sentence.start, sentence.end, tokens)
        index_named = index_named or index_cue(cues) is not None
        if not figures:
            # "Bộ Nội vụ vừa công bố Chỉ số CCHC năm 2024.": no figure, but the index of the next ones
            found = index_cue(cues)
            if found is not None and max(c.priority for c in found[1].cues) >= STRONG_INDEX_NAME:
                named_only[sentence.index] = found  # only for its paragraph: not the article's topic
                if _is_heading(text, sentence):
                    heading_of[sentence.paragraph] = found  # "Chỉ số SIPAS" above the paragraph it heads
            continue
        analysis.tokens[sentence.index] = tokens
        sentence.tokens, sentence.token_starts = tokens, [t[0] for t in tokens]
        if (
            not everything
            and not cues
            and "%" not in text[sentence.start : sentence.end]
            and not any(True for _ in lex.metric_noun_matcher.finditer(text, sentence.start, sentence.end, tokens))
            # "Tỉnh xếp thứ 9/63" after an index was named: its rank
            and not (index_named and any(t[2] in _RANK_OR_POINTS for t in tokens))
            and not _TABLE_ROW.search(text, sentence.start, sentence.end)  # "A | 3.412 | 3.390": columns
        ):
            continue
        cues_by_sentence[sentence.index] = cues
    # one call of the number finder per run of consecutive wanted sentences
    wanted = sorted(cues_by_sentence)
    runs: list[list[int]] = []
    for index in wanted:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    for run in runs:
        first, last = sentences[run[0]], sentences[run[-1]]
        for number in find_numbers(text, first.start, last.end):
            for index in run:
                if sentences[index].start <= number.start and number.end <= sentences[index].end:
                    numbers_by_sentence.setdefault(index, []).append(number)
                    break
        for index in run:
            sentence = sentences[index]
            ordinals = ordinal_numbers(text, sentence.start, sentence.end) + group_numbers(
                text, sentence.start, sentence.end
            )
            if ordinals:  # "thứ hai": the rank, not the number word "hai"
                others = [
                    n
                    for n in numbers_by_sentence.get(index, [])
                    if not any(o.start < n.end and n.start < o.end for o in ordinals)
                ]
                numbers_by_sentence[index] = sorted(others + ordinals, key=lambda n: n.start)
    previous_rows: list[Mention] = []  # labelled mentions of the previous sentence (same paragraph)
    antecedent = None  # the last index named in the paragraph: (base, cue match)
    earlier = None  # the first index named in the article (its topic, usually in the headline)
    # an article that names one index only (a national announcement): it carries over paragraphs
    index_of = {i: index_cue(cues) for i, cues in cues_by_sentence.items()}
    named = [found for i in sorted(index_of) if (found := index_of[i])]
    only_index = named[0] if named and len({base for base, _ in named}) == 1 else None
    last_paragraph = -1
    paragraph_index = None  # the last index named in the current paragraph
    adjacent = None  # the last index named in the previous paragraph (ranks carry it over)
    last_named = None  # the last index named anywhere before (the referent of "chỉ số này")
    last_rate: Mention | None = None  # the last percent row (the referent of "tỷ lệ này")
    for sentence in sentences:
        if sentence.paragraph != last_paragraph:
            previous_rows = []
            # the index the previous paragraph named last: for ranks only ("… PAR INDEX … đạt
            # 86,02%." / "Hải Phòng, Quảng Ninh và Hà Nội lần lượt xếp thứ 1, 2, 3 …")
            adjacent = paragraph_index if sentence.paragraph == last_paragraph + 1 else None
            antecedent = only_index if only_index is not None and only_index[1].end <= sentence.start else None
            if antecedent is None and sentence.paragraph == last_paragraph + 1:
                antecedent = heading_of.get(last_paragraph)  # the index a heading names carries to its section
            paragraph_index = None
            last_paragraph = sentence.paragraph
        cues = cues_by_sentence.get(sentence.index, [])
        mentions = _sentence_mentions(lex, text, sentence, excluded, numbers_by_sentence.get(sentence.index, []))
        named_here = index_of.get(sentence.index)
        if named_here is None and last_named is not None and _anaphor(text, sentence, last_named):
            antecedent = last_named  # "Ở chỉ số này, tỉnh A dẫn đầu với 90,61%": the index just named
        named_any = named_here or named_only.get(sentence.index)  # named with figures or without
        paragraph_index = named_any or paragraph_index
        last_named = named_any or last_named
        if not mentions:
            antecedent = named_any or antecedent
            earlier = earlier or (first_index_cue(cues) if named_here else None)
            continue
        analysis.cue_matches[sentence.index] = cues
        _segment(lex, text, sentence, mentions, cues, analysis.tokens.get(sentence.index))
        mark_shapes(lex, text, sentence, mentions)
        label_sentence(
            lex,
            text,
            sentence,
            mentions,
            cues + _sibling_cues(text, sentences, sentence, cues_by_sentence),
            previous_rows,
            last_rate,
        )
        label_columns(lex, text, sentences, sentence, mentions)
        key_from_intro(lex, text, sentences, sentence, mentions)
        carry_index(text, sentence, mentions, cues, antecedent, earlier, adjacent)
        group_ranks(lex, text, sentence, mentions, named_here or antecedent or _anaphor(text, sentence, earlier), cues)
        for mention in mentions:
            if mention.status == "metric":
                vet_index(lex, text, sentence, mention, mentions)
        vet_mentions(lex, text, sentence, mentions)
        for mention in mentions:
            if mention.status == "metric" and mention.scope is None:
                mark_national(lex, text, mention, mentions)
        apply_contexts(lex, text, mentions)
        analysis.mentions.extend(mentions)
        rows = [m for m in mentions if m.status == "metric"]
        if rows:
            previous_rows = rows
        last_rate = next((m for m in reversed(rows) if m.unit == "percent"), last_rate)
        antecedent = named_here or antecedent
        earlier = earlier or (first_index_cue(cues) if named_here else None)
    if classifier is not None:
        # one call per article: a model's per-call cost dwarfs its per-mention cost
        classify_unlabelled(lex, text, analysis.mentions, classifier)
    return analysis


# a line that heads a page's box of other articles: the rest of the page ("Các tin khác"), or the
# short lines after it ("Tin liên quan:")
_FOOTER_HEADING = re.compile(
    r"(?im)^[ \t]*(?:các\s+tin\s+khác|tin\s+khác|tin\s+cùng\s+chuyên\s+mục|các\s+tin\s+đã\s+đưa|tin\s+mới\s+nhất"
    r"|tin\s+mới\s+hơn|tin\s+cũ\s+hơn|tin\s+đã\s+đưa)\b[^\n]{0,40}$"
)
_BOX_HEADING = re.compile(
    r"(?im)^[ \t]*(?:tin\s+liên\s+quan|bài\s+viết\s+liên\s+quan|tin\s+bài\s+liên\s+quan|bài\s+liên\s+quan"
    r"|xem\s+thêm|đọc\s+thêm)\b[^\n]{0,20}$"
)
BOX_LINE_MAX = 200  # a line of a box of related articles is a headline: shorter than this


def _related_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of a page dump's boxes of other articles (their headlines hold other
    figures): from a footer heading to the end, from a box heading over the short lines after it."""
    if "tin" not in text.lower() and "thêm" not in text:
        return []
    out = []
    footer = _FOOTER_HEADING.search(text)
    for m in _BOX_HEADING.finditer(text, 0, footer.start() if footer else len(text)):
        end = m.end()
        for line in re.finditer(r"[^\n]*\n?", text[m.end() :]):
            body = line.group().strip()
            if len(body) >= BOX_LINE_MAX or not line.group():
                break
            end = m.end() + line.end()
        out.append((m.start(), end))
    if footer:
        out.append((footer.start(), len(text)))
    return out


def _teasers(text: str) -> set[int]:
    """The paragraphs of a page dump that only point to the article and repeat it: a
    whole-line link ("[Toàn tỉnh tiếp nhận 42.420 hồ sơ … ...](https://…)") or a teaser cut
    off with "..." ("Có 44 TTHC được … qua quá ...": a listing's or a search result's
    summary) whose text stands again in a later paragraph. A link whose title stands
    nowhere else is the only headline there is, and is read. Also the second copy of a
    whole paragraph (a lead a page shows twice)."""
    starts = [0] + [m.end() for m in _PARAGRAPH_BREAK.finditer(text)]
    ends = [m.start() for m in _PARAGRAPH_BREAK.finditer(text)] + [len(text)]
    paragraphs = list(zip(starts, ends, strict=True))
    out = set()
    seen: set[str] = set()
    for index, (start, end) in enumerate(paragraphs):
        if end - start < DUPLICATE_MIN:
            continue
        key = " ".join(text[start:end].split())
        if key in seen:
            out.add(index)
        seen.add(key)
    if "..." not in text and "…" not in text and "](" not in text:
        return out
    links = {i for i, (a, b) in enumerate(paragraphs) if _LINK_PARAGRAPH.match(text, a, b)}
    for index, (start, end) in enumerate(paragraphs):
        if index in links:
            head = text[text.index("[", start) + 1 : text.index("](", start)]
        else:
            cut = _TEASER_END.search(text, start, end)
            if cut is None:
                continue
            head = text[start : cut.start()]
        head = _TEASER_END.sub("", head).strip()
        if len(head) < TEASER_MIN:
            continue
        if any(text.find(head, a, b) >= 0 for i, (a, b) in enumerate(paragraphs) if i > index and i not in links):
            out.add(index)
    return out


_OPEN_BOUND = re.compile(r"(?i)\s*trở\s+(lên|xuống)(?!\w)")


def _sibling_cues(
    text: str, sentences: list[Sentence], sentence: Sentence, cues_by_sentence: dict[int, list[CueMatch]]
) -> list[CueMatch]:
    """The cues of the other items of a bulleted list ("- Trước hạn: 10.412 hồ sơ;" / "- Đúng
    hạn: 3.297 hồ sơ;") and of the line introducing it: one list is one statement, so an
    item's key may depend on its siblings ("đúng hạn" beside an early count is on time
    only). Only for the "reported apart" checks: cue positions outside the sentence never
    match a figure."""

    if not is_list_item(text, sentence):
        return []
    out: list[CueMatch] = []
    i = sentence.index - 1
    while i >= 0 and is_list_item(text, sentences[i]):
        out.extend(cues_by_sentence.get(i, []))
        i -= 1
    if i >= 0 and text[sentences[i].start : sentences[i].end].rstrip().endswith(":"):
        out.extend(cues_by_sentence.get(i, []))
    i = sentence.index + 1
    while i < len(sentences) and is_list_item(text, sentences[i]):
        out.extend(cues_by_sentence.get(i, []))
        i += 1
    return out


_INDEX_ANAPHOR = re.compile(r"(?i)(?<!\w)(?:bộ\s+)?chỉ\s+số\s+(?:này|nói\s+trên|trên)(?!\w)")


def _anaphor(text: str, sentence: Sentence, index: tuple[str, CueMatch] | None) -> tuple[str, CueMatch] | None:
    """`index` when the sentence refers back to an index ("về Bộ chỉ số này", "Ở chỉ số này")."""
    if index is None or not _INDEX_ANAPHOR.search(text, sentence.start, sentence.end):
        return None
    return index


HEADING_MAX = 100  # a heading is a paragraph of one short line without a final period


def _is_heading(text: str, sentence: Sentence) -> bool:
    """A line standing alone as a paragraph, short and without a final period ("Chỉ số SIPAS",
    "NÂNG CAO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH")."""
    line = text[sentence.start : sentence.end].strip()
    alone = (sentence.start == 0 or text[sentence.start - 1] == "\n") and (
        sentence.end >= len(text) or text[sentence.end] == "\n"
    )
    return alone and 0 < len(line) <= HEADING_MAX and not line.endswith((".", ":", ";", ","))


@cache
def _followers() -> frozenset[str]:
    return frozenset(lexicon().markers.get("follower", ()))


def _sentence_mentions(
    lex: Lexicon, text: str, sentence: Sentence, excluded: list[tuple[int, int]], numbers: list[NumberMention]
) -> list[Mention]:
    out: list[Mention] = []
    for number in numbers:
        if any(s < number.end and number.start < e for s, e in excluded):
            continue
        if _CLOCK_BEFORE.search(text, max(sentence.start, number.start - CLOCK_LOOKBACK), number.start):
            continue  # "từ 7 giờ 30": minutes of a clock time
        if (
            number.raw.isdigit()
            and 1 <= number.value <= 31
            and _DAY_BEFORE.search(text, max(sentence.start, number.start - CLOCK_LOOKBACK), number.start)
        ):
            continue  # "Từ ngày 19 đến 21/6": a day of the month the date finder left alone
        if _BARE_YEAR.fullmatch(number.raw) and number.unit is None and BARE_YEARS[0] <= number.value <= BARE_YEARS[1]:
            family, _ = _counted_noun(lex, text, number.end, min(sentence.end, number.end + NOUN_LOOKAHEAD), sentence)
            if family in (None, "other", "score"):
                continue  # "PAR INDEX 2022", "PCI 2023": a year, not a figure
        before = text[max(sentence.start, number.start - CUE_LOOKBACK) : number.start]
        after_limit = min(sentence.end, number.end + NOUN_LOOKAHEAD)
        unit = "percent" if number.unit == "percent" else "count"
        rank_cue = _ends_with(lex, "rank", before)
        if unit != "percent" and rank_cue is not None and not re.search(r"(?i)sắp\s+$", before[: rank_cue.start()]):
            unit = "rank"
        if unit == "count" and _RANK_IS.search(before):
            unit = "rank"  # "thứ hạng của TP.HCM là 28/63"
        if is_ordinal(number):
            unit = "rank"
        family, noun_end = _counted_noun(lex, text, number.end, after_limit, sentence)
        if unit == "percent" and family is not None and _PAREN_AFTER.match(text, number.end):
            family, noun_end = None, number.end  # "đạt 31,5% (kế hoạch 30%)": an aside, not what is counted
        if unit == "count" and family == "score":
            unit = "score"
        if unit == "rank":
            family, noun_end = "none", number.end
        if unit == "count" and family in _WHOLE_THINGS and _COMMA_THOUSANDS.search(number.raw):
            # "1,234 hồ sơ": dossiers are not fractional, the comma groups thousands
            number = replace(number, value=int(round(number.value * 1000 ** number.raw.count(","))))
        if number.qualifier == "exact" and (bound := _OPEN_BOUND.match(text, number.end)) is not None:
            # "từ 98% trở lên", "30 ngày trở xuống": the bound is written after the figure
            number = replace(number, qualifier="lower_bound" if bound.group(1).lower() == "lên" else "upper_bound")
        mention = Mention(number, sentence, unit, family or "none", noun_end)
        if unit == "count" and family is None and number.denominator is None:
            word = _WORD_AFTER.match(text, number.end, sentence.end)
            if word is not None and word.group(1) not in _followers():
                # "giải quyết 45 đơn thư", "việc làm cho 12.000 lao động": a count of a thing no key counts
                mention.family, mention.reason = "other", f"a count of '{word.group(1)}'"
        out.append(mention)
    return out


def _segment(
    lex: Lexicon, text: str, sentence: Sentence, mentions: list[Mention], cues: list[CueMatch], tokens=None
) -> None:
    """Set each mention's segment, loose region and clause (see the module docstring).

    Between two mentions the cut falls at the last separator (punctuation or a word such
    as "và", "trong đó"); around a mention the tight segment stops at punctuation only,
    so "được tiếp nhận và xử lý trực tuyến" stays with its figure. A short parenthesis
    without digits ("(DVC)", "(HS)") is transparent.
    """
    protected = [(c.start, c.end) for c in cues]
    transparent = [m.span() for m in _SHORT_PAREN.finditer(text, sentence.start, sentence.end)]
    punctuation: list[tuple[int, int]] = []
    for m in _PUNCT_SEPARATOR.finditer(text, sentence.start, sentence.end):
        if _inside(protected, m.start()) or any(a <= m.start() < b for a, b in transparent):
            continue
        punctuation.append((m.start(), m.end()))
    words: list[tuple[int, int]] = []
    for m_start, m_end, _ in lex.marker_matcher["separator"].finditer(text, sentence.start, sentence.end, tokens):
        if any(a <= m_start < b for a, b in protected):
            continue
        if _NOT_SEPARATOR_BEFORE.search(text, max(sentence.start, m_start - SEPARATOR_LOOKBACK), m_start):
            continue  # "đối với", "so với": part of a phrase
        words.append((m_start, m_end))
    clause_cuts = [m.start() for m in _CLAUSE_SEPARATOR.finditer(text, sentence.start, sentence.end)]

    def clause_of(pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(clause_cuts, pos)
        start = clause_cuts[i - 1] + 1 if i > 0 else sentence.start
        end = clause_cuts[i] if i < len(clause_cuts) else sentence.end
        return start, end

    cuts = [sentence.start]
    for prev, cur in pairwise(mentions):
        lo, hi = prev.end, cur.number.start
        # punctuation first: in "2.171, lũy kế đã và đang giải quyết … 6.302" the "và"
        # joins two verbs, the comma separates the figures
        # the last punctuation mark, else the first separating word ("chiếm 18,4% | và số
        # quá hạn còn 634 hồ sơ")
        marks = [a for a, _ in punctuation if lo <= a < hi]
        joins = [a for a, _ in words if lo <= a < hi]
        if marks:
            cuts.append(marks[-1])
        elif joins:
            cuts.append(joins[0])
        else:
            cuts.append(max(lo, min(prev.noun_end, hi)))
    cuts.append(sentence.end)
    for i, mention in enumerate(mentions):
        left, right = cuts[i], cuts[i + 1]
        # the loose region reaches the neighbouring figures, skipping numbers of other
        # things ("16 quyết định … của 13 sở, ngành với 865 TTHC")
        figures_before = [m for m in mentions[:i] if m.family not in ("other", "change")]
        figures_after = [m for m in mentions[i + 1 :] if m.family not in ("other", "change")]
        gap_left = figures_before[-1].end if figures_before else sentence.start
        gap_right = figures_after[0].number.start if figures_after else sentence.end
        clause = clause_of(mention.start)
        before = [a for a, b in punctuation if left <= a and b <= mention.start]
        seg_start = max(left, before[-1]) if before else left
        after = [a for a, _ in punctuation if mention.end <= a < right]
        seg_end = after[0] if after else right
        seg_start, seg_end = max(seg_start, clause[0]), min(seg_end, clause[1])
        mention.segment = (seg_start, max(seg_end, mention.end))
        stop = _SUBLIST.search(text, mention.end, gap_right)
        if stop is not None:
            gap_right = stop.start()
        mention.loose = (max(gap_left, clause[0]), min(gap_right, clause[1]))
        mention.clause = clause
        if mention.unit == "percent":
            _extend_to_rate(text, mention, mentions[:i])


def _extend_to_rate(text: str, mention: Mention, before: list[Mention]) -> None:
    """A percent's segment reaches back to the "tỷ lệ" that names it when no other figure
    stands between: "tỷ lệ hồ sơ trực tuyến toàn trình của 26 xã, thị trấn đạt 61,4%", "tỷ
    lệ số hóa hồ sơ, kết quả giải quyết đạt 62,3%" (the whole rate phrase is its key's)."""
    lo = max(mention.clause[0], mention.start - RATE_LOOKBACK)
    found = None
    for m in _RATE.finditer(text, lo, mention.start):
        found = m
    if found is None or found.start() >= mention.segment[0]:
        return
    if any(found.end() <= m.start and m.family != "other" for m in before):
        return  # another figure stands between ("26 xã" is not one: a count of units)
    mention.segment = (found.start(), mention.segment[1])
    mention.loose = (min(mention.loose[0], found.start()), mention.loose[1])
