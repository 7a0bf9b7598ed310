"""Photo captions: kept apart from the text (articles.captions) and tagged (entities.section = caption)."""

from __future__ import annotations

from cchc_nlp.dataset import extract

PAGE = """<html><head><meta charset="utf-8"><title>Quảng Bình sơ kết cải cách hành chính quý I</title></head><body>
<h1>Quảng Bình sơ kết cải cách hành chính quý I</h1><div class="date">Thứ Năm, 14/03/2024 15:20</div>
<div class="content"><p>Chiều 13/3, UBND tỉnh Quảng Bình tổ chức hội nghị sơ kết công tác cải cách hành chính quý I,
đánh giá kết quả của các sở, ngành và địa phương.</p>
<figure><img src="/a.jpg"><figcaption>Đồng chí Trần Quang Vinh, Phó Chủ tịch UBND tỉnh phát biểu tại hội nghị
</figcaption></figure>
<p>Ông Nguyễn Văn Hải, Giám đốc Sở Nội vụ báo cáo tỷ lệ hồ sơ giải quyết đúng hạn đạt 98,5%, tăng so với cùng kỳ.</p>
<p style="text-align:center"><img src="/b.jpg"></p>
<p style="text-align:center"><em>Ông Nguyễn Văn Hải, Giám đốc Sở Nội vụ báo cáo tại hội nghị</em></p>
</div></body></html>"""


def test_officials_named_only_in_captions_are_in_the_entities_table(tmp_path):
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    ds = extract([tmp_path / "page.html"], jobs=1)
    (article,) = ds.articles.itertuples()
    assert list(article.captions) == [
        "Đồng chí Trần Quang Vinh, Phó Chủ tịch UBND tỉnh phát biểu tại hội nghị",
        "Ông Nguyễn Văn Hải, Giám đốc Sở Nội vụ báo cáo tại hội nghị",
    ]
    assert "Trần Quang Vinh" not in article.text and "báo cáo tại hội nghị" not in article.text
    officials = ds.entities[ds.entities["label"] == "OFFICIAL"]
    by_section = {(row.section, row.name): row for row in officials.itertuples()}
    assert set(by_section) == {
        ("body", "Nguyễn Văn Hải"),
        ("caption", "Trần Quang Vinh"),
        ("caption", "Nguyễn Văn Hải"),
    }
    assert list(by_section["caption", "Trần Quang Vinh"].titles) == ["Phó Chủ tịch UBND tỉnh"]
    # one person named in the text and under a photo keeps one id; one named only there gets its own
    assert by_section["caption", "Nguyễn Văn Hải"].person_id == by_section["body", "Nguyễn Văn Hải"].person_id
    assert by_section["caption", "Trần Quang Vinh"].person_id == "c1"
    captions = "\n".join(article.captions)
    for row in ds.entities.itertuples():
        source = captions if row.section == "caption" else article.text
        assert source[row.start : row.end] == row.text
    assert set(ds.entities["section"]) == {"body", "caption"}
    assert article.n_entities == len(ds.entities)
