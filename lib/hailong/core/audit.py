"""The round's audit log: what was done to the round's data and outputs, when, and by whom.

One JSON object a line (JSON Lines) in ``<data>/raw/<year>/audit.jsonl``, beside the files
of the round as they were received. The file is only ever appended to (opened in append
mode, one ``write`` a line under an exclusive lock, then ``fsync``): never rewritten, so
the page (``hailong serve``) and the command line (``hailong build``, ``hailong progress``,
``hailong validate``) can write to it at the same time.

Each line has ``when`` (ISO 8601, Hai Phong time, with its offset), ``who`` (the login of
the staff page, or ``"local"`` for the command line and a page without password),
``what`` (an event name, :data:`EVENTS`) and the event's own fields (file names, counts,
outcome). Nothing personal from the data goes into it: file names, counts, unit codes.

``HAILONG_AUDIT=off`` in the environment writes nothing (the test suite sets it, so that
tests on the bundled sample leave no log in ``data/raw/``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from hailong.core.files import append_line

__all__ = ["AUDIT_NAME", "EVENTS", "TZ", "audit_path", "record", "read"]

#: The log's file name in the round's raw folder.
AUDIT_NAME = "audit.jsonl"
#: The environment variable that turns the log off (``off``).
OFF_ENV = "HAILONG_AUDIT"
#: Vietnam's time (UTC+7 all year, no daylight saving).
TZ = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")
#: The events written (each has a phrase ``web_audit_<event>`` in the message catalogue).
EVENTS = ("upload", "validate", "set_input", "build_start", "build_done", "build_failed",
          "internal_lists", "download_internal", "login", "logout", "entry", "questionnaires")


def audit_path(data_dir: str | Path, round_year: int | str) -> Path:
    """``<data_dir>/raw/<year>/audit.jsonl``."""
    return Path(data_dir) / "raw" / str(int(round_year)) / AUDIT_NAME


def record(data_dir: str | Path, round_year: int | str, who: str, what: str,
           **details: object) -> dict:
    """Append one event to the round's audit log and return it.

    Parameters
    ----------
    who
        The login, or ``"local"``.
    what
        One of :data:`EVENTS`.
    details
        The event's fields (JSON-serialisable; paths are written as text).

    Raises
    ------
    ValueError
        If ``what`` is not a known event (a typo would hide an event from the page).
    """
    if what not in EVENTS:
        raise ValueError(f"Unknown audit event {what!r}; expected one of {', '.join(EVENTS)}.")
    event = {"when": dt.datetime.now(TZ).isoformat(timespec="seconds"), "who": str(who),
             "what": what, **details}
    line = json.dumps(event, ensure_ascii=False, default=str, sort_keys=False)
    if os.environ.get(OFF_ENV, "").lower() in ("off", "0", "no"):
        return event
    append_line(audit_path(data_dir, round_year), line)
    return event


def read(data_dir: str | Path, round_year: int | str, last: int | None = None) -> list[dict]:
    """The round's events, oldest first (the ``last`` ones only, if given); a line that
    cannot be read (a write cut short by a crash) is skipped."""
    path = audit_path(data_dir, round_year)
    if not path.is_file():
        return []
    events = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict):
                events.append(event)
    return events[-last:] if last else events
