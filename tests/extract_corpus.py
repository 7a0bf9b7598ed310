"""Tiny corpora for the extraction tests: short articles written for these tests, in the
style of provincial portal news, as page dumps, HTML pages, JSON Lines and WARC files,
with broken documents of every kind on demand."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

PEOPLE = [
    ("Bà", "Trần Thị Mai"),
    ("Ông", "Nguyễn Văn Hòa"),
    ("Ông", "Lê Minh Khoa"),
    ("Bà", "Phạm Thị Hạnh"),
    ("Ông", "Đỗ Quang Vinh"),
    ("Ông", "Võ Thanh Tùng"),
]
PLACES = [("Tân Phước", "Tiền Giang"), ("Mỹ Xuyên", "Sóc Trăng"), ("Bình Lục", "Hà Nam"), ("Tam Bình", "Vĩnh Long")]
TITLES = ["Phó Chủ tịch UBND huyện", "Chủ tịch UBND huyện", "Trưởng phòng Nội vụ huyện"]


def _vn(number: int) -> str:
    """4215 -> "4.215" (Vietnamese thousands separator)."""
    return f"{number:,}".replace(",", ".")


@dataclass
class Sample:
    """One test article; `i` makes its names, numbers and dates distinct."""

    i: int

    @property
    def district(self) -> str:
        return PLACES[self.i % len(PLACES)][0]

    @property
    def province(self) -> str:
        return PLACES[self.i % len(PLACES)][1]

    @property
    def day(self) -> int:
        return 1 + self.i % 27

    @property
    def month(self) -> int:
        return 1 + self.i % 12

    @property
    def year(self) -> int:
        return 2017 + self.i % 6

    @property
    def published(self) -> str:
        return f"{self.year}-{self.month:02d}-{self.day:02d}T08:{self.i % 60:02d}:00+07:00"

    @property
    def url(self) -> str:
        return f"https://tiengiang.gov.vn/tin-tuc/cai-cach-hanh-chinh-{self.i}.html"

    @property
    def title(self) -> str:
        return f"Huyện {self.district} sơ kết công tác cải cách hành chính quý {1 + self.i % 4} năm {self.year}"

    @property
    def paragraphs(self) -> list[str]:
        honorific, person = PEOPLE[self.i % len(PEOPLE)]
        title = TITLES[self.i % len(TITLES)]
        received = 3000 + 37 * self.i
        resolved = received - 11 - self.i % 7
        share = 97 + (self.i % 30) / 10
        return [
            f"Sáng ngày {self.day}/{self.month}, UBND huyện {self.district} tổ chức hội nghị sơ kết công tác cải cách "
            f"hành chính (CCHC) quý {1 + self.i % 4} năm {self.year}. {honorific} {person} - {title} chủ trì hội nghị.",
            f"Theo báo cáo, Bộ phận một cửa huyện đã tiếp nhận {_vn(received)} hồ sơ, đã giải quyết {_vn(resolved)} "
            "hồ sơ, "
            f"trong đó giải quyết đúng và trước hạn đạt {share:.1f}%.".replace(
                f"{share:.1f}", f"{share:.1f}".replace(".", ",")
            ),
            f"Thực hiện Quyết định số {100 + self.i}/QĐ-UBND ngày {self.day}/{self.month}/{self.year} của UBND tỉnh "
            f"{self.province}, huyện đã rà soát {20 + self.i % 9} thủ tục hành chính.",
            "Hội nghị cũng đề ra nhiệm vụ trọng tâm cho thời gian tới, trong đó tiếp tục đẩy mạnh "
            "dịch vụ công trực tuyến và nâng cao chất lượng phục vụ người dân.",
        ]

    @property
    def author(self) -> str:
        return ["Minh Châu", "Thanh Hà", "Bảo Ngọc"][self.i % 3]

    def dump(self) -> str:
        """A plain-text page dump: clock, dateline, title, body, byline."""
        dateline = f"Ngày {self.day:02d}/{self.month:02d}/{self.year} 08:{self.i % 60:02d}:00"
        return "\n".join(["Trang chủ", dateline, self.title, *self.paragraphs, self.author]) + "\n"

    def html(self) -> str:
        body = "".join(f"<p>{p}</p>" for p in self.paragraphs)
        return (
            "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>"
            f"<title>{self.title}</title>"
            "<meta property='og:type' content='article'>"
            f"<meta property='og:title' content='{self.title}'>"
            f"<meta property='article:published_time' content='{self.published}'>"
            f"<link rel='canonical' href='{self.url}'>"
            "</head><body><nav><a href='/'>Trang chủ</a> | <a href='/tin-tuc'>Tin tức</a></nav>"
            f"<article><h1>{self.title}</h1>{body}<p><strong>{self.author}</strong></p></article>"
            "<footer>Cổng thông tin điện tử tỉnh</footer></body></html>"
        )

    def record(self) -> dict:
        return {
            "text": "\n\n".join([self.title, *self.paragraphs]),
            "url": self.url.replace("tiengiang", "jsonl"),
            "title": self.title,
            "published": self.published[:10],
            "source": "jsonl.gov.vn",
            "province": self.province,
        }


def listing_html() -> str:
    """A portal listing page: links only, no article."""
    links = "".join(f"<li><a href='/tin-tuc/{i}.html'>Tin cải cách hành chính số {i}</a></li>" for i in range(20))
    return f"<html><head><title>Tin tức</title></head><body><ul>{links}</ul></body></html>"


def write_warc(path: Path, pages: list[tuple[str, str]], truncate: bool = False) -> list[int]:
    """Write (url, html) responses (plus a request record and an image) to a .warc.gz;
    return the byte offsets of the HTML responses. `truncate` cuts the last record."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=path.name.endswith(".gz"))
    offsets = []
    for url, html in pages:
        request = writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True),
        )
        writer.write_record(request)
        offsets.append(buffer.tell())
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode("utf-8")), http_headers=headers)
        )
    image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            "https://tiengiang.gov.vn/logo.png",
            "response",
            payload=io.BytesIO(b"\x89PNG" + bytes(200)),
            http_headers=image,
        )
    )
    data = buffer.getvalue()
    if truncate:
        data = data[: offsets[-1] + (len(data) - offsets[-1]) // 3]
    path.write_bytes(data)
    return offsets


@dataclass
class Corpus:
    root: Path
    good: set[str]  # `path` labels of the documents that must become articles
    broken: set[str]  # `path` labels of the documents that must be errors
    skipped: int = 0  # archived pages that are not articles


def build_corpus(root: Path, n: int = 6, broken: bool = False, start: int = 0) -> Corpus:
    """n page dumps, n/2 HTML pages, a JSON Lines file of n records and a WARC of n/2 pages,
    all distinct; with `broken`, one broken document of every kind."""
    root.mkdir(parents=True, exist_ok=True)
    good: set[str] = set()
    bad: set[str] = set()
    i = start
    (root / "dumps").mkdir(exist_ok=True)
    for _ in range(n):
        path = root / "dumps" / f"dump_{i:03d}.txt"
        path.write_text(Sample(i).dump(), encoding="utf-8")
        good.add(str(path))
        i += 1
    (root / "pages").mkdir(exist_ok=True)
    for _ in range(max(1, n // 2)):
        path = root / "pages" / f"page_{i:03d}.html"
        path.write_text(Sample(i).html(), encoding="utf-8")
        good.add(str(path))
        i += 1
    lines = []
    for _ in range(n):
        lines.append(json.dumps(Sample(i).record(), ensure_ascii=False))
        i += 1
    if broken:
        lines.insert(2, '{"text": "Hồ sơ bị cắt giữa chừng')  # not JSON
        lines.insert(4, json.dumps({"title": "Không có nội dung"}, ensure_ascii=False))  # no text
    jsonl = root / "records.jsonl"
    jsonl.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    for number, line in enumerate(lines, start=1):
        (bad if "Hồ sơ bị cắt" in line or "Không có nội dung" in line else good).add(f"{jsonl}:{number}")
    pages = []
    for _ in range(max(1, n // 2)):
        pages.append((Sample(i).url.replace("tiengiang", "warc"), Sample(i).html()))
        i += 1
    pages.append(("https://warc.gov.vn/tin-tuc", listing_html()))
    warc = root / "crawl.warc.gz"
    offsets = write_warc(warc, pages)
    good.update(f"{warc}@{offset}" for offset in offsets[:-1])
    skipped = 1
    if broken:
        (root / "dumps" / "binary.txt").write_bytes(b"\x00\x01\x02\xff\xfe binary \x00" * 50)
        bad.add(str(root / "dumps" / "binary.txt"))
        (root / "dumps" / "latin1.txt").write_bytes("Hội nghị cải cách hành chính".encode("utf-16-le"))
        bad.add(str(root / "dumps" / "latin1.txt"))
        (root / "pages" / "empty.html").write_text("<html><body></body></html>", encoding="utf-8")
        bad.add(str(root / "pages" / "empty.html"))
        huge = root / "dumps" / "huge.txt"
        with open(huge, "wb") as handle:  # a 50 MB text, written sparse
            handle.truncate(50_000_000)
        bad.add(str(huge))
        truncated = root / "truncated.warc.gz"
        cut = write_warc(
            truncated, [(f"https://cut.gov.vn/tin-{k}.html", Sample(900 + k).html()) for k in range(2)], truncate=True
        )
        good.add(f"{truncated}@{cut[0]}")
        # the damaged record is reported where the archive breaks
        bad.add(f"{truncated}@*")
    return Corpus(root, good, bad, skipped)


# --- a stand-in tagger, so the tests see entity and metric rows whatever the real
# components currently find -----------------------------------------------------------

_FAKE = "test_extract_fake_tagger"


def fake_pipeline():
    """The text core plus a component that adds simple entity and metric records."""
    import re

    from spacy.language import Language

    from cchc_nlp.records import add_entity
    from cchc_nlp.text.pipeline import load

    if _FAKE not in Language.factories:

        @Language.component(_FAKE)
        def fake_tagger(doc):
            for match in re.finditer(r"huyện ([A-ZĐ]\w+ [A-ZĐ]\w+)", doc.text):
                add_entity(
                    doc, "DISTRICT", match.start(), match.end(), norm=match.group(1), province="Tiền Giang", rank=1
                )
            for match in re.finditer(r"(Ông|Bà) ([A-ZĐ]\w+(?: [A-ZĐ]\w+)+) - ([^.]+?) chủ trì", doc.text):
                add_entity(
                    doc,
                    "OFFICIAL",
                    match.start(2),
                    match.end(2),
                    norm=match.group(2),
                    name=match.group(2),
                    titles=[match.group(3)],
                    honorific=match.group(1).lower(),
                )
            for match in re.finditer(r"Quyết định số (\S+)", doc.text):
                add_entity(
                    doc,
                    "LEGAL_DOC",
                    match.start(),
                    match.end(),
                    norm=match.group(1),
                    doc_number=match.group(1),
                    doc_date="not a date",
                )
            doc._.metrics = []
            for match in re.finditer(r"tiếp nhận ([\d.]+) hồ sơ", doc.text):
                doc._.metrics.append(
                    {
                        "metric": "dossier.received",
                        "value": int(match.group(1).replace(".", "")),
                        "unit": "count",
                        "denominator": None,
                        "share": None,
                        "qualifier": "exact",
                        "is_target": False,
                        "period_start": (doc._.published or "2020-01-01")[:4] + "-01-01",
                        "period_end": doc._.published,
                        "period_label": None,
                        "scope_level": "huyện",
                        "subject": None,
                        "province": None,
                        "start": match.start(1),
                        "end": match.end(1),
                        "sentence": None,
                        "confidence": 0.9,
                        "warnings": [],
                    }
                )
            doc._.province = {"name": "Tiền Giang"}
            return doc

    nlp = load(components=[])
    nlp.add_pipe(_FAKE)
    return nlp


CRASH_MARK = "SỰ CỐ MÁY CHỦ"
_CRASH = "test_extract_crash"


def crashing_pipeline():
    """fake_pipeline() plus a component that kills its process on a text holding
    CRASH_MARK, as a segfault in a component would. Only for worker processes."""
    import os

    from spacy.language import Language

    if _CRASH not in Language.factories:

        @Language.component(_CRASH)
        def crash(doc):
            if CRASH_MARK in doc.text:
                os._exit(3)
            return doc

    nlp = fake_pipeline()
    nlp.add_pipe(_CRASH)
    return nlp
