"""Files: fingerprints, safe writing and one permission policy, for every writer.

Fingerprints
    :func:`file_digest` (SHA-256 of a file's bytes, remembered while its size and time
    stay the same), :func:`files_digest` (names and contents of several files),
    :func:`json_digest` (any JSON-able parts) and :func:`code_fingerprint`, the one rule
    for "the code changed": every file of the package (Python source, templates, the
    message catalogue), so stored results, the trend cache and built reports go stale
    together.

Safe writing
    Everything is written under a temporary name in the target's folder and renamed into
    place (:func:`atomic_write`, :func:`atomic_write_with`, :func:`commit`,
    :func:`replace_folder`): a reader sees the old file or the new one, never half of one,
    and a build killed at any moment leaves the previous file whole.

Appending
    Logs that are only ever appended to (the round's audit log, the assisted entries)
    get one line at a time through :func:`append_line`: opened for appending, locked
    against other writers, flushed to disk; earlier lines are never touched.

Permissions
    Ordinary files and folders get what the user's umask gives any file they write
    (``0o666 & ~umask``, ``0o777 & ~umask``). Files holding personal data (the processed
    roster and responses, the internal follow-up lists) are written with ``private=True``
    and are readable by their owner only (0600, folders 0700) whatever the umask.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from hailong.core.errors import InputError

#: The package's folder (``lib/hailong``): what :func:`code_fingerprint` covers.
PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: Modes of private files and folders (personal data).
PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700
#: Files the code fingerprint leaves out (byte code, editor leftovers).
_NOT_CODE = {".pyc", ".pyo", ".swp", ".tmp"}

#: Serialises reading the umask where it can only be read by setting it.
_UMASK_LOCK = threading.Lock()
#: SHA-256 of files already read by this process: path -> (size, mtime_ns, digest).
_DIGESTS: dict[str, tuple[int, int, str]] = {}


# ----------------------------------------------------------------------- fingerprints

def file_digest(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes, remembered while its size and time stay the same.

    Raises
    ------
    InputError
        If the file does not exist (or is a folder).
    """
    path = Path(path)
    try:
        st = path.stat()
        if not path.is_file():
            raise IsADirectoryError(path)
    except OSError:
        raise InputError("err.file_missing", file=path, hint="hint.check_file_name") \
            from None
    key = str(path.resolve())
    seen = _DIGESTS.get(key)
    if seen and seen[:2] == (st.st_size, st.st_mtime_ns):
        return seen[2]
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    _DIGESTS[key] = (st.st_size, st.st_mtime_ns, h.hexdigest())
    return h.hexdigest()


def files_digest(paths: Iterable[str | Path], *, names: bool = True) -> str:
    """One SHA-256 over each file's content (and name, unless ``names`` is false), in
    order; a missing file counts as ``-`` (so its appearing changes the digest)."""
    h = hashlib.sha256()
    for p in paths:
        p = Path(p)
        if names:
            h.update(p.name.encode())
        h.update(file_digest(p).encode("ascii") if p.is_file() else b"-")
    return h.hexdigest()


def _jsonable(value: object) -> object:
    import dataclasses
    import datetime as dt

    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    if isinstance(value, tuple):
        return list(value)
    return str(value)


def json_digest(*parts: object) -> str:
    """SHA-256 of the JSON of ``parts`` (dates, paths and dataclasses as text)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=_jsonable)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def code_files() -> list[Path]:
    """Every file of the package that can change what it computes or shows, in a fixed
    order: Python source, templates, data files (the message catalogue)."""
    return sorted(p for p in PACKAGE_DIR.rglob("*")
                  if p.is_file() and p.suffix not in _NOT_CODE and "__pycache__" not in p.parts)


@functools.cache
def code_fingerprint() -> str:
    """A hash of the package's code (:func:`code_files`, by path and content): the one
    rule for "made by other code", shared by stored results, the trend cache and reports.

    Read once per process: it stands for the code the process runs, so a file edited
    while a build runs cannot give two parts of one build two fingerprints (and each
    report no longer hashes the ~150 files twice).
    """
    h = hashlib.sha256()
    for path in code_files():
        h.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        h.update(file_digest(path).encode("ascii"))
    return h.hexdigest()


# ------------------------------------------------------------------------ permissions

def _umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux:
    ``/proc/self/status``). Setting it to read it would, for that instant, give the
    files another thread creates (a round writer beside the reports) the modes of
    umask 0 -- world-writable; where it must be set, it is set to 077 meanwhile."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


def file_mode(private: bool = False) -> int:
    """The mode a written file gets: 0600 when ``private``, else what the umask gives."""
    return PRIVATE_FILE if private else 0o666 & ~_umask()


def dir_mode(private: bool = False) -> int:
    """The mode a created folder gets: 0700 when ``private``, else what the umask gives."""
    return PRIVATE_DIR if private else 0o777 & ~_umask()


def make_dir(path: str | Path, private: bool = False) -> Path:
    """Create a folder (and its parents, as the umask gives); a private one is 0700."""
    path = Path(path)
    if private:  # never, even for an instant, open to others
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        os.chmod(path, PRIVATE_DIR)
    else:
        path.mkdir(parents=True, exist_ok=True)
    return path


def _apply_tree(root: Path, private: bool) -> None:
    """Give a folder made under a temporary name, and all in it, the policy's modes."""
    fmode, dmode = file_mode(private), dir_mode(private)
    for folder, _dirs, files in os.walk(root):
        os.chmod(folder, dmode)
        for name in files:
            os.chmod(os.path.join(folder, name), fmode)


# ---------------------------------------------------------------------- safe writing

def commit(tmp: str | Path, target: str | Path, private: bool = False) -> Path:
    """Give a finished temporary file the policy's mode and rename it to ``target``
    (same folder, so the rename is atomic)."""
    os.chmod(tmp, file_mode(private))
    os.replace(tmp, target)
    return Path(target)


def atomic_write_with(path: str | Path, write: Callable[[Path], None],
                      private: bool = False) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then move it into place.

    A reader (or a web server) sees the old file or the new one, never half of one; on
    any error the temporary file is removed and the old file stays.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        return commit(tmp, path, private)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: str | Path, data: str | bytes, private: bool = False) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically (:func:`atomic_write_with`)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return atomic_write_with(path, lambda tmp: tmp.write_bytes(raw), private)


def replace_folder(target: str | Path, fill: Callable[[Path], None], private: bool = False,
                   *, tolerate_race: bool = False) -> Path:
    """Fill a fresh folder beside ``target`` (``fill(tmp)``), then swap it in.

    With ``tolerate_race``, losing a race with another process storing the same folder
    at the same moment is not an error (theirs is as good).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    try:
        fill(tmp)
        _apply_tree(tmp, private)
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
    except OSError:
        if not tolerate_race:
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return target


def append_line(path: str | Path, line: str, private: bool = True) -> int:
    """Append one line of text to ``path`` (created with its folder if missing) and
    return its line number; locked against other writers, flushed to disk.

    ``private`` (default): the file is readable by its owner only (it holds answers or
    names).
    """
    import fcntl

    path = Path(path)
    make_dir(path.parent, private=private)
    text = line.rstrip("\n") + "\n"
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, file_mode(private))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with os.fdopen(os.dup(fd), "rb") as f:
            count = sum(1 for _ in f)
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
        return count + 1
    finally:
        os.close(fd)  # releases the lock
