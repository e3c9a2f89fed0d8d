"""Printed questionnaires for the working group's visits (INTERNAL).

For every cooperative of a unit that has not answered, one A4 questionnaire made from the
round's codebook: the Alliance's heading, the round, every question with its number and
one answer box per point of the codebook's scale (and "Không ý kiến"), the open questions
with room to write, a header pre-filled with the cooperative's name, code, commune and
district, a visit block (visited by, date, how, signatures) and a QR code carrying the
round and the cooperative's code (:func:`qr_payload`), from which entry can start. A
cooperative gets the questions of its variant (its sector's); the blank questionnaire
(no cooperative) has them all, each restricted question saying whom it is for.

One HTML page and its PDF per unit (a page break between cooperatives), under
``<out>/<year>/internal/`` (never linked from the public index), marked NỘI BỘ: the
header names the cooperative.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import segno

from hailong.core.errors import ParameterError
from hailong.core.files import atomic_write, make_dir
from hailong.core.safetext import html_text
from hailong.core.text import nfc
from hailong.numbers import coverage as cov
from hailong.present import fmt
from hailong.publish.followup import followup_lists, internal_dir
from hailong.reference.codebook import Codebook, Item

__all__ = ["QR_PREFIX", "Sheet", "qr_payload", "read_payload", "sheets_to_print", "search",
           "questionnaire_html", "write_questionnaires", "BLANK"]

#: First field of the QR code's text: ``HAILONG:<year>:<coop_id>``.
QR_PREFIX = "HAILONG"
#: The name of the blank questionnaire's files (``phieu-khao-sat-trang.pdf``).
BLANK = "trang"
#: File name of a unit's questionnaires, before the language suffix.
_FILE_STEM = "phieu-khao-sat-{unit}"
#: Ruled lines left for each open question, and for the other remarks.
OPEN_LINES = 3
_PAYLOAD = re.compile(rf"^{QR_PREFIX}:(\d{{4}}):(\S+)$")


@dataclass(frozen=True)
class Sheet:
    """What one printed questionnaire is pre-filled with (all empty: the blank one).

    ``variant`` selects the questions (empty: every question, each restricted one saying
    whom it is for).
    """

    coop_id: str = ""
    coop_name: str = ""
    commune: str = ""
    unit: str = ""
    sector: str = ""
    variant: str = ""


def qr_payload(year: int, coop_id: str) -> str:
    """The text of a sheet's QR code: ``HAILONG:<year>:<coop_id>``."""
    return f"{QR_PREFIX}:{int(year)}:{coop_id}"


def read_payload(text: str) -> tuple[int, str] | None:
    """``(year, coop_id)`` of a scanned QR text, or None if it is not one of ours."""
    m = _PAYLOAD.match(str(text).strip())
    return (int(m.group(1)), m.group(2)) if m else None


def _qr_svg(payload: str) -> str:
    """The QR code as inline SVG (error correction M, about 22 mm square in print)."""
    return segno.make(payload, error="m", micro=False).svg_inline(
        scale=3, border=2, dark="#000", light="#fff", omitsize=False)


def sheets_to_print(data: cov.ProgressData, unit: str | None = None, as_of: object = None,
                    lang: str = "vi") -> dict[str, list[Sheet]]:
    """The cooperatives to visit, by unit: those not answered by the end of ``as_of``
    (default: the day of the last submission).

    Raises
    ------
    ParameterError
        If ``unit`` is not a unit of the round's level.
    """
    day = cov.as_of_date(as_of, default=data.data_date)
    lists = followup_lists(data, day, lang)
    if unit is not None:
        if str(unit) not in lists:
            raise ParameterError("err.unknown_unit_code", found=unit, expected="exp.one_of",
                                 valid=", ".join(lists))
        lists = {str(unit): lists[str(unit)]}
    sector = dict(zip(data.roster["coop_id"].astype(str), data.roster["sector"].astype(str)))
    out = {}
    for code, frame in lists.items():
        name = data.units.name(code)
        out[code] = [Sheet(coop_id=str(r.coop_id), coop_name=str(r.coop_name),
                           commune=str(r.commune or ""), unit=name, sector=str(r.sector),
                           variant=_variant(data.codebook, sector.get(str(r.coop_id), "")))
                     for r in frame.itertuples(index=False)]
    return out


def search(sheets: Iterable[Sheet], query: str = "") -> list[Sheet]:
    """The sheets whose cooperative's name, code or commune contains ``query``, ignoring
    case and diacritics ("cat hai" finds "Cát Hải"); all of them for an empty query."""
    words = fmt.ascii_name(nfc(str(query or ""))).casefold().split()
    out = []
    for s in sheets:
        hay = fmt.ascii_name(f"{s.coop_name} {s.coop_id} {s.commune}").casefold()
        if all(w in hay for w in words):
            out.append(s)
    return out


def _variant(codebook: Codebook, sector: str) -> str:
    try:
        return codebook.variant_of_sector(sector)
    except KeyError:  # a sector the codebook does not know: every question
        return ""


def _boxes(labels: Sequence[str]) -> str:
    return "".join(f'<td class="box"><span aria-label="{html_text(lb)}">☐</span></td>'
                   for lb in labels)


def _for_whom(item: Item, codebook: Codebook, lang: str) -> str:
    if set(item.variants) >= set(codebook.variants):
        return ""
    whom = ", ".join(codebook.variants[v][lang] for v in item.variants)
    return f'<br><span class="whom">{html_text(fmt.t("q_only_for", lang, whom=whom))}</span>'


def _item_row(item: Item, codebook: Codebook, labels: Sequence[str], lang: str,
              blank: bool) -> str:
    whom = _for_whom(item, codebook, lang) if blank else ""
    return (f'<tr><th scope="row" class="num">{html_text(item.number)}</th>'
            f"<td>{html_text(item.text(lang))}{whom}</td>{_boxes(labels)}</tr>")


def _lines(n: int) -> str:
    return '<div class="lines">' + '<div class="line"></div>' * n + "</div>"


def _fields(pairs: Sequence[tuple[str, str, str]]) -> str:
    """One row of the header: ``(label, pre-filled value, class)`` pairs; a lone pair
    spans the row."""
    span = ' colspan="3"' if len(pairs) == 1 else ""
    cells = "".join(f'<th scope="row">{html_text(label)}</th>'
                    f'<td class="fill{(" " + cls) if cls else ""}"{span}>'
                    f'{html_text(value) if value else ""}</td>' for label, value, cls in pairs)
    return f"<tr>{cells}</tr>"


def _sheet_html(codebook: Codebook, year: int, organisation: str, sheet: Sheet,
                lang: str, unit_word: str) -> str:
    """One cooperative's questionnaire (or the blank one) as an HTML ``<section>``."""
    blank = not sheet.coop_id
    variant = sheet.variant
    labels = [codebook.scale.label(v, lang) for v in codebook.scale.labels]
    no_opinion = codebook.no_opinion_label(lang)
    head_cells = "".join(f'<th scope="col" class="box">{html_text(lb)}</th>'
                         for lb in [*labels, no_opinion])
    asked = [it for it in codebook.items if not variant or variant in it.variants]
    parts = [f'<section class="sheet" data-coop="{html_text(sheet.coop_id)}">',
             '<header class="top"><div class="org">',
             f"<p>{html_text(organisation.upper())}</p>",
             f'<p class="mark">{html_text(fmt.t("internal_mark", lang))}</p></div>']
    if blank:
        parts.append('<div class="qr blank"></div>')
    else:
        payload = qr_payload(year, sheet.coop_id)
        parts.append(f'<figure class="qr">{_qr_svg(payload)}'
                     f"<figcaption>{html_text(sheet.coop_id)}</figcaption></figure>")
    parts.append("</header>")
    parts.append(f"<h1>{html_text(nfc(codebook.title[lang] or codebook.title['vi']))}</h1>")
    parts.append(f'<p class="round">{html_text(fmt.t("q_round", lang, year=year))}</p>')
    parts.append('<table class="who">')
    parts.append(_fields([(fmt.t("col_coop_name", lang), sheet.coop_name, "")]))
    parts.append(_fields([(fmt.t("col_coop_id", lang), sheet.coop_id, "code"),
                          (fmt.t("col_sector", lang), sheet.sector, "")]))
    parts.append(_fields([(fmt.t("col_commune", lang), sheet.commune, ""),
                          (unit_word, sheet.unit, "")]))
    parts.append(_fields([(fmt.t("q_respondent", lang), "", ""),
                          (fmt.t("q_respondent_phone", lang), "", "")]))
    parts.append("</table>")
    parts.append(f'<p class="how">{html_text(fmt.t("q_how_to_answer", lang))}</p>')
    parts.append('<table class="items">')
    parts.append(f'<thead><tr><th scope="col" class="num">{html_text(fmt.t("q_no", lang))}'
                 f'</th><th scope="col">{html_text(fmt.t("q_question", lang))}</th>'
                 f"{head_cells}</tr></thead>")
    for dim in codebook.dimensions:
        items = [it for it in dim.items if it in asked]
        if not items:
            continue
        parts.append(f'<tbody><tr class="dim"><th scope="rowgroup" colspan="{len(labels) + 3}">'
                     f"{html_text(dim.text(lang))}</th></tr>")
        parts += [_item_row(it, codebook, [*labels, no_opinion], lang, blank) for it in items]
        parts.append("</tbody>")
    parts.append(f'<tbody><tr class="dim"><th scope="rowgroup" colspan="{len(labels) + 3}">'
                 f'{html_text(fmt.t("q_overall", lang))}</th></tr>')
    parts.append(_item_row(codebook.overall, codebook, [*labels, no_opinion], lang, blank))
    parts.append("</tbody></table>")
    for q in codebook.open_questions:
        parts.append(f'<div class="open"><p><b>{html_text(q.number)}.</b> '
                     f"{html_text(q.text(lang))}</p>{_lines(OPEN_LINES)}</div>")
    parts.append(f'<div class="visit"><h2>{html_text(fmt.t("q_visit", lang))}</h2>'
                 '<table class="who">')
    parts.append(_fields([(fmt.t("q_visited_by", lang), "", ""),
                          (fmt.t("q_visit_date", lang), "", "")]))
    ways = "".join(f'<span class="way">☐ {html_text(fmt.t(k, lang))}</span>'
                   for k in ("q_way_paper", "q_way_onsite", "q_way_phone"))
    parts.append(f'<tr><th scope="row">{html_text(fmt.t("q_way", lang))}</th>'
                 f'<td colspan="3">{ways}</td></tr></table>')
    parts.append('<table class="sign"><tr>'
                 f'<td><b>{html_text(fmt.t("q_sign_coop", lang))}</b><br>'
                 f'<i>{html_text(fmt.t("q_sign_hint", lang))}</i></td>'
                 f'<td><b>{html_text(fmt.t("q_sign_visitor", lang))}</b><br>'
                 f'<i>{html_text(fmt.t("q_sign_hint", lang))}</i></td></tr></table></div>')
    parts.append("</section>")
    return "".join(parts)


_CSS = """
@page{size:A4;margin:14mm 14mm 14mm 16mm}
body{font-family:'Noto Serif','DejaVu Serif','Times New Roman',serif;font-size:10.5pt;
  color:#000;margin:0}
.sheet{break-after:page}.sheet:last-child{break-after:auto}
.top{display:flex;justify-content:space-between;align-items:flex-start}
.org p{margin:0;font-weight:bold}.org .mark{color:#b00000;margin-top:.3em}
.qr{margin:0;text-align:center;font-size:8.5pt}.qr svg{width:22mm;height:22mm;display:block}
.qr.blank{width:22mm;height:22mm}
h1{font-size:13pt;text-align:center;margin:.6em 0 .1em;text-transform:uppercase}
.round{text-align:center;margin:0 0 .6em}
h2{font-size:11pt;margin:.8em 0 .3em}
table{border-collapse:collapse;width:100%}
.who th{text-align:left;font-weight:normal;white-space:nowrap;padding:4px 6px 2px 0;width:1%}
.who td.fill{border-bottom:1px dotted #000;padding:4px 8px 2px 2px;font-weight:bold}
.who td{padding:4px 2px 2px}.way{white-space:nowrap;margin-right:1.2em}
.how{font-style:italic;margin:.6em 0 .3em}
.items{font-size:9pt}.items thead{display:table-header-group}
.items th,.items td{border:1px solid #000;padding:1.5px 3px;vertical-align:middle}
.items thead th{font-size:7.5pt;font-weight:bold;text-align:center}
.items th.num{width:2.6em;text-align:center;font-weight:normal}
.items td.box,.items th.box{width:3em;text-align:center}
.items td.box span{font-size:13pt;line-height:1}
.items tr,.items tbody{break-inside:avoid}
.items tr.dim th{text-align:left;background:#eee;font-weight:bold}
.whom{font-size:8pt;font-style:italic}
.open{break-inside:avoid;margin-top:.6em}.open p{margin:.2em 0}
.line{border-bottom:1px dotted #000;height:7mm}
.visit{break-inside:avoid}
.sign{margin-top:.6em}.sign td{width:50%;text-align:center;vertical-align:top;height:20mm}
"""


def questionnaire_html(codebook: Codebook, year: int, organisation: str,
                       sheets: Iterable[Sheet], lang: str = "vi", title: str = "",
                       unit_word: str | None = None) -> str:
    """A self-contained page of questionnaires, one per sheet (no script, no link)."""
    fmt.check_lang(lang)
    word = unit_word or fmt.unit_words("district", lang)["Unit_sg"]
    body = "".join(_sheet_html(codebook, year, organisation, s, lang, word) for s in sheets)
    mark = fmt.t("internal_mark", lang)
    return nfc(f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
               '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
               'style-src \'unsafe-inline\'; img-src data:">'
               '<meta name="robots" content="noindex,nofollow">'
               f"<title>{html_text(mark)} · {html_text(title)}</title><style>{_CSS}</style>"
               f"</head><body>{body}</body></html>\n")


def write_questionnaires(data: cov.ProgressData, unit: str | None = None,
                         out: str | Path | None = None, as_of: object = None,
                         lang: str = "vi", blank: bool = True,
                         pdf: bool = True) -> dict[str, Path]:
    """Write the questionnaires of every unit (or ``unit``) and the blank one.

    Files: ``<out>/<year>/internal/phieu-khao-sat-<unit>.html`` and ``.pdf`` (one per
    unit with cooperatives to visit), ``phieu-khao-sat-trang.*`` (the blank one).

    Returns
    -------
    dict
        ``{unit code or "trang": path}``: the PDF (the HTML when ``pdf`` is False).

    Raises
    ------
    ParameterError
        If ``unit`` is not a unit of the round.
    PdfUnavailable
        If a PDF is asked for and Chromium is missing (it says what to install).
    """
    fmt.check_lang(lang)
    todo = sheets_to_print(data, unit, as_of, lang)
    organisation = data.config.organisation.get(lang) or data.config.organisation.get("vi", "")
    word = fmt.unit_words(data.round.unit_level, lang)["Unit_sg"]
    folder = make_dir(internal_dir(out, data.round.year), private=True)  # names, codes
    suffix = "" if lang == "vi" else f".{lang}"
    pages: dict[str, Path] = {}
    for code, sheets in todo.items():
        if not sheets:
            continue
        title = fmt.t("q_title", lang, unit=data.units.name(code))
        page = questionnaire_html(data.codebook, data.round.year, organisation, sheets,
                                  lang, title, word)
        pages[code] = atomic_write(folder / (_FILE_STEM.format(unit=code) + suffix + ".html"),
                                   page, private=True)
    if blank:
        page = questionnaire_html(data.codebook, data.round.year, organisation, [Sheet()],
                                  lang, fmt.t("q_title_blank", lang), word)
        pages[BLANK] = atomic_write(folder / (_FILE_STEM.format(unit=BLANK) + suffix + ".html"),
                                    page, private=True)
    if not pdf:
        return pages
    from hailong.publish.pdf import PdfRenderer

    with PdfRenderer() as renderer:
        return {key: renderer.render(html, html.with_suffix(".pdf"))
                for key, html in pages.items()}


def sheet_counts(written: Mapping[str, Path], todo: Mapping[str, list[Sheet]]
                 ) -> pd.DataFrame:
    """How many sheets each written file holds (for the command's summary)."""
    return pd.DataFrame([{"unit": k, "sheets": len(todo.get(k, [])) if k != BLANK else 1,
                          "file": str(p)} for k, p in written.items()])
