"""The official form of the reports (Nghị định 30/2020/NĐ-CP), the Alliance's conclusions,
withheld units' reports, and the plain-language formats of the body (issue 15).

Fast tests: configuration files and hand-made figures; the built reports are checked in
test_reports.py and test_pdf.py.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from _config import write_config
from hailong.core.errors import ConfigError
from hailong.present import fmt, narrative, progress_report
from hailong.reference.config import load_config

DOCUMENT = """\
document:
  parent_body: {vi: "LIÊN MINH HTX VIỆT NAM", en: "VIETNAM COOPERATIVE ALLIANCE"}
  issuing_body: {vi: "LIÊN MINH HTX THÀNH PHỐ HẢI PHÒNG", en: "HAI PHONG ALLIANCE"}
  symbol: "BC-LMHTX"
  place: {vi: "Hải Phòng", en: "Hai Phong"}
  signer: {title: {vi: "CHỦ TỊCH", en: "CHAIR"}, name: "Nguyễn Văn A"}
  recipients: {vi: ["UBND thành phố;", "Lưu: VT."], en: ["City People's Committee;", "Archives."]}
  conclusions: conclusions/{year}/{unit}.md
"""


def config_with(tmp_path: Path, document: str = DOCUMENT, round_document: str = "") -> Path:
    """The test configuration with a ``document:`` section (and the round's)."""
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8").replace("rounds:\n", document + "rounds:\n")
    path.write_text(text + round_document, encoding="utf-8")
    return path


ROUND_DOC = """\
    document:
      date: 2023-02-05
      numbers: {city: "15", "311": 16}
      issued: [city]
"""


# ----------------------------------------------------------------------- configuration

def test_document_settings_are_read_per_round_and_unit(tmp_path):
    cfg = load_config(config_with(tmp_path, round_document=ROUND_DOC))
    assert cfg.document.symbol == "BC-LMHTX"
    assert cfg.document.signer_title == {"vi": "CHỦ TỊCH", "en": "CHAIR"}
    assert cfg.document_number(2022, "311") == "16" and cfg.document_number(2022, "305") == ""
    assert cfg.issued(2022, "city") and not cfg.issued(2022, "311")
    assert cfg.round(2022).document.date == dt.date(2023, 2, 5)
    assert cfg.conclusions_path(2022, "311") == (tmp_path / "conclusions/2022/311.md").resolve()
    assert cfg.conclusions_path(2022, "city", "en").name == "city.en.md"


def test_without_a_document_section_every_report_is_a_draft_without_number(tmp_path):
    cfg = load_config(write_config(tmp_path))
    assert not cfg.issued(2022, "city") and cfg.document_number(2022, "city") == ""
    assert cfg.conclusions_path(2022, "city") is None and cfg.conclusions_files(2022) == []


def test_issued_for_every_round_at_the_top(tmp_path):
    cfg = load_config(config_with(tmp_path, DOCUMENT + "  issued: true\n"))
    assert cfg.issued(2022, "311") and cfg.issued(2022, "city")


@pytest.mark.parametrize("document, words", [
    (DOCUMENT.replace('symbol: "BC-LMHTX"', "symbol: 12"), "document.symbol is not a text"),
    (DOCUMENT.replace("{year}/{unit}.md", "{year}/all.md"), "with {unit}"),
    (DOCUMENT + "  signed: true\n", "document.signed is not a setting"),
    (DOCUMENT.replace('recipients: {vi: ["UBND thành phố;", "Lưu: VT."], en: '
                      '["City People\'s Committee;", "Archives."]}', "recipients: 3"),
     "document.recipients is not a list"),
    (DOCUMENT + "  issued: [city]\n", "document.issued is not true or false"),
])
def test_a_wrong_document_setting_is_named(tmp_path, document, words):
    with pytest.raises(ConfigError) as err:
        load_config(config_with(tmp_path, document))
    assert words in str(err.value)


@pytest.mark.parametrize("round_document, words", [
    ("    document: {issued: yes-please}\n", "rounds.2022.document.issued is not true"),
    ("    document: {date: 15/06/2023}\n", "rounds.2022.document.date is not a date"),
    ("    document: {numbers: [1, 2]}\n", "rounds.2022.document.numbers is not a number"),
])
def test_a_wrong_round_document_setting_is_named(tmp_path, round_document, words):
    with pytest.raises(ConfigError) as err:
        load_config(config_with(tmp_path, round_document=round_document))
    assert words in str(err.value)


# ----------------------------------------------------------------------- the official form

def test_heading_of_a_numbered_dated_draft(tmp_path):
    doc = narrative.document(config_with(tmp_path, round_document=ROUND_DOC), 2022, "311")
    html = narrative.official_heading(doc)
    for part in ('<p class="parent-body">LIÊN MINH HTX VIỆT NAM</p>',
                 '<p class="issuing-body">LIÊN MINH HTX THÀNH PHỐ HẢI PHÒNG</p>',
                 '<p class="doc-number">Số: 16/BC-LMHTX</p>',
                 '<p class="nation">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</p>',
                 '<p class="motto"><span>Độc lập - Tự do - Hạnh phúc</span></p>',
                 # Nghị định 30: a day below 10 and a month below 3 take a leading zero
                 '<p class="doc-date">Hải Phòng, ngày 05 tháng 02 năm 2023</p>',
                 '<p class="draft-mark">DỰ THẢO</p>'):
        assert part in html, part
    # the city's report is issued: no draft mark; English words for an English report
    city = narrative.document(config_with(tmp_path, round_document=ROUND_DOC), 2022, "city",
                              "en")
    html = narrative.official_heading(city, "en")
    assert "draft-mark" not in html and "DRAFT" not in html
    assert "No.: 15/BC-LMHTX" in html and "Hai Phong, 5 February 2023" in html
    assert "SOCIALIST REPUBLIC OF VIETNAM" in html


def test_without_number_or_date_the_heading_leaves_room_to_write_them(tmp_path):
    doc = narrative.document(config_with(tmp_path), 2022, "305")
    html = narrative.official_heading(doc)
    assert "Số: \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/BC-LMHTX" in html
    assert "Hải Phòng, ngày … tháng … năm …" in html


def test_signature_block_lists_recipients_and_the_signer(tmp_path):
    doc = narrative.document(config_with(tmp_path), 2022, "city")
    html = narrative.signature_html(doc)
    assert ('<p class="recipients-head">Nơi nhận:</p><ul><li>UBND thành phố;</li>'
            "<li>Lưu: VT.</li></ul>") in html
    assert ('<p class="signer-title">CHỦ TỊCH</p><p class="signer-note">(ký, ghi rõ họ tên)'
            '</p><p class="signer-name">Nguyễn Văn A</p>') in html


def test_conclusions_file_is_rendered_with_its_html_shown_as_text(tmp_path):
    path = config_with(tmp_path)
    (tmp_path / "conclusions" / "2022").mkdir(parents=True)
    (tmp_path / "conclusions" / "2022" / "311.md").write_text(
        "# Kết luận\n\nHTX **hài lòng** <script>alert(1)</script> <b onclick=x>in đậm</b>\n\n"
        "- [trang](javascript:alert(2))\n", encoding="utf-8")
    doc = narrative.document(path, 2022, "311")
    assert narrative.has_conclusions(doc)
    html = narrative.conclusions_html(doc)
    assert html.startswith('<div class="conclusions"><h3>Kết luận</h3>')  # "#" -> h3
    assert "<strong>hài lòng</strong>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html
    assert "&lt;b onclick=x&gt;" in html and "<b " not in html
    assert "javascript:" not in html
    # no file: no section; an English report reads its own file
    assert narrative.conclusions_html(narrative.document(path, 2022, "305")) == ""
    assert not narrative.has_conclusions(narrative.document(path, 2022, "311", "en"))


def test_conclusions_files_of_a_round_are_listed_for_the_fingerprint(tmp_path):
    path = config_with(tmp_path)
    folder = tmp_path / "conclusions" / "2022"
    folder.mkdir(parents=True)
    for name in ("city.md", "311.md", "311.en.md"):
        (folder / name).write_text("x", encoding="utf-8")
    assert [p.name for p in load_config(path).conclusions_files(2022)] == [
        "311.en.md", "311.md", "city.md"]


# ----------------------------------------------------------------------- withheld units

def figures(**kw) -> narrative.UnitFigures:
    base = dict(code="318", name="Huyện Bạch Long Vĩ", inline_name="huyện Bạch Long Vĩ",
                short_name="Bạch Long Vĩ", year=2022, answered=1, roster_n=7,
                coverage=1 / 7, index=math.nan, satisfied=math.nan, overall_index=math.nan,
                overall_satisfied=math.nan, overall_number="12", published=False, min_n=5,
                withheld="primary")
    return narrative.UnitFigures(**{**base, **kw})


def test_withheld_unit_reads_participation_city_context_and_the_answers_needed():
    me = figures()
    assert narrative.participation(me) == (
        "1 trên 7 HTX trong danh sách của huyện Bạch Long Vĩ đã trả lời khảo sát (14,3%).")
    assert narrative.more_needed(me) == 4  # 5 - 1
    assert narrative.next_round(me) == (
        "Số liệu của một quận, huyện được công bố khi có ít nhất 5 HTX trả lời. Kỳ này "
        "huyện Bạch Long Vĩ có 1 HTX trả lời: cần thêm 4 HTX trả lời ở kỳ sau (trong danh "
        "sách có 7 HTX).")
    city = figures(code="city", name="Thành phố Hải Phòng", answered=356, roster_n=404,
                   index=70.94, published=True, tier_label="Khá", withheld="")
    assert narrative.city_context(city) == (
        "Để tham khảo, số liệu của toàn thành phố: chỉ số hài lòng chung 70,9 điểm "
        "(xếp loại Khá), dựa trên 356 HTX trả lời.")
    assert narrative.city_context(figures(code="city")) == ""  # the city withheld too


def test_a_roster_shorter_than_the_minimum_or_a_secondary_suppression_is_said():
    short = narrative.next_round(figures(answered=1, roster_n=2, coverage=0.5))
    assert short == (
        "Số liệu của một quận, huyện được công bố khi có ít nhất 5 HTX trả lời: huyện Bạch "
        "Long Vĩ cần thêm 4 HTX trả lời so với kỳ này (1 HTX), nhưng danh sách của huyện "
        "Bạch Long Vĩ chỉ có 2 HTX. Cho đến khi danh sách có đủ 5 HTX, câu trả lời của "
        "huyện Bạch Long Vĩ được tính vào số liệu toàn thành phố.")
    second = narrative.next_round(figures(answered=6, roster_n=9, withheld="secondary"),
                                  "en")
    assert second.startswith("The figures of huyện Bạch Long Vĩ are withheld to protect")
    assert narrative.more_needed(figures(answered=6)) == 0


# ----------------------------------------------------------------------- plain formats

def test_ranges_are_kept_on_one_line():
    assert fmt.keep_together("68,7–71,7") == '<span class="nowrap">68,7–71,7</span>'
    assert fmt.keep_together("12 (12–13)") == '<span class="nowrap">12 (12–13)</span>'
    assert fmt.keep_together("trên 0 – +7,4") == '<span class="nowrap">trên 0 – +7,4</span>'
    assert fmt.keep_together("Khá – có thể Trung bình") == (
        '<span class="nowrap">Khá – có thể Trung bình</span>')
    assert fmt.keep_together("Lãnh đạo – chỉ đạo") == "Lãnh đạo – chỉ đạo"
    # in a table: the figures' cells, not the labels
    html = fmt.html_table(pd.DataFrame({"Chỉ tiêu": ["Khoảng (0–100)"], "A": ["68,7–71,7"]}),
                          numeric=["A"])
    assert ">Khoảng (0–100)</td>" in html
    assert '><span class="nowrap">68,7–71,7</span></td>' in html


def test_change_intervals_have_one_decimal():
    assert fmt.change_interval(0.011, 7.413) == "trên 0 – +7,4"
    assert fmt.change_interval(-7.46, -0.049, "en") == "-7.5 – below 0"
    assert fmt.change_interval(-0.2, 3.26) == "-0,2 – +3,3"


def test_quotes_said_under_an_earlier_theme_are_not_repeated():
    class R:
        quotes = pd.DataFrame({
            "unit": "city", "question": "RECOMMENDATIONS", "rank": [1, 2, 1, 2, 1],
            "theme": ["von", "von", "dao_tao", "dao_tao", "phap_luat"],
            "text": ["Cho vay tín chấp.", "Bổ sung vốn.", "Tập huấn chữ ký số.",
                     "cho vay tín chấp", "Tập huấn chữ ký số"],
            "respondents": [5, 4, 3, 3, 2]})
        meta = {"themes": {"labels": {"von": {"vi": "Vốn"}, "dao_tao": {"vi": "Đào tạo"},
                                      "phap_luat": {"vi": "Pháp luật"}}}}

    text = narrative.quotes_markdown(R())
    lines = text.splitlines()
    assert lines[0] == "- **Vốn:** “Cho vay tín chấp\\.”; “Bổ sung vốn\\.”"
    assert lines[1] == "- **Đào tạo:** “Tập huấn chữ ký số\\.”"  # "cho vay tín chấp" again
    assert len(lines) == 2  # Pháp luật had only a sentence already quoted


def test_progress_table_explains_or_drops_the_per_day_column():
    frame = pd.DataFrame({"unit": ["311", "city"], "roster_n": [10, 20], "answered": [5, 20],
                          "share": [0.5, 1.0], "change": [1, 2],
                          "needed_per_day": [math.nan, math.nan], "reached": [False, True],
                          "projected": [None, None], "behind": [False, False]})

    class P:
        districts = frame
        previous = dt.date(2023, 5, 12)
        deadline = dt.date(2023, 5, 19)

    html = progress_report.progress_table_html(P(), {"311": "Thuỷ Nguyên", "city": "TP"})
    assert "Cần mỗi ngày" not in html.split("</table>")[0]
    assert "Hạn khảo sát (19/05/2023) đã qua" in html
    P.districts = frame.assign(needed_per_day=[1.5, math.nan])
    html = progress_report.progress_table_html(P(), {"311": "Thuỷ Nguyên", "city": "TP"})
    assert "Cần mỗi ngày" in html.split("</table>")[0] and ">1,5<" in html
    assert "để trống khi đã đạt" in html


def test_a_conclusions_file_is_an_input_of_the_build(tmp_path):
    from hailong.run.build import quick_key

    path = config_with(tmp_path)
    cfg = load_config(path)

    def key() -> str:
        return quick_key(cfg, cfg.round(2022), None, tmp_path / "out", "vi", None, False)

    before = key()
    assert key() == before  # nothing changed
    folder = tmp_path / "conclusions" / "2022"
    folder.mkdir(parents=True)
    (folder / "311.md").write_text("Kiến nghị.", encoding="utf-8")
    added = key()
    assert added != before
    (folder / "311.md").write_text("Kiến nghị khác.", encoding="utf-8")
    assert key() not in (before, added)
    (folder / "311.md").unlink()
    assert key() == before


def test_the_signature_keeps_the_last_block_of_the_conclusions_with_it(tmp_path):
    path = config_with(tmp_path)
    (tmp_path / "conclusions" / "2022").mkdir(parents=True)
    (tmp_path / "conclusions" / "2022" / "city.md").write_text(
        "Đoạn một.\n\nĐoạn hai.\n", encoding="utf-8")
    html = narrative.closing_html(narrative.document(path, 2022, "city"))
    assert html.startswith('<div class="conclusions"><p>Đoạn một.</p>\n'
                           '<div class="keep-together"><p>Đoạn hai.</p>'
                           '<div class="signature-block">')
    # without conclusions: the signature alone
    alone = narrative.closing_html(narrative.document(path, 2022, "311"))
    assert alone == narrative.signature_html(narrative.document(path, 2022, "311"))
