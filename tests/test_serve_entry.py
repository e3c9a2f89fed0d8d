"""Assisted entry in the staff page over HTTP: the login and the XSRF token guard it, the
person entering is the login (never a typed name) when there is a password, and which
keying a new entry is under double entry (:func:`hailong.serve.entry.keying`).

The browser tests of the same pages are in test_serve_entry_browser.py.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from _serve_helpers import Client, Server, audit_lines, project_copy, text_of
from hailong.core.messages import message
from hailong.ingest import entries as en
from hailong.serve.entry import Keying, keying

COOP = "HP-0273"   # a Tiên Lãng cooperative that had not answered in the 2022 sample
NOW = dt.datetime(2023, 5, 21, 9, 0, tzinfo=en.NOON.tzinfo)


def _entry(by: str, keyed: int, double: bool = True, supersedes: str = "",
           coop: str = COOP, entry_id: str = "") -> en.Entry:
    return en.Entry(entry_id=entry_id or f"{by}{keyed}", entered_at=NOW.isoformat(), entered_by=by,
                    visit_date="2023-05-20", method="paper", fields={"coop_id": coop},
                    answers={}, supersedes=supersedes, keying=keyed, double=double)


def test_keying_is_first_then_second_by_another_person():
    assert keying([], COOP, "Lan", double=False) == Keying(1, False)
    assert keying([], COOP, "Lan", double=True) == Keying(1, True)
    first = [(1, _entry("Lan", 1))]
    assert keying(first, COOP, "Minh", True) == Keying(2, True, "Lan")
    same = Keying(2, True, "Lan", "web_entry_same_person")
    assert keying(first, COOP, "LAN", True) == keying(first, COOP, " lan ", True) == same
    assert keying(first, "HP-0001", "Lan", True) == Keying(1, True)   # another sheet
    both = [*first, (2, _entry("Minh", 2))]
    assert keying(both, COOP, "Hoa", True).refused == "web_entry_twice"
    settled = [*both, (3, _entry("Hoa", 0))]
    assert keying(settled, COOP, "Hoa", True).refused == "web_entry_settled"
    # a first entry replaced by a correction is still a first entry (the correction)
    corrected = [*first, (2, _entry("Lan", 1, supersedes="Lan1", entry_id="fix"))]
    assert keying(corrected, COOP, "Minh", True) == Keying(2, True, "Lan")


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    root = tmp_path_factory.mktemp("entry-guarded")
    config = project_copy(root)
    server = Server(config, root / "out", "--no-pdf", env={"HAILONG_PASSWORD": "bí mật 2"})
    yield server, config
    server.stop()


def _answers(html: str, value: str = "4") -> dict:
    names = sorted(set(re.findall(r'type="radio" name="(a_[^"]+)"', html)))
    return {name: value for name in names}


def test_entry_needs_the_login_and_records_the_login_as_who(guarded):
    server, config = guarded
    path = en.entries_path(config.parent, 2022)
    c = Client(server.port)
    for page in ("/entry?round=2022", f"/entry/form?round=2022&coop={COOP}",
                 "/entry/list?round=2022", "/entry/compare?round=2022"):
        status, head, _ = c.request("GET", page)
        assert status == 302 and head["location"].startswith("/login?next="), page
    status, _, _ = c.post("/entry/form?round=2022", {"coop": COOP, "entered_by": "X"},
                          xsrf=False)
    assert status == 403
    status, _, _ = c.post("/progress/questionnaires?round=2022", {"unit": "315"},
                          xsrf=False)
    assert status == 403 and not path.exists()
    c.get("/login")
    status, _, _ = c.post("/login", {"name": "Lan", "password": "bí mật 2"})
    assert status == 302
    status, _, html = c.get(f"/entry/form?round=2022&coop={COOP}")
    assert status == 200
    assert message("web_entry_by_login", "vi", name="Lan") in text_of(html)
    assert 'name="entered_by"' not in html             # the login is who enters
    fields = {"coop": COOP, "visit_date": "2023-05-20", "method": "onsite",
              "entered_by": "Mallory", **_answers(html)}
    status, head, _ = c.post("/entry/form?round=2022", fields)
    assert status == 303 and head["location"].startswith("/entry/saved?")
    (_, saved), = en.read_log(path)
    assert (saved.entered_by, saved.coop_id, saved.method) == ("Lan", COOP, "onsite")
    event = audit_lines(config)[-1]
    assert (event["what"], event["who"], event["entry_id"]) == ("entry", "Lan", saved.entry_id)


def _form_of_hp_0286(server, config):
    """Logged in as Minh, the entry form of HP-0286: (client, its page, a check that the
    entry log has not changed since)."""
    path = en.entries_path(config.parent, 2022)
    before = path.read_bytes() if path.exists() else b""
    c = Client(server.port)
    c.get("/login")
    c.post("/login", {"name": "Minh", "password": "bí mật 2"})
    status, _, html = c.get("/entry/form?round=2022&coop=HP-0286")
    assert status == 200
    return c, html, lambda: (path.read_bytes() if path.exists() else b"") == before


def test_the_entry_form_without_the_xsrf_token_is_refused(guarded):
    c, html, unchanged = _form_of_hp_0286(*guarded)
    fields = {"coop": "HP-0286", "visit_date": "2023-05-20", "method": "paper",
              **_answers(html)}
    status, _, page = c.post("/entry/form?round=2022", fields, xsrf=False)
    assert status == 403 and message("web_error_xsrf", "vi") in text_of(page)
    status, _, page = c.post("/entry/form?round=2022", [*fields.items(), ("_xsrf", "forged")],
                             xsrf=False)
    assert status == 403
    assert unchanged()                                               # nothing appended


def test_a_missing_answer_is_answered_400_with_the_message_and_nothing_saved(guarded):
    c, html, unchanged = _form_of_hp_0286(*guarded)
    answers = _answers(html)
    del answers["a_D01_2"], answers["a_OVERALL"]
    status, _, page = c.post("/entry/form?round=2022",
                             {"coop": "HP-0286", "visit_date": "2023-05-20",
                              "method": "paper", "respondent_name": "Bà Hạnh", **answers})
    assert status == 400
    assert message("err.entry.missing", "vi", numbers="1.2, 12") in text_of(page)
    assert 'value="Bà Hạnh"' in page and page.count('class="question missing"') == 2
    assert unchanged()


@pytest.mark.parametrize("name", ["phieu-khao-sat-..%2F..%2Fhailong.yaml",
                                  "phieu-khao-sat-315.xlsx", "nhap-phieu.jsonl"])
def test_only_questionnaire_files_are_served_from_the_internal_folder(guarded, name):
    server, _ = guarded
    c = Client(server.port)
    c.get("/login")
    c.post("/login", {"name": "Lan", "password": "bí mật 2"})
    status, _, _ = c.request("GET", f"/internal/2022/{name}")
    assert status == 404


def test_the_qr_code_of_a_printed_sheet_opens_its_form(guarded):
    server, _ = guarded
    c = Client(server.port)
    c.get("/login")
    c.post("/login", {"name": "Lan", "password": "bí mật 2"})
    status, head, _ = c.get("/entry?round=2022&unit=315&q=HAILONG%3A2022%3AHP-0286")
    assert status == 302 and head["location"] == "/entry/form?round=2022&coop=HP-0286"
    status, _, html = c.get("/entry?round=2022&unit=315&q=HAILONG%3A2021%3AHP-0286")
    assert status == 200 and message("web_entry_none_found", "vi") in text_of(html)


def test_a_second_person_keying_meanwhile_is_caught_at_saving(tmp_path):
    """Two people open the same sheet's first entry; the later save is refused (the
    keying is decided again when the entry is appended) and nothing is appended for it."""
    from hailong.reference.codebook import load_codebook
    from hailong.reference.config import PROJECT_ROOT
    from hailong.serve import entry

    book = load_codebook(PROJECT_ROOT / "data/reference/codebook/codebook-v1.yaml")
    config = type("Config", (), {"data_dir": tmp_path})()
    coop = entry.Coop(coop_id="HP-1", coop_name="HTX A", commune="", unit="315",
                      unit_name="Tiên Lãng", variant="NN", district_code="315")
    values = {f"a_{q.id}": "4" for q in en.form(book, "NN") if q.choices}
    values.update(visit_date="2023-05-20", method="paper")
    opened = keying([], "HP-1", "Lan", True)  # both forms were opened as first entries
    entry.save(config, 2022, book, coop, values, who="Lan", how=opened)
    with pytest.raises(en.EntryError) as err:
        entry.save(config, 2022, book, coop, values, who="Minh", how=opened)
    assert err.value.key == "err.entry.keyed_meanwhile"
    assert len(en.read_log(en.entries_path(tmp_path, 2022))) == 1
