"""Compute once, render many: a round's inputs -> validated data -> stored results.

:func:`load_results` is the one call a report notebook makes. It returns the stored
results of a round when they were made from the same inputs, codebook, unit table,
configuration and library code, and otherwise recomputes and stores them first.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import ingest, store, validate
from .codebook import Codebook, load_codebook
from .config import Config, Round, load_config
from .geography import Units, load_units
from .scoring import Results, compute_results
from .themes import load_themes

log = logging.getLogger(__name__)

_LIB_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class RoundContext:
    """Everything a round is made of: configuration, round, codebook and units."""

    config: Config
    round: Round
    codebook: Codebook
    units: Units

    @property
    def inputs(self) -> list[Path]:
        """The raw data files of the round (roster first)."""
        return [self.round.roster, *self.round.responses]

    @property
    def processed_dir(self) -> Path:
        return self.config.processed_dir / str(self.round.year)

    @property
    def results_dir(self) -> Path:
        return self.processed_dir / "results"


def open_round(round_year: int | str | None = None,
               config_path: str | Path | None = None) -> RoundContext:
    """Load the configuration, codebook and units of a round (default: the current one).

    Raises
    ------
    ParameterError
        If the round is not configured (the message lists the valid rounds).
    ConfigError
        If the codebook or the unit table is missing or malformed.
    """
    cfg = load_config(config_path)
    rnd = cfg.round(round_year)
    return RoundContext(config=cfg, round=rnd, codebook=load_codebook(rnd.codebook),
                        units=load_units(rnd.units, rnd.geography_date))


def fingerprint(ctx: RoundContext) -> str:
    """A hash of everything the results depend on.

    Covers the raw inputs, the codebook, the unit table, the configuration file and the
    source of the library itself, so a change to any of them makes stored results stale.
    """
    h = hashlib.sha256()
    files = ctx.inputs + [ctx.round.codebook, ctx.round.units, ctx.config.path]
    if ctx.config.themes is not None and ctx.config.themes.is_file():
        files.append(ctx.config.themes)  # the open answers' theme dictionary
    h.update(store.inputs_fingerprint(files).encode())
    for src in sorted(_LIB_DIR.glob("*.py")):
        h.update(src.name.encode())
        h.update(src.read_bytes())
    return h.hexdigest()


def validate_round(ctx: RoundContext) -> validate.Validated:
    """Read and validate a round's roster and survey export(s).

    Raises
    ------
    InputError
        If an input cannot be used at all (rows that are merely bad are set aside and
        recorded in the ledger instead).
    """
    roster_raw = ingest.read_roster(ctx.round.roster)
    responses_raw = ingest.read_responses(list(ctx.round.responses), ctx.codebook)
    return validate.validate_round(roster_raw, responses_raw, ctx.codebook, ctx.units,
                                   level=ctx.round.unit_level)


def _stored_key(results_dir: Path) -> str | None:
    meta = results_dir / "meta.json"
    if not meta.is_file():
        return None
    try:
        return json.loads(meta.read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError):
        return None


def load_results(round_year: int | str | None = None,
                 config_path: str | Path | None = None,
                 *, force: bool = False) -> Results:
    """The results of a round, computed once and stored under ``data/processed/<year>/``.

    Parameters
    ----------
    round_year
        The survey round (default: ``current_round`` of the configuration).
    config_path
        The configuration file (default: ``data/hailong.yaml``).
    force
        Recompute even if stored results are up to date.

    Examples
    --------
    >>> res = load_results(2022)                      # doctest: +SKIP
    >>> res.unit("311").scores.query("kind == 'index'")  # doctest: +SKIP
    """
    ctx = open_round(round_year, config_path)
    key = fingerprint(ctx)
    if not force and _stored_key(ctx.results_dir) == key:
        return Results.load(ctx.results_dir)
    log.info("Computing results of round %s", ctx.round.year)
    validated = validate_round(ctx)
    store.write_processed(ctx.processed_dir, validated, ctx.inputs, ctx.codebook)
    results = compute_results(
        validated.responses, validated.roster, ctx.codebook, ctx.units,
        level=ctx.round.unit_level, min_n=ctx.config.min_n,
        stats=ctx.config.stats,
        themes=load_themes(ctx.config.themes) if ctx.config.themes else None,
        meta={"round": ctx.round.year, "fingerprint": key,
              "organisation": ctx.config.organisation,
              "round_label": ctx.round.label,
              "rows": validated.summary(),
              "inputs": store.inputs_summary(ctx.processed_dir),
              "data_date": _last_submission(validated)},
    )
    _save_atomically(results, ctx.results_dir)
    return results


def _last_submission(validated: validate.Validated) -> str | None:
    """ISO date of the last accepted submission (the "data as of" date of the reports)."""
    stamps = validated.responses["submitted_at"].dropna()
    return stamps.max().date().isoformat() if len(stamps) else None


def _save_atomically(results: Results, target: Path) -> None:
    """Save into a fresh folder beside ``target``, then swap it in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".results-", dir=target.parent))
    try:
        results.save(tmp)
        old = target.with_name(target.name + ".old")
        if target.exists():
            if old.exists():
                shutil.rmtree(old)
            os.replace(target, old)
        os.replace(tmp, target)
        if old.exists():
            shutil.rmtree(old)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
