"""The staff page (``hailong serve``), over HTTP, on a copy of the sample configuration.

One server for the module (its own data folder: uploads, the audit log and the round's
inputs change only there; reports go to a temporary folder). What the page shows is
compared with what ``hailong validate`` prints for the same file; what it refuses is
refused with a Vietnamese page and the right status; the audit log gets a line for each
thing done. The functions under the page (upload type by content, path containment,
rewriting the configuration's line, the log) are tested on their own first.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from _serve_helpers import SAMPLE_EXPORT, Client, Server, audit_lines, project_copy, text_of
from hailong.core import audit
from hailong.core.errors import InputError, ParameterError
from hailong.core.messages import message
from hailong.reference.config import PROJECT_ROOT, load_config
from hailong.serve import inputs, security
from hailong.serve.command import settings_from

# --- the audit log --------------------------------------------------------------------


def test_audit_log_is_appended_one_json_line_per_event(tmp_path, monkeypatch):
    monkeypatch.delenv("HAILONG_AUDIT", raising=False)
    audit.record(tmp_path, 2022, "lan", "upload", file="a.csv")
    first = audit.audit_path(tmp_path, 2022).read_bytes()
    audit.record(tmp_path, 2022, "local", "build_done", built=["311"])
    after = audit.audit_path(tmp_path, 2022).read_bytes()
    assert after.startswith(first) and after.count(b"\n") == 2   # earlier bytes untouched
    events = audit.read(tmp_path, 2022)
    assert [(e["who"], e["what"]) for e in events] == [("lan", "upload"),
                                                        ("local", "build_done")]
    assert events[1]["built"] == ["311"] and events[0]["when"].endswith("+07:00")
    assert audit.audit_path(tmp_path, 2022) == tmp_path / "raw" / "2022" / "audit.jsonl"


def test_audit_log_refuses_an_unknown_event_and_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.delenv("HAILONG_AUDIT", raising=False)
    with pytest.raises(ValueError, match="uplaod"):
        audit.record(tmp_path, 2022, "local", "uplaod")
    monkeypatch.setenv("HAILONG_AUDIT", "off")
    audit.record(tmp_path, 2022, "local", "upload")
    assert not audit.audit_path(tmp_path, 2022).exists()


# --- what the page is built on --------------------------------------------------------

def _xlsx(parts=("[Content_Types].xml", "xl/workbook.xml")) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for part in parts:
            z.writestr(part, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize("data, name, ext", [
    (b"a,b\n1,2\n", "xuat.csv", ".csv"),
    (b"a\tb\n1\t2\n", "xuat.txt", ".txt"),
    ("\ufeffa,b\n".encode("utf-16"), "xuat.csv", ".csv"),
    (_xlsx(), "whatever.csv", ".xlsx"),        # the content decides, not the name
])
def test_an_upload_is_typed_by_its_content(data, name, ext):
    assert inputs.sniff(data, name) == ext


@pytest.mark.parametrize("data", [b"", b"\x7fELF\x00\x00binary", _xlsx(("a.txt",)),
                                  b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old xls"])
def test_what_is_not_a_table_is_refused_in_vietnamese(data):
    with pytest.raises(InputError) as err:
        inputs.sniff(data, "C:\\Users\\lan\\xuat.xlsx")
    assert err.value.file == "xuat.xlsx"           # the name as data, not the path sent
    assert str(err.value).split(": ", 1)[1] in {
        message(k, "vi") for k in ("web_upload_empty", "web_upload_not_table",
                                   "web_upload_old_xls")} | {
        message(k, "vi") + " " + message("web_upload_type_hint", "vi")
        for k in ("web_upload_not_table", "web_upload_old_xls")}


def test_contained_gives_only_regular_files_inside_the_folder(tmp_path):
    root = tmp_path / "out"
    (root / "sub").mkdir(parents=True)
    (root / "a.html").write_text("x")
    (root / "sub" / "b.pdf").write_text("x")
    (tmp_path / "secret.yaml").write_text("x")
    (root / "link.html").symlink_to(tmp_path / "secret.yaml")
    assert security.contained(root, "a.html") == (root / "a.html").resolve()
    assert security.contained(root, "sub/b.pdf", (".pdf",)) == (root / "sub/b.pdf").resolve()
    for bad in ("../secret.yaml", "sub/../../secret.yaml", "/etc/passwd", str(tmp_path /
                "secret.yaml"), "link.html", "sub", ".hidden", "a.html\x00.pdf", "",
                "sub\\..\\..\\secret.yaml", "sub//b.pdf"):
        assert security.contained(root, bad) is None, bad
    assert security.contained(root, "a.html", (".pdf",)) is None


def test_the_configuration_line_is_rewritten_and_nothing_else(tmp_path):
    text = ("rounds:\n  2022:\n    label: {vi: x}\n    other:\n      responses: [n.csv]\n"
            "    responses:       # the exports\n"
            "      - sample/a.csv\n      - sample/b.csv\n    roster: sample/r.csv  # list\n"
            "  2023:\n    responses: [sample/c.csv]\n")
    out = inputs._rewritten(text, 2022, "responses", ["raw/2022/export-1.csv"])
    assert out == ("rounds:\n  2022:\n    label: {vi: x}\n    other:\n      responses: [n.csv]\n"
                   "    responses: [raw/2022/export-1.csv]       # the exports\n"
                   "    roster: sample/r.csv  # list\n  2023:\n    responses: [sample/c.csv]\n")
    out = inputs._rewritten(text, 2023, "responses", ["x.csv"])
    assert yaml.safe_load(out)["rounds"][2023]["responses"] == ["x.csv"]
    assert yaml.safe_load(out)["rounds"][2022] == yaml.safe_load(text)["rounds"][2022]
    with pytest.raises(ParameterError):
        inputs._rewritten(text, 2030, "responses", ["x.csv"])


def test_listening_beyond_this_machine_needs_a_password(tmp_path, monkeypatch):
    monkeypatch.delenv("HAILONG_PASSWORD", raising=False)
    with pytest.raises(ParameterError) as err:
        security.check_listen("0.0.0.0", None)
    assert err.value.message == message("web_needs_password", "vi", host="0.0.0.0")
    security.check_listen("127.0.0.1", None)
    security.check_listen("localhost", None)
    security.check_listen("0.0.0.0", "s3cret")
    inside = PROJECT_ROOT / "data" / "hailong.yaml"   # any file of the repository
    with pytest.raises(ParameterError, match=message("web_password_in_repo", "vi")):
        security.load_password(inside)
    outside = tmp_path / "pw"
    outside.write_text("s3cret\n")
    assert security.load_password(outside) == "s3cret"
    assert security.load_password(None, environ={"HAILONG_PASSWORD": "x"}) == "x"


def test_serve_on_all_addresses_without_a_password_exits_2_with_a_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "HAILONG_PASSWORD"}
    env["HAILONG_LANG"] = "vi"
    done = subprocess.run([sys.executable, "-m", "hailong", "serve", "--host", "0.0.0.0",
                           "--port", "1"], capture_output=True, text=True, env=env,
                          cwd=PROJECT_ROOT, timeout=120)
    assert done.returncode == 2
    assert message("web_needs_password", "vi", host="0.0.0.0") in done.stderr
    assert "Traceback" not in done.stderr


# --- the page, over HTTP --------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    config = project_copy(root)
    server = Server(config, root / "out", "--no-pdf", "--max-upload-mb", "5")
    yield server, config, root / "out"
    server.stop()


@pytest.fixture()
def client(site):
    return Client(site[0].port)


def _cli_validate(path: Path, config: Path) -> list[str]:
    """The lines ``hailong validate FILE`` prints about the file (indented ones)."""
    done = subprocess.run([sys.executable, "-m", "hailong", "validate", str(path), "--config",
                           str(config)], capture_output=True, text=True, cwd=PROJECT_ROOT,
                          env={**os.environ, "HAILONG_AUDIT": "off", "HAILONG_LANG": "vi"},
                          timeout=300)
    return [line.strip() for line in done.stdout.splitlines() if line.startswith("  ")]


def test_every_page_is_vietnamese_with_the_security_headers(client):
    for path, key in (("/intake", "web_nav_intake"), ("/progress", "web_nav_progress"),
                      ("/reports", "web_nav_reports"), ("/audit", "web_nav_audit")):
        status, head, html = client.get(path)
        assert status == 200, path
        assert '<html lang="vi">' in html and message(key, "vi") in html
        csp = head["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp
        assert "http" not in csp                 # no source outside this server
        assert head["x-content-type-options"] == "nosniff"
        assert "<script src=\"/static/serve.js\"" in html
        assert not re.search(r"(src|href|action)=[\"']?(https?:)?//", html)  # nothing outside
    status, head, _ = client.get("/static/serve.js")
    assert status == 200 and "javascript" in head["content-type"]


def test_upload_of_the_sample_export_shows_what_hailong_validate_says(site, client):
    _server, config, _out = site
    client.get("/intake")
    status, head, _ = client.upload(2022, SAMPLE_EXPORT.read_bytes(), "Xuất 16-5.csv")
    assert status == 303
    check = head["location"]
    stored = config.parent / "raw" / "2022" / check.split("/")[3].split("?")[0]
    assert stored.read_bytes() == SAMPLE_EXPORT.read_bytes()   # kept exactly as received
    assert inputs.STORED_NAME.fullmatch(stored.name)
    assert json.loads(Path(f"{stored}.json").read_text())["original_name"] == "Xuất 16-5.csv"
    status, _, html = client.get(check)
    assert status == 200
    page = text_of(html)
    lines = _cli_validate(stored, config)
    assert len(lines) >= 4                        # roster, export, counts, problems
    for line in lines:
        assert " ".join(line.split()) in page, line
    assert message("web_check_verdict_0", "vi") in page
    # the data-quality report: the CSV hailong validate --report writes
    status, head, body = client.request("GET", check.replace("?", "/data-quality.csv?"))
    assert status == 200 and "attachment" in head["content-disposition"]
    assert body.startswith("\ufeff".encode()) and "Dòng (row)" in body.decode("utf-8-sig")


def test_a_bad_file_gets_the_same_messages_as_the_command_line(site, client):
    _server, config, _out = site
    client.get("/intake")
    bad = SAMPLE_EXPORT.read_text(encoding="utf-8").splitlines()
    bad = "\n".join([bad[0].replace("Mã HTX", "Ma so"), *bad[1:6]]) + "\n"
    status, head, _ = client.upload(2022, bad.encode(), "hong.csv")
    assert status == 303
    status, _, html = client.get(head["location"])
    stored = config.parent / "raw" / "2022" / head["location"].split("/")[3].split("?")[0]
    lines = _cli_validate(stored, config)
    page = text_of(html)
    assert lines and all(" ".join(line.split()) in page for line in lines)
    assert message("web_check_verdict_2", "vi") in page
    assert 'id="adopt"' not in html               # an unusable file cannot be adopted
    # not a table at all: refused before it is stored, in Vietnamese
    before = sorted((config.parent / "raw" / "2022").iterdir())
    status, _, html = client.upload(2022, b"\x00\x01binary", "anh.png")
    assert status == 400 and message("web_upload_not_table", "vi") in text_of(html)
    assert sorted((config.parent / "raw" / "2022").iterdir()) == before


def test_an_upload_over_the_limit_is_refused_politely(site, client):
    client.get("/intake")
    big = b"a,b\n" + b"1,2\n" * (100 * 1024 * 1024 // 4)           # 100 MB
    status, _, html = client.upload(2022, big, "lon.csv")
    assert status == 413
    assert message("web_error_413", "vi", limit=5) in text_of(html)
    raw = site[1].parent / "raw" / "2022"
    assert not any(p.stat().st_size > 5 * 1024 * 1024 for p in raw.iterdir())


def test_forms_without_the_xsrf_token_are_refused(client):
    client.get("/intake")
    status, _, html = client.post("/intake/adopt?round=2022", {"upload": "x"}, xsrf=False)
    assert status == 403 and message("web_error_xsrf", "vi") in text_of(html)
    status, _, _ = client.upload(2022, b"a,b\n1,2\n", "x.csv", xsrf=False)
    assert status == 403
    status, _, _ = client.post("/reports/build?round=2022", {"unit": "311"}, xsrf=False)
    assert status == 403


@pytest.mark.parametrize("path", [
    "/output/2022/../hailong.yaml",
    "/output/2022/%2e%2e/%2e%2e/data/hailong.yaml",
    "/output/2022/..%2f..%2fdata%2fhailong.yaml",
    "/output/2022//etc/passwd",
    "/output/2022/%2fetc%2fpasswd",
    "/output/2022/internal/build-state.json",
    "/output/2022/notebooks/311.ipynb",
    "/output/..%2f..%2fdata/hailong.yaml",
    "/internal/2022/..%2f..%2fhailong.yaml",
    "/internal/2022/followup-2023-05-19.xlsx%2f..%2f..%2f..%2fdata%2fhailong.yaml",
    "/intake/check/..%2f..%2fhailong.yaml",
    "/intake/check/..%2fhailong.yaml/data-quality.csv",
    "/static/..%2fapp.py",
    "/static/../app.py",
    "/../../etc/passwd",
])
def test_path_traversal_is_not_found(client, path):
    status, _, body = client.request("GET", path)
    assert status == 404, path
    assert b"rounds:" not in body and b"root:" not in body


def test_making_an_upload_the_rounds_export_rewrites_one_line_and_can_be_undone(site, client):
    _server, config, _out = site
    client.get("/intake")
    status, head, _ = client.upload(2022, SAMPLE_EXPORT.read_bytes(), "xuat.csv")
    upload = head["location"].split("/")[3].split("?")[0]
    client.get(head["location"])
    before_text = config.read_text(encoding="utf-8")
    status, head, _ = client.post("/intake/adopt?round=2022", {"upload": upload})
    assert status == 303 and "changed=responses" in head["location"]
    assert load_config(config).round(2022).responses == (
        config.parent / "raw" / "2022" / upload,)
    changed = [a for a, b in zip(before_text.splitlines(),
                                 config.read_text(encoding="utf-8").splitlines()) if a != b]
    assert changed == ["    responses: [sample/2022/responses.csv]"]
    assert (config.parent / "raw" / "2022" / upload).read_bytes() == SAMPLE_EXPORT.read_bytes()
    last = audit_lines(config)[-1]
    assert (last["what"], last["value"], last["previous"]) == (
        "set_input", [f"raw/2022/{upload}"], ["sample/2022/responses.csv"])
    status, _, _ = client.post("/intake/adopt?round=2022", {"action": "revert",
                                                            "key": "responses"})
    assert status == 303 and config.read_text(encoding="utf-8") == before_text


def test_progress_page_and_internal_lists_are_logged(site, client):
    _server, config, out = site
    status, _, html = client.get("/progress?round=2022&as_of=2023-05-16")
    assert status == 200
    page = text_of(html)
    assert "16/05/2023" in page and message("web_internal_mark", "vi") in page
    assert html.count("<svg") >= 2                # by unit with the target, and the curve
    status, head, _ = client.post("/progress/lists?round=2022", {"as_of": "2023-05-16"})
    assert status == 303
    assert (out / "2022" / "internal" / "followup-2023-05-16.xlsx").is_file()
    status, head, body = client.request("GET", "/internal/2022/followup-2023-05-16.xlsx")
    assert status == 200 and body[:2] == b"PK" and "attachment" in head["content-disposition"]
    whats = [(e["what"], e.get("files") or e.get("file")) for e in audit_lines(config)]
    assert ("internal_lists", ["followup-2023-05-16.xlsx", "followup-2023-05-16.html"]) in whats
    assert whats[-1] == ("download_internal", "followup-2023-05-16.xlsx")


def test_a_build_is_refused_politely_while_another_holds_the_lock(site, client):
    _server, _config, out = site
    folder = out / "2022"
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)   # as hailong build holds it
        client.get("/reports?round=2022")
        status, head, _ = client.post("/reports/build?round=2022", {"unit": "311"})
        assert status == 303 and "refused=locked" in head["location"]
        status, _, html = client.get(head["location"])
        assert message("web_build_locked", "vi") in text_of(html)
        assert 'id="build" disabled' in html
    finally:
        os.close(fd)
    assert client.status(2022)["state"] == "idle"


def test_build_one_unit_then_open_its_report(site, client):
    _server, config, out = site
    client.get("/reports?round=2022")
    status, _, _ = client.post("/reports/build?round=2022", [("unit", "311"), ("lang", "vi")])
    assert status == 303
    seen = set()
    for _ in range(6000):                          # until it ends (a build takes ~30 s)
        state = client.status(2022)
        seen.add(state["state"])
        if state["state"] != "running":
            break
        time.sleep(0.2)
    assert "running" in seen and state["state"] == "done", state
    assert state["built"] == ["311"] and state["failures"] == []
    status, _, html = client.get("/reports?round=2022")
    assert 'href="/output/2022/311.html"' in html
    status, head, body = client.request("GET", "/output/2022/311.html")
    assert status == 200 and b"Thu\xe1\xbb\xb7 Nguy\xc3\xaan" in body
    assert "frame-ancestors 'none'" in head["content-security-policy"]
    whats = [(e["what"], e["who"]) for e in audit_lines(config)]
    start = whats.index(("build_start", "local"))
    assert ("build_done", "local") in whats[start:]
    done = [e for e in audit_lines(config) if e["what"] == "build_done"][-1]
    assert done["built"] == ["311"] and done["units"] == ["311"]
    assert [e["what"] for e in audit_lines(config)][:2] == ["upload", "validate"]
    status, _, html = client.get("/audit?round=2022")
    page = text_of(html)
    for key in ("upload", "validate", "set_input", "build_start", "build_done",
                "internal_lists", "download_internal"):
        assert message(f"web_audit_{key}", "vi") in page, key


# --- with a password ------------------------------------------------------------------

@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    root = tmp_path_factory.mktemp("guarded")
    config = project_copy(root)
    internal = root / "out" / "2022" / "internal"
    internal.mkdir(parents=True)
    (internal / "followup-2023-05-16.xlsx").write_bytes(b"PK list")
    server = Server(config, root / "out", "--no-pdf", env={"HAILONG_PASSWORD": "bí mật 1"})
    yield server, config
    server.stop()


def test_with_a_password_the_internal_lists_need_the_login(guarded):
    server, config = guarded
    c = Client(server.port)
    status, head, _ = c.request("GET", "/internal/2022/followup-2023-05-16.xlsx")
    assert status == 302 and head["location"].startswith("/login?next=")
    status, head, _ = c.request("GET", "/progress?round=2022")
    assert status == 302
    status, _, html = c.get("/login")
    assert status == 200 and message("web_login_title", "vi") in html
    assert "hailong_user" not in c.cookies
    status, _, html = c.post("/login", {"name": "Lan", "password": "sai"})
    assert status == 403 and message("web_login_failed", "vi") in text_of(html)
    status, head, _ = c.post("/login", {"name": "Lan", "password": "bí mật 1",
                                        "next": "/internal/2022/followup-2023-05-16.xlsx"})
    assert status == 302 and head["location"] == "/internal/2022/followup-2023-05-16.xlsx"
    cookie = head["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    status, _, body = c.request("GET", "/internal/2022/followup-2023-05-16.xlsx")
    assert status == 200 and body == b"PK list"
    assert [(e["what"], e["who"]) for e in audit_lines(config)][-2:] == [
        ("login", "Lan"), ("download_internal", "Lan")]
    c.get("/intake")
    status, _, _ = c.post("/logout?round=2022", {})
    assert status == 302
    c.cookies.pop("hailong_user", None)
    status, _, _ = c.request("GET", "/internal/2022/followup-2023-05-16.xlsx")
    assert status == 302


def test_settings_refuse_a_password_file_inside_the_repository(tmp_path):
    import argparse

    args = argparse.Namespace(host="0.0.0.0", port=8000, round_year=None, out=None,
                              password_file=str(PROJECT_ROOT / "README.md"), max_upload_mb=20,
                              pdf=False, config=None)
    with pytest.raises(ParameterError, match=message("web_password_in_repo", "vi")):
        settings_from(args, lang="vi")
    (tmp_path / "pw").write_text("x\n")
    args.password_file = str(tmp_path / "pw")
    assert settings_from(args, lang="vi").password == "x"


def test_a_roster_is_received_checked_and_adopted_like_an_export(site, client):
    _server, config, _out = site
    client.get("/intake")
    roster = PROJECT_ROOT / "data" / "sample" / "2022" / "roster.csv"
    status, head, _ = client.upload(2022, roster.read_bytes(), "danh sach.csv", kind="roster")
    assert status == 303 and "/intake/check/roster-" in head["location"]
    name = head["location"].split("/")[3].split("?")[0]
    status, _, html = client.get(head["location"])
    lines = _cli_validate(config.parent / "raw" / "2022" / name, config)
    assert len(lines) == 2 and all(" ".join(x.split()) in text_of(html) for x in lines)
    status, _, _ = client.post("/intake/adopt?round=2022", {"upload": name})
    assert status == 303
    assert load_config(config).round(2022).roster == config.parent / "raw" / "2022" / name
    client.post("/intake/adopt?round=2022", {"action": "revert", "key": "roster"})
    assert load_config(config).round(2022).roster.name == "roster.csv"
