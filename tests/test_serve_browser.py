"""The staff page in a real browser (the system's Chromium through Playwright), as staff
use it: upload the sample export, read the check, make it the round's export, see the
progress and make the follow-up lists, build one unit and open its report.

Every request that does not go to the page's own server is refused and recorded; the test
then requires that there was none and that the console showed no error (a script or style
the content security policy blocked would show there).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from _serve_helpers import SAMPLE_EXPORT, Server, offline_context, project_copy
from hailong.core.messages import message
from hailong.publish.pdf import CHROMIUM_ARGS, find_chromium


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve-browser")
    config = project_copy(root)
    running = Server(config, root / "out", "--no-pdf")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def page(server):
    base = f"http://127.0.0.1:{server.port}"
    errors = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(find_chromium()),
                                     args=list(CHROMIUM_ARGS))
        context, outside = offline_context(browser, base)
        context.on("page", lambda p: p.on("console", lambda m: m.type == "error"
                                          and errors.append(m.text)))
        tab = context.new_page()
        tab.on("console", lambda m: m.type == "error" and errors.append(m.text))
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.base, tab.outside, tab.errors = base, outside, errors
        yield tab
        context.close()
        browser.close()


def test_upload_check_and_adopt_the_sample_export(page):
    page.goto(f"{page.base}/intake")
    expect(page.locator("h1")).to_have_text(message("web_intake_title", "vi", year=2022))
    page.set_input_files("input[name=file]", str(SAMPLE_EXPORT))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url(re.compile(r"/intake/check/export-"))
    expect(page.locator("#verdict h2")).to_have_text(message("web_check_verdict_0", "vi"))
    expect(page.locator("#summary")).to_contain_text("368")
    rows = page.locator("#dq tbody tr")
    total = rows.count()
    assert total > 1
    # filter by kind: only the rows of that status stay visible
    changed = "Đã sửa (changed)"
    page.select_option("select[data-filter]", changed)
    visible = page.locator("#dq tbody tr:visible")
    assert 0 < visible.count() < total
    status = visible.locator("td:nth-child(5)").all_inner_texts()
    assert set(status) == {changed}
    page.select_option("select[data-filter]", "")
    assert page.locator("#dq tbody tr:visible").count() == total
    # sort by row number, descending on the second click
    head = page.locator("#dq th", has_text="Dòng (row)")
    head.click()
    head.click()
    expect(head).to_have_attribute("aria-sort", "descending")
    numbers = [int(x) for x in page.locator("#dq tbody td:nth-child(2)").all_inner_texts()]
    assert numbers == sorted(numbers, reverse=True)
    with page.expect_download() as download:
        page.click("a[href$='data-quality.csv?round=2022']")
    assert download.value.suggested_filename.startswith("data-quality-export-")
    page.click("#adopt")
    page.wait_for_url(re.compile(r"/intake\?round=2022&changed=responses"))
    expect(page.locator("p.ok")).to_have_text(message("web_intake_changed_responses", "vi"))


def test_progress_and_the_internal_lists(page):
    page.goto(f"{page.base}/progress?round=2022")
    expect(page.locator("figure.chart svg").first).to_be_visible()
    expect(page.locator(".internal .mark")).to_have_text("NỘI BỘ")
    page.click("#make-lists")
    link = page.locator("a[href^='/internal/2022/followup-'][href$='.xlsx']")
    expect(link).to_have_count(1)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_build_one_unit_with_live_progress_then_open_its_report(page):
    page.goto(f"{page.base}/reports?round=2022")
    page.check("input[name=unit][value='311']")
    page.click("#build")
    page.wait_for_url(re.compile(r"/reports\?"))
    done = message("web_build_done", "vi", built=1, up_to_date=0, seconds=0).split(":")[0]
    expect(page.locator("#status-text")).to_contain_text(done, timeout=600_000)
    link = page.locator("#outputs a[href='/output/2022/311.html']")
    expect(link).to_have_count(1, timeout=30_000)   # the page reloads when the build ends
    with page.context.expect_page() as opened:
        link.click()
    report = opened.value
    report.wait_for_load_state("load")
    assert "Thuỷ Nguyên" in report.title()
    report.close()
    page.goto(f"{page.base}/audit?round=2022")
    text = page.locator("#audit").inner_text()
    for key in ("upload", "validate", "set_input", "internal_lists", "download_internal",
                "build_start", "build_done"):
        assert message(f"web_audit_{key}", "vi") in text, key
    assert page.outside == [] and page.errors == []
