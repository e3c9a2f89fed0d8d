"""Numbers, dates, unit names and fixed phrases as a reader of the report sees them.

Vietnamese by default (``1.234,5``, ``78,5%``, ``16/05/2023``); English with
``lang="en"`` (``1,234.5``, ``78.5%``, ``16 May 2023``). A value that is missing or
withheld (fewer than ``min_n`` respondents) is shown as :data:`SUPPRESSED`, an em dash
"—", never as 0. All text returned is Unicode NFC.
"""

from __future__ import annotations

import datetime as dt
import html
from decimal import ROUND_HALF_UP, Decimal
import unicodedata
from collections.abc import Mapping, Sequence

import pandas as pd

from .codebook import nfc
from .errors import ParameterError
from .geography import CITY
from .scoring import INDEX

#: What the report shows instead of a missing or withheld figure (U+2014 EM DASH).
SUPPRESSED = "—"
#: Report languages.
LANGS = ("vi", "en")

_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")

# Vietnamese unit types (first words of ``full_name``) and their English names.
_TYPES_EN = {
    "thành phố": "City", "tỉnh": "Province", "quận": "District", "huyện": "District",
    "thị xã": "Town", "phường": "Ward", "xã": "Commune", "thị trấn": "Township",
    "đặc khu": "Special Zone",
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a report language, else raise :class:`ParameterError`."""
    if lang not in LANGS:
        raise ParameterError("Unknown report language.", found=lang,
                             expected=" or ".join(repr(x) for x in LANGS),
                             hint='Use lang = "vi" (Vietnamese) or lang = "en" (English).')
    return lang


def is_missing(x: object) -> bool:
    """True for ``None``, NaN and ``pd.NA`` — values the report shows as "—"."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def rounded(x: float, decimals: int = 1) -> Decimal:
    """``x`` rounded as the report prints it: half away from zero on the decimal value
    (71.25 -> 71.3), as a reader rounding by hand would — not Python's half-to-even."""
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


def number(x: float | None, decimals: int = 1, lang: str = "vi") -> str:
    """``1234.5`` -> ``"1.234,5"`` (vi) / ``"1,234.5"`` (en); missing -> ``"—"``.

    Rounded with :func:`rounded`; never prints "-0,0".
    """
    check_lang(lang)
    if is_missing(x):
        return SUPPRESSED
    value = rounded(x, decimals)
    text = f"{abs(value) if value == 0 else value:,.{decimals}f}"
    if lang == "vi":
        text = text.translate(str.maketrans(",.", ".,"))
    return text


def count(n: int | None, lang: str = "vi") -> str:
    """A whole number with thousands separators: ``1234`` -> ``"1.234"`` / ``"1,234"``."""
    return number(n, 0, lang)


def percent(share: float | None, decimals: int = 1, lang: str = "vi") -> str:
    """A share 0–1 as a percentage: ``0.785`` -> ``"78,5%"`` (vi) / ``"78.5%"`` (en)."""
    if is_missing(share):
        check_lang(lang)
        return SUPPRESSED
    return number(float(share) * 100, decimals, lang) + "%"


def date(d: dt.date | str | None, lang: str = "vi") -> str:
    """``2023-05-16`` -> ``"16/05/2023"`` (vi) / ``"16 May 2023"`` (en).

    Accepts a date, a datetime / ``pd.Timestamp`` or an ISO string.
    """
    check_lang(lang)
    if is_missing(d):
        return SUPPRESSED
    if isinstance(d, str):
        d = pd.Timestamp(d)
    if lang == "vi":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def ascii_name(text: str) -> str:
    """Vietnamese without diacritics, as English texts write it: "Thuỷ Nguyên" -> "Thuy Nguyen"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _unit_row(source: object, code: str | None) -> Mapping:
    """The row (``name``, ``full_name``, ...) of unit ``code`` in ``source``."""
    if isinstance(source, (pd.Series, Mapping)):
        return source
    table = getattr(source, "units", source)  # Results -> its units table
    table = getattr(table, "table", table)    # geography.Units -> its table
    if not isinstance(table, pd.DataFrame):
        raise TypeError("unit_name needs a Results, a units table or a units row.")
    key = "unit" if "unit" in table.columns else "code"
    rows = table[table[key].astype(str) == str(code)]
    if rows.empty and code == CITY and "level" in table.columns:
        rows = table[table["level"] == "province"]
    if rows.empty:
        valid = ", ".join(table[key].astype(str))
        raise ParameterError("Unknown unit code.", found=code, expected=f"one of {valid}",
                             hint="Use the GSO code of the unit, or 'city'.")
    return rows.iloc[0]


def unit_name(source: object, code: str | None = None, lang: str = "vi",
              form: str = "full") -> str:
    """The one way a report names a unit.

    Parameters
    ----------
    source
        A ``Results`` (its ``units`` table), a units DataFrame (columns ``unit`` or
        ``code``, ``name``, ``full_name``), a ``geography.Units``, or one row of such a table.
    code
        Unit code (``"city"`` = the province); ignored when ``source`` is a row.
    lang
        ``"vi"`` or ``"en"``.
    form
        ``"full"`` — "Huyện Thuỷ Nguyên" / "Thuy Nguyen District" (titles, tables);
        ``"inline"`` — the same inside a sentence: "huyện Thuỷ Nguyên" (vi);
        ``"short"`` — "Thuỷ Nguyên" / "Thuy Nguyen" (chart labels).
    """
    check_lang(lang)
    row = _unit_row(source, code)
    short, full = nfc(str(row["name"])), nfc(str(row["full_name"]))
    if form == "short":
        return short if lang == "vi" else ascii_name(short)
    if form not in ("full", "inline"):
        raise ValueError(f"form must be 'full', 'inline' or 'short', not {form!r}")
    if lang == "vi":
        return full[:1].lower() + full[1:] if form == "inline" else full
    for col in ("full_name_en", "name_en"):
        if col in row and not is_missing(row[col]) and str(row[col]):
            return str(row[col])
    kind = full[: len(full) - len(short)].strip().lower() if full.endswith(short) else ""
    english = ascii_name(short)
    return f"{english} {_TYPES_EN[kind]}" if kind in _TYPES_EN else english


# ---------------------------------------------------------------------------------------
#: Fixed phrases of the reports: ``{key: {lang: text}}``; ``{field}`` parts are filled by
#: :func:`t`. Add a phrase here (in every language) rather than writing it in a notebook.
MESSAGES: dict[str, dict[str, str]] = {
    # titles and sections
    "report_title": {
        "vi": "Báo cáo chỉ số hài lòng của HTX – {unit} – {period}",
        "en": "Cooperatives' satisfaction report – {unit} – {period}"},
    "report_subtitle": {
        "vi": "Khảo sát mức độ hài lòng của hợp tác xã với cấp ủy, chính quyền địa phương",
        "en": "Survey of cooperatives' satisfaction with local Party committees and government"},
    "sec_summary": {"vi": "Tóm tắt", "en": "Summary"},
    "sec_key_figures": {"vi": "Các số liệu chính", "en": "Key figures"},
    "sec_dimensions": {"vi": "Chỉ số theo lĩnh vực", "en": "Index by area"},
    "sec_vs_city": {"vi": "So sánh với toàn thành phố", "en": "Compared with the whole city"},
    "sec_distribution": {"vi": "Phân bố câu trả lời", "en": "How cooperatives answered"},
    "sec_coverage": {"vi": "Tiến độ khảo sát", "en": "Survey coverage"},
    "sec_districts": {"vi": "So sánh các quận, huyện",
                      "en": "Comparison of the districts"},
    "sec_heatmap": {"vi": "Chỉ số theo lĩnh vực và quận, huyện",
                    "en": "Index by area and district"},
    "sec_district_table": {"vi": "Bảng số liệu các quận, huyện",
                           "en": "Figures for all districts"},
    "sec_method": {"vi": "Phương pháp tính", "en": "Method"},
    # table headers
    "col_figure": {"vi": "Chỉ tiêu", "en": "Figure"},
    "col_dimension": {"vi": "Lĩnh vực", "en": "Area"},
    "col_unit": {"vi": "Đơn vị", "en": "Unit"},
    "col_n": {"vi": "Số HTX trả lời", "en": "Cooperatives answering"},
    "col_roster": {"vi": "Số HTX trong danh sách", "en": "Cooperatives listed"},
    "col_coverage": {"vi": "Tỷ lệ tham gia", "en": "Coverage"},
    "col_index": {"vi": "Chỉ số (0–100)", "en": "Index (0–100)"},
    "col_satisfied": {"vi": "Tỷ lệ hài lòng", "en": "% satisfied"},
    "col_city": {"vi": "Toàn thành phố", "en": "Whole city"},
    # key figures
    "kf_answered": {"vi": "HTX đã trả lời / trong danh sách",
                    "en": "Cooperatives answered / listed"},
    "kf_coverage": {"vi": "Tỷ lệ tham gia khảo sát", "en": "Coverage"},
    "kf_index": {"vi": "Chỉ số hài lòng chung (0–100)", "en": "Satisfaction index (0–100)"},
    "kf_satisfied": {"vi": "Tỷ lệ câu trả lời hài lòng trở lên",
                     "en": "Answers \"satisfied\" or better"},
    "kf_overall": {"vi": "Đánh giá chung – câu {number} (0–100)",
                   "en": "Overall rating – question {number} (0–100)"},
    "kf_overall_satisfied": {"vi": "Hài lòng chung – câu {number}",
                             "en": "Satisfied overall – question {number}"},
    # charts
    "source": {"vi": "Nguồn: Khảo sát mức độ hài lòng của HTX năm {year}, {org}",
               "en": "Source: {org}, cooperatives' satisfaction survey {year}"},
    "profile_title": {"vi": "Chỉ số hài lòng theo lĩnh vực", "en": "Satisfaction index by area"},
    "axis_index": {"vi": "Chỉ số hài lòng (0–100)", "en": "Satisfaction index (0–100)"},
    "axis_share": {"vi": "Tỷ lệ câu trả lời (%)", "en": "Share of answers (%)"},
    "axis_coverage": {"vi": "Tỷ lệ HTX đã trả lời (%)", "en": "Cooperatives that answered (%)"},
    "distribution_title": {"vi": "Phân bố câu trả lời theo lĩnh vực",
                           "en": "Answers by area"},
    "coverage_title": {"vi": "Tỷ lệ HTX tham gia khảo sát",
                       "en": "Cooperatives that took part"},
    "coverage_by_district_title": {"vi": "Tỷ lệ HTX tham gia khảo sát theo quận, huyện",
                                   "en": "Coverage by district"},
    "answered": {"vi": "Đã trả lời", "en": "Answered"},
    "not_yet": {"vi": "Chưa trả lời", "en": "Not yet answered"},
    "comparison_title": {"vi": "Chỉ số hài lòng chung theo quận, huyện",
                         "en": "Satisfaction index by district"},
    "heatmap_title": {"vi": "Chỉ số hài lòng theo lĩnh vực và quận, huyện",
                      "en": "Satisfaction index by area and district"},
    "city_value": {"vi": "Toàn thành phố: {value}", "en": "Whole city: {value}"},
    "suppressed_note": {
        "vi": "— : không công bố (dưới {min_n} HTX trả lời)",
        "en": "— : not published (fewer than {min_n} cooperatives answered)"},
}


def t(key: str, lang: str = "vi", **kw: object) -> str:
    """A fixed phrase of the reports in ``lang``, with ``{fields}`` filled from ``kw``.

    >>> t("sec_method", "vi")
    'Phương pháp tính'
    """
    check_lang(lang)
    return nfc(MESSAGES[key][lang].format(**kw))


def source_line(year: int, organisation: Mapping[str, str] | str, lang: str = "vi") -> str:
    """The source line under every chart, e.g. "Nguồn: Khảo sát ... năm 2022, Liên minh ..."."""
    org = organisation if isinstance(organisation, str) else organisation.get(lang, "")
    return t("source", lang, year=year, org=org)


# ---------------------------------------------------------------------------------------
# HTML tables (inline styles: they survive every export route).
_TABLE = ('style="border-collapse:collapse;font-family:\'DejaVu Sans\',\'Noto Sans\','
          'sans-serif;font-size:0.95em;margin:0.5em 0"')
_CELL = "padding:4px 10px;border-bottom:1px solid #ddd;"


def html_table(frame: pd.DataFrame, numeric: Sequence[str] = (), note: str | None = None,
               caption: str | None = None) -> str:
    """An HTML table of already formatted text, for ``IPython.display.HTML``.

    Parameters
    ----------
    frame
        Cells as strings (use :func:`number`, :func:`percent` ...); the column labels are
        the header. The index is not shown.
    numeric
        Columns aligned right. A cell equal to :data:`SUPPRESSED` is shown grey.
    note, caption
        Text under / above the table (escaped).
    """
    head = "".join(
        f'<th style="{_CELL}border-bottom:2px solid #555;'
        f'text-align:{"right" if c in numeric else "left"}">{html.escape(str(c))}</th>'
        for c in frame.columns)
    rows = []
    for _, r in frame.iterrows():
        cells = []
        for c in frame.columns:
            text = str(r[c])
            cls, align = (' class="num"', "right") if c in numeric else ("", "left")
            grey = "color:#888;" if text == SUPPRESSED else ""
            cells.append(f'<td{cls} style="{_CELL}text-align:{align};{grey}">'
                         f"{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = (f'<caption style="text-align:left;font-weight:bold;padding:4px 0">'
           f"{html.escape(caption)}</caption>") if caption else ""
    foot = (f'<p style="font-size:0.85em;color:#555;margin-top:0">{html.escape(note)}</p>'
            if note else "")
    return nfc(f"<table {_TABLE}>{cap}<thead><tr>{head}</tr></thead>"
               f"<tbody>{''.join(rows)}</tbody></table>{foot}")



def unit_names(source: object, level: str, lang: str = "vi", form: str = "short") -> dict[str, str]:
    """``{code: name}`` of every unit of ``level`` in ``source``'s order (see :func:`unit_name`).

    ``source`` is a ``Results`` or its ``units`` table (columns ``unit, level, name,
    full_name``).
    """
    table = getattr(source, "units", source)
    rows = table[table["level"] == level]
    return {str(r["unit"]): unit_name(r, lang=lang, form=form) for _, r in rows.iterrows()}


def scale_labels(meta: Mapping, lang: str = "vi") -> dict[int, str]:
    """``{value: label}`` of the answer scale stored in ``Results.meta["scale_labels"]``."""
    check_lang(lang)
    return {int(x["value"]): nfc(str(x[lang])) for x in meta["scale_labels"]}


def _cell(row: Mapping, column: str, kind: str, lang: str) -> str:
    """A formatted figure of a scores row; withheld rows give "—"."""
    if bool(row.get("suppressed", False)):
        return SUPPRESSED
    value = row[column]
    return percent(value, 1, lang) if kind == "percent" else number(value, 1, lang)


def dimension_frame(unit_dims: pd.DataFrame, city_dims: pd.DataFrame | None = None,
                    lang: str = "vi") -> pd.DataFrame:
    """The dimension table of a report as text: area, n, index, % satisfied (, city index).

    Parameters
    ----------
    unit_dims, city_dims
        ``Results.dimension_table(code, lang)`` (``measure, label, n, index, satisfied,
        suppressed``); ``city_dims`` adds the city's index as the last column.
    """
    rows = []
    city = city_dims.set_index("measure") if city_dims is not None else None
    for _, r in unit_dims.iterrows():
        line = {t("col_dimension", lang): nfc(str(r["label"])),
                t("col_n", lang): count(r["n"], lang),
                t("col_index", lang): _cell(r, "index", "number", lang),
                t("col_satisfied", lang): _cell(r, "satisfied", "percent", lang)}
        if city is not None:
            c = city.loc[r["measure"]] if r["measure"] in city.index else {"index": None}
            line[t("col_city", lang) + " – " + t("col_index", lang)] = _cell(
                c, "index", "number", lang)
        rows.append(line)
    return pd.DataFrame(rows)


def district_frame(scores: pd.DataFrame, coverage: pd.DataFrame, names: Mapping[str, str],
                   lang: str = "vi", measure: str = INDEX) -> pd.DataFrame:
    """All units as text: name, listed, answered, coverage, index, % satisfied.

    Parameters
    ----------
    scores, coverage
        ``Results.scores`` and ``Results.coverage``.
    names
        ``{code: label}`` of the rows to show, in order (put ``"city"`` last for a total row).
    measure
        The measure whose index and % satisfied are shown.
    """
    s = scores[scores["measure"] == measure].set_index("unit")
    c = coverage.set_index("unit")
    rows = []
    for code, name in names.items():
        cov = c.loc[code]
        sc = s.loc[code] if code in s.index else {"suppressed": True}
        rows.append({
            t("col_unit", lang): name,
            t("col_roster", lang): count(cov["roster_n"], lang),
            t("col_n", lang): count(cov["answered"], lang),
            t("col_coverage", lang): percent(cov["share"], 1, lang),
            t("col_index", lang): _cell(sc, "index", "number", lang),
            t("col_satisfied", lang): _cell(sc, "satisfied", "percent", lang),
        })
    return pd.DataFrame(rows)


def _table_html(frame: pd.DataFrame, lang: str, min_n: int | None) -> str:
    """All columns but the first right-aligned; the "—" note when a cell is withheld."""
    withheld = bool((frame.iloc[:, 1:] == SUPPRESSED).to_numpy().any())
    note = t("suppressed_note", lang, min_n=min_n) if withheld and min_n is not None else None
    return html_table(frame, numeric=list(frame.columns[1:]), note=note)


def dimension_table_html(unit_dims: pd.DataFrame, city_dims: pd.DataFrame | None = None,
                         lang: str = "vi", min_n: int | None = None) -> str:
    """:func:`dimension_frame` as an HTML table, with a note on "—" cells."""
    return _table_html(dimension_frame(unit_dims, city_dims, lang), lang, min_n)


def district_table_html(scores: pd.DataFrame, coverage: pd.DataFrame,
                        names: Mapping[str, str], lang: str = "vi",
                        min_n: int | None = None) -> str:
    """:func:`district_frame` as an HTML table, with a note on "—" cells."""
    return _table_html(district_frame(scores, coverage, names, lang), lang, min_n)
