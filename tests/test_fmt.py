"""Vietnamese / English number, date and name formats, the phrase catalogue, HTML tables."""

from __future__ import annotations

import datetime as dt
import string
import unicodedata

import numpy as np
import pandas as pd
import pytest

from _hand_trend import MEASURES, hand_trend
from hailong.core.catalogue import is_key
from hailong.core.errors import ParameterError
from hailong.core.messages import catalogue
from hailong.present import fmt
from hailong.reference.config import PROJECT_ROOT
from hailong.reference.geography import load_units


def is_nfc(text: str) -> bool:
    return unicodedata.normalize("NFC", text) == text


# ----------------------------------------------------------------- numbers and dates


@pytest.mark.parametrize("x, decimals, vi, en", [
    (1234.5, 1, "1.234,5", "1,234.5"),
    (1234567.891, 2, "1.234.567,89", "1,234,567.89"),
    (71.3, 1, "71,3", "71.3"),
    (0.0, 1, "0,0", "0.0"),
    (100, 0, "100", "100"),
])
def test_number_uses_comma_decimals_in_vietnamese_and_point_in_english(x, decimals, vi, en):
    assert fmt.number(x, decimals) == vi
    assert fmt.number(x, decimals, lang="en") == en


def test_number_rounds_half_away_from_zero_like_a_reader():
    # 71.25 is exactly representable; round-half-even would give 71.2.
    assert fmt.number(71.25) == "71,3"
    assert fmt.number(2.675, 2) == "2,68"
    assert fmt.number(-3.25) == "-3,3"


def test_number_never_shows_minus_zero():
    assert fmt.number(-0.04) == "0,0"


def test_percent_of_a_share():
    assert fmt.percent(0.785) == "78,5%"
    assert fmt.percent(0.785, lang="en") == "78.5%"
    assert fmt.percent(142 / 163) == "87,1%"
    assert fmt.percent(1.0, 0) == "100%"


def test_count_groups_thousands():
    assert fmt.count(163) == "163"
    assert fmt.count(1234) == "1.234"
    assert fmt.count(1234, "en") == "1,234"


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_or_withheld_values_show_the_dash(missing):
    assert fmt.SUPPRESSED == "\u2014"
    assert fmt.number(missing) == "—"
    assert fmt.percent(missing) == "—"
    assert fmt.count(missing) == "—"
    assert fmt.date(missing) == "—"


@pytest.mark.parametrize("value", [
    dt.date(2023, 5, 16), dt.datetime(2023, 5, 16, 15, 8), pd.Timestamp("2023-05-16"),
    "2023-05-16"])
def test_date(value):
    assert fmt.date(value) == "16/05/2023"
    assert fmt.date(value, "en") == "16 May 2023"


def test_unknown_language_is_a_parameter_error_listing_the_valid_ones():
    with pytest.raises(ParameterError) as err:
        fmt.number(1.0, lang="fr")
    assert "'vi'" in err.value.expected and "'en'" in err.value.expected
    assert err.value.found == "fr"


# ------------------------------------------------------------------------ unit names


def test_unit_name_forms_from_results(small_results):
    r = small_results
    assert fmt.unit_name(r, "311") == "Huyện Thuỷ Nguyên"
    assert fmt.unit_name(r, "311", form="inline") == "huyện Thuỷ Nguyên"
    assert fmt.unit_name(r, "311", form="short") == "Thuỷ Nguyên"
    assert fmt.unit_name(r, "311", "en") == "Thuy Nguyen District"
    assert fmt.unit_name(r, "311", "en", form="inline") == "Thuy Nguyen District"
    assert fmt.unit_name(r, "311", "en", form="short") == "Thuy Nguyen"
    assert fmt.unit_name(r, "303", "en") == "Hong Bang District"


def test_the_city_is_named_after_the_province(small_results):
    assert fmt.unit_name(small_results, "city") == "Thành phố Hải Phòng"
    assert fmt.unit_name(small_results, "city", form="inline") == "thành phố Hải Phòng"
    assert fmt.unit_name(small_results, "city", "en") == "Hai Phong City"


def test_unit_name_from_the_geography_table():
    units = load_units(PROJECT_ROOT / "data" / "reference" / "units-2022.csv")
    assert fmt.unit_name(units, "city") == "Thành phố Hải Phòng"
    assert fmt.unit_name(units, "318", "en") == "Bach Long Vi District"
    assert fmt.unit_name(units, "11470", "en") == "Nui Deo Township"
    assert fmt.unit_name(units, "11476", "en") == "Lai Xuan Commune"


def test_unit_name_from_a_row_prefers_an_english_name_column_and_returns_nfc():
    nfd = unicodedata.normalize("NFD", "Huyện Thuỷ Nguyên")
    row = pd.Series({"name": unicodedata.normalize("NFD", "Thuỷ Nguyên"), "full_name": nfd})
    assert fmt.unit_name(row) == "Huyện Thuỷ Nguyên"
    assert is_nfc(fmt.unit_name(row))
    row["full_name_en"] = "Thuy Nguyen Rural District"
    assert fmt.unit_name(row, lang="en") == "Thuy Nguyen Rural District"


def test_unknown_unit_is_a_parameter_error(small_results):
    with pytest.raises(ParameterError) as err:
        fmt.unit_name(small_results, "999")
    assert "311" in err.value.expected


def test_unit_names_of_a_level_in_code_order(small_results):
    names = fmt.unit_names(small_results, "district")
    assert list(names)[:2] == ["303", "304"] and list(names)[-1] == "318"
    assert len(names) == 15 and "city" not in names
    assert names["311"] == "Thuỷ Nguyên"
    assert fmt.unit_names(small_results, "district", "en", form="full")["318"] == (
        "Bach Long Vi District")


def test_ascii_name_drops_diacritics_and_d_bar():
    assert fmt.ascii_name("Đồ Sơn") == "Do Son"
    assert fmt.ascii_name("Kiến Thuỵ") == "Kien Thuy"


# ------------------------------------------------------------------ phrase catalogue


def test_t_gives_the_phrase_in_each_language():
    assert fmt.t("sec_method") == "Phụ lục: Phương pháp"
    assert fmt.t("sec_method", "en") == "Appendix: Method"


def test_source_line():
    org = {"vi": "Liên minh HTX TP Hải Phòng", "en": "Hai Phong City Cooperative Alliance"}
    assert fmt.source_line(2022, org) == (
        "Nguồn: Khảo sát mức độ hài lòng của HTX năm 2022, Liên minh HTX TP Hải Phòng")
    assert fmt.source_line(2022, org, "en") == (
        "Source: Hai Phong City Cooperative Alliance, cooperatives' satisfaction survey 2022")


def test_every_phrase_exists_in_both_languages_with_the_same_fields_in_nfc():
    # the catalogue's own checks are in test_messages.py; here: fmt.t serves it as it is
    for key, texts in catalogue().items():
        if is_key(key):  # the tool's own messages (errors, CLI), not report phrases
            continue
        assert set(texts) == set(fmt.LANGS), key
        fields = [{f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f}
                  for lang in fmt.LANGS]
        assert fields[0] == fields[1], key
        assert all(is_nfc(x) for x in texts.values()), key
        if not fields[0]:
            assert [fmt.t(key, lang) for lang in fmt.LANGS] == [texts["vi"], texts["en"]], key


def test_scale_labels_from_results_meta(small_results):
    assert fmt.scale_labels(small_results.meta) == {
        1: "Rất không hài lòng", 2: "Không hài lòng", 3: "Bình thường", 4: "Hài lòng",
        5: "Rất hài lòng"}
    assert fmt.scale_labels(small_results.meta, "en")[5] == "Very satisfied"


# ---------------------------------------------------------------------------- tables


def dims(rows):
    return pd.DataFrame(rows, columns=["measure", "label", "n", "mean", "index", "satisfied",
                                       "suppressed"])


UNIT_DIMS = dims([
    ("D01", "Lãnh đạo, chỉ đạo của cấp ủy, chính quyền", 142, 3.852, 71.3, 0.785, False),
    ("D03", "Thủ tục hành chính", 3, np.nan, np.nan, np.nan, True),
])
CITY_DIMS = dims([
    ("D01", "Lãnh đạo, chỉ đạo của cấp ủy, chính quyền", 1234, 3.8, 70.0, 0.7, False),
    ("D03", "Thủ tục hành chính", 1200, 3.6, 65.04, 0.6, False),
])


def test_dimension_frame_formats_and_withholds():
    t = fmt.dimension_frame(UNIT_DIMS, CITY_DIMS)
    assert list(t.columns) == ["Lĩnh vực", "Số HTX trả lời", "Chỉ số (0–100)",
                               "Tỷ lệ câu trả lời hài lòng", "Toàn thành phố – Chỉ số (0–100)"]
    assert list(t.iloc[0]) == ["Lãnh đạo, chỉ đạo của cấp ủy, chính quyền", "142", "71,3",
                               "78,5%", "70,0"]
    # a withheld row shows no figure, not even its count of respondents
    assert list(t.iloc[1]) == ["Thủ tục hành chính", "—", "—", "—", "65,0"]


def test_district_frame_has_coverage_and_withheld_index():
    scores = pd.DataFrame({
        "unit": ["311", "318", "city"], "measure": ["INDEX"] * 3,
        "index": [71.3, np.nan, 70.0], "satisfied": [0.785, np.nan, 0.7],
        "suppressed": [False, True, False]})
    coverage = pd.DataFrame({"unit": ["311", "318", "city"], "roster_n": [163, 2, 1165],
                             "answered": [142, 1, 1010],
                             "share": [142 / 163, 0.5, 1010 / 1165]})
    t = fmt.district_frame(scores, coverage,
                           {"311": "Huyện Thuỷ Nguyên", "318": "Huyện Bạch Long Vĩ",
                            "city": "Toàn thành phố"})
    assert list(t.iloc[0]) == ["Huyện Thuỷ Nguyên", "163", "142", "87,1%", "71,3", "78,5%"]
    assert list(t.iloc[1]) == ["Huyện Bạch Long Vĩ", "2", "1", "50,0%", "—", "—"]
    assert list(t.iloc[2]) == ["Toàn thành phố", "1.165", "1.010", "86,7%", "70,0", "70,0%"]


def test_html_table_escapes_aligns_numbers_and_greys_the_dash():
    frame = pd.DataFrame({"Lĩnh vực": ["A <b>", "B"], "Chỉ số": ["71,3", "—"]})
    html = fmt.html_table(frame, numeric=["Chỉ số"], note="ghi chú")
    assert "A &lt;b&gt;" in html and "<b>" not in html
    assert html.count('class="num"') == 2
    assert "color:#888;\">—</td>" in html
    assert "<th" in html and "Lĩnh vực</th>" in html and "ghi chú" in html
    assert is_nfc(html)


def test_dimension_table_html_explains_the_dash_only_when_one_is_shown():
    with_dash = fmt.dimension_table_html(UNIT_DIMS, None, "vi", {"min_n": 5})
    assert "không công bố (dưới 5 HTX trả lời)" in with_dash
    without = fmt.dimension_table_html(UNIT_DIMS.iloc[:1], None, "vi", {"min_n": 5})
    assert "không công bố" not in without


# ------------------------------------------------------------- several rounds (trends)


def test_a_change_is_signed_and_its_interval_never_seems_to_touch_zero():
    assert fmt.signed(3.52) == "+3,5"
    assert fmt.signed(-2.14, lang="en") == "-2.1"
    assert fmt.signed(0.04) == "0,0"               # no "+" on a change printed as 0
    assert fmt.signed(None) == "—"
    assert fmt.change_interval(1.08, 5.97) == "+1,1 – +6,0"
    assert fmt.change_interval(-3.95, 2.83, "en") == "-4.0 – +2.8"
    # one decimal always: a bound that is not 0 but would print as 0,0 is said in words
    assert fmt.change_interval(0.011, 7.413) == "trên 0 – +7,4"
    assert fmt.change_interval(-5.2, -0.04, "en") == "-5.2 – below 0"
    assert fmt.change_interval(0.0, 2.0) == "0,0 – +2,0"
    assert fmt.change_interval(np.nan, 1.0) == "—"


def test_trend_reading_calls_a_change_only_when_it_is_significant():
    assert fmt.trend_reading(4.0, True) == "▲ tăng"
    assert fmt.trend_reading(-5.0, True) == "▼ giảm"
    assert fmt.trend_reading(8.0, False) == "≈ không đổi đáng kể"
    assert fmt.trend_reading(8.0, False, "en") == "≈ no significant change"
    assert fmt.trend_reading(np.nan, False) == "—"


def test_source_line_names_the_span_of_the_rounds_a_chart_shows():
    org = {"vi": "Liên minh HTX", "en": "Cooperative Alliance"}
    assert fmt.source_line((2021, 2022, 2025), org) == (
        "Nguồn: Khảo sát mức độ hài lòng của HTX năm 2021–2025, Liên minh HTX")
    assert fmt.source_line([2022], org, "en") == (
        "Source: Cooperative Alliance, cooperatives' satisfaction survey 2022")


def test_measure_labels_name_the_index_and_the_overall_question():
    assert fmt.measure_label(MEASURES, "INDEX") == "Chỉ số hài lòng chung"
    assert fmt.measure_label(MEASURES, "OVERALL", "en") == "Overall rating – question 12"
    assert fmt.measure_label(MEASURES, "D03") == "Thủ tục hành chính"


def test_trend_frame_lists_each_round_the_change_its_interval_and_reading():
    t = fmt.trend_frame(hand_trend(), "311", MEASURES, "vi", 0.95)
    assert list(t.columns) == ["Chỉ tiêu", "2021", "2022", "Thay đổi so với năm 2021 (điểm)",
                               "Khoảng sai số của thay đổi", "Đánh giá"]
    rows = {r[0]: list(r[1:]) for r in t.itertuples(index=False)}
    assert list(rows) == ["Chỉ số hài lòng chung", "Lãnh đạo, chỉ đạo", "Tuyên truyền",
                          "Thủ tục hành chính", "Đào tạo", "Đánh giá chung – câu 12"]
    # 70 -> 74: +4, 4 ± 1,96 × √2 = 1,23 .. 6,77
    assert rows["Chỉ số hài lòng chung"] == ["70,0", "74,0", "+4,0", "+1,2 – +6,8", "▲ tăng"]
    assert rows["Tuyên truyền"] == ["80,0", "75,0", "-5,0", "-9,2 – -0,8", "▼ giảm"]
    assert rows["Thủ tục hành chính"] == ["70,0", "72,0", "+2,0", "-6,3 – +10,3",
                                          "≈ không đổi đáng kể"]
    assert rows["Đào tạo"] == ["—", "65,0", "—", "—", "—"]   # withheld in 2021


def test_trend_frame_marks_approximate_figures_and_lists_every_unit():
    t = fmt.trend_units_frame(hand_trend(approximate_before=True),
                              {"311": "Thuy Nguyen District", "city": "Whole city"}, "en")
    assert list(t.columns) == ["Unit", "2021", "2022", "Change since 2021 (points)",
                               "Margin of error of the change", "Reading"]
    assert list(t.iloc[0]) == ["Thuy Nguyen District", "70.0†", "74.0", "+4.0",
                               "+1.2 – +6.8", "▲ rise"]
    assert list(t.iloc[1]) == ["Whole city", "68.0†", "67.0", "-1.0", "-2.4 – +0.4",
                               "≈ no significant change"]


# ------------------------------------------------- phrases that follow the round's level


def test_unit_phrases_follow_a_commune_round_in_both_languages():
    assert fmt.t("sec_districts", "vi", unit_level="commune") == "So sánh các xã, phường, đặc khu"
    assert fmt.t("sec_districts", "en", unit_level="commune") == "Comparison of the communes"
    assert fmt.t("sec_district_table", "vi", unit_level="commune") == (
        "Bảng số liệu các xã, phường, đặc khu")
    assert fmt.t("sec_district_table", "en", unit_level="commune") == "Figures for all communes"
    assert fmt.t("heatmap_title", "en", unit_level="commune") == (
        "Satisfaction index by area and commune")
    assert fmt.t("ranking_title", "vi", unit_level="commune", level="95%") == (
        "Chỉ số hài lòng chung theo đơn vị cấp xã (có khoảng sai số)")
    assert fmt.t("coverage_by_district_title", "vi", unit_level="commune") == (
        "Tỷ lệ HTX tham gia khảo sát theo đơn vị cấp xã")
    assert fmt.t("progress_behind", "vi", unit_level="commune", count=3, names="A, B, C") == (
        "3 xã, phường, đặc khu chậm tiến độ (giữ tốc độ hiện nay sẽ không đạt mục tiêu "
        "đúng hạn): A, B, C.")


def test_unit_phrases_keep_the_district_wording_by_default():
    assert fmt.t("sec_districts", "vi") == "So sánh các quận, huyện"
    assert fmt.t("sec_districts", "en", unit_level="district") == "Comparison of the districts"
    assert fmt.t("comparison_title", "en") == "Satisfaction index by district"
    assert fmt.unit_words("commune", "en") == {"units": "communes", "unit_sg": "commune",
                                               "Units": "Communes", "Unit_sg": "Commune"}


def test_no_fixed_phrase_names_districts_outright():
    # every phrase about the units goes through {units} / {unit_sg}, so a commune round
    # never reads "quận, huyện" (the tool's own messages, e.g. "district code", aside)
    for key, texts in catalogue().items():
        if is_key(key):
            continue
        assert "quận" not in texts["vi"].lower(), key
        assert "huyện" not in texts["vi"].lower(), key
        assert "district" not in texts["en"].lower(), key


@pytest.mark.parametrize("name, full, vi_inline, en", [
    ("Thành Đông", "Phường Thành Đông", "phường Thành Đông", "Thanh Dong Ward"),
    ("An Lão", "Xã An Lão", "xã An Lão", "An Lao Commune"),
    ("Bạch Long Vĩ", "Đặc khu Bạch Long Vĩ", "đặc khu Bạch Long Vĩ", "Bach Long Vi Special Zone"),
])
def test_commune_names_in_titles_and_sentences(name, full, vi_inline, en):
    row = {"name": name, "full_name": full}
    assert fmt.unit_name(row) == full
    assert fmt.unit_name(row, form="inline") == vi_inline
    assert fmt.unit_name(row, lang="en") == en
    assert fmt.t("report_title", unit=fmt.unit_name(row), period="Năm 2025") == (
        f"Báo cáo chỉ số hài lòng của HTX – {full} – Năm 2025")


def test_tier_label_names_the_other_tier_an_interval_reaches():
    from hailong.present import fmt as f

    meta = {"tiers": [{"id": "tot", "lower": 80, "vi": "Tốt", "en": "Good"},
                      {"id": "kha", "lower": 65, "vi": "Khá", "en": "Fair"},
                      {"id": "tb", "lower": 50, "vi": "Trung bình", "en": "Average"}]}
    assert f.tier_label("kha", meta) == "Khá"
    assert f.tier_label("kha", meta, low="kha", high="kha") == "Khá"
    assert f.tier_label("kha", meta, low="tb", high="kha") == "Khá – có thể Trung bình"
    assert f.tier_label("kha", meta, "en", "tb", "tot") == "Fair – possibly Average or Good"
    assert f.tier_label(None, meta, low="tb") == "—"
