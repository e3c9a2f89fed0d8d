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
#: What the answers of a round became (``Validated.answer_counts``).
ANSWER_KEYS = ("read", "used", "set_aside", "no_opinion")


def _input_entry(path: Path, validated: Validated) -> dict:
    resolved = path.resolve()
    rows = next((n for f, n in validated.rows_read.items() if Path(f).resolve() == resolved),
                None)
    source = next((s for f, s in validated.sources.items() if Path(f).resolve() == resolved),
                  {})
    entry = {"name": path.name, "path": str(path), "size": path.stat().st_size,
             "sha256": file_digest(path), "rows_read": rows,
             "rows_set_aside": _set_aside_rows(validated).get(resolved, 0),
             "answers_set_aside": _set_aside_cells(validated).get(resolved, 0)}
    if source:
        entry |= {"kind": source.get("kind", ""), "read_as": source.get("read_as", {}),
                  "extra_columns": source.get("extra_columns", [])}
    return entry


def _set_aside_rows(validated: Validated) -> dict[Path, int]:
    """Survey rows set aside, per input file (resolved path)."""
    ledger = validated.ledger
    if not len(ledger):
        return {}
    aside = ledger.loc[ledger["status"] == "set_aside", "source_file"].astype(str)
    return {Path(f).resolve(): int(n) for f, n in aside.value_counts().items()}


def _set_aside_cells(validated: Validated) -> dict[Path, int]:
    """Answers set aside as single cells, per input file (``Validated.cells``)."""
    cells = getattr(validated, "cells", None)
    if cells is None or not len(cells) or "source_file" not in cells:
        return {}
    return {Path(f).resolve(): int(n)
            for f, n in cells["source_file"].astype(str).value_counts().items()}


def answer_counts(validated: object) -> dict[str, int] | None:
    """``{"read", "used", "set_aside", "no_opinion"}`` of the answers of a validated round
    (``Validated.answer_counts``, an attribute or a method), or ``None`` when ingest does
    not count them."""
    counts = getattr(validated, "answer_counts", None)
    if callable(counts):
        counts = counts()
    if not counts:
        return None
    return {k: int(counts.get(k, 0)) for k in ANSWER_KEYS}


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
        "answers": answer_counts(validated),
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
        raise InputError("err.there_processed_data_here", file=path,
                         hint="hint.process_round_first_inputs")
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


def set_aside_summary(out_dir: str | Path) -> dict:
    """What a processed round set aside, from its manifest (JSON-able, for the results'
    meta and the build's loss check).

    Returns
    -------
    dict
        ``rows_read``, ``rows_set_aside`` (survey rows), ``answers_read``,
        ``answers_set_aside`` (``None`` when ingest did not count answers), ``files``
        (``name``, ``path``, ``rows_set_aside``, ``answers_set_aside`` of each survey
        export) and
        ``data_quality`` (the data-quality report's path).

    Raises
    ------
    InputError
        If the round has not been processed.
    """
    manifest = read_manifest(out_dir)
    counts, answers = manifest.get("counts") or {}, manifest.get("answers") or {}
    return {"rows_read": int(counts.get("read", 0)),
            "rows_set_aside": int(counts.get("set_aside", 0)),
            "answers_read": answers.get("read"), "answers_set_aside": answers.get("set_aside"),
            "files": [{"name": e["name"], "path": e["path"],
                       "rows_set_aside": e.get("rows_set_aside"),
                       "answers_set_aside": e.get("answers_set_aside")}
                      for e in manifest.get("inputs", []) if e.get("kind") != "roster"],
            "data_quality": str(Path(out_dir) / DATA_QUALITY)}


def set_aside_counts(out_dir: str | Path) -> dict:
    """``rows_read``, ``rows_set_aside``, ``answers_read``, ``answers_set_aside`` of
    :func:`set_aside_summary` (the results' meta: counts only, no path)."""
    summary = set_aside_summary(out_dir)
    return {k: summary[k] for k in ("rows_read", "rows_set_aside", "answers_read",
                                    "answers_set_aside")}


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
                     sources=sources, **_stored_answers(manifest))


def _stored_answers(manifest: dict) -> dict:
    """The answer accounting the manifest recorded, as :class:`Validated` takes it back
    (nothing when ingest does not keep one)."""
    fields = getattr(Validated, "__dataclass_fields__", {})
    return {"answers": manifest["answers"]} if manifest.get("answers") and "answers" in fields \
        else {}
