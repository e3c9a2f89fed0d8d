"""The built pages in a real browser: headless Chromium (the system's, driven by
Playwright) opens each report and the index from disk with the network off.

Every request that is not a ``file:`` or ``data:`` URL is refused and recorded; the
tests then require that there was none, that no request failed, that the console shows
no error, and that every image loaded. The pages come from the build shared with
test_pdf.py (_built_sample.py).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from playwright.sync_api import sync_playwright

from _built_sample import UNITS, sample_build
from hailong.publish.pdf import CHROMIUM_ARGS, find_chromium

PAGES = [f"{u}.html" for u in UNITS] + ["index.html"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return sample_build(tmp_path_factory)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(find_chromium()),
                                      args=list(CHROMIUM_ARGS))
        yield chromium
        chromium.close()


class Visit:
    """One page opened offline, with everything that went wrong while loading it."""

    def __init__(self, browser, path: Path, width: int = 1280):
        self.outside, self.failed, self.errors = [], [], []
        self.context = browser.new_context(viewport={"width": width, "height": 900},
                                           offline=True)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.goto(path.as_uri(), wait_until="load")

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def visits(built, browser):
    opened = {name: Visit(browser, built.out_dir / name) for name in PAGES}
    yield opened
    for visit in opened.values():
        visit.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_offline_without_errors(visits, name):
    visit = visits[name]
    assert visit.outside == []      # nothing asked of the network
    assert visit.failed == []       # no request failed
    assert visit.errors == []       # no console error, no script error


@pytest.mark.parametrize("name", PAGES)
def test_every_image_is_loaded(visits, name):
    images = visits[name].page.eval_on_selector_all(
        "img", "els => els.map(e => [e.complete, e.naturalWidth, e.alt])")
    for complete, width, alt in images:
        assert complete and width > 0
        assert alt  # every chart says what it shows
    if name in ("311.html", "city.html"):
        assert len(images) >= 3


def test_vietnamese_font_is_local_and_covers_the_text(visits):
    page = visits["311.html"].page
    assert page.evaluate("""() => document.fonts.check('16px "Noto Sans"', 'Thuỷ Nguyên ỷ ẫ ữ')""")
    family = page.eval_on_selector("body", "e => getComputedStyle(e).fontFamily")
    assert family.startswith('"Noto Sans"')


@pytest.mark.parametrize("name", [f"{u}.html" for u in UNITS])
def test_report_reads_like_a_report(visits, name):
    page = visits[name].page
    assert page.locator("h1").count() == 1
    assert page.locator("header.title-block h1").is_visible()
    # the table of contents points at sections that exist
    for href in page.eval_on_selector_all("nav.toc a", "els => els.map(e => e.hash)"):
        assert page.locator(href).count() == 1, href
    has_figures = name != "318.html"  # the island district's figures are withheld
    assert page.locator("section.key-figures table").count() == (1 if has_figures else 0)
    # contents when there are two sections or more (the withheld district's report has
    # its participation, the city's figures and the method)
    listed = page.locator("section.section:not(.key-figures)").count()
    assert page.locator("nav.toc").count() == (1 if listed >= 2 else 0)
    # no notebook chrome and no code
    assert page.locator(".input_area, .prompt, .jp-Cell, pre code").count() == 0


def test_key_figures_box_is_styled_as_a_box(visits):
    page = visits["311.html"].page
    style = page.eval_on_selector("section.key-figures", """e => {
        const s = getComputedStyle(e);
        return [s.borderLeftWidth, s.backgroundColor]; }""")
    assert style[0] != "0px" and style[1] not in ("rgba(0, 0, 0, 0)", "transparent")


def test_report_fits_a_phone_screen(built, browser):
    visit = Visit(browser, built.out_dir / "city.html", width=390)
    try:
        page = visit.page
        # wide tables scroll in their own box; the page itself never scrolls sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        widths = page.eval_on_selector_all("img", "els => els.map(e => e.clientWidth)")
        assert widths and max(widths) <= 390
    finally:
        visit.close()


def test_index_links_reach_existing_files(visits, built):
    page = visits["index.html"].page
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    targets = {Path(unquote(urlparse(h).path)) for h in hrefs}
    assert {built.out_dir / f"{u}.{ext}" for u in UNITS for ext in ("html", "pdf")} <= targets
    assert any(t.suffix == ".xlsx" for t in targets)
    for target in targets:
        assert target.is_file(), target
