"""Executed notebooks -> self-contained HTML pages, and the index page of a round.

Every page is one HTML5 file a reader can open offline or print: inline CSS, images as
base64 data URIs, no external script, font or stylesheet, no code and no prompts. The
nbconvert exporter is made once per process (the first one costs ~1 s, later ones ~10 ms).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import __version__
from .fmt import check_lang, date as fmt_date

#: Templates and the stylesheet shipped with the package.
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The nbconvert template (a folder of TEMPLATES) used for reports.
REPORT_TEMPLATE = "hailong_report"
#: Folder of outputs that are never published (never linked from the index).
INTERNAL_DIR = "internal"

#: Cell tags whose cells are papermill's error banners (only in failed notebooks).
_DROP_TAGS = {"papermill-error-cell-tag"}
#: Image outputs, and the alternative text of one that has none.
_IMAGE_TYPES = {"image/png", "image/jpeg", "image/svg+xml"}
_ALT = {"vi": "Biểu đồ", "en": "Chart"}

_INDEX_TEXT = {
    "vi": {
        "title": "Báo cáo chỉ số hài lòng của HTX – {label}",
        "code": "Mã",
        "unit": "Đơn vị",
        "updated": "Cập nhật",
        "data_date": "Số liệu đến ngày",
        "built_at": "Trang được tạo lúc",
        "none": "Chưa có báo cáo nào được tạo.",
    },
    "en": {
        "title": "Cooperative satisfaction index reports – {label}",
        "code": "Code",
        "unit": "Unit",
        "updated": "Updated",
        "data_date": "Data as of",
        "built_at": "Page built",
        "none": "No report has been built yet.",
    },
}


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
    """

    unit: str
    name: str
    href: str
    updated: dt.datetime | None = None


def format_datetime(value: dt.datetime, lang: str = "vi") -> str:
    """``16/05/2023 14:05`` (vi) / ``16 May 2023 14:05`` (en)."""
    return f"{fmt_date(value, lang)} {value:%H:%M}"


def write_atomic(path: Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    A reader (or a web server) sees the old file or the new one, never half of one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


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
                _default_alt(output, _ALT[lang])
        cells.append(cell)
    nb.cells = cells
    return nb


def export_html(executed_ipynb: Path, html_path: Path, title: str, lang: str = "vi") -> Path:
    """Write the reader's HTML page of an executed notebook.

    Parameters
    ----------
    executed_ipynb
        The notebook papermill wrote.
    html_path
        Where the page goes (written atomically).
    title
        The page title (``<title>``).
    lang
        Language of the page (``<html lang=...>``): ``"vi"`` or ``"en"``.

    Returns
    -------
    Path
        ``html_path``.
    """
    check_lang(lang)
    nb = reader_view(nbformat.read(str(executed_ipynb), as_version=4), lang)
    resources = {"hailong": {"title": title, "lang": lang, "css": stylesheet(),
                             "version": __version__}}
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return write_atomic(Path(html_path), body)


def is_public(href: str) -> bool:
    """Whether a link may appear on the public index (nothing under ``internal/``)."""
    parts = Path(href).parts
    return INTERNAL_DIR not in parts and not Path(href).is_absolute() and ".." not in parts


def _order(entry: IndexEntry) -> tuple:
    """Citywide first, then units in code order."""
    return (entry.unit != "city", entry.unit.zfill(8))


def write_index(out_dir: Path, entries: list[IndexEntry], round_label: str, org_name: str,
                lang: str = "vi", *, data_date: dt.date | None = None,
                built_at: dt.datetime | None = None, filename: str = "index.html") -> Path:
    """Write the index page of a round's reports.

    Parameters
    ----------
    out_dir
        The round's output folder; links are relative to it.
    entries
        The reports to list, in any order: the citywide report comes first, then the
        units in code order. Entries under ``internal/`` are never listed.
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

    Returns
    -------
    Path
        The index file.
    """
    import jinja2

    text = _INDEX_TEXT[check_lang(lang)]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=True, keep_trailing_newline=True)
    rows = [
        {"href": e.href, "name": e.name,
         "code_label": "" if e.unit == "city" else e.unit,
         "updated_label": format_datetime(e.updated, lang) if e.updated else ""}
        for e in sorted(entries, key=_order) if is_public(e.href)
    ]
    html = env.get_template("site_index.html.j2").render(
        lang=lang, title=text["title"].format(label=round_label), org_name=org_name,
        entries=rows, text=text, css=stylesheet(), version=__version__,
        data_date=fmt_date(data_date, lang) if data_date else None,
        built_at=format_datetime(built_at or dt.datetime.now(), lang),
    )
    return write_atomic(Path(out_dir) / filename, html)
