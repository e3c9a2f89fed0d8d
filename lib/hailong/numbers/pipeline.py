"""Compute once, render many: a round's inputs -> validated data -> stored results.

:func:`load_results` is the one call a report notebook makes. It returns the stored
results of a round when they were made from the same inputs, codebook, unit table,
configuration and library code, and otherwise recomputes and stores them first. In one
process (a report kernel that runs many reports) the results read once are kept and
handed out again while their fingerprint holds: each call gets its own shallow copy
(pandas copy-on-write), so a notebook that changes a table changes only its own.

Importing this module is cheap (no pandas): ``hailong build`` checks whether anything
changed (:func:`fingerprint_files`, :func:`code_fingerprint`) before it loads any.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hailong.core.files import code_fingerprint, files_digest, json_digest, replace_folder
from hailong.reference.config import Config, Round, load_config

if TYPE_CHECKING:  # pragma: no cover - imported lazily (pandas)
    from hailong.ingest import validate
    from hailong.numbers.scoring import Results
    from hailong.reference.codebook import Codebook
    from hailong.reference.geography import Units

log = logging.getLogger(__name__)

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
    from hailong.reference.codebook import load_codebook
    from hailong.reference.geography import load_units

    cfg = load_config(config_path)
    rnd = cfg.round(round_year)
    return RoundContext(config=cfg, round=rnd, codebook=load_codebook(rnd.codebook),
                        units=load_units(rnd.units, rnd.geography_date))


def fingerprint_files(config: Config, rnd: Round) -> list[Path]:
    """Every file a round's results are computed from: the raw inputs (roster first),
    the codebook, the unit table, the configuration and the theme dictionary."""
    files = [rnd.roster, *rnd.responses, rnd.codebook, rnd.units, config.path]
    if config.themes is not None and config.themes.is_file():
        files.append(config.themes)
    return files


def round_fingerprint(config: Config, rnd: Round) -> str:
    """:func:`fingerprint` from the configuration alone (nothing is parsed)."""
    return json_digest(files_digest(fingerprint_files(config, rnd), names=False),
                       code_fingerprint())


def fingerprint(ctx: RoundContext) -> str:
    """A hash of everything the results depend on.

    Covers the raw inputs, the codebook, the unit table, the configuration file, the
    theme dictionary (:func:`fingerprint_files`) and the source of the library itself
    (:func:`code_fingerprint`), so a change to any of them makes stored results stale.
    """
    return round_fingerprint(ctx.config, ctx.round)


def validate_round(ctx: RoundContext) -> validate.Validated:
    """Read and validate a round's roster and survey export(s).

    Raises
    ------
    InputError
        If an input cannot be used at all (rows that are merely bad are set aside and
        recorded in the ledger instead).
    """
    import hailong.ingest.readers as ingest
    from hailong.ingest import validate

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


#: Results this process has read or computed: results folder -> (fingerprint, time of
#: meta.json, results). A report kernel runs many reports; each reads the tables once.
_LOADED: dict[Path, tuple[str, int, Results]] = {}


def _meta_time(results_dir: Path) -> int | None:
    try:
        return (results_dir / "meta.json").stat().st_mtime_ns
    except OSError:
        return None


def _own_copy(results: Results) -> Results:
    """A copy whose tables and meta can be changed without touching ``results`` (shallow
    DataFrame copies: pandas copies on write)."""
    from hailong.numbers.scoring import TABLES

    return dataclasses.replace(
        results, **{name: getattr(results, name).copy(deep=False) for name in TABLES},
        meta=copy.deepcopy(results.meta))


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
    from hailong.numbers.scoring import Results

    cfg = load_config(config_path)
    rnd = cfg.round(round_year)
    results_dir = cfg.processed_dir / str(rnd.year) / "results"
    key = round_fingerprint(cfg, rnd)
    if not force and _stored_key(results_dir) == key:
        seen = _LOADED.get(results_dir)
        stamp = _meta_time(results_dir)
        if seen is not None and seen[:2] == (key, stamp):
            return _own_copy(seen[2])
        results = Results.load(results_dir)
        _LOADED[results_dir] = (key, stamp, results)
        return _own_copy(results)
    results = _compute(open_round(rnd.year, cfg.path), key)
    _save_atomically(results, results_dir)
    _LOADED[results_dir] = (key, _meta_time(results_dir), results)
    return _own_copy(results)


def _compute(ctx: RoundContext, key: str) -> Results:
    """Validate the round's inputs, store them, and compute its results."""
    from hailong.ingest import store
    from hailong.numbers.scoring import compute_results
    from hailong.numbers.themes import load_themes

    log.info("Computing results of round %s", ctx.round.year)
    validated = validate_round(ctx)
    store.write_processed(ctx.processed_dir, validated, ctx.inputs, ctx.codebook)
    return compute_results(
        validated.responses, validated.roster, ctx.codebook, ctx.units,
        level=ctx.round.unit_level, min_n=ctx.config.min_n,
        stats=ctx.config.stats,
        themes=load_themes(ctx.config.themes) if ctx.config.themes else None,
        meta={"round": ctx.round.year, "fingerprint": key,
              "organisation": ctx.config.organisation,
              "round_label": ctx.round.label,
              "rows": validated.summary(),
              "set_aside": store.set_aside_counts(ctx.processed_dir),
              "inputs": store.inputs_summary(ctx.processed_dir),
              "data_date": _last_submission(validated)},
    )


def _last_submission(validated: validate.Validated) -> str | None:
    """ISO date of the last accepted submission (the "data as of" date of the reports)."""
    stamps = validated.responses["submitted_at"].dropna()
    return stamps.max().date().isoformat() if len(stamps) else None


def _save_atomically(results: Results, target: Path) -> None:
    """Save into a fresh folder beside ``target``, then swap it in (private: the
    respondents' table holds each cooperative's scores)."""
    replace_folder(target, results.save, private=True)
