"""End to end on the bundled sample: the real report notebooks, built as staff build them.

One build of three reports (a large district, the island district with one respondent,
the city) is shared by the tests of this module: every kernel start costs ~1.5 s.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import papermill as pm
import pytest

from hailong.numbers.pipeline import load_results
from hailong.present import fmt, narrative
from hailong.run.build import build

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
    # none of its own figures: no key figures, areas, questions or comparison
    for heading in ("Các số liệu chính", "Chỉ số theo lĩnh vực", "Câu trả lời theo từng câu"):
        assert heading not in text


def test_withheld_report_shows_participation_the_city_and_what_it_needs(built, results):
    page = (built.out_dir / "318.html").read_text(encoding="utf-8")
    text = " ".join(_text(built.out_dir / "318.html").split())
    # participation: 1 of 2 listed cooperatives answered, with the coverage chart
    assert "1 trên 2 HTX trong danh sách của huyện Bạch Long Vĩ đã trả lời khảo sát (50,0%)" \
        in text
    assert 'alt="Tỷ lệ HTX tham gia khảo sát' in page
    # the city's figures as context: its (weighted) index as the city report prints it
    city = narrative.unit_figures(results, "city")
    assert (f"số liệu của toàn thành phố: chỉ số hài lòng chung "
            f"{fmt.number(city.index, 1, 'vi')} điểm") in text
    assert "Số liệu toàn thành phố" in text and "Lãnh đạo, chỉ đạo" in text  # its areas
    # what it takes: at least min_n = 5 answers, 5 - 1 = 4 more than this round
    assert "có ít nhất 5 HTX trả lời: huyện Bạch Long Vĩ cần thêm 4 HTX trả lời" in text


def test_reports_carry_the_official_heading_and_the_draft_mark(built):
    for name in ("311.html", "318.html", "city.html"):
        page = (built.out_dir / name).read_text(encoding="utf-8")
        head = page[page.index('<header class="title-block">'):page.index("</header>")]
        for part in ("LIÊN MINH HTX VIỆT NAM", "LIÊN MINH HTX THÀNH PHỐ HẢI PHÒNG",
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Hải Phòng, ngày 15 tháng 6 năm 2023", '<p class="draft-mark">DỰ THẢO</p>'):
            assert part in head, (name, part)
        # the number: configured for the city (data/hailong.yaml), blank for the others
        assert ("Số: 15/BC-LMHTX" in head) == (name == "city.html")
        # the heading is shown once: not again in the body
        assert page.count("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") == 1
        # recipients and signer close the body, before the appendix
        main = page[page.index('<main class="report">'):]
        assert main.index("Nơi nhận:") < main.index("CHỦ TỊCH") < main.index(
            'class="section appendix"')
        # the generator's name and version: in the appendix, not in the footer
        assert "Báo cáo được tạo bằng" not in page
        appendix = main[main.index('class="section appendix"'):]
        assert "hailong 0.1.0" in appendix and "hailong 0.1.0" not in main[
            :main.index('class="section appendix"')]


def test_conclusions_are_the_last_section_and_missing_ones_are_listed(built):
    assert built.no_conclusions == ["318"]
    for name, first_words in (("311.html", "Các hợp tác xã huyện Thuỷ Nguyên"),
                              ("city.html", "Khảo sát năm 2022 cho thấy")):
        page = (built.out_dir / name).read_text(encoding="utf-8")
        sections = re.findall(r'<section class="([^"]*)" id="([^"]+)">', page)
        assert sections[-1] == ("section appendix", "phu-luc-phuong-phap")
        assert sections[-2] == ("section", "ket-luan-va-kien-nghi")
        last = page[page.index('id="ket-luan-va-kien-nghi"'):page.index('id="phu-luc-')]
        assert "<h2>Kết luận và kiến nghị</h2>" in last and first_words in last
    assert "Kết luận và kiến nghị" not in _text(built.out_dir / "318.html")


def test_body_before_the_appendix_is_plain(built):
    for name in ("311.html", "318.html", "city.html"):
        page = (built.out_dir / name).read_text(encoding="utf-8")
        body = _text_of(page[:page.index('class="section appendix"')])
        for word in ("Wilson", "Kish", "Cronbach", "Feldt", "SHA-256", "√", "x̄", ".csv",
                     "phiên bản v1", "khoảng tin cậy"):
            assert word not in body, (name, word)
        # one decimal in every range and figure of the body ("+0,01 – +7,41" no more)
        assert not re.findall(r"\d,\d\d(?!\d)", body), name
        assert "khoảng sai số" in body.lower() or name == "318.html"


def _text_of(page: str) -> str:
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


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
    # every sentence, table and heading the report shows is in English
    import nbformat

    nb = nbformat.read(str(out), as_version=4)
    shown_text = [o.get("data", {}).get(mime, "") for c in nb.cells for o in c.get("outputs", [])
                  for mime in ("text/markdown", "text/html")]
    visible = html.unescape(re.sub(r"<[^>]+>", " ", " ".join(shown_text)))
    assert "Key findings" in visible and "Change since earlier rounds" in visible
    assert not VI_LETTERS.search(visible), VI_LETTERS.findall(visible)[:5]


# ------------------------------------------------ parameters as papermill shows them

PARAMETERS = {"district.ipynb": ["round_year", "unit", "lang", "config_path"],
              "citywide.ipynb": ["round_year", "lang", "config_path"],
              "progress.ipynb": ["as_of", "round_year", "lang", "config_path"]}


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_every_notebook_parameter_has_its_meaning(name):
    from hailong.run.plan import declared_parameters

    params = pm.inspect_notebook(str(NOTEBOOKS / name))
    assert list(params) == PARAMETERS[name]
    for p in params.values():
        # the help is the comment at the end of the parameter's line; an "=" in it would
        # make papermill (and hailong build's parameter check) skip the line
        assert len(p["help"]) > 20 and "=" not in p["help"], p
    assert declared_parameters(NOTEBOOKS / name) == set(PARAMETERS[name])


def test_papermill_help_notebook_prints_each_parameter_with_its_meaning():
    papermill = Path(sys.executable).parent / "papermill"
    shown = subprocess.run([str(papermill), "--help-notebook",
                            str(NOTEBOOKS / "district.ipynb")], capture_output=True,
                           text=True, check=True).stdout
    for line in ("round_year: int (default 2022)", 'unit: str (default "311")',
                 "GSO code of the unit", "language of the report: vi (Vietnamese) or en",
                 "project configuration file"):
        assert line in shown, line


# ------------------------------------------------------------- rounds, map, language

VI_LETTERS = re.compile("[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]",
                        re.IGNORECASE)


def test_reports_of_2022_compare_with_2021_and_the_citywide_one_has_a_map(built, results):
    district = _text(built.out_dir / "311.html")
    assert "So sánh với các năm trước" in district and "so với năm 2021" in district
    assert "Những điểm chính" in district
    city = _text(built.out_dir / "city.html")
    assert "So sánh với các năm trước" in city and "Bản đồ chỉ số hài lòng" in city
    # a chart's alternative text: its title, then ": " and the figures it shows
    alts = [html.unescape(a).split(": ")[0] for a in re.findall(
        r'alt="([^"]*)"', (built.out_dir / "city.html").read_text(encoding="utf-8"))]
    assert "Chỉ số hài lòng chung theo quận, huyện – bản đồ" in alts
    assert "Chỉ số hài lòng chung qua các năm – Huyện Thuỷ Nguyên" in [
        html.unescape(a).split(": ")[0] for a in re.findall(
            r'alt="([^"]*)"', (built.out_dir / "311.html").read_text(encoding="utf-8"))]
    # the island district's figures are withheld: no comparison either
    assert "So sánh với các năm trước" not in _text(built.out_dir / "318.html")


def test_a_round_without_an_earlier_round_has_no_trend_section(tmp_path):
    summary = build(round_year=2021, units=["311"], out=tmp_path, progress=False, pdf=False)
    assert not summary.failures
    text = _text(tmp_path / "2021" / "311.html")
    assert "Thuỷ Nguyên" in text and "Những điểm chính" in text
    assert "So sánh với các năm trước" not in text and "so với năm 20" not in text


def test_english_citywide_report_has_no_vietnamese_fixed_phrase(tmp_path):
    summary = build(round_year=2022, units=["city"], out=tmp_path, lang="en", progress=False,
                    pdf=False)
    assert not summary.failures
    page = tmp_path / "2022" / "city.en.html"
    text = _text(page)
    for heading in ("Key findings", "Change since earlier rounds",
                    "Map of the satisfaction index", "Answers to each question"):
        assert heading in text
    # the respondents' own words are quoted as written (in Vietnamese, marked as such)
    assert "Quoted as written, in Vietnamese" in text
    words = re.sub(r"“[^”]*”", " ", text)
    leftover = [line.strip() for line in words.splitlines() if VI_LETTERS.search(line)]
    assert leftover == []
    alts = re.findall(r'alt="([^"]*)"', page.read_text(encoding="utf-8"))
    assert alts and not [a for a in alts if VI_LETTERS.search(html.unescape(a))]
