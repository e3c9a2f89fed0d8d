"""The administrative form of a report (Nghị định 30/2020/NĐ-CP) and the Alliance's words.

A report is a document of the Alliance: its first page carries the national name and
motto (top right), the parent and issuing bodies with the document number (top left) and
the place and date line (:func:`heading_html`); its body ends with the Alliance's own
"Kết luận và kiến nghị" (:func:`conclusions_html`, from a Markdown file named by the
configuration), then the recipients ("Nơi nhận:") and the signer's block
(:func:`signature_html`). Until the configuration marks a report issued, a "DỰ THẢO" mark
says it is a draft. Everything that varies (bodies, number, place, date, recipients,
signer, issued) is configuration (``document:`` and ``rounds.<year>.document`` in
``data/hailong.yaml``); the fixed phrases are in the message catalogue.

English reports keep the same form with the English equivalents customary for translations
of Vietnamese official documents ("SOCIALIST REPUBLIC OF VIETNAM", "Independence – Freedom
– Happiness", "No.: 15/BC-LMHTX", "Hai Phong, 15 June 2023").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from hailong.core.safetext import html_text
from hailong.core.text import nfc
from hailong.present import fmt
from hailong.reference.config import Config, load_config

#: Output metadata of the official heading: the report template places it at the top of
#: the title block (the cover when printed) instead of in the flow.
HEADING_ROLE = "official-heading"
#: ``display(HTML(official_heading(doc)), metadata=OFFICIAL_HEADING)``
OFFICIAL_HEADING = {"hailong": HEADING_ROLE}


@dataclass(frozen=True)
class Document:
    """What the official form of one report says (read from the configuration).

    Attributes
    ----------
    unit
        The report's unit code (``"city"`` for the citywide report).
    parent_body, issuing_body
        Upper-case names of the parent body and of the issuing body ("" when not set).
    number, symbol
        The document number ("" leaves it blank) and its ký hiệu ("BC-LMHTX").
    place, date
        The place of the date line and the signing date (``None``: left blank).
    recipients
        The "Nơi nhận:" lines.
    signer_title, signer_name
        The signer's title and name ("" leaves the name to be written).
    issued
        False: the report is a draft ("DỰ THẢO").
    conclusions
        The Alliance's "Kết luận và kiến nghị" (Markdown), or ``None`` when the
        report has no such file (an English report reads ``<unit>.en.md``).
    conclusions_path
        Where that file is (or would be).
    """

    unit: str
    parent_body: str = ""
    issuing_body: str = ""
    number: str = ""
    symbol: str = ""
    place: str = ""
    date: dt.date | None = None
    recipients: tuple[str, ...] = field(default_factory=tuple)
    signer_title: str = ""
    signer_name: str = ""
    issued: bool = False
    conclusions: str | None = None
    conclusions_path: Path | None = None


def document(config: Config | str | Path | None, year: int, unit: str,
             lang: str = "vi") -> Document:
    """The official form of the report of ``unit`` in round ``year``, in ``lang``.

    Parameters
    ----------
    config
        The configuration, or its file (``None``: the default one).
    year, unit
        The round and the report's unit (``"city"`` for the citywide report).
    """
    fmt.check_lang(lang)
    cfg = config if isinstance(config, Config) else load_config(config)
    d = cfg.document
    unit = str(unit).strip()
    path = cfg.conclusions_path(year, unit, lang)
    text = path.read_text(encoding="utf-8") if path is not None and path.is_file() else None

    def pick(texts: dict) -> str:
        return nfc(str(texts.get(lang) or texts.get("vi") or ""))

    return Document(
        unit=unit, parent_body=pick(d.parent_body), issuing_body=pick(d.issuing_body),
        number=cfg.document_number(year, unit), symbol=d.symbol, place=pick(d.place),
        date=cfg.round(year).document.date,
        recipients=tuple(nfc(x) for x in d.recipients.get(lang) or d.recipients.get("vi", ())),
        signer_title=pick(d.signer_title), signer_name=nfc(d.signer_name),
        issued=cfg.issued(year, unit),
        conclusions=nfc(text) if text is not None and text.strip() else None,
        conclusions_path=path)


def number_line(doc: Document, lang: str = "vi") -> str:
    """"Số: 15/BC-LMHTX"; without a number, room to write it in ("Số:      /BC-LMHTX")."""
    number = doc.number or "\u00a0" * 6
    return fmt.t("doc_number", lang, number=number, symbol=doc.symbol).rstrip("/")


def date_line(doc: Document, lang: str = "vi") -> str:
    """"Hải Phòng, ngày 15 tháng 6 năm 2023" (blank when the date is not configured:
    "Hải Phòng, ngày … tháng … năm …")."""
    if doc.date is None:
        return fmt.t("doc_date_blank", lang, place=doc.place)
    d = doc.date
    if lang == "en":
        return fmt.t("doc_date", lang, place=doc.place, when=fmt.date(d, lang))
    # Nghị định 30: days below 10 and months below 3 get a leading zero
    when = fmt.t("doc_day", lang, day=f"{d.day:02d}",
                 month=f"{d.month:02d}" if d.month < 3 else str(d.month), year=d.year)
    return fmt.t("doc_date", lang, place=doc.place, when=when)


def draft_mark(doc: Document, lang: str = "vi") -> str:
    """The "DỰ THẢO" mark of a report not yet issued (HTML), ``""`` once issued."""
    if doc.issued:
        return ""
    return f'<p class="draft-mark">{html_text(fmt.t("doc_draft", lang))}</p>'


def heading_html(doc: Document, lang: str = "vi") -> str:
    """The document's heading (HTML): bodies and number on the left; national name,
    motto (underlined) and the place and date line on the right; the draft mark."""
    fmt.check_lang(lang)
    left = "".join(f'<p class="{cls}">{html_text(text)}</p>' for cls, text in (
        ("parent-body", doc.parent_body), ("issuing-body", doc.issuing_body)) if text)
    left += f'<p class="doc-number">{html_text(number_line(doc, lang))}</p>'
    right = (f'<p class="nation">{html_text(fmt.t("doc_nation", lang))}</p>'
             f'<p class="motto"><span>{html_text(fmt.t("doc_motto", lang))}</span></p>'
             f'<p class="doc-date">{html_text(date_line(doc, lang))}</p>')
    return nfc(f'<div class="official-heading"><div class="body-side">{left}</div>'
               f'<div class="nation-side">{right}</div></div>{draft_mark(doc, lang)}')


def signature_html(doc: Document, lang: str = "vi") -> str:
    """The end of the document (HTML): "Nơi nhận:" and its lines (left, small); the
    signer's title, "(ký, ghi rõ họ tên)" and name (right)."""
    fmt.check_lang(lang)
    items = "".join(f"<li>{html_text(x)}</li>" for x in doc.recipients)
    left = (f'<p class="recipients-head">{html_text(fmt.t("doc_recipients", lang))}</p>'
            f"<ul>{items}</ul>") if items else ""
    name = (f'<p class="signer-name">{html_text(doc.signer_name)}</p>' if doc.signer_name
            else '<p class="signer-name signer-blank">\u00a0</p>')
    right = (f'<p class="signer-title">{html_text(doc.signer_title)}</p>'
             f'<p class="signer-note">{html_text(fmt.t("doc_sign_note", lang))}</p>{name}')
    return nfc(f'<div class="signature-block"><div class="recipients">{left}</div>'
               f'<div class="signer">{right}</div></div>')


def has_conclusions(doc: Document) -> bool:
    """Whether the report has the Alliance's "Kết luận và kiến nghị"."""
    return doc.conclusions is not None


_HEADING = re.compile(r"<(/?)h([1-6])>")


def conclusions_html(doc: Document, lang: str = "vi") -> str:
    """The Alliance's conclusions as HTML, ``""`` when there are none.

    The file is Markdown written by staff; HTML typed in it is shown as text (escaped),
    links to anything but the web or mail are dropped (mistune's safe URLs), and its
    headings sit under the section's (``#`` and ``##`` become ``<h3>``).
    """
    fmt.check_lang(lang)
    if doc.conclusions is None:
        return ""
    import mistune

    render = mistune.create_markdown(escape=True, plugins=["strikethrough", "table"])
    body = _HEADING.sub(lambda m: f"<{m.group(1)}h{max(int(m.group(2)), 3)}>",
                        render(doc.conclusions))
    return nfc(f'<div class="conclusions">{body}</div>')


def closing_html(doc: Document, lang: str = "vi") -> str:
    """The end of the report's body (HTML): the Alliance's conclusions, if any, then the
    recipients and the signer (:func:`signature_html`). The conclusions' last block and
    the signature are one box that is never split (``.keep-together``), so that the
    signature never stands alone at the top of a page."""
    from bs4 import BeautifulSoup

    signature = signature_html(doc, lang)
    said = conclusions_html(doc, lang)
    if not said:
        return signature
    soup = BeautifulSoup(said, "html.parser")
    box = soup.find("div", class_="conclusions")
    blocks = [n for n in box.contents if getattr(n, "name", None)]
    keep = soup.new_tag("div", attrs={"class": "keep-together"})
    blocks[-1].wrap(keep)
    keep.append(BeautifulSoup(signature, "html.parser"))
    return nfc(str(soup))
