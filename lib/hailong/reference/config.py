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
    #: Largest share of survey rows, or of answers, a build may set aside and still
    #: publish (``max_set_aside:``; 0.02 = 2%); above it ``hailong build`` stops.
    max_set_aside: float = 0.02

    @property
    def data_dir(self) -> Path:
        return self.path.parent

    @property
    def processed_dir(self) -> Path:
        """Where derived data goes (git-ignored), one folder per configuration file:
        ``processed/`` beside the project's ``hailong.yaml``, ``processed/config-<name>/``
        beside any other (``trial.yaml`` -> ``processed/config-trial/``), so that a trial
        configuration never overwrites the main one's ledger or data-quality report."""
        base = self.data_dir / "processed"
        return base if self.path.name == DEFAULT_CONFIG.name else base / f"config-{self.path.stem}"

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


#: Keys the configuration file may have at the top, and in each round.
TOP_KEYS = ("organisation", "current_round", "min_n", "max_set_aside", "themes",
            "statistics", "rounds")
ROUND_KEYS = ("label", "codebook", "units", "unit_level", "geography_date", "roster",
              "responses", "opened", "deadline", "target", "previous_round", "crosswalk")
#: Years a round can be about.
YEARS = (2000, 2100)


class _Problems:
    """The configuration's problems, collected so that one message lists them all."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[ConfigError] = []

    def add(self, message: str, *, found: object = None, expected: str | None = None,
            hint: str | None = None) -> None:
        self.errors.append(ConfigError(message, file=self.path, found=found,
                                       expected=expected, hint=hint))

    def check(self, fn, *args, default=None, **kw):
        """``fn(*args, **kw)``, or ``default`` when it raises a :class:`ConfigError`
        (kept for the message)."""
        try:
            return fn(*args, **kw)
        except ConfigError as err:
            self.errors.append(err)
            return default

    def raise_any(self) -> None:
        """Raise the one problem, or one :class:`ConfigError` listing them all."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            lines = [str(ConfigError(e.message, found=e.found, expected=e.expected,
                                     hint=e.hint)) for e in self.errors]
            err = ConfigError(f"The configuration has {len(lines)} problems:\n"
                              + "\n".join(f"  - {line}" for line in lines), file=self.path,
                              hint="Correct each of them; nothing was read or built.")
            err.problems = list(self.errors)
            raise err


def _unknown(raw: dict, allowed: tuple[str, ...], where: str, problems: _Problems) -> None:
    for key in raw:
        if str(key) not in allowed:
            problems.add(f"{where}{key} is not a setting of the configuration.", found=key,
                         expected="one of " + ", ".join(allowed),
                         hint="Check its spelling (a misspelt key would be ignored).")


def _path(r: dict, key: str, base: Path, where: str, problems: _Problems) -> Path | None:
    """A required path of a round (relative to the configuration's folder)."""
    value = r.get(key)
    if value is None:
        problems.add(f"{where} lacks the key {key!r}.",
                     expected="a file path, relative to the configuration's folder")
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add(f"{where}.{key} is not a file path.", found=value,
                     expected="a file path, relative to the configuration's folder")
        return None
    return (base / value).resolve()


def _responses(r: dict, base: Path, where: str, problems: _Problems) -> tuple[Path, ...]:
    value = r.get("responses")
    if value is None:
        problems.add(f"{where} lacks the key 'responses'.",
                     expected="the survey export(s): a file path or a list of them")
        return ()
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not value \
            or not all(isinstance(p, str) and p.strip() for p in value):
        problems.add(f"{where}.responses is not a list of file paths.", found=r["responses"],
                     expected="a file path or a list of them, e.g. [sample/2022/responses.csv]")
        return ()
    return tuple((base / p).resolve() for p in value)


def _year(key: object, problems: _Problems, what: str) -> int | None:
    """A round's year (a key of ``rounds`` or ``current_round``)."""
    low, high = YEARS
    year = key if isinstance(key, int) and not isinstance(key, bool) else None
    if year is None and isinstance(key, str) and key.strip().isdigit():
        year = int(key)
    if year is None or not low <= year <= high:
        problems.add(f"{what} is not a year.", found=key,
                     expected=f"a year from {low} to {high}, e.g. 2022")
        return None
    return year


def _round(year: int, r: object, base: Path, path: Path, problems: _Problems) -> Round | None:
    """One round of ``rounds:``, every problem of it added to ``problems``."""
    where = f"rounds.{year}"
    if not isinstance(r, dict):
        problems.add(f"{where} is not a mapping of settings.", found=r,
                     expected="codebook, units, roster, responses, ... (see data/hailong.yaml)")
        return None
    before = len(problems.errors)
    _unknown(r, ROUND_KEYS, f"{where}.", problems)
    label = r.get("label") or {"vi": f"Năm {year}", "en": str(year)}
    if not isinstance(label, dict):
        problems.add(f"{where}.label is not a mapping of languages.", found=label,
                     expected='{vi: "Năm 2022", en: "2022"}')
    codebook, units, roster = (_path(r, k, base, where, problems)
                               for k in ("codebook", "units", "roster"))
    responses = _responses(r, base, where, problems)
    dates = {k: problems.check(_date, r.get(k), path, f"{where}.{k}")
             for k in ("geography_date", "opened", "deadline")}
    if dates["opened"] and dates["deadline"] and dates["opened"] > dates["deadline"]:
        problems.add(f"{where}.deadline is before {where}.opened.",
                     found=dates["deadline"].isoformat(),
                     expected=f"a date on or after {dates['opened'].isoformat()}")
    target = problems.check(_target, r.get("target", 1.0), path, f"{where}.target")
    previous = problems.check(_previous, r.get("previous_round"), path, where)
    if previous is not None and previous >= year:
        problems.add(f"{where}.previous_round is not an earlier round.", found=previous,
                     expected=f"a configured round before {year}")
    crosswalk = problems.check(_crosswalk, r.get("crosswalk"), base, path, where)
    level = None
    if units is not None:
        level = problems.check(_unit_level, r, base, path, where)
    if len(problems.errors) > before:
        return None
    return Round(year=year, label=label, codebook=codebook, units=units, unit_level=level,
                 geography_date=dates["geography_date"], roster=roster, responses=responses,
                 opened=dates["opened"], deadline=dates["deadline"], target=target,
                 previous_round=previous, crosswalk=crosswalk)


def load_config(path: str | Path | None = None) -> Config:
    """Read the project configuration and check it as a whole, before any data is read.

    Every setting is checked (types, ranges, reference files that must exist, rounds
    that must agree with each other); every problem names the file, the key, the value
    found and what is allowed, and all of them are reported at once.

    Parameters
    ----------
    path
        The YAML file; default ``$HAILONG_CONFIG`` or ``data/hailong.yaml``.

    Raises
    ------
    ConfigError
        If the file is missing or anything in it is wrong (one error listing every
        problem when there are several).
    """
    path = Path(path or os.environ.get("HAILONG_CONFIG") or DEFAULT_CONFIG).resolve()
    raw = read_yaml(path, "configuration file",
                    hint="Run from the project folder, or set HAILONG_CONFIG.")
    base = path.parent
    problems = _Problems(path)
    _unknown(raw, TOP_KEYS, "", problems)
    organisation = raw.get("organisation") or {"vi": "", "en": ""}
    if not isinstance(organisation, dict):
        problems.add("organisation is not a mapping of languages.", found=organisation,
                     expected='{vi: "Liên minh ...", en: "... Alliance"}')
        organisation = {"vi": "", "en": ""}
    rounds: dict[int, Round] = {}
    given = raw.get("rounds")
    if not isinstance(given, dict) or not given:
        problems.add("The configuration lists no survey round.", found=given,
                     expected="rounds: a mapping of years to their files (see data/hailong.yaml)")
        given = {}
    for key, r in given.items():
        year = _year(key, problems, f"rounds.{key}")
        rnd = _round(year, r, base, path, problems) if year is not None else None
        if rnd is not None:
            rounds[year] = rnd
    current = None
    if raw.get("current_round") is not None:
        current = _year(raw["current_round"], problems, "current_round")
        if current is not None and given and current not in rounds \
                and current not in {_year_quiet(k) for k in given}:
            problems.add("current_round names a round that is not configured.", found=current,
                         expected="one of " + ", ".join(str(y) for y in sorted(rounds)))
    elif rounds:
        current = max(rounds)
    for rnd in rounds.values():
        if rnd.previous_round is not None and rnd.previous_round not in rounds \
                and rnd.previous_round not in {_year_quiet(k) for k in given}:
            problems.add(f"rounds.{rnd.year}.previous_round names a round that is not "
                         "configured.", found=rnd.previous_round,
                         expected="one of " + ", ".join(str(y) for y in sorted(rounds)))
    min_n = problems.check(_min_n, raw.get("min_n", 5), path)
    max_set_aside = problems.check(_max_set_aside, raw.get("max_set_aside", 0.02), path)
    stats = problems.check(stats_settings, raw.get("statistics"), path)
    themes = problems.check(_themes, raw.get("themes"), base, path)
    problems.raise_any()
    return Config(path=path, organisation=organisation, current_round=current, min_n=min_n,
                  rounds=rounds, stats=stats, themes=themes, max_set_aside=max_set_aside)


def _year_quiet(key: object) -> int | None:
    """``key`` as a year, or ``None`` (its problem is reported elsewhere)."""
    try:
        return int(key)
    except (TypeError, ValueError):
        return None


def _themes(value: object, base: Path, path: Path) -> Path | None:
    """``themes:``: the theme dictionary, which must exist when it is named."""
    if not value:
        return None
    if not isinstance(value, str):
        raise ConfigError("themes is not a file path.", file=path, found=value,
                          expected="a YAML file, e.g. reference/themes.yaml")
    themes = (base / value).resolve()
    if not themes.is_file():
        raise ConfigError("themes names a file that does not exist.", file=path, found=value,
                          expected="an existing YAML file, relative to the configuration's "
                                   "folder, e.g. reference/themes.yaml")
    return themes


#: The range ``max_set_aside`` may take (a share: 0.02 = 2%).
MAX_SET_ASIDE_RANGE = (0.0, 1.0)


def _max_set_aside(value: object, path: Path) -> float:
    """The configured ``max_set_aside``, checked: a share from 0 to 1."""
    low, high = MAX_SET_ASIDE_RANGE
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not low <= float(value) <= high:
        raise ConfigError("The setting max_set_aside is not allowed.", file=path, found=value,
                          expected=f"a share from {low:g} to {high:g} (0.02 = 2%)",
                          hint="It is the largest share of survey rows, or of answers, that "
                               "a build may set aside and still publish.")
    return float(value)


def check_reference_files(config: Config, year: int | str | None = None) -> Round:
    """The round, once every reference file it needs exists (codebook, unit table,
    crosswalk): checked before any data is read, all missing files in one message.

    Raises
    ------
    ConfigError
        Naming the key and the missing file(s).
    ParameterError
        If the round is not configured.
    """
    rnd = config.round(year)
    problems = _Problems(config.path)
    where = f"rounds.{rnd.year}"
    files = [("codebook", rnd.codebook), ("units", rnd.units)]
    if rnd.crosswalk is not None:
        files.append(("crosswalk.file", rnd.crosswalk.file))
    for key, file in files:
        if not file.is_file():
            problems.add(f"{where}.{key} names a file that does not exist.", found=str(file),
                         expected="an existing file, relative to the configuration's folder")
    problems.raise_any()
    return rnd


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
    group_n
        A group of fewer respondents than this whose members all gave the same answer is
        withheld too (each one's answer would be known); so is such a group left over by
        subtraction (:mod:`hailong.numbers.disclosure`).
    min_index_share
        A cooperative's own satisfaction index needs ratings in at least this share of
        the areas its questionnaire variant asks about (else it has none, and counts
        neither in the index nor in the share of satisfied cooperatives).
    ranked
        Measure kinds whose units are ranked with rank ranges (of ``index``,
        ``dimension``, ``overall``): the reports show the index's (joint ranges,
        :func:`hailong.numbers.stats.rank_ranges`).
    quotes_per_theme
        How many example answers the reports quote per theme of the open questions.
    """

    confidence: float = 0.95
    rse_threshold: float = 0.25
    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    weight_cells: str = "variant"
    min_cell: int = 5
    secondary_suppression: bool = True
    group_n: int = 10
    min_index_share: float = 0.5
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


def _share(key: str, value: object, path: Path | None) -> float:
    """A share 0..1 (both included) of ``statistics:``."""
    try:
        share = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        share = None
    if share is None or not 0 <= share <= 1:
        raise ConfigError(f"statistics.{key} is out of range.", file=path, found=value,
                          expected="a number from 0 to 1")
    return share


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
        group_n=number("group_n", d.group_n, int, 2),
        min_index_share=_share("min_index_share", raw.get("min_index_share", d.min_index_share),
                               path),
        ranked=tuple(k for k in RANKABLE if k in set(map(str, ranked))),
        quotes_per_theme=number("quotes_per_theme", d.quotes_per_theme, int, 0),
    )

