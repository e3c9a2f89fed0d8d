"""End to end on the bundled sample: the real report notebooks, built as staff build them.

One build of three reports (a large district, the island district with one respondent,
the city) is shared by the tests of this module: every kernel start costs ~1.5 s.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import papermill as pm
import pytest

from hailong import fmt
from hailong.build import build
from hailong.pipeline import load_results

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks" / "reports"


@pytest.fixture(scope="module")
def results():
    return load_results(2022)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("output")
    summary = build(round_year=2022, units=["311", "318", "city"], out=out, progress=False)
    return summary


def _text(path: Path) -> str:
    """The page's visible text, tags stripped, entities decoded."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _index_of(results, unit: str) -> float:
    s = results.scores
    return s[(s["unit"] == unit) & (s["measure"] == "INDEX")]["index"].iloc[0]


def test_build_writes_each_report_the_index_and_the_executed_notebooks(built):
    out = built.out_dir
    assert sorted(p.name for p in out.glob("*.html")) == ["311.html", "318.html", "city.html",
                                                          "index.html"]
    assert sorted(p.name for p in (out / "notebooks").glob("*.ipynb")) == [
        "311.ipynb", "318.ipynb", "city.ipynb"]
    assert not built.failures


def test_district_report_names_the_district_and_prints_the_library_index(built, results):
    text = _text(built.out_dir / "311.html")
    assert "Thuỷ Nguyên" in text
    printed = fmt.number(_index_of(results, "311"), 1, "vi")  # e.g. "76,1"
    assert "," in printed and printed in text
    city_printed = fmt.number(_index_of(results, "city"), 1, "vi")
    assert city_printed in text  # the district beside the city


def test_reports_hide_code_and_load_nothing_from_the_network(built):
    for name in ("311.html", "318.html", "city.html", "index.html"):
        page = (built.out_dir / name).read_text(encoding="utf-8")
        assert "<script src" not in page.lower()
        assert not re.search(r"""<link[^>]+href=["']https?:""", page)
        assert "load_results(" not in page and "import " not in page
        assert "In&nbsp;[" not in page and "In [" not in page
        assert 'lang="vi"' in page


def test_island_district_with_one_respondent_says_so_and_shows_no_figures(built, results):
    text = _text(built.out_dir / "318.html")
    assert "Bạch Long Vĩ" in text
    cov = results.coverage.set_index("unit").loc["318"]
    assert (cov["answered"], cov["roster_n"]) == (1, 2)
    assert "Chỉ 1 trong 2 HTX" in text
    # no index is printed for it: the only numbers with a decimal comma are in the method text
    assert not (built.out_dir / "318.html").read_text(encoding="utf-8").count("<img") > 0


def test_citywide_report_lists_every_district(built):
    text = _text(built.out_dir / "city.html")
    for name in ("Hồng Bàng", "Thuỷ Nguyên", "Tiên Lãng", "Bạch Long Vĩ"):
        assert name in text


def test_index_links_every_built_report(built):
    page = (built.out_dir / "index.html").read_text(encoding="utf-8")
    for name in ("311.html", "318.html", "city.html"):
        assert f'href="{name}"' in page
    assert "internal/" not in page


def test_district_notebook_runs_in_english(tmp_path):
    out = tmp_path / "311.en.ipynb"
    pm.execute_notebook(str(NOTEBOOKS / "district.ipynb"), str(out),
                        parameters={"round_year": 2022, "unit": "311", "lang": "en"},
                        kernel_name="python3", progress_bar=False, cwd=str(NOTEBOOKS))
    shown = out.read_text(encoding="utf-8")
    assert "Thuy Nguyen" in shown and "Satisfaction index" in shown
