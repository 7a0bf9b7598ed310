"""HTML bytes -> text: the BOM (UTF-8, UTF-16, UTF-32), the HTTP and <meta> charsets, UTF-8,
windows-1258; then NFC."""

from __future__ import annotations

import codecs
import re
import unicodedata

__all__ = ["decode_html", "decode_bom"]

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'").lower()).name
    except LookupError:
        return None


# byte-order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_bom(data: bytes, errors: str = "strict") -> str | None:
    """The text of bytes that begin with a Unicode byte-order mark (UTF-8, UTF-16 or UTF-32,
    either byte order), without the mark; None when there is no mark. With errors="strict"
    a malformed text raises UnicodeDecodeError.

    >>> decode_bom("Hà Nội".encode("utf-16")), decode_bom("Huế".encode("utf-32")), decode_bom(b"plain")
    ('Hà Nội', 'Huế', None)
    """
    for mark, codec in _BOMS:
        if data.startswith(mark):
            return data[len(mark) :].decode(codec, errors=errors)
    return None


def decode_html(data: bytes | str, encoding: str | None = None) -> str:
    """HTML bytes -> NFC text: BOM, then the HTTP charset, the <meta> charset, UTF-8, windows-1258.

    Windows-1258 (the legacy Vietnamese code page) writes tones as combining marks;
    the NFC step composes them, as it does for pages typed in decomposed Unicode.
    """
    if isinstance(data, str):
        return unicodedata.normalize("NFC", data)
    marked = decode_bom(data, errors="replace")
    if marked is not None:
        return unicodedata.normalize("NFC", marked)
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
