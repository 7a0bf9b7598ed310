"""Article texts for the benchmarks: the bundled samples and, when present, ../shared/corpus.

`load_texts` reads texts for the in-process benchmarks; `write_corpus` writes a corpus of N
distinct "real-length" articles as files for the whole-command benchmarks. The shared
articles belong to their publishers: they are read from ../shared/corpus at run time and
written only to temporary folders, never into the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpus" / "samples"
SHARED = ROOT.parent / "shared" / "corpus"
DEFAULT_CORPORA = [SAMPLES, SHARED]
# The real articles of ../shared/corpus (full texts as published, one per file).
SHARED_ARTICLES = [SHARED / "real", SHARED / "real2", SHARED / "seeds"]
_MARKUP = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S)


def _strip_header(text: str) -> str:
    """The SOURCE/NOTE header of ../shared/corpus files is not part of the article."""
    if text.startswith("SOURCE:") and "\n----\n" in text:
        return text.split("\n----\n", 1)[1]
    return text


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
            text = _strip_header(text)
            if text.strip():
                texts.append(text)
    return texts


# --------------------------------------------------------------------------- a corpus of N articles

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
_SURNAME_RE = re.compile(r"\b(" + "|".join(SURNAMES) + r")\b")
_DATE_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b")
# a count: digits with thousands dots or a decimal comma, not part of a date, a fraction or a document number
_COUNT_RE = re.compile(r"(?<![\d/.,:-])(\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)(?![\d/:-]|\.\d)")


def vary(text: str, variant: int) -> str:
    """A distinct copy of an article: last digit of counts, day of dates, surnames changed
    (variant 0 is the article itself)."""
    digit_shift, surname_shift, day_shift = variant % 10, variant // 10 % len(SURNAMES), variant // 160 % 28
    if variant == 0:
        return text

    def count(match: re.Match) -> str:
        number = match.group(1)
        before = match.string[max(0, match.start() - 6) : match.start()].lower()
        if re.fullmatch(r"(19|20)\d\d", number) or before.endswith(("tháng ", "quý ", "ngày ")):
            return number  # years, months and days stay valid
        last = str((int(number[-1]) + digit_shift) % 10)
        return number[:-1] + last

    def date(match: re.Match) -> str:
        day = (int(match.group(1)) - 1 + day_shift) % 28 + 1
        return f"{day:0{len(match.group(1))}d}/{match.group(2)}/{match.group(3)}"

    def surname(match: re.Match) -> str:
        return SURNAMES[(SURNAMES.index(match.group(1)) + surname_shift) % len(SURNAMES)]

    text = _DATE_RE.sub(date, text)
    text = _COUNT_RE.sub(count, text)
    return _SURNAME_RE.sub(surname, text)


def base_articles(samples_only: bool = False) -> list[tuple[str, str]]:
    """(file name, text) of the articles a corpus is made of, in a fixed order: the real
    articles of ../shared/corpus (real, real2, seeds; header dropped, written as page
    dumps) when present, then the bundled samples (page dumps and HTML pages as they are)."""
    articles = []
    if not samples_only:
        for folder in SHARED_ARTICLES:
            if folder.is_dir():
                for path in sorted(folder.glob("*.txt")):
                    text = _strip_header(path.read_text(encoding="utf-8"))
                    if text.strip():
                        articles.append((f"{folder.name}_{path.name}", text))
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix in (".txt", ".html"):
            articles.append((path.name, path.read_text(encoding="utf-8")))
    if not articles:
        raise SystemExit(f"no articles in {SAMPLES} or {SHARED}")
    return articles


def write_corpus(folder: Path, n: int, articles: list[tuple[str, str]]) -> list[int]:
    """Write N distinct articles below `folder` (article i is `articles[i % len]`, variant
    i // len), 1,000 per subfolder; return how many copies of each base article it holds."""
    copies = [0] * len(articles)
    for i in range(n):
        base = i % len(articles)
        name, text = articles[base]
        sub = folder / f"{i // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{i:05d}_{name}").write_text(vary(text, i // len(articles)), encoding="utf-8")
        copies[base] += 1
    return copies
