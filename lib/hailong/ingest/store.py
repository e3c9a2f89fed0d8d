"""The processed store of a round: ``data/processed/<round>/``.

``roster.parquet``, ``responses.parquet``, ``ledger.csv`` and ``data-quality.csv`` (UTF-8
with BOM, so Excel shows Vietnamese correctly; no cell Excel could run as a formula) and
``manifest.json`` (inputs with their sha256, how they were read, counts, versions).
Every file is written under a temporary name and moved into place
(:mod:`hailong.core.files`); the manifest is removed first and written last, so a
manifest means a complete store. The roster and responses hold personal data and are
private to their owner (0600); the other files follow the user's umask.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from hailong.core.errors import InputError
from hailong.core.files import atomic_write_with, file_digest, files_digest
from hailong.core.safetext import excel_text
from hailong.core.version import __version__
from hailong.ingest import quality
from hailong.ingest.validate import LEDGER_COLUMNS, Validated
from hailong.reference.codebook import Codebook

MANIFEST = "manifest.json"
ROSTER, RESPONSES, LEDGER = "roster.parquet", "responses.parquet", "ledger.csv"
DATA_QUALITY = quality.DATA_QUALITY_FILE
#: Version of the store's layout; bump it when the files change shape.
FORMAT = 1


def _input_entry(path: Path, validated: Validated) -> dict:
    resolved = path.resolve()
    rows = next((n for f, n in validated.rows_read.items() if Path(f).resolve() == resolved),
                None)
    source = next((s for f, s in validated.sources.items() if Path(f).resolve() == resolved),
                  {})
    entry = {"name": path.name, "path": str(path), "size": path.stat().st_size,
             "sha256": file_digest(path), "rows_read": rows}
    if source:
        entry |= {"kind": source.get("kind", ""), "read_as": source.get("read_as", {}),
                  "extra_columns": source.get("extra_columns", [])}
    return entry


def _manifest(validated: Validated, inputs: Sequence[Path], codebook: Codebook) -> dict:
    return {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "hailong_version": __version__,
        "codebook": {"version": codebook.version, "path": str(codebook.path),
                     "sha256": file_digest(codebook.path)},
        "inputs": [_input_entry(Path(p), validated) for p in inputs],
        "inputs_fingerprint": files_digest(inputs, names=False),
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
    # Names, phone numbers and e-mails of directors and respondents: private files.
    atomic_write_with(out / ROSTER, lambda p: validated.roster.to_parquet(p, index=False),
                      private=True)
    atomic_write_with(out / RESPONSES, lambda p: validated.responses.to_parquet(p, index=False),
                      private=True)
    ledger = validated.ledger.copy()
    for c in ledger.columns:
        if c != "source_row":
            ledger[c] = ledger[c].map(excel_text)
    atomic_write_with(out / LEDGER, lambda p: ledger.to_csv(p, index=False, encoding="utf-8-sig"))
    table = quality.data_quality(validated)
    atomic_write_with(out / DATA_QUALITY, lambda p: quality.write_data_quality(table, p))
    text = json.dumps(manifest, ensure_ascii=False, indent=2)
    atomic_write_with(out / MANIFEST, lambda p: p.write_text(text + "\n", encoding="utf-8"))
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
    """The data-quality table of a processed round (:func:`hailong.ingest.quality.data_quality`).

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
