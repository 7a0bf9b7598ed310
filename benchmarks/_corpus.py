"""Article texts for the benchmarks: the bundled samples and, when present, ../shared/corpus."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = [ROOT / "corpus" / "samples", ROOT.parent / "shared" / "corpus"]
_MARKUP = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S)


def load_texts(dirs: list[Path], suffixes: tuple[str, ...] = (".txt", ".html", ".htm")) -> list[str]:
    """The non-empty texts of the files below `dirs`, sorted by path.

    HTML tags are stripped crudely (the benchmarks measure the NLP stages, not page
    extraction), and the SOURCE/NOTE header of ../shared/corpus/real files is dropped.
    """
    texts = []
    for folder in dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix not in suffixes:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix != ".txt":
                text = _MARKUP.sub(" ", text)
            if text.startswith("SOURCE:") and "\n----\n" in text:
                text = text.split("\n----\n", 1)[1]
            if text.strip():
                texts.append(text)
    return texts
