"""Sentence splitting and word segmentation of normalized text.

Sentences break at every line break and after sentence punctuation followed by
whitespace and a likely sentence start. Because a break needs whitespace after the
punctuation, URLs, e-mail addresses, file names, decimals (57,41), thousands (1.937),
dates (02/7/2018) and document numbers (09/2015/QĐ-TTg) are never split; dotted
abbreviations (TP., TS.) and initials (N. H.) are checked against the abbreviation table.

Words come from underthesea's bundled CRF segmenter (`word_tokenize`), run one
sentence at a time, and are aligned back to exact character offsets.
"""

from __future__ import annotations

import pickle
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cchc_nlp.resources import dotted_abbreviations

__all__ = ["Token", "split_sentences", "segment_words", "tokenize"]

# Punctuation that can end a sentence, closing quotes/brackets allowed after it.
# ([.!?…]+ written [.!?…][.!?…]*: a pattern that opens with a class is scanned for fast)
_BOUNDARY_RE = re.compile(r"([.!?…][.!?…]*[\"'”’»)\]]*)([ \t]+)(?=[\"'“‘«(\[]?[-–•*]?\s*[A-ZĐÀ-ỸẠ-Ỹ0-9])")
_LAST_WORD_RE = re.compile(r"(\S+)$")
_INITIAL_RE = re.compile(r"^(?:[A-ZĐ][a-zđ]?\.)+$")


@dataclass(frozen=True, slots=True)
class Token:
    """A word with its exact span in the normalized text."""

    text: str
    start: int
    end: int
    tag: str = ""


def _is_abbreviation(text: str, dot_end: int) -> bool:
    """True when the dot ending at `dot_end` belongs to an abbreviation or an initial."""
    # Look back a short window only: abbreviations are short, and texts can be megabytes.
    match = _LAST_WORD_RE.search(text, max(0, dot_end - 40), dot_end)
    if match is None:
        return False
    word = match.group(1).lstrip("(\"'“")
    dotted = dotted_abbreviations()
    if word in dotted or all(part + "." in dotted for part in word[:-1].split(".")):
        return True
    # "N.", "H.", "Th." and chains like "N.H." are initials, not sentence ends.
    return bool(_INITIAL_RE.match(word))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans [start, end) of a normalized text, in order, without surrounding spaces.

    >>> t = "Đạt 57,41%. TP. Phủ Lý có 1.937 thủ tục.\\nXem www.hanam.gov.vn"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['Đạt 57,41%.', 'TP. Phủ Lý có 1.937 thủ tục.', 'Xem www.hanam.gov.vn']
    """
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        start = line_start
        for match in _BOUNDARY_RE.finditer(text, line_start, line_end):
            if match.group(1) == "." and _is_abbreviation(text, match.start(1) + 1):
                continue
            end = match.end(1)
            _append(text, spans, start, end)
            start = match.end()
        _append(text, spans, start, line_end)
        line_start = line_end + 1
    return spans


def _append(text: str, spans: list[tuple[int, int]], start: int, end: int) -> None:
    while start < end and text[start] in " \t":
        start += 1
    while end > start and text[end - 1] in " \t":
        end -= 1
    if end > start:
        spans.append((start, end))


def _underthesea_words(sentence: str, with_pos: bool) -> list[tuple[str, str]]:
    if with_pos:
        from underthesea import pos_tag  # underthesea (about 1 s) loads with the first segmented text

        return [(word, tag) for word, tag in pos_tag(sentence)]
    return [(word, "") for word in _word_tokenize()(sentence)]


# The folder of underthesea's word segmentation model, as its word_tokenize names it.
WORD_SEGMENTER_MODEL = "ws_crf_vlsp2013_20230727"


@cache
def _word_tokenize() -> Callable[[str], list[str]]:
    """underthesea's `word_tokenize`, its CRF model loaded (see `load_word_segmenter`)."""
    from underthesea.pipeline import word_tokenize as module  # underthesea (about 0.2 s) loads with the first text

    if module.word_tokenize_model is None:
        module.word_tokenize_model = load_word_segmenter().result()
    return module.word_tokenize


class _Loading:
    """A value built in a thread. `result()` joins the thread, so that none is left running
    (the process may fork its workers next), and returns the value or raises its error."""

    def __init__(self, build: Callable[[], Any]):
        self._value: Any = None
        self._error: BaseException | None = None

        def run() -> None:
            try:
                self._value = build()
            except BaseException as exc:  # raised again by result(), in the caller's thread
                self._error = exc

        self._thread = threading.Thread(target=run, name="cchc-segmenter", daemon=True)
        self._thread.start()

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


@cache
def load_word_segmenter() -> _Loading:
    """Start loading underthesea's word segmentation model (its `result()`: the model, or
    None when it is left to underthesea).

    word_tokenize loads the model on its first call, reading the feature list and the
    72,000-word dictionary with joblib, whose unpickler is written in Python: 0.2 s of the
    start-up of a run. The same files are read here with the C unpickler into the same
    objects (a list and a set of strings, checked) and handed to the same classes, so the
    words are the same. A model folder or file of another form (another underthesea
    version) is left to word_tokenize to load its own way.

    The CRF tagger and featurizer are built in a thread: underthesea_core (Rust) releases
    the GIL while it reads them (0.1 s), so `cchc_nlp.text.pipeline.load` calls this first
    and builds its components meanwhile. Modules are imported here, never in the thread.
    """
    from underthesea.models.fast_crf_sequence_tagger import FastCRFSequenceTagger
    from underthesea.pipeline import word_tokenize as module  # underthesea (about 0.2 s) loads with the first text
    from underthesea_core import CRFFeaturizer, CRFTagger

    loaded = module.word_tokenize_model
    if loaded is not None:  # by underthesea already
        return _Loading(lambda: loaded)
    folder = Path(module.__file__).parent / "models" / WORD_SEGMENTER_MODEL
    model = FastCRFSequenceTagger()
    tables = _segmenter_tables(folder, model.path_features, model.path_dictionary)

    def build() -> Any:
        if tables is None or not (folder / model.path_model).is_file():
            return None
        estimator = CRFTagger()
        estimator.load(str(folder / model.path_model))
        model.estimator = estimator
        model.featurizer = CRFFeaturizer(*tables)
        return model

    return _Loading(build)


def _segmenter_tables(folder: Path, features: str, dictionary: str) -> tuple[list, set] | None:
    """The feature list and the dictionary of a segmenter model folder, None unless both
    files are plain pickles of a list and a set (joblib writes those; it may also compress)."""
    tables = []
    for path in (folder / features, folder / dictionary):
        if not path.is_file():
            return None
        with path.open("rb") as handle:
            if handle.read(1) != pickle.PROTO:
                return None
            handle.seek(0)
            tables.append(pickle.load(handle))  # underthesea's own bundled model, as joblib reads it
    if not (isinstance(tables[0], list) and isinstance(tables[1], set)):
        return None
    return tables[0], tables[1]


def _align(sentence: str, offset: int, words: list[tuple[str, str]]) -> Iterator[Token]:
    """Place underthesea's words on the sentence's characters.

    underthesea may alter characters (tone placement, odd spaces), so a word that is not
    found verbatim is placed by counting its non-space characters instead.
    """
    cursor = 0
    length = len(sentence)
    for word, tag in words:
        while cursor < length and sentence[cursor].isspace():
            cursor += 1
        if cursor >= length:
            break
        if sentence.startswith(word, cursor):
            end = cursor + len(word)
        else:
            needed = sum(1 for c in word if not c.isspace())
            end = cursor
            while end < length and needed > 0:
                if not sentence[end].isspace():
                    needed -= 1
                end += 1
        yield Token(sentence[cursor:end], offset + cursor, offset + end, tag)
        cursor = end
    # Anything underthesea dropped still becomes tokens, so no character is lost.
    for match in re.finditer(r"\S+", sentence[cursor:]):
        yield Token(match.group(), offset + cursor + match.start(), offset + cursor + match.end(), "")


def segment_words(text: str, start: int, end: int, with_pos: bool = False) -> list[Token]:
    """Words of text[start:end] with exact offsets; POS tags only when `with_pos`."""
    sentence = text[start:end]
    if not sentence.strip():
        return []
    return list(_align(sentence, start, _underthesea_words(sentence, with_pos)))


def tokenize(text: str, with_pos: bool = False) -> list[list[Token]]:
    """Sentences of a normalized text, each a list of word Tokens."""
    return [segment_words(text, s, e, with_pos) for s, e in split_sentences(text)]
