"""What the last builds made, so that the next one redoes only what changed.

A build records, per output (a report, the index, the workbook, the follow-up lists), the
key of what it was made from and the size and time of each file it wrote, in
``<out>/<year>/internal/build-state.json`` (internal: never published). An output is up
to date when its key is the same and its files are still those the build wrote; anything
else (a changed input, a deleted or edited file, a build killed before it recorded the
output) makes it stale.

What a report is made from (:func:`report_digests`): the rows of the round's results it
can read — a unit's report: its own rows of every table, the city's rows (it compares
with the city), every unit's index row (ranks and withheld units are spoken of), the
tables without units (labels) and the results' meta except their fingerprint (the meta
names the input files and their SHA-256, which every report prints); the citywide report:
all of it. Plus the notebook, the library's code and templates, the packages that render,
the parameters and the title block (:func:`report_key`).

The state is written atomically (temporary name, then rename) and only after the files
it describes, so a build killed at any moment leaves a state that is true or stale, never
one that claims a report it did not finish.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from hailong.core import provenance
from hailong.core.files import atomic_write, json_digest

#: Bump when what goes into a key changes.
KEY_VERSION = 1
#: The state file, under the round's ``internal/`` folder.
STATE_FILE = "build-state.json"
#: Packages whose version changes how a report is rendered.
RENDERING_PACKAGES = ("pandas", "numpy", "matplotlib", "seaborn", "papermill", "nbclient",
                     "nbconvert", "ipykernel", "beautifulsoup4", "playwright", "scipy")
#: Meta entries that change without changing what a report shows.
VOLATILE_META = ("fingerprint", "built_at")
#: Seconds between two saves of the state while reports come in.
SAVE_EVERY_S = 1.0


def package_versions() -> dict[str, str]:
    """Python's version and those of :data:`RENDERING_PACKAGES` (without importing them)."""
    return provenance.package_versions(RENDERING_PACKAGES)


# --------------------------------------------------------------- what a report reads
def _row_hashes(table):
    """One uint64 per row, also depending on the row's place among its unit's rows."""
    import numpy as np
    import pandas as pd

    rows = pd.util.hash_pandas_object(table.reset_index(drop=True), index=False).to_numpy()
    if "unit" not in table.columns:
        place = np.arange(len(table), dtype="uint64")
    else:
        place = table.groupby("unit", sort=False).cumcount().to_numpy().astype("uint64")
    mixed = pd.util.hash_array(place) * np.uint64(0x9E3779B97F4A7C15)
    return rows ^ mixed


def _by_unit(table) -> dict[str, str]:
    """unit -> a digest of that unit's rows of ``table``."""
    import pandas as pd

    h = _row_hashes(table)
    frame = pd.DataFrame({"unit": table["unit"].astype(str).to_numpy(), "h": h,
                          "h2": h * h})
    agg = frame.groupby("unit", sort=False).agg(h=("h", "sum"), h2=("h2", "sum"),
                                                n=("h", "size"))
    return {u: f"{int(a):016x}{int(b):016x}{int(n)}"
            for u, a, b, n in zip(agg.index, agg["h"], agg["h2"], agg["n"])}


def _whole(table) -> str:
    h = _row_hashes(table)
    return hashlib.sha256(h.tobytes()).hexdigest() + f"{len(table)}"


def report_digests(results) -> dict[str, str]:
    """unit -> digest of what that unit's report reads of ``results`` (module docstring);
    ``"city"`` -> digest of everything. Units without rows share the digest of the
    context alone."""
    from hailong.numbers.scoring import INDEX, TABLES
    from hailong.reference.geography import CITY

    meta = {k: v for k, v in (results.meta or {}).items() if k not in VOLATILE_META}
    shared, per_unit = [json_digest(meta)], {}
    for name in TABLES:
        table = getattr(results, name)
        if "unit" not in table.columns:
            shared.append(f"{name}:{_whole(table)}")
            continue
        for unit, d in _by_unit(table).items():
            per_unit.setdefault(unit, []).append(f"{name}:{d}")
    scores = results.scores
    index_rows = _whole(scores[scores["measure"] == INDEX])
    everything = json_digest(shared, sorted((u, p) for u, p in per_unit.items()))
    city = per_unit.get(CITY, [])
    out = {unit: json_digest(shared, index_rows, city, parts)
           for unit, parts in per_unit.items() if unit != CITY}
    out["*"] = json_digest(shared, index_rows, city, [])  # a unit without rows
    out[CITY] = everything
    return out


# ----------------------------------------------------------------------- the state
def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


class BuildState:
    """The state file of one output folder: per output, its key and its files.

    Parameters
    ----------
    root
        The round's output folder (``<out>/<year>``); file names are kept relative to it.
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.path = self.root / "internal" / STATE_FILE
        self.entries: dict[str, dict] = {}
        self.fast: dict | None = None
        self._saved_at = 0.0
        self._dirty = False

    @classmethod
    def load(cls, root: str | Path) -> BuildState:
        """The recorded state (empty if there is none or it cannot be read)."""
        state = cls(root)
        try:
            raw = json.loads(state.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return state
        if raw.get("version") == KEY_VERSION:
            state.entries = dict(raw.get("entries") or {})
            state.fast = raw.get("fast")
        return state

    def _rel(self, path: Path) -> str:
        return os.path.relpath(path, self.root)

    def intact(self, files: Mapping[str, list[int]]) -> bool:
        """Whether every recorded file is still there, same size and time."""
        return all(_stat(self.root / name) == list(st) for name, st in files.items())

    def fresh(self, name: str, key: str) -> bool:
        """Whether output ``name`` was made from ``key`` and its files are untouched."""
        entry = self.entries.get(name)
        return bool(entry) and entry.get("key") == key and self.intact(entry.get("files", {}))

    def record(self, name: str, key: str, files: Iterable[Path]) -> None:
        """Output ``name`` was made from ``key`` into ``files`` (which exist now)."""
        stats = {self._rel(Path(f)): _stat(Path(f)) for f in files}
        self.entries[name] = {"key": key, "files": {k: v for k, v in stats.items() if v}}
        self._dirty = True

    def forget(self, name: str) -> None:
        """Output ``name`` is not (or no longer) made."""
        if self.entries.pop(name, None) is not None:
            self._dirty = True

    # -- the no-op check
    def set_fast(self, key: str | None, names: Iterable[str] = (), summary: dict | None = None):
        """Record that a build with ``key`` (see :func:`hailong.run.build.quick_key`) left
        outputs ``names`` complete (``None``: no build can be skipped on trust)."""
        self.fast = None if key is None else {"key": key, "names": sorted(names),
                                              "summary": summary or {}}
        self._dirty = True

    def fast_hit(self, key: str) -> dict | None:
        """The summary of the last build when it had ``key`` and every file it recorded
        is untouched; else ``None``."""
        fast = self.fast
        if not fast or fast.get("key") != key:
            return None
        for name in fast.get("names", []):
            entry = self.entries.get(name)
            if not entry or not self.intact(entry.get("files", {})):
                return None
        return fast.get("summary") or {}

    # -- saving
    def save(self, force: bool = True) -> None:
        """Write the state atomically (unless ``force`` is false and it was saved less
        than :data:`SAVE_EVERY_S` ago, or nothing changed)."""
        if not self._dirty or (not force and time.monotonic() - self._saved_at < SAVE_EVERY_S):
            return
        text = json.dumps({"version": KEY_VERSION, "entries": self.entries, "fast": self.fast},
                          ensure_ascii=False, indent=0, sort_keys=True)
        atomic_write(self.path, text + "\n")
        self._saved_at = time.monotonic()
        self._dirty = False
