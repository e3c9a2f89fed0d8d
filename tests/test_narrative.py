"""The report's sentences: exact wording, number formats and the choice of sentence."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest

from _hand_trend import MEASURES, hand_trend, single_round
from hailong.core.errors import ParameterError
from hailong.numbers.trend_cache import TREND_DIR, report_trend
from hailong.present import narrative
from hailong.reference.config import PROJECT_ROOT

#: ``Results.meta`` as far as the sentences on withheld units need it (its threshold).
META5 = {"min_n": 5}


def dims(values: dict[str, float | None]) -> pd.DataFrame:
    """A dimension table; ``None`` = withheld."""
    return pd.DataFrame({
        "measure": [f"D{i:02d}" for i in range(1, len(values) + 1)],
        "label": list(values),
        "index": [np.nan if v is None else v for v in values.values()],
        "suppressed": [v is None for v in values.values()],
    })


# -------------------------------------------------------------------------- headline


def test_headline_in_vietnamese():
    text = narrative.headline("huyện Thuỷ Nguyên", 71.3, 0.785, 142, 163, "vi", year=2022)
    # 142 / 163 = 0.8712 -> 87,1%
    assert text == ("Năm 2022, 142 trên 163 HTX của huyện Thuỷ Nguyên (87,1%) đã tham gia "
                     "khảo sát. Chỉ số hài lòng chung đạt 71,3/100; 78,5% số HTX hài lòng "
                     "(điểm chung của HTX từ mức “Hài lòng” trở lên).")
    assert unicodedata.is_normalized("NFC", text)


def test_headline_in_english():
    text = narrative.headline("Thuy Nguyen District", 71.3, 0.785, 142, 163, "en", year=2022)
    assert text == ("In 2022, 142 of the 163 cooperatives of Thuy Nguyen District (87.1%) "
                    "took part in the survey. The overall satisfaction index is 71.3 out of "
                    "100; 78.5% of the cooperatives are satisfied (their own overall score at "
                    "“Satisfied” or above).")


def test_headline_with_thousands_and_without_year():
    text = narrative.headline("thành phố Hải Phòng", 70.04, 0.7, 1010, 1165)
    assert text.startswith("1.010 trên 1.165 HTX của thành phố Hải Phòng (86,7%)")
    assert "đạt 70,0/100; 70,0% số HTX hài lòng" in text


# --------------------------------------------------------------------------- too few


def test_too_few_gives_the_plain_reason():
    assert narrative.too_few("huyện Bạch Long Vĩ", 1, 2, META5) == (
        "Chỉ 1 trong 2 HTX của huyện Bạch Long Vĩ trả lời khảo sát. Để bảo vệ bí mật của "
        "từng HTX, báo cáo không công bố số liệu khi có dưới 5 HTX trả lời.")
    assert narrative.too_few("Bach Long Vi District", 1, 2, META5, "en") == (
        "Only 1 of the 2 cooperatives of Bach Long Vi District answered the survey. To "
        "protect each cooperative's confidentiality, the report publishes no figures when "
        "fewer than 5 cooperatives have answered.")


def test_too_few_when_nobody_answered():
    assert narrative.too_few("huyện Bạch Long Vĩ", 0, 2, META5) == (
        "Chưa có HTX nào trong số 2 HTX của huyện Bạch Long Vĩ trả lời khảo sát, nên báo "
        "cáo chưa có số liệu.")


def test_too_few_when_the_roster_is_empty():
    assert narrative.too_few("quận Lê Chân", 0, 0, META5) == (
        "Danh sách khảo sát không có HTX nào của quận Lê Chân, nên báo cáo không có số liệu.")


def test_too_few_when_every_listed_cooperative_answered():
    assert narrative.too_few("huyện Bạch Long Vĩ", 3, 3, META5) == (
        "Cả 3 HTX của huyện Bạch Long Vĩ đều đã trả lời khảo sát. Để bảo vệ bí mật của từng "
        "HTX, báo cáo không công bố số liệu khi có dưới 5 HTX trả lời.")


def test_too_few_when_enough_answered_but_too_few_rated_the_areas():
    text = narrative.too_few("huyện Cát Hải", 6, 9, META5)
    assert text.startswith("6 trong 9 HTX của huyện Cát Hải đã trả lời khảo sát, nhưng "
                           "dưới 5 HTX cho ý kiến")
    assert "Chỉ 6" not in text


# ------------------------------------------------------------------ strongest/weakest


def test_strongest_and_weakest_ignore_withheld_areas():
    t = dims({"Hạ tầng": 82.4, "Tiếp cận vốn, tín dụng, quỹ hỗ trợ": 55.1,
              "Thủ tục hành chính": 70.0, "Đất đai, mặt bằng sản xuất": None})
    assert narrative.strongest_weakest(t) == (
        "Lĩnh vực được đánh giá cao nhất là **Hạ tầng** (82,4 điểm). Lĩnh vực được đánh giá "
        "thấp nhất là **Tiếp cận vốn, tín dụng, quỹ hỗ trợ** (55,1 điểm).")
    assert narrative.strongest_weakest(t, "en") == (
        "The area with the highest index is **Hạ tầng** (82.4 points). The area with the "
        "lowest index is **Tiếp cận vốn, tín dụng, quỹ hỗ trợ** (55.1 points).")


def test_areas_that_print_the_same_are_tied():
    # 80.04 and 79.96 both print as 80,0: naming only one would contradict the table
    t = dims({"A": 80.04, "B": 60.0, "C": 79.96})
    assert narrative.strongest_weakest(t) == (
        "Các lĩnh vực được đánh giá cao nhất là **A** và **C** (80,0 điểm). Lĩnh vực được "
        "đánh giá thấp nhất là **B** (60,0 điểm).")


def test_many_tied_areas_are_counted_not_listed():
    t = dims({"A": 75.0, "B": 75.0, "C": 75.0, "D": 75.0, "E": 25.0})
    assert narrative.strongest_weakest(t).startswith(
        "Có 4 lĩnh vực cùng được đánh giá cao nhất (75,0 điểm).")


def test_strongest_weakest_edge_cases():
    assert narrative.strongest_weakest(dims({"A": 70.0, "B": 70.0})) == (
        "Tất cả các lĩnh vực có cùng chỉ số 70,0 điểm.")
    assert narrative.strongest_weakest(dims({"A": 70.0, "B": None})) == (
        "Chỉ lĩnh vực **A** có đủ số liệu để công bố (70,0 điểm).")
    assert narrative.strongest_weakest(dims({"A": None, "B": None})) == ""


# ------------------------------------------------------------------------ versus city

UNIT = dims({"A": 78.0, "B": 50.0, "C": 71.0, "D": 70.5, "E": None})
CITY = dims({"A": 70.0, "B": 60.0, "C": 70.0, "D": 69.0, "E": 65.0})


def test_versus_city_higher_lower_similar_and_not_comparable():
    assert narrative.versus_city(UNIT, CITY) == (
        "Chỉ số cao hơn toàn thành phố (từ 3 điểm trở lên) ở 1 lĩnh vực: **A** (78,0 so "
        "với 70,0). Chỉ số thấp hơn toàn thành phố (từ 3 điểm trở lên) ở 1 lĩnh vực: **B** "
        "(50,0 so với 60,0). Ở 2 lĩnh vực còn lại (**C** và **D**), chỉ số tương đương với "
        "toàn thành phố (chênh lệch dưới 3 điểm). Không so sánh 1 lĩnh vực do có quá ít HTX "
        "trả lời.")


def test_versus_city_in_english():
    assert narrative.versus_city(UNIT, CITY, lang="en") == (
        "The index is higher than the city's (by 3 points or more) in 1 area: **A** (78.0 "
        "vs 70.0). The index is lower than the city's (by 3 points or more) in 1 area: **B** "
        "(50.0 vs 60.0). In the other 2 areas (**C** and **D**) the index is similar to the "
        "city's (less than 3 points apart). 1 area cannot be compared because too few "
        "cooperatives answered.")


def test_versus_city_when_everything_is_similar():
    assert narrative.versus_city(dims({"A": 71.0, "B": 60.0}),
                                 dims({"A": 70.0, "B": 61.0})) == (
        "Ở cả 2 lĩnh vực (**A** và **B**), chỉ số tương đương với toàn thành phố (chênh lệch "
        "dưới 3 điểm).")


def test_versus_city_compares_the_printed_values_and_3_points_is_not_similar():
    city = dims({"A": 70.0})
    # 72.96 prints as 73,0: "73,0 vs 70,0" is 3 points, so it is called higher
    assert "cao hơn" in narrative.versus_city(dims({"A": 72.96}), city)
    # 72.94 prints as 72,9: 2,9 points, similar
    assert "tương đương" in narrative.versus_city(dims({"A": 72.94}), city)
    assert "thấp hơn" in narrative.versus_city(dims({"A": 67.0}), city)


def test_versus_city_threshold_is_a_parameter():
    text = narrative.versus_city(UNIT, CITY, threshold_points=10)
    assert "(từ 10 điểm trở lên) ở 1 lĩnh vực: **B**" in text   # B is exactly 10 lower
    assert "cao hơn" not in text                                  # A is only 8 higher
    assert narrative.SIMILAR_POINTS == 3.0


def test_many_similar_areas_are_counted():
    unit = dims({k: 70.0 for k in "ABCD"})
    assert narrative.versus_city(unit, unit) == (
        "Ở cả 4 lĩnh vực, chỉ số tương đương với toàn thành phố (chênh lệch dưới 3 điểm).")


# ------------------------------------------------------------------- district spread


def test_district_spread_names_the_range_and_the_withheld():
    scores = pd.DataFrame({"unit": ["303", "311", "318", "city"], "measure": ["INDEX"] * 4,
                           "index": [64.04, 71.3, np.nan, 70.0],
                           "suppressed": [False, False, True, False]})
    names = {"303": "Hồng Bàng", "311": "Thuỷ Nguyên", "318": "Bạch Long Vĩ"}
    assert narrative.district_spread(scores, names, META5) == (
        "Chỉ số hài lòng chung của các quận, huyện dao động từ 64,0 (Hồng Bàng) đến 71,3 "
        "(Thuỷ Nguyên). Không công bố chỉ số của Bạch Long Vĩ vì có dưới 5 HTX trả lời.")


# --------------------------------------------------------------------- methodology


META = {"scale_labels": [{"value": v, "vi": vi, "en": en} for v, vi, en in [
            (1, "Rất không hài lòng", "Very dissatisfied"), (2, "Không hài lòng", "Dissatisfied"),
            (3, "Bình thường", "Neutral"), (4, "Hài lòng", "Satisfied"),
            (5, "Rất hài lòng", "Very satisfied")]],
        "scale_min": 1.0, "scale_max": 5.0, "satisfied_values": [4, 5], "min_n": 5,
        "codebook_version": "v1-draft"}


def test_methodology_states_formulas_and_rules():
    text = narrative.methodology({**META, "data_date": "2023-05-19"})
    assert "(điểm trung bình − 1) / (5 − 1) × 100" in text
    assert "“Hài lòng” hoặc “Rất hài lòng”" in text
    assert "“Không ý kiến”" in text
    assert "trung bình các điểm lĩnh vực" in text
    assert "dưới 5 HTX trả lời" in text
    assert "dưới 3 điểm được coi là tương đương" in text
    assert "tính đến ngày 19/05/2023" in text
    assert "v1-draft" in text
    assert all(line.startswith("- ") for line in text.splitlines())


def test_methodology_without_a_data_date_says_nothing_about_it():
    assert "tính đến ngày" not in narrative.methodology(META)
    assert "“Satisfied” or “Very satisfied”" in narrative.methodology(META, "en")


# --------------------------------------------------------------- from the Results


def test_unit_figures_read_from_results(small_results):
    f = narrative.unit_figures(small_results, "311")
    assert (f.answered, f.roster_n, f.coverage) == (8, 10, 0.8)
    # every item 4 except the three D07 items at 2: ten dimensions score 4, D07 scores 2,
    # so INDEX = (10 * 4 + 2) / 11 = 42/11 and the 0-100 index = (42/11 - 1) / 4 * 100
    assert f.index == pytest.approx((42 / 11 - 1) / 4 * 100)
    assert f.satisfied == pytest.approx(25 / 28)   # 25 of the 28 items answered 4
    assert f.overall_index == pytest.approx(75.0)
    assert f.published and f.min_n == 5 and f.year == 2022
    assert (f.name, f.inline_name, f.short_name) == (
        "Huyện Thuỷ Nguyên", "huyện Thuỷ Nguyên", "Thuỷ Nguyên")


def test_summary_chooses_headline_or_too_few(small_results):
    published = narrative.unit_figures(small_results, "311")
    assert narrative.summary(published) == (
        "Năm 2022, 8 trên 10 HTX của huyện Thuỷ Nguyên (80,0%) đã tham gia khảo sát. Chỉ số "
        "hài lòng chung đạt 70,5/100; 0,0% số HTX hài lòng (điểm chung của HTX từ mức “Hài "
        "lòng” trở lên).")
    # each of the 8 rated 10 areas 4 and D07 2: its own index 42/11 = 3.82, under 4
    assert published.coops_satisfied == 0
    withheld = narrative.unit_figures(small_results, "318")
    assert not withheld.published
    assert narrative.summary(withheld) == (
        "Chỉ 1 trong 2 HTX của huyện Bạch Long Vĩ trả lời khảo sát. Để bảo vệ bí mật của "
        "từng HTX, báo cáo không công bố số liệu khi có dưới 5 HTX trả lời.")


def test_unknown_unit_is_a_parameter_error(small_results):
    with pytest.raises(ParameterError):
        narrative.unit_figures(small_results, "999")


def test_title_and_key_figures(small_results):
    me = narrative.unit_figures(small_results, "311")
    city = narrative.unit_figures(small_results, "city")
    assert narrative.title(me, small_results).splitlines()[0] == (
        "# Báo cáo chỉ số hài lòng của HTX – Huyện Thuỷ Nguyên – Năm 2022")
    html = narrative.key_figures(me, city)
    for cell in ["8/10", "80,0%", "70,5", "89,3%", "14/18", "Toàn thành phố",
                 "Đánh giá chung – câu 12 (0–100)"]:
        assert cell in html
    withheld = narrative.key_figures(narrative.unit_figures(small_results, "318"), city)
    assert "1/2" in withheld and "—" in withheld


def test_heading():
    assert narrative.heading("sec_method") == "## Phụ lục: Phương pháp"
    assert narrative.heading("sec_method", "en", level=3) == "### Appendix: Method"


# ------------------------------------------------------------ key findings and rounds


def figures(**kw) -> narrative.UnitFigures:
    """Thuỷ Nguyên's headline numbers, written out by hand (2022, with intervals)."""
    base = dict(code="311", name="Huyện Thuỷ Nguyên", inline_name="huyện Thuỷ Nguyên",
                short_name="Thuỷ Nguyên", year=2022, answered=42, roster_n=50, coverage=0.84,
                index=74.0, satisfied=0.8, overall_index=73.0, overall_satisfied=0.85,
                overall_number="12", published=True, min_n=5, index_low=72.1,
                index_high=75.9, satisfied_low=0.77, satisfied_high=0.83,
                coops_satisfied=0.6, coops_satisfied_low=0.45, coops_satisfied_high=0.73,
                tier="kha",
                tier_label="Khá", vs_city="above", city_index=67.0, rank=2, rank_low=1,
                rank_high=3, ranked=13)
    return narrative.UnitFigures(**{**base, **kw})


DIMS = pd.DataFrame({"measure": ["D01", "D02", "D03", "D04"],
                     "label": ["Lãnh đạo, chỉ đạo", "Tuyên truyền", "Thủ tục hành chính",
                               "Đào tạo"],
                     "index": [68.0, 75.0, 72.0, 65.0], "suppressed": [False] * 4,
                     "vs_city": ["above", "above", "similar", "below"]})


def test_change_sentence_says_significant_only_when_the_interval_excludes_zero():
    s = narrative.change_sentence
    assert s("Chỉ số hài lòng chung", 3.52, True, 2021) == (
        "Chỉ số hài lòng chung tăng 3,5 điểm so với năm 2021 (có ý nghĩa thống kê).")
    assert s("Chỉ số hài lòng chung", -2.06, True, 2021) == (
        "Chỉ số hài lòng chung giảm 2,1 điểm so với năm 2021 (có ý nghĩa thống kê).")
    assert s("Chỉ số hài lòng chung", 1.14, False, 2021) == (
        "Chỉ số hài lòng chung không thay đổi đáng kể so với năm 2021 (+1,1 điểm, trong "
        "phạm vi sai số).")
    assert s("Chỉ số hài lòng chung", 5.2, False, 2023, approximate=True) == (
        "Chỉ số hài lòng chung không thay đổi đáng kể so với năm 2023 (+5,2 điểm, trong "
        "phạm vi sai số; so sánh gần đúng).")
    assert s("The overall satisfaction index", -2.06, True, 2021, "en") == (
        "The overall satisfaction index fell 2.1 points since 2021 (statistically "
        "significant).")
    assert s("The overall satisfaction index", 1.14, False, 2021, "en") == (
        "The overall satisfaction index shows no significant change since 2021 (+1.1 points, "
        "within the margin of error).")


def test_versus_previous_names_the_areas_that_rose_or_fell_significantly():
    assert narrative.versus_previous(hand_trend(), "311", MEASURES, "huyện Thuỷ Nguyên") == (
        "Chỉ số hài lòng chung tăng 4,0 điểm so với năm 2021 (có ý nghĩa thống kê). Có 1 lĩnh "
        "vực tăng có ý nghĩa thống kê: **Lãnh đạo, chỉ đạo** (+8,0 điểm). Có 1 lĩnh vực giảm "
        "có ý nghĩa thống kê: **Tuyên truyền** (-5,0 điểm). Ở lĩnh vực còn lại, chỉ số không "
        "thay đổi đáng kể. Không so sánh được 1 lĩnh vực do có quá ít HTX trả lời.")
    assert narrative.versus_previous(hand_trend(), "311", MEASURES, "Thuy Nguyen District",
                                     "en") == (
        "The overall satisfaction index rose 4.0 points since 2021 (statistically "
        "significant). Significant rises in 1 area: **Leadership** (+8.0 points). Significant "
        "falls in 1 area: **Information** (-5.0 points). In the other area there is no "
        "significant change. Not comparable for lack of answers: 1 area.")


def test_versus_previous_of_the_city_without_a_significant_change():
    text = narrative.versus_previous(hand_trend(), "city", MEASURES, "thành phố Hải Phòng")
    assert text == ("Chỉ số hài lòng chung không thay đổi đáng kể so với năm 2021 (-1,0 điểm, "
                    "trong phạm vi sai số). Không lĩnh vực nào thay đổi đáng kể so với năm "
                    "2021.")


def test_versus_previous_without_an_earlier_round_says_nothing():
    assert narrative.versus_previous(None, "311", MEASURES, "huyện Thuỷ Nguyên") == ""
    assert narrative.versus_previous(single_round(), "311", MEASURES, "huyện Thuỷ Nguyên") == ""
    assert not narrative.has_trend(None, "311")
    assert not narrative.has_trend(single_round(), "311")
    assert narrative.has_trend(hand_trend(), "311")


def test_versus_previous_when_the_earlier_figure_is_withheld_or_missing():
    withheld = hand_trend(previous_n=3)
    assert narrative.versus_previous(withheld, "311", MEASURES, "huyện Thuỷ Nguyên") == (
        "Không so sánh được với năm 2021 vì năm đó có quá ít HTX trả lời.")
    none = hand_trend(previous_n=0)   # e.g. a commune of the former Hải Dương in 2025
    assert narrative.versus_previous(none, "311", MEASURES, "phường Thành Đông") == (
        "Năm 2021 chưa có số liệu của phường Thành Đông để so sánh.")
    assert narrative.versus_previous(none, "311", MEASURES, "Thanh Dong Ward", "en") == (
        "There are no 2021 figures for Thanh Dong Ward to compare with.")
    assert not narrative.has_trend(none, "311")


def test_key_findings_of_a_district_with_a_previous_round():
    assert narrative.key_findings(figures(), DIMS, hand_trend()) == (
        "### Những điểm chính\n\n"
        "- Năm 2022, 42 trên 50 HTX của huyện Thuỷ Nguyên (84,0%) đã tham gia khảo sát. Chỉ "
        "số hài lòng chung đạt 74,0/100; 60,0% số HTX hài lòng (điểm chung của HTX từ mức "
        "“Hài lòng” trở lên).\n"
        "- Xếp loại: **Khá**. Tính cả khoảng sai số, chỉ số hài lòng chung nằm trong khoảng "
        "72,1–75,9 và tỷ lệ HTX hài lòng trong khoảng 45,0–73,0%: con số thật gần như chắc "
        "chắn nằm trong các khoảng này.\n"
        "- Chỉ số chung cao hơn phần còn lại của thành phố (toàn thành phố: 67,0), vượt ngoài "
        "phạm vi sai số. Xếp thứ 2 trong 13 quận, huyện được công bố; tính cả sai số, thứ hạng "
        "có thể từ 1 đến 3. Theo lĩnh vực so với phần còn lại của thành phố: cao hơn ở 2, "
        "tương đương ở 1 và thấp hơn ở 1 trong 4 lĩnh vực.\n"
        "- Lĩnh vực được đánh giá cao nhất là **Tuyên truyền** (75,0 điểm). Lĩnh vực được "
        "đánh giá thấp nhất là **Đào tạo** (65,0 điểm).\n"
        "- Chỉ số hài lòng chung tăng 4,0 điểm so với năm 2021 (có ý nghĩa thống kê). Có 1 "
        "lĩnh vực tăng và 1 lĩnh vực giảm có ý nghĩa thống kê.")


def test_key_findings_without_a_previous_round_and_in_english():
    text = narrative.key_findings(figures(), DIMS, None)
    assert "năm 2021" not in text and text.count("\n- ") == 4
    en = narrative.key_findings(figures(name="Thuy Nguyen District",
                                        inline_name="Thuy Nguyen District",
                                        tier_label="Fair"), DIMS, hand_trend(), "en")
    assert en.startswith("### Key findings\n\n- In 2022, 42 of the 50 cooperatives of Thuy "
                         "Nguyen District (84.0%) took part in the survey.")
    assert ("Ranked 2 of 13 published districts; allowing for the margin of error the rank "
            "could be anywhere from 1 to 3. By area, compared with the rest of the city: above "
            "in 2, similar in 1 and below in 1 of the 4 areas.") in en
    assert en.endswith("The overall satisfaction index rose 4.0 points since 2021 "
                       "(statistically significant). Significant rises in 1 area and falls "
                       "in 1 area.")


def test_key_findings_of_a_commune_rank_among_communes_and_none_when_withheld():
    text = narrative.key_findings(figures(level="commune", ranked=86), DIMS, None)
    assert "Xếp thứ 2 trong 86 xã, phường, đặc khu được công bố" in text
    assert narrative.key_findings(figures(published=False), DIMS, hand_trend()) == ""


def test_key_findings_of_the_city_quote_the_spread_of_the_districts():
    city = figures(code="city", name="Thành phố Hải Phòng", inline_name="thành phố Hải Phòng",
                   rank=None, rank_low=None, rank_high=None, vs_city="", weighted=True)
    text = narrative.key_findings(city, DIMS, hand_trend(), spread="Dao động từ 60 đến 80.")
    assert "- Dao động từ 60 đến 80.\n" in text
    assert "toàn thành phố (67,0)" not in text and "Xếp thứ" not in text
    assert ("- Chỉ số hài lòng chung không thay đổi đáng kể so với năm 2021 (-1,0 điểm, trong "
            "phạm vi sai số). Không lĩnh vực nào thay đổi đáng kể.\n") in text
    assert text.endswith("- Số liệu toàn thành phố được gia quyền theo danh sách HTX, để mỗi "
                         "nhóm HTX có tỷ trọng như trong danh sách; số chưa gia quyền và cách "
                         "tính ở Phụ lục.")


def test_trend_notes_state_the_common_questions_and_the_approximate_comparisons():
    plain = narrative.trend_notes(hand_trend(), "311", MEASURES, "huyện Thuỷ Nguyên")
    assert "(không tính câu 2.3, không hỏi ở mọi năm)" in plain
    assert "khoảng tin cậy 95% của nó không chứa 0" in plain
    assert "bảng đối chiếu" in plain and "†" not in plain
    approx = narrative.trend_notes(hand_trend(approximate_before=True), "311", MEASURES,
                                   "phường Hồng Bàng")
    assert ("- † Gần đúng: số liệu các năm trước của phường Hồng Bàng là số liệu của đơn vị "
            "cũ") in approx
    assert "- † Địa giới toàn thành phố năm 2022 khác các năm trước" in approx
    city = narrative.trend_notes(hand_trend(approximate_before=True), "city", MEASURES,
                                 "thành phố Hải Phòng", "en")
    assert "- † Approximate: the city's territory in 2022 differs" in city


def test_trend_tables_explain_the_marks_they_use():
    html = narrative.trend_table_html(hand_trend(approximate_before=True), "311", MEASURES,
                                      "vi", meta={"confidence": 0.95, "min_n": 5})
    assert "70,0†" in html and "▲ tăng" in html and "▼ giảm" in html
    assert "† : gần đúng, xem ghi chú dưới bảng" in html
    assert "— : không công bố (dưới 5 HTX trả lời)" in html
    assert "▲ / ▼ : tăng / giảm rõ rệt (cả khoảng sai số của thay đổi đều trên / dưới 0)" in html
    units = narrative.trend_units_table_html(hand_trend(), {"311": "Huyện Thuỷ Nguyên",
                                                            "city": "Toàn thành phố"})
    assert "Huyện Thuỷ Nguyên" in units and "†" not in units


def test_trend_table_readings_wrap_and_figures_do_not():
    # "≈ không đổi đáng kể" kept on one line ran past the right margin of the printed A4
    # page; the figures and their intervals stay whole
    from bs4 import BeautifulSoup

    html = narrative.trend_table_html(hand_trend(), "311", MEASURES, "vi",
                                      meta={"confidence": 0.95, "min_n": 5})
    table = BeautifulSoup(html, "html.parser").find("table")
    heads = [th.get_text(" ", strip=True) for th in table.find("thead").find_all("th")]
    reading = heads.index("Đánh giá")
    for tr in table.find("tbody").find_all("tr"):
        cells = tr.find_all(["td", "th"])
        assert "nowrap" not in (cells[reading].get("style") or "")
        assert all("nowrap" in (c.get("style") or "") for c in cells[1:reading])


def test_no_map_note_is_one_line_naming_the_units_and_the_year():
    assert narrative.no_map_note("commune", 2025) == (
        "Chưa có dữ liệu ranh giới của các xã, phường, đặc khu năm 2025, nên báo cáo không "
        "có bản đồ.")
    assert narrative.no_map_note("commune", 2025, "en") == (
        "There are no boundary data for the communes of 2025, so the report has no map.")


def test_district_spread_counts_many_withheld_communes_instead_of_naming_them():
    codes = [str(10500 + k) for k in range(10)]
    scores = pd.DataFrame({"unit": codes, "measure": ["INDEX"] * 10,
                           "index": [60.0, 80.0] + [np.nan] * 8,
                           "suppressed": [False, False] + [True] * 8})
    names = {c: f"Xã {k}" for k, c in enumerate(codes)}
    assert narrative.district_spread(scores, names, META5, level="commune") == (
        "Chỉ số hài lòng chung của các xã, phường, đặc khu dao động từ 60,0 (Xã 0) đến 80,0 "
        "(Xã 1). Không công bố chỉ số của 8 xã, phường, đặc khu vì có dưới 5 HTX trả lời.")


def test_report_trend_is_none_without_an_earlier_round_and_stored_after_the_first():
    assert report_trend(2021) is None        # the first round of the sample
    first = report_trend(2022)
    assert first.rounds == (2021, 2022)
    stored = TREND_DIR
    assert (PROJECT_ROOT / "data" / "processed" / "2022" / stored / "meta.json").is_file()


def test_report_trend_reads_the_stored_trend_without_computing_it(monkeypatch):
    report_trend(2022)                       # stored (computed if needed)

    def fail(*_a, **_k):
        raise AssertionError("computed again")

    monkeypatch.setattr("hailong.numbers.trend_cache.rounds.trend", fail)
    again = report_trend(2022)
    t = again.table
    row = t[(t["unit"] == "311") & (t["measure"] == "INDEX") & (t["round"] == 2022)].iloc[0]
    assert row["previous_round"] == 2021 and isinstance(bool(row["significant"]), bool)
    assert again.items_left_out == ("D02_3",)


# ------------------------------------------------------ a commune round (2025 onwards)


def test_too_few_secondary_names_a_commune_in_a_commune_round():
    vi = narrative.too_few("xã An Lão", 7, 7, META5, reason="secondary", unit_level="commune")
    assert "có một đơn vị cấp xã dưới 5 HTX trả lời" in vi
    assert "quận" not in vi and "huyện" not in vi
    en = narrative.too_few("An Lao Commune", 7, 7, META5, "en", reason="secondary",
                           unit_level="commune")
    assert "a commune has fewer than 5 respondents" in en
    assert "work that commune's withheld figures out" in en
    assert "district" not in en


def test_methodology_of_a_commune_round_speaks_of_communes():
    meta = {**META, "secondary_suppression": True, "level": "commune"}
    vi = narrative.methodology(meta)
    assert "cộng từ các xã, phường, đặc khu, nên một số liệu đã ẩn" in vi
    assert "số liệu đó của một đơn vị cấp xã khác (ẩn bổ sung)" in vi
    assert "quận" not in vi and "huyện" not in vi
    en = narrative.methodology(meta, "en")
    assert "City figures add up the communes', so a withheld figure" in en
    assert "district" not in en
    # the same rule in a district round
    assert "cộng từ các quận, huyện" in narrative.methodology({**meta, "level": "district"})


def test_methodology_details_of_a_commune_round_speak_of_communes(small_results):
    import dataclasses

    res = dataclasses.replace(small_results, meta={**small_results.meta, "level": "commune"})
    vi = narrative.methodology_details(res, "city")
    en = narrative.methodology_details(res, "city", "en")
    assert vi and en
    assert "quận" not in vi and "huyện" not in vi
    assert "district" not in en.lower()
    assert "xét chung cho mọi xã, phường, đặc khu" in vi
    assert "jointly for all communes" in en
    # the district round keeps its wording
    assert "xét chung cho mọi quận, huyện" in narrative.methodology_details(small_results,
                                                                          "city")


def test_headings_follow_the_round_level():
    assert narrative.heading("sec_heatmap", unit_level="commune") == (
        "## Chỉ số theo lĩnh vực và đơn vị cấp xã")
    assert narrative.heading("sec_districts", "en", unit_level="commune") == (
        "## Comparison of the communes")
    assert narrative.heading("sec_districts") == "## So sánh các quận, huyện"


def test_nonresponse_table_compares_shares_and_hides_small_groups():
    from types import SimpleNamespace

    table = pd.DataFrame({
        "unit": ["315"] * 4, "attribute": ["member", "member", "variant", "variant"],
        "category": ["False", "True", "NN", "QTD"], "roster_n": [14, 31, 42, 3],
        "respondents": [6, 25, 30, 1],
        "roster_share": [14 / 45, 31 / 45, 42 / 45, 3 / 45],
        "respondent_share": [6 / 31, 25 / 31, 30 / 31, 1 / 31]})
    res = SimpleNamespace(nonresponse=table, meta={
        "min_n": 5, "groups": {"NN": {"vi": "HTX nông nghiệp", "en": "Agricultural"}}})
    html = narrative.nonresponse_table_html(res, "315")
    # 14 / 45 = 31,1%, 6 / 31 = 19,4%; the QTD group (3 listed) is not shown
    for cell in ("Chưa là thành viên", "31,1%", "19,4%", "HTX nông nghiệp", "93,3%"):
        assert cell in html
    assert "QTD" not in html and "Nhóm có dưới 5 HTX" in html
    assert narrative.nonresponse_table_html(res, "311") == ""
