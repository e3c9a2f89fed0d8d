"""Report charts: titles, labels, what is drawn — and that a withheld value is not a 0 bar."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from _hand_trend import hand_trend
from hailong.present import charts

SOURCE = "Nguồn: Khảo sát mức độ hài lòng của HTX năm 2022, Liên minh HTX TP Hải Phòng"
#: ``Results.meta`` as far as the note on "—" needs it (primary rule only).
PRIMARY = {"min_n": 5}
NAMES = ["Lãnh đạo, chỉ đạo của cấp ủy, chính quyền", "Tuyên truyền, phổ biến chính sách",
         "Thủ tục hành chính", "Ứng dụng khoa học – công nghệ, chuyển đổi số"]


def flat(text: str) -> str:
    """Tick text without the line breaks of wrapped labels."""
    return " ".join(text.split())


def bars(fig: Figure) -> list[Rectangle]:
    return [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


def yticks(fig: Figure) -> list[str]:
    return [flat(t.get_text()) for t in fig.axes[0].get_yticklabels()]


def dim_table(values, suppressed):
    return pd.DataFrame({"measure": ["D01", "D02", "D03", "D06"], "label": NAMES,
                         "index": values, "suppressed": suppressed})


UNIT = dim_table([71.3, 80.0, np.nan, 55.5], [False, False, True, False])
CITY = dim_table([70.0, 75.0, 65.0, 60.0], [False] * 4)


@pytest.fixture(autouse=True)
def agg_backend():
    assert matplotlib.get_backend().lower() == "agg"


def test_theme_uses_a_font_with_every_vietnamese_letter():
    charts.set_theme()
    assert matplotlib.rcParams["font.family"] == ["DejaVu Sans"]


def test_dimension_profile_draws_published_bars_and_a_dash_for_the_withheld_one():
    fig = charts.dimension_profile(UNIT, CITY, unit_label="Huyện Thuỷ Nguyên",
                                   city_label="Toàn thành phố", source=SOURCE)
    assert isinstance(fig, Figure)
    assert fig.get_suptitle() == "Chỉ số hài lòng theo lĩnh vực – Huyện Thuỷ Nguyên"
    assert yticks(fig) == NAMES
    widths = [b.get_width() for b in bars(fig)]
    assert widths == [71.3, 80.0, 55.5]          # three bars, none for D03, none of 0
    assert "—" in texts(fig)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Chỉ số hài lòng (0–100)"
    # the city is a marker on every dimension, also where the unit is withheld
    assert len(ax.collections[0].get_offsets()) == 4
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Toàn thành phố", "Huyện Thuỷ Nguyên"]
    assert fig.get_supxlabel() == SOURCE
    assert {"71,3", "80,0", "55,5"} <= set(texts(fig))


def test_dimension_profile_whiskers_span_each_published_interval_and_none_withheld():
    with_bounds = UNIT.assign(low=[68.0, 76.5, np.nan, 50.25], high=[74.6, 83.5, np.nan, 60.75])
    fig = charts.dimension_profile(with_bounds, CITY, unit_label="Huyện Thuỷ Nguyên",
                                   city_label="Toàn thành phố", source=SOURCE)
    # one errorbar for all the whiskers: its segments run (low, row) to (high, row)
    (whiskers,) = [c for c in fig.axes[0].containers if isinstance(c, ErrorbarContainer)]
    spans = sorted((float(a[1]), float(a[0]), float(b[0]))
                   for a, b in whiskers.lines[2][0].get_segments())
    assert spans == [(0.0, 68.0, 74.6), (1.0, 76.5, 83.5), (3.0, 50.25, 60.75)]


def test_dimension_profile_in_english_has_english_axis_and_point_decimals():
    fig = charts.dimension_profile(UNIT, None, unit_label="Thuy Nguyen District",
                                   city_label="", source="Source: x", lang="en")
    assert fig.axes[0].get_xlabel() == "Satisfaction index (0–100)"
    assert "71.3" in texts(fig)
    assert fig.get_suptitle().startswith("Satisfaction index by area")


SCALE = {1: "Rất không hài lòng", 2: "Không hài lòng", 3: "Bình thường", 4: "Hài lòng",
         5: "Rất hài lòng"}


def distribution(shares: dict[str, list[float]]) -> pd.DataFrame:
    rows = [(m, v, s) for m, ss in shares.items() for v, s in zip(range(1, 6), ss)]
    return pd.DataFrame(rows, columns=["measure", "value", "share"])


def test_answer_distribution_stacks_to_100_in_codebook_order_and_skips_withheld():
    rows = distribution({"D02": [0.1, 0.2, 0.3, 0.4, 0.0],      # given before D01
                         "D01": [0.05, 0.05, 0.1, 0.5, 0.3],
                         "D03": [np.nan] * 5})
    labels = {"D01": NAMES[0], "D02": NAMES[1], "D03": NAMES[2]}
    fig = charts.answer_distribution(rows, SCALE, labels=labels, source=SOURCE)
    assert yticks(fig) == NAMES[:3]
    assert fig.get_suptitle() == "Phân bố câu trả lời theo lĩnh vực"
    assert fig.get_supxlabel() == SOURCE
    assert fig.axes[0].get_xlabel() == "Tỷ lệ câu trả lời (%)"
    segments = bars(fig)
    assert len(segments) == 5 + 4                   # D02 has a 0% answer: no segment
    assert all(b.get_width() > 0 for b in segments)
    first_row = [b for b in segments if abs(b.get_y() + b.get_height() / 2) < 1e-9]
    assert sum(b.get_width() for b in first_row) == pytest.approx(100)
    assert [b.get_width() for b in first_row] == pytest.approx([5, 5, 10, 50, 30])
    assert "—" in texts(fig)                         # D03 withheld
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == list(SCALE.values())


def test_diverging_colours_run_from_red_through_grey_to_blue():
    colours = charts.diverging_colours(5)
    lowest, highest = colours[0], colours[-1]
    assert lowest[0] > lowest[2]          # red dominates
    assert highest[2] > highest[0]        # blue dominates
    assert colours[2] == charts.NEUTRAL_COLOUR
    assert len(charts.diverging_colours(3)) == 3


def test_coverage_chart_splits_answered_and_not_yet():
    row = pd.Series({"unit": "311", "roster_n": 163, "answered": 142, "share": 142 / 163})
    fig = charts.coverage_chart(row, source=SOURCE)
    wedges = fig.axes[0].patches
    spans = [(w.theta2 - w.theta1) for w in wedges]
    assert spans == pytest.approx([360 * 142 / 163, 360 * 21 / 163])
    assert "87,1%" in texts(fig)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "Đã trả lời: 142", "Chưa trả lời: 21"]
    assert fig.get_suptitle() == "Tỷ lệ HTX tham gia khảo sát"
    assert fig.get_supxlabel() == SOURCE


COVERAGE = pd.DataFrame({
    "unit": ["303", "311", "318", "city"], "roster_n": [10, 163, 2, 175],
    "answered": [5, 142, 1, 148], "share": [0.5, 142 / 163, 0.5, 148 / 175]})
DISTRICTS = {"303": "Hồng Bàng", "311": "Thuỷ Nguyên", "318": "Bạch Long Vĩ"}


def test_coverage_by_district_is_sorted_and_marks_the_city():
    fig = charts.coverage_by_district(COVERAGE, DISTRICTS, source=SOURCE)
    # highest first; the tie at 50% keeps code order
    assert yticks(fig) == ["Thuỷ Nguyên", "Hồng Bàng", "Bạch Long Vĩ"]
    assert [b.get_width() for b in bars(fig)] == pytest.approx([100 * 142 / 163, 50, 50])
    city_line = fig.axes[0].lines[0]
    assert city_line.get_xdata()[0] == pytest.approx(100 * 148 / 175)
    assert " Toàn thành phố: 84,6%" in texts(fig)
    assert "87,1% (142/163)" in texts(fig)
    assert fig.axes[0].get_xlabel() == "Tỷ lệ HTX đã trả lời (%)"
    assert fig.get_supxlabel() == SOURCE


SCORES = pd.DataFrame({
    "unit": ["303", "311", "318", "city"], "kind": ["index"] * 4, "measure": ["INDEX"] * 4,
    "index": [64.0, 71.3, np.nan, 70.1], "suppressed": [False, False, True, False]})


def test_district_comparison_ranks_and_lists_withheld_districts_last_without_a_bar():
    fig = charts.district_comparison(SCORES, DISTRICTS, source=SOURCE)
    assert yticks(fig) == ["Thuỷ Nguyên", "Hồng Bàng", "Bạch Long Vĩ"]
    assert [b.get_width() for b in bars(fig)] == [71.3, 64.0]    # no 0 bar for 318
    assert texts(fig).count("—") == 1
    assert fig.axes[0].lines[0].get_xdata()[0] == pytest.approx(70.1)
    assert fig.get_suptitle() == "Chỉ số hài lòng chung theo quận, huyện"
    assert fig.get_supxlabel() == SOURCE
    assert fig.axes[0].get_xlabel() == "Chỉ số hài lòng (0–100)"


def test_heatmap_leaves_withheld_cells_blank_and_marked():
    rows = []
    for unit, values, withheld in [("303", [60.0, 80.0], [False, True]),
                                   ("311", [70.4, 75.0], [False, False]),
                                   ("318", [np.nan, np.nan], [True, True])]:
        for m, v, w in zip(["D01", "D02"], values, withheld):
            rows.append((unit, "dimension", m, np.nan if w else v, w))
    scores = pd.DataFrame(rows, columns=["unit", "kind", "measure", "index", "suppressed"])
    labels = {"D01": NAMES[0], "D02": NAMES[1]}
    fig = charts.heatmap(scores, DISTRICTS, labels, source=SOURCE, meta=PRIMARY)
    ax = fig.axes[0]
    assert [flat(t.get_text()) for t in ax.get_xticklabels()] == list(DISTRICTS.values())
    assert yticks(fig) == NAMES[:2]
    mesh = ax.collections[0].get_array()
    # D02 of Hồng Bàng was 80 before withholding: it must not be coloured at all
    assert np.ma.count_masked(mesh) == 3
    assert sorted(mesh.compressed().tolist()) == [60.0, 70.4, 75.0]
    assert texts(fig).count("—") == 3
    assert {"60", "70", "75"} <= set(texts(fig))
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 3
    assert "— : không công bố (dưới 5 HTX trả lời)" in fig.get_supxlabel()
    assert fig.get_suptitle() == "Chỉ số hài lòng theo lĩnh vực và quận, huyện"


def test_show_displays_an_svg_with_the_title_as_alt_text(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display",
                        lambda obj, raw=False, metadata=None: shown.append((obj, raw, metadata)))
    fig = charts.district_comparison(SCORES, DISTRICTS, source=SOURCE)
    charts.show(fig)
    ((data, raw, metadata),) = shown
    # the desktop drawing and the phone's (3,5 inches wide), both SVG
    assert raw and list(data) == ["image/svg+xml", charts.NARROW_MIME]
    svg = data["image/svg+xml"]
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert data[charts.NARROW_MIME].lstrip().startswith("<?xml")
    assert 'width="252pt"' in data[charts.NARROW_MIME]
    assert metadata[charts.NARROW_MIME] == {"width": 350, "media": charts.NARROW_MEDIA}
    meta = metadata["image/svg+xml"]
    # the text alternative: the title, then every figure drawn (highest first, as the
    # bars; the withheld district named)
    assert meta["alt"] == ("Chỉ số hài lòng chung theo quận, huyện: Toàn thành phố: 70,1; "
                           "Thuỷ Nguyên 71,3; Hồng Bàng 64,0; không công bố: Bạch Long Vĩ.")
    assert meta["described"] is True
    assert meta["width"] == int(fig.get_figwidth() * 100)
    # text stays text (searchable, sharp in print), with fonts a reader's machine has
    assert "<text" in svg and "Bạch Long Vĩ" in svg
    assert "font-family: 'DejaVu Sans', 'Noto Sans'," in svg
    assert "font-family: 'DejaVu Sans';" not in svg
    # the same chart gives the same bytes (no date, fixed ids): rebuilds compare equal
    again = charts.district_comparison(SCORES, DISTRICTS, source=SOURCE)
    assert charts.figure_svg(again) == svg
    assert "<dc:date>" not in svg


def test_text_sizes_shared_across_figures_change_no_byte(monkeypatch):
    import io

    import matplotlib.text as mtext

    charts.set_theme()
    shared = mtext._get_text_metrics_with_cache
    assert getattr(shared, "hailong_shared", False)

    def drawn():
        fig = charts.district_comparison(SCORES, DISTRICTS, source=SOURCE)
        pngs = []
        for dpi in (100, 150):  # Agg measures in pixels: the dpi is part of the key
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=dpi)
            pngs.append(buffer.getvalue())
        return charts.figure_svg(fig), pngs

    charts._TEXT_METRICS.clear()
    first = drawn()
    assert charts._TEXT_METRICS  # sizes were kept
    cached = drawn()  # every size now comes from the shared cache
    monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", shared.original)
    plain = drawn()  # matplotlib's own measuring, per renderer
    assert first == cached == plain
    assert plain[1][0] != plain[1][1]


# ------------------------------------------------------- answers to each question


ITEM_MEASURES = pd.DataFrame({
    "measure": ["D01", "D01_1", "D01_2", "D02", "D02_1"],
    "kind": ["dimension", "item", "item", "dimension", "item"],
    "dimension": ["D01", "D01", "D01", "D02", "D02"],
    "number": [None, "1.1", "1.2", None, "2.1"],
    "vi": ["Lãnh đạo", "Câu một", "Câu hai", "Tuyên truyền", "Câu ba"],
    "en": ["Leadership", "Question one", "Question two", "Information", "Question three"],
})
ITEM_SHARES = distribution({"D01_1": [0.1, 0.2, 0.3, 0.3, 0.1],
                            "D01_2": [0.0, 0.0, 0.5, 0.25, 0.25],
                            "D02_1": [np.nan] * 5})


def spans(fig: Figure, y: float) -> list[tuple[float, float]]:
    """(left, right) of the bar segments of row ``y``, left to right (the item chart draws
    its segments as polygons, one collection per answer)."""
    from matplotlib.collections import PolyCollection

    out = []
    for c in fig.axes[0].collections:
        if isinstance(c, PolyCollection):
            for path in c.get_paths():
                (x0, y0), (x1, y1) = path.vertices.min(axis=0), path.vertices.max(axis=0)
                if abs((y0 + y1) / 2 - y) < 1e-9:
                    out.append((round(x0, 6), round(x1, 6)))
    return sorted(out)


def test_item_chart_centres_the_neutral_answer_and_writes_each_sides_share():
    fig = charts.item_distribution(ITEM_SHARES, ITEM_MEASURES, SCALE, source=SOURCE,
                                   meta=PRIMARY)
    ax = fig.axes[0]
    # rows: heading 1, 1.1, 1.2, heading 2, 2.1 (headings are written in the plot)
    assert yticks(fig) == ["", "1.1. Câu một", "1.2. Câu hai", "", "2.1. Câu ba"]
    assert {"1. Lãnh đạo", "2. Tuyên truyền"} <= set(texts(fig))
    # 1.1: 10 / 20 / 30 / 30 / 10 % -> "Bình thường" split 15 | 15 around 0
    assert spans(fig, 1) == [(-45, -35), (-35, -15), (-15, 15), (15, 45), (45, 55)]
    # 1.2: nobody below the middle: only the neutral half and the two satisfied answers
    assert spans(fig, 2) == [(-25, 25), (25, 50), (50, 75)]
    assert spans(fig, 4) == []                       # 2.1 withheld: no bar, a dash
    assert "—" in texts(fig)
    # the share on each side at the ends: 1.1 has 30% below and 40% above the middle
    assert {"30%", "40%", "0%", "50%"} <= set(texts(fig))
    assert fig.get_suptitle() == "Câu trả lời theo từng câu hỏi – câu 1.1 đến 2.1"
    assert ax.get_xlabel() == ("Tỷ lệ câu trả lời (%) – bên trái: chưa hài lòng, bên phải: "
                               "hài lòng")
    assert ax.xaxis.get_major_formatter()(-20, 0) == "20"     # no negative shares
    note = fig.get_supxlabel()
    assert note.startswith("Mức “Bình thường” được chia đôi hai bên vạch 0.")
    assert "— : không công bố (dưới 5 HTX trả lời)" in note and note.endswith(SOURCE)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(SCALE.values())


def test_item_chart_in_english():
    fig = charts.item_distribution(ITEM_SHARES, ITEM_MEASURES, {1: "Very dissatisfied",
                                   2: "Dissatisfied", 3: "Neutral", 4: "Satisfied",
                                   5: "Very satisfied"}, source="Source: x", lang="en")
    assert yticks(fig)[1] == "1.1. Question one"
    assert fig.get_suptitle() == "Answers to each question – questions 1.1 to 2.1"
    assert fig.axes[0].get_xlabel().startswith("Share of answers (%) – left: not satisfied")
    assert fig.get_supxlabel().startswith("“Neutral” is split in half on both sides of 0.")


def test_item_charts_never_split_a_dimension_and_stay_within_a_page():
    sizes = {"D01": 3, "D02": 3, "D03": 2}
    rows = []
    for d, k in sizes.items():
        rows.append((d, "dimension", d))
        rows += [(f"{d}_{i}", "item", d) for i in range(1, k + 1)]
    measures = pd.DataFrame(rows, columns=["measure", "kind", "dimension"])
    assert charts.item_groups(measures, max_items=5) == [["D01"], ["D02", "D03"]]
    assert charts.item_groups(measures, max_items=16) == [["D01", "D02", "D03"]]


# ------------------------------------------------------------------------- the map


TIERS = {"tiers": [{"id": "tot", "lower": 80.0, "vi": "Tốt", "en": "Good"},
                   {"id": "kha", "lower": 65.0, "vi": "Khá", "en": "Fair"},
                   {"id": "trung_binh", "lower": 50.0, "vi": "Trung bình", "en": "Average"},
                   {"id": "yeu", "lower": 0.0, "vi": "Yếu", "en": "Weak"}],
         "secondary_suppression": False}
MAP_NAMES = {"303": "Hồng Bàng", "304": "Ngô Quyền", "305": "Lê Chân", "306": "Hải An",
             "307": "Kiến An", "308": "Đồ Sơn", "309": "Dương Kinh", "311": "Thuỷ Nguyên",
             "312": "An Dương", "313": "An Lão", "314": "Kiến Thuỵ", "315": "Tiên Lãng",
             "316": "Vĩnh Bảo", "317": "Cát Hải", "318": "Bạch Long Vĩ"}
#: Thuỷ Nguyên "Tốt", An Lão "Trung bình", Vĩnh Bảo "Yếu", the rest "Khá"; Đồ Sơn and
#: Bạch Long Vĩ withheld.
MAP_VALUES = {**dict.fromkeys(MAP_NAMES, 70.0), "311": 82.0, "313": 55.0, "316": 45.0,
              "308": np.nan, "318": np.nan}
MAP_SCORES = pd.DataFrame({"unit": list(MAP_VALUES), "kind": "index", "measure": "INDEX",
                           "index": list(MAP_VALUES.values()),
                           "suppressed": [np.isnan(v) for v in MAP_VALUES.values()]})


def patch_of(fig: Figure, code: str):
    (patch,) = [p for ax in fig.axes for p in ax.patches if p.get_gid() == code]
    return patch


def luminance(rgba) -> float:
    r, g, b = rgba[:3]
    return 0.299 * r + 0.587 * g + 0.114 * b


@pytest.fixture(scope="module")
def district_map():
    boundaries = charts.boundaries_for(2022)
    return charts.choropleth(MAP_SCORES, boundaries, MAP_NAMES, source=SOURCE,
                             meta={**TIERS, **PRIMARY})


def test_map_draws_each_district_from_the_geojson_by_its_code(district_map):
    # Thuỷ Nguyên's shape spans the bbox the GeoJSON gives for code 311
    box = patch_of(district_map, "311").get_path().get_extents()
    assert (box.x0, box.y0, box.x1, box.y1) == pytest.approx(
        (106.55473953, 20.8639547290001, 106.770412274, 21.0212140360001))
    assert len({p.get_gid() for ax in district_map.axes for p in ax.patches
                if p.get_gid()}) == 15


def test_map_colours_each_district_by_its_tier_as_the_legend_says(district_map):
    legend = {t.get_text(): h for t, h in zip(
        district_map.axes[1].get_legend().get_texts(),
        district_map.axes[1].get_legend().legend_handles)}
    assert list(legend) == ["Tốt (≥ 80)", "Khá (65–<80)", "Trung bình (50–<65)", "Yếu (< 50)",
                            "— : không công bố"]
    colour = {code: patch_of(district_map, code).get_facecolor() for code in MAP_NAMES}
    assert colour["311"] == pytest.approx(legend["Tốt (≥ 80)"].get_facecolor())
    assert colour["303"] == pytest.approx(legend["Khá (65–<80)"].get_facecolor())
    assert colour["313"] == pytest.approx(legend["Trung bình (50–<65)"].get_facecolor())
    assert colour["316"] == pytest.approx(legend["Yếu (< 50)"].get_facecolor())
    assert colour["303"] == colour["317"]                  # same tier, same colour
    # a sequential palette: the better the tier, the darker
    assert (luminance(colour["311"]) < luminance(colour["303"]) < luminance(colour["313"])
            < luminance(colour["316"]))


def test_map_hatches_withheld_districts_and_labels_them_with_a_dash(district_map):
    for code in ("308", "318"):
        patch = patch_of(district_map, code)
        r, g, b, _ = patch.get_facecolor()
        assert patch.get_hatch() == "////" and r == g == b       # grey, hatched
    assert not patch_of(district_map, "311").get_hatch()
    labels = [t.get_text() for ax in district_map.axes for t in ax.texts]
    assert "Đồ Sơn\n—" in labels and "Thuỷ Nguyên\n82,0" in labels
    assert "Bạch Long Vĩ: —" in labels
    # the island district far off the coast is drawn in an inset, not on the main map
    assert patch_of(district_map, "318").axes is not patch_of(district_map, "311").axes


def test_map_has_title_source_boundary_attribution_and_notes(district_map):
    assert district_map.get_suptitle() == "Chỉ số hài lòng chung theo quận, huyện – bản đồ"
    note = district_map.get_supxlabel()
    assert note.startswith("— : không công bố (dưới 5 HTX trả lời)")
    assert note.endswith(f"{SOURCE}. Ranh giới: dvhcvn (GPL-3.0), 2019")


def test_map_by_quartiles_and_in_english():
    boundaries = charts.boundaries_for(2022)
    values = {code: 60.0 + k for k, code in enumerate(MAP_NAMES)}   # 60, 61, ... 74
    values.update({"308": np.nan, "318": np.nan})
    scores = MAP_SCORES.assign(index=list(values.values()))
    fig = charts.choropleth(scores, boundaries, MAP_NAMES, source="Source: x",
                            meta={**TIERS, **PRIMARY}, lang="en", classes="quartile")
    legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    # 13 published values: 60..73 without 65 (Do Son's, withheld; 74 is Bach Long Vi's);
    # rank r goes to group ceil(4r / 13): ranks 1-3, 4-6, 7-9, 10-13
    assert legend == ["70.0–73.0", "67.0–69.0", "63.0–66.0", "60.0–62.0", "— : not published"]
    assert patch_of(fig, "311").get_facecolor() != patch_of(fig, "303").get_facecolor()
    assert fig.axes[1].get_legend().get_title().get_text() == "Quartile group (index)"
    assert fig.get_supxlabel().endswith("Source: x. Boundaries: dvhcvn (GPL-3.0), 2019")


def test_rounds_without_boundaries_get_no_map_and_bad_files_are_refused(tmp_path):
    from hailong.core.errors import ConfigError

    assert charts.boundaries_for(2025) is None          # 2025 communes: no polygons
    with pytest.raises(ConfigError, match="does not exist"):
        charts.load_boundaries(tmp_path / "none.geojson")
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                   '"properties": {"name": "X"}, "geometry": {"type": "Polygon", '
                   '"coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}', encoding="utf-8")
    with pytest.raises(ConfigError, match="no unit code"):
        charts.load_boundaries(bad)


# ------------------------------------------------------------------- over the rounds


def points(ax) -> list:
    """The markers (scatter collections) of an axes, in drawing order."""
    from matplotlib.collections import PathCollection

    return [c for c in ax.collections if isinstance(c, PathCollection)]


def test_trend_chart_draws_each_round_with_its_interval():
    tr = hand_trend()
    fig = charts.trend_chart(tr.unit("311"), tr.unit("city"), unit_label="Huyện Thuỷ Nguyên",
                             city_label="Toàn thành phố", source=SOURCE, confidence=0.95)
    ax = fig.axes[0]
    unit_points = points(ax)[0].get_offsets().tolist()
    assert unit_points == [[2021, 70.0], [2022, 74.0]]
    # whiskers: index ± 1,96 × se (se 1 for Thuỷ Nguyên, 0,5 for the city)
    whiskers = [seg for c in ax.containers for seg in c.lines[2][0].get_segments()]
    halves = sorted(round((seg[1][1] - seg[0][1]) / 2, 3) for seg in whiskers)
    assert halves == [0.98, 0.98, 1.96, 1.96]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2021", "2022"]
    assert {"70,0", "74,0"} <= set(texts(fig))
    assert fig.get_suptitle() == "Chỉ số hài lòng chung qua các năm – Huyện Thuỷ Nguyên"
    assert ax.get_xlabel() == "Năm khảo sát" and ax.get_ylabel() == "Chỉ số hài lòng (0–100)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Huyện Thuỷ Nguyên", "Toàn thành phố", "Khoảng sai số"]
    assert fig.get_supxlabel() == SOURCE


def test_trend_chart_marks_approximate_rounds_hollow_and_withheld_ones_with_a_dash():
    tr = hand_trend(approximate_before=True)
    fig = charts.trend_chart(tr.unit("311"), None, unit_label="Phường Hồng Bàng",
                             source=SOURCE)
    ax = fig.axes[0]
    (marks,) = points(ax)
    first, second = (tuple(c) for c in marks.get_facecolor())
    assert first == (1.0, 1.0, 1.0, 1.0)                                 # 2021: hollow
    assert second != (1.0, 1.0, 1.0, 1.0)
    assert "Gần đúng (quy đổi từ địa bàn cũ)" in [
        t.get_text() for t in ax.get_legend().get_texts()]
    withheld = hand_trend(previous_n=3)
    fig = charts.trend_chart(withheld.unit("311"), None, unit_label="Huyện Thuỷ Nguyên",
                             source=SOURCE, meta=PRIMARY)
    assert texts(fig).count("—") == 1
    assert [len(c.get_offsets()) for c in points(fig.axes[0])] == [1]   # one point: 2022
    assert fig.get_supxlabel().startswith("— : không công bố (dưới 5 HTX trả lời)")


# ------------------------------------------- every chart: title, units, source, language


VI_LETTERS = set("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ")


def all_texts(fig: Figure) -> list[str]:
    """Every piece of text a reader sees in a figure."""
    out = [fig.get_suptitle(), fig.get_supxlabel()]
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        out += [t.get_text() for t in ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            out += [t.get_text() for t in legend.get_texts()] + [legend.get_title().get_text()]
    return [t for t in out if t]


@pytest.fixture(scope="module")
def report_charts():
    """Every chart of the district, citywide and progress reports, in both languages,
    drawn from the sample's results (2022, with the 2021 round lined up)."""
    from hailong.numbers import coverage
    from hailong.numbers.pipeline import load_results
    from hailong.numbers.trend_cache import report_trend
    from hailong.present import fmt, progress_report

    res = load_results(2022)
    tr = report_trend(2022)
    data = coverage.load_progress(2022)
    p = coverage.progress(data, None)
    out = {}
    for lang in ("vi", "en"):
        src = fmt.source_line(2022, res.meta["organisation"], lang)
        names = fmt.unit_names(res, "district", lang)
        dims = res.estimates("311", "dimension", lang)
        city_dims = res.estimates("city", "dimension", lang)
        labels = dict(zip(dims["measure"], dims["label"]))
        scale = fmt.scale_labels(res.meta, lang)
        unit = fmt.unit_name(res, "311", lang)
        common = {"source": src, "lang": lang}
        out[lang] = {
            "profile": charts.dimension_profile(dims, city_dims, unit_label=unit,
                                                city_label=fmt.t("col_city", lang),
                                                meta=res.meta, **common),
            "distribution": charts.answer_distribution(res.unit("311").distribution, scale,
                                                       labels=labels, **common),
            "items": charts.item_charts(res.unit("311").distribution, res.measures, scale,
                                        meta=res.meta, **common)[0],
            "coverage": charts.coverage_chart(res.unit("311").coverage, **common),
            "coverage_by_district": charts.coverage_by_district(res.coverage, names,
                                                                **common),
            "ranking": charts.district_comparison(res.scores, names, meta=res.meta,
                                                  weighted=res.weighted, **common),
            "heatmap": charts.heatmap(res.scores, names, labels, meta=res.meta,
                                      **common),
            "themes": charts.theme_bars(res.themes, fmt.theme_labels(res.meta, lang),
                                        meta=res.meta, **common),
            "map": charts.choropleth(res.scores, charts.boundaries_for(2022), names,
                                     meta=res.meta, **common),
            "trend": charts.trend_chart(tr.unit("311"), tr.unit("city"), unit_label=unit,
                                        city_label=fmt.t("col_city", lang),
                                        meta=res.meta, **common),
            "progress_by_district": charts.progress_by_district(
                p.districts, progress_report.unit_names(data, lang), target=p.target, **common),
            "cumulative": charts.cumulative_curve(p.curve, target=p.target,
                                                  deadline=p.deadline, **common),
            "coverage_by_group": charts.coverage_by_group(
                p.members, progress_report.group_names("member", data.codebook, lang),
                target=p.target, **common),
        }
    return out


CHARTS = ["profile", "distribution", "items", "coverage", "coverage_by_district", "ranking",
          "heatmap", "themes", "map", "trend", "progress_by_district", "cumulative",
          "coverage_by_group"]


@pytest.mark.parametrize("kind", CHARTS)
def test_every_chart_has_a_title_units_and_the_source_line(report_charts, kind):
    for lang, start in (("vi", "Nguồn: "), ("en", "Source: ")):
        fig = report_charts[lang][kind]
        assert fig.get_suptitle(), kind
        source = fig.get_supxlabel().splitlines()[-1]
        assert source.startswith(start) and "2022" in source, (kind, source)
        if kind == "coverage":     # a donut: its unit is the % in the middle
            assert any(t.endswith("%") for t in texts(fig))
        elif kind == "map":        # a map: its classes are in the legend
            assert "(" in fig.axes[1].get_legend().get_title().get_text()
        else:
            ax = fig.axes[0]
            labels = [ax.get_xlabel(), ax.get_ylabel()] + [a.get_ylabel() for a in fig.axes]
            assert any("(" in x for x in labels) or kind == "cumulative", (kind, labels)
    # the same size in both languages (the questions' labels are wrapped, never cut, so
    # the item chart's rows may take a line more in one language)
    vi, en = (report_charts[lang][kind].get_size_inches() for lang in ("vi", "en"))
    assert vi[0] == pytest.approx(en[0])
    assert vi[1] == pytest.approx(en[1], rel=0.1 if kind == "items" else 1e-6)


@pytest.mark.parametrize("kind", CHARTS)
def test_english_charts_have_no_vietnamese_words(report_charts, kind):
    """Titles, axes, legends, notes and labels switch with ``lang``; in English even unit
    names are written without diacritics, so no Vietnamese letter may remain."""
    leftover = [t for t in all_texts(report_charts["en"][kind])
                if VI_LETTERS & set(t.lower())]
    assert leftover == []


# ------------------------------------------- many units (114 communes): several figures


def _communes(n: int = 114):
    """n communes with distinct indexes 40.0, 40.5, ... in code order, the 3rd withheld."""
    codes = [str(10000 + 7 * k) for k in range(n)]
    values = [40.0 + 0.5 * ((37 * k) % n) for k in range(n)]     # a permutation of steps
    withheld = [k == 2 for k in range(n)]
    names = {c: f"Xã {k:03d}" for k, c in enumerate(codes)}
    scores = pd.DataFrame({
        "unit": codes + ["city"], "kind": ["index"] * (n + 1), "measure": ["INDEX"] * (n + 1),
        "index": [np.nan if w else v for v, w in zip(values, withheld)] + [60.0],
        "suppressed": withheld + [False]})
    return codes, values, withheld, names, scores


def test_split_units_gives_the_fewest_even_runs_of_at_most_30():
    assert [len(r) for r in charts.split_units(list(range(114)))] == [29, 29, 28, 28]
    assert [len(r) for r in charts.split_units(list(range(15)))] == [15]
    assert [len(r) for r in charts.split_units(list(range(30)))] == [30]
    assert [len(r) for r in charts.split_units(list(range(31)))] == [16, 15]
    assert sum(charts.split_units(list(range(114))), []) == list(range(114))


def test_ranking_of_114_communes_is_four_figures_in_the_single_charts_order():
    codes, values, withheld, names, scores = _communes()
    figs = charts.ranking_pages(scores, names, source=SOURCE, unit_level="commune")
    assert len(figs) == 4
    assert all(len(yticks(f)) <= 30 for f in figs)
    shown = sum((yticks(f) for f in figs), [])
    # worked out here: highest index first, the withheld commune last
    published = sorted((k for k in range(114) if not withheld[k]), key=lambda k: -values[k])
    expected = [names[codes[k]] for k in published] + [names[codes[2]]]
    assert shown == expected
    assert len(set(shown)) == 114
    assert shown == yticks(charts.district_comparison(scores, names, source=SOURCE))
    assert [f.get_suptitle() for f in figs] == [
        f"Chỉ số hài lòng chung theo đơn vị cấp xã ({k}/4)" for k in range(1, 5)]
    # every figure keeps the city line and the same axis
    assert all(f.axes[0].lines[0].get_xdata()[0] == pytest.approx(60.0) for f in figs)
    assert {f.axes[0].get_xlim() for f in figs} == {(0.0, 108.0)}


def test_ranking_of_15_districts_stays_one_figure_without_a_page_number():
    codes = [str(303 + k) for k in range(15)]
    names = {c: f"Huyện {c}" for c in codes}
    scores = pd.DataFrame({"unit": codes, "kind": ["index"] * 15, "measure": ["INDEX"] * 15,
                           "index": [50.0 + k for k in range(15)], "suppressed": [False] * 15})
    (fig,) = charts.ranking_pages(scores, names, source=SOURCE)
    assert fig.get_suptitle() == "Chỉ số hài lòng chung theo quận, huyện"
    assert yticks(fig) == [names[c] for c in reversed(codes)]


def test_coverage_of_114_communes_is_four_figures_highest_first():
    codes, values, _, names, _ = _communes()
    roster = [10] * 114
    answered = [(3 * k) % 11 for k in range(114)]
    coverage = pd.DataFrame({"unit": codes, "roster_n": roster, "answered": answered,
                             "share": [a / 10 for a in answered]})
    figs = charts.coverage_pages(coverage, names, source=SOURCE, lang="en",
                                 unit_level="commune")
    assert len(figs) == 4 and all(len(yticks(f)) <= 30 for f in figs)
    shown = sum((yticks(f) for f in figs), [])
    order = sorted(range(114), key=lambda k: (-answered[k], k))   # ties in code order
    assert shown == [names[codes[k]] for k in order]
    assert figs[0].get_suptitle() == "Coverage by commune (1/4)"


def test_heatmap_of_114_communes_is_four_figures_on_one_colour_scale():
    codes, values, withheld, names, _ = _communes()
    rows = [(c, "dimension", m, np.nan if w else v + (3 if m == "D02" else 0), w)
            for c, v, w in zip(codes, values, withheld) for m in ("D01", "D02")]
    scores = pd.DataFrame(rows, columns=["unit", "kind", "measure", "index", "suppressed"])
    labels = {"D01": NAMES[0], "D02": NAMES[1]}
    figs = charts.heatmap_pages(scores, names, labels, source=SOURCE, meta=PRIMARY,
                                unit_level="commune")
    assert len(figs) == 4
    shown = sum((yticks(f) for f in figs), [])          # one row per commune
    assert shown == list(names.values())                # the given (code) order
    # values 40 .. 96.5 (D02: +3, up to 99.5): one scale 40-100 on every figure
    assert {f.axes[0].collections[0].get_clim() for f in figs} == {(40.0, 100.0)}
    assert figs[3].get_suptitle() == "Chỉ số hài lòng theo lĩnh vực và đơn vị cấp xã (4/4)"


# ------------------------------------------------------- phone variant, text alternative


def _drawn_sizes(fig: Figure) -> list[tuple[str, float]]:
    """(text, size in points) of every visible text drawn in ``fig`` (after a draw, so
    tick labels are the ones shown)."""
    from matplotlib.text import Text

    fig.canvas.draw()  # Agg: lays the figure out and makes its tick labels
    return [(t.get_text(), t.get_fontsize()) for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip()
            and t.get_window_extent().overlaps(fig.bbox)]


@pytest.mark.parametrize("kind", CHARTS)
def test_every_chart_has_a_phone_variant_with_text_of_10_px_at_390_px(report_charts, kind):
    """At 390 CSS px the chart is shown 350 px wide: the narrow variant, 3,5 inches (252
    pt) wide, is magnified by 350/252, so 8 pt of text is 11,1 px (10 px at 360 px);
    nothing is cut short with "…"."""
    wide = report_charts["vi"][kind]
    small = wide.hailong_narrow()
    assert small.get_figwidth() == pytest.approx(charts.NARROW_WIDTH) == 3.5
    assert not hasattr(small, "hailong_narrow")          # drawn once, not again and again
    sizes = _drawn_sizes(small)
    assert sizes
    smallest = min(size for _, size in sizes)
    assert smallest >= charts.NARROW_MIN_FONT == 8.0, [x for x in sizes if x[1] < 8]
    assert smallest * 320 / 252 >= 10    # shown 320 px wide on a 360 px phone
    assert not any("…" in text for text, _ in sizes)
    assert not any("…" in text for text, _ in _drawn_sizes(wide))
    # the same figures: the phone's title is the desktop's, wrapped
    assert " ".join(small.get_suptitle().split()) == wide.get_suptitle()
    assert charts.description(small) == charts.description(wide)


@pytest.mark.parametrize("kind", CHARTS)
def test_every_chart_states_its_figures_in_its_text_alternative(report_charts, kind):
    fig = report_charts["vi"][kind]
    alt = charts.description(fig)
    assert alt.startswith(fig.get_suptitle() + ": ")
    assert re.search(r"\d", alt[len(fig.get_suptitle()):]), alt
    assert "nan" not in alt.lower().split()


def test_the_ranking_alternative_names_every_unit_with_its_printed_index(report_charts):
    """Worked out from the results on their own: each district's index as the table
    prints it (one decimal), highest first, the withheld ones named at the end."""
    from hailong.numbers.pipeline import load_results
    from hailong.present import fmt

    res = load_results(2022)
    rows = res.scores[(res.scores["measure"] == "INDEX") & (res.scores["unit"] != "city")]
    names = fmt.unit_names(res, "district", "vi")
    shown = rows[~rows["suppressed"].astype(bool)].sort_values("index", ascending=False,
                                                                 kind="stable")
    alt = charts.description(report_charts["vi"]["ranking"])
    parts = alt.split(": ", 1)[1].rstrip(".").split("; ")
    expected = [f"{names[str(u)]} {fmt.number(v, 1)}" for u, v in zip(shown["unit"],
                                                                       shown["index"])]
    assert parts[1:1 + len(expected)] == expected
    hidden = [names[str(u)] for u in rows.loc[rows["suppressed"].astype(bool), "unit"]]
    if hidden:
        assert parts[-1] == "không công bố: " + ", ".join(hidden)


def test_a_long_question_label_is_wrapped_whole_never_cut():
    long = ("Cấp ủy, chính quyền địa phương quan tâm lãnh đạo, chỉ đạo phát triển kinh tế "
            "tập thể, HTX và thường xuyên đối thoại với HTX trên địa bàn")
    measures = ITEM_MEASURES.assign(vi=ITEM_MEASURES["vi"].where(
        ITEM_MEASURES["measure"] != "D01_1", long))
    for fig in (charts.item_distribution(ITEM_SHARES, measures, SCALE, source=SOURCE),
                charts.item_distribution(ITEM_SHARES, measures, SCALE,
                                         source=SOURCE).hailong_narrow()):
        words = " ".join(t for t, _ in _drawn_sizes(fig))
        assert " ".join(("1.1. " + long).split()) in " ".join(words.split())
        assert "…" not in words


@pytest.mark.parametrize("kind", ["items", "map", "heatmap", "profile"])
def test_the_one_pass_svg_is_what_savefig_writes(report_charts, kind):
    """:func:`charts.figure_svg` draws once where savefig draws twice: same bytes (two
    fresh drawings of one chart: a figure laid out once is laid out a hair differently
    the next time)."""
    import io

    import matplotlib as mpl

    remake = report_charts["vi"][kind].hailong_narrow
    pairs = [(remake(), remake())]
    if kind == "profile":
        pairs.append(tuple(charts.district_comparison(SCORES, DISTRICTS, source=SOURCE)
                           for _ in range(2)))
    for one, other in pairs:
        buffer = io.StringIO()
        with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "hailong"}):
            one.savefig(buffer, format="svg", metadata={"Date": None})
        expected = buffer.getvalue().replace(charts.base._SVG_FONT, charts.base._SVG_FONTS)
        assert charts.figure_svg(other) == expected
