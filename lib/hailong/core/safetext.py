"""Respondents' free text, made safe to show: it renders literally and runs nothing.

Every place that shows text typed by a respondent (HTML report, Markdown output of a
notebook, PDF, Excel) goes through one of these functions.
"""

from __future__ import annotations

import html
import re

# ":" is escaped so that no "http://..." becomes a link (nbconvert's renderer links bare
# URLs); "&" so that an entity typed by a respondent ("&lt;") shows as typed.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def html_text(text: object) -> str:
    """Escape ``text`` for HTML: tags, entities and quotes show as typed.

    >>> html_text('<script>alert(1)</script> & "x"')
    '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;'
    """
    return html.escape("" if text is None else str(text), quote=True)


def markdown_text(text: object) -> str:
    """Escape ``text`` for Markdown (and the HTML inside it): no emphasis, links or tags.

    >>> markdown_text("**bold** [link](http://x) <b>")
    '\\\\*\\\\*bold\\\\*\\\\* \\\\[link\\\\]\\\\(http\\\\://x\\\\) &lt;b&gt;'
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", "" if text is None else str(text))
    return escaped.replace("\\&", "&amp;").replace("\\<", "&lt;").replace("\\>", "&gt;")


def excel_text(text: object) -> str:
    """Text for a spreadsheet cell that Excel will never read as a formula.

    A leading ``= + - @`` (or tab / carriage return) gets an apostrophe in front, as
    OWASP advises against CSV/formula injection.

    >>> excel_text('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    """
    s = "" if text is None else str(text)
    return "'" + s if s.startswith(_FORMULA_START) else s
