"""Project configuration: rounds, their data files, codebook and geography.

The configuration lives in ``data/hailong.yaml``; every path in it is relative to the
folder that holds that file. Nothing that changes between rounds is in code.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ConfigError, ParameterError

#: The project's root folder (``lib/hailong/config.py`` -> two levels up from ``lib``).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: Default configuration file; the ``HAILONG_CONFIG`` environment variable overrides it.
DEFAULT_CONFIG = PROJECT_ROOT / "data" / "hailong.yaml"


@dataclass(frozen=True)
class Round:
    """One survey round (year) and where its inputs are.

    Attributes
    ----------
    year
        The year the survey is about (the 2022 round ran Feb–May 2023).
    codebook, units, roster, responses
        Absolute paths of the codebook, the administrative-unit table, the roster and
        the survey export(s).
    unit_level
        ``"district"`` or ``"commune"``: one report per unit of this level.
    """

    year: int
    label: dict
    codebook: Path
    units: Path
    unit_level: str
    geography_date: dt.date | None
    roster: Path
    responses: tuple[Path, ...]
    opened: dt.date | None = None
    deadline: dt.date | None = None


@dataclass(frozen=True)
class Config:
    """The whole project configuration (see ``data/hailong.yaml``)."""

    path: Path
    organisation: dict
    current_round: int
    min_n: int
    rounds: dict[int, Round] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.path.parent

    @property
    def processed_dir(self) -> Path:
        """Where derived data goes (git-ignored)."""
        return self.data_dir / "processed"

    def round(self, year: int | str | None = None) -> Round:
        """The round of ``year`` (default: the current round).

        Raises
        ------
        ParameterError
            If there is no such round, with the list of valid ones.
        """
        if year is None:
            year = self.current_round
        try:
            key = int(year)
        except (TypeError, ValueError):
            key = None
        if key not in self.rounds:
            valid = ", ".join(str(y) for y in sorted(self.rounds))
            raise ParameterError(
                f"There is no survey round {year!r}.",
                file=self.path,
                expected=f"one of {valid}",
                hint=f"Add the round under 'rounds:' in {self.path.name}, or pick a listed one.",
            )
        return self.rounds[key]


def _date(value, path: Path, what: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(
            f"{what} is not a date.", file=path, found=value, expected="YYYY-MM-DD"
        ) from None


def load_config(path: str | Path | None = None) -> Config:
    """Read the project configuration.

    Parameters
    ----------
    path
        The YAML file; default ``$HAILONG_CONFIG`` or ``data/hailong.yaml``.

    Raises
    ------
    ConfigError
        If the file is missing or a required key is absent.
    """
    path = Path(path or os.environ.get("HAILONG_CONFIG") or DEFAULT_CONFIG).resolve()
    if not path.is_file():
        raise ConfigError("The configuration file does not exist.", file=path,
                          hint="Run from the project folder, or set HAILONG_CONFIG.")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"The configuration is not valid YAML: {exc}", file=path) from None
    base = path.parent
    rounds: dict[int, Round] = {}
    for year, r in (raw.get("rounds") or {}).items():
        where = f"rounds.{year}"
        try:
            responses = r["responses"]
            if isinstance(responses, str):
                responses = [responses]
            rounds[int(year)] = Round(
                year=int(year),
                label=r.get("label") or {"vi": f"Năm {year}", "en": str(year)},
                codebook=(base / r["codebook"]).resolve(),
                units=(base / r["units"]).resolve(),
                unit_level=r.get("unit_level", "district"),
                geography_date=_date(r.get("geography_date"), path, f"{where}.geography_date"),
                roster=(base / r["roster"]).resolve(),
                responses=tuple((base / p).resolve() for p in responses),
                opened=_date(r.get("opened"), path, f"{where}.opened"),
                deadline=_date(r.get("deadline"), path, f"{where}.deadline"),
            )
        except KeyError as exc:
            raise ConfigError(f"{where} lacks the key {exc.args[0]!r}.", file=path) from None
    if not rounds:
        raise ConfigError("The configuration lists no survey round.", file=path)
    current = int(raw.get("current_round") or max(rounds))
    cfg = Config(
        path=path,
        organisation=raw.get("organisation") or {"vi": "", "en": ""},
        current_round=current,
        min_n=int(raw.get("min_n", 5)),
        rounds=rounds,
    )
    cfg.round(current)  # the current round must exist
    return cfg
