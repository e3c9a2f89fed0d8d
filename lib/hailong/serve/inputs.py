"""The round's input files, as the staff page receives them: store, check, adopt.

- :func:`store_upload` keeps the bytes of an uploaded export or roster exactly as received
  under ``<data>/raw/<year>/`` with a generated, timestamped name (``export-20230516-
  084500-1a2b3c.csv``), never overwriting a file (exclusive create). The name the file had
  on the user's computer is data only: in a sidecar ``<stored>.json`` and in the audit log.
  The type is decided by the content, not the name: an Excel workbook is a zip with the
  workbook's parts; a CSV is text (no NUL byte outside UTF-16).
- :func:`check_upload` runs the checks of ``hailong validate FILE`` on it
  (:func:`hailong.ingest.quality.check_files`, against the round's roster) and records
  the result in the audit log; :func:`record_validation` is shared with the command line.
- :func:`set_round_input` makes a stored file the round's export (``responses:``) or roster
  (``roster:``) by rewriting that one line of the configuration file, atomically, and checks
  that the file then loads with nothing else changed; the earlier value goes to the audit
  log, from which :func:`set_round_input` can put it back.

Nothing here imports the web server: the command line uses it too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from hailong.core import audit
from hailong.core.errors import InputError, ParameterError
from hailong.core.files import atomic_write
from hailong.core.messages import message
from hailong.core.yamlfile import read_yaml
from hailong.core.yamltext import parse_yaml
from hailong.reference.config import Config, load_config

#: What an upload can be, and the configuration key it can become.
KINDS = {"export": "responses", "roster": "roster"}
#: Name of a stored upload: kind, day, time, random part, extension.
STORED_NAME = re.compile(r"^(export|roster)-(\d{8})-(\d{6})-([0-9a-f]{6})\.(csv|txt|xlsx)$")
#: Parts every .xlsx workbook has.
XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Upload:
    """A stored upload: its file, its sidecar's facts."""

    path: Path
    kind: str
    original: str
    size: int
    sha256: str
    when: str
    who: str

    @property
    def id(self) -> str:
        """The stored file's name (what the page's links carry)."""
        return self.path.name


def raw_dir(config: Config, year: int) -> Path:
    """``<data>/raw/<year>``."""
    return config.data_dir / "raw" / str(int(year))


def sniff(data: bytes, original: str, lang: str = "vi") -> str:
    """The extension the bytes deserve: ``.xlsx``, ``.csv`` or ``.txt``.

    Raises
    ------
    InputError
        If the bytes are neither an Excel workbook (.xlsx) nor text, or are empty.
    """
    shown = _plain_name(original)
    if not data:
        raise InputError(message("web_upload_empty", lang), file=shown)
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as book:
                names = set(book.namelist())
        except (zipfile.BadZipFile, ValueError):
            names = set()
        if all(part in names for part in XLSX_PARTS):
            return ".xlsx"
        raise InputError(message("web_upload_not_table", lang), file=shown,
                         hint=message("web_upload_type_hint", lang))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # the old binary .xls
        raise InputError(message("web_upload_old_xls", lang), file=shown,
                         hint=message("web_upload_type_hint", lang))
    if b"\x00" in data[:65536] and not data.startswith(_UTF16_BOMS):
        raise InputError(message("web_upload_not_table", lang), file=shown,
                         hint=message("web_upload_type_hint", lang))
    return ".txt" if shown.lower().endswith(".txt") else ".csv"


def _plain_name(original: str) -> str:
    """The last part of a name a browser sent (some send a whole Windows path), without
    control characters, at most 200 characters: data to show, never a path to open."""
    name = re.split(r"[\\/]", original or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:200] or "?"


def store_upload(config: Config, year: int, kind: str, data: bytes, original: str,
                 who: str, lang: str = "vi") -> Upload:
    """Keep the uploaded bytes under ``<data>/raw/<year>/`` with a generated name.

    Raises
    ------
    InputError
        If the content is not a workbook or text (:func:`sniff`).
    ParameterError
        If ``kind`` is not ``"export"`` or ``"roster"``.
    """
    if kind not in KINDS:
        raise ParameterError(message("web_upload_bad_kind", lang), found=kind,
                             expected=" / ".join(KINDS))
    ext = sniff(data, original, lang)
    folder = raw_dir(config, year)
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(audit.TZ)
    digest = hashlib.sha256(data).hexdigest()
    while True:
        path = folder / f"{kind}-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}{ext}"
        try:
            with path.open("xb") as fh:  # never overwrites an earlier file
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            break
        except FileExistsError:
            continue
    os.chmod(path, 0o440)  # raw data is read-only (data/raw/README.md)
    up = Upload(path=path, kind=kind, original=_plain_name(original), size=len(data),
                sha256=digest, when=now.isoformat(timespec="seconds"), who=who)
    sidecar = {"stored": path.name, "kind": kind, "original_name": up.original,
               "size": up.size, "sha256": digest, "uploaded": up.when, "who": who}
    atomic_write(_sidecar(path), json.dumps(sidecar, ensure_ascii=False, indent=1) + "\n")
    audit.record(config.data_dir, year, who, "upload", file=path.name, kind=kind,
                 original_name=up.original, size=up.size, sha256=digest)
    return up


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def find_upload(config: Config, year: int, upload_id: str) -> Upload | None:
    """The stored upload named ``upload_id`` in the round's raw folder, or ``None`` (also
    for any name that is not one this module generates: nothing else is ever opened)."""
    if not STORED_NAME.fullmatch(upload_id or ""):
        return None
    path = raw_dir(config, year) / upload_id
    if not path.is_file() or path.is_symlink():
        return None
    try:
        facts = json.loads(_sidecar(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        facts = {}
    return Upload(path=path, kind=STORED_NAME.fullmatch(upload_id).group(1),
                  original=str(facts.get("original_name", "?")),
                  size=int(facts.get("size", path.stat().st_size)),
                  sha256=str(facts.get("sha256", "")), when=str(facts.get("uploaded", "")),
                  who=str(facts.get("who", "")))


def list_uploads(config: Config, year: int) -> list[Upload]:
    """The round's stored uploads, newest first."""
    folder = raw_dir(config, year)
    if not folder.is_dir():
        return []
    found = [find_upload(config, year, p.name) for p in folder.iterdir()]
    return sorted((u for u in found if u is not None), key=lambda u: u.id[7:], reverse=True)


def shown(path: str | Path) -> str:
    """``path`` as ``hailong validate`` shows it: relative to the working folder."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def record_validation(config: Config, year: int, who: str, report, files) -> dict:
    """Write ``hailong validate``'s result (a :class:`~hailong.ingest.quality.CheckReport`)
    to the round's audit log: the files, the exit status and the counts."""
    return audit.record(config.data_dir, year, who, "validate",
                        files=[Path(f).name for f in files], exit_code=report.exit_code,
                        set_aside=report.set_aside, answers_set_aside=report.answers_set_aside,
                        problems=len(report.problems()))


def check_upload(config_path: str | Path | None, year: int, upload: Upload, who: str):
    """``hailong validate FILE`` on a stored upload (against the round's roster, or as a
    roster), recorded in the audit log. Returns the
    :class:`~hailong.ingest.quality.CheckReport`."""
    from hailong.ingest import quality
    from hailong.numbers.pipeline import open_round

    ctx = open_round(year, config_path)
    files = [Path(shown(upload.path))]
    report = quality.check_files(files, ctx.codebook, ctx.units,
                                 configured_roster=Path(shown(ctx.round.roster)),
                                 level=ctx.round.unit_level)
    record_validation(ctx.config, ctx.round.year, who, report, files)
    return report


# --- making a stored file the round's input ---------------------------------------------

def current_input(config: Config, year: int, key: str) -> list[str]:
    """The round's ``responses`` (or ``roster``) as written in the file (paths relative
    to the data folder)."""
    raw = read_yaml(config.path, "configuration")
    value = (raw.get("rounds") or {}).get(int(year), {}).get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _round_block(lines: list[str], year: int) -> tuple[int, int]:
    """The lines ``[start, end)`` of round ``year`` under ``rounds:``."""
    top = next((i for i, line in enumerate(lines) if re.match(r"^rounds:\s*(#.*)?$", line)),
               None)
    if top is None:
        raise ParameterError("rounds: not found")
    start = indent = None
    for i in range(top + 1, len(lines)):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        depth = len(line) - len(line.lstrip())
        if depth == 0:
            break
        if start is None:
            m = re.match(rf"^(\s+)['\"]?{int(year)}['\"]?:\s*(#.*)?$", line)
            if m:
                start, indent = i, len(m.group(1))
        elif depth <= indent:
            return start, i
    if start is None:
        raise ParameterError("round not found", found=year)
    end = len(lines)
    while end > start and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return start, end


def _rewritten(text: str, year: int, key: str, value: list[str]) -> str:
    """``text`` with round ``year``'s ``key`` set to ``value`` (one line; a trailing
    comment kept; a block list below the key replaced)."""
    lines = text.splitlines(keepends=True)
    start, end = _round_block(lines, year)
    body = [line for line in lines[start + 1:end]
            if line.strip() and not line.lstrip().startswith("#")]
    depth = len(body[0]) - len(body[0].lstrip()) if body else 0
    for i in range(start + 1, end):
        m = re.match(rf"^(\s+){key}:([ \t]*?)([^#\n]*?)([ \t]*#.*)?(\r?\n)?$", lines[i])
        if not m or len(m.group(1)) != depth:  # the round's own key, not a nested one
            continue
        quoted = [v if re.fullmatch(r"[A-Za-z0-9_./-]+", v) else json.dumps(v, ensure_ascii=False)
                  for v in value]
        new = "[" + ", ".join(quoted) + "]" if key == "responses" else quoted[0]
        j = i + 1
        if not m.group(3).strip():  # a block list: "- item" lines follow
            while j < end and re.match(r"^\s+-\s", lines[j]):
                j += 1
        lines[i:j] = [f"{m.group(1)}{key}: {new}{m.group(4) or ''}{m.group(5) or ''}"]
        return "".join(lines)
    raise ParameterError(f"{key} not found in round", found=year)


def set_round_input(config_path: str | Path | None, year: int, key: str, value: list[str],
                    who: str, lang: str = "vi", upload: Upload | None = None) -> list[str]:
    """Make ``value`` (paths relative to the data folder) round ``year``'s ``key``
    (``"responses"`` or ``"roster"``) in the configuration file; return the earlier value.

    The file is rewritten atomically and only on that line; the result must load and
    differ from the old configuration in that key only, else nothing is changed.

    Raises
    ------
    ParameterError
        If the line cannot be found or the result would not be the same configuration
        with only that key changed.
    """
    if key not in KINDS.values() or not value or (key == "roster" and len(value) != 1):
        raise ParameterError(message("web_set_input_failed", lang), found=key)
    config = load_config(config_path)
    for v in value:  # only files named inside the data folder, never a path from elsewhere
        plain = os.path.normpath(v)
        if os.path.isabs(plain) or plain.split(os.sep)[0] == ".." or \
                not (config.data_dir / plain).is_file():
            raise ParameterError(message("web_set_input_failed", lang), found=v)
    before = current_input(config, year, key)
    text = config.path.read_text(encoding="utf-8")
    try:
        new_text = _rewritten(text, year, key, value)
    except ParameterError:
        raise ParameterError(message("web_set_input_failed", lang), file=config.path.name,
                             hint=message("web_set_input_hint", lang)) from None
    old_raw, new_raw = read_yaml(config.path, "configuration"), parse_yaml(new_text)
    expected = json.loads(json.dumps(old_raw, default=str))
    expected["rounds"][str(int(year))] = {**expected["rounds"][str(int(year))],
                                          key: value if key == "responses" else value[0]}
    if json.loads(json.dumps(new_raw, default=str)) != expected:
        raise ParameterError(message("web_set_input_failed", lang), file=config.path.name,
                             hint=message("web_set_input_hint", lang))
    mode = config.path.stat().st_mode & 0o777
    atomic_write(config.path, new_text)
    os.chmod(config.path, mode)
    load_config(config.path)  # still valid (it was checked above; this raises otherwise)
    audit.record(config.data_dir, year, who, "set_input", key=key, value=value,
                 previous=before, file=upload.id if upload else None,
                 original_name=upload.original if upload else None)
    return before
