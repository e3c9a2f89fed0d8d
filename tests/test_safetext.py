"""Free text typed by respondents renders literally and runs nothing.

Markdown is rendered with mistune, the renderer nbconvert itself uses for Markdown output.
"""

import mistune
import pytest

from hailong.core.safetext import excel_text, html_text, markdown_text

NASTY = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "**Vốn** vay [bấm vào đây](http://evil.example) `code`",
    "# Tiêu đề giả",
    "=HYPERLINK(\"http://evil.example\",\"Bấm\")",
]


@pytest.mark.parametrize("text", NASTY)
def test_html_text_shows_tags_as_text(text):
    out = html_text(text)
    assert "<" not in out and ">" not in out
    assert out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"') \
        .replace("&#x27;", "'").replace("&amp;", "&") == text


@pytest.mark.parametrize("text", NASTY)
def test_markdown_text_renders_to_the_literal_text(text):
    rendered = mistune.html(markdown_text(text))
    # no element other than the paragraph is created
    body = rendered.strip()
    assert body.startswith("<p>") and body.endswith("</p>")
    inner = body[3:-4]
    assert "<" not in inner
    import html
    assert html.unescape(inner) == text


def test_excel_text_neutralises_formulas_only():
    assert excel_text("=1+1") == "'=1+1"
    assert excel_text("+84 900 000 000") == "'+84 900 000 000"
    assert excel_text("-5") == "'-5"
    assert excel_text("@SUM(A1)") == "'@SUM(A1)"
    assert excel_text("Thiếu vốn = khó khăn") == "Thiếu vốn = khó khăn"
    assert excel_text(None) == ""
