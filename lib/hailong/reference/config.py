"""Project configuration: rounds, their data files, codebook and geography.

The configuration lives in ``data/hailong.yaml``; every path in it is relative to the
folder that holds that file. Nothing that changes between rounds is in code.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from hailong.core.errors import ConfigError, ParameterError
from hailong.core.yamlfile import read_yaml

#: The project's root folder (``lib/hailong/config.py`` -> two levels up from ``lib``).
PROJECT_ROOT = Path(__file__).resolve().parents[3]
#: Default configuration file; the ``HAILONG_CONFIG`` environment variable overrides it.
DEFAULT_CONFIG = PROJECT_ROOT / "data" / "hailong.yaml"


@dataclass(frozen=True)
class CrosswalkSpec:
    """How the units of earlier rounds are mapped to a round's units (for trends).

    Attributes
    ----------
    file
        The crosswalk CSV (:func:`hailong.reference.geography.load_crosswalk`).
    from_level
        The level of the earlier rounds' unit codes the crosswalk reads
        (``"district"`` or ``"commune"``).
    rule
        ``"assign"`` or ``"pool"`` (:meth:`hailong.reference.geography.Crosswalk.carry`).
    """

    file: Path
    from_level: str = "commune"
    rule: str = "assign"


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
        ``"district"`` or ``"commune"``: one report per unit of this level. When the
        configuration does not say, it comes from the unit table: ``"district"`` while
        districts exist on ``geography_date``, else ``"commune"``.
    previous_round
        The round this one is compared with (default: the latest earlier round
        configured; see :meth:`Config.previous_round`).
    crosswalk
        How earlier rounds' units map to this round's units when the geography changed
        (``None``: same units, compared by code).
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
    #: Share of the roster the round aims to reach by ``deadline`` (1.0 = every cooperative).
    target: float = 1.0
    previous_round: int | None = None
    crosswalk: CrosswalkSpec | None = None


@dataclass(frozen=True)
class Config:
    """The whole project configuration (see ``data/hailong.yaml``)."""

    path: Path
    organisation: dict
    current_round: int
    min_n: int
    rounds: dict[int, Round] = field(default_factory=dict)
    #: Intervals, weighting, tiers, disclosure control (``statistics:``; all optional).
    stats: StatsSettings = field(default_factory=lambda: StatsSettings())
    #: The keyword dictionary of open-answer themes (``themes:``), or ``None``.
    themes: Path | None = None

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

    def previous_round(self, year: int | str | None = None) -> int | None:
        """The round ``year`` is compared with: its ``previous_round`` if configured, else
        the latest configured round before it (``None`` for the first round).

        Examples
        --------
        >>> load_config().previous_round(2025)   # doctest: +SKIP
        2023
        """
        rnd = self.round(year)
        if rnd.previous_round is not None:
            return rnd.previous_round
        earlier = [y for y in self.rounds if y < rnd.year]
        return max(earlier) if earlier else None

    def rounds_until(self, year: int | str | None = None) -> list[int]:
        """Every configured round up to and including ``year``, oldest first."""
        rnd = self.round(year)
        return sorted(y for y in self.rounds if y <= rnd.year)


def _date(value, path: Path, what: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(
            f"{what} is not a date.", file=path, found=value, expected="YYYY-MM-DD"
        ) from None


def _target(value, path: Path, what: str) -> float:
    """A target share 0 < x <= 1 (``1.0`` = 100%)."""
    try:
        share = float(value)
    except (TypeError, ValueError):
        share = float("nan")
    if not 0 < share <= 1:
        raise ConfigError(f"{what} is not a share of the roster.", file=path, found=value,
                          expected="a number above 0 and at most 1 (1.0 = 100%)")
    return share


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
    raw = read_yaml(path, "configuration file",
                    hint="Run from the project folder, or set HAILONG_CONFIG.")
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
                unit_level=_unit_level(r, base, path, where),
                geography_date=_date(r.get("geography_date"), path, f"{where}.geography_date"),
                roster=(base / r["roster"]).resolve(),
                responses=tuple((base / p).resolve() for p in responses),
                opened=_date(r.get("opened"), path, f"{where}.opened"),
                deadline=_date(r.get("deadline"), path, f"{where}.deadline"),
                target=_target(r.get("target", 1.0), path, f"{where}.target"),
                previous_round=_previous(r.get("previous_round"), path, where),
                crosswalk=_crosswalk(r.get("crosswalk"), base, path, where),
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
        min_n=_min_n(raw.get("min_n", 5), path),
        rounds=rounds,
        stats=stats_settings(raw.get("statistics"), path),
        themes=(base / raw["themes"]).resolve() if raw.get("themes") else None,
    )
    cfg.round(current)  # the current round must exist
    for rnd in rounds.values():
        if rnd.previous_round is not None and rnd.previous_round not in rounds:
            raise ConfigError(f"rounds.{rnd.year}.previous_round names a round that is not "
                              "configured.", file=path, found=rnd.previous_round,
                              expected="one of " + ", ".join(str(y) for y in sorted(rounds)))
    return cfg


#: The range ``min_n`` may take: below 3 a published figure could rest on one or two
#: cooperatives (disclosure control would in effect be off); above 100 no district
#: could be published.
MIN_N_RANGE = (3, 100)


def _min_n(value: object, path: Path) -> int:
    """The configured ``min_n``, checked: a whole number in :data:`MIN_N_RANGE`."""
    low, high = MIN_N_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError("The setting min_n is not allowed.", file=path,
                          found=value, expected=f"a whole number from {low} to {high}",
                          hint="min_n is the fewest cooperatives behind any published "
                               f"figure; below {low} disclosure control would be off.")
    return value


#: Reporting levels a round can have.
UNIT_LEVELS = ("district", "commune")


def _unit_level(r: dict, base: Path, path: Path, where: str) -> str:
    """The round's ``unit_level``; when absent, the level the unit table has on the date.

    A missing unit table gives ``"district"`` here: the error is raised where the table
    is read, with its own message.
    """
    level = r.get("unit_level")
    if level is not None:
        if level not in UNIT_LEVELS:
            raise ConfigError(f"{where}.unit_level is not a reporting level.", file=path,
                              found=level, expected=" or ".join(UNIT_LEVELS))
        return str(level)
    units = (base / r["units"]).resolve()
    if not units.is_file():
        return "district"
    from hailong.reference.geography import load_units, reporting_level

    return reporting_level(load_units(units, _date(r.get("geography_date"), path,
                                                    f"{where}.geography_date")))


def _previous(value, path: Path, where: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}.previous_round is not a year.", file=path, found=value,
                          expected="a configured round, e.g. 2023") from None


def _crosswalk(value, base: Path, path: Path, where: str) -> CrosswalkSpec | None:
    """``crosswalk: {file:, from_level:, rule:}`` (or just the file) of a round."""
    if value is None:
        return None
    if isinstance(value, str):
        value = {"file": value}
    if not isinstance(value, dict) or "file" not in value:
        raise ConfigError(f"{where}.crosswalk needs a 'file'.", file=path, found=value,
                          expected="{file: reference/crosswalk-....csv, from_level: district, "
                                   "rule: pool}")
    level = value.get("from_level", "commune")
    rule = value.get("rule", "assign")
    if level not in UNIT_LEVELS:
        raise ConfigError(f"{where}.crosswalk.from_level is not a level.", file=path,
                          found=level, expected=" or ".join(UNIT_LEVELS))
    if rule not in ("assign", "pool"):
        raise ConfigError(f"{where}.crosswalk.rule is not a rule.", file=path, found=rule,
                          expected="assign or pool")
    return CrosswalkSpec(file=(base / value["file"]).resolve(), from_level=level, rule=rule)


# --------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class Tier:
    """One class of the 0–100 index: ``lower <= index`` (and below the next tier up)."""

    id: str
    lower: float
    vi: str
    en: str


#: The 100-point classes of circular 01/2020/TT-BKHĐT: Tốt ≥ 80, Khá 65–<80,
#: Trung bình 50–<65, Yếu < 50.
DEFAULT_TIERS = (
    Tier("tot", 80.0, "Tốt", "Good"),
    Tier("kha", 65.0, "Khá", "Fair"),
    Tier("trung_binh", 50.0, "Trung bình", "Average"),
    Tier("yeu", 0.0, "Yếu", "Weak"),
)


#: Kinds of measures whose units can be ranked (``statistics.ranked``).
RANKABLE = ("index", "dimension", "overall")


@dataclass(frozen=True)
class StatsSettings:
    """How figures are qualified (``statistics:`` in ``data/hailong.yaml``).

    Attributes
    ----------
    confidence
        Level of every interval (0.95 = 95%).
    rse_threshold
        An estimate whose relative standard error (se / estimate) exceeds this is
        flagged unreliable.
    tiers
        Classes of the 0–100 index, highest first (:data:`DEFAULT_TIERS`).
    weight_cells
        Respondent / roster column crossed with the unit to form post-strata.
    min_cell
        Post-strata with fewer respondents are collapsed (rule in :mod:`hailong.numbers.stats`).
    secondary_suppression
        Also withhold complementary cells so a withheld one cannot be recovered by
        subtraction from totals.
    rank_draws, rank_seed
        Simulation draws and seed of the rank ranges.
    ranked
        Measure kinds whose units are ranked with rank ranges (of ``index``,
        ``dimension``, ``overall``): the reports show the index's; each more kind costs
        one more simulation (~1 s per kind for 3,300 communes).
    quotes_per_theme
        How many example answers the reports quote per theme of the open questions.
    """

    confidence: float = 0.95
    rse_threshold: float = 0.25
    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    weight_cells: str = "variant"
    min_cell: int = 5
    secondary_suppression: bool = True
    rank_draws: int = 10000
    rank_seed: int = 2022
    ranked: tuple[str, ...] = ("index",)
    quotes_per_theme: int = 2


def _secondary(value: object, path: Path | None) -> bool:
    """``statistics.secondary_suppression``: ``true``; ``false`` is refused (a withheld
    figure could then be worked out from the city total and the published ones)."""
    if value is not True:
        raise ConfigError("The setting statistics.secondary_suppression is not allowed.",
                          file=path, found=value,
                          expected="true",
                          hint="Without it a withheld figure can be worked out from the "
                               "city's and the other units' figures; leave it true.")
    return True


def stats_settings(raw: dict | None, path: Path | None = None) -> StatsSettings:
    """:class:`StatsSettings` from the ``statistics:`` mapping (missing keys: defaults).

    Raises
    ------
    ConfigError
        If a value is out of range (the message names the key).
    """
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ConfigError("'statistics' must be a mapping.", file=path, found=raw)
    d = StatsSettings()

    def number(key: str, default, kind=float, low=None, high=None, open_low=False):
        value = raw.get(key, default)
        try:
            value = kind(value)
        except (TypeError, ValueError):
            value = None
        bad = (value is None or (low is not None and (value <= low if open_low else value < low))
               or (high is not None and value >= high))
        if bad:
            expected = (f"a number between {low} and {high}" if high is not None
                        else f"a number of at least {low}")
            raise ConfigError(f"statistics.{key} is out of range.", file=path,
                              found=raw.get(key), expected=expected)
        return value

    tiers = raw.get("tiers")
    if tiers is None:
        parsed = d.tiers
    else:
        try:
            parsed = tuple(sorted((Tier(str(t["id"]), float(t["min"]), str(t["vi"]),
                                        str(t["en"])) for t in tiers),
                                  key=lambda t: -t.lower))
        except (KeyError, TypeError, ValueError):
            raise ConfigError("statistics.tiers must list {id, min, vi, en} entries.",
                              file=path, found=tiers,
                              expected="e.g. - {id: tot, min: 80, vi: Tốt, en: Good}") from None
        if not parsed:
            raise ConfigError("statistics.tiers is empty.", file=path)
    ranked = raw.get("ranked", list(d.ranked))
    ranked = [ranked] if isinstance(ranked, str) else ranked
    if not isinstance(ranked, list) or not set(map(str, ranked)) <= set(RANKABLE):
        raise ConfigError("statistics.ranked names kinds of measures that cannot be ranked.",
                          file=path, found=raw.get("ranked"),
                          expected=f"a list of {', '.join(RANKABLE)}",
                          hint="e.g. ranked: [index]")
    return StatsSettings(
        confidence=number("confidence", d.confidence, float, 0.0, 1.0, open_low=True),
        rse_threshold=number("rse_threshold", d.rse_threshold, float, 0.0, open_low=True),
        tiers=parsed,
        weight_cells=str(raw.get("weight_cells", d.weight_cells)),
        min_cell=number("min_cell", d.min_cell, int, 1),
        secondary_suppression=_secondary(raw.get("secondary_suppression", True), path),
        rank_draws=number("rank_draws", d.rank_draws, int, 100),
        rank_seed=number("rank_seed", d.rank_seed, int, 0),
        ranked=tuple(k for k in RANKABLE if k in set(map(str, ranked))),
        quotes_per_theme=number("quotes_per_theme", d.quotes_per_theme, int, 0),
    )

