"""PDF of a report: its HTML page printed by Chromium (Playwright drives the system browser).

The report page carries its own print stylesheet (``templates/report.css``): A4, the
title block as a cover page, running header and page numbers in the page margins,
figures and tables never cut across pages. Chromium is the engine readers open the HTML
in, so the PDF is the page they see, and the same browser runs the offline browser tests.
Playwright only drives it: no browser is downloaded (``playwright install`` is never
needed); the browser is Debian's ``chromium`` (or ``$HAILONG_CHROMIUM``).

A page with a table of contents (``<nav class="toc">``) gets the page each section begins
on after its entry. The tab lays the page out as the printing will (print media, the
``@page`` box; each page a column of a multi-column body, where the browser breaks columns
as it breaks pages, :data:`_GUESS`), the page is printed once with those numbers, and the
PDF's named destinations (poppler's ``pdfinfo``, :func:`contents_pages`) say where each
section really begins: only where a number was wrong is the page printed again, with the
real ones (in the 2022, 2023 and 2025 sample reports, never). The numbers are therefore
always those of the PDF; a page whose layout cannot be worked out this way (no ``@page``
margins in mm) gets a first, lean printing with nothing painted instead. The tab's page
is changed, never the file: the HTML page's contents stay links. Without ``pdfinfo`` the
PDF is printed once, without numbers.

One browser (and one tab) serves a whole batch (~0.5–1 s to start, then ~0.2–0.4 s per
report on an idle 2-core machine; ``bench/pdf_step.py`` measures it)::

    with PdfRenderer() as renderer:
        for html, pdf in pages:
            renderer.render(html, pdf)

Pages are opened from disk with every request that is not a ``file:`` or ``data:`` URL
refused (and recorded in :attr:`PdfRenderer.blocked`): printing never touches the network.
When Playwright or Chromium is missing, :class:`PdfUnavailable` says how to install it.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hailong.core.catalogue import Msg, render
from hailong.core.errors import OutputUnavailable
from hailong.core.files import commit
from hailong.publish.base import ReportWriter

log = logging.getLogger(__name__)

#: Environment variable naming the Chromium (or Chrome) binary to use.
ENV_VAR = "HAILONG_CHROMIUM"
#: Where Debian / Ubuntu put the browser (the real binary first: /usr/bin/chromium is a
#: shell wrapper).
CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser",
              "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable")
#: Browser switches for a closed network (Playwright adds ``--headless`` and, unless
#: asked for a sandbox, ``--no-sandbox``, which Chromium needs when run as root).
CHROMIUM_ARGS = ("--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage")
#: The Debian packages the PDF step needs (the browser, fonts covering Vietnamese, and
#: poppler's pdfinfo for the page numbers of the contents).
APT_PACKAGES = ("chromium", "fonts-noto-core", "fonts-dejavu-core", "poppler-utils")
#: Seconds a page may take to load and print.
TIMEOUT_S = 60.0

_ALLOWED_SCHEMES = ("file:", "data:", "about:")
#: URLs that are not on this machine (matched in the browser driver, not in Python).
_REMOTE = re.compile(r"^(?!(?:file|data|about|blob):)")


#: A line of ``pdfinfo -dests``: page, destination, "name".
_DEST = re.compile(r'^\s*(\d+)\s+\[.*\]\s+"(.*)"\s*$', re.M)
#: Run in the tab (through the browser's protocol: the page's own scripts stay off), on
#: the loaded page, never on the file. Room for a page number after every contents entry
#: (as wide as two digits whatever it holds: the layout never changes with the numbers);
#: false when the page has no contents.
_MAKE_ROOM = """() => {
  const links = [...document.querySelectorAll('nav.toc li > a[href^="#"]')];
  if (!links.length) return false;
  for (const a of links) {
    const span = document.createElement('span');
    span.className = 'toc-page';
    span.textContent = '00';
    span.style.minWidth = '2ch';
    span.style.display = 'inline-block';
    a.after(span);
  }
  return true;
}"""
#: For the first printing, whose only use is where the sections begin: everything hidden
#: in its place (the layout is the same; nothing is painted, so it prints in about half
#: the time), the sections themselves left "visible" so that their destinations are kept.
_HIDE = """() => {
  for (const el of document.querySelectorAll('body *')) el.style.visibility = 'hidden';
  for (const el of document.querySelectorAll('[id]')) el.style.visibility = 'visible';
  for (const el of document.querySelectorAll('[id] > *')) el.style.visibility = 'hidden';
}"""
#: Where each contents entry's section will begin when printed (``{id: page}``), worked
#: out in the tab (in print media) without printing: the ``@page`` box of the stylesheet
#: (A4 less its margins, in mm) becomes a column of a multi-column body, so the browser
#: breaks the columns where it will break the pages (forced page breaks become column
#: breaks; a block on a named page, the cover, counts as one page of its own). Content
#: wider than the page makes the browser lay the page out wider and shrink it when
#: printing (up to half size): so are the columns. ``null`` when the stylesheet's page
#: box is not A4 with margins in mm. Everything is put back afterwards.
_GUESS = """() => {
  const mm = 96 / 25.4;
  let box = null;
  for (const sheet of document.styleSheets) {
    let rules = [];
    try { rules = [...sheet.cssRules]; } catch (e) { continue; }
    for (const rule of rules) {
      if (rule.type !== CSSRule.PAGE_RULE || rule.selectorText) continue;
      const side = (name) => {
        const v = rule.style.getPropertyValue(name).trim();
        return v.endsWith('mm') ? parseFloat(v) : NaN;
      };
      const size = rule.style.getPropertyValue('size').trim().toUpperCase();
      const m = ['margin-top', 'margin-right', 'margin-bottom', 'margin-left'].map(side);
      if (size === 'A4' && !m.some(Number.isNaN)) {
        box = {w: (210 - m[1] - m[3]) * mm, h: (297 - m[0] - m[2]) * mm};
      }
    }
  }
  if (!box) return null;
  const style = document.createElement('style');
  document.head.appendChild(style);
  const lay = (w, h) => {
    style.textContent = `body { margin: 0 !important; padding: 0 !important;
      width: ${w}px !important; max-width: none !important; height: ${h}px !important;
      columns: ${w}px auto !important; column-gap: 0 !important;
      column-fill: auto !important; }
      .hailong-own-page { display: none !important; }`;
  };
  lay(box.w, box.h);
  const changed = [];
  let own = 0;
  for (const el of document.body.querySelectorAll('*')) {
    const cs = getComputedStyle(el);
    if (cs.page && cs.page !== 'auto' && cs.display !== 'none') {
      el.classList.add('hailong-own-page'); changed.push([el, null]); own += 1; continue;
    }
    for (const side of ['breakBefore', 'breakAfter']) {
      if (cs[side] === 'page') {
        changed.push([el, side, el.style[side]]);
        el.style[side] = 'column';
      }
    }
  }
  let w = box.w, h = box.h, widest = 0;
  for (const el of document.body.children) widest = Math.max(widest, el.scrollWidth);
  if (widest > box.w + 0.5) { w = Math.min(widest, 2 * box.w); h = box.h * w / box.w; lay(w, h); }
  const x0 = document.body.getBoundingClientRect().left;
  const pages = {};
  for (const a of document.querySelectorAll('nav.toc li > a[href^="#"]')) {
    const id = decodeURIComponent(a.hash.slice(1));
    const el = document.getElementById(id);
    if (el) pages[id] = 1 + own + Math.floor((el.getBoundingClientRect().left - x0 + 1) / w);
  }
  for (const [el, side, old] of changed) {
    if (side === null) el.classList.remove('hailong-own-page'); else el.style[side] = old;
  }
  style.remove();
  return pages;
}"""
#: Then: the pages (``{id: page}``) in, everything shown again.
_FILL_IN = """(pages) => {
  for (const a of document.querySelectorAll('nav.toc li > a[href^="#"]')) {
    const span = a.nextElementSibling;
    if (span && span.className === 'toc-page') span.textContent = pages[a.hash.slice(1)] ?? '';
  }
  for (const el of document.querySelectorAll('body *')) el.style.visibility = '';
}"""


def contents_pages(pdf: Path) -> dict[str, int] | None:
    """``{section id: page}`` of a printed report, from its named destinations (Chromium
    makes one for every link target); ``None`` without poppler's ``pdfinfo``."""
    import subprocess

    exe = shutil.which("pdfinfo")
    if exe is None:
        return None
    out = subprocess.run([exe, "-dests", str(pdf)], capture_output=True, text=True,
                         check=True).stdout
    pages: dict[str, int] = {}
    for page, name in _DEST.findall(out):
        pages.setdefault(name, int(page))
    return pages


class PdfUnavailable(OutputUnavailable):
    """The PDF step cannot run here (Playwright or Chromium is missing or does not start).

    The message says what to install; HTML reports are not affected.
    """


def install_hint() -> Msg:
    """How to get what the PDF step needs, as commands to type (a phrase of the
    catalogue, shown in the message language)."""
    return Msg("hint.install_chromium", packages=" ".join(APT_PACKAGES), env_var=ENV_VAR)


def find_chromium() -> Path | None:
    """The browser to print with: ``$HAILONG_CHROMIUM``, else the first of
    :data:`CANDIDATES` that exists, else ``chromium`` / ``google-chrome`` on ``PATH``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env) if Path(env).is_file() else None
    for candidate in CANDIDATES:
        if os.access(candidate, os.X_OK):
            return Path(candidate)
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def missing() -> str | None:
    """Why the PDF step cannot run here, or ``None`` if it can (nothing is started)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return render("err.pdf_needs_playwright", None, install=install_hint())
    if find_chromium() is None:
        env = os.environ.get(ENV_VAR)
        where = (Msg("err.pdf_env_not_a_file", env_var=ENV_VAR, env=env) if env else
                 Msg("err.pdf_no_candidate", candidates=", ".join(CANDIDATES)))
        return render("err.pdf_needs_chromium", None, where=where, install=install_hint())
    return None


class PdfRenderer:
    """One headless Chromium that prints report pages to PDF; open it once per batch.

    Parameters
    ----------
    executable
        The browser binary (default :func:`find_chromium`).
    timeout_s
        Seconds a page may take to load and print.

    Attributes
    ----------
    blocked
        Every URL a page tried to load from outside (refused; reports load none).

    Raises
    ------
    PdfUnavailable
        On opening, if Playwright or the browser is missing or the browser does not start.
    """

    def __init__(self, executable: str | Path | None = None, *, timeout_s: float = TIMEOUT_S):
        self.executable = Path(executable) if executable else None
        self.timeout_ms = timeout_s * 1000
        self.blocked: list[str] = []
        #: Pages printed a second time because a contents number worked out beforehand
        #: (:data:`_GUESS`) was not where the section began in the PDF.
        self.reprinted = 0
        self._pw = self._browser = self._context = self._page = None

    # -- life cycle
    def __enter__(self) -> PdfRenderer:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> PdfRenderer:
        """Start the browser (done by ``with``)."""
        if self._context is not None:
            return self
        reason = None if self.executable else missing()
        if reason:
            raise PdfUnavailable(reason)
        if self.executable and not self.executable.is_file():
            raise PdfUnavailable("err.pdf_browser_missing", hint=install_hint(),
                                 executable=self.executable)
        from playwright.sync_api import Error, sync_playwright

        exe = self.executable or find_chromium()
        self._pw = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.launch(
                executable_path=str(exe), args=list(CHROMIUM_ARGS), timeout=self.timeout_ms)
            self._context = self._browser.new_context(java_script_enabled=False)
            # Only requests that would leave the machine reach Python (to be refused):
            # the page and its data: images are not stopped on their way.
            self._context.route(_REMOTE, self._route)
        except Error as err:
            self.close()
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise PdfUnavailable("err.pdf_did_not_start", hint=install_hint(), exe=exe,
                                 first=first) from None
        return self

    def close(self) -> None:
        """Stop the browser (done by ``with``); safe to call twice."""
        for step in (lambda: self._context and self._context.close(),
                     lambda: self._browser and self._browser.close(),
                     lambda: self._pw and self._pw.stop()):
            try:
                step()
            except Exception as err:  # closing a browser that already died
                log.debug("closing the PDF browser: %s", err)
        self._pw = self._browser = self._context = self._page = None

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(_ALLOWED_SCHEMES):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    # -- work
    def render(self, html_path: str | Path, pdf_path: str | Path | None = None) -> Path:
        """Print one HTML page to PDF (A4, the page's own print CSS), written atomically.

        Parameters
        ----------
        html_path
            The report page on disk.
        pdf_path
            Where the PDF goes (default: beside the page, same name, ``.pdf``).

        Returns
        -------
        Path
            ``pdf_path``.
        """
        if self._context is None:
            self.open()
        html_path = Path(html_path).resolve()
        pdf_path = Path(pdf_path) if pdf_path else html_path.with_suffix(".pdf")
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = pdf_path.with_name(f".{pdf_path.name}.{os.getpid()}.tmp")
        # One tab for the batch (a new tab per report doubles the time); a tab that
        # failed is thrown away.
        if self._page is None or self._page.is_closed():
            self._page = self._context.new_page()
            self._page.emulate_media(media="print")  # laid out as it will be printed
        try:
            self._print(html_path, tmp)
            commit(tmp, pdf_path)
        except BaseException:
            try:
                self._page.close()
            except Exception:  # the tab or the browser is already gone
                pass
            self._page = None
            raise
        finally:
            tmp.unlink(missing_ok=True)
        return pdf_path

    def _pdf(self, pdf_path: Path, lean: bool = False) -> None:
        """Print the tab; ``lean``: without background, outline or tags (a printing read
        only for where the sections begin)."""
        self._page.pdf(path=str(pdf_path), format="A4", prefer_css_page_size=True,
                       print_background=not lean, outline=not lean, tagged=not lean)

    def _print(self, html_path: Path, pdf_path: Path) -> None:
        """Print ``html_path`` to ``pdf_path``; a page with contents with the page each
        section begins on after its entry: worked out in the tab (:data:`_GUESS`),
        printed, checked against where the PDF's sections begin (:func:`contents_pages`)
        and printed again with those only when one differs. Without a guess, a first,
        lean printing with nothing painted (:data:`_HIDE`) gives the pages. The room for
        the numbers does not depend on them, so every printing lays out alike
        (``tests/test_pdf.py`` checks every entry)."""
        self._page.goto(html_path.as_uri(), wait_until="load", timeout=self.timeout_ms)
        if not (shutil.which("pdfinfo") and self._page.evaluate(_MAKE_ROOM)):
            self._pdf(pdf_path)
            return
        pages = self._page.evaluate(_GUESS)
        if pages is None:  # no guess: a lean printing says where the sections begin
            self._page.evaluate(_HIDE)
            self._pdf(pdf_path, lean=True)
            pages = contents_pages(pdf_path) or {}
        self._page.evaluate(_FILL_IN, pages)
        self._pdf(pdf_path)
        real = contents_pages(pdf_path) or {}
        if any(real.get(k) != v for k, v in pages.items()):
            self.reprinted += 1
            self._page.evaluate(_FILL_IN, {k: real.get(k, "") for k in pages})
            self._pdf(pdf_path)


@dataclass
class PdfBatch:
    """What :func:`render_all` did.

    Attributes
    ----------
    made
        The PDFs written.
    failed
        ``(html page, error message)`` for each page that could not be printed.
    unavailable
        Why nothing was printed (Playwright or Chromium missing), else ``None``.
    seconds
        Wall-clock time, browser start included.
    """

    made: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    unavailable: str | None = None
    seconds: float = 0.0

    @property
    def per_report(self) -> float:
        """Seconds per PDF written (browser start included)."""
        return self.seconds / len(self.made) if self.made else 0.0


def render_all(pages: Iterable[tuple[Path, Path]], *, progress: bool = False,
               renderer: PdfRenderer | None = None) -> PdfBatch:
    """Print every ``(html, pdf)`` pair with one browser; a page that fails does not
    stop the others.

    Parameters
    ----------
    pages
        ``(html page, pdf path)`` pairs.
    progress
        Show a progress bar on stderr.
    renderer
        A renderer to use (default: a new :class:`PdfRenderer`, closed at the end).

    Returns
    -------
    PdfBatch
        Never raises for a missing dependency: ``unavailable`` says what to install.
    """
    from tqdm import tqdm

    pages = list(pages)
    batch = PdfBatch()
    start = time.perf_counter()
    own = renderer is None
    renderer = renderer or PdfRenderer()
    try:
        renderer.open()
    except PdfUnavailable as err:
        batch.unavailable = str(err)
        batch.seconds = time.perf_counter() - start
        return batch
    try:
        with tqdm(total=len(pages), unit="PDF", file=sys.stderr, disable=not progress,
                  desc="PDF") as bar:
            for html, pdf in pages:
                try:
                    batch.made.append(renderer.render(html, pdf))
                except Exception as err:  # one page: timeout, browser crash, disk full
                    first = (str(err).strip().splitlines() or [type(err).__name__])[0]
                    batch.failed.append((Path(html), f"{type(err).__name__}: {first}"))
                    Path(pdf).unlink(missing_ok=True)
                bar.update()
    finally:
        if own:
            renderer.close()
    batch.seconds = time.perf_counter() - start
    return batch


def _print_report(html: Path, pdf: Path, job: object, worker: object) -> None:
    """Print a report's page with the worker's browser; a browser that failed is closed
    (the worker opens a new one for the next report)."""
    try:
        worker.pdf_renderer().render(html, pdf)
    except PdfUnavailable:
        raise
    except Exception:
        worker.close_renderer()
        raise


#: The report writer of the printed report (:mod:`hailong.publish.writers`).
WRITER = ReportWriter(name="pdf", source="html", optional=True, write=_print_report)
