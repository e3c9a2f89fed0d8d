"""Project configuration: rounds, their data files, codebook and geography.

The configuration lives in ``data/hailong.yaml``; every path in it is relative to the
folder that holds that file. Nothing that changes between rounds is in code.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from hailong.core.catalogue import Lines, either
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
class RoundDocuments:
    """The official form of one round's reports (``rounds.<year>.document``).

    Attributes
    ----------
    date
        The date the reports are signed ("Hải Phòng, ngày 15 tháng 6 năm 2023"); ``None``
        leaves the line to be filled in by hand ("ngày … tháng … năm …").
    issued
        ``True``: every report of the round is issued (no "DỰ THẢO" mark); a set of unit
        codes (``"city"`` for the citywide report): those are.
    numbers
        The document number of each report (``{"city": "15", "311": "16"}``); a report
        without one prints "Số:      /BC-…" for the number to be written in.
    """

    date: dt.date | None = None
    issued: bool | frozenset = False
    numbers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentSettings:
    """The administrative form of every report (Nghị định 30/2020/NĐ-CP), ``document:``.

    Texts are ``{"vi": ..., "en": ...}``; the national name and motto are fixed phrases
    of the message catalogue, not settings.

    Attributes
    ----------
    parent_body, issuing_body
        "LIÊN MINH HTX VIỆT NAM" over "LIÊN MINH HTX THÀNH PHỐ HẢI PHÒNG" (top left).
    symbol
        The ký hiệu after the number: ``"BC-LMHTX"`` -> "Số: 15/BC-LMHTX".
    place
        The place of the date line ("Hải Phòng").
    signer_title, signer_name
        The signer's title ("CHỦ TỊCH") and name ("" leaves it to be written).
    recipients
        "Nơi nhận:" lines, per language.
    conclusions
        Path pattern, relative to the configuration's folder, of each report's
        "Kết luận và kiến nghị" (Markdown; ``{year}``, ``{unit}``; ``"city"`` for the
        citywide report), e.g. ``conclusions/{year}/{unit}.md``; ``None``: none.
    issued
        ``True``: every report of every round is issued.
    """

    parent_body: dict = field(default_factory=dict)
    issuing_body: dict = field(default_factory=dict)
    symbol: str = ""
    place: dict = field(default_factory=dict)
    signer_title: dict = field(default_factory=dict)
    signer_name: str = ""
    recipients: dict = field(default_factory=dict)
    conclusions: str | None = None
    issued: bool = False


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
    #: The assisted-entry log (among ``responses`` once it exists).
    entries: Path | None = None
    opened: dt.date | None = None
    deadline: dt.date | None = None
    #: Share of the roster the round aims to reach by ``deadline`` (1.0 = every cooperative).
    target: float = 1.0
    previous_round: int | None = None
    crosswalk: CrosswalkSpec | None = None
    #: The official form of the round's reports (date, numbers, issued).
    document: RoundDocuments = field(default_factory=RoundDocuments)


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
    #: The administrative form of the reports (``document:``).
    document: DocumentSettings = field(default_factory=DocumentSettings)
    #: Assisted entry asks for a second person's entry of every sheet (``double_entry:``).
    double_entry: bool = False

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
            raise ParameterError("err.there_survey_round", file=self.path, expected="exp.one_of",
                                 hint="hint.add_round_under_rounds", year=year,
                                 valid=valid, name=self.path.name)
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

    def issued(self, year: int | str | None, unit: str) -> bool:
        """Whether the report of ``unit`` (``"city"``: the citywide one) of round ``year`` is
        issued: ``document.issued``, or the round's ``document.issued`` (all, or listed)."""
        marked = self.round(year).document.issued
        return bool(self.document.issued or marked is True
                    or (isinstance(marked, frozenset) and str(unit) in marked))

    def document_number(self, year: int | str | None, unit: str) -> str:
        """The configured document number of a report, ``""`` when there is none."""
        return str(self.round(year).document.numbers.get(str(unit), ""))

    def conclusions_path(self, year: int | str | None, unit: str,
                         lang: str = "vi") -> Path | None:
        """The Markdown file of a report's conclusions (it may not exist), or ``None``
        when the configuration names no ``document.conclusions`` pattern. A report in
        another language than Vietnamese reads its own file, the language before the
        extension (``city.en.md``), as the reports' files are named."""
        pattern = self.document.conclusions
        if not pattern:
            return None
        path = self.data_dir / pattern.format(year=self.round(year).year, unit=str(unit))
        if lang != "vi":
            path = path.with_name(f"{path.stem}.{lang}{path.suffix}")
        return path.resolve()

    def conclusions_files(self, year: int | str | None = None) -> list[Path]:
        """Every conclusions file of round ``year`` there is (sorted), for the build's
        fingerprint: one appearing, changing or going makes the reports stale."""
        pattern = self.document.conclusions
        if not pattern:
            return []
        wildcard = pattern.format(year=self.round(year).year, unit="*")
        return sorted(p.resolve() for p in self.data_dir.glob(wildcard) if p.is_file())

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
        raise ConfigError("err.config_not_a_date", file=path, found=value,
                          expected="exp.yyyy_mm_dd", what=what) from None


def _target(value, path: Path, what: str) -> float:
    """A target share 0 < x <= 1 (``1.0`` = 100%)."""
    try:
        share = float(value)
    except (TypeError, ValueError):
        share = float("nan")
    if not 0 < share <= 1:
        raise ConfigError("err.share_roster", file=path, found=value,
                          expected="exp.share_above_0_at_most_1_0", what=what)
    return share


#: Keys the configuration file may have at the top, and in each round.
TOP_KEYS = ("organisation", "current_round", "min_n", "max_set_aside", "themes",
            "statistics", "document", "double_entry", "rounds")
ROUND_KEYS = ("label", "codebook", "units", "unit_level", "geography_date", "roster",
              "responses", "entries", "opened", "deadline", "target", "previous_round",
              "crosswalk", "document")
#: A round's assisted-entry log (:mod:`hailong.ingest.entries`), relative to the data
#: folder, unless the round says ``entries:``; once it exists it is one of the round's
#: exports.
ENTRIES_FILE = "raw/{year}/nhap-phieu.jsonl"
DOCUMENT_KEYS = ("parent_body", "issuing_body", "symbol", "place", "signer", "recipients",
                 "conclusions", "issued")
ROUND_DOCUMENT_KEYS = ("date", "issued", "numbers")
#: Years a round can be about.
YEARS = (2000, 2100)


class _Problems:
    """The configuration's problems, collected so that one message lists them all."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[ConfigError] = []

    def add(self, message: str, *, found: object = None, expected: str | None = None,
            hint: str | None = None, **fields: object) -> None:
        self.errors.append(ConfigError(message, file=self.path, found=found,
                                       expected=expected, hint=hint, **fields))

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
            for e in self.errors:
                e.file = None  # the file is named once, by the error listing them
            err = ConfigError("err.config_problems", file=self.path,
                              hint="hint.correct_each_them_nothing", n=len(self.errors),
                              lines=Lines(self.errors, "\n  - "))
            err.problems = list(self.errors)
            raise err


def _unknown(raw: dict, allowed: tuple[str, ...], where: str, problems: _Problems) -> None:
    for key in raw:
        if str(key) not in allowed:
            problems.add("err.setting_configuration", found=key,
                         expected="exp.one_of", valid=", ".join(allowed),
                         hint="hint.check_spelling_misspelt_key", where=where, key_=key)


def _path(r: dict, key: str, base: Path, where: str, problems: _Problems) -> Path | None:
    """A required path of a round (relative to the configuration's folder)."""
    value = r.get(key)
    if value is None:
        problems.add("err.lacks_key", expected="exp.file_path_relative_configuration", where=where,
                     key_=key)
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add("err.file_path", found=value, expected="exp.file_path_relative_configuration",
                     where=where, key_=key)
        return None
    return (base / value).resolve()


def _responses(r: dict, base: Path, where: str, problems: _Problems) -> tuple[Path, ...]:
    value = r.get("responses")
    if value is None:
        problems.add("err.lacks_key_responses", expected="exp.survey_export_s_file", where=where)
        return ()
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not value \
            or not all(isinstance(p, str) and p.strip() for p in value):
        problems.add("err.responses_list_file_paths", found=r["responses"],
                     expected="exp.file_path_list_them", where=where)
        return ()
    return tuple((base / p).resolve() for p in value)


def _year(key: object, problems: _Problems, what: str) -> int | None:
    """A round's year (a key of ``rounds`` or ``current_round``)."""
    low, high = YEARS
    year = key if isinstance(key, int) and not isinstance(key, bool) else None
    if year is None and isinstance(key, str) and key.strip().isdigit():
        year = int(key)
    if year is None or not low <= year <= high:
        problems.add("err.year", found=key, expected="exp.year_from_e_g", what=what, low=low,
                     high=high)
        return None
    return year


def _round(year: int, r: object, base: Path, path: Path, problems: _Problems) -> Round | None:
    """One round of ``rounds:``, every problem of it added to ``problems``."""
    where = f"rounds.{year}"
    if not isinstance(r, dict):
        problems.add("err.mapping_settings", found=r,
                     expected="exp.codebook_units_roster_responses", where=where)
        return None
    before = len(problems.errors)
    _unknown(r, ROUND_KEYS, f"{where}.", problems)
    label = r.get("label") or {"vi": f"Năm {year}", "en": str(year)}
    if not isinstance(label, dict):
        problems.add("err.label_mapping_languages", found=label, expected="exp.label_example",
                     where=where)
    codebook, units, roster = (_path(r, k, base, where, problems)
                               for k in ("codebook", "units", "roster"))
    responses = _responses(r, base, where, problems)
    entries = (base / str(r.get("entries") or ENTRIES_FILE.format(year=year))).resolve()
    if entries.is_file() and entries not in responses:  # the working group's entries
        responses = (*responses, entries)
    dates = {k: problems.check(_date, r.get(k), path, f"{where}.{k}")
             for k in ("geography_date", "opened", "deadline")}
    if dates["opened"] and dates["deadline"] and dates["opened"] > dates["deadline"]:
        problems.add("err.deadline_before_opened", found=dates["deadline"].isoformat(),
                     expected="exp.date_on_after", where=where,
                     value=dates['opened'].isoformat())
    target = problems.check(_target, r.get("target", 1.0), path, f"{where}.target")
    previous = problems.check(_previous, r.get("previous_round"), path, where)
    if previous is not None and previous >= year:
        problems.add("err.previous_round_earlier_round", found=previous,
                     expected="exp.configured_round_before", where=where, year=year)
    crosswalk = problems.check(_crosswalk, r.get("crosswalk"), base, path, where)
    document = _round_document(r.get("document"), path, where, problems)
    level = None
    if units is not None:
        level = problems.check(_unit_level, r, base, path, where)
    if len(problems.errors) > before:
        return None
    return Round(year=year, label=label, codebook=codebook, units=units, unit_level=level,
                 geography_date=dates["geography_date"], roster=roster, responses=responses,
                 entries=entries, opened=dates["opened"], deadline=dates["deadline"], target=target,
                 previous_round=previous, crosswalk=crosswalk, document=document)


def _texts(value: object, where: str, problems: _Problems, example: str) -> dict:
    """A text per language (``{vi: ..., en: ...}``; a plain string serves both)."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {"vi": value, "en": value}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        problems.add("err.text_per_language", found=value, expected=example, where=where)
        return {}
    return {str(k): v for k, v in value.items()}


def _document(raw: object, problems: _Problems) -> DocumentSettings:
    """``document:``: the administrative form of the reports (all optional)."""
    if raw is None:
        return DocumentSettings()
    if not isinstance(raw, dict):
        problems.add("err.document_mapping_settings", found=raw,
                     expected="exp.parent_body_issuing_body")
        return DocumentSettings()
    _unknown(raw, DOCUMENT_KEYS, "document.", problems)
    texts = {k: _texts(raw.get(k), f"document.{k}", problems,
                       '{vi: "LIÊN MINH HTX THÀNH PHỐ HẢI PHÒNG", en: "..."}')
             for k in ("parent_body", "issuing_body", "place")}
    symbol = raw.get("symbol") or ""
    if not isinstance(symbol, str):
        problems.add("err.document_symbol_text", found=symbol, expected="exp.k_hi_u_after")
        symbol = ""
    signer = raw.get("signer") or {}
    if not isinstance(signer, dict) or not set(signer) <= {"title", "name"} \
            or not isinstance(signer.get("name", ""), (str, type(None))):
        problems.add("err.document_signer_title_name", found=signer, expected="exp.name_nguy_n_v")
        signer = {}
    recipients = raw.get("recipients") or {}
    if isinstance(recipients, list):
        recipients = {"vi": recipients, "en": recipients}
    if not isinstance(recipients, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v)
            for v in recipients.values()):
        problems.add("err.document_recipients_list_lines", found=recipients,
                     expected="exp.recipients_example")
        recipients = {}
    conclusions = raw.get("conclusions")
    if conclusions is not None and (not isinstance(conclusions, str)
                                    or "{unit}" not in conclusions):
        problems.add("err.document_conclusions_path_pattern", found=conclusions,
                     expected="exp.path_relative_configuration_s")
        conclusions = None
    issued = raw.get("issued", False)
    if not isinstance(issued, bool):
        problems.add("err.document_issued_true_false", found=issued,
                     expected="exp.true_every_report_every")
        issued = False
    return DocumentSettings(
        parent_body=texts["parent_body"], issuing_body=texts["issuing_body"], symbol=symbol,
        place=texts["place"],
        signer_title=_texts(signer.get("title"), "document.signer.title", problems,
                            '{vi: "CHỦ TỊCH", en: "CHAIR"}'),
        signer_name=str(signer.get("name") or ""),
        recipients={str(k): tuple(v) for k, v in recipients.items()},
        conclusions=conclusions, issued=issued)


def _round_document(raw: object, path: Path, where: str,
                    problems: _Problems) -> RoundDocuments:
    """``rounds.<year>.document``: date, issued, numbers of the round's reports."""
    if raw is None:
        return RoundDocuments()
    where = f"{where}.document"
    if not isinstance(raw, dict):
        problems.add("err.mapping_settings", found=raw, expected="exp.date_issued_numbers",
                     where=where)
        return RoundDocuments()
    _unknown(raw, ROUND_DOCUMENT_KEYS, f"{where}.", problems)
    date = problems.check(_date, raw.get("date"), path, f"{where}.date")
    issued = raw.get("issued", False)
    if isinstance(issued, list) and all(isinstance(u, (str, int)) and not isinstance(u, bool)
                                        for u in issued):
        issued = frozenset(str(u).strip() for u in issued)
    elif not isinstance(issued, bool):
        problems.add("err.issued_true_false_list", found=issued, expected="exp.true_all_round_s",
                     where=where)
        issued = False
    numbers = raw.get("numbers") or {}
    if not isinstance(numbers, dict) or not all(
            isinstance(v, (str, int)) and not isinstance(v, bool) for v in numbers.values()):
        problems.add("err.numbers_number_per_unit", found=numbers,
                     expected="exp.unit_codes_city_citywide", where=where)
        numbers = {}
    return RoundDocuments(date=date, issued=issued,
                          numbers={str(k).strip(): str(v).strip() for k, v in numbers.items()})


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
    raw = read_yaml(path, "what.configuration_file", hint="hint.run_from_project")
    base = path.parent
    problems = _Problems(path)
    _unknown(raw, TOP_KEYS, "", problems)
    organisation = raw.get("organisation") or {"vi": "", "en": ""}
    if not isinstance(organisation, dict):
        problems.add("err.organisation_mapping_languages", found=organisation,
                     expected="exp.organisation_example")
        organisation = {"vi": "", "en": ""}
    rounds: dict[int, Round] = {}
    given = raw.get("rounds")
    if not isinstance(given, dict) or not given:
        problems.add("err.configuration_lists_survey_round", found=given,
                     expected="exp.rounds_mapping_years_their")
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
            problems.add("err.current_round_names_round", found=current,
                         expected="exp.one_of", valid=", ".join(str(y) for y in sorted(rounds)))
    elif rounds:
        current = max(rounds)
    for rnd in rounds.values():
        if rnd.previous_round is not None and rnd.previous_round not in rounds \
                and rnd.previous_round not in {_year_quiet(k) for k in given}:
            problems.add("err.rounds_previous_round_names", found=rnd.previous_round,
                         expected="exp.one_of", valid=", ".join(str(y) for y in sorted(rounds)),
                         year=rnd.year)
    min_n = problems.check(_min_n, raw.get("min_n", 5), path)
    max_set_aside = problems.check(_max_set_aside, raw.get("max_set_aside", 0.02), path)
    stats = problems.check(stats_settings, raw.get("statistics"), path)
    themes = problems.check(_themes, raw.get("themes"), base, path)
    document = _document(raw.get("document"), problems)
    double = raw.get("double_entry", False)
    if not isinstance(double, bool):
        problems.add("err.double_entry_true_false", found=double,
                     expected="exp.true_second_person_enters")
    problems.raise_any()
    return Config(path=path, organisation=organisation, current_round=current, min_n=min_n,
                  rounds=rounds, stats=stats, themes=themes, max_set_aside=max_set_aside,
                  document=document, double_entry=bool(double))


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
        raise ConfigError("err.themes_file_path", file=path, found=value,
                          expected="exp.yaml_file_e_g")
    themes = (base / value).resolve()
    if not themes.is_file():
        raise ConfigError("err.themes_names_file_does", file=path, found=value,
                          expected="exp.existing_yaml_file_relative")
    return themes


#: The range ``max_set_aside`` may take (a share: 0.02 = 2%).
MAX_SET_ASIDE_RANGE = (0.0, 1.0)


def _max_set_aside(value: object, path: Path) -> float:
    """The configured ``max_set_aside``, checked: a share from 0 to 1."""
    low, high = MAX_SET_ASIDE_RANGE
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not low <= float(value) <= high:
        raise ConfigError("err.setting_max_set_aside", file=path, found=value,
                          expected="exp.share_from_0_02",
                          hint="hint.largest_share_survey_rows", low=low, high=high)
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
            problems.add("err.names_file_does_exist", found=str(file),
                         expected="exp.existing_file_relative_configuration",
                         where=where, key_=key)
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
        raise ConfigError("err.setting_min_n_allowed", file=path, found=value,
                          expected="exp.whole_number_from",
                          hint="hint.min_n_fewest_cooperatives", low=low, high=high)
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
            raise ConfigError("err.unit_level_reporting_level", file=path, found=level,
                              expected=either(UNIT_LEVELS), where=where)
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
        raise ConfigError("err.previous_round_year", file=path, found=value,
                          expected="exp.configured_round_e_g", where=where) from None


def _crosswalk(value, base: Path, path: Path, where: str) -> CrosswalkSpec | None:
    """``crosswalk: {file:, from_level:, rule:}`` (or just the file) of a round."""
    if value is None:
        return None
    if isinstance(value, str):
        value = {"file": value}
    if not isinstance(value, dict) or "file" not in value:
        raise ConfigError("err.crosswalk_needs_file", file=path, found=value,
                          expected="exp.crosswalk_example", where=where)
    level = value.get("from_level", "commune")
    rule = value.get("rule", "assign")
    if level not in UNIT_LEVELS:
        raise ConfigError("err.crosswalk_from_level_level", file=path, found=level,
                          expected=either(UNIT_LEVELS), where=where)
    if rule not in ("assign", "pool"):
        raise ConfigError("err.crosswalk_rule_rule", file=path, found=rule,
                          expected="exp.assign_pool", where=where)
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
        raise ConfigError("err.setting_statistics_secondary_suppression", file=path, found=value,
                          expected="exp.true",
                          hint="hint.without_withheld_figure_worked")
    return True


def _share(key: str, value: object, path: Path | None) -> float:
    """A share 0..1 (both included) of ``statistics:``."""
    try:
        share = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        share = None
    if share is None or not 0 <= share <= 1:
        raise ConfigError("err.statistics_out_range", file=path, found=value,
                          expected="exp.number_from_0_1", key_=key)
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
        raise ConfigError("err.statistics_mapping", file=path, found=raw)
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
            raise ConfigError("err.statistics_out_range", file=path, found=raw.get(key),
                              expected=expected, key_=key)
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
            raise ConfigError("err.statistics_tiers_list_entries", file=path, found=tiers,
                              expected="exp.tiers_example") from None
        if not parsed:
            raise ConfigError("err.statistics_tiers_empty", file=path)
    ranked = raw.get("ranked", list(d.ranked))
    ranked = [ranked] if isinstance(ranked, str) else ranked
    if not isinstance(ranked, list) or not set(map(str, ranked)) <= set(RANKABLE):
        raise ConfigError("err.statistics_ranked_names_kinds", file=path, found=raw.get("ranked"),
                          expected="exp.list_of", hint="hint.e_g_ranked_index",
                          value=', '.join(RANKABLE))
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

