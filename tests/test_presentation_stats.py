"""How the reports show intervals, tiers, comparisons, ranks, suppression, reliability and
open-answer themes (hailong.present.fmt, hailong.present.narrative, hailong.present.charts on
top of hailong.numbers.stats).

Expected texts are written out in full; figures come from small hand-made tables or from
Results computed on hand-made data (``conftest.small_results_inputs``)."""

from __future__ import annotations

import math

import matplotlib
import matplotlib.container
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from conftest import small_results_inputs
from hailong.numbers.scoring import compute_results
from hailong.numbers.themes import load_themes
from hailong.present import charts, fmt, narrative
from hailong.reference.codebook import load_codebook
from hailong.reference.config import PROJECT_ROOT, StatsSettings
from hailong.reference.geography import load_units

matplotlib.use("Agg")

REF = PROJECT_ROOT / "data" / "reference"
META = {"confidence": 0.95, "rse_threshold": 0.25, "secondary_suppression": True, "min_n": 5,
        "tiers": [{"id": "tot", "lower": 80.0, "vi": "Tốt", "en": "Good"},
                  {"id": "kha", "lower": 65.0, "vi": "Khá", "en": "Fair"},
                  {"id": "trung_binh", "lower": 50.0, "vi": "Trung bình", "en": "Average"},
                  {"id": "yeu", "lower": 0.0, "vi": "Yếu", "en": "Weak"}]}


@pytest.fixture(scope="module")
def res():
    """Results of the small round with every statistical extra and the themes.

    311: 8 of 10 answered, every item 4 but D07 (2); 303: 5 of 6, all 5, two without D03;
    318: 1 of 2, all 3. With secondary suppression 303 (5) is withheld beside 318.
    """
    responses, roster = small_results_inputs()
    responses.loc[responses["district_code"] == "311", "RECOMMENDATIONS"] = (
        "Đề nghị hỗ trợ vốn vay. Liên hệ anh Long 0900 844 843.")
    roster["coop_name"] = [f"HTX Dịch vụ Tân Dương {k}" for k in range(len(roster))]
    return compute_results(
        responses, roster, load_codebook(REF / "codebook" / "codebook-v1.yaml"),
        load_units(REF / "units-2022.csv"), min_n=5,
        stats=StatsSettings(group_n=2),  # its districts answer alike: rule left aside
        themes=load_themes(REF / "themes.yaml"),
        meta={"round": 2022, "organisation": {"vi": "Liên minh", "en": "Alliance"}})


# -------------------------------------------------------------------------- fmt


def test_interval_level_tier_versus_and_rank_formats():
    assert fmt.interval(74.91, 77.32) == "74,9–77,3"
    assert fmt.interval(74.91, 77.32, lang="en") == "74.9–77.3"
    assert fmt.interval(0.801, 0.8244, percent_=True) == "80,1–82,4%"
    assert fmt.interval(np.nan, 3.0) == "—"
    assert fmt.level(0.95) == "95%" and fmt.level(0.9, "en") == "90%"
    assert fmt.level(0.995) == "99,5%"
    assert fmt.tier_label("kha", META) == "Khá" and fmt.tier_label("kha", META, "en") == "Fair"
    assert fmt.tier_label(None, META) == "—"
    assert fmt.versus_label("above") == "▲ cao hơn"
    assert fmt.versus_label("similar", "en") == "≈ similar"
    assert fmt.versus_label("") == "—"
    assert fmt.rank_range(2, 1, 3) == "2 (1–3)"
    assert fmt.rank_range(1, 1, 1) == "1"
    assert fmt.rank_range(pd.NA, pd.NA, pd.NA) == "—"


def test_dimension_frame_with_intervals_and_the_comparison():
    unit = pd.DataFrame({"measure": ["D01", "D02"], "label": ["A", "B"], "n": [70, 3],
                         "index": [82.44, np.nan], "low": [80.01, np.nan],
                         "high": [84.9, np.nan], "satisfied": [0.9, np.nan],
                         "unreliable": [True, False], "vs_city": ["above", ""],
                         "suppressed": [False, True]})
    city = pd.DataFrame({"measure": ["D01", "D02"], "index": [79.0, 70.0],
                         "suppressed": [False, False]})
    t = fmt.dimension_frame(unit, city, confidence=0.95)
    assert list(t.columns) == ["Lĩnh vực", "Số HTX trả lời", "Chỉ số (0–100)",
                               "Khoảng sai số", "Tỷ lệ câu trả lời hài lòng",
                               "Toàn thành phố – Chỉ số (0–100)", "So với phần còn lại của TP"]
    assert list(t.iloc[0]) == ["A", "70", "82,4*", "80,0–84,9", "90,0%*", "79,0", "▲ cao hơn"]
    assert list(t.iloc[1]) == ["B", "—", "—", "—", "—", "70,0", "—"]  # no count of a withheld row
    html = fmt.dimension_table_html(unit, city, meta=META)
    assert "ẩn thêm để không suy ra" in html            # secondary suppression named
    assert "* : sai số tương đối trên 25%" in html


def test_district_frame_shows_the_weighted_city_interval_tier_and_rank_range():
    scores = pd.DataFrame({
        "unit": ["311", "318", "city"], "measure": ["INDEX"] * 3,
        "index": [76.2, np.nan, 71.2], "low": [75.7, np.nan, 70.9],
        "high": [76.7, np.nan, 71.6], "satisfied": [0.818, np.nan, 0.734],
        "tier": ["kha", None, "kha"], "rank": pd.array([2, pd.NA, pd.NA], dtype="Int64"),
        "rank_low": pd.array([1, pd.NA, pd.NA], dtype="Int64"),
        "rank_high": pd.array([2, pd.NA, pd.NA], dtype="Int64"),
        "unreliable": [False, False, False], "suppressed": [False, True, False]})
    weighted = pd.DataFrame({"unit": ["city"], "kind": ["index"], "measure": ["INDEX"],
                             "index": [70.94], "low": [70.6], "high": [71.28],
                             "satisfied": [0.729], "tier": ["kha"]})
    coverage = pd.DataFrame({"unit": ["311", "318", "city"], "roster_n": [79, 2, 404],
                             "answered": [73, 1, 356], "share": [73 / 79, 0.5, 356 / 404]})
    t = fmt.district_frame(scores, coverage, {"311": "Huyện Thuỷ Nguyên", "318": "Huyện BLV",
                                              "city": "Toàn thành phố"},
                           weighted=weighted, meta=META)
    assert list(t.iloc[0]) == ["Huyện Thuỷ Nguyên", "79", "73", "92,4%", "76,2", "75,7–76,7",
                               "81,8%", "Khá", "2 (1–2)"]
    assert list(t.iloc[1])[4:] == ["—"] * 5
    assert list(t.iloc[2]) == ["Toàn thành phố", "404", "356", "88,1%", "70,9", "70,6–71,3",
                               "72,9%", "Khá", ""]


# -------------------------------------------------------------------- narrative


def test_versus_city_uses_the_interval_flags_not_a_point_threshold():
    unit = pd.DataFrame({"measure": ["D01", "D02", "D03", "D04"], "label": list("ABCD"),
                         "index": [71.0, 60.0, 80.0, np.nan],
                         "vs_city": ["above", "similar", "below", ""],
                         "suppressed": [False, False, False, True]})
    city = pd.DataFrame({"measure": ["D01", "D02", "D03", "D04"], "label": list("ABCD"),
                         "index": [70.0, 50.0, 81.0, 65.0], "suppressed": [False] * 4})
    # A is only 1 point above, but beyond its margin of error; B is 10 above, within it
    assert narrative.versus_city(unit, city) == (
        "Chỉ số cao hơn phần còn lại của thành phố, vượt ngoài phạm vi sai số, ở 1 lĩnh vực: "
        "**A** (71,0 so với 70,0). Chỉ số thấp hơn phần còn lại của thành phố, vượt ngoài "
        "phạm vi sai số, ở 1 lĩnh vực: **C** (80,0 so với 81,0). Ở 1 lĩnh vực còn lại "
        "(**B**), chênh lệch với phần còn lại của thành phố nằm trong phạm vi sai số nên được "
        "coi là tương đương. Không so sánh 1 lĩnh vực do có quá ít HTX trả lời.")
    assert narrative.versus_city(unit.iloc[1:2], city, lang="en") == (
        "In all 1 area (**B**) the difference from the rest of the city is within the margin "
        "of error, so they count as similar.")


def test_a_district_withheld_to_protect_another_says_why(res):
    f = narrative.unit_figures(res, "303")
    assert not f.published and f.withheld == "secondary"
    assert narrative.summary(f) == (
        "5 trong 6 HTX của quận Hồng Bàng đã trả lời khảo sát. Tuy vậy, số liệu của quận Hồng "
        "Bàng không được công bố: có một quận, huyện dưới 5 HTX trả lời, và nếu công bố cả số "
        "liệu này thì số liệu bị ẩn đó có thể tính ngược ra từ số liệu toàn thành phố. Đây là "
        "quy tắc ẩn bổ sung mà các cơ quan thống kê áp dụng để bảo vệ bí mật của từng HTX.")
    assert narrative.precision(f) == ""
    spread = narrative.district_spread(res.scores, {"303": "Hồng Bàng", "311": "Thuỷ Nguyên",
                                                    "318": "Bạch Long Vĩ"}, res.meta)
    assert spread == ("Không công bố chỉ số của Bạch Long Vĩ vì có dưới 5 HTX trả lời. Chỉ số "
                      "của Hồng Bàng cũng không được công bố, để số liệu đã ẩn không thể tính "
                      "ngược ra từ số liệu toàn thành phố.")


def test_unit_figures_of_the_city_are_weighted(res):
    city = narrative.unit_figures(res, "city")
    w = res.weighted.set_index("measure").loc["INDEX"]
    assert city.weighted and city.index == pytest.approx(w["index"])
    assert city.unweighted_index == pytest.approx(
        res.scores.query("unit == 'city' and measure == 'INDEX'")["index"].iloc[0])
    assert (city.index_low, city.index_high) == pytest.approx((w["low"], w["high"]))


def test_precision_sentence_of_a_census_and_of_a_sample():
    base = dict(code="311", name="Huyện Thuỷ Nguyên", inline_name="huyện Thuỷ Nguyên",
                short_name="Thuỷ Nguyên", year=2022, answered=73, roster_n=79, coverage=0.92,
                index=76.2, satisfied=0.818, overall_index=80.0, overall_satisfied=0.9,
                overall_number="12", published=True, min_n=5, index_low=75.73,
                index_high=76.73, satisfied_low=0.809, satisfied_high=0.826,
                coops_satisfied=0.64, coops_satisfied_low=0.529, coops_satisfied_high=0.744,
                tier="kha",
                tier_label="Khá", vs_city="above", city_index=70.94, rank=2, rank_low=1,
                rank_high=2, ranked=13)
    f = narrative.UnitFigures(**base)
    assert narrative.precision(f) == (
        "Tính cả khoảng sai số, chỉ số hài lòng chung nằm trong khoảng 75,7–76,7 và tỷ lệ HTX "
        "hài lòng trong khoảng 52,9–74,4%: con số thật gần như chắc chắn nằm trong các "
        "khoảng này. Xếp loại: **Khá**. Chỉ số chung cao hơn "
        "phần còn lại của thành phố (toàn thành phố: 70,9), vượt ngoài phạm vi sai số. Xếp "
        "thứ 2 trong 13 quận, huyện được công bố; tính cả sai số, thứ hạng có thể từ 1 đến 2.")
    # a census of the roster still reads as an interval: no "no sampling error" claim
    census = narrative.UnitFigures(**{**base, "coverage": 1.0, "answered": 79,
                                      "vs_city": "similar", "rank_low": 2})
    assert narrative.precision(census, "en") == (
        "Allowing for the margin of error, the satisfaction index lies within 75.7–76.7 and "
        "the share of satisfied cooperatives within 52.9–74.4%: the true figures almost "
        "certainly lie in these ranges. Tier: **Khá**. The index cannot be told "
        "apart from the rest of the city's (city: 70.9): the difference is within the "
        "margin of error. Ranked 2 of 13 published districts.")


def test_key_figures_add_intervals_tier_and_rank(res):
    html = narrative.key_figures(narrative.unit_figures(res, "311"),
                                 narrative.unit_figures(res, "city"))
    for cell in ("– khoảng sai số của chỉ số", "Xếp loại",
                 "Thứ hạng trong 1 quận, huyện được công bố (khoảng có thể)"):
        assert cell in html


def test_methodology_states_the_interval_rule_and_secondary_suppression():
    meta = {"scale_labels": [{"value": v, "vi": str(v), "en": str(v)} for v in range(1, 6)],
            "scale_min": 1.0, "scale_max": 5.0, "satisfied_values": [4, 5], **META}
    text = narrative.methodology(meta)
    assert "phần còn lại của thành phố" in text and "Holm" in text
    assert "dưới 3 điểm" not in text
    assert "ẩn bổ sung" in text and "tất cả trả lời giống hệt nhau" in text


def test_methodology_details_cover_every_method(res):
    text = narrative.methodology_details(res, "city")
    for words in ("x̄ ± t × s/√n", "khoảng Wilson", "hiệu chỉnh lặp theo tổng biên (raking)",
                  "thành viên Liên minh HTX", "3,5 lần trung vị",
                  "hệ số thiết kế (Kish", "cỡ mẫu hiệu dụng", "samplics", "không gia quyền",
                  "Var(đơn vị) + Var(phần còn lại)", "Holm", "Benjamini–Hochberg",
                  "không hiệu chỉnh tổng thể hữu hạn", "Graubard và Korn 2002",
                  "Tốt ≥ 80; Khá 65–<80; Trung bình 50–<65; Yếu < 50", "có thể Trung bình",
                  "Klein, Wright và Wieczorek 2020", "Cronbach's alpha", "Feldt",
                  "**Dấu \\*:**", "Câu hỏi mở"):
        assert words in text, words
    unweighted = res.scores.query("unit == 'city' and measure == 'INDEX'")["index"].iloc[0]
    assert f"không gia quyền {fmt.number(unweighted, 1)}" in text
    assert narrative.methodology_details(res, "311", "en").startswith(
        "- **Respondents:** 8 of the 10 listed cooperatives of Thuy Nguyen District answered")


def test_the_reliability_table_gives_numbers_and_no_verdict_word(res):
    html = narrative.reliability_table_html(res)
    assert "Spearman–Brown" in html or "Cronbach" in html
    for word in ("thấp", "tốt", "chấp nhận được", "rất cao"):
        assert word not in html

def test_reliability_table_and_themes_in_the_report(res):
    html = narrative.reliability_table_html(res)
    assert "Cronbach" in html and "Spearman–Brown" in html
    table = narrative.themes_table_html(res, "311")
    assert "Vốn, tín dụng" in table and "8 (100,0%)" in table
    assert narrative.themes_summary(res, "311") == (
        "Trong 8 HTX có ý kiến, các chủ đề được nêu nhiều nhất là **Vốn, tín dụng** (100,0%).")
    quotes = narrative.quotes_markdown(res)
    assert quotes == "- **Vốn, tín dụng:** “Đề nghị hỗ trợ vốn vay\\.”"
    assert "0900" not in quotes and "Long" not in quotes


# ----------------------------------------------------------------------- charts


def _texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def test_ranking_chart_has_whiskers_tier_colours_and_rank_ranges():
    scores = pd.DataFrame({
        "unit": ["303", "311", "318", "city"], "kind": ["index"] * 4, "measure": ["INDEX"] * 4,
        "index": [64.0, 81.3, np.nan, 70.1], "low": [60.0, 80.0, np.nan, 69.0],
        "high": [68.0, 82.6, np.nan, 71.2], "tier": ["trung_binh", "tot", None, "kha"],
        "rank": pd.array([2, 1, pd.NA, pd.NA], dtype="Int64"),
        "rank_low": pd.array([2, 1, pd.NA, pd.NA], dtype="Int64"),
        "rank_high": pd.array([2, 1, pd.NA, pd.NA], dtype="Int64"),
        "suppressed": [False, False, True, False]})
    weighted = pd.DataFrame({"unit": ["city"], "measure": ["INDEX"], "index": [69.5]})
    names = {"303": "Hồng Bàng", "311": "Thuỷ Nguyên", "318": "Bạch Long Vĩ"}
    fig = charts.district_comparison(scores, names, source="Nguồn", meta=META,
                                     weighted=weighted)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [b.get_width() for b in bars] == [81.3, 64.0]
    assert matplotlib.colors.to_hex(bars[0].get_facecolor()) == charts.TIER_COLOURS[0]
    assert matplotlib.colors.to_hex(bars[1].get_facecolor()) == charts.TIER_COLOURS[2]
    whiskers = [c for c in ax.containers
                if isinstance(c, matplotlib.container.ErrorbarContainer)]
    # one interval per published bar (all in one errorbar): 81,3 and 64,0, rows 0 and 1
    (segments,) = [w.lines[2][0].get_segments() for w in whiskers]
    assert sorted((float(a[1]), float(a[0]), float(b[0])) for a, b in segments) == [
        (0.0, 80.0, 82.6), (1.0, 60.0, 68.0)]
    assert "81,3 · hạng 1" in _texts(fig) and "—" in _texts(fig)
    assert ax.lines[-1].get_xdata()[0] == pytest.approx(69.5)   # weighted city line
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Tốt", "Trung bình", "Khoảng sai số"]
    assert "ẩn thêm" in fig.get_supxlabel()
    assert fig.get_suptitle() == "Chỉ số hài lòng chung theo quận, huyện (có khoảng sai số)"


def test_profile_marks_real_differences_and_heatmap_marks_unreliable_cells():
    dims = pd.DataFrame({"measure": ["D01", "D02"], "label": ["A", "B"],
                         "index": [71.3, 60.0], "low": [70.0, 55.0], "high": [72.6, 65.0],
                         "vs_city": ["above", "similar"], "suppressed": [False, False]})
    city = dims.assign(index=[65.0, 61.0])
    fig = charts.dimension_profile(dims, city, unit_label="U", city_label="C", source="S")
    assert {"71,3 ▲", "60,0"} <= set(_texts(fig))
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "▲ / ▼ cao / thấp hơn toàn thành phố" in legend
    scores = pd.DataFrame({"unit": ["303", "311"], "kind": ["dimension"] * 2,
                           "measure": ["D01"] * 2, "index": [60.0, 70.0],
                           "unreliable": [True, False], "suppressed": [False, False]})
    heat = charts.heatmap(scores, {"303": "Hồng Bàng", "311": "Thuỷ Nguyên"}, {"D01": "A"},
                          source="S", meta=META)
    assert {"60*", "70"} <= set(_texts(heat))
    assert "* : sai số tương đối trên 25%" in heat.get_supxlabel()


def test_theme_bars_rank_themes_and_withhold_small_counts():
    themes = pd.DataFrame({
        "unit": ["city"] * 3, "question": ["RECOMMENDATIONS"] * 3,
        "theme": ["von", "dat_dai", "khac"], "respondents": [30.0, np.nan, 6.0],
        "answered": [60] * 3, "share": [0.5, np.nan, 0.1], "suppressed": [False, True, False]})
    labels = {"von": "Vốn", "dat_dai": "Đất đai", "khac": "Khác"}
    fig = charts.theme_bars(themes, labels, source="S", meta={"min_n": 5})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Vốn", "Khác", "Đất đai"]
    assert [p.get_width() for p in ax.patches if isinstance(p, Rectangle)] == [50.0, 10.0]
    assert "50,0% (30)" in _texts(fig) and "—" in _texts(fig)
    assert "không công bố" in fig.get_supxlabel()


def test_estimates_tables_feed_the_charts_without_drawing_a_withheld_unit(res):
    dims = res.estimates("311", "dimension")
    city = res.estimates("city", "dimension")
    fig = charts.dimension_profile(dims, city, unit_label="U", city_label="C", source="S")
    bars = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    # 311's D03 is withheld: 303 (3 answered D03) and 318 (1), withheld beside it, would
    # otherwise pool only 4 cooperatives, fewer than min_n, in the city minus 311
    assert dims.set_index("measure").loc["D03", "suppression"] == "secondary"
    assert len(bars) == int((~dims["suppressed"].astype(bool)).sum()) == len(dims) - 1
    assert all(not math.isnan(b.get_width()) for b in bars)


def test_profile_and_distribution_explain_a_withheld_dimension_under_the_chart():
    dims = pd.DataFrame({"measure": ["D01", "D02"], "label": ["A", "B"],
                         "index": [71.3, np.nan], "unreliable": [True, False],
                         "suppressed": [False, True]})
    fig = charts.dimension_profile(dims, None, unit_label="U", city_label="", source="S",
                                   meta=META)
    assert "71,3*" in _texts(fig) and "—" in _texts(fig)
    assert fig.get_supxlabel() == (
        "— : không công bố (dưới 5 HTX trả lời; hoặc dưới 10 HTX trả lời và tất cả trả lời "
        "giống nhau; hoặc ẩn thêm để không suy ra được số liệu đã ẩn từ số liệu toàn thành "
        "phố). * : sai số tương đối trên 25%, cần đọc thận trọng\nS")
    rows = pd.DataFrame([(m, v, s) for m, ss in {"D01": [0.2] * 5, "D02": [np.nan] * 5}.items()
                         for v, s in zip(range(1, 6), ss)], columns=["measure", "value", "share"])
    dist = charts.answer_distribution(rows, {v: str(v) for v in range(1, 6)},
                                      labels={"D01": "A", "D02": "B"}, source="S",
                                      meta={"min_n": 5})
    assert dist.get_supxlabel() == "— : không công bố (dưới 5 HTX trả lời)\nS"
