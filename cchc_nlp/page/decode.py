"""HTML bytes -> text: the BOM, the HTTP and <meta> charsets, UTF-8, windows-1258; then NFC."""

from __future__ import annotations

import codecs
import re
import unicodedata

__all__ = ["decode_html"]

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'").lower()).name
    except LookupError:
        return None


def decode_html(data: bytes | str, encoding: str | None = None) -> str:
    """HTML bytes -> NFC text: BOM, then the HTTP charset, the <meta> charset, UTF-8, windows-1258.

    Windows-1258 (the legacy Vietnamese code page) writes tones as combining marks;
    the NFC step composes them, as it does for pages typed in decomposed Unicode.
    """
    if isinstance(data, str):
        return unicodedata.normalize("NFC", data)
    if data.startswith(codecs.BOM_UTF8):
        return unicodedata.normalize("NFC", data[3:].decode("utf-8", errors="replace"))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return unicodedata.normalize("NFC", data.decode("utf-16", errors="replace"))
    candidates = [_codec(encoding)]
    meta = _META_CHARSET_RE.search(data[:4096])
    candidates.append(_codec(meta.group(1).decode("ascii")) if meta else None)
    candidates += ["utf-8", "cp1258"]
    for name in candidates:
        if not name:
            continue
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        return unicodedata.normalize("NFC", text)
    return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
