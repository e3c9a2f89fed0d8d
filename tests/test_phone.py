"""The built pages on a phone, for assistive technology, and behind their security policy.

Headless Chromium (the system's, network refused: :class:`test_browser.Visit`) opens a
district report, the island district's (its figures withheld), the city report, the
survey-progress report and the index page at 390 × 844 CSS px, and checks what issue 15
asks of them:

- nothing is wider than the screen and no table scrolls sideways (tables become cards);
- body text is 12 px or more; chart text, measured through the screen transform of the
  SVG each chart shows at that width (its phone variant), 10 px or more;
- every chart is a ``<figure>`` whose text alternative states a figure; headings never
  skip a level; tables have a caption and header cells with ``scope``;
- axe-core (bundled by ``axe-playwright-python``, run offline) finds no serious or
  critical violation, on the phone and on a desktop;
- every page carries a Content-Security-Policy that lets no script run and no request
  leave: a copy of a page with a ``<script>`` and an outside image slipped in runs
  nothing and asks the network for nothing.

The reports come from the build shared with test_browser.py and test_pdf.py
(_built_sample.py); the progress report, not part of it, from one small build here.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from hailong.publish.export import CSP
from hailong.run.build import build
from test_browser import Visit, browser, built  # noqa: F401  (fixtures)

PHONE = {"width": 390, "height": 844}
PAGES = ["311.html", "318.html", "city.html", "progress.html", "index.html"]
REPORTS = [p for p in PAGES if p != "index.html"]


@pytest.fixture(scope="module")
def progress_page(tmp_path_factory):
    """The survey-progress report (one notebook, no PDF)."""
    out = tmp_path_factory.mktemp("progress-build")
    summary = build(round_year=2022, units=["progress"], out=out, progress=False, pdf=False)
    assert not summary.failures
    return summary.out_dir / "progress.html"


@pytest.fixture(scope="module")
def paths(built, progress_page):  # noqa: F811
    found = {name: built.out_dir / name for name in PAGES if name != "progress.html"}
    found["progress.html"] = progress_page
    return found


@pytest.fixture(scope="module")
def phone(browser, paths):  # noqa: F811
    opened = {name: Visit(browser, path, width=PHONE["width"]) for name, path in paths.items()}
    for visit in opened.values():
        visit.page.set_viewport_size(PHONE)
    yield opened
    for visit in opened.values():
        visit.close()


# ------------------------------------------------------------------ fits the phone

#: Every element's box (outside hidden captions and folded details) against the screen.
_TOO_WIDE = """() => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.sr-only, thead')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.left < -0.5 || r.right > vw + 0.5)
      out.push(`${el.tagName}.${el.className} ${Math.round(r.left)}–${Math.round(r.right)}`);
  }
  return out; }"""


@pytest.mark.parametrize("name", PAGES)
def test_nothing_is_wider_than_the_phone(phone, name):
    page = phone[name].page
    assert page.evaluate("document.documentElement.clientWidth") == 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(_TOO_WIDE) == []


@pytest.mark.parametrize("name", PAGES)
def test_no_table_needs_sideways_scrolling(phone, name):
    boxes = phone[name].page.eval_on_selector_all(
        "table, .table-wrap", "els => els.map(e => [e.tagName, e.scrollWidth, e.clientWidth])")
    assert [b for b in boxes if b[1] > b[2]] == []
    if name in ("311.html", "city.html", "index.html"):
        assert boxes  # there are tables to check


#: The font size of every piece of text shown (not hidden, not folded away).
_TEXT_SIZES = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || el.closest('.sr-only')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    out.push([parseFloat(getComputedStyle(el).fontSize), node.textContent.trim().slice(0, 30)]);
  }
  return out; }"""


@pytest.mark.parametrize("name", PAGES)
def test_body_text_is_12_px_or_more(phone, name):
    sizes = phone[name].page.evaluate(_TEXT_SIZES)
    assert sizes
    assert min(size for size, _ in sizes) >= 12, sorted(sizes)[:3]


#: For every chart: the SVG the <img> shows at this width (its currentSrc), laid out at
#: the image's rendered size; each <text>'s font size times its screen transform's scale
#: (rotation left out) is its size in CSS px on the screen.
_CHART_TEXT = """async () => {
  const out = [];
  for (const img of document.querySelectorAll('figure.chart img')) {
    const src = img.currentSrc;
    const b64 = src.slice(src.indexOf(',') + 1);
    const text = new TextDecoder().decode(Uint8Array.from(atob(b64), c => c.charCodeAt(0)));
    const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
    const box = document.createElement('div');
    box.style.cssText = 'position:absolute;left:0;top:0;visibility:hidden;width:'
                        + img.clientWidth + 'px';
    svg.setAttribute('width', img.clientWidth);
    svg.removeAttribute('height');
    box.appendChild(document.importNode(svg, true));
    document.body.appendChild(box);
    const sizes = [...box.querySelectorAll('text')].filter(t => t.textContent.trim())
      .map(t => { const m = t.getScreenCTM();  // rotated text too: the scale
                  return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); });
    box.remove();
    out.push({narrow: src !== img.getAttribute('src'), width: img.clientWidth,
              texts: sizes.length, smallest: Math.min(...sizes)});
  }
  return out; }"""


@pytest.mark.parametrize("name", REPORTS)
def test_chart_text_is_10_px_or_more_on_the_phone(phone, name):
    charts = phone[name].page.evaluate(_CHART_TEXT)
    if name != "318.html":
        assert len(charts) >= 3
    for chart in charts:
        assert chart["narrow"]               # the phone variant is the one shown
        assert 300 <= chart["width"] <= 350 and chart["texts"] > 3
        assert chart["smallest"] >= 10, chart


def test_desktop_shows_the_wide_charts(built, browser):  # noqa: F811
    visit = Visit(browser, built.out_dir / "311.html", width=1366)
    try:
        charts = visit.page.evaluate(_CHART_TEXT)
        assert charts and not any(c["narrow"] for c in charts)
        assert all(c["width"] >= 500 for c in charts)
    finally:
        visit.close()


# ------------------------------------------------------------------ accessibility

@pytest.mark.parametrize("name", REPORTS)
def test_every_chart_is_a_figure_whose_alternative_states_its_figures(phone, name):
    figures = phone[name].page.eval_on_selector_all("main img", """els => els.map(e => [
        e.closest('figure') !== null, e.alt,
        e.closest('figure')?.querySelector('figcaption')?.textContent || ''])""")
    for in_figure, alt, caption in figures:
        assert in_figure
        title, _, stated = alt.partition(": ")
        assert title and re.search(r"\d", stated), alt
        assert alt in " ".join(caption.split()) or not caption


@pytest.mark.parametrize("name", PAGES)
def test_headings_never_skip_a_level(phone, name):
    levels = phone[name].page.eval_on_selector_all(
        "h1, h2, h3, h4, h5, h6", "els => els.map(e => Number(e.tagName[1]))")
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels


@pytest.mark.parametrize("name", PAGES)
def test_tables_have_a_caption_and_scoped_header_cells(phone, name):
    tables = phone[name].page.eval_on_selector_all("table", """els => els.map(t => [
        (t.caption?.textContent || '').trim(),
        t.querySelectorAll('th').length,
        t.querySelectorAll('th:not([scope])').length,
        t.querySelectorAll('tbody td[data-label]').length > 0])""")
    for caption, headers, unscoped, labelled in tables:
        assert caption and headers and unscoped == 0 and labelled


_AXE = Axe()


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_violation(browser, paths, name, width):  # noqa: F811
    visit = Visit(browser, paths[name], width=width)
    try:
        result = _AXE.run(visit.page).response
        serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                   for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == []
        assert result["passes"] or result["testEngine"]["version"]
        assert visit.outside == []   # axe itself asked nothing of the network
    finally:
        visit.close()


# ------------------------------------------------------------------ defence in depth

@pytest.mark.parametrize("name", PAGES)
def test_every_page_has_a_policy_that_allows_no_script_and_no_request(phone, name):
    page = phone[name].page
    policies = page.eval_on_selector_all(
        'meta[http-equiv="Content-Security-Policy"]', "els => els.map(e => e.content)")
    assert policies == [CSP]
    rules = dict(r.strip().split(" ", 1) for r in CSP.split(";"))
    assert rules["default-src"] == "'none'" and "script-src" not in rules
    assert rules["img-src"] == "data:" and rules["style-src"] == "'unsafe-inline'"
    # the policy comes before anything it governs
    first = page.evaluate("document.head.firstElementChild.nextElementSibling.httpEquiv")
    assert first == "Content-Security-Policy"


_SLIPS = ('<script>window.slipped = "script";</script>'
          '<img src="data:," onerror="window.slipped = \'handler\'" alt="x">'
          '<img src="http://example.org/track.png" alt="x">'
          '<link rel="stylesheet" href="https://example.org/x.css">'
          '<iframe src="https://example.org/"></iframe>')


@pytest.mark.parametrize("name", ["311.html", "index.html"])
def test_a_script_slipped_into_a_page_copy_stays_inert(browser, paths, tmp_path, name):  # noqa: F811
    """As if respondents' text had escaped its escaping: the copy of the page with a
    script, an event handler, an outside image, stylesheet and frame runs nothing and
    sends no request (Chromium refuses each for the policy; none reaches the network)."""
    html = paths[name].read_text(encoding="utf-8")
    assert html.count("<main") == 1
    copy = tmp_path / name
    copy.write_text(re.sub(r"(<main[^>]*>)", lambda m: m.group(1) + _SLIPS, html, count=1),
                    encoding="utf-8")
    visit = Visit(browser, copy, width=390)
    requests, refused = [], {}
    try:
        visit.page.on("request", lambda r: requests.append(r.url))
        visit.page.on("requestfailed", lambda r: refused.update({r.url: r.failure}))
        visit.page.reload(wait_until="load")
        assert visit.page.evaluate("window.slipped") is None
        assert visit.page.locator("main script").count() == 1   # it is there, inert
        # the browser refused every outside request itself (the policy): none reached
        # the network, here the route that records and aborts them
        outside = [u for u in requests if not u.startswith(("file:", "data:"))]
        assert len(outside) == 2                 # the image and the stylesheet
        assert all(refused.get(u) == "csp" for u in outside), refused
        assert visit.outside == []
    finally:
        visit.close()
