"""The metric classifier's skops file read without skops or scikit-learn, for a fast start.

Importing skops.io imports all of scikit-learn and SciPy and lists every estimator (about
3 s of CPU), while scoring a mention needs only the fitted arrays (`_DirectScorer` in
`cchc_nlp.metrics.model`). A skops file is a zip of `schema.json`, a tree of typed nodes,
and NumPy arrays. `read_state` decodes the plain nodes (JSON values, lists, tuples, dicts,
slices, type names, arrays: numeric ones by `np.load` without pickle, object ones as the
list of their items) into Python
values and keeps an object as its type name and attributes: it never imports or creates a
type named in the file, so nothing in the file can run. A node of any other kind makes it
return None; `cchc_nlp.metrics.model.load_model` reads such a file with skops (and its
allow-list) instead.

>>> char_wb_ngrams("Hồ sơ", (2, 3), lowercase=True)
[' h', 'hồ', 'ồ ', ' hồ', 'hồ ', ' s', 'sơ', 'ơ ', ' sơ', 'sơ ']
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["SkopsObject", "read_state", "char_wb_ngrams"]

# The key types a dict node may name (skops converts each key with its type).
_KEY_TYPES = {"builtins.str": str, "builtins.int": int}
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's _VectorizerMixin._white_spaces


@dataclass(frozen=True)
class SkopsObject:
    """An object node of a skops file: its type's full name and its attributes, not built."""

    type_name: str
    attrs: dict[str, Any]


class _Unsupported(Exception):
    """A node this reader does not decode."""


class _Decoder:
    """Decodes the nodes in the order skops' get_tree visits them; a node whose `__id__`
    was seen before is the value decoded first, as in skops."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.memo: dict[int, Any] = {}

    def decode(self, node: Any) -> Any:
        if not isinstance(node, dict) or "__loader__" not in node:
            raise _Unsupported("not a node")
        saved_id = node.get("__id__")
        if saved_id and saved_id in self.memo:
            return self.memo[saved_id]
        loader = node["__loader__"]
        type_name = f"{node.get('__module__')}.{node.get('__class__')}"
        if loader == "CachedNode":
            raise _Unsupported("a cached node before its object")
        value = self._decode(loader, type_name, node)
        if saved_id:
            self.memo[saved_id] = value
        return value

    def decode_all(self, nodes: list[Any]) -> list[Any]:
        """`decode` of each node. A list of JSON nodes (a vocabulary's thousands of values)
        is parsed as one JSON array: one json.loads instead of one per node."""
        if len(nodes) < 2 or not all(isinstance(n, dict) and n.get("__loader__") == "JsonNode" for n in nodes):
            return [self.decode(node) for node in nodes]
        parsed = json.loads("[" + ",".join(node["content"] for node in nodes) + "]")
        if len(parsed) != len(nodes):  # a content that is not one JSON value
            raise _Unsupported("JSON node content")
        values = []
        for node, value in zip(nodes, parsed, strict=True):
            saved_id = node.get("__id__")
            if saved_id and saved_id in self.memo:
                value = self.memo[saved_id]
            elif saved_id:
                self.memo[saved_id] = value
            values.append(value)
        return values

    def _decode(self, loader: str, type_name: str, node: dict[str, Any]) -> Any:
        if loader == "JsonNode":
            return json.loads(node["content"])
        if loader == "ListNode" and type_name == "builtins.list":
            return self.decode_all(node["content"])
        if loader == "TupleNode" and type_name == "builtins.tuple":
            return tuple(self.decode_all(node["content"]))
        if loader == "DictNode" and type_name == "builtins.dict":
            key_types = self.decode(node["key_types"])
            content = dict(zip(node["content"], self.decode_all(list(node["content"].values())), strict=True))
            if any(key_type not in _KEY_TYPES for key_type in key_types):
                raise _Unsupported(f"dict keys of types {key_types}")
            return {
                _KEY_TYPES[key_type](key): value
                for key_type, (key, value) in zip(key_types, content.items(), strict=False)
            }
        if loader == "SliceNode" and type_name == "builtins.slice":
            content = node["content"]
            return slice(content["start"], content["stop"], content["step"])
        if loader == "TypeNode":
            return type_name
        if loader == "NdArrayNode" and type_name == "numpy.ndarray" and node.get("type") == "numpy":
            return np.load(io.BytesIO(self.archive.read(node["file"])), allow_pickle=False)
        if loader == "NdArrayNode" and type_name == "numpy.ndarray" and node.get("type") == "json":
            # an object array (e.g. the column names) is stored as the list of its decoded items
            items = [self.decode(item) for item in node["content"]]
            shape = self.decode(node["shape"])
            array = np.empty(len(items), dtype=object)
            array[:] = items
            return array if len(shape) == 1 else np.array(items, dtype=object)
        if loader == "ObjectNode":
            content = node.get("content")
            attrs = self.decode(content) if content is not None else {}
            if not isinstance(attrs, dict):
                raise _Unsupported(f"{type_name} with state {type(attrs).__name__}")
            return SkopsObject(type_name, attrs)
        raise _Unsupported(f"{loader} for {type_name}")


def read_state(data: bytes) -> SkopsObject | None:
    """The object tree of a skops file, or None when it holds a node this reader does not
    decode (then read it with skops). Raises zipfile.BadZipFile, KeyError or
    json.JSONDecodeError for a file that is not a skops file."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        schema = json.loads(archive.read("schema.json"))
        try:
            root = _Decoder(archive).decode(schema)
        except (_Unsupported, ValueError, TypeError, KeyError):
            # ValueError: np.load refusing an object array; KeyError, TypeError: an unknown layout
            return None
    return root if isinstance(root, SkopsObject) else None


def char_wb_ngrams(text: str, ngram_range: tuple[int, int], lowercase: bool) -> list[str]:
    """scikit-learn's "char_wb" analyzer (no accent stripping, no custom preprocessor):
    character n-grams inside words padded with a space, in the same order."""
    if lowercase:
        text = text.lower()
    text = _WHITE_SPACES.sub(" ", text)
    min_n, max_n = ngram_range
    ngrams: list[str] = []
    append = ngrams.append
    for word in text.split():
        word = " " + word + " "
        length = len(word)
        for n in range(min_n, max_n + 1):
            offset = 0
            append(word[offset : offset + n])
            while offset + n < length:
                offset += 1
                append(word[offset : offset + n])
            if offset == 0:  # a short word (length < n) counts once
                break
    return ngrams
