"""Report charts: titles, labels, what is drawn — and that a withheld value is not a 0 bar."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from hailong import charts

SOURCE = "Nguồn: Khảo sát mức độ hài lòng của HTX năm 2022, Liên minh HTX TP Hải Phòng"
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
    fig = charts.heatmap(scores, DISTRICTS, labels, source=SOURCE, min_n=5)
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


def test_show_displays_a_png_with_the_title_as_alt_text(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    fig = charts.district_comparison(SCORES, DISTRICTS, source=SOURCE)
    charts.show(fig)
    (image,) = shown
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.metadata["alt"] == "Chỉ số hài lòng chung theo quận, huyện"
