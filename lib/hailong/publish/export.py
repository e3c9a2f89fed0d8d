"""Executed notebooks -> self-contained HTML pages, and the index page of a round.

Every page is one HTML5 file a reader can open offline or print: inline CSS, images as
base64 data URIs, no external script, font or stylesheet, no code and no prompts. The
nbconvert exporter is made once per process (the first one costs ~1 s, later ones ~10 ms).

A report page reads like a report: a title block (organisation, title, unit, round, date
of the data) that prints as the cover, the opening paragraph, the key figures in a box,
a table of contents built from the section headings, then one ``<section>`` per heading.
nbconvert renders the outputs flat (template ``hailong_report``); :func:`polish` then
arranges them (no JavaScript: the page is complete as written). The print stylesheet
makes the same page the PDF (:mod:`hailong.publish.pdf`).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from hailong.core.files import atomic_write
from hailong.core.version import __version__
from hailong.present.fmt import SUPPRESSED, ascii_name, check_lang, number, t, withheld_note
from hailong.present.fmt import date as fmt_date
from hailong.publish.base import ReportWriter
from hailong.publish.paths import INTERNAL_DIR

#: Templates and the stylesheet shipped with the package.
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The nbconvert template (a folder of TEMPLATES) used for reports.
REPORT_TEMPLATE = "hailong_report"
#: Folder of outputs that are never published (never linked from the index).

#: The Content-Security-Policy of every published page (a ``<meta>`` in its head): no
#: script and no request leaves the page (images and fonts only as ``data:`` URIs, styles
#: only inline), so a slip in escaping respondents' text stays inert.
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
       "base-uri 'none'; form-action 'none'")
#: Cell tags whose cells are papermill's error banners (only in failed notebooks).
_DROP_TAGS = {"papermill-error-cell-tag"}
#: Image outputs, and the alternative text of one that has none.
_IMAGE_TYPES = {"image/png", "image/jpeg", "image/svg+xml"}
#: Fixed phrases of the index page and of a report page's frame (title block, contents,
#: footer): message keys ``index_<name>`` and ``page_<name>`` of the catalogue.
_INDEX_KEYS = ("code", "unit", "updated", "data_date", "built_at", "none", "headline",
               "downloads", "workbook")
_PAGE_KEYS = ("unit", "period", "data_date", "toc", "page", "made_by", "chart", "table",
              "chart_data")


def index_text(lang: str = "vi") -> dict[str, str]:
    """The index page's fixed phrases in ``lang`` (its title: message ``index_title``)."""
    return {k: t(f"index_{k}", check_lang(lang)) for k in _INDEX_KEYS}


def _page_text(lang: str) -> dict[str, str]:
    return {k: t(f"page_{k}", check_lang(lang)) for k in _PAGE_KEYS}


@dataclass(frozen=True)
class ReportInfo:
    """What a report's title block (and the PDF's cover) says besides the title.

    Attributes
    ----------
    organisation
        The publishing organisation ("Liên minh Hợp tác xã thành phố Hải Phòng").
    unit
        The unit as a reader names it ("Huyện Thuỷ Nguyên").
    period
        The survey round as a reader names it ("Năm 2022").
    data_date
        The date of the newest data in the report (last accepted submission).
    """

    organisation: str = ""
    unit: str = ""
    period: str = ""
    data_date: dt.date | None = None

    def facts(self, lang: str = "vi") -> list[tuple[str, str]]:
        """``[(label, value)]`` of the title block, only those that are known."""
        text = _page_text(lang)
        out = [(text["unit"], self.unit), (text["period"], self.period),
               (text["data_date"], fmt_date(self.data_date, lang) if self.data_date else "")]
        return [(label, value) for label, value in out if value]


@dataclass(frozen=True)
class IndexEntry:
    """One report listed on the index page.

    Attributes
    ----------
    unit
        Unit code, or ``"city"`` for the citywide report.
    name
        What the reader sees (e.g. ``"Huyện Thuỷ Nguyên"``).
    href
        Link relative to the index page (e.g. ``"311.html"``).
    updated
        When the report file was written, if known.
    pdf_href
        Link to the report's PDF, if there is one.
    headline
        The unit's satisfaction index (0–100) as computed, NaN when withheld (shown as
        "—"), ``None`` when the report has none; formatted by :func:`hailong.present.fmt.number`.
    """

    unit: str
    name: str
    href: str
    updated: dt.datetime | None = None
    pdf_href: str | None = None
    headline: float | None = None


def format_datetime(value: dt.datetime, lang: str = "vi") -> str:
    """``16/05/2023 14:05`` (vi) / ``16 May 2023 14:05`` (en)."""
    return f"{fmt_date(value, lang)} {value:%H:%M}"


@functools.lru_cache(maxsize=1)
def stylesheet() -> str:
    """The CSS shared by the reports and the index page."""
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _exporter():
    """nbconvert's HTML exporter with hailong's template, made once per process."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=REPORT_TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def _default_alt(output: nbformat.NotebookNode, alt: str) -> None:
    """Give an image output that has no alternative text the generic ``alt``."""
    for mime in _IMAGE_TYPES & set(output.get("data", {})):
        meta = output.setdefault("metadata", {})
        if not meta.get("alt") and not (meta.get(mime) or {}).get("alt"):
            meta.setdefault(mime, {})["alt"] = alt


def reader_view(nb: nbformat.NotebookNode, lang: str = "vi") -> nbformat.NotebookNode:
    """The cells a reader should see: no stderr streams, no empty code cells.

    Warnings go to stderr; a code cell with nothing left to show would only add an
    empty box. papermill's error banners are dropped too. Images without alternative
    text get a generic one in the page's language (a chart should set its own).
    """
    cells = []
    for cell in nb.cells:
        if _DROP_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.output_type == "stream" and o.get("name") == "stderr")]
            if not cell.outputs:
                continue
            for output in cell.outputs:
                _default_alt(output, t("page_chart", lang))
        cells.append(cell)
    nb.cells = cells
    return nb


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal (for ``content:`` in the page margins)."""
    text = re.sub(r"[\x00-\x1f]+", " ", text)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_css(title: str, organisation: str = "", lang: str = "vi") -> str:
    """The print margins of one report: title top left, organisation bottom left, page
    numbers ("Trang 2/7") bottom right; none on the cover (named page ``cover``)."""
    word = t("page_page", check_lang(lang))
    box = 'font-family: "Noto Sans", "DejaVu Sans", sans-serif; font-size: 8pt; color: #52606d;'
    return (f"@page {{\n"
            f"  @top-left {{ content: {_css_string(title)}; {box} }}\n"
            f"  @bottom-left {{ content: {_css_string(organisation)}; {box} }}\n"
            f'  @bottom-right {{ content: "{word} " counter(page) "/" counter(pages); {box} }}\n'
            f"}}\n"
            # Chromium lets the later rule win for margin boxes: the cover's comes last.
            f"@page cover {{ @top-left {{ content: none; }} @bottom-left {{ content: none; }}"
            f" @bottom-right {{ content: none; }} }}")


def export_html(executed_ipynb: Path, html_path: Path, title: str, lang: str = "vi",
                info: ReportInfo | None = None) -> Path:
    """Write the reader's HTML page of an executed notebook.

    Parameters
    ----------
    executed_ipynb
        The notebook papermill wrote.
    html_path
        Where the page goes (written atomically).
    title
        The report's title (``<title>``, the title block's heading and the running
        header of printed pages). The notebook's own first ``#`` heading, if any, gives
        way to it; the italic line under that heading becomes the title block's subtitle.
    lang
        Language of the page (``<html lang=...>``): ``"vi"`` or ``"en"``.
    info
        Organisation, unit, round and date of the data for the title block / cover.

    Returns
    -------
    Path
        ``html_path``.
    """
    check_lang(lang)
    info = info or ReportInfo()
    nb = reader_view(nbformat.read(str(executed_ipynb), as_version=4), lang)
    text = _page_text(lang)
    # the generator's name and version are in the report's appendix, not here
    footer = " · ".join(x for x in (
        info.organisation,
        f"{text['data_date']} {fmt_date(info.data_date, lang)}" if info.data_date else "")
        if x)
    resources = {"hailong": {
        "title": title, "lang": lang, "css": stylesheet(), "version": __version__, "csp": CSP,
        "page_css": page_css(title, info.organisation, lang), "subtitle": "",
        "info": {"organisation": info.organisation, "facts": info.facts(lang)},
        "footer": footer, "chart_data": text["chart_data"]}}
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return atomic_write(Path(html_path), polish(body, lang, organisation=info.organisation))


# ------------------------------------------------------------------ page structure
#: Classes of a table (or its box) that mark the key figures (otherwise found by the
#: heading ``fmt.t("sec_key_figures")``).
KEY_FIGURES_CLASS = "key-figures"


def _formatter():
    """bs4 output as HTML5 (``<meta ...>``), escaping only ``& < >`` (text stays UTF-8),
    attributes in the order they were written."""
    from bs4.dammit import EntitySubstitution
    from bs4.formatter import HTMLFormatter

    class _Formatter(HTMLFormatter):
        def attributes(self, tag):
            return list(tag.attrs.items())

    return _Formatter(entity_substitution=EntitySubstitution.substitute_xml,
                      void_element_close_prefix="", empty_attributes_are_booleans=True)


def _slug(text: str, taken: set[str]) -> str:
    """An ASCII id for a heading: "Phương pháp tính" -> "phuong-phap-tinh" (unique)."""
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name(text).lower()).strip("-") or "muc"
    slug, k = base, 2
    while slug in taken:
        slug, k = f"{base}-{k}", k + 1
    taken.add(slug)
    return slug


def _heading_text(tag) -> str:
    return " ".join(tag.get_text(" ", strip=True).split())


def polish(page: str, lang: str = "vi", organisation: str = "") -> str:
    """Arrange nbconvert's flat report page as a report.

    - the notebook's first ``<h1>`` (before any section) gives way to the title block
      (which has the same title); the italic line under it becomes the subtitle (without
      a trailing " · organisation" already shown above it);
    - nbconvert's heading anchors ("¶") go; every table sits in a ``.table-wrap`` box;
    - what comes before the first ``<h2>`` is the lead; every ``<h2>`` opens a
      ``<section class="section" id=...>``; the key figures section (its heading is
      ``fmt.t("sec_key_figures")`` or it holds a ``.key-figures`` table) gets class
      ``key-figures``, the method section (``fmt.t("sec_method")``) class ``appendix``
      (printed on a page of its own) unless it is the only section;
    - a table of contents (``<nav class="toc">``) of the sections follows the lead and
      the key figures, when there are at least two sections.
    """
    from bs4 import BeautifulSoup

    check_lang(lang)
    soup = BeautifulSoup(page, "html.parser")
    main = soup.find("main")
    if main is None:
        return page
    for anchor in soup.select("a.anchor-link"):
        anchor.decompose()
    for table in main.find_all("table"):
        if table.parent is not None and "table-wrap" not in (table.parent.get("class") or []):
            box = soup.new_tag("div", attrs={"class": "table-wrap"})
            table.wrap(box)

    nodes = [n for n in main.contents if not (isinstance(n, str) and not n.strip())]
    # the notebook's title -> the title block
    first = next((n for n in nodes if getattr(n, "name", None)), None)
    if first is not None and first.name == "h1":
        nodes.remove(first)
        nxt = next((n for n in nodes if getattr(n, "name", None)), None)
        if nxt is not None and nxt.name == "p" and _only_emphasis(nxt):
            sub = _heading_text(nxt)
            if organisation and sub.endswith(f" · {organisation}"):
                sub = sub[: -len(f" · {organisation}")]
            target = soup.select_one("header.title-block .subtitle")
            if target is not None:
                target.string = sub
            nodes.remove(nxt)
            nxt.decompose()
        first.decompose()
    for node in main.contents[:]:
        node.extract()

    key_title, method_title = t("sec_key_figures", lang), t("sec_method", lang)
    taken: set[str] = set()
    lead = soup.new_tag("div", attrs={"class": "lead"})
    sections, current = [], lead
    for node in nodes:
        if getattr(node, "name", None) == "h2":
            text = _heading_text(node)
            node.attrs.pop("id", None)
            classes = ["section"]
            if text == key_title:
                classes.append("key-figures")
            elif text == method_title and any(
                    "key-figures" not in sec["class"] for _, sec in sections):
                classes.append("appendix")  # a page of its own, after other sections
            current = soup.new_tag("section", attrs={"class": " ".join(classes),
                                                     "id": _slug(text, taken)})
            sections.append((text, current))
        current.append(node)
    for _, sec in sections:
        marked = sec.select_one(f"table.{KEY_FIGURES_CLASS}, .{KEY_FIGURES_CLASS} table")
        if marked is not None and KEY_FIGURES_CLASS not in sec["class"]:
            sec["class"] = [*sec["class"], KEY_FIGURES_CLASS]
    if lead.contents:
        main.append(lead)
    toc_after = [sec for _, sec in sections if KEY_FIGURES_CLASS in sec["class"]][:1]
    listed = [(text, sec) for text, sec in sections if KEY_FIGURES_CLASS not in sec["class"]]
    toc = _toc(soup, listed, lang) if len(listed) >= 2 else None
    for _, sec in sections:
        main.append(sec)
        if toc is not None and toc_after and sec is toc_after[0]:
            sec.insert_after(toc)
    if toc is not None and not toc_after:
        (lead.insert_after(toc) if lead.parent is main else main.insert(0, toc))
    for heading in main.find_all(["h1", "h3", "h4"]):
        heading.attrs.pop("id", None)
    _heading_order(soup)
    _accessible_tables(soup, main, lang)
    return soup.decode(formatter=_formatter())


# ------------------------------------------------------------------ phone and accessibility
#: Columns a reader looks for first (message keys of their headers): on a phone, where a
#: table becomes one card per row, they come first in the card, after the row's name.
KEY_COLUMNS = ("col_index", "col_tier", "col_vs_city", "col_trend_reading", "col_behind",
               "col_answered_of", "col_coverage", "index_headline")
#: A table of at least this many columns becomes cards on a phone (class ``reflow``).
REFLOW_COLUMNS = 3


def _heading_order(soup) -> None:
    """Headings without jumps: a heading is at most one level below the one before it
    (the key findings' ``<h3>`` right after the title's ``<h1>`` becomes an ``<h2>``)."""
    previous = 0
    for heading in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        level = int(heading.name[1])
        if level > previous + 1:
            level = previous + 1
            heading.name = f"h{level}"
        previous = level


def _accessible_tables(soup, main, lang: str) -> None:
    """Every table of the page described for assistive technology and ready to reflow.

    - header cells get ``scope="col"`` (header row) or ``scope="row"``; a row's first
      cell, when it names the row (not a figure), becomes its header cell;
    - a table without a caption gets one (hidden on screen): the heading it stands under;
    - every body cell carries its column's header as ``data-label``; cells of the
      :data:`KEY_COLUMNS` get class ``key``; a table of :data:`REFLOW_COLUMNS` columns or
      more gets class ``reflow``: on a narrow screen the stylesheet shows each row as a
      card (its name, then the key figures, then the rest, each with its label), so no
      table scrolls sideways.
    """
    keys = {t(k, lang) for k in KEY_COLUMNS}
    captions: dict[str, int] = {}
    for table in main.find_all("table"):
        rows = table.find_all("tr")
        if not rows:
            continue
        head_row = table.thead.find("tr") if table.thead is not None else None
        if head_row is None and all(c.name == "th" for c in rows[0].find_all(["th", "td"])):
            head_row = rows[0]
        labels = []
        if head_row is not None:
            for cell in head_row.find_all(["th", "td"]):
                if cell.name == "th":
                    cell["scope"] = "col"
                labels.append(_heading_text(cell))
        for row in rows:
            if row is head_row:
                continue
            cells = row.find_all(["th", "td"], recursive=False)
            for k, cell in enumerate(cells):
                if k == 0 and cell.name == "td" and "num" not in (cell.get("class") or []) \
                        and len(cells) > 1 and labels:
                    cell.name = "th"
                if cell.name == "th":
                    cell["scope"] = "row"
                label = labels[k] if k < len(labels) else ""
                if label and cell.name == "td":
                    cell["data-label"] = label
                    if label in keys:
                        cell["class"] = [*(cell.get("class") or []), "key"]
        if len(labels) >= REFLOW_COLUMNS:
            table["class"] = [*(table.get("class") or []), "reflow"]
        if table.caption is None:
            heading = table.find_previous(["h2", "h3", "h4"])
            text = _heading_text(heading) if heading is not None else t("page_table", lang)
            captions[text] = captions.get(text, 0) + 1
            caption = soup.new_tag("caption", attrs={"class": "sr-only"})
            caption.string = text if captions[text] == 1 else f"{text} ({captions[text]})"
            table.insert(0, caption)


def _only_emphasis(p) -> bool:
    """A paragraph that is one italic line (``*...*`` in Markdown)."""
    kids = [k for k in p.contents if not (isinstance(k, str) and not k.strip())]
    return len(kids) == 1 and getattr(kids[0], "name", None) in ("em", "i")


def _toc(soup, sections: Sequence, lang: str):
    """``<nav class="toc">`` listing ``sections`` (``[(heading text, section)]``)."""
    title = t("page_toc", lang)
    nav = soup.new_tag("nav", attrs={"class": "toc", "aria-label": title})
    head = soup.new_tag("h2")
    head.string = title
    nav.append(head)
    items = soup.new_tag("ol")
    for text, sec in sections:
        li, a = soup.new_tag("li"), soup.new_tag("a", attrs={"href": f"#{sec['id']}"})
        a.string = text
        li.append(a)
        items.append(li)
    nav.append(items)
    return nav


def is_public(href: str) -> bool:
    """Whether a link may appear on the public index (nothing under ``internal/``)."""
    parts = Path(href).parts
    return INTERNAL_DIR not in parts and not Path(href).is_absolute() and ".." not in parts


def _order(entry: IndexEntry) -> tuple:
    """Citywide first, then units in code order."""
    return (entry.unit != "city", entry.unit.zfill(8))


def _headline(value: float | None, lang: str) -> str:
    """The index as the reports print it ("78,5"); "—" when withheld (NaN); "" when the
    entry has none (a report that is not about one unit)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return SUPPRESSED
    return number(value, 1, lang)


def write_index(out_dir: Path, entries: list[IndexEntry], round_label: str, org_name: str,
                lang: str = "vi", *, data_date: dt.date | None = None,
                built_at: dt.datetime | None = None, filename: str = "index.html",
                meta: Mapping | None = None, workbook: str | None = None,
                downloads: Sequence[tuple[str, str]] = ()) -> Path:
    """Write the index page of a round's reports.

    Parameters
    ----------
    out_dir
        The round's output folder; links are relative to it.
    entries
        The reports to list, in any order: the citywide report comes first, then the
        units in code order. Entries under ``internal/`` are never listed. An entry
        with a ``headline`` shows it; one with a ``pdf_href`` links its PDF too.
    round_label
        E.g. ``"Năm 2022"``.
    org_name
        The publishing organisation.
    lang
        ``"vi"`` or ``"en"``.
    data_date, built_at
        Shown in the footer as ``16/05/2023`` / ``16/05/2023 14:05`` (``built_at``
        default: now).
    filename
        Name of the page inside ``out_dir``.
    meta
        ``Results.meta``: when a headline is withheld, the note under the table explains
        "—" (:func:`hailong.present.fmt.withheld_note`).
    workbook
        Link (relative to ``out_dir``) to the Excel workbook of the round's tables.
    downloads
        More download links, ``(text, href)`` (relative to ``out_dir``), after the
        workbook's: the round writers' links (:mod:`hailong.publish.writers`).

    Returns
    -------
    Path
        The index file.
    """
    import jinja2

    text = index_text(lang)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=True, keep_trailing_newline=True)
    listed = [e for e in sorted(entries, key=_order) if is_public(e.href)]
    show_headline = any(e.headline is not None for e in listed)
    rows = [
        {"href": e.href, "name": e.name,
         "code_label": e.unit if e.unit.isdigit() else "",  # GSO codes only: not city/progress
         "headline": _headline(e.headline, lang),
         "pdf_href": e.pdf_href if e.pdf_href and is_public(e.pdf_href) else None,
         "updated_label": format_datetime(e.updated, lang) if e.updated else ""}
        for e in listed
    ]
    withheld = show_headline and any(r["headline"] == SUPPRESSED for r in rows)
    html = env.get_template("site_index.html.j2").render(
        lang=lang, title=t("index_title", lang, label=round_label), org_name=org_name,
        entries=rows, text=text, css=stylesheet(), version=__version__, csp=CSP,
        data_date=fmt_date(data_date, lang) if data_date else None,
        built_at=format_datetime(built_at or dt.datetime.now(), lang),
        show_headline=show_headline, show_pdf=any(r["pdf_href"] for r in rows),
        note=withheld_note(meta, lang) + "." if withheld and meta is not None else None,
        downloads=[{"text": label, "href": href} for label, href in
                   ([(text["workbook"], workbook)] if workbook else []) + list(downloads)
                   if is_public(href)],
    )
    return atomic_write(Path(out_dir) / filename, html)


def _write_page(executed: Path, html: Path, job: object, worker: object) -> None:
    export_html(executed, html, job.title, job.lang, job.info)


#: The report writer of the page (:mod:`hailong.publish.writers`).
WRITER = ReportWriter(name="html", source="ipynb", optional=False, write=_write_page)
