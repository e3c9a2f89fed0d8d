"""Check the ingested roster and responses and turn them into the canonical frames.

The roster defines the population, so any problem in it stops the run with one
:class:`~hailong.core.errors.InputError` that lists the problems found. A problem in the
survey export stops nothing: what is wrong is *set aside* at the smallest unit that is
wrong and recorded, with a message that says where it is and what to do.

- A row is set aside whole only when it cannot be attributed: its cooperative code is
  blank or not in the roster (after matching by name, :mod:`hailong.ingest.matching`),
  or its time stamp is not usable (the time stamp decides which of a cooperative's
  submissions counts, and dates it for the coverage figures). Every input row ends in the
  ledger as ``accepted``, ``merged`` (an older submission of the same cooperative) or
  ``set_aside``: rows read = accepted + merged + set aside.
- An answer outside the scale in an accepted row is set aside as that cell: counted as
  missing, one line in the cell ledger (:attr:`Validated.cells`: file, Excel row, column,
  what was found), and the cooperative's other answers are used. Answers read = used +
  set aside + no opinion (:attr:`Validated.answer_counts`). A column with many wrong
  answers gets one column-level note (:attr:`Validated.notes`) naming the codebook
  setting that maps a code such as 0 to "no opinion", instead of a message per cell.

The roster's column checks are pandera schemas run lazily; their failure cases are
translated into hailong's own messages (pandera's never reach the user). The export's
checks are the same rules applied column by column, vectorized: ingest cost is linear in
rows whatever the share of duplicates.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from hailong.core.catalogue import Lines, Msg, render
from hailong.core.errors import InputError
from hailong.core.messages import say
from hailong.ingest.matching import match_to_roster
from hailong.ingest.readers import (
    FILE_COLUMN,
    ROW_COLUMN,
    RosterSpec,
    ascii_name,
    formula_message,
    load_roster_spec,
    normalize_text,
)
from hailong.ingest.readers.decoding import paused_gc
from hailong.reference.codebook import Codebook
from hailong.reference.geography import Units

ROSTER_COLUMNS = ["coop_id", "coop_name", "district_code", "commune_code", "sector", "variant",
                  "legal_form", "member", "size_class", "founded_year", "director_name",
                  "phone", "zalo", "email"]
RESPONSE_FIRST_COLUMNS = ["coop_id", "submitted_at", "district_code", "commune_code", "sector",
                          "variant", "member", "respondent_name", "respondent_phone",
                          "source_file", "source_row"]
#: The ledger: one row per survey row read. ``column`` names the column(s) concerned (the
#: headers as written, "; "-separated) when the row is not simply accepted.
LEDGER_COLUMNS = ["source_file", "source_row", "coop_id", "status", "reason", "message",
                  "column"]
STATUSES = ("accepted", "merged", "set_aside")
#: Timestamp formats of the online form and of Excel: day first, with "/", "-" or "."
#: (ISO 8601 and Excel serial day numbers are accepted as well).
TIME_FORMATS = tuple(f"%d{sep}%m{sep}%Y{time}" for sep in "/-."
                     for time in (" %H:%M:%S", " %H:%M", "", " %I:%M:%S %p", " %I:%M %p"))
#: Years a survey submission can be from.
PLAUSIBLE_YEARS = (2000, dt.date.today().year + 1)
#: How many roster problems one error message lists.
MAX_LISTED = 10


@dataclass
class Validated:
    """The validated round: canonical frames, the ledgers, warnings.

    Attributes
    ----------
    roster, responses, ledger
        The frames of docs/design.md "Canonical frames"; the ledger has one row per survey
        row read: ``source_file, source_row, coop_id, status, reason, message, column``
        (``message`` says where the row is and what to do, for rows not accepted).
    warnings
        Things the user should know that did not stop anything (ignored columns, text
        converted from a legacy encoding, formulas without a saved result, ...).
    rows_read
        Rows read per input file (roster and exports), by the file's path as given.
    sources
        Per input file: ``kind`` (``"roster"`` / ``"responses"``), ``read_as`` (how it
        was read: :class:`hailong.ingest.readers.ReadAs` as a dict) and ``extra_columns``.
    cells
        The cell ledger (:data:`CELL_COLUMNS`): one row per answer set aside in an
        accepted row (counted as missing; the cooperative's other answers are used).
    notes
        Column-level data-quality lines (``file, column, status, reason, action,
        answers``): one per file and most frequent wrong value, for columns with many
        answers outside the scale; their cells are in ``cells`` without a message.
    answers
        The answer accounting, see :attr:`answer_counts` (``None``: derived from
        ``responses`` and ``cells``, e.g. for a round read back from the store).
    """

    roster: pd.DataFrame
    responses: pd.DataFrame
    ledger: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=dict)
    sources: dict[str, dict] = field(default_factory=dict)
    cells: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {c: pd.Series(dtype="int64" if c == "source_row" else "str") for c in CELL_COLUMNS}))
    notes: list[dict] = field(default_factory=list)
    answers: dict[str, int] | None = None

    def counts(self) -> dict[str, int]:
        """``{"read": n, "accepted": n, "merged": n, "set_aside": n}`` of the survey rows."""
        status = self.ledger["status"]
        return {"read": len(self.ledger), **{s: int((status == s).sum()) for s in STATUSES}}

    @property
    def answer_counts(self) -> dict[str, int]:
        """``{"read", "used", "set_aside", "no_opinion"}``: the scored answers of the
        accepted rows (one per cooperative and scored item; the rows merged or set aside
        are accounted for by :meth:`counts`). ``read = used + set_aside + no_opinion``;
        ``no_opinion`` counts blank cells (items not asked of a variant among them) and the
        codebook's no-opinion answers."""
        if self.answers is not None:
            return dict(self.answers)
        scores = self.responses.select_dtypes("float64")
        read, used = int(scores.size), int(scores.notna().sum().sum())
        set_aside = len(self.cells)
        return {"read": read, "used": used, "set_aside": set_aside,
                "no_opinion": read - used - set_aside}

    def summary(self) -> str:
        """One line for the terminal, e.g. ``"412 rows read: 396 accepted, ..."`` (and
        ``"; 3 of 10,324 answers set aside"`` when answers were set aside)."""
        c = self.counts()
        text = say("val.rows_summary", read=c["read"], accepted=c["accepted"],
                   merged=c["merged"], set_aside=c["set_aside"])
        a = self.answer_counts
        if a["set_aside"]:
            text += say("val.answers_summary", set_aside=a["set_aside"], read=a["read"])
        return text


@dataclass(frozen=True)
class Rule:
    """One check of one column and how to explain its failure to the user.

    Attributes
    ----------
    name
        The pandera check name.
    column
        The canonical column checked (and reported).
    test
        Column -> bool Series (``wide``: whole frame -> bool Series); ``True`` = fine.
    explain
        The failing row -> ``(message, expected, hint)``: phrases of the catalogue
        (:class:`~hailong.core.catalogue.Msg`) or text from the data.
    label
        Short reason for the ledger, e.g. ``Msg("val.label.outside_scale")``.
    """

    name: str
    column: str
    test: Callable[[pd.Series | pd.DataFrame], pd.Series]
    explain: Callable[[pd.Series], tuple[Msg | str, Msg | str | None, Msg | str | None]]
    label: Msg | str = ""
    wide: bool = False


@dataclass(frozen=True)
class Problem:
    """One failed check on one row, in the user's terms (the message, expected value,
    hint and label are phrases of the catalogue, shown in the message language)."""

    index: int
    order: tuple[int, int]  # (Excel row, column position): the order problems are listed in
    file: str
    row: int
    column: str
    found: object
    message: Msg | str
    expected: Msg | str | None = None
    hint: Msg | str | None = None
    label: Msg | str = ""

    def error(self, message: Msg | str | None = None) -> InputError:
        return InputError(message or self.message, file=self.file, row=self.row,
                          column=self.column, found=self.found, expected=self.expected,
                          hint=self.hint)

    def render(self, lang: str | None = None) -> str:
        """``row N, column "C": message (found 'x')`` — one line of a list."""
        return render("val.problem_line", lang, row=self.row, column=self.column,
                      message=self.message, found=repr(self.found))

    def line(self) -> str:
        """:meth:`render` in the message language of the moment."""
        return self.render()

    @property
    def reason(self) -> str:
        """Short ledger reason naming the column and the value."""
        return say("val.reason", label=self.label, column=self.column, found=repr(self.found))


# --------------------------------------------------------------------------- pandera

def _schema(rules: list[Rule]) -> pa.DataFrameSchema:
    """A pandera schema: each checked column text, each rule a named check."""
    columns = list(dict.fromkeys(r.column for r in rules))
    checks = {c: [pa.Check(r.test, name=r.name) for r in rules if r.column == c and not r.wide]
              for c in columns}
    return pa.DataFrameSchema(
        {c: pa.Column(str, checks[c], nullable=False) for c in columns},
        checks=[pa.Check(r.test, name=r.name) for r in rules if r.wide],
    )


def _failures(schema: pa.DataFrameSchema, df: pd.DataFrame) -> set[tuple[int, str, str]]:
    """``(index, column, check)`` of every failure case of a lazy validation.

    A failure of a whole column (a missing column, a column that is not text) means the
    frame did not come from :mod:`hailong.ingest.readers`: that is a bug, not a user mistake.
    """
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        whole = fc[fc["index"].isna()]
        if len(whole):
            raise TypeError("Frame not from hailong.ingest.readers: "
                            f"{whole.to_dict('records')}") from None
        return {(int(i), str(c), str(k)) for i, c, k in zip(fc["index"], fc["column"], fc["check"])}
    return set()


def _header(df: pd.DataFrame, file: str, column: str) -> str:
    """The column's header as written in ``file`` (its canonical name if unknown)."""
    return df.attrs.get("headers", {}).get(file, {}).get(column, column)


def _problem(df: pd.DataFrame, index: int, column: str, message: str, expected: str | None,
             hint: str | None, label: str = "") -> Problem:
    row = df.loc[index]
    file = str(row[FILE_COLUMN])
    return Problem(index=index, order=(int(row[ROW_COLUMN]), df.columns.get_loc(column)),
                   file=file, row=int(row[ROW_COLUMN]), column=_header(df, file, column),
                   found=row[column], message=message, expected=expected, hint=hint, label=label)


def _problems(df: pd.DataFrame, schema: pa.DataFrameSchema, rules: list[Rule]) -> list[Problem]:
    """Run ``schema`` lazily and translate its failure cases into sorted problems."""
    column_rules = {(r.column, r.name): r for r in rules if not r.wide}
    wide_rules = {r.name: r for r in rules if r.wide}
    out: dict[tuple[int, str, str], Problem] = {}
    for index, column, check in _failures(schema, df):
        rule = column_rules.get((column, check)) or wide_rules.get(check)
        if rule is not None and (index, rule.column, rule.name) not in out:
            message, expected, hint = rule.explain(df.loc[index])
            out[index, rule.column, rule.name] = _problem(df, index, rule.column, message,
                                                          expected, hint, rule.label)
    return sorted(out.values(), key=lambda p: p.order)


def _files(raw: pd.DataFrame) -> list[str]:
    """Input files of an ingested frame (also when it has no rows)."""
    return list(raw.attrs.get("headers") or dict.fromkeys(raw.get(FILE_COLUMN, [])))


# --------------------------------------------------------------------------- lookups

def sector_lookup(codebook: Codebook) -> dict[str, str]:
    """Normalized sector id or Vietnamese label -> sector id."""
    out = {}
    for sid, s in codebook.sectors.items():
        out[normalize_text(sid)] = sid
        out[normalize_text(s["vi"])] = sid
    return out


def member_lookup(spec: RosterSpec) -> dict[str, bool]:
    """Normalized yes / no word -> bool."""
    return {**{normalize_text(w): False for w in spec.no},
            **{normalize_text(w): True for w in spec.yes}}


def answer_lookup(codebook: Codebook) -> dict[str, float]:
    """Normalized answer -> value: scale labels (vi, en) and values; blank, no opinion -> NaN."""
    out: dict[str, float] = {"": math.nan}
    out.update({normalize_text(x): math.nan for x in codebook.no_opinion})
    for value, label in codebook.scale.labels.items():
        for text in (label["vi"], label["en"], str(value)):
            out[normalize_text(text)] = float(value)
    # choice names of a form (KoboToolbox "hai_long") or labels typed without accents
    spelt: dict[str, set] = {}
    texts = [(x, math.nan) for x in codebook.no_opinion] + [
        (lb[lang], float(v)) for v, lb in codebook.scale.labels.items() for lang in ("vi", "en")]
    for text, value in texts:
        for key in (ascii_name(text), ascii_name(text).replace(" ", "_")):
            spelt.setdefault(normalize_text(key), set()).add(value)
    for key, values in spelt.items():
        if key not in out and len(values) == 1:
            out[key] = next(iter(values))
    return out


#: An answer written as number and label: "4 - Hài lòng", "(4) Hài lòng", "Hài lòng (4)".
_NUMBER_AND_LABEL = (re.compile(r"\(?(\d+)\)?\s*[-–.:)]?\s*(\D.*)"),
                     re.compile(r"(\D.*?)\s*[-–:]?\s*\((\d+)\)"))


def _number_value(key: str, lookup: dict[str, float]) -> float | None:
    """The value of an answer written as a number ("4", "4.0", "4,0")."""
    try:
        number = float(key.replace(",", "."))
    except ValueError:
        return None
    if number.is_integer() and str(int(number)) in lookup:
        return lookup[str(int(number))]
    return None


def answer_value(text: str, lookup: dict[str, float]) -> float | None:
    """The value of one answer; ``None`` if it is outside the scale.

    A scale label or "no opinion" label (any case, spacing, Unicode form, old or new
    tone-mark placement), the number alone ("4", "4.0", "4,0"), or both when they agree
    ("4 - Hài lòng", "Hài lòng (4)"); blank is no opinion (NaN).
    """
    key = normalize_text(text)
    if key in lookup:
        return lookup[key]
    value = _number_value(key, lookup)
    if value is not None:
        return value
    for i, pattern in enumerate(_NUMBER_AND_LABEL):
        m = pattern.fullmatch(key)
        if m:
            number, label = (m.group(1), m.group(2)) if i == 0 else (m.group(2), m.group(1))
            by_number = _number_value(number, lookup)
            by_label = lookup.get(label.strip())
            if by_number is not None and by_label == by_number:
                return by_number
    return None


#: Day 0 of Excel's serial day numbers (1900 date system, as Excel counts).
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_AM_PM = {"sa": "AM", "ch": "PM", "am": "AM", "pm": "PM"}
_DATE_SHAPE = re.compile(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})\b.*")


def parse_timestamp(text: str) -> dt.datetime | None:
    """A submission time; ``None`` if ``text`` is not one.

    ``dd/mm/yyyy HH:MM:SS`` (also ``-`` or ``.`` between the parts, without seconds or
    time, or with a 12-hour time and AM/PM or the Vietnamese SA/CH), ISO 8601, or an
    Excel serial day number (``45000.5`` = 15/03/2023 12:00). A time with a UTC offset is
    converted to Vietnam time (UTC+7), then the offset dropped.
    """
    text = " ".join(text.split())
    if _SERIAL.fullmatch(text):
        days = float(text)
        return (_EXCEL_EPOCH + dt.timedelta(seconds=round(days * 86400))) \
            if 20000 <= days < 100000 else None
    words = text.split(" ")
    if words[-1].casefold() in _AM_PM:
        text = " ".join([*words[:-1], _AM_PM[words[-1].casefold()]])
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            pass
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone(dt.timedelta(hours=7))).replace(tzinfo=None)
    return value


def timestamp_problem(text: str) -> tuple[str, str] | None:
    """Why ``text`` is not a usable submission time: ``(message, label)``; ``None`` if it is.

    Tells an empty cell, a date that does not exist ("31/02/2023", or month first), a
    year no submission can have, and text that is not a date apart.
    """
    value = parse_timestamp(text)
    lo, hi = PLAUSIBLE_YEARS
    if value is not None:
        if lo <= value.year <= hi:
            return None
        return say("val.ts.impossible_year", year=value.year), say("val.label.impossible_date")
    if not text.strip():
        return say("val.ts.empty"), say("val.label.ts_missing")
    shape = _DATE_SHAPE.fullmatch(text.strip())
    if shape:
        return say("val.ts.no_such_date"), say("val.label.impossible_date")
    return say("val.ts.not_a_date"), say("val.label.ts_unreadable")


def _mapped(series: pd.Series, fn: Callable[[str], object]) -> pd.Series:
    """``fn`` applied once to each distinct value of ``series``."""
    codes, uniques = pd.factorize(series)
    results = np.empty(len(uniques), dtype=object)
    results[:] = [fn(v) for v in uniques]
    return pd.Series(results[codes], index=series.index, dtype=object)


# --------------------------------------------------------------------------- roster

def _roster_rules(df: pd.DataFrame, codebook: Codebook, units: Units, spec: RosterSpec,
                  level: str) -> list[Rule]:
    """The checks of the roster ``df`` (the uniqueness message names the other rows)."""
    districts = units.codes("district")
    communes = set(units.codes("commune"))
    parent = units.table["parent_code"].to_dict()
    sectors, members = sector_lookup(codebook), member_lookup(spec)
    fix = Msg("val.hint.correct_roster")

    def district(row: pd.Series) -> str:
        return f"{row['district_code']} ({units.name(row['district_code'])})"

    def same_id(row: pd.Series) -> str:
        rows = df.loc[df["coop_id"] == row["coop_id"], ROW_COLUMN]
        return ", ".join(str(n) for n in rows)

    rules = [
        Rule("not_blank", "coop_id", lambda s: s != "",
             lambda r: (Msg("val.code_empty"), Msg("val.exp.code_example"), fix)),
        Rule("unique", "coop_id", lambda s: (s == "") | ~s.duplicated(keep=False),
             lambda r: (Msg("val.code_twice", rows=same_id(r)), Msg("val.exp.code_once"),
                        Msg("val.hint.code_twice"))),
        # After 01/07/2025 there is no district level: the column stays empty.
        Rule("known_district", "district_code",
             lambda s: s.isin(districts) | ((s == "") & (len(districts) == 0)),
             lambda r: (Msg("val.district_empty") if r["district_code"] == ""
                        else Msg("val.district_unknown"),
                        Msg("exp.one_of", valid=", ".join(districts)), fix)),
        Rule("known_commune", "commune_code", lambda s: (s == "") | s.isin(communes),
             lambda r: (Msg("val.commune_unknown"), Msg("val.exp.commune_or_empty"), fix)),
        Rule("commune_in_district", "commune_code",
             lambda d: (d["commune_code"] == "") | ~d["commune_code"].isin(communes)
             | ~d["district_code"].isin(districts)
             | (d["commune_code"].map(parent) == d["district_code"]),
             lambda r: (Msg("val.commune_elsewhere", district=district(r)),
                        Msg("val.exp.commune_of", district=district(r)),
                        Msg("val.hint.commune_elsewhere")), wide=True),
        Rule("known_sector", "sector", lambda s: _mapped(s, normalize_text).isin(sectors),
             lambda r: (Msg("val.sector_unknown"),
                        "; ".join(s["vi"] for s in codebook.sectors.values()), fix)),
        Rule("yes_no", "member", lambda s: _mapped(s, normalize_text).isin(members),
             lambda r: (Msg("val.not_yes_no"),
                        " / ".join(f'"{w}"' for w in spec.yes + spec.no), fix)),
        Rule("year", "founded_year", lambda s: (s == "") | s.str.fullmatch(r"\d{4}"),
             lambda r: (Msg("val.founded_not_year"), Msg("val.exp.year_or_empty"), fix)),
    ]
    if level == "commune":
        rules.append(Rule("commune_required", "commune_code", lambda s: s != "",
                          lambda r: (Msg("val.commune_empty"), Msg("val.exp.commune_code"),
                                     fix)))
    return rules


def _roster_error(problems: list[Problem]) -> InputError:
    """One error for the first problem; its message counts and lists the others."""
    message = problems[0].message
    if len(problems) > 1:
        shown = problems[:MAX_LISTED]
        which = Msg("val.roster.all" if len(shown) == len(problems) else "val.roster.first",
                    n=len(shown))
        message = Msg("val.roster.more", first=message, others=len(problems) - 1,
                      which=which, lines=Lines(shown, "\n  "))
    return problems[0].error(message)


def validate_roster(raw: pd.DataFrame, codebook: Codebook, units: Units, *,
                    spec: RosterSpec | None = None, level: str = "district") -> pd.DataFrame:
    """Check the ingested roster (:func:`hailong.ingest.readers.read_roster`); return the
    canonical one.

    ``level="commune"`` also requires a commune code on every row.

    Raises
    ------
    InputError
        For the first problem in row order; the message counts and lists the others.
    """
    spec = spec or load_roster_spec()
    problems = roster_problems(raw, codebook, units, spec=spec, level=level)
    if problems:
        raise _roster_error(problems)
    return _roster_frame(raw.reset_index(drop=True), codebook, spec)


def roster_problems(raw: pd.DataFrame, codebook: Codebook, units: Units, *,
                    spec: RosterSpec | None = None, level: str = "district") -> list[Problem]:
    """Every problem of the ingested roster, in row order (empty: the roster is usable).

    Raises
    ------
    InputError
        If the roster has no row at all.
    """
    spec = spec or load_roster_spec()
    df = raw.reset_index(drop=True)
    if df.empty:
        raise InputError("err.roster_lists_cooperative", file=next(iter(_files(raw)), None),
                         hint="hint.every_cooperative_survey_row")
    rules = _roster_rules(df, codebook, units, spec, level)
    return _problems(df, _schema(rules), rules)


def _roster_frame(df: pd.DataFrame, codebook: Codebook, spec: RosterSpec) -> pd.DataFrame:
    """Canonical roster of a checked frame: sector ids, variant, bool member, Int64 year."""
    out = pd.DataFrame(index=df.index)
    for c in ROSTER_COLUMNS:
        out[c] = df[c] if c in df.columns else pd.Series("", index=df.index, dtype="str")
    out["sector"] = _mapped(df["sector"], normalize_text).map(sector_lookup(codebook))
    out["variant"] = out["sector"].map(codebook.variant_of_sector)
    out["member"] = _mapped(df["member"], normalize_text).map(member_lookup(spec)).astype(bool)
    years = pd.to_numeric(df["founded_year"].where(df["founded_year"] != ""), errors="coerce")
    out["founded_year"] = years.astype("Int64")
    text = [c for c in ROSTER_COLUMNS if c not in ("member", "founded_year")]
    return out.astype({c: "str" for c in text}).reset_index(drop=True)


# --------------------------------------------------------------------------- responses

#: A cell ledger line's status: one answer set aside (counted as missing), the rest of its
#: cooperative's answers used.
CELL_SET_ASIDE = "cell_set_aside"
#: The cell ledger: one row per answer set aside (in a row that counts). ``column`` is the
#: header as written, ``item`` the canonical column, ``found`` the cell as read; ``message``
#: is empty when the cell is covered by a column-level note (:attr:`Validated.notes`).
CELL_COLUMNS = ["source_file", "source_row", "coop_id", "column", "item", "found", "status",
                "reason", "message"]
#: A column with at least this many answers outside the scale in one file (or where they
#: are most of its answers) gets one column-level note instead of a message per cell.
COLUMN_NOTE_MIN = 5
#: Keys of :attr:`Validated.answer_counts`.
ANSWER_KEYS = ("read", "used", "set_aside", "no_opinion")


def _row_rules(roster_ids: set[str]) -> list[Rule]:
    """Checks that set a survey row aside whole: it cannot be attributed to a cooperative
    of the roster, or has no usable time stamp (which decides among duplicates and dates
    the submission)."""
    return [
        Rule("not_blank", "coop_id", lambda s: s != "",
             lambda r: (Msg("val.code_empty"), Msg("val.exp.roster_code"),
                        Msg("val.hint.find_by_name")),
             label=Msg("val.label.blank_code")),
        Rule("in_roster", "coop_id", lambda s: (s == "") | s.isin(roster_ids),
             lambda r: (Msg("val.not_in_roster"), Msg("val.exp.code_of_roster"),
                        Msg("val.hint.not_in_roster")),
             label=Msg("val.label.not_in_roster")),
        Rule("timestamp", "submitted_at",
             lambda s: _mapped(s, lambda t: timestamp_problem(t) is None).astype(bool),
             lambda r: ((timestamp_problem(r["submitted_at"]) or ("",))[0],
                        Msg("val.exp.timestamp", low=PLAUSIBLE_YEARS[0],
                            high=PLAUSIBLE_YEARS[1]),
                        Msg("val.hint.timestamp")),
             label=Msg("val.label.ts_unusable")),
    ]


def _response_rules(codebook: Codebook, roster_ids: set[str]) -> list[Rule]:
    """The row checks and, per scored item, the answer check (``in_scale``)."""
    lookup = answer_lookup(codebook)
    expected = scale_expected(codebook)

    def in_scale(s: pd.Series) -> pd.Series:
        return _mapped(s, lambda t: answer_value(t, lookup) is not None).astype(bool)

    return _row_rules(roster_ids) + [
        Rule("in_scale", item.id, in_scale,
             lambda r: (Msg("val.outside_scale"), expected, Msg("val.hint.outside_scale")),
             label=Msg("val.label.outside_scale"))
        for item in codebook.scored_items]


def scale_expected(codebook: Codebook) -> str:
    """What an answer may be: the scale's labels (and numbers), or no opinion."""
    scale = ", ".join(f'"{lb["vi"]}" ({v})' for v, lb in codebook.scale.labels.items())
    no_opinion = ", ".join(f'"{x}"' for x in codebook.no_opinion)
    return say("val.exp.scale", scale=scale, no_opinion=no_opinion)


def _choose_latest(coop: pd.Series, times: pd.Series, ok: np.ndarray) -> np.ndarray:
    """Position of the row kept for each row's cooperative (-1 where ``ok`` is False).

    The latest ``submitted_at`` wins; on a tie, the row read last. One sort: linear in
    rows up to the sort's log factor, whatever the share of duplicates.
    """
    pos = np.flatnonzero(ok)
    usable = pd.DataFrame({"coop": coop.to_numpy()[pos], "t": times.to_numpy()[pos],
                           "pos": pos})
    kept = (usable.sort_values(["t", "pos"], kind="stable")
            .drop_duplicates("coop", keep="last").set_index("coop")["pos"])
    out = np.full(len(coop), -1, dtype=np.int64)
    out[pos] = usable["coop"].map(kept).to_numpy(dtype=np.int64)
    return out


def answers_differ(a: pd.Series, b: pd.Series, codebook: Codebook,
                   lookup: dict[str, float] | None = None) -> list[str]:
    """Canonical columns where two submissions' answers differ.

    Scored items are compared by value ("Hài lòng" = "4"; blank = "Không ý kiến"), open
    questions by their text as :func:`~hailong.ingest.readers.normalize_text` gives it.
    """
    lookup = lookup or answer_lookup(codebook)
    out = []
    for item in codebook.scored_items:
        x, y = answer_value(a[item.id], lookup), answer_value(b[item.id], lookup)
        if not (x == y or (x is not None and y is not None and math.isnan(x) and math.isnan(y))):
            out.append(item.id)
    out += [q.id for q in codebook.open_questions
            if normalize_text(a[q.id]) != normalize_text(b[q.id])]
    return out


def _merged_entry(coop_id: str, kept_file: str, kept_row: int,
                  headers: list[str]) -> tuple[str, str, str]:
    """Ledger reason, message (without its leading ``file, row N: ``) and columns of a
    submission replaced by a later one (at ``kept_row`` of ``kept_file``); ``headers``:
    the columns whose answers differ."""
    where = say("val.row_of", row=kept_row, name=Path(kept_file).name)
    reason = say("val.reason.duplicate", where=where)
    if headers:
        shown = ", ".join(f'"{h}"' for h in headers[:5]) + (
            say("val.and_more", n=len(headers) - 5) if len(headers) > 5 else "")
        reason += say("val.reason.different", n=len(headers))
        error = InputError("val.twice_different", hint="val.hint.twice_different",
                           coop_id=coop_id, where=where, n=len(headers), shown=shown)
    else:
        reason += say("val.reason.same")
        error = InputError("val.twice_same", hint="val.hint.nothing_to_do", coop_id=coop_id,
                           where=where)
    return reason, str(error), "; ".join(headers)


@dataclass
class CheckedResponses:
    """What :func:`validate_responses` gives: see :class:`Validated`."""

    responses: pd.DataFrame
    ledger: pd.DataFrame
    cells: pd.DataFrame
    notes: list[dict]
    answer_counts: dict[str, int]


class _Headers:
    """Canonical column -> header as written, per file (as :func:`_header`)."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.headers = {f: dict(h) for f, h in (df.attrs.get("headers") or {}).items()}

    def __call__(self, file: str, column: str) -> str:
        return self.headers.get(file, {}).get(column, column)


def _row_problems(df: pd.DataFrame, rules: list[Rule], failed: dict[str, np.ndarray],
                  headers: _Headers) -> dict[int, list[Problem]]:
    """Row position -> the row-level problems of that row, in column order."""
    out: dict[int, list[Problem]] = {}
    files, rows = df[FILE_COLUMN].to_numpy(object), df[ROW_COLUMN].to_numpy()
    for rule in rules:
        column = df[rule.column].to_numpy(object)
        at = df.columns.get_loc(rule.column)
        for i in np.flatnonzero(failed[rule.name]):
            message, expected, hint = rule.explain({rule.column: column[i]})
            out.setdefault(int(i), []).append(Problem(
                index=int(i), order=(int(rows[i]), at), file=str(files[i]), row=int(rows[i]),
                column=headers(files[i], rule.column), found=column[i], message=message,
                expected=expected, hint=hint, label=rule.label))
    for ps in out.values():
        ps.sort(key=lambda p: p.order)
    return out


def _answer_values(df: pd.DataFrame, codebook: Codebook) -> tuple[np.ndarray, np.ndarray]:
    """``(values, bad)``: rows x scored items; values NaN for no opinion and for answers
    outside the scale, ``bad`` True for the latter. Each distinct text is looked up once."""
    lookup = answer_lookup(codebook)
    items = codebook.scored_items
    values = np.full((len(df), len(items)), np.nan)
    bad = np.zeros((len(df), len(items)), dtype=bool)
    for j, item in enumerate(items):
        codes, uniques = pd.factorize(df[item.id])
        found = [answer_value(v, lookup) for v in uniques]
        bad[:, j] = np.array([x is None for x in found], dtype=bool)[codes]
        values[:, j] = np.array([math.nan if x is None else x for x in found],
                                dtype=float)[codes]
    return values, bad


def _differences(df: pd.DataFrame, codebook: Codebook, values: np.ndarray, bad: np.ndarray,
                 rows: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """rows x (scored items + open questions): True where row ``rows[k]``'s answer differs
    from that of ``kept[k]`` (scores by value, an answer outside the scale equal to another
    such answer; open answers by normalized text)."""
    codes = np.where(bad, -2.0, np.where(np.isnan(values), -1.0, values))
    out = [codes[rows] != codes[kept]]
    for q in codebook.open_questions:
        text = _mapped(df[q.id], normalize_text).to_numpy(object)
        out.append((text[rows] != text[kept])[:, None])
    return np.hstack(out) if out else np.zeros((len(rows), 0), dtype=bool)


def _cell_lines(df: pd.DataFrame, codebook: Codebook, bad: np.ndarray, accepted: np.ndarray,
                headers: _Headers) -> tuple[pd.DataFrame, list[dict]]:
    """The cell ledger of the accepted rows and the column-level notes.

    A column of one file with at least :data:`COLUMN_NOTE_MIN` answers outside the scale,
    or where they are most of its non-blank answers, gets one note (columns with the same
    most frequent wrong value are one note, joined by the columns whose few wrong answers
    are all such a value); its cells are in the ledger without a message.
    """
    items = codebook.scored_items
    expected = scale_expected(codebook)
    outside = say("val.label.outside_scale")
    files = df[FILE_COLUMN].to_numpy(object)
    rows, coop = df[ROW_COLUMN].to_numpy(), df["coop_id"].to_numpy(object)
    where = bad & accepted[:, None]
    noted: dict[tuple[str, str], list[tuple[str, str, list[int], int]]] = {}
    covered: set[tuple[str, int]] = set()
    columns = {j: df[item.id].to_numpy(object) for j, item in enumerate(items)
               if where[:, j].any()}
    for file in dict.fromkeys(files[where.any(axis=1)]):
        in_file = (files == file) & accepted
        hits = {j: np.flatnonzero(where[:, j] & in_file) for j in columns}
        hits = {j: h for j, h in hits.items() if len(h)}
        found = {j: pd.Series(columns[j][h]).value_counts() for j, h in hits.items()}
        many = {j for j, h in hits.items()
                if len(h) >= COLUMN_NOTE_MIN
                or 2 * len(h) > int(((columns[j] != "") & in_file).sum())}
        # a column with a few wrong answers, all a value noted for other columns, joins them
        values = {str(found[j].index[0]) for j in many}
        many |= {j for j in hits if set(map(str, found[j].index)) <= values}
        for j in sorted(many):
            key = (str(file), str(found[j].index[0]))
            noted.setdefault(key, []).append(
                (headers(file, items[j].id), items[j].id, [int(rows[i]) for i in hits[j]],
                 int(found[j].iloc[0])))
            covered.add((str(file), j))
    lines = []
    for j, item in enumerate(items):
        if j not in columns:
            continue
        column = columns[j]
        for i in np.flatnonzero(where[:, j]):
            file, header = str(files[i]), headers(files[i], item.id)
            message = "" if (file, j) in covered else str(InputError(
                "err.answer_outside_scale_counted", file=file, row=int(rows[i]), column=header,
                found=column[i], expected=expected, hint="hint.correct_answer_copy_export"))
            lines.append({"source_file": file, "source_row": int(rows[i]),
                          "coop_id": coop[i], "column": header, "item": item.id,
                          "found": column[i], "status": CELL_SET_ASIDE,
                          "reason": say("val.reason", label=outside, column=header,
                                        found=repr(column[i])), "message": message})
    cells = pd.DataFrame(lines, columns=CELL_COLUMNS).astype(
        {c: "str" for c in CELL_COLUMNS if c != "source_row"} | {"source_row": "int64"})
    cells = cells.sort_values(["source_file", "source_row"], kind="stable").reset_index(drop=True)
    notes = [_column_note(file, value, cols, expected, codebook)
             for (file, value), cols in noted.items()]
    return cells, notes


def _column_note(file: str, value: str, columns: list[tuple[str, str, list[int], int]],
                 expected: str, codebook: Codebook) -> dict:
    """One data-quality line for columns of ``file`` whose answers are often outside the
    scale, most often as ``value``: how many, where, and the codebook setting to map it."""
    total = sum(len(rows) for _, _, rows, _ in columns)
    times = sum(n for *_, n in columns)
    rows = sorted({r for _, _, rs, _ in columns for r in rs})
    headers = [h for h, *_ in columns]
    shown = ", ".join(f'"{h}"' for h in headers[:5]) + (
        say("val.and_more", n=len(headers) - 5) if len(headers) > 5 else "")
    error = InputError("val.column_note", file=file, expected=expected,
                       hint="val.hint.column_note", total=total, n=len(headers),
                       value=repr(value), times=times, shown=shown, rows=row_ranges(rows),
                       value_text=value, codebook=codebook.path)
    return {"file": file, "column": "; ".join(headers), "status": CELL_SET_ASIDE,
            "reason": say("val.reason.column_note", total=total, value=repr(value)),
            "action": str(error), "answers": total}


def row_ranges(rows: Sequence[int], shown: int | None = 10) -> str:
    """``[2, 3, 4, 7]`` -> ``"2–4, 7"`` (sorted; at most ``shown`` ranges, then how many
    more)."""
    out, rows, i = [], sorted(rows), 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and rows[j + 1] == rows[j] + 1:
            j += 1
        out.append(str(rows[i]) if i == j else f"{rows[i]}–{rows[j]}")
        i = j + 1
    if shown is None or len(out) <= shown:
        return ", ".join(out)
    return ", ".join(out[:shown]) + say("val.more_ranges", n=len(out) - shown)


def validate_responses(raw: pd.DataFrame, roster: pd.DataFrame,
                       codebook: Codebook) -> CheckedResponses:
    """Turn the ingested export rows into canonical responses and the ledgers.

    A row is set aside whole only when it cannot be attributed to a cooperative of the
    roster (code blank or unknown after matching by name) or has no usable time stamp
    (it decides among duplicates and dates the submission); of a cooperative's usable
    rows the latest is accepted, the others merged. An answer outside the scale in an
    accepted row is set aside as that cell (counted as missing, one line in the cell
    ledger); the cooperative's other answers are used. Every step is vectorized: the cost
    is linear in rows whatever the share of duplicates.

    Parameters
    ----------
    raw
        From :func:`hailong.ingest.readers.read_responses`.
    roster
        The canonical roster (from :func:`validate_roster`).
    """
    df = raw.reset_index(drop=True)
    n = len(df)
    headers = _Headers(df)
    df.attrs = {}  # (pandas would copy them for every column taken; headers has them)
    rules = _row_rules(set(roster["coop_id"]))
    failed = {r.name: ~r.test(df[r.column]).to_numpy(bool) for r in rules}
    bad_row = np.zeros(n, dtype=bool)
    for mask in failed.values():
        bad_row |= mask
    problems = _row_problems(df, rules, failed, headers)
    times = pd.to_datetime(_mapped(df["submitted_at"], parse_timestamp)).astype("datetime64[us]")
    keep = _choose_latest(df["coop_id"], times, ~bad_row)
    accepted = keep == np.arange(n)
    merged = ~bad_row & ~accepted
    values, bad = _answer_values(df, codebook)
    files = df[FILE_COLUMN].astype(str).to_numpy(object)
    rows = df[ROW_COLUMN].to_numpy(dtype=np.int64)
    coop = df["coop_id"].to_numpy(object)
    status = np.where(bad_row, "set_aside", np.where(accepted, "accepted", "merged"))
    reason = np.full(n, "", dtype=object)
    message = np.full(n, "", dtype=object)
    column = np.full(n, "", dtype=object)
    for i, ps in problems.items():
        reason[i] = "; ".join(p.reason for p in ps)
        message[i] = "\n".join(str(p.error()) for p in ps)
        column[i] = "; ".join(dict.fromkeys(p.column for p in ps))
    m = np.flatnonzero(merged)
    differ = _differences(df, codebook, values, bad, m, keep[m])
    names = [it.id for it in codebook.scored_items] + [q.id for q in codebook.open_questions]
    # one entry per (file, kept row, columns that differ); each row only formats its place
    groups = pd.DataFrame({"file": files[m], "keep": keep[m]})
    bits = []  # the pattern of differing columns as integers, 62 columns each
    for start in range(0, differ.shape[1], 62):
        chunk = differ[:, start:start + 62].astype(np.int64)
        groups[f"p{start}"] = chunk @ (np.int64(1) << np.arange(chunk.shape[1], dtype=np.int64))
        bits.append(f"p{start}")
    with paused_gc():
        for _, at in groups.groupby(["file", "keep", *bits], sort=False).indices.items():
            file, j = groups["file"].iat[at[0]], groups["keep"].iat[at[0]]
            cols = np.flatnonzero(differ[at[0]])
            entry = _merged_entry(coop[j], files[j], int(rows[j]),
                                  [headers(file, names[c]) for c in cols])
            for i in m[at]:
                reason[i], text, column[i] = entry
                message[i] = f"{file}, {row_label(rows[i])}: {text}"  # = InputError(file=, row=)
    ledger = pd.DataFrame({"source_file": files, "source_row": rows, "coop_id": coop,
                           "status": status, "reason": reason, "message": message,
                           "column": column}, columns=LEDGER_COLUMNS).astype(
        {c: "str" for c in LEDGER_COLUMNS if c != "source_row"} | {"source_row": "int64"})
    assert int(bad_row.sum() + merged.sum() + accepted.sum()) == n, "ledger lost a row"
    cells, notes = _cell_lines(df, codebook, bad, accepted, headers)
    kept_values = values[accepted]
    answers = {"read": int(kept_values.size), "set_aside": int(bad[accepted].sum())}
    answers["used"] = int((~np.isnan(kept_values)).sum())
    answers["no_opinion"] = answers["read"] - answers["used"] - answers["set_aside"]
    assert answers["no_opinion"] == int((np.isnan(kept_values) & ~bad[accepted]).sum()), \
        "answer accounting does not balance"
    assert answers["set_aside"] == len(cells), "cell ledger lost an answer"
    index = np.flatnonzero(accepted)
    responses = _responses_frame(df.iloc[index], times.iloc[index], roster, codebook,
                                 kept_values)
    return CheckedResponses(responses=responses, ledger=ledger, cells=cells, notes=notes,
                            answer_counts={k: answers[k] for k in ANSWER_KEYS})


def _responses_frame(rows: pd.DataFrame, times: pd.Series, roster: pd.DataFrame,
                     codebook: Codebook, values: np.ndarray) -> pd.DataFrame:
    """Canonical responses of the accepted rows (``values``: their scores, rows x scored
    items, NaN = missing); unit codes etc. come from the roster."""
    out = pd.DataFrame({"coop_id": rows["coop_id"], "submitted_at": times})
    units = ["district_code", "commune_code", "sector", "variant", "member"]
    out = out.join(roster.set_index("coop_id")[units], on="coop_id")
    out["respondent_name"] = rows["respondent_name"]
    out["respondent_phone"] = rows["respondent_phone"]
    out["source_file"] = rows[FILE_COLUMN]
    out["source_row"] = rows[ROW_COLUMN].astype("int64")
    scores = pd.DataFrame(values, index=rows.index,
                          columns=[it.id for it in codebook.scored_items], dtype="float64")
    out = pd.concat([out, scores, rows[[q.id for q in codebook.open_questions]].astype("str")],
                    axis=1)
    out = out.sort_values("coop_id", kind="stable").reset_index(drop=True)
    return out.astype({c: "str" for c in RESPONSE_FIRST_COLUMNS
                       if c not in ("submitted_at", "member", "source_row")})


def _warnings(*frames: pd.DataFrame) -> list[str]:
    """One warning per ignored column of each file, per file converted from a legacy
    encoding, and per sheet with formulas whose result was not saved (read as blank)."""
    out = [say("val.warn.column_unused", name=Path(file).name, column=col)
           for f in frames for file, cols in f.attrs.get("extra_columns", {}).items()
           for col in cols]
    for f in frames:
        for file, read_as in (f.attrs.get("read_as") or {}).items():
            if read_as.get("converted_from"):
                out.append(say("val.warn.converted", name=Path(file).name,
                               encoding=read_as["converted_from"],
                               cells=read_as["converted_cells"],
                               rows=len(read_as["converted_rows"])))
            if read_as.get("uncached_formulas"):
                out.append(formula_message(file, read_as["uncached_formulas"]))
    return out


def sources(roster_raw: pd.DataFrame, responses_raw: pd.DataFrame) -> dict[str, dict]:
    """Per input file: its ``kind``, how it was read and the columns it ignored."""
    out: dict[str, dict] = {}
    for kind, f in (("roster", roster_raw), ("responses", responses_raw)):
        for file in _files(f):
            out[file] = {"kind": kind,
                         "read_as": dict((f.attrs.get("read_as") or {}).get(file) or {}),
                         "extra_columns": list((f.attrs.get("extra_columns") or {})
                                               .get(file) or [])}
    return out


def _rows_read(*frames: pd.DataFrame) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in frames:
        out.update(dict.fromkeys(_files(f), 0))
        out.update({str(k): int(v) for k, v in f[FILE_COLUMN].value_counts(sort=False).items()})
    return out


def validate_round(roster_raw: pd.DataFrame, responses_raw: pd.DataFrame, codebook: Codebook,
                   units: Units, level: str = "district", *,
                   roster_spec: RosterSpec | None = None) -> Validated:
    """Validate a round's roster and survey rows (see the module docstring).

    Parameters
    ----------
    roster_raw, responses_raw
        From :func:`hailong.ingest.readers.read_roster` and
        :func:`hailong.ingest.readers.read_responses`.
    level
        The report level (``"district"`` or ``"commune"``).
    roster_spec
        Roster column specification (default: ``data/reference/roster-columns.yaml``).

    Raises
    ------
    InputError
        If the roster has any problem (survey rows with problems are set aside instead).
    """
    roster = validate_roster(roster_raw, codebook, units, spec=roster_spec, level=level)
    # Rows with a blank or unknown code get the code their name matches (hailong.ingest.matching).
    named = match_to_roster(responses_raw, roster,
                            {c: units.name(c) for c in units.codes("district")})
    checked = validate_responses(named.frame, roster, codebook)
    return Validated(roster=roster, responses=checked.responses,
                     ledger=named.annotate(checked.ledger),
                     warnings=_warnings(roster_raw, responses_raw),
                     rows_read=_rows_read(roster_raw, responses_raw),
                     sources=sources(roster_raw, responses_raw), cells=checked.cells,
                     notes=checked.notes, answers=checked.answer_counts)


def row_label(row: int) -> str:
    """``row 12`` / ``dòng 12`` in the message language."""
    return say("err.label.row", row=row)
