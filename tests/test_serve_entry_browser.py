"""Assisted entry in the staff page (Nhập phiếu), in a real browser (the system's
Chromium through Playwright), on copies of the sample round 2022.

The sample's facts these tests rest on (data/sample/2022, as of its last submission day
19/05/2023): Tiên Lãng (315) has 31 of its 45 cooperatives answered; "HTX Dịch vụ nông
nghiệp Tiên Cường" (HP-0273) is one of the 14 that have not. Every request that leaves
the page's own server is refused and recorded, and the tests require there was none and
no console error.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from _serve_helpers import Server, audit_lines, offline_context, project_copy
from hailong.core.messages import message
from hailong.ingest import entries as en
from hailong.publish.pdf import CHROMIUM_ARGS, find_chromium

COOP, COOP_NAME, COOP_SEARCH = "HP-0273", "HTX Dịch vụ nông nghiệp Tiên Cường", "tien cuong"
ROW_315 = "Huyện Tiên Lãng"
OVERALL_NUMBER = "12"      # the overall question's number in codebook v1


def _browser_page(pw, base: str, width: int = 1280):
    browser = pw.chromium.launch(executable_path=str(find_chromium()),
                                 args=list(CHROMIUM_ARGS))
    context, outside = offline_context(browser, base, width)
    errors = []
    tab = context.new_page()
    # a form shown again with its message answers 400 (or 409): the browser logs that
    tab.on("console", lambda m: m.type == "error" and not re.search(
        r"status of 40[09] \(", m.text) and errors.append(m.text))
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.base, tab.outside, tab.errors = base, outside, errors
    return browser, tab


@pytest.fixture(scope="module")
def pw():
    with sync_playwright() as running:
        yield running


def _served_tab(pw, root: Path, double_entry: bool, *extra: str):
    """A browser tab on a staff page serving a project copy under ``root`` (the tab's
    ``config`` attribute is its configuration); the server stops afterwards."""
    config = project_copy(root, double_entry=double_entry)
    server = Server(config, root / "out", *extra)
    try:
        browser, tab = _browser_page(pw, f"http://127.0.0.1:{server.port}")
        tab.config = config
        yield tab
        browser.close()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def single(tmp_path_factory, pw):
    # PDFs on: questionnaires are printed
    yield from _served_tab(pw, tmp_path_factory.mktemp("entry-single"), False)


@pytest.fixture(scope="module")
def double(tmp_path_factory, pw):
    yield from _served_tab(pw, tmp_path_factory.mktemp("entry-double"), True, "--no-pdf")


def coverage_315(page) -> tuple[int, int]:
    page.goto(f"{page.base}/progress?round=2022")
    cell = page.locator("tr", has_text=ROW_315).locator("td").nth(1)
    answered, total = cell.inner_text().strip().split("/")
    return int(answered), int(total)


def open_form(page, coop: str = COOP, search: str = COOP_SEARCH, everyone: bool = False):
    page.goto(f"{page.base}/entry?round=2022")
    page.select_option("#unit", "315")
    page.fill("#q", search)
    if everyone:
        page.check("input[name=all]")
    page.click("#find")
    page.locator(f"tr[data-coop='{coop}'] a.button").click()
    page.wait_for_url(re.compile(r"/entry/form\?"))


def answer_all(page, value: str = "4", skip: tuple = (), overrides: dict | None = None):
    for box in page.locator("fieldset.question").all():
        qid = box.get_attribute("id")[2:]
        if qid in skip:
            continue
        box.locator(f"input[value='{(overrides or {}).get(qid, value)}']").check()


def followup_html(page, day: str) -> str:
    page.goto(f"{page.base}/progress?round=2022")
    page.click("#make-lists")
    link = page.locator(f"a[href='/internal/2022/followup-{day}.html']")
    expect(link).to_have_count(1)
    return page.request.get(f"{page.base}/internal/2022/followup-{day}.html").text()


def validation_ledger(config):
    """The round's own check of its inputs (the entries file among them)."""
    from hailong.ingest import readers, validate
    from hailong.numbers.pipeline import open_round

    ctx = open_round(2022, config)
    raw = readers.read_responses(list(ctx.round.responses), ctx.codebook)
    checked = validate.validate_round(readers.read_roster(ctx.round.roster), raw,
                                      ctx.codebook, ctx.units, level="district")
    return checked.ledger


# --- single entry ---------------------------------------------------------------------

def test_entering_a_questionnaire_raises_coverage_and_empties_the_follow_up_line(single):
    page = single
    assert coverage_315(page) == (31, 45)
    assert COOP_NAME in followup_html(page, "2023-05-19")
    open_form(page)
    expect(page.locator("#coop-name")).to_have_text(COOP_NAME)
    expect(page.locator("#coop-code")).to_have_text(COOP)
    vietnam_today = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date().isoformat()
    expect(page.locator("#visit_date")).to_have_value(vietnam_today)
    # every question is a fieldset with a legend; the open ones are labelled text areas
    questions = page.locator("fieldset.question")
    assert questions.count() == 29 and page.locator("fieldset.question legend").count() == 29
    expect(page.locator("textarea")).to_have_count(2)
    # a missing answer: the Vietnamese message, the question marked, everything kept
    page.fill("#entered_by", "Nguyễn Thị Lan")
    page.fill("#respondent_name", "Trần Văn Tư")
    page.fill("#respondent_phone", "0912 345 678")
    page.fill("#visit_date", "2023-05-20")
    page.check("input[name=method][value=paper]")
    answer_all(page, "4", skip=("OVERALL",), overrides={"D01_1": "no_opinion"})
    page.fill("#a_DIFFICULTIES", "Thiếu vốn lưu động")
    page.click("#save")
    expected = message("err.entry.missing", "vi", numbers=OVERALL_NUMBER)
    expect(page.locator("#entry-error .error")).to_have_text(expected)
    expect(page.locator("fieldset.question.missing")).to_have_count(1)
    expect(page.locator("#q-OVERALL")).to_have_class(re.compile("missing"))
    expect(page.locator("#entered_by")).to_have_value("Nguyễn Thị Lan")
    expect(page.locator("#respondent_name")).to_have_value("Trần Văn Tư")
    expect(page.locator("#respondent_phone")).to_have_value("0912 345 678")
    expect(page.locator("#visit_date")).to_have_value("2023-05-20")
    expect(page.locator("#a_DIFFICULTIES")).to_have_value("Thiếu vốn lưu động")
    expect(page.locator("input[name=method][value=paper]")).to_be_checked()
    expect(page.locator("input[name=a_D01_1][value=no_opinion]")).to_be_checked()
    assert page.locator("fieldset.question input:checked").count() == 28
    assert not en.entries_path(single.config.parent, 2022).exists()   # nothing saved
    # the answer added: saved, and the unit's coverage now
    page.check("input[name=a_OVERALL][value='5']")
    page.click("#save")
    page.wait_for_url(re.compile(r"/entry/saved\?"))
    expect(page.locator("#saved-status")).to_have_text(message("web_entry_status_counted", "vi"))
    expect(page.locator("#coverage")).to_contain_text("32/45")
    assert coverage_315(page) == (32, 45)
    expect(page.locator("#assisted")).to_have_text(message("web_progress_assisted", "vi", n=1))
    assert COOP_NAME not in followup_html(page, "2023-05-20")
    # the round's validation accepts it; the log holds ids, not answers or names
    ledger = validation_ledger(single.config)
    mine = ledger[ledger["source_file"].astype(str).str.endswith("nhap-phieu.jsonl")]
    assert list(zip(mine["coop_id"], mine["status"])) == [(COOP, "accepted")]
    event = [e for e in audit_lines(single.config) if e["what"] == "entry"][-1]
    assert event["coop_id"] == COOP and event["keying"] == 1 and event["supersedes"] == ""
    assert set(event) == {"when", "who", "what", "coop_id", "entry_id", "keying", "supersedes"}
    assert event["who"] == "Nguyễn Thị Lan"
    assert page.outside == [] and page.errors == []


def test_a_correction_is_a_new_entry_and_both_are_kept(single):
    page = single
    page.goto(f"{page.base}/entry/list?round=2022")
    rows = page.locator("#entries tbody tr")
    expect(rows).to_have_count(1)
    old_id = rows.first.get_attribute("id")[2:]
    rows.first.locator("a", has_text=message("web_entry_edit", "vi")).click()
    page.wait_for_url(re.compile(r"/entry/form\?.*edit="))
    expect(page.locator("#entry-mode")).to_contain_text(old_id)
    expect(page.locator("input[name=a_OVERALL][value='5']")).to_be_checked()
    expect(page.locator("#a_DIFFICULTIES")).to_have_value("Thiếu vốn lưu động")
    page.fill("#entered_by", "Nguyễn Thị Lan")
    page.check("input[name=a_OVERALL][value='3']")
    page.click("#save")
    page.wait_for_url(re.compile(r"/entry/saved\?"))
    new_id = re.search(r"entry=(\w+)", page.url).group(1)
    page.goto(f"{page.base}/entry/list?round=2022")
    expect(page.locator("#entries tbody tr")).to_have_count(2)
    expect(page.locator(f"#e-{old_id} .status")).to_have_text(
        message("web_entry_status_replaced", "vi", id=new_id))
    expect(page.locator(f"#e-{new_id} .status")).to_have_text(
        message("web_entry_status_counted", "vi"))
    log = en.read_log(en.entries_path(single.config.parent, 2022))
    assert [e.entry_id for _, e in log] == [old_id, new_id] and log[1][1].supersedes == old_id
    assert log[1][1].answers["OVERALL"] == 3 and log[0][1].answers["OVERALL"] == 5
    assert coverage_315(page) == (32, 45)              # still one cooperative


def test_an_entry_for_a_cooperative_that_answered_online_is_listed_as_a_duplicate(single):
    page = single
    page.goto(f"{page.base}/entry?round=2022&unit=315&all=1")
    answered = page.locator("#coops tbody tr", has_text=message("web_entry_answered", "vi"))
    coop = answered.first.get_attribute("data-coop")
    open_form(page, coop, coop, everyone=True)
    expect(page.locator("main")).to_contain_text(message("web_entry_coop_answered", "vi"))
    page.fill("#entered_by", "Phạm Minh")
    page.check("input[name=method][value=phone]")
    answer_all(page, "3")
    page.click("#save")
    page.wait_for_url(re.compile(r"/entry/saved\?"))
    expect(page.locator("#saved-status")).to_have_text(message("web_entry_dup_used", "vi"))
    ledger = validation_ledger(single.config)
    theirs = ledger[ledger["coop_id"] == coop]
    assert sorted(theirs["status"]) == ["accepted", "merged"]   # listed, not silently merged
    assert coverage_315(page) == (32, 45)


def test_printing_the_questionnaires_of_tien_lang_gives_a_pdf(single, tmp_path):
    page = single
    page.goto(f"{page.base}/progress?round=2022")
    page.select_option("#q-unit", "315")
    page.click("#make-questionnaires")
    link = page.locator("a[href='/internal/2022/phieu-khao-sat-315.pdf']")
    expect(link).to_have_count(1, timeout=120_000)
    expect(page.locator("a[href='/internal/2022/phieu-khao-sat-trang.pdf']")).to_have_count(1)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "phieu-khao-sat-315.pdf"
    saved = tmp_path / "q.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Tiên Lãng" in text and COOP_NAME not in text    # entered: no sheet to print
    event = [e for e in audit_lines(single.config) if e["what"] == "questionnaires"][-1]
    assert event["unit"] == "315" and "phieu-khao-sat-315.pdf" in event["files"]
    assert page.outside == [] and page.errors == []


def test_the_entry_form_fits_a_phone(single):
    page = single
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        open_form(page, "HP-0286", "bach dang")
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390
        box = page.locator("#q-D01_1 label").first.bounding_box()
        assert box["height"] >= 40 and box["width"] > 300   # one large target per line
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


# --- double entry ---------------------------------------------------------------------

def test_double_entry_lists_the_disagreement_and_counts_only_after_a_third_look(double):
    page = double
    assert coverage_315(page) == (31, 45)
    open_form(page)
    expect(page.locator("#entry-mode")).to_have_text(message("web_entry_keying_1", "vi"))
    page.fill("#entered_by", "Lan")
    page.fill("#visit_date", "2023-05-20")
    page.check("input[name=method][value=paper]")
    answer_all(page, "4")
    page.click("#save")
    page.wait_for_url(re.compile(r"/entry/saved\?"))
    expect(page.locator("#saved-status")).to_have_text(
        message("web_entry_status_awaiting", "vi"))
    assert coverage_315(page) == (31, 45)               # not counted yet
    # the same person cannot make the second entry
    open_form(page)
    expect(page.locator("#entry-mode")).to_have_text(
        message("web_entry_keying_2", "vi", name="Lan"))
    page.fill("#entered_by", "lan")
    page.fill("#visit_date", "2023-05-20")
    page.check("input[name=method][value=paper]")
    answer_all(page, "4")
    page.click("#save")
    expect(page.locator("#entry-refused")).to_have_text(
        message("web_entry_same_person", "vi", name="Lan"))
    # a second person, one answer different
    answer_all(page, "4", overrides={"D02_1": "2"})
    page.fill("#entered_by", "Minh")
    page.click("#save")
    page.wait_for_url(re.compile(r"/entry/saved\?"))
    expect(page.locator("#saved-status")).to_have_text(
        message("web_entry_status_disagreement", "vi"))
    assert coverage_315(page) == (31, 45)
    page.goto(f"{page.base}/entry/compare?round=2022")
    card = page.locator(f"#c-{COOP}")
    expect(card.locator("h2")).to_have_text(f"{COOP} – {COOP_NAME}")
    cells = card.locator("table.differences tbody tr")
    expect(cells).to_have_count(1)
    assert [c.strip() for c in cells.first.locator("th, td").all_inner_texts()] == [
        "2.1", "4 – Hài lòng", "2 – Không hài lòng"]
    expect(card.locator("thead")).to_contain_text("Lần 1 (Lan)")
    expect(card.locator("thead")).to_contain_text("Lần 2 (Minh)")
    # the third look starts from the first entry's answers and settles the sheet
    card.locator("a", has_text=message("web_entry_third", "vi")).click()
    page.wait_for_url(re.compile(r"/entry/form\?.*third="))
    expect(page.locator("#entry-mode")).to_have_text(message("web_entry_keying_0", "vi"))
    expect(page.locator("input[name=a_D02_1][value='4']")).to_be_checked()
    page.fill("#entered_by", "Hoa")
    page.click("#save")
    page.wait_for_url(re.compile(r"/entry/saved\?"))
    expect(page.locator("#saved-status")).to_have_text(message("web_entry_status_counted", "vi"))
    assert coverage_315(page) == (32, 45)
    page.goto(f"{page.base}/entry/compare?round=2022")
    expect(page.locator("#no-comparisons")).to_be_visible()
    log = en.read_log(en.entries_path(double.config.parent, 2022))
    assert [(e.entered_by, e.keying, e.double) for _, e in log] == [
        ("Lan", 1, True), ("Minh", 2, True), ("Hoa", 0, True)]
    assert page.outside == [] and page.errors == []
