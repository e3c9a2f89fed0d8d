"""Builds started from the staff page: one at a time, outside the request.

:class:`BuildRunner` starts :mod:`hailong.serve.worker` as a separate process (the same
:func:`hailong.run.build.build` as ``hailong build``), reads its JSON progress lines in a
thread and keeps a status the page polls. The lock is the build's own (an exclusive
``flock`` on the round's output folder and on the processed-data folder,
:func:`hailong.run.build._locked`): :func:`locked` tests the same locks, so a build from the
page and one from the terminal never run at once, and the page says so before starting.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from hailong.publish.paths import round_dir
from hailong.reference.config import Config


def locked(folder: Path) -> bool:
    """Whether another process holds the build lock of ``folder`` (tested without
    waiting, and released at once)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return False
    if not folder.is_dir():
        return False
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


@dataclass
class BuildStatus:
    """What the page shows of the last build started from it."""

    state: str = "idle"          # idle | running | done | failed
    year: int | None = None
    units: list[str] = field(default_factory=list)
    lang: str = "vi"
    who: str = ""
    started: float | None = None
    finished: float | None = None
    done: int = 0
    total: int = 0
    current: str = ""
    reports: list[dict] = field(default_factory=list)
    built: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)
    error: str = ""

    def as_dict(self) -> dict:
        now = self.finished or time.time()
        return {**self.__dict__, "seconds": round(now - self.started, 1) if self.started else 0}


class BuildRunner:
    """Starts builds in a worker process and follows them (one at a time)."""

    def __init__(self, config: Config, out: str | Path | None, log_dir: Path,
                 pdf: bool = True) -> None:
        self.config = config
        self.out = out
        self.log_dir = log_dir
        self.pdf = pdf
        self.status = BuildStatus()
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None

    def busy(self, year: int) -> bool:
        """Whether a build is running: this page's, or any other holding the locks."""
        if self.status.state == "running":
            return True
        return locked(round_dir(self.out, year)) or locked(self.config.processed_dir)

    def start(self, year: int, units: list[str], lang: str, who: str) -> bool:
        """Start a build; ``False`` (nothing started) when one is running."""
        with self._lock:
            if self.busy(year):
                return False
            self.status = BuildStatus(state="running", year=year, units=list(units),
                                      lang=lang, who=who, started=time.time())
            cmd = [sys.executable, "-m", "hailong.serve.worker", "--config",
                   str(self.config.path), "--round", str(year), "--lang", lang, "--who", who]
            if self.out is not None:
                cmd += ["--out", str(self.out)]
            for unit in units:
                cmd += ["--unit", unit]
            if not self.pdf:
                cmd.append("--no-pdf")
            self.log_dir.mkdir(parents=True, exist_ok=True)
            log = (self.log_dir / f"build-{year}.log").open("wb")
            self._process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log,
                                             stdin=subprocess.DEVNULL, start_new_session=True)
            log.close()
            threading.Thread(target=self._follow, args=(self._process,), daemon=True,
                             name="hailong-build-follow").start()
            return True

    def _follow(self, process: subprocess.Popen) -> None:
        status = self.status
        assert process.stdout is not None
        for raw in process.stdout:
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            kind = event.get("event")
            if kind == "report":
                status.done, status.total = event["done"], event["total"]
                status.current = event.get("name", "")
                status.reports.append({k: event.get(k) for k in ("unit", "name", "ok",
                                                                  "error")})
            elif kind == "end":
                status.built = list(event.get("built") or [])
                status.up_to_date = list(event.get("up_to_date") or [])
                status.failures = list(event.get("failures") or [])
                status.error = event.get("error") or ""
        code = process.wait()
        status.finished = time.time()
        if code != 0 and not status.error and not status.failures:
            status.error = f"exit status {code}"
        status.state = "done" if code == 0 else "failed"

    def stop(self) -> None:
        """Stop a running build (when the server stops)."""
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
