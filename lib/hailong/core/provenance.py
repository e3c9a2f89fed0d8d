"""Where a published figure comes from: the code's version and the packages that made it.

:func:`code_version` is the git commit when the package runs from a checkout (with
``dirty`` when the checkout has uncommitted changes), else the package's version alone;
:func:`package_versions` the versions of Python and of the packages named, read without
importing them.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from collections.abc import Iterable

from hailong.core.files import PACKAGE_DIR
from hailong.core.version import __version__

#: The checkout the package runs from, if any (``lib/hailong`` -> the project folder).
CHECKOUT = PACKAGE_DIR.parents[1]


def _git(*args: str) -> str | None:
    """A git command's output in :data:`CHECKOUT`, or ``None`` (no git, not a checkout)."""
    git = shutil.which("git")
    if git is None or not (CHECKOUT / ".git").exists():
        return None
    try:
        done = subprocess.run([git, "-C", str(CHECKOUT), *args], capture_output=True,
                              text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


@functools.cache
def code_version() -> dict[str, object]:
    """``{"version": "0.1.0", "commit": "<40 hex>" or None, "short": "<7 hex>" or "",
    "dirty": bool}`` of the code this process runs (taken once per process)."""
    commit = _git("rev-parse", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no", "--", "lib")) \
        if commit else False
    return {"version": __version__, "commit": commit or None,
            "short": (commit or "")[:7], "dirty": dirty}


def code_label() -> str:
    """``hailong 0.1.0 (commit 1a2b3c4)``; ``+`` after the commit when the library had
    uncommitted changes; the version alone outside a checkout."""
    v = code_version()
    if not v["short"]:
        return f"hailong {v['version']}"
    return f"hailong {v['version']} (commit {v['short']}{'+' if v['dirty'] else ''})"


def package_versions(names: Iterable[str]) -> dict[str, str]:
    """Python's version and each named distribution's (``""`` when not installed)."""
    from importlib import metadata

    out = {"python": sys.version.split()[0]}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = ""
    return out
