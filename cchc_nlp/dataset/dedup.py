"""Near-duplicate articles: the same story under several URLs (syndicated copies, reposts).

Texts are compared by their word 5-gram shingles. Each text gets a MinHash signature
(`SIGNATURE_SIZE` values: for each of as many seeded hash functions, the smallest hash of
its shingles), so that the share of equal values between two signatures estimates the
Jaccard similarity of their shingle sets. Locality-sensitive hashing finds the candidate
pairs without comparing every pair: signatures are cut into `BANDS` bands and texts that
share one band exactly are candidates; a candidate pair whose estimated similarity is at
least `THRESHOLD` is a near-duplicate. Groups are the connected components of those pairs;
a group's id (`dup_group`) is the doc_id of its first article (earliest publication, then
table order), and an article without copies is its own group.

Plain numpy and hashlib, about a hundred lines, instead of a dependency (datasketch does
the same): the signatures are computed in the extraction workers with the other rows of
an article and stored with its part, so consolidating a run only groups them.

>>> a = "Năm 2023, Trung tâm tiếp nhận 9.120 hồ sơ, giải quyết đúng hạn 9.001 hồ sơ, đạt 98,7%. " * 3
>>> groups = dup_groups(["d1", "d2", "d3"], [a, a + " Nguồn: báo X.", "Một bài khác hẳn về chỉ số PAPI."])
>>> groups["d1"] == groups["d2"] == "d1", groups["d3"]
(True, 'd3')
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["SIGNATURE_SIZE", "BANDS", "THRESHOLD", "SHINGLE_WORDS", "signature", "signature_bytes", "dup_groups"]

SHINGLE_WORDS = 5  # words per shingle
SIGNATURE_SIZE = 128  # hash functions per signature
BANDS = 32  # LSH bands of SIGNATURE_SIZE / BANDS rows: pairs near THRESHOLD are found with probability ~0.99
THRESHOLD = 0.8  # estimated Jaccard similarity of shingles from which two texts are near-duplicates

_PRIME = (1 << 61) - 1  # hash arithmetic modulo a Mersenne prime, on 32-bit shingle hashes
_MAX = np.uint64((1 << 32) - 1)
_rng = np.random.default_rng(20250701)  # fixed seed: the same text always gets the same signature
_A = _rng.integers(1, 1 << 32, SIGNATURE_SIZE, dtype=np.uint64)
_B = _rng.integers(0, 1 << 32, SIGNATURE_SIZE, dtype=np.uint64)
_WORD = re.compile(r"\w+")


def _shingle_hashes(text: str) -> np.ndarray:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        shingles = {" ".join(words)} if words else set()
    else:
        shingles = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=4).digest(), "little") for s in shingles),
        dtype=np.uint64,
        count=len(shingles),
    )


def signature(text: str) -> np.ndarray:
    """The MinHash signature of a text (SIGNATURE_SIZE uint32 values; all maximal for an empty text)."""
    hashes = _shingle_hashes(text)
    if hashes.size == 0:
        return np.full(SIGNATURE_SIZE, _MAX, dtype=np.uint32)
    # (a*x + b) mod p, in chunks of shingles to bound memory; a, x < 2^32 so a*x < 2^64
    out = np.full(SIGNATURE_SIZE, _MAX, dtype=np.uint64)
    for start in range(0, hashes.size, 4096):
        chunk = hashes[start : start + 4096]
        values = (np.outer(chunk, _A) % _PRIME + _B) % _PRIME & _MAX
        np.minimum(out, values.min(axis=0), out=out)
    return out.astype(np.uint32)


def signature_bytes(text: str) -> bytes:
    """`signature` as bytes (what the articles parts store)."""
    return signature(text).tobytes()


def _as_signature(value: bytes | np.ndarray | None, text: str | None) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return value.astype(np.uint32)
    if value:
        found = np.frombuffer(value, dtype=np.uint32)
        if found.size == SIGNATURE_SIZE:
            return found
    return signature(text or "")


def dup_groups(
    doc_ids: Sequence[str],
    texts: Sequence[str | None] | None = None,
    signatures: Sequence[bytes | np.ndarray | None] | None = None,
    order: Iterable[object] | None = None,
) -> dict[str, str]:
    """doc_id -> dup_group for a collection of articles.

    texts or signatures (bytes from `signature_bytes`; a missing one is computed from the
    text). order: a sort key per article (e.g. the publication time; None sorts last), the
    group id being the doc_id of the first article in that order, ties in input order.
    """
    n = len(doc_ids)
    if n == 0:
        return {}
    texts = list(texts) if texts is not None else [None] * n
    given = list(signatures) if signatures is not None else [None] * n
    matrix = np.stack([_as_signature(given[i], texts[i]) for i in range(n)])
    empty = (matrix == np.uint32(_MAX)).all(axis=1)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rows = SIGNATURE_SIZE // BANDS
    for band in range(BANDS):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        block = np.ascontiguousarray(matrix[:, band * rows : (band + 1) * rows])
        for i in range(n):
            if not empty[i]:
                buckets[block[i].tobytes()].append(i)
        for members in buckets.values():
            if len(members) < 2:
                continue
            first = members[0]
            similar = (matrix[members[1:]] == matrix[first]).mean(axis=1) >= THRESHOLD
            for other, keep in zip(members[1:], similar, strict=True):
                if keep:
                    parent[find(other)] = find(first)
            # members not similar to the first may still be similar to each other
            rest = [m for m, keep in zip(members[1:], similar, strict=True) if not keep]
            for i, a in enumerate(rest):
                for b in rest[i + 1 :]:
                    if find(a) != find(b) and (matrix[a] == matrix[b]).mean() >= THRESHOLD:
                        parent[find(b)] = find(a)
    keys = list(order) if order is not None else [None] * n
    ranked = sorted(range(n), key=lambda i: (keys[i] is None, "" if keys[i] is None else str(keys[i]), i))
    leader: dict[int, str] = {}
    for i in ranked:
        leader.setdefault(find(i), doc_ids[i])
    return {doc_ids[i]: leader[find(i)] for i in range(n)}
