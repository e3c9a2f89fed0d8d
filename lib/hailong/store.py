"""The processed store of a round: ``data/processed/<round>/``.

``roster.parquet``, ``responses.parquet``, ``ledger.csv`` and ``data-quality.csv`` (UTF-8
with BOM, so Excel shows Vietnamese correctly; no cell Excel could run as a formula) and
``manifest.json`` (inputs with their sha256, how they were read, counts, versions).
Every file is written under a temporary name and moved into place with ``os.replace``;
the manifest is removed first and written last, so a manifest means a complete store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from . import __version__, quality
from .codebook import Codebook
from .errors import InputError
from .safetext import excel_text
from .validate import LEDGER_COLUMNS, Validated

MANIFEST = "manifest.json"
ROSTER, RESPONSES, LEDGER = "roster.parquet", "responses.parquet", "ledger.csv"
DATA_QUALITY = quality.DATA_QUALITY_FILE
#: Version of the store's layout; bump it when the files change shape.
FORMAT = 1


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes.

    Raises
    ------
    InputError
        If the file does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("The file does not exist.", file=path,
                         hint="Check the file name and folder (see data/hailong.yaml).")
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def inputs_fingerprint(paths: Sequence[str | Path]) -> str:
    """One sha256 over the hex sha256 of each file, in order (changes when any file does)."""
    h = hashlib.sha256()
    for p in paths:
        h.update(file_sha256(p).encode("ascii"))
    return h.hexdigest()


def _atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``target``, then move it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _input_entry(path: Path, validated: Validated) -> dict:
    resolved = path.resolve()
    rows = next((n for f, n in validated.rows_read.items() if Path(f).resolve() == resolved),
                None)
    source = next((s for f, s in validated.sources.items() if Path(f).resolve() == resolved),
                  {})
    entry = {"name": path.name, "path": str(path), "size": path.stat().st_size,
             "sha256": file_sha256(path), "rows_read": rows}
    if source:
        entry |= {"kind": source.get("kind", ""), "read_as": source.get("read_as", {}),
                  "extra_columns": source.get("extra_columns", [])}
    return entry


def _manifest(validated: Validated, inputs: Sequence[Path], codebook: Codebook) -> dict:
    return {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "hailong_version": __version__,
        "codebook": {"version": codebook.version, "path": str(codebook.path),
                     "sha256": file_sha256(codebook.path)},
        "inputs": [_input_entry(Path(p), validated) for p in inputs],
        "inputs_fingerprint": inputs_fingerprint(inputs),
        "counts": {**validated.counts(), "roster": len(validated.roster)},
        "warnings": list(validated.warnings),
        "files": {"roster": ROSTER, "responses": RESPONSES, "ledger": LEDGER,
                  "data_quality": DATA_QUALITY},
    }


def write_processed(out_dir: str | Path, validated: Validated, inputs: Sequence[str | Path],
                    codebook: Codebook) -> Path:
    """Write a validated round to ``out_dir`` (created if needed); return the manifest path.

    Parameters
    ----------
    inputs
        The raw files the round was read from (roster and exports), for the manifest.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest = _manifest(validated, [Path(p) for p in inputs], codebook)
    (out / MANIFEST).unlink(missing_ok=True)
    _atomic_write(out / ROSTER, lambda p: validated.roster.to_parquet(p, index=False))
    _atomic_write(out / RESPONSES, lambda p: validated.responses.to_parquet(p, index=False))
    ledger = validated.ledger.copy()
    for c in ledger.columns:
        if c != "source_row":
            ledger[c] = ledger[c].map(excel_text)
    _atomic_write(out / LEDGER, lambda p: ledger.to_csv(p, index=False, encoding="utf-8-sig"))
    table = quality.data_quality(validated)
    _atomic_write(out / DATA_QUALITY, lambda p: quality.write_data_quality(table, p))
    text = json.dumps(manifest, ensure_ascii=False, indent=2)
    _atomic_write(out / MANIFEST, lambda p: p.write_text(text + "\n", encoding="utf-8"))
    return out / MANIFEST


def read_manifest(out_dir: str | Path) -> dict:
    """The manifest of a processed round.

    Raises
    ------
    InputError
        If there is none (never processed, or a write was interrupted).
    """
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        raise InputError("There are no processed data here.", file=path,
                         hint="Process the round first (its inputs are read again).")
    return json.loads(path.read_text(encoding="utf-8"))


def read_data_quality(out_dir: str | Path) -> pd.DataFrame:
    """The data-quality table of a processed round (:func:`hailong.quality.data_quality`).

    Raises
    ------
    InputError
        If the round has not been processed.
    """
    read_manifest(out_dir)
    return quality.read_data_quality(Path(out_dir) / DATA_QUALITY)


def inputs_summary(out_dir: str | Path) -> list[dict]:
    """What a processed round was built from: ``name``, ``sha256`` (first 12 hex digits),
    ``rows`` (rows read) and ``kind`` of each input file, from its manifest."""
    return [{"name": e["name"], "sha256": e["sha256"][:12], "rows": e.get("rows_read"),
             "kind": e.get("kind", "")} for e in read_manifest(out_dir)["inputs"]]


def read_processed(out_dir: str | Path) -> Validated:
    """Read back what :func:`write_processed` wrote."""
    out = Path(out_dir)
    manifest = read_manifest(out)
    dtypes = {c: "str" for c in LEDGER_COLUMNS} | {"source_row": "int64"}
    ledger = pd.read_csv(out / LEDGER, dtype=dtypes, keep_default_na=False, encoding="utf-8-sig")
    rows_read = {e["path"]: e["rows_read"] for e in manifest["inputs"]
                 if e["rows_read"] is not None}
    sources = {e["path"]: {"kind": e["kind"], "read_as": e.get("read_as", {}),
                           "extra_columns": e.get("extra_columns", [])}
               for e in manifest["inputs"] if e.get("kind")}
    return Validated(roster=pd.read_parquet(out / ROSTER),
                     responses=pd.read_parquet(out / RESPONSES), ledger=ledger,
                     warnings=list(manifest.get("warnings", [])), rows_read=rows_read,
                     sources=sources)
