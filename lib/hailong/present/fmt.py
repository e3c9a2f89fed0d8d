"""Numbers, dates, unit names and fixed phrases as a reader of the report sees them.

Vietnamese by default (``1.234,5``, ``78,5%``, ``16/05/2023``); English with
``lang="en"`` (``1,234.5``, ``78.5%``, ``16 May 2023``). A value that is missing or
withheld (:mod:`hailong.numbers.disclosure`) is shown as :data:`SUPPRESSED`, an em dash
"—", never as 0. All text returned is Unicode NFC.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from collections.abc import Mapping, Sequence

import pandas as pd

from hailong.core.catalogue import either
from hailong.core.errors import ParameterError
from hailong.core.messages import LANGS, message  # LANGS: the report languages
from hailong.core.text import nfc
from hailong.numbers.scoring import INDEX

# rounded(x, decimals): x as the reports print it, half away from zero (71.25 -> 71.3).
# It lives in hailong.numbers.stats, whose tiers compare values as printed.
from hailong.numbers.stats import rounded
from hailong.reference.config import StatsSettings
from hailong.reference.geography import CITY

#: What the report shows instead of a missing or withheld figure (U+2014 EM DASH).
SUPPRESSED = "—"

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
        raise ParameterError("err.unknown_report_language", found=lang,
                             expected=either(repr(x) for x in LANGS),
                             hint="hint.use_lang_vi_vietnamese")
    return lang


def is_missing(x: object) -> bool:
    """True for ``None``, NaN and ``pd.NA`` — values the report shows as "—"."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


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
        raise ParameterError("err.unknown_unit_code", found=code, expected="exp.one_of",
                             hint="hint.use_gso_code_unit", valid=valid)
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
#: What the reports call the units of each reporting level: ``{level: {lang: (plural,
#: singular)}}``. Vietnamese uses the list of unit types ("quận, huyện"; "xã, phường, đặc
#: khu" since the 01/07/2025 reform) and, for one unit of a commune round, "đơn vị cấp xã".
UNIT_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "district": {"vi": ("quận, huyện", "quận, huyện"), "en": ("districts", "district")},
    "commune": {"vi": ("xã, phường, đặc khu", "đơn vị cấp xã"), "en": ("communes", "commune")},
}
_OTHER_UNITS = {"vi": ("đơn vị", "đơn vị"), "en": ("units", "unit")}


def unit_words(level: str | None = "district", lang: str = "vi") -> dict[str, str]:
    """How a report calls the units of ``level`` (the one place; :func:`t` fills them in).

    Returns ``{"units": plural, "unit_sg": singular, "Units": ..., "Unit_sg": ...}`` (the
    last two capitalised, for the start of a sentence). ``None`` means ``"district"``; an
    unknown level gets the neutral "đơn vị" / "units".

    >>> unit_words("commune", "vi")["units"]
    'xã, phường, đặc khu'
    """
    check_lang(lang)
    plural, singular = UNIT_WORDS.get(level or "district", _OTHER_UNITS)[lang]
    return {"units": plural, "unit_sg": singular,
            "Units": plural[:1].upper() + plural[1:],
            "Unit_sg": singular[:1].upper() + singular[1:]}


def t(key: str, lang: str = "vi", unit_level: str | None = None, **kw: object) -> str:
    """A fixed phrase of the reports in ``lang``, with ``{fields}`` filled from ``kw``.

    The phrases are those of the message catalogue (:mod:`hailong.core.messages`, file
    ``lib/hailong/core/messages.yaml``); add a phrase there, in every language.

    ``{units}``, ``{unit_sg}``, ``{Units}``, ``{Unit_sg}`` name the units of
    ``unit_level`` (:func:`unit_words`; default ``"district"``) unless ``kw`` gives them.

    >>> t("sec_method", "vi")
    'Phụ lục: Phương pháp'
    >>> t("sec_districts", "en", unit_level="commune")
    'Comparison of the communes'
    """
    check_lang(lang)
    return message(key, lang, **{**unit_words(unit_level, lang), **kw})


def source_line(year: int | Sequence[int], organisation: Mapping[str, str] | str,
                lang: str = "vi") -> str:
    """The source line under every chart, e.g. "Nguồn: Khảo sát ... năm 2022, Liên minh ...".

    ``year`` may be the rounds a chart spans (``(2021, 2022, 2023)`` -> "2021–2023").
    """
    org = organisation if isinstance(organisation, str) else organisation.get(lang, "")
    if not isinstance(year, (int, str)):
        years = sorted(int(y) for y in year)
        year = f"{years[0]}–{years[-1]}" if years[0] != years[-1] else str(years[0])
    return t("source", lang, year=year, org=org)


# ---------------------------------------------------------------------------------------
# HTML tables (inline styles: they survive every export route).
_TABLE = ('style="border-collapse:collapse;font-family:\'DejaVu Sans\',\'Noto Sans\','
          'sans-serif;font-size:0.95em;margin:0.5em 0"')
_CELL = "padding:4px 10px;border-bottom:1px solid #ddd;"


#: A figure as printed: "68,7", "+3,5", "80,1%", "12" (also "trên 0" / "above 0" of
#: :func:`change_interval`).
_FIGURE = r"(?:[+-]?\d[\d.,]*%?|trên 0|dưới 0|above 0|below 0)"
#: What must never break across lines: "12 (12–13)", "+0,1 – +7,4", "68,7–71,7",
#: "Khá – có thể Trung bình" (a whole borderline tier).
_TOGETHER = re.compile(
    rf"\d+ \(\d+–\d+\)|{_FIGURE} – {_FIGURE}|{_FIGURE}–{_FIGURE}"
    r"|^[^\s<>–]+(?: [^\s<>–]+)? – (?:có thể|possibly) [^<>–.]{1,40}$")


def keep_together(text: str) -> str:
    """Ranges in ``text`` (HTML or Markdown) wrapped in ``<span class="nowrap">``, so that
    a line never breaks inside one ("68,7–/71,7", "12 (12–/13)").

    >>> keep_together("Khoảng 68,7–71,7; hạng 12 (12–13)")
    'Khoảng <span class="nowrap">68,7–71,7</span>; hạng <span class="nowrap">12 (12–13)</span>'
    """
    return _TOGETHER.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', text)


def html_table(frame: pd.DataFrame, numeric: Sequence[str] = (), note: str | None = None,
               caption: str | None = None, nowrap: Sequence[str] = ()) -> str:
    """An HTML table of already formatted text, for ``IPython.display.HTML``.

    Parameters
    ----------
    frame
        Cells as strings (use :func:`number`, :func:`percent` ...); the column labels are
        the header. The index is not shown.
    numeric
        Columns aligned right. A cell equal to :data:`SUPPRESSED` is shown grey; ranges
        in them never break across lines (:func:`keep_together`).
    note, caption
        Text under / above the table (escaped).
    nowrap
        Columns whose cells never wrap (e.g. unit names in a wide table).
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
            grey += "white-space:nowrap;" if c in nowrap else ""
            shown = keep_together(html.escape(text)) if c in numeric else html.escape(text)
            cells.append(f'<td{cls} style="{_CELL}text-align:{align};{grey}">{shown}</td>')
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
    """A formatted figure of a scores row; withheld rows give "—"; an estimate flagged
    unreliable gets "*" (:data:`UNRELIABLE`)."""
    if bool(row.get("suppressed", False)):
        return SUPPRESSED
    value = row[column]
    text = percent(value, 1, lang) if kind == "percent" else number(value, 1, lang)
    flag = row.get("unreliable", False)
    return text + UNRELIABLE if not is_missing(flag) and bool(flag) and text != SUPPRESSED \
        else text


#: Mark after an estimate whose relative standard error exceeds the threshold.
UNRELIABLE = "*"


def level(confidence: float | None, lang: str = "vi") -> str:
    """A confidence level as the reports write it: ``0.95`` -> ``"95%"``."""
    c = 0.95 if confidence is None else float(confidence)
    return number(c * 100, 0 if float(c * 100).is_integer() else 1, lang) + "%"


def interval(low: float | None, high: float | None, decimals: int = 1,
             lang: str = "vi", percent_: bool = False) -> str:
    """``(74.91, 77.32)`` -> ``"74,9–77,3"`` (a share with ``percent_=True``:
    ``"80,1–82,4%"``); "—" when either bound is missing."""
    if is_missing(low) or is_missing(high):
        check_lang(lang)
        return SUPPRESSED
    if percent_:
        return f"{number(float(low) * 100, decimals, lang)}–{percent(high, decimals, lang)}"
    return f"{number(low, decimals, lang)}–{number(high, decimals, lang)}"


def tier_label(tier_id: object, meta: Mapping, lang: str = "vi", low: object = None,
               high: object = None) -> str:
    """The name of a tier id from ``Results.meta["tiers"]`` ("kha" -> "Khá"); "—" if none.

    With the tiers of the interval's ends (``tier_low``, ``tier_high`` of
    ``Results.scores``), a tier whose interval crosses a cut is borderline: "Khá – có
    thể Trung bình" (both others: "Khá – có thể Trung bình hoặc Tốt").
    """
    check_lang(lang)
    if is_missing(tier_id) or not tier_id:
        return SUPPRESSED
    names = {tr["id"]: nfc(str(tr[lang])) for tr in meta.get("tiers", [])}
    name = names.get(tier_id, str(tier_id))
    others = [names.get(x, str(x)) for x in dict.fromkeys((low, high))
              if not is_missing(x) and x and x != tier_id]
    if not others:
        return name
    return t("tier_borderline", lang, tier=name,
             other=f" {t('word_or', lang)} ".join(others))


def versus_label(flag: object, lang: str = "vi") -> str:
    """``"above"`` -> ``"▲ cao hơn"``, ``"similar"`` -> ``"≈ tương đương"``, ``"below"`` ->
    ``"▼ thấp hơn"``; "—" when not compared."""
    check_lang(lang)
    if is_missing(flag) or flag not in ("above", "similar", "below"):
        return SUPPRESSED
    return t(f"vs_{flag}", lang)


def theme_labels(meta: Mapping, lang: str = "vi") -> dict[str, str]:
    """``{theme id: name}`` of the open answers' themes in ``Results.meta["themes"]``."""
    check_lang(lang)
    labels = (meta.get("themes") or {}).get("labels") or {}
    return {k: nfc(str(v[lang])) for k, v in labels.items()}


def rank_range(rank: object, low: object, high: object, lang: str = "vi") -> str:
    """``(2, 1, 3)`` -> ``"2 (1–3)"``; ``(1, 1, 1)`` -> ``"1"``; "—" when not ranked."""
    check_lang(lang)
    if is_missing(rank):
        return SUPPRESSED
    if is_missing(low) or is_missing(high) or int(low) == int(high):
        return count(rank, lang)
    return f"{count(rank, lang)} ({count(low, lang)}–{count(high, lang)})"


def dimension_frame(unit_dims: pd.DataFrame, city_dims: pd.DataFrame | None = None,
                    lang: str = "vi", confidence: float | None = None) -> pd.DataFrame:
    """The dimension table of a report as text: area, n, index, % satisfied (, city index).

    Parameters
    ----------
    unit_dims, city_dims
        ``Results.dimension_table(code, lang)`` (``measure, label, n, index, satisfied,
        suppressed``); ``city_dims`` adds the city's index as the last column. With
        ``Results.estimates(code, lang=lang)`` (``low``, ``high``, ``vs_city``) the
        interval of the index follows it, and the comparison with the city ends the row.
    confidence
        Level named in the interval's header.
    """
    rows = []
    city = city_dims.set_index("measure") if city_dims is not None else None
    has_ci = {"low", "high"} <= set(unit_dims.columns)
    has_vs = "vs_city" in unit_dims.columns and city is not None
    ci_col = t("col_interval", lang, level=level(confidence, lang))
    for _, r in unit_dims.iterrows():
        line = {t("col_dimension", lang): nfc(str(r["label"])),
                t("col_n", lang): (SUPPRESSED if bool(r.get("suppressed", False))
                                   else count(r["n"], lang)),
                t("col_index", lang): _cell(r, "index", "number", lang)}
        if has_ci:
            line[ci_col] = (SUPPRESSED if bool(r.get("suppressed", False))
                            else interval(r["low"], r["high"], 1, lang))
        line[t("col_satisfied", lang)] = _cell(r, "satisfied", "percent", lang)
        if city is not None:
            c = city.loc[r["measure"]] if r["measure"] in city.index else {"index": None}
            line[t("col_city", lang) + " – " + t("col_index", lang)] = _cell(
                c, "index", "number", lang)
        if has_vs:
            line[t("col_vs_city", lang)] = versus_label(r["vs_city"], lang)
        rows.append(line)
    return pd.DataFrame(rows)


def district_frame(scores: pd.DataFrame, coverage: pd.DataFrame, names: Mapping[str, str],
                   lang: str = "vi", measure: str = INDEX, weighted: pd.DataFrame | None = None,
                   meta: Mapping | None = None) -> pd.DataFrame:
    """All units as text: name, listed, answered, coverage, index, % satisfied.

    Parameters
    ----------
    scores, coverage
        ``Results.scores`` and ``Results.coverage``.
    names
        ``{code: label}`` of the rows to show, in order (put ``"city"`` last for a total row).
    measure
        The measure whose index and % satisfied are shown.
    weighted
        ``Results.weighted``: the city row then shows the post-stratified figures.
    meta
        ``Results.meta``: when given and ``scores`` has intervals, the interval of the
        index, the tier and the rank (with its range) are shown too.
    """
    s = scores[scores["measure"] == measure].set_index("unit")
    if weighted is not None and len(weighted) and CITY in s.index:
        w = weighted[weighted["measure"] == measure].set_index("unit")
        s = s.copy()
        for col in w.columns.intersection(s.columns).drop(["kind", "measure", "dimension"],
                                                          errors="ignore"):
            s.loc[CITY, col] = w.loc[CITY, col]
    c = coverage.set_index("unit")
    detail = meta is not None and {"low", "high", "tier"} <= set(s.columns)
    rows = []
    for code, name in names.items():
        cov = c.loc[code]
        sc = s.loc[code] if code in s.index else {"suppressed": True}
        row = {
            t("col_unit", lang): name,
            t("col_roster", lang): count(cov["roster_n"], lang),
            t("col_n", lang): count(cov["answered"], lang),
            t("col_coverage", lang): percent(cov["share"], 1, lang),
            t("col_index", lang): _cell(sc, "index", "number", lang),
        }
        if detail:
            hidden = bool(sc.get("suppressed", False))
            conf = meta.get("confidence")
            row[t("col_interval", lang, level=level(conf, lang))] = (
                SUPPRESSED if hidden else interval(sc.get("low"), sc.get("high"), 1, lang))
        row[t("col_satisfied", lang)] = _cell(sc, "satisfied", "percent", lang)
        if detail:
            row[t("col_tier", lang)] = (SUPPRESSED if hidden
                                        else tier_label(sc.get("tier"), meta, lang,
                                                        sc.get("tier_low"),
                                                        sc.get("tier_high")))
            row[t("col_rank", lang)] = (SUPPRESSED if hidden or code == CITY else rank_range(
                sc.get("rank"), sc.get("rank_low"), sc.get("rank_high"), lang))
            if code == CITY:
                row[t("col_rank", lang)] = ""
        rows.append(row)
    return pd.DataFrame(rows)


def withheld_note(meta: Mapping | None, lang: str = "vi") -> str:
    """What "—" means, from ``Results.meta``: the one text every table and chart shows.

    It names the rules in force (:mod:`hailong.numbers.disclosure`): fewer than ``min_n``
    respondents; with secondary suppression, also small groups whose members all gave
    the same answer (``group_n``) and complements. ``min_n`` and ``group_n`` are read
    from ``meta``; callers show the note only where a "—" is shown.

    Raises
    ------
    ParameterError
        If ``meta`` does not carry ``min_n``.
    """
    m = meta or {}
    if m.get("min_n") is None:
        raise ParameterError("err.note_on_withheld_figures", found=sorted(m),
                             expected="exp.results_meta_carries_min",
                             hint="hint.pass_meta_res_meta")
    n = m["min_n"]
    if m.get("secondary_suppression"):
        group_n = m.get("group_n", StatsSettings.group_n)
        return t("suppressed_note_secondary", lang, min_n=n, group_n=group_n)
    return t("suppressed_note", lang, min_n=n)


def table_notes(frame: pd.DataFrame, lang: str = "vi",
                meta: Mapping | None = None) -> str | None:
    """The footnotes a table of formatted figures needs: the "—" note
    (:func:`withheld_note`) when a cell is withheld and ``meta`` (``Results.meta``) is
    given, the "*" note when an estimate is flagged unreliable (``meta["rse_threshold"]``)."""
    cells = frame.iloc[:, 1:].astype(str)
    notes = []
    if meta is not None and bool((cells == SUPPRESSED).to_numpy().any()):
        notes.append(withheld_note(meta, lang))
    rse_threshold = meta.get("rse_threshold") if meta is not None else None
    if rse_threshold is not None and bool(cells.apply(
            lambda col: col.str.endswith(UNRELIABLE)).to_numpy().any()):
        notes.append(t("unreliable_note", lang, rse=percent(rse_threshold, 0, lang)))
    return ". ".join(notes) + "." if notes else None


def _table_html(frame: pd.DataFrame, lang: str, meta: Mapping | None = None,
                nowrap: Sequence[str] = ()) -> str:
    """All columns but the first right-aligned; the "—" (and "*") notes when needed."""
    return html_table(frame, numeric=list(frame.columns[1:]), note=table_notes(frame, lang, meta),
                      nowrap=nowrap)


def dimension_table_html(unit_dims: pd.DataFrame, city_dims: pd.DataFrame | None = None,
                         lang: str = "vi", meta: Mapping | None = None) -> str:
    """:func:`dimension_frame` as an HTML table; given ``Results.meta``, with the
    interval's level and the notes on "—" (:func:`withheld_note`) and "*"."""
    conf = meta.get("confidence") if meta is not None else None
    return _table_html(dimension_frame(unit_dims, city_dims, lang, conf), lang, meta)


def district_table_html(scores: pd.DataFrame, coverage: pd.DataFrame,
                        names: Mapping[str, str], lang: str = "vi",
                        weighted: pd.DataFrame | None = None,
                        meta: Mapping | None = None) -> str:
    """:func:`district_frame` as an HTML table; given ``Results.meta``, with a note on
    "—" cells (:func:`withheld_note`)."""
    frame = district_frame(scores, coverage, names, lang, weighted=weighted, meta=meta)
    keep = [frame.columns[0]] + [c for c in frame.columns if c == t("col_tier", lang)]
    return _table_html(frame, lang, meta, nowrap=keep)


# ---------------------------------------------------------------------------------------
# Several rounds (hailong.numbers.rounds.Trend): change since the previous round.

#: Mark after a figure of an earlier round re-aggregated to the round's units (a
#: crosswalk) or of a city with another territory: comparable only approximately.
APPROXIMATE = "†"


def signed(x: float | None, decimals: int = 1, lang: str = "vi") -> str:
    """A change with its sign, as printed: ``3.52`` -> ``"+3,5"``, ``-2.1`` -> ``"-2,1"``,
    ``0.04`` -> ``"0,0"``; "—" when missing."""
    text = number(x, decimals, lang)
    if text != SUPPRESSED and float(rounded(x, decimals)) > 0:
        return "+" + text
    return text


def change_interval(low: float | None, high: float | None, lang: str = "vi") -> str:
    """The interval of a change, signed, one decimal: ``(1.08, 5.97)`` -> ``"+1,1 – +6,0"``.

    A bound that is not 0 but would print as 0,0 reads "trên 0" / "dưới 0" ("above 0" /
    "below 0": ``(0.01, 7.41)`` -> ``"trên 0 – +7,4"``), so a significant change never
    shows an interval that seems to touch 0, and no figure has two decimals; "—" when
    missing.
    """
    if is_missing(low) or is_missing(high):
        check_lang(lang)
        return SUPPRESSED

    def bound(x: float) -> str:
        if float(x) != 0 and float(rounded(x, 1)) == 0:
            return t("change_above_zero" if float(x) > 0 else "change_below_zero", lang)
        text = number(x, 1, lang)
        return "+" + text if float(x) > 0 else text

    return f"{bound(low)} – {bound(high)}"


def trend_reading(change: float | None, significant: object, lang: str = "vi") -> str:
    """``"▲ tăng"`` (a significant rise), ``"▼ giảm"`` (a significant fall), ``"≈ không
    đổi đáng kể"`` (the interval of the change contains 0); "—" when there is no change
    to read (either round withheld). The column's header says ▲ ▼ mean significant."""
    check_lang(lang)
    if is_missing(change):
        return SUPPRESSED
    if is_missing(significant) or not bool(significant):
        return t("trend_same", lang)
    return t("trend_up" if float(change) > 0 else "trend_down", lang)


def measure_label(measures: pd.DataFrame, measure: str, lang: str = "vi") -> str:
    """The name of a measure as a row of a table: a dimension's name, "Chỉ số hài lòng
    chung" for ``INDEX``, "Đánh giá chung – câu 12" for the overall question.

    Parameters
    ----------
    measures
        ``Results.measures`` (``measure, kind, number, vi, en``).
    """
    check_lang(lang)
    if measure == INDEX:
        return t("measure_index", lang)
    row = measures.set_index("measure").loc[measure]
    if row["kind"] == "overall":
        return t("measure_overall", lang, number=row["number"])
    return nfc(str(row[lang]))


def _trend_cells(rows: pd.DataFrame, rounds: Sequence[int], before: int | None,
                 lang: str, lvl: str) -> dict[str, str]:
    """The cells of one unit × measure: each round's index, then the last change."""
    by_round = rows.set_index("round")
    cells = {}
    for r in rounds:
        row = by_round.loc[r] if r in by_round.index else None
        if row is None or bool(row["suppressed"]):
            cell = SUPPRESSED
        else:
            cell = number(row["index"], 1, lang)
            if bool(row["approximate"]):
                cell += APPROXIMATE
        cells[t("col_round", lang, year=r)] = cell
    if before is not None:
        now = by_round.loc[rounds[-1]] if rounds[-1] in by_round.index else None
        change = None if now is None else now["change"]
        cells[t("col_trend_change", lang, year=before)] = signed(change, 1, lang)
        cells[t("col_trend_interval", lang, level=lvl)] = (
            SUPPRESSED if now is None or is_missing(change) else
            change_interval(now["change_low"], now["change_high"], lang))
        cells[t("col_trend_reading", lang)] = trend_reading(
            change, None if now is None else now["significant"], lang)
    return cells


def _trend_span(table: pd.DataFrame) -> tuple[list[int], int | None]:
    """The rounds of a trend table and the round the newest one is compared with."""
    rounds = sorted(int(r) for r in table["round"].unique())
    prev = table.loc[table["round"] == rounds[-1], "previous_round"].dropna()
    return rounds, (int(prev.iloc[0]) if len(prev) else None)


def trend_frame(trend, unit: str, measures: pd.DataFrame, lang: str = "vi",
                confidence: float | None = None) -> pd.DataFrame:
    """One unit's figures of every round lined up, and the last change, as text.

    Rows: the overall index, each dimension, the overall question. Columns: the measure,
    the index of each round ("—" when withheld, "†" after an approximate figure), the
    change since the round before the last (signed), its interval
    (:func:`change_interval`) and its reading (:func:`trend_reading`).

    Parameters
    ----------
    trend
        A :class:`hailong.numbers.rounds.Trend`.
    unit
        Unit code (``"city"`` for the whole city).
    measures
        ``Results.measures`` of the round (names and question numbers).
    confidence
        Level named in the interval's header.
    """
    check_lang(lang)
    rows = trend.unit(unit)
    rows = rows[rows["kind"] != "item"]
    order = [INDEX] + [m for m in dict.fromkeys(rows["measure"]) if m != INDEX]
    rounds, before = _trend_span(trend.table)
    lvl = level(confidence, lang)
    return pd.DataFrame([{t("col_measure", lang): measure_label(measures, m, lang),
                          **_trend_cells(rows[rows["measure"] == m], rounds, before, lang,
                                         lvl)} for m in order])


def trend_units_frame(trend, names: Mapping[str, str], lang: str = "vi",
                      confidence: float | None = None, measure: str = INDEX) -> pd.DataFrame:
    """Every unit's overall index in each round and its last change, as text.

    Parameters
    ----------
    trend
        A :class:`hailong.numbers.rounds.Trend`.
    names
        ``{code: label}`` of the rows, in order (put ``"city"`` last for a total row).
    """
    check_lang(lang)
    rows = trend.table[trend.table["measure"] == measure]
    rounds, before = _trend_span(trend.table)
    lvl = level(confidence, lang)
    return pd.DataFrame([{t("col_unit", lang): name,
                          **_trend_cells(rows[rows["unit"] == str(code)], rounds, before,
                                         lang, lvl)} for code, name in names.items()])
