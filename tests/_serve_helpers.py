"""A staff page (``hailong serve``) on a copy of the sample configuration, for the tests.

:func:`project_copy` makes a data folder of its own (the configuration copied, the
reference tables and the sample linked), so that uploads, the audit log and the round's
inputs change only there; :class:`Server` starts ``hailong serve`` on it in a process of
its own and :class:`Client` speaks to it (cookies kept, XSRF token read from the pages).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

from hailong.reference.config import PROJECT_ROOT

SAMPLE_EXPORT = PROJECT_ROOT / "data" / "sample" / "2022" / "responses.csv"


def project_copy(root: Path, double_entry: bool = False) -> Path:
    """``root/data/hailong.yaml``: the project's configuration over its own data folder
    (with ``double_entry: true`` added when ``double_entry``)."""
    data = root / "data"
    data.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "data" / "hailong.yaml", data / "hailong.yaml")
    if double_entry:  # the top-level setting's line, replaced (or added)
        path = data / "hailong.yaml"
        text = path.read_text(encoding="utf-8")
        line = "double_entry: true"
        text, n = re.subn(r"(?m)^double_entry:.*$", line, text)
        path.write_text(text if n else f"{text.rstrip()}\n{line}\n", encoding="utf-8")
    for name in ("reference", "sample"):
        (data / name).symlink_to(PROJECT_ROOT / "data" / name)
    return data / "hailong.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``hailong serve`` in a process of its own, stopped by :meth:`stop`."""

    def __init__(self, config: Path, out: Path, *extra: str, env: dict | None = None) -> None:
        self.port = free_port()
        environ = {**os.environ, "HAILONG_LANG": "vi", **(env or {})}
        environ.pop("HAILONG_AUDIT", None)  # these tests read the audit log
        self.log = out.parent / f"serve-{self.port}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hailong", "serve", "--port", str(self.port), "--config",
             str(config), "--out", str(out), *extra],
            stdout=self.log.open("wb"), stderr=subprocess.STDOUT, cwd=PROJECT_ROOT,
            env=environ)
        for _ in range(600):  # until it answers (it prints its address first)
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.log.read_text()) from None
                time.sleep(0.1)
        raise RuntimeError(f"hailong serve did not start: {self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Client:
    """HTTP to the page, with its cookies; ``path`` is sent exactly as given."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        head = dict(headers or {})
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=head)
        resp = conn.getresponse()
        data = resp.read()
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        found = re.search(rb'name="_xsrf" value="([^"]+)"', data)
        if found:
            self.token = unescape(found.group(1).decode())
        conn.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def get(self, path: str) -> tuple[int, dict, str]:
        status, head, data = self.request("GET", path)
        return status, head, data.decode("utf-8", "replace")

    def post(self, path: str, fields: dict | list, xsrf: bool = True) -> tuple[int, dict, str]:
        pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if xsrf:
            pairs.append(("_xsrf", self.token))
        status, head, data = self.request(
            "POST", path, urlencode(pairs).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        return status, head, data.decode("utf-8", "replace")

    def upload(self, year: int, data: bytes, filename: str, kind: str = "export",
               xsrf: bool = True) -> tuple[int, dict, str]:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
        query = {"round": year, **({"_xsrf": self.token} if xsrf else {})}
        status, head, out = self.request(
            "POST", f"/intake/upload?{urlencode(query)}", body,
            {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return status, head, out.decode("utf-8", "replace")

    def status(self, year: int) -> dict:
        return json.loads(self.get(f"/reports/status?round={year}")[2])


def text_of(html: str) -> str:
    """The page's text: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def audit_lines(config: Path, year: int = 2022) -> list[dict]:
    path = config.parent / "raw" / str(year) / "audit.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def offline_context(browser, base: str, width: int = 1280):
    """A browser context for the staff page at ``base``: every request elsewhere (but
    ``data:`` and ``about:``) refused and recorded in the returned list."""
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  accept_downloads=True)
    outside: list[str] = []

    def route(r):
        if r.request.url.startswith((base, "data:", "about:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return context, outside
