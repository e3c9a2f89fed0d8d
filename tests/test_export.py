"""HTML export of executed notebooks and the index page (no kernel is started here)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from hailong.core.errors import ParameterError
from hailong.publish.export import IndexEntry, ReportInfo, export_html, page_css, write_index

# A 1x1 PNG.
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
       "awAAAABJRU5ErkJggg==")
CODE = "secret_helper_call(unit)"


def executed_notebook(path):
    """An executed notebook with every kind of output a report may contain."""
    nb = new_notebook(cells=[
        new_markdown_cell("# Huyện Thuỷ Nguyên\n\nĐoạn văn của báo cáo."),
        new_code_cell(CODE, execution_count=1, outputs=[
            new_output("stream", name="stderr", text="FutureWarning: do not show me"),
            new_output("display_data", data={"text/markdown": "Chỉ số **78,5** điểm",
                                             "text/plain": "<Markdown>"}),
        ]),
        new_code_cell("plot_chart()", execution_count=2, outputs=[
            new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
            new_output("display_data", data={"application/javascript": "alert('x')",
                                             "text/plain": "<JS>"}),
        ]),
        new_code_cell("total = 1 + 1", execution_count=3, outputs=[]),
        new_code_cell("total", execution_count=4, outputs=[
            new_output("execute_result", data={"text/plain": "2"}, execution_count=4),
        ]),
        new_code_cell("import warnings", execution_count=5, outputs=[
            new_output("stream", name="stderr", text="only a warning here"),
        ]),
    ])
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    d = tmp_path_factory.mktemp("export")
    html = export_html(executed_notebook(d / "311.ipynb"), d / "311.html",
                       title="Báo cáo <Thuỷ Nguyên> – Năm 2022")
    return html.read_text(encoding="utf-8")


def test_page_is_a_complete_vietnamese_html5_document(page):
    assert page.lstrip().startswith("<!DOCTYPE html>")
    assert '<html lang="vi">' in page
    assert re.search(r'<meta charset="utf-8"\s*/?>', page, re.I)
    # the title is escaped, not injected as markup
    assert "<title>Báo cáo &lt;Thuỷ Nguyên&gt; – Năm 2022</title>" in page
    assert page.rstrip().endswith("</html>")


def test_page_loads_nothing_from_outside(page):
    assert "<script" not in page  # no require.js, MathJax, jQuery, nor JS outputs
    assert "<link" not in page    # no CDN stylesheet or font
    assert "http://" not in page and "https://" not in page


def test_page_shows_outputs_but_no_code_prompts_or_warnings(page):
    assert "Chỉ số <strong>78,5</strong> điểm" in page       # Markdown output, rendered
    assert "Đoạn văn của báo cáo." in page                    # Markdown cell
    assert "<pre>2</pre>" in page                             # an execute_result
    for hidden in (CODE, "plot_chart()", "total = 1 + 1", "import warnings"):
        assert hidden not in page
    assert "In&nbsp;[" not in page and "In [" not in page and "Out[" not in page
    assert "FutureWarning" not in page and "only a warning here" not in page


def test_images_stay_inline_with_vietnamese_alt_text(page):
    assert f'src="data:image/png;base64,{PNG}"' in page
    assert 'alt="Biểu đồ"' in page


def test_text_is_nfc(page):
    assert unicodedata.normalize("NFC", page) == page
    assert "Thuỷ Nguyên" in page


def test_stylesheet_is_inline_with_fonts_width_and_a4_print(page):
    style = page[page.index("<style>"):page.index("</style>")]
    assert '"Noto Sans"' in style and '"DejaVu Sans"' in style
    assert "max-width: 900px" in style
    assert "img, svg { max-width: 100%" in style
    assert "@page { size: A4" in style and "@media print" in style


def test_english_page_and_unknown_language(tmp_path):
    nb = executed_notebook(tmp_path / "a.ipynb")
    html = export_html(nb, tmp_path / "a.html", "Report", lang="en").read_text("utf-8")
    assert '<html lang="en">' in html and 'alt="Chart"' in html
    with pytest.raises(ParameterError):
        export_html(nb, tmp_path / "b.html", "Report", lang="fr")
    assert not (tmp_path / "b.html").exists()


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_index_lists_city_first_then_units_in_code_order(tmp_path):
    entries = [IndexEntry("318", "Huyện Bạch Long Vĩ", "318.html"),
               IndexEntry("303", "Quận Hồng Bàng", "303.html"),
               IndexEntry("city", "Thành phố Hải Phòng", "city.html"),
               IndexEntry("311", "Huyện Thuỷ Nguyên", "311.html")]
    path = write_index(tmp_path, entries, "Năm 2022", "Liên minh HTX thành phố Hải Phòng",
                       data_date=dt.date(2023, 5, 16),
                       built_at=dt.datetime(2023, 5, 19, 8, 30))
    assert path == tmp_path / "index.html"
    html = path.read_text(encoding="utf-8")
    assert _links(html) == ["city.html", "303.html", "311.html", "318.html"]
    assert ">Huyện Thuỷ Nguyên</a>" in html
    assert "<title>Báo cáo chỉ số hài lòng của HTX – Năm 2022</title>" in html
    assert '<html lang="vi">' in html and "Liên minh HTX thành phố Hải Phòng" in html
    assert "Số liệu đến ngày: 16/05/2023" in html
    assert "19/05/2023 08:30" in html
    assert "<script" not in html and "<link" not in html


def test_index_never_links_internal_outputs(tmp_path):
    entries = [IndexEntry("303", "Quận Hồng Bàng", "303.html"),
               IndexEntry("304", "Danh bạ HTX", "internal/304-contacts.html"),
               IndexEntry("305", "Lên trên", "../secret.html")]
    html = write_index(tmp_path, entries, "Năm 2022", "").read_text(encoding="utf-8")
    assert _links(html) == ["303.html"]
    assert "internal" not in html and "Danh bạ HTX" not in html


def test_index_escapes_names_and_speaks_english(tmp_path):
    entries = [IndexEntry("303", "A <b>bold</b> name", "303.html")]
    html = write_index(tmp_path, entries, "2022", "Hai Phong City Cooperative Alliance",
                       lang="en", built_at=dt.datetime(2023, 5, 16, 14, 5),
                       filename="index.en.html").read_text(encoding="utf-8")
    assert "A &lt;b&gt;bold&lt;/b&gt; name" in html
    assert '<html lang="en">' in html
    assert "<title>Cooperative satisfaction index reports – 2022</title>" in html
    assert "16 May 2023 14:05" in html


# --------------------------------------------------------------- a page that reads like a report

TITLE = "Báo cáo chỉ số hài lòng của HTX – Huyện Thuỷ Nguyên – Năm 2022"
ORG = "Liên minh Hợp tác xã thành phố Hải Phòng"
KEY_TABLE = ('<table><thead><tr><th>Chỉ tiêu</th><th>Huyện Thuỷ Nguyên</th></tr></thead>'
             '<tbody><tr><td>Chỉ số hài lòng chung (0–100)</td><td class="num">76,2</td>'
             '</tr></tbody></table>')


def _md(text):
    return new_output("display_data", data={"text/markdown": text, "text/plain": "<Markdown>"})


def report_notebook(path, sections=("Chỉ số theo lĩnh vực", "Phân bố câu trả lời")):
    """Outputs shaped like the report notebooks': title + italic subtitle, lead, key
    figures (heading + HTML table), some sections with a chart, the method."""
    cells = [
        new_code_cell("title()", execution_count=1, outputs=[
            _md(f"# {TITLE}\n\n*Khảo sát mức độ hài lòng của hợp tác xã · {ORG}*"),
            _md("Năm 2022, 73 trên 79 HTX đã tham gia khảo sát.")]),
        new_code_cell("key()", execution_count=2, outputs=[
            _md("## Các số liệu chính"),
            new_output("display_data", data={"text/html": KEY_TABLE, "text/plain": "<HTML>"})]),
    ]
    for k, name in enumerate(sections, start=3):
        cells.append(new_code_cell("section()", execution_count=k, outputs=[
            _md(f"## {name}"),
            new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"},
                       metadata={"image/png": {"alt": f"Biểu đồ {name}"}})]))
    cells.append(new_code_cell("method()", execution_count=9, outputs=[
        _md("## Phụ lục: Phương pháp"), _md("- **Thang đo.** 1–5.")]))
    nbformat.write(new_notebook(cells=cells), str(path))
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    d = tmp_path_factory.mktemp("report")
    info = ReportInfo(organisation=ORG, unit="Huyện Thuỷ Nguyên", period="Năm 2022",
                      data_date=dt.date(2023, 5, 16))
    html = export_html(report_notebook(d / "311.ipynb"), d / "311.html", TITLE, info=info)
    return html.read_text(encoding="utf-8")


def _between(page: str, start: str, end: str) -> str:
    i = page.index(start)
    return page[i:page.index(end, i)]


def test_title_block_names_organisation_title_unit_round_and_data_date(report):
    block = _between(report, '<header class="title-block">', "</header>")
    assert f'<p class="org">{ORG}</p>' in block
    assert f"<h1>{TITLE}</h1>" in block
    assert "<dt>Đơn vị</dt><dd>Huyện Thuỷ Nguyên</dd>" in block
    assert "<dt>Kỳ khảo sát</dt><dd>Năm 2022</dd>" in block
    assert "<dt>Số liệu đến ngày</dt><dd>16/05/2023</dd>" in block
    # the notebook's italic line is the subtitle, without the organisation said above it
    assert '<p class="subtitle">Khảo sát mức độ hài lòng của hợp tác xã</p>' in block


def test_the_page_has_one_title_and_no_notebook_chrome(report):
    assert report.count("<h1") == 1                   # the notebook's "# title" gave way
    assert "¶" not in report and "anchor-link" not in report
    for chrome in ('class="cell', "output_wrapper", "output_area", "prompt", "jp-"):
        assert chrome not in report


def test_sections_key_figures_box_and_method_appendix(report):
    main = _between(report, '<main class="report">', "</main>")
    assert main.index('<div class="lead">') < main.index("73 trên 79 HTX")
    assert re.search(r'<section class="section key-figures" id="cac-so-lieu-chinh">'
                     r"<h2>Các số liệu chính</h2>", main)
    assert ('<section class="section" id="chi-so-theo-linh-vuc">'
            "<h2>Chỉ số theo lĩnh vực</h2>") in main
    assert '<section class="section appendix" id="phu-luc-phuong-phap">' in main
    # the key figures table is inside its box, in a scrollable wrapper
    box = _between(main, "key-figures", "</section>")
    assert '<div class="table-wrap"><table>' in box and "76,2" in box
    # every chart is a figure with its alternative text
    figures = re.findall(r'<figure class="chart">(<img [^>]+>)</figure>', main)
    assert len(figures) == 2
    assert all(f'src="data:image/png;base64,{PNG}"' in img for img in figures)
    assert 'alt="Biểu đồ Phân bố câu trả lời"' in figures[1]


def test_table_of_contents_lists_the_sections_after_the_key_figures(report):
    main = _between(report, '<main class="report">', "</main>")
    toc = _between(main, '<nav class="toc"', "</nav>")
    assert "<h2>Mục lục</h2>" in toc
    entries = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', toc)
    assert entries == [("chi-so-theo-linh-vuc", "Chỉ số theo lĩnh vực"),
                       ("phan-bo-cau-tra-loi", "Phân bố câu trả lời"),
                       ("phu-luc-phuong-phap", "Phụ lục: Phương pháp")]
    for anchor, _ in entries:  # each link has its target
        assert f'id="{anchor}"' in main
    assert main.index("</section>") < main.index('<nav class="toc"')  # after the box
    assert main.index('<nav class="toc"') < main.index('id="chi-so-theo-linh-vuc"')


def test_print_margins_carry_title_organisation_and_page_numbers(report):
    assert f'@top-left {{ content: "{TITLE}";' in report
    assert f'@bottom-left {{ content: "{ORG}";' in report
    assert '@bottom-right { content: "Trang " counter(page) "/" counter(pages);' in report
    # ... and none on the cover: that rule must come after them
    assert report.index("@page cover { @top-left { content: none; }") > report.index(
        "@bottom-right { content: \"Trang \"")
    style = _between(report, "<style>", "</style>")
    assert "@page cover" in style and "page: cover" in style
    assert "break-inside: avoid" in style


def test_page_css_escapes_quotes_and_speaks_english():
    css = page_css('Báo cáo "A" \\ B', "Org", lang="en")
    assert r'content: "Báo cáo \"A\" \\ B";' in css
    assert '"Page " counter(page) "/" counter(pages)' in css


def test_a_report_with_only_the_method_has_no_contents_and_no_forced_page(tmp_path):
    nb = report_notebook(tmp_path / "318.ipynb", sections=())
    nb_obj = nbformat.read(str(nb), as_version=4)
    del nb_obj.cells[1]  # no key figures: the unit's figures are withheld
    nbformat.write(nb_obj, str(nb))
    page = export_html(nb, tmp_path / "318.html", TITLE).read_text(encoding="utf-8")
    assert '<nav class="toc"' not in page
    assert '<section class="section" id="phu-luc-phuong-phap">' in page
    # without ReportInfo the title block still has the title, and nothing empty
    assert f"<h1>{TITLE}</h1>" in page and "<dl" not in page and 'class="org"' not in page


# ------------------------------------------------------------------------------- index

def test_index_shows_each_headline_links_pdfs_and_the_workbook(tmp_path):
    entries = [IndexEntry("311", "Huyện Thuỷ Nguyên", "311.html", pdf_href="311.pdf",
                          headline=76.25),
               IndexEntry("318", "Huyện Bạch Long Vĩ", "318.html", pdf_href="318.pdf",
                          headline=float("nan")),
               IndexEntry("city", "Thành phố Hải Phòng", "city.html", headline=71.2364)]
    html = write_index(tmp_path, entries, "Năm 2022", ORG, meta={"min_n": 5},
                       workbook="bang-so-lieu-2022.xlsx").read_text(encoding="utf-8")
    assert _links(html) == ["city.html", "311.html", "311.pdf", "318.html", "318.pdf",
                            "bang-so-lieu-2022.xlsx"]
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)[1:]
    # the headline as the reports print it: one decimal, comma, half up; withheld "—"
    headline = r'<td class="num key" data-label="[^"]*">{}</td>'
    assert re.search(headline.format("71,2"), rows[0])
    assert re.search(headline.format("76,3"), rows[1])
    assert re.search(headline.format("—"), rows[2])
    assert "— : không công bố (dưới 5 HTX trả lời)" in html
    assert "Chỉ số hài lòng chung (0–100)" in html


def test_index_never_links_an_internal_workbook(tmp_path):
    entries = [IndexEntry("303", "Quận Hồng Bàng", "303.html", pdf_href="internal/303.pdf")]
    html = write_index(tmp_path, entries, "Năm 2022", "",
                       workbook="internal/danh-ba.xlsx").read_text(encoding="utf-8")
    assert _links(html) == ["303.html"]


def test_index_entries_link_only_fresh_pdfs_and_carry_the_headline(tmp_path, small_results):
    import os

    from hailong.reference.config import load_config
    from hailong.run.build import index_entries, plan

    jobs = {j.unit: j for j in plan(load_config(), 2022, out=tmp_path)}
    for unit in ("311", "318", "303", "city"):
        jobs[unit].html.parent.mkdir(parents=True, exist_ok=True)
        jobs[unit].html.write_text("<p>page</p>", encoding="utf-8")
        jobs[unit].pdf.write_bytes(b"%PDF-1.7")
    stale = jobs["303"].pdf  # printed before its page was rebuilt
    os.utime(stale, (jobs["303"].html.stat().st_mtime - 60,) * 2)
    got = {e.unit: e for e in index_entries(jobs.values(), small_results)}
    assert set(got) == {"311", "318", "303", "city"}  # only reports whose page exists
    assert got["311"].pdf_href == "311.pdf" and got["318"].pdf_href == "318.pdf"
    assert got["303"].pdf_href is None
    # 311 in the small round: ten areas at 4 and one (D07) at 2 -> respondent mean
    # 42/11 on 1..5 -> index (42/11 - 1) / 4 * 100 = 775/11
    assert got["311"].headline == pytest.approx(775 / 11)
    assert got["318"].headline != got["318"].headline  # withheld (one respondent): NaN
    # the city as its report prints it: post-stratified (303's respondents weigh 6/5;
    # 311 and 318 pooled, 12 listed / 9 answered) -> mean 822/198 -> index 2600/33
    assert got["city"].headline == pytest.approx(2600 / 33)
    assert index_entries(jobs.values())[0].headline is None  # no results, no headline


def test_index_note_explains_secondary_suppression(tmp_path):
    entries = [IndexEntry("308", "Quận Đồ Sơn", "308.html", headline=float("nan"))]
    meta = {"min_n": 5, "secondary_suppression": True, "group_n": 10}
    html = write_index(tmp_path, entries, "Năm 2022", ORG,
                       meta=meta).read_text(encoding="utf-8")
    assert "— : không công bố (dưới 5 HTX trả lời; hoặc dưới 10 HTX trả lời và tất" in html
    assert "ẩn thêm để không suy ra được số liệu đã ẩn từ số liệu toàn thành phố)." in html


def test_index_code_column_shows_only_gso_codes(tmp_path):
    """The citywide and progress reports have no GSO code: their code cell is empty."""
    import re

    from hailong.publish.export import IndexEntry, write_index

    entries = [IndexEntry(unit="city", name="Thành phố Hải Phòng", href="city.html", updated=None),
               IndexEntry(unit="311", name="Huyện Thuỷ Nguyên", href="311.html", updated=None),
               IndexEntry(unit="progress", name="Tiến độ khảo sát", href="progress.html",
                          updated=None)]
    page = write_index(tmp_path, entries, "Năm 2022", "Liên minh HTX").read_text(encoding="utf-8")
    codes = re.findall(r'<tr><td data-label="Mã">([^<]*)</td><th scope="row"><a', page)
    assert codes == ["", "311", ""]
