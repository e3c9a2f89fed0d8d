"""The Excel workbook of a round's tables, read back with openpyxl.

Figures are those of the small round of conftest.py, worked out by hand:

- Thuỷ Nguyên (311): 10 listed, 8 answered; ten areas at 4 ("Hài lòng"), D07 at 2, so a
  respondent's index mean is 42/11 and the index (42/11 - 1) / 4 * 100 = 775/11; 25 of
  the 28 item answers are satisfied (the 3 D07 items are not); overall question 4 -> 75.
- Hồng Bàng (303): 6 listed, 5 answered, all 5 -> 100; only 3 rated D03: withheld.
- Bạch Long Vĩ (318): 2 listed, 1 answered: every figure withheld.
- City: 18 listed, 14 answered. The reports publish the post-stratified city figure:
  Hồng Bàng's 5 respondents weigh 6/5 (6 listed), Thuỷ Nguyên and Bạch Long Vĩ are pooled
  (12 listed, 9 answered: 4/3 each), so the mean is (6 * 5 + 4/3 * (8 * 42/11 + 3)) / 18
  = 822/198 and the index (822/198 - 1) / 4 * 100 = 2600/33 (unweighted: 875/11).
"""

from __future__ import annotations

from dataclasses import replace

import openpyxl
import pytest

from hailong.publish.workbook import HEADER_ROW, sheet_names, workbook_name, write_workbook

DASH = "—"


@pytest.fixture(scope="module")
def book(small_results, tmp_path_factory):
    path = write_workbook(small_results, tmp_path_factory.mktemp("wb") / "bang-so-lieu-2022.xlsx")
    return openpyxl.load_workbook(path)


def header(ws) -> list:
    return [c.value for c in ws[HEADER_ROW]]


def rows(ws) -> dict:
    """``{(unit name, question or ""): {header: cell}}`` of a table sheet."""
    names = header(ws)
    out = {}
    for cells in ws.iter_rows(min_row=HEADER_ROW + 1):
        row = dict(zip(names, cells))
        question = row.get("Câu") or row.get("Question")
        text = row.get("Nội dung câu hỏi")
        key = (row[names[1]].value,
               question.value or (text.value if text is not None else "") if question else "")
        out[key] = row
    return out


def test_one_sheet_per_table_after_a_description(book):
    assert book.sheetnames == ["Giới thiệu", "Tổng hợp", "Chỉ số theo lĩnh vực",
                               "Hài lòng theo lĩnh vực", "Theo câu hỏi", "Phân bố câu trả lời"]
    assert list(sheet_names("vi").values()) == book.sheetnames
    about = book["Giới thiệu"]
    text = " ".join(str(c.value) for row in about.iter_rows() for c in row if c.value)
    assert "Liên minh Hợp tác xã thành phố Hải Phòng" in text and "Năm 2022" in text
    assert "16/05/2023" in text                  # the data date, Vietnamese format
    assert "không công bố (dưới 5 HTX trả lời)" in text


def test_summary_headers_are_formatted_and_frozen(book):
    ws = book["Tổng hợp"]
    assert header(ws) == ["Mã", "Đơn vị", "Số HTX trong danh sách", "Số HTX trả lời",
                          "Tỷ lệ tham gia", "Số HTX có điểm chỉ số", "Chỉ số (0–100)",
                          "Chỉ số – cận dưới", "Chỉ số – cận trên", "Tỷ lệ HTX hài lòng",
                          "Tỷ lệ HTX hài lòng – cận dưới", "Tỷ lệ HTX hài lòng – cận trên",
                          "Tỷ lệ câu trả lời hài lòng",
                          "Tỷ lệ câu trả lời hài lòng – cận dưới",
                          "Tỷ lệ câu trả lời hài lòng – cận trên",
                          "Xếp loại", "So với phần còn lại của TP", "Sai số lớn, cần thận trọng",
                          "Đánh giá chung – câu 12 (0–100)", "Hài lòng chung – câu 12"]
    for cell in ws[HEADER_ROW]:
        assert cell.font.b and cell.fill.fgColor.rgb.endswith("1F5F8B")
    assert ws.freeze_panes == f"C{HEADER_ROW + 1}"
    assert ws.auto_filter.ref.startswith(f"A{HEADER_ROW}:")
    # the note above the table explains the symbol of withheld figures
    assert "— : không công bố (dưới 5 HTX trả lời)" in ws["A2"].value


def test_summary_figures_are_numeric_cells_with_number_formats(book):
    r = rows(book["Tổng hợp"])[("Huyện Thuỷ Nguyên", "")]
    assert r["Mã"].value == "311"
    expected = {"Số HTX trong danh sách": (10, "#,##0"), "Số HTX trả lời": (8, "#,##0"),
                "Tỷ lệ tham gia": (0.8, "0.0%"), "Số HTX có điểm chỉ số": (8, "#,##0"),
                # as the reports print: 775 / 11 = 70.45.. -> 70.5; 25 / 28 = 89.29% -> 89.3%
                "Chỉ số (0–100)": (70.5, "0.0"), "Tỷ lệ câu trả lời hài lòng": (0.893, "0.0%"),
                "Đánh giá chung – câu 12 (0–100)": (75.0, "0.0"),
                "Hài lòng chung – câu 12": (1.0, "0.0%")}
    for column, (value, number_format) in expected.items():
        cell = r[column]
        assert cell.data_type == "n", column
        assert cell.value == pytest.approx(value), column
        assert cell.number_format == number_format, column
    city = rows(book["Tổng hợp"])[("Thành phố Hải Phòng", "")]
    assert city["Mã"].value in (None, "")
    assert (city["Số HTX trong danh sách"].value, city["Số HTX trả lời"].value) == (18, 14)
    assert city["Chỉ số (0–100)"].value == pytest.approx(78.8)       # 2600 / 33 = 78.79


def test_withheld_figures_are_the_reports_dash_in_grey(book):
    r = rows(book["Tổng hợp"])[("Huyện Bạch Long Vĩ", "")]
    assert (r["Số HTX trong danh sách"].value, r["Số HTX trả lời"].value) == (2, 1)
    assert r["Tỷ lệ tham gia"].value == pytest.approx(0.5)
    for column in ("Chỉ số (0–100)", "Tỷ lệ câu trả lời hài lòng",
                   "Đánh giá chung – câu 12 (0–100)"):
        assert r[column].value == DASH
        assert r[column].font.color.rgb.endswith("808080")


def test_units_by_area_with_a_withheld_area(book):
    idx = rows(book["Chỉ số theo lĩnh vực"])
    sat = rows(book["Hài lòng theo lĩnh vực"])
    d01, d03, d07 = ("Lãnh đạo, chỉ đạo của cấp ủy, chính quyền", "Thủ tục hành chính",
                     "Tiếp cận vốn, tín dụng, quỹ hỗ trợ")
    hong_bang, thuy_nguyen = ("Quận Hồng Bàng", ""), ("Huyện Thuỷ Nguyên", "")
    assert idx[hong_bang][d01].value == pytest.approx(100.0)
    assert idx[hong_bang][d03].value == DASH and sat[hong_bang][d03].value == DASH
    assert idx[thuy_nguyen][d07].value == pytest.approx(25.0)
    assert sat[thuy_nguyen][d07].value == 0 and sat[thuy_nguyen][d07].data_type == "n"
    assert sat[thuy_nguyen][d01].number_format == "0.0%"
    assert idx[thuy_nguyen]["Chỉ số chung"].value == pytest.approx(70.5)   # 775 / 11


def test_every_question_of_every_unit(book):
    ws = book["Theo câu hỏi"]
    assert header(ws)[:8] == ["Mã", "Đơn vị", "Lĩnh vực", "Câu", "Nội dung câu hỏi",
                              "Số HTX trả lời", "Điểm trung bình (1–5)", "Chỉ số (0–100)"]
    assert "Tỷ lệ câu trả lời hài lòng" in header(ws) and "Chỉ số – cận dưới" in header(ws)
    r = rows(ws)
    # every district of 2022 (15) and the city, x (28 items + the overall question)
    assert len(r) == 16 * 29
    d07_1 = r[("Huyện Thuỷ Nguyên", "7.1")]
    assert d07_1["Lĩnh vực"].value == "Tiếp cận vốn, tín dụng, quỹ hỗ trợ"
    assert (d07_1["Số HTX trả lời"].value, d07_1["Điểm trung bình (1–5)"].value,
            d07_1["Chỉ số (0–100)"].value,
            d07_1["Tỷ lệ câu trả lời hài lòng"].value) == (8, 2.0, 25.0, 0)
    assert d07_1["Điểm trung bình (1–5)"].number_format == "0.00"
    withheld = r[("Quận Hồng Bàng", "3.1")]
    # 3 answered: withheld, and so is the count (it would give away how many gave no
    # opinion on a question whose figures are withheld)
    assert withheld["Số HTX trả lời"].value == DASH
    assert withheld["Chỉ số (0–100)"].value == DASH


def test_distribution_of_answers(book):
    r = rows(book["Phân bố câu trả lời"])
    d07 = r[("Huyện Thuỷ Nguyên", "Tiếp cận vốn, tín dụng, quỹ hỗ trợ")]  # the area row
    shares = [d07[k].value for k in ("Rất không hài lòng", "Không hài lòng", "Bình thường",
                                     "Hài lòng", "Rất hài lòng")]
    assert shares == [0, 1, 0, 0, 0]
    assert d07["Không hài lòng"].number_format == "0.0%"
    assert r[("Quận Hồng Bàng", "3.2")]["Rất hài lòng"].value == DASH
    assert r[("Huyện Bạch Long Vĩ", "1.1")]["Bình thường"].value == DASH


def test_text_cells_are_never_formulas(small_results, tmp_path):
    units = small_results.units.copy()
    units.loc[units["unit"] == "303", "full_name"] = '=HYPERLINK("http://x","Hồng Bàng")'
    path = write_workbook(replace(small_results, units=units), tmp_path / "b.xlsx")
    ws = openpyxl.load_workbook(path)["Tổng hợp"]
    cell = ws.cell(HEADER_ROW + 1, 2)
    assert cell.data_type == "s" and cell.value == '\'=HYPERLINK("http://x","Hồng Bàng")'
    assert [p.name for p in tmp_path.iterdir()] == ["b.xlsx"]  # written atomically


def test_intervals_tiers_and_flags_come_from_the_results(small_results, tmp_path):
    s = small_results.scores
    scores = s.assign(low=s["index"] - 4.0, high=s["index"] + 4.0,
                      satisfied_low=s["satisfied"] - 0.05, satisfied_high=s["satisfied"],
                      tier="kha", tier_low="kha", tier_high="kha", vs_city="below",
                      unreliable=s["unit"] == "311")
    meta = {**small_results.meta, "tiers": [{"id": "kha", "lower": 65.0, "vi": "Khá",
                                              "en": "Fair"}]}
    path = write_workbook(replace(small_results, scores=scores, meta=meta),
                          tmp_path / "b.xlsx")
    r = rows(openpyxl.load_workbook(path)["Tổng hợp"])
    thuy_nguyen, bach_long_vi = r[("Huyện Thuỷ Nguyên", "")], r[("Huyện Bạch Long Vĩ", "")]
    # 775 / 11 -+ 4 = 66.45 / 74.45, printed 66.5 / 74.5 (half away from zero)
    assert thuy_nguyen["Chỉ số – cận dưới"].value == pytest.approx(66.5)
    assert thuy_nguyen["Chỉ số – cận trên"].value == pytest.approx(74.5)
    assert thuy_nguyen["Chỉ số – cận trên"].number_format == "0.0"
    low = thuy_nguyen["Tỷ lệ câu trả lời hài lòng – cận dưới"]
    assert low.value == pytest.approx(0.843)  # 84.29%
    assert thuy_nguyen["Tỷ lệ câu trả lời hài lòng – cận dưới"].number_format == "0.0%"
    assert thuy_nguyen["Xếp loại"].value == "Khá"
    assert thuy_nguyen["So với phần còn lại của TP"].value == "▼ thấp hơn"  # as the reports
    assert thuy_nguyen["Sai số lớn, cần thận trọng"].value == "Có"
    # a withheld unit shows none of them
    assert bach_long_vi["Chỉ số – cận dưới"].value == DASH
    assert bach_long_vi["Xếp loại"].value in (None, "")


def test_share_of_cooperatives_satisfied_beside_that_of_answers(book):
    """Each cooperative's own index against "Hài lòng" (4): Thuỷ Nguyên's 8 all score
    42/11 < 4 (0 of 8; Wilson 95% upper bound z²/(8 + z²) = 0.3244), Hồng Bàng's 5 all 5
    (5 of 5; lower bound 5/(5 + z²) = 0.5655); the city as published, post-stratified:
    Hồng Bàng's 5 weigh 6/5, the 9 others 4/3, so 6/18 = 1/3."""
    r = rows(book["Tổng hợp"])
    thuy_nguyen, hong_bang = r[("Huyện Thuỷ Nguyên", "")], r[("Quận Hồng Bàng", "")]
    city = next(v for (name, _), v in r.items() if v["Mã"].value in (None, ""))
    z2 = 1.959963984540054 ** 2
    assert thuy_nguyen["Tỷ lệ HTX hài lòng"].value == 0
    assert thuy_nguyen["Tỷ lệ HTX hài lòng – cận trên"].value == pytest.approx(
        round(z2 / (8 + z2), 3))
    assert hong_bang["Tỷ lệ HTX hài lòng"].value == 1
    assert hong_bang["Tỷ lệ HTX hài lòng – cận dưới"].value == pytest.approx(
        round(5 / (5 + z2), 3))
    assert hong_bang["Tỷ lệ HTX hài lòng"].number_format == "0.0%"
    assert city["Tỷ lệ HTX hài lòng"].value == pytest.approx(0.333)
    # withheld: nothing
    assert r[("Huyện Bạch Long Vĩ", "")]["Tỷ lệ HTX hài lòng"].value == DASH


def test_results_without_the_statistics_columns(small_results, tmp_path):
    core = ["unit", "kind", "measure", "dimension", "n", "mean", "index", "satisfied",
            "suppressed"]
    plain = replace(small_results, scores=small_results.scores[core])
    ws = openpyxl.load_workbook(write_workbook(plain, tmp_path / "b.xlsx"))["Tổng hợp"]
    assert header(ws) == ["Mã", "Đơn vị", "Số HTX trong danh sách", "Số HTX trả lời",
                          "Tỷ lệ tham gia", "Số HTX có điểm chỉ số", "Chỉ số (0–100)",
                          "Tỷ lệ câu trả lời hài lòng", "Đánh giá chung – câu 12 (0–100)",
                          "Hài lòng chung – câu 12"]


def test_english_workbook(small_results, tmp_path):
    assert workbook_name(2022) == "bang-so-lieu-2022.xlsx"
    assert workbook_name(2022, "en") == "bang-so-lieu-2022.en.xlsx"
    book = openpyxl.load_workbook(write_workbook(small_results, tmp_path / "b.xlsx", "en"))
    assert book.sheetnames == ["About", "Summary", "Index by area", "Satisfied by area",
                               "Questions", "Answers"]
    ws = book["Summary"]
    assert header(ws)[:4] == ["Code", "Unit", "Cooperatives listed", "Cooperatives answering"]
    names = [ws.cell(r, 2).value for r in range(HEADER_ROW + 1, ws.max_row + 1)]
    assert "Thuy Nguyen District" in names


def test_secondary_suppression_is_withheld_and_explained(small_results, tmp_path):
    s = small_results.scores.copy()
    hide = (s["unit"] == "311") & (s["measure"] == "INDEX")  # protects another figure
    s.loc[hide, "suppressed"] = True
    s.loc[hide, "suppression"] = "secondary"
    meta = {**small_results.meta, "secondary_suppression": True, "group_n": 10}
    book = openpyxl.load_workbook(write_workbook(replace(small_results, scores=s, meta=meta),
                                                 tmp_path / "b.xlsx"))
    ws = book["Tổng hợp"]
    r = rows(ws)[("Huyện Thuỷ Nguyên", "")]
    assert r["Chỉ số (0–100)"].value == DASH and r["Tỷ lệ câu trả lời hài lòng"].value == DASH
    assert r["Số HTX trả lời"].value == 8  # the count stays
    # the one note on "—" (fmt.withheld_note), naming the rules of Results.meta
    assert ("dưới 10 HTX trả lời và tất cả trả lời giống nhau; hoặc ẩn thêm để không suy ra "
            "được số liệu đã ẩn từ số liệu toàn thành phố)." in ws["A2"].value)


def test_a_tier_whose_interval_crosses_a_cut_reads_as_borderline(small_results, tmp_path):
    s = small_results.scores
    scores = s.assign(tier="kha", tier_low="trung_binh", tier_high="kha")
    path = write_workbook(replace(small_results, scores=scores), tmp_path / "b.xlsx")
    r = rows(openpyxl.load_workbook(path)["Tổng hợp"])
    assert r[("Huyện Thuỷ Nguyên", "")]["Xếp loại"].value == "Khá – có thể Trung bình"
