"""Line helpers shared by the page readers: whitespace and NFC, comparison keys, word counts, bullets."""

from __future__ import annotations

import re
import unicodedata

__all__ = []

_WS_RE = re.compile(r"[\s\u00a0\u200b\u200c\u200d\u2060\ufeff\u00ad]+")


_BULLETS = "•·▪►»◦‣-–—*+ "


_TERMINAL = tuple('.!?…:;"”’)]»')


_TIME_RE = re.compile(r"\b\d{1,2}\s*[:h]\s*\d{2}\b")


def _clean(text: str) -> str:
    """NFC, whitespace runs (including no-break and zero-width spaces) to one space, stripped."""
    return _WS_RE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _fold(text: str) -> str:
    """A comparison key: lowercase, letters and digits only."""
    return re.sub(r"[\W_]+", "", text.lower())


def _words(text: str) -> int:
    return len(text.split())


def _strip_bullets(line: str) -> str:
    return line.lstrip(_BULLETS).strip()
