"""The spaCy pipeline: a Vietnamese tokenizer built on underthesea, and `load()`.

`load()` returns a `CchcVietnamese` Language whose tokenizer normalizes the text
(`cchc_nlp.text.normalize`), splits sentences and words (`cchc_nlp.text.segment`) and builds a
`Doc` whose text *is* the normalized text, so every character offset of every later
record refers to it. Later stages are ordinary spaCy components registered with
`@Language.factory` and named in `DEFAULT_COMPONENTS`.

Article metadata (publication date, URL, source) travels on the Doc as extension
attributes; `nlp.parse(text, published="2016-12-26")` sets them before the components run.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from spacy.lang.vi.lex_attrs import LEX_ATTRS
from spacy.lang.vi.stop_words import STOP_WORDS
from spacy.language import BaseDefaults, Language
from spacy.tokens import Doc, Span
from spacy.util import load_config_from_str, registry
from spacy.vocab import Vocab

from cchc_nlp._version import __version__
from cchc_nlp.errors import InputError
from cchc_nlp.text.normalize import normalize
from cchc_nlp.text.segment import Token, load_word_segmenter, segment_words, split_sentences
from cchc_nlp.timeutil import iso_date

__all__ = ["CchcVietnamese", "VietnameseTokenizer", "load", "DEFAULT_COMPONENTS", "DOC_TEXT_KEY", "MAX_TEXT_CHARS"]

# Larger inputs are refused with an InputError (a page dump is rarely over 100 kB).
MAX_TEXT_CHARS = 20_000_000

# underthesea is called on chunks of whole lines of about this size.
CHUNK_CHARS = 20_000

# Components of the default pipeline, in order: (factory name, module that registers it).
# A module that is not importable is an error, not a silent skip.
DEFAULT_COMPONENTS: list[tuple[str, str]] = [
    ("cchc_places", "cchc_nlp.tag.places"),
    ("cchc_timex", "cchc_nlp.tag.timex"),
    ("cchc_legal", "cchc_nlp.tag.legal"),
    ("cchc_orgs", "cchc_nlp.tag.orgs"),
    ("cchc_officials", "cchc_nlp.tag.officials"),
    ("cchc_article_province", "cchc_nlp.tag.article_province"),
    ("cchc_metrics", "cchc_nlp.metrics"),
]

# doc.user_data key of the normalized text: the tokenizer keeps it for the components
# (spaCy rebuilds doc.text on each access); cchc_metrics, the last, removes it.
DOC_TEXT_KEY = "cchc_text"

# Doc extension attributes, registered once at import (spaCy's recommended pattern).
DOC_EXTENSIONS: dict[str, Any] = {
    "published": None,  # ISO date "YYYY-MM-DD" of publication, anchors relative dates
    "meta": None,  # dict: url, source, title, doc_id... as given by the caller
    "offsets": None,  # normalized -> raw offset anchors, see NormalizedText
    "entities": None,  # list of entity record dicts (cchc_nlp.tag)
    "metrics": None,  # list of metric record dicts (cchc_nlp.metrics)
    "province": None,  # the province the article is about (dict) or None
}
for _name, _default in DOC_EXTENSIONS.items():
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)
# span._.norm: the normalized value of an entity span (canonical name, ISO date or period,
# document number), which the taggers also store as the span's kb_id_.
if not Span.has_extension("norm"):
    Span.set_extension("norm", getter=lambda span: span.kb_id_ or None)

# The keys of an as_tuples context (nlp.pipe(..., as_tuples=True)) that are article metadata.
CONTEXT_KEYS = ("published", "url", "source", "title", "doc_id", "path")


class VietnameseTokenizer:
    """Normalize, split sentences, segment words with underthesea, and build a Doc.

    The Doc's text equals `normalize(text).text`; sentence starts are set, and with
    `pos=True` underthesea's POS tags go to `token.tag_`.
    """

    def __init__(self, vocab: Vocab, pos: bool = False, max_chars: int = MAX_TEXT_CHARS):
        self.vocab = vocab
        self.pos = pos
        self.max_chars = max_chars

    def __call__(self, text: str) -> Doc:
        if isinstance(text, str) and len(text) > self.max_chars:
            raise InputError(
                f"text of {len(text):,} characters is over the limit of {self.max_chars:,}; "
                "split it into articles first"
            )
        normalized = normalize(text)
        doc = self.doc_from_normalized(normalized.text)
        doc._.offsets = [list(pair) for pair in normalized.anchors]
        doc.user_data[DOC_TEXT_KEY] = normalized.text
        return doc

    def doc_from_normalized(self, text: str) -> Doc:
        # underthesea runs once per chunk of whole lines, not once per sentence: its
        # per-call cost is large, and one call per article matches bare word_tokenize.
        tokens = [
            token
            for start, end in _line_chunks(text, CHUNK_CHARS)
            for token in segment_words(text, start, end, with_pos=self.pos)
        ]
        sentence_starts = [start for start, _ in split_sentences(text)]
        tokens = _split_at(tokens, sentence_starts, text)
        starts = set(sentence_starts)
        words: list[str] = []
        spaces: list[bool] = []
        sent_starts: list[bool] = []
        tags: list[str] = []
        cursor = 0
        for token in tokens:
            _add_gap(text[cursor : token.start], words, spaces, sent_starts, tags)
            words.append(token.text)
            spaces.append(False)
            sent_starts.append(token.start in starts)
            tags.append(token.tag or "X")
            cursor = token.end
        _add_gap(text[cursor:], words, spaces, sent_starts, tags)
        if sent_starts:
            sent_starts[0] = True
        return Doc(
            self.vocab,
            words=words,
            spaces=spaces,
            sent_starts=sent_starts or None,
            tags=tags if self.pos and words else None,
        )

    # The tokenizer has no state to save; these keep nlp.to_disk/to_bytes working.
    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: Any) -> VietnameseTokenizer:
        return self

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        return None

    def from_disk(self, path: Any, **kwargs: Any) -> VietnameseTokenizer:
        return self


def _line_chunks(text: str, size: int) -> Iterator[tuple[int, int]]:
    """Spans of whole lines, each about `size` characters (a longer line stays whole)."""
    start = 0
    while start < len(text):
        end = text.rfind("\n", start, start + size) if start + size < len(text) else len(text)
        if end <= start:
            end = text.find("\n", start + size)
            end = len(text) if end == -1 else end
        yield start, end
        start = end + 1


def _split_at(tokens: list[Token], boundaries: list[int], text: str) -> list[Token]:
    """Split the rare word that underthesea joined across a sentence boundary."""
    out: list[Token] = []
    i = 0
    for token in tokens:
        while i < len(boundaries) and boundaries[i] <= token.start:
            i += 1
        if i < len(boundaries) and boundaries[i] < token.end:
            cut = boundaries[i]
            head_end = len(text[token.start : cut].rstrip()) + token.start
            out.append(Token(text[token.start : head_end], token.start, head_end, token.tag))
            out.extend(_split_at([Token(text[cut : token.end], cut, token.end, token.tag)], boundaries, text))
        else:
            out.append(token)
    return out


def _add_gap(gap: str, words: list[str], spaces: list[bool], sent_starts: list[bool], tags: list[str]) -> None:
    """Whitespace between two words: a trailing space, or whitespace tokens."""
    if not gap:
        return
    if words and gap[0] == " " and not spaces[-1]:
        spaces[-1] = True
        gap = gap[1:]
    if gap:
        words.append(gap)
        spaces.append(False)
        sent_starts.append(False)
        tags.append("_SP")


@registry.tokenizers("cchc_nlp.VietnameseTokenizer.v1")
def create_tokenizer(pos: bool = False):
    def make_tokenizer(nlp: Language) -> VietnameseTokenizer:
        return VietnameseTokenizer(nlp.vocab, pos=pos)

    return make_tokenizer


_CONFIG = """
[nlp]
lang = "vi"
pipeline = []

[nlp.tokenizer]
@tokenizers = "cchc_nlp.VietnameseTokenizer.v1"
pos = false
"""


class CchcDefaults(BaseDefaults):
    config = load_config_from_str(_CONFIG)
    lex_attr_getters = LEX_ATTRS
    stop_words = STOP_WORDS
    writing_system = {"direction": "ltr", "has_case": True, "has_letters": True}


class CchcVietnamese(Language):
    """spaCy Language for CCHC news: underthesea tokens, normalized text, article metadata."""

    lang = "vi"
    Defaults = CchcDefaults

    def _ensure_doc_with_context(self, doc_like: Any, context: Any) -> Doc:
        """spaCy's hook for nlp.pipe(..., as_tuples=True): a context dict's publication date
        and metadata go on the Doc before the components run, as with `parse`.

        >>> nlp = load(components=[])
        >>> [(doc._.published, context["url"]) for doc, context in nlp.pipe(
        ...     [("Quý I/2020, tỉnh tiếp nhận 7.182 hồ sơ.", {"published": "2020-04-02", "url": "u1"})],
        ...     as_tuples=True)]
        [('2020-04-02', 'u1')]
        """
        doc = super()._ensure_doc_with_context(doc_like, context)
        if isinstance(context, Mapping):
            if context.get("published") is not None and doc._.published is None:
                doc._.published = iso_date(context["published"])
            meta = {k: v for k, v in context.items() if k in CONTEXT_KEYS and k != "published" and v is not None}
            if meta:
                doc._.meta = {**(doc._.meta or {}), **meta}
        return doc

    def make_article_doc(self, text: str, published: str | None = None, **meta: Any) -> Doc:
        """Tokenize `text` and attach its metadata, without running the components."""
        doc = self.make_doc(text)
        doc._.published = iso_date(published)
        doc._.meta = {key: value for key, value in meta.items() if value is not None}
        return doc

    def parse(self, text: str, published: str | None = None, **meta: Any) -> Doc:
        """Run the whole pipeline on one article.

        >>> nlp = load()
        >>> doc = nlp.parse("Sáng ngày 23/12, hội nghị diễn ra.", published="2016-12-26")
        >>> doc._.published
        '2016-12-26'
        """
        return self(self.make_article_doc(text, published, **meta))

    def parse_many(self, items: Iterable[tuple[str, dict[str, Any]]], batch_size: int = 16) -> Iterator[Doc]:
        """Run the pipeline over (text, meta) pairs; meta may hold `published`."""
        docs = (
            self.make_article_doc(text, meta.get("published"), **{k: v for k, v in meta.items() if k != "published"})
            for text, meta in items
        )
        yield from self.pipe(docs, batch_size=batch_size)


def load(pos: bool = False, components: Iterable[str] | None = None) -> CchcVietnamese:
    """The cchc_nlp pipeline.

    pos: also run underthesea's POS tagger (about 4x slower) and fill `token.tag_`.
    components: factory names to add, in order; default: every component in
        `DEFAULT_COMPONENTS`. Pass `[]` for the text core alone.

    >>> nlp = load(components=[])
    >>> [t.text for t in nlp("Cải cách hành chính")]
    ['Cải cách', 'hành chính']
    """
    if not pos:  # underthesea's segmentation model loads in a thread while the components are built
        load_word_segmenter()
    nlp = CchcVietnamese.from_config({"nlp": {"tokenizer": {"pos": pos}}})
    nlp.max_length = MAX_TEXT_CHARS
    nlp.meta.update(
        name="cchc_nlp",
        version=__version__,
        description="Vietnamese provincial administrative-reform (CCHC) news: entities and metrics",
        license="Apache-2.0",
    )
    wanted = [name for name, _ in DEFAULT_COMPONENTS] if components is None else list(components)
    modules = dict(DEFAULT_COMPONENTS)
    for name in wanted:
        if name in modules:
            importlib.import_module(modules[name])
        nlp.add_pipe(name)
    return nlp
