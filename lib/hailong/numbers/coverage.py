"""Survey coverage on any day: who has answered, how fast, and whether the deadline holds.

Definitions (quoted by the progress report's method note)
---------------------------------------------------------
- A cooperative of the roster has *answered as of* day ``d`` when it has at least one
  usable submission (accepted, or merged as a duplicate) sent before the end of day
  ``d``; submissions matched to it by name count (:mod:`hailong.ingest.matching`), submissions
  set aside do not. A cooperative that sent several submissions counts once, from its
  first one.
- ``share = answered / roster_n``; ``not_yet = roster_n - answered``.
- *Change since the previous report*: ``answered(as_of) - answered(previous)``, where
  ``previous`` is a parameter, by default :data:`PREVIOUS_DAYS` days before ``as_of``.
  A fixed date rather than "the last time someone ran the report": the same command on
  the same data always prints the same table.
- *Target*: ``target_n = ceil(target × roster_n)`` cooperatives by the end of the
  deadline day (``target`` and ``deadline`` from the round's configuration).
- *Pace needed*: ``(target_n - answered) / days_left`` per day, ``days_left`` = days
  after ``as_of`` up to and including the deadline.
- *Recent pace*: cooperatives that answered for the first time in the :data:`WINDOW_DAYS`
  days ending on ``as_of``, divided by those days (fewer when the round opened later).
- *Projected date*: ``as_of + ceil((target_n - answered) / recent pace)`` days — when
  the target would be met if the recent pace held; none when the recent pace is 0.
  When the target is already met, the day it was met.
- *Behind pace*: the target is not met and the projected date is after the deadline
  (or there is none).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import hailong.ingest.readers as ingest
from hailong.core.errors import ParameterError
from hailong.ingest import validate
from hailong.ingest.matching import match_to_roster
from hailong.reference.codebook import Codebook
from hailong.reference.config import Config, Round
from hailong.reference.geography import CITY, Units

#: Days of the window the recent pace is measured over.
WINDOW_DAYS = 14
#: Default distance, in days, of the "previous report" that changes are measured from.
PREVIOUS_DAYS = 7
#: Groupings of :func:`coverage`: name -> roster column (``"city"``: the city only).
GROUPINGS = {"district": "district_code", "commune": "commune_code", "variant": "variant",
             "member": "member", "city": None}
#: Keys of the member grouping.
MEMBER, NON_MEMBER = "member", "non_member"
#: Statuses of the ledger whose submissions count as answers.
USABLE = ("accepted", "merged")


# --------------------------------------------------------------------------- data

@dataclass(frozen=True)
class ProgressData:
    """What coverage is computed from, for one round.

    Attributes
    ----------
    roster
        The canonical roster (contact columns included: internal use only).
    answers
        ``coop_id, first_at``: each cooperative that answered and the time of its first
        usable submission.
    submissions
        ``coop_id, submitted_at, status, source_file, source_row``: every usable
        submission (duplicates included).
    unresolved
        Submissions whose name matched no roster entry or several
        (:attr:`hailong.ingest.matching.NameMatch.unresolved`): for a person to resolve.
    """

    config: Config
    round: Round
    codebook: Codebook
    units: Units
    roster: pd.DataFrame
    answers: pd.DataFrame
    submissions: pd.DataFrame
    unresolved: pd.DataFrame

    def assisted(self, as_of: dt.date | None = None) -> int:
        """How many cooperatives answered through the working group's assisted entry
        (their accepted submission is an entry of :mod:`hailong.ingest.entries`), by the
        end of ``as_of`` (default: all)."""
        entries = self.round.entries
        s = self.submissions
        if entries is None or not len(s):
            return 0
        mine = s["source_file"].astype(str) == str(entries)
        if as_of is not None:
            mine &= s["submitted_at"] <= _end_of(as_of)
        ok = mine & (s["status"] == "accepted")
        return int(s.loc[ok, "coop_id"].nunique())

    @property
    def data_date(self) -> dt.date | None:
        """Day of the last usable submission (the default ``as_of``)."""
        times = self.submissions["submitted_at"].dropna()
        return times.max().date() if len(times) else None



def first_answers(submissions: pd.DataFrame) -> pd.DataFrame:
    """``coop_id, first_at`` of every cooperative with a submission (earliest one wins).

    Parameters
    ----------
    submissions
        ``coop_id, submitted_at`` of usable submissions (a cooperative may repeat).
    """
    s = submissions.dropna(subset=["submitted_at"])
    s = s[s["coop_id"].astype(str) != ""]
    first = s.groupby("coop_id", sort=True)["submitted_at"].min()
    return pd.DataFrame({"coop_id": first.index.astype(str),
                         "first_at": first.to_numpy()}).reset_index(drop=True)


def usable_submissions(raw: pd.DataFrame, ledger: pd.DataFrame) -> pd.DataFrame:
    """The usable submissions of a validated export, with their time stamps.

    Parameters
    ----------
    raw
        The export rows as read (:func:`hailong.ingest.readers.read_responses`).
    ledger
        The ledger of the same rows (:attr:`hailong.ingest.validate.Validated.ledger`); its
        ``coop_id`` is the code after name matching.
    """
    times = {(str(f), int(r)): t for f, r, t in
             zip(raw[ingest.FILE_COLUMN], raw[ingest.ROW_COLUMN], raw["submitted_at"])}
    use = ledger[ledger["status"].isin(USABLE)]
    stamps = [validate.parse_timestamp(times.get((str(f), int(r)), ""))
              for f, r in zip(use["source_file"], use["source_row"])]
    out = pd.DataFrame({
        "coop_id": use["coop_id"].astype(str).to_numpy(),
        "submitted_at": pd.to_datetime(pd.Series(stamps, dtype="object")).to_numpy(),
        "status": use["status"].to_numpy(),
        "source_file": use["source_file"].to_numpy(),
        "source_row": use["source_row"].astype("int64").to_numpy()})
    return out.astype({"submitted_at": "datetime64[us]"})


def load_progress(round_year: int | str | None = None,
                  config_path: str | Path | None = None) -> ProgressData:
    """Read and validate a round's roster and export(s) for coverage tracking.

    Raises
    ------
    ParameterError, ConfigError, InputError
        As :func:`hailong.numbers.pipeline.open_round` and
        :func:`hailong.ingest.validate.validate_round`.
    """
    from hailong.numbers.pipeline import open_round  # the round's configuration, codebook and units

    ctx = open_round(round_year, config_path)
    raw = ingest.read_responses(list(ctx.round.responses), ctx.codebook)
    checked = validate.validate_round(ingest.read_roster(ctx.round.roster), raw, ctx.codebook,
                                      ctx.units, level=ctx.round.unit_level)
    submissions = usable_submissions(raw, checked.ledger)
    names = {c: ctx.units.name(c) for c in ctx.units.codes("district")}
    unresolved = match_to_roster(raw, checked.roster, names).unresolved
    return ProgressData(config=ctx.config, round=ctx.round, codebook=ctx.codebook,
                        units=ctx.units, roster=checked.roster,
                        answers=first_answers(submissions), submissions=submissions,
                        unresolved=unresolved)


def as_of_date(value: object, default: dt.date | None = None) -> dt.date:
    """A date parameter: a date, ``"2023-05-16"``, ``"16/05/2023"`` or ``None`` (default).

    Raises
    ------
    ParameterError
        If the value is not a date, or it is ``None`` and there is no default.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            raise ParameterError("err.there_date_report_on", expected="exp.date_such_2023_05",
                                 hint="hint.give_date_explicitly")
        return default
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            pass
    raise ParameterError("err.not_a_date", found=value, expected="exp.yyyy_mm_dd_2023")


# --------------------------------------------------------------------------- counts

def _end_of(day: dt.date) -> pd.Timestamp:
    """The first moment after ``day`` (answers strictly before it count)."""
    return pd.Timestamp(day) + pd.Timedelta(days=1)


def _group_keys(roster: pd.DataFrame, by: str) -> pd.Series:
    """Each roster row's group under grouping ``by`` (as text)."""
    if by not in GROUPINGS:
        raise ParameterError("err.unknown_grouping", found=by, expected=", ".join(GROUPINGS))
    if by == "city":
        return pd.Series(CITY, index=roster.index, dtype="str")
    if by == "member":
        return pd.Series(np.where(roster["member"].astype(bool), MEMBER, NON_MEMBER),
                         index=roster.index, dtype="str")
    return roster[GROUPINGS[by]].astype("str")


def _group_order(roster: pd.DataFrame, by: str, keys: pd.Series) -> list[str]:
    if by == "member":
        return [MEMBER, NON_MEMBER]
    if by == "city":
        return []
    if by in ("district", "commune"):  # GSO codes: numeric order
        return sorted(keys.unique(), key=lambda c: (len(c), c))
    return sorted(keys.unique())


def answered_as_of(roster: pd.DataFrame, answers: pd.DataFrame, day: dt.date) -> pd.Series:
    """Bool per roster row: has a first answer before the end of ``day``."""
    first = answers.set_index("coop_id")["first_at"]
    when = roster["coop_id"].astype(str).map(first)
    return (when < _end_of(day)).fillna(False).astype(bool)


def coverage(roster: pd.DataFrame, answers: pd.DataFrame, as_of: dt.date, by: str = "district",
             previous: dt.date | None = None) -> pd.DataFrame:
    """Coverage as of the end of ``as_of``, per group and for the city (last row).

    Parameters
    ----------
    roster
        The canonical roster.
    answers
        ``coop_id, first_at`` (:func:`first_answers`); codes not in the roster are ignored.
    as_of
        The day reported on (answers up to 23:59:59 of that day count).
    by
        ``"district"``, ``"variant"`` (NN / PNN / QTD), ``"member"`` (``"member"`` /
        ``"non_member"``) or ``"city"``.
    previous
        The day of the previous report (default ``as_of`` − :data:`PREVIOUS_DAYS`).

    Returns
    -------
    DataFrame
        ``unit, roster_n, answered, not_yet, share, previous, change`` (``unit``: the
        group's key; ``previous``: answered as of ``previous``; ``change``: the difference).
    """
    previous = previous or as_of - dt.timedelta(days=PREVIOUS_DAYS)
    keys = _group_keys(roster, by)
    now = answered_as_of(roster, answers, as_of)
    before = answered_as_of(roster, answers, previous)
    frame = pd.DataFrame({"unit": keys, "roster_n": 1, "answered": now.astype(int),
                          "previous": before.astype(int)})
    groups = frame.groupby("unit").sum().reindex(_group_order(roster, by, keys), fill_value=0)
    city = frame.drop(columns="unit").sum().to_frame(CITY).T
    t = pd.concat([groups, city]).rename_axis("unit").reset_index()
    t = t.astype({"unit": "str", "roster_n": "int64", "answered": "int64", "previous": "int64"})
    t["not_yet"] = t["roster_n"] - t["answered"]
    t["share"] = t["answered"] / t["roster_n"].where(t["roster_n"] > 0)
    t["change"] = t["answered"] - t["previous"]
    return t[["unit", "roster_n", "answered", "not_yet", "share", "previous", "change"]]


def cumulative(roster: pd.DataFrame, answers: pd.DataFrame, start: dt.date, end: dt.date,
               by: str = "city") -> pd.DataFrame:
    """Answered as of the end of every day from ``start`` to ``end``, per group and city.

    Returns
    -------
    DataFrame
        ``date, unit, roster_n, answered, share``: for each group in order, then the
        city, one row per day.
    """
    days = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")
    keys = _group_keys(roster, by)
    first = roster["coop_id"].astype(str).map(answers.set_index("coop_id")["first_at"])
    day_of = pd.to_datetime(first).dt.normalize()
    rows = []
    for unit in [*_group_order(roster, by, keys), CITY]:
        inside = day_of if unit == CITY else day_of[keys == unit]
        answered_days = np.sort(inside.dropna().to_numpy())
        done = np.searchsorted(answered_days, days.to_numpy(), side="right")
        rows.append(pd.DataFrame({"date": days.date, "unit": unit, "roster_n": len(inside),
                                  "answered": done.astype("int64")}))
    t = pd.concat(rows, ignore_index=True).astype({"unit": "str", "roster_n": "int64"})
    t["share"] = t["answered"] / t["roster_n"].where(t["roster_n"] > 0)
    return t


def target_count(roster_n: int, target: float) -> int:
    """Cooperatives needed for ``target`` (a share 0–1) of ``roster_n``: rounded up."""
    return int(math.ceil(round(target * roster_n, 9)))


def pace(roster: pd.DataFrame, answers: pd.DataFrame, as_of: dt.date, deadline: dt.date,
         target: float = 1.0, by: str = "district", window: int = WINDOW_DAYS,
         opened: dt.date | None = None) -> pd.DataFrame:
    """Pace needed to meet the target by the deadline, recent pace and projected date.

    Parameters
    ----------
    as_of, deadline
        The day reported on and the last day of the round.
    target
        Share of the roster to reach (0–1), e.g. ``1.0`` = every cooperative.
    window
        Days the recent pace is measured over (ending on ``as_of``).
    opened
        First day of the round: the window never starts before it.

    Returns
    -------
    DataFrame
        ``unit, roster_n, answered, target_n, remaining, days_left, needed_per_day,
        recent, window_days, recent_per_day, projected, reached, behind`` per group, city
        last (see the module docstring). ``projected`` is a date or ``None``.
    """
    if not 0 < target <= 1:
        raise ParameterError("err.target_share_roster", found=target,
                             expected="exp.number_above_0_at")
    window_start = as_of - dt.timedelta(days=window)  # answers after this day count
    if opened is not None and window_start < opened - dt.timedelta(days=1):
        window_start = opened - dt.timedelta(days=1)
    days = max((as_of - window_start).days, 1)
    t = coverage(roster, answers, as_of, by, previous=window_start)
    t = t.rename(columns={"change": "recent"}).drop(columns=["previous", "not_yet", "share"])
    t["target_n"] = [target_count(n, target) for n in t["roster_n"]]
    t["remaining"] = (t["target_n"] - t["answered"]).clip(lower=0)
    t["days_left"] = (deadline - as_of).days
    left = t["days_left"].where(t["days_left"] > 0)
    t["needed_per_day"] = t["remaining"] / left
    t["window_days"] = days
    t["recent_per_day"] = t["recent"] / days
    t["reached"] = t["remaining"] == 0
    reached_on = _reached_on(roster, answers, by, t, as_of)
    projected = []
    for r in t.itertuples():
        if r.reached:
            projected.append(reached_on.get(r.unit))
        elif r.recent > 0:
            projected.append(as_of + dt.timedelta(days=math.ceil(r.remaining / r.recent_per_day)))
        else:
            projected.append(None)
    t["projected"] = pd.Series(projected, index=t.index, dtype="object")
    t["behind"] = [not r.reached and (r.projected is None or r.projected > deadline)
                   for r in t.itertuples()]
    return t[["unit", "roster_n", "answered", "target_n", "remaining", "days_left",
              "needed_per_day", "recent", "window_days", "recent_per_day", "projected",
              "reached", "behind"]]


def _reached_on(roster: pd.DataFrame, answers: pd.DataFrame, by: str, t: pd.DataFrame,
                as_of: dt.date) -> dict[str, dt.date | None]:
    """Day each group that has met its target met it (the target_n-th first answer)."""
    keys = _group_keys(roster, by)
    first = roster["coop_id"].astype(str).map(answers.set_index("coop_id")["first_at"])
    first = first[first < _end_of(as_of)]
    out = {}
    for r in t[t["reached"]].itertuples():
        times = (first if r.unit == CITY else first[keys[first.index] == r.unit]).sort_values()
        out[r.unit] = times.iloc[r.target_n - 1].date() if r.target_n > 0 else None
    return out


# --------------------------------------------------------------------------- one report

@dataclass(frozen=True)
class Progress:
    """Everything the progress report and the daily command show for one day.

    Attributes
    ----------
    as_of, previous, deadline, opened, target, window
        The parameters (``deadline``/``opened`` may be ``None`` if not configured).
    districts
        Per district then the city: :func:`coverage` columns plus those of :func:`pace`
        (``needed_per_day, recent_per_day, projected, reached, behind`` ...).
    variants, members
        :func:`coverage` by questionnaire variant and by membership of the Alliance.
    curve
        :func:`cumulative` of the city from the day the round opened (or the first
        answer) to ``as_of``.
    """

    as_of: dt.date
    previous: dt.date
    deadline: dt.date | None
    opened: dt.date | None
    target: float
    window: int
    districts: pd.DataFrame
    variants: pd.DataFrame
    members: pd.DataFrame
    curve: pd.DataFrame
    level: str = "district"

    @property
    def city(self) -> pd.Series:
        """The city's row of :attr:`districts`."""
        return self.districts.set_index("unit").loc[CITY]


def progress(data: ProgressData, as_of: object = None, *, previous: object = None,
             target: float | None = None, deadline: object = None,
             window: int = WINDOW_DAYS) -> Progress:
    """Coverage, change, pace and projection of a round on one day.

    Parameters
    ----------
    data
        From :func:`load_progress`.
    as_of
        The day (default: the day of the last submission).
    previous
        The day changes are measured from (default ``as_of`` − :data:`PREVIOUS_DAYS`).
    target, deadline
        Default: the round's ``target`` (1.0 if not configured) and ``deadline``.
    window
        Days of the recent pace.

    Raises
    ------
    ParameterError
        A date that is not a date, a target outside (0, 1], a ``previous`` after ``as_of``.
    """
    day = as_of_date(as_of, data.data_date)
    before = as_of_date(previous, day - dt.timedelta(days=PREVIOUS_DAYS))
    if before > day:
        raise ParameterError("err.previous_report_s_day", found=before.isoformat(),
                             expected="exp.day_before", day=day)
    target = float(target if target is not None else data.round.target)
    end = as_of_date(deadline, data.round.deadline) if (deadline or data.round.deadline) else None
    roster, answers, opened = data.roster, data.answers, data.round.opened
    level = data.round.unit_level
    table = coverage(roster, answers, day, level, before)
    if end is not None:
        p = pace(roster, answers, day, end, target, level, window, opened)
        table = table.merge(p.drop(columns=["roster_n", "answered"]), on="unit", how="left")
    start = opened or (answers["first_at"].min().date() if len(answers) else day)
    return Progress(
        as_of=day, previous=before, deadline=end, opened=opened, target=target,
        window=window, districts=table,
        variants=coverage(roster, answers, day, "variant", before),
        members=coverage(roster, answers, day, "member", before),
        curve=cumulative(roster, answers, min(start, day), day, "city"), level=level)
