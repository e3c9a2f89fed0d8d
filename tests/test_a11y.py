"""Accessibility without a browser: colours told apart, text on colour readable, tables and
headings as assistive technology needs them, the pages' security policy.

Colour vision is simulated with the matrices of Machado, Oliveira & Fernandes (2009,
severity 1: protanopia, deuteranopia, tritanopia) applied to linear RGB; colours are
compared in CIELAB (ΔE*ab, D65) and by the WCAG contrast ratio, all written out here
rather than taken from the library.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from hailong.present import charts
from hailong.publish import export

MACHADO = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}
VISION = [None, *MACHADO]


def _rgb(colour) -> np.ndarray:
    if isinstance(colour, str):
        h = {"white": "ffffff", "black": "000000"}.get(colour, colour.lstrip("#"))
        return np.array([int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)])
    return np.array(colour[:3], dtype=float)


def _linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _ratio(a, b) -> float:
    la, lb = (float(_linear(_rgb(x)) @ [0.2126, 0.7152, 0.0722]) for x in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _lab(colour, vision: str | None) -> np.ndarray:
    lin = _linear(_rgb(colour))
    if vision is not None:
        lin = np.clip(np.array(MACHADO[vision]) @ lin, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ lin / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _delta(a, b, vision: str | None) -> float:
    return float(np.linalg.norm(_lab(a, vision) - _lab(b, vision)))


def test_the_simulation_is_the_published_one():
    # white stays white and every matrix keeps greys grey (rows sum to 1)
    for m in MACHADO.values():
        assert np.allclose(np.array(m).sum(axis=1), 1, atol=1e-3)
    # pure red and green, far apart for most readers, nearly meet under deuteranopia
    assert _delta("#ff0000", "#00ff00", None) > 150
    assert _delta("#ff0000", "#00ff00", "deuteranopia") < 0.5 * _delta("#ff0000", "#00ff00",
                                                                      None)
    # the pair: old "Bình thường" grey and "Hài lòng" blue, 1,26:1
    assert _ratio("#cccccc", "#87beda") == pytest.approx(1.26, abs=0.01)


SCALE = charts.diverging_colours(5)     # "Rất không hài lòng" … "Rất hài lòng"
TIERS = charts.TIER_COLOURS[:4]         # Tốt, Khá, Trung bình, Yếu (the map's classes too)


@pytest.mark.parametrize("vision", VISION)
@pytest.mark.parametrize("name, colours", [("scale", SCALE), ("tiers", TIERS)])
def test_neighbouring_categories_are_told_apart_under_colour_vision_deficiency(
        name, colours, vision):
    """ΔE*ab ≥ 20 between neighbours (about four times a just-noticeable step), whatever
    the reader's colour vision."""
    gaps = [_delta(a, b, vision) for a, b in zip(colours, colours[1:])]
    assert min(gaps) >= 20, (name, vision, [round(g, 1) for g in gaps])


@pytest.mark.parametrize("name, colours, least", [("scale", SCALE, 1.8), ("tiers", TIERS, 1.6)])
def test_neighbouring_categories_differ_in_lightness_too(name, colours, least):
    """Not by hue alone: "Bình thường" vs "Hài lòng" was 1,26:1, "Khá" vs "Trung bình" 1,78:1
    (now 1,9:1 and more, 2,1:1)."""
    ratios = [_ratio(a, b) for a, b in zip(colours, colours[1:])]
    assert min(ratios) >= least, [round(r, 2) for r in ratios]


def test_the_middle_answer_is_the_neutral_grey_between_red_and_blue():
    assert SCALE[2] == charts.NEUTRAL_COLOUR
    low, high = _rgb(SCALE[0]), _rgb(SCALE[-1])
    assert low[0] > low[2] and high[2] > high[0]


@pytest.mark.parametrize("colour", [*SCALE, *TIERS, "#1f80b8", "#40b5c4", "#777777"])
def test_text_on_any_bar_colour_has_a_contrast_of_4_5_or_more(colour):
    """The figures written on bars (white on #1f80b8 was 4,34:1)."""
    assert _ratio(charts.text_colour(colour), colour) >= 4.5
    assert charts.contrast(charts.text_colour(colour), colour) == pytest.approx(
        _ratio(charts.text_colour(colour), colour), rel=1e-6)


# ------------------------------------------------------------------ page structure

PAGE = """<!DOCTYPE html><html lang="vi"><head><title>T</title></head><body>
<header class="title-block"><h1>Báo cáo</h1><p class="subtitle"></p></header>
<main>
<h1>Báo cáo</h1>
<h3>Những điểm chính</h3><p>Chỉ số 71,2.</p>
<h2>Các quận, huyện</h2>
<table><thead><tr><th>Đơn vị</th><th>Số HTX trả lời</th><th>Chỉ số (0–100)</th>
<th>Xếp loại</th></tr></thead>
<tbody><tr><td>Huyện Thuỷ Nguyên</td><td class="num">73</td><td class="num">76,2</td>
<td>Khá</td></tr></tbody></table>
<table><thead><tr><th>Chỉ tiêu</th><th>Giá trị</th></tr></thead>
<tbody><tr><td>Chỉ số</td><td class="num">71,2</td></tr></tbody></table>
<h2>Phương pháp</h2><h4>Chi tiết</h4><p>…</p>
</main></body></html>"""


@pytest.fixture(scope="module")
def polished():
    from bs4 import BeautifulSoup

    return BeautifulSoup(export.polish(PAGE, "vi"), "html.parser")


def test_headings_never_skip_a_level(polished):
    levels = [int(h.name[1]) for h in polished.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
    # title h1, the findings (h3 -> h2), sections, "Chi tiết" (h4 -> h3)
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    assert polished.find(string="Những điểm chính").parent.name == "h2"
    assert polished.find(string="Chi tiết").parent.name == "h3"


def test_tables_get_captions_scopes_and_labels_for_cards(polished):
    wide, small = polished.find_all("table")
    # a caption: the heading the table stands under, numbered when a second one follows
    assert wide.caption.get_text() == "Các quận, huyện"
    assert small.caption.get_text() == "Các quận, huyện (2)"
    assert "sr-only" in wide.caption["class"]
    assert [th["scope"] for th in wide.thead.find_all("th")] == ["col"] * 4
    # the row's name is its header cell; the figures carry their column's name
    row = wide.tbody.tr
    assert row.find("th", scope="row").get_text() == "Huyện Thuỷ Nguyên"
    cells = row.find_all("td")
    assert [c["data-label"] for c in cells] == ["Số HTX trả lời", "Chỉ số (0–100)", "Xếp loại"]
    # the key columns come first on a phone; only a table of 3+ columns becomes cards
    assert ["key" in (c.get("class") or []) for c in cells] == [False, True, True]
    assert "reflow" in wide["class"] and "reflow" not in (small.get("class") or [])
    # the cells' text is unchanged (the back test reads it)
    assert [c.get_text() for c in row.find_all(["th", "td"])] == [
        "Huyện Thuỷ Nguyên", "73", "76,2", "Khá"]


def test_the_policy_allows_no_script_and_no_request():
    rules = dict(r.strip().split(" ", 1) for r in export.CSP.split(";"))
    assert rules["default-src"] == "'none'"
    assert "script-src" not in rules and "connect-src" not in rules
    assert rules["img-src"] == "data:" and rules["font-src"] == "data:"
    assert rules["style-src"] == "'unsafe-inline'"
    assert rules["base-uri"] == "'none'" and rules["form-action"] == "'none'"


def test_the_index_page_carries_the_policy_and_a_table_for_phones(tmp_path):
    from bs4 import BeautifulSoup

    entries = [export.IndexEntry("city", "Thành phố Hải Phòng", "city.html",
                                 dt.datetime(2023, 5, 16, 14, 5), "city.pdf", 70.9),
               export.IndexEntry("311", "Huyện Thuỷ Nguyên", "311.html", None, None, 76.2)]
    page = export.write_index(tmp_path, entries, "Năm 2022", "Liên minh HTX", "vi",
                              built_at=dt.datetime(2023, 5, 17, 8, 0))
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    meta = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert meta["content"] == export.CSP
    table = soup.find("table")
    assert "reflow" in table["class"] and table.caption.get_text()
    assert all(th.get("scope") for th in table.find_all("th"))
    names = [th.get_text() for th in table.tbody.find_all("th", scope="row")]
    assert names == ["Thành phố Hải Phòng", "Huyện Thuỷ Nguyên"]
    headline = table.tbody.find("td", class_="key")
    assert headline.get_text() == "70,9" and headline["data-label"].startswith("Chỉ số")


def test_the_heatmaps_figures_contrast_with_their_cells():
    import pandas as pd

    units = {"303": "Hồng Bàng", "311": "Thuỷ Nguyên", "318": "Bạch Long Vĩ"}
    scores = pd.DataFrame([{"unit": u, "measure": m, "index": v, "suppressed": False}
                           for (u, m), v in zip([(u, m) for u in units for m in ("D01", "D02")],
                                                [40, 55, 62, 70, 81, 90])])
    fig = charts.heatmap(scores, units, {"D01": "Lãnh đạo", "D02": "Thủ tục"}, source="Nguồn")
    ax = fig.axes[0]
    mesh = ax.collections[0]
    cells = {(int(t.get_position()[1]), int(t.get_position()[0])): t for t in ax.texts}
    values = mesh.get_array().reshape(2, 3)
    assert len(cells) == 6
    for (r, c), text in cells.items():
        background = mesh.cmap(mesh.norm(values[r, c]))
        assert _ratio(_rgb_of(text.get_color()), background) >= 4.5


def _rgb_of(colour) -> tuple:
    import matplotlib.colors as mc

    return mc.to_rgb(colour)
