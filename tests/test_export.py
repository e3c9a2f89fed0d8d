"""HTML export of executed notebooks and the index page (no kernel is started here)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from hailong.errors import ParameterError
from hailong.export import IndexEntry, export_html, write_atomic, write_index

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


def test_write_atomic_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "sub" / "page.html"
    write_atomic(target, "cũ")
    write_atomic(target, "mới")
    assert target.read_text(encoding="utf-8") == "mới"
    assert [p.name for p in target.parent.iterdir()] == ["page.html"]


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
