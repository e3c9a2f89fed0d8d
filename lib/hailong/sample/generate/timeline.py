"""Who answers the survey and when: response rates by district, the answer day and time,
submissions by name only, late answers after the count."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd

from hailong.core.errors import ConfigError
from hailong.reference.config import Round
from hailong.sample.generate.draws import _largest_remainder

#: Share of the roster answered (with a coop id) by the end of COUNT_DAY_LAG days before
#: the deadline; then LATE answers in the last days.
COVERAGE_AT_COUNT, COUNT_DAY_LAG, LATE_RANGE = 0.855, 3, (5, 8)
#: Final response rate of lagging districts (the others share the rest); islands answer half.
LAGGING_RATE = {"315": 0.70, "305": 0.76, "317": 0.78}
ISLAND_RATE = 0.5
#: Answer propensity within a district.
NON_MEMBER_PROPENSITY, CREDIT_PROPENSITY = 0.55, 1.3
#: Beta shapes of the answer day over the main period (lagging districts answer later).
DAY_SHAPE, LAGGING_DAY_SHAPE, WEEKEND_FACTOR = (2.0, 2.4), (2.6, 1.6), 0.45
HOUR_WEIGHTS = (0, 0, 0, 0, 0, 0.2, 1, 3, 6, 8, 8, 6, 3, 4, 7, 8, 7, 4, 2, 3, 4, 3, 1, 0.3)
#: Submissions that give only the cooperative's name (no coop id).
NAME_ONLY = 5


def _timeline(rng: np.random.Generator, roster: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """Who answers, when, and how (with a coop id, by name only, or late)."""
    opened, deadline = _round_dates(rnd)
    n = len(roster)
    count_day = deadline - dt.timedelta(days=COUNT_DAY_LAG)
    on_time = math.ceil(COVERAGE_AT_COUNT * n)
    late = int(rng.integers(*LATE_RANGE))
    pos = _choose_responders(rng, roster, on_time + late + NAME_ONLY)
    r = roster.iloc[pos][["coop_id", "district_code", "commune_code"]].copy()
    r["pos"] = pos
    island = (r["commune_code"] == "").to_numpy()
    lagging = r["district_code"].isin(list(LAGGING_RATE)).to_numpy()
    r["how"] = "id"
    name_only = rng.choice(np.flatnonzero(~island & ~lagging), size=NAME_ONLY, replace=False)
    r.iloc[name_only, r.columns.get_loc("how")] = "name"
    free = np.flatnonzero((r["how"] == "id").to_numpy() & ~island)
    w = np.where(lagging[free], 5.0, 1.0)
    late_rows = rng.choice(free, size=late, replace=False, p=w / w.sum())
    r.iloc[late_rows, r.columns.get_loc("how")] = "late"
    main_days = [opened + dt.timedelta(days=k) for k in range((count_day - opened).days + 1)]
    late_days = [count_day + dt.timedelta(days=k + 1) for k in range(COUNT_DAY_LAG)]
    p_main, p_lag = _day_weights(main_days, DAY_SHAPE), _day_weights(main_days, LAGGING_DAY_SHAPE)
    times = []
    for how, lag in zip(r["how"], lagging):
        if how == "late":
            day = late_days[int(rng.choice(len(late_days)))]
        else:
            day = main_days[int(rng.choice(len(main_days), p=p_lag if lag else p_main))]
        times.append(_moment(rng, day))
    r["submitted_at"] = times
    return r.reset_index(drop=True)


def _answer_counts(roster: pd.DataFrame, total: int) -> dict[str, int]:
    """How many cooperatives of each district answer in the end (sums to ``total``)."""
    n = roster.groupby("district_code").size().to_dict()
    fixed = {}
    for d, k in n.items():
        if d in LAGGING_RATE:
            fixed[d] = round(LAGGING_RATE[d] * k)
        elif (roster.loc[roster["district_code"] == d, "commune_code"] == "").all():
            fixed[d] = round(ISLAND_RATE * k)
    rest = {d: k for d, k in n.items() if d not in fixed}
    return {**fixed, **_largest_remainder(rest, total - sum(fixed.values()))}


def _choose_responders(rng: np.random.Generator, roster: pd.DataFrame, total: int) -> np.ndarray:
    """Row positions of the cooperatives that answer, members and credit funds more often."""
    counts = _answer_counts(roster, total)
    w = np.where(roster["member"], 1.0, NON_MEMBER_PROPENSITY)
    w = w * np.where(roster["legal_form"] == "QTDND", CREDIT_PROPENSITY, 1.0)
    chosen = []
    for d, k in sorted(counts.items()):
        idx = np.flatnonzero(roster["district_code"].to_numpy() == d)
        p = w[idx] / w[idx].sum()
        chosen += list(rng.choice(idx, size=k, replace=False, p=p))
    return np.sort(np.asarray(chosen, dtype=int))


def _round_dates(rnd: Round, config_path: Path | None = None) -> tuple[dt.date, dt.date]:
    """The round's first and last day of answering."""
    if rnd.opened is None or rnd.deadline is None:
        raise ConfigError("err.round_needs_opened_deadline", file=config_path,
                          hint="hint.add_them_under_round", year=rnd.year)
    return rnd.opened, rnd.deadline


def _day_weights(days: list[dt.date], shape: tuple[float, float]) -> np.ndarray:
    x = (np.arange(len(days)) + 0.5) / len(days)
    w = x ** (shape[0] - 1) * (1 - x) ** (shape[1] - 1)
    w = w * np.asarray([WEEKEND_FACTOR if d.weekday() >= 5 else 1.0 for d in days])
    return w / w.sum()


def _moment(rng: np.random.Generator, day: dt.date) -> dt.datetime:
    """A time of day on ``day``, mostly in office hours and evenings."""
    h = np.asarray(HOUR_WEIGHTS, dtype=float)
    hour = int(rng.choice(24, p=h / h.sum()))
    return dt.datetime(day.year, day.month, day.day, hour, int(rng.integers(60)),
                       int(rng.integers(60)))
