"""What may be published: the disclosure rule of every table of units and measures.

A figure is withheld when it rests on fewer than ``min_n`` respondents (*primary*), and a
complementary one is withheld too wherever the published figures and their total (the
city) would let a reader work a withheld one out (*secondary*). The rule is applied to
the units × measures table of respondent counts with the city as its total row, by
:func:`hailong.numbers.stats.suppress_table`: first the overall index alone (a unit
withheld there is withheld in every measure: its index is nearly the mean of its areas),
then every measure.

Every table that shows units side by side with the city goes through
:func:`complements`: the round's scores (:mod:`hailong.numbers.scoring`) and the rounds
lined up for the trend (:mod:`hailong.numbers.rounds`), whose pattern also takes in every
unit the round's published reports withhold (:func:`withhold_units`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import pandas as pd

from hailong.numbers import stats as st
from hailong.numbers.results import INDEX
from hailong.reference.geography import CITY

#: Why a figure is withheld (the ``suppression`` column): fewer than ``min_n``
#: respondents; a complement; a small group whose members all gave the same answer.
PRIMARY, SECONDARY = st.PRIMARY, st.SECONDARY
GROUP = "group"


def complements(scores: pd.DataFrame, codes: Sequence[str], min_n: int) -> pd.Series:
    """The rows of ``scores`` to withhold as complements (secondary suppression).

    Parameters
    ----------
    scores
        One row per unit × measure with ``unit``, ``measure``, ``n`` (respondents) and
        ``suppressed`` (the primary rule already applied); the city's rows (unit
        ``"city"``) are the table's total row.
    codes
        The units of the table, in order (the city among them or not).
    min_n
        The primary threshold.

    Returns
    -------
    pandas.Series
        Booleans aligned with ``scores``: True where a row not yet withheld must be.
    """
    units = [c for c in codes if c != CITY]
    if not units:
        return pd.Series(False, index=scores.index)
    order = list(dict.fromkeys(scores["measure"]))
    n = (scores[scores["unit"].isin(units)]
         .pivot(index="unit", columns="measure", values="n")
         .reindex(index=units, columns=order).fillna(0))
    primary = (n > 0) & ((n < min_n) | _wide(scores, units, order, "suppressed"))
    if INDEX in n.columns:
        whole_unit = st.suppress_table(n[[INDEX]], min_n, margins="columns",
                                       primary=primary[[INDEX]]).cells[INDEX]
        primary = (n > 0) & (primary | whole_unit.to_numpy()[:, None])
    sup = st.suppress_table(n, min_n, margins="columns", primary=primary)
    hidden = sup.cells.stack()
    hidden.index.names = ["unit", "measure"]
    city = sup.column_totals.rename_axis("measure").reset_index(name="hidden")
    city.insert(0, "unit", CITY)
    extra = pd.concat([hidden.rename("hidden").reset_index(), city], ignore_index=True)
    keys = scores[["unit", "measure"]].astype({"unit": str})
    flags = keys.merge(extra, on=["unit", "measure"], how="left")["hidden"]
    flags = flags.fillna(False).astype(bool).to_numpy()
    return pd.Series(flags, index=scores.index) & ~scores["suppressed"].astype(bool)


def _wide(scores: pd.DataFrame, units: Sequence[str], order: Sequence[str],
          column: str) -> pd.DataFrame:
    """``scores[column]`` as booleans, units × measures (missing: False)."""
    return (scores[scores["unit"].isin(units)]
            .pivot(index="unit", columns="measure", values=column)
            .reindex(index=list(units), columns=list(order))
            .fillna(False).astype(bool))


def same_answer(spans: pd.DataFrame, group_n: int) -> pd.Series:
    """Which groups of fewer than ``group_n`` respondents all gave the same answer.

    Parameters
    ----------
    spans
        One row per unit × measure with ``n`` (respondents), ``lo`` and ``hi`` (the
        lowest and highest answer behind the figure: for a dimension or the index, every
        answer to its questions).
    group_n
        The group-attribute threshold (``statistics.group_n``).

    Returns
    -------
    pandas.Series
        Booleans aligned with ``spans``: True where ``0 < n < group_n`` and ``lo == hi``.
        Each member's answer is then known from the published figure (the mean, or the
        distribution), so the figure is withheld like one on too few respondents.
    """
    return (spans["n"] > 0) & (spans["n"] < group_n) & (spans["lo"] == spans["hi"])


def protect_rest(scores: pd.DataFrame, spans: pd.DataFrame, codes: Sequence[str],
                 min_n: int, group_n: int) -> pd.Series:
    """Complements that keep the *rest* of each measure's column safe.

    The city's figure minus the published units' figures gives the withheld units'
    answers pooled together (what a complementary suppression leaves for a reader to
    subtract). That pooled group is a figure too: it must rest on at least ``min_n``
    respondents, and if it rests on fewer than ``group_n`` its answers must not all be the
    same. Where one is not, the published unit with the fewest respondents that repairs
    it (else the one with the fewest) is withheld as well, and the check runs again.

    Parameters
    ----------
    scores
        Unit × measure rows with ``unit``, ``measure``, ``n`` and ``suppressed`` (every
        other rule applied).
    spans
        ``unit, measure, n, lo, hi`` as for :func:`same_answer`.
    codes
        The table's units (the city among them or not).
    min_n, group_n
        The thresholds.

    Returns
    -------
    pandas.Series
        Booleans aligned with ``scores``: True where a row not yet withheld must be.
    """
    units = [c for c in codes if c != CITY]
    keys = scores[["unit", "measure"]].astype({"unit": str})
    new = pd.Series(False, index=scores.index)
    if not units:
        return new
    sp = spans.assign(unit=spans["unit"].astype(str)).set_index(["unit", "measure"])
    rows = keys.join(sp[["lo", "hi"]], on=["unit", "measure"])
    frame = pd.DataFrame({"unit": keys["unit"], "measure": keys["measure"],
                          "n": scores["n"].to_numpy(), "lo": rows["lo"].to_numpy(),
                          "hi": rows["hi"].to_numpy(),
                          "hidden": scores["suppressed"].astype(bool).to_numpy()},
                         index=scores.index)
    frame = frame[frame["unit"].isin(units) & (frame["n"] > 0)]
    for _measure, col in frame.groupby("measure", sort=False):
        hidden = col["hidden"].copy()
        while hidden.any():
            rest = col[hidden]
            n_rest = int(rest["n"].sum())
            if not _unsafe(n_rest, rest["lo"].min(), rest["hi"].max(), min_n, group_n):
                break
            shown = col[~hidden].sort_values(["n", "unit"])
            if shown.empty:
                break
            repairs = [i for i, r in shown.iterrows()
                       if not _unsafe(n_rest + int(r["n"]), min(rest["lo"].min(), r["lo"]),
                                      max(rest["hi"].max(), r["hi"]), min_n, group_n)]
            pick = repairs[0] if repairs else shown.index[0]
            hidden[pick] = True
            new[pick] = True
    return new


def protect_parts(scores: pd.DataFrame, spans: pd.DataFrame, min_n: int,
                  group_n: int) -> pd.Series:
    """Complements inside a unit: a dimension's answers are the sum of its questions'.

    A dimension's published distribution and share satisfied pool the answers of its
    questions, so a question withheld alone (e.g. fewer than ``min_n`` answered it) would
    be the dimension minus its other questions. Within every unit and dimension:

    - a withheld dimension withholds every one of its questions (else their sum gives
      it back);
    - the withheld questions pooled must be at least two, rest on at least ``min_n``
      answers and, below ``group_n``, not all be alike; where they do not, the published
      question with the fewest answers (one that repairs it, if any) is withheld too,
      and, when none is left, the dimension itself;
    - a single question left published beside withheld ones is withheld too (the
      dimension minus it, with the questions' city columns, could split the rest).

    Parameters
    ----------
    scores
        Unit × measure rows with ``unit``, ``kind``, ``measure``, ``dimension``, ``n`` and
        ``suppressed``.
    spans
        ``unit, measure, n, lo, hi`` as for :func:`same_answer`.
    min_n, group_n
        The thresholds.

    Returns
    -------
    pandas.Series
        Booleans aligned with ``scores``: True where a row not yet withheld must be.
    """
    sp = spans.assign(unit=spans["unit"].astype(str)).set_index(["unit", "measure"])
    keys = scores[["unit", "measure"]].astype({"unit": str})
    span = keys.join(sp[["lo", "hi"]], on=["unit", "measure"])
    t = pd.DataFrame({"unit": keys["unit"].to_numpy(), "kind": scores["kind"].to_numpy(),
                      "measure": keys["measure"].to_numpy(),
                      "dimension": scores["dimension"].astype(str).to_numpy(),
                      "n": scores["n"].to_numpy(), "lo": span["lo"].to_numpy(),
                      "hi": span["hi"].to_numpy(),
                      "hidden": scores["suppressed"].astype(bool).to_numpy()},
                     index=scores.index)
    new = pd.Series(False, index=scores.index)
    dims = t[t["kind"] == "dimension"].set_index(["unit", "measure"])
    items = t[(t["kind"] == "item") & (t["n"] > 0)]
    # only the units and dimensions where something is withheld need a look
    touched = (items[items["hidden"]].groupby(["unit", "dimension"]).size().index
               .union(dims[dims["hidden"]].index))
    by_part = dict(tuple(items.groupby(["unit", "dimension"])))
    for unit, dim in touched:
        part = by_part.get((unit, dim))
        if part is None:
            continue
        hidden = part["hidden"].copy()
        dim_row = dims.loc[(unit, dim)] if (unit, dim) in dims.index else None
        if dim_row is None or bool(dim_row["hidden"]):
            new[part.index[~hidden]] = True
            continue
        while True:
            rest = part[hidden]
            n_rest = int(rest["n"].sum())
            if len(rest) >= 2 and not _unsafe(n_rest, rest["lo"].min(), rest["hi"].max(),
                                               min_n, group_n):
                break
            shown = part[~hidden].sort_values(["n", "measure"])
            if shown.empty:  # nothing left to hide beside it: the dimension goes too
                new[t.index[(t["unit"] == unit) & (t["measure"] == dim)]] = True
                break
            repairs = [i for i, r in shown.iterrows()
                       if len(rest) + 1 >= 2 and not _unsafe(
                           n_rest + int(r["n"]), min(rest["lo"].min(), r["lo"]),
                           max(rest["hi"].max(), r["hi"]), min_n, group_n)]
            pick = repairs[0] if repairs else shown.index[0]
            hidden[pick] = True
            new[pick] = True
        # one question left published beside withheld ones: the dimension minus it is the
        # withheld ones pooled, which the questions' city columns can then split; it goes
        # too
        if hidden.any() and (~hidden).sum() == 1:
            new[part.index[~hidden]] = True
    return new & ~t["hidden"]


def _unsafe(n: int, lo: float, hi: float, min_n: int, group_n: int) -> bool:
    """A pooled group that may not be worked out: too few, or small and all alike."""
    return 0 < n < min_n or (0 < n < group_n and lo == hi)


def withhold_units(table: pd.DataFrame, units: Collection[str],
                   figures: Sequence[str]) -> pd.DataFrame:
    """``table`` with every row of ``units`` withheld (``suppressed``, its ``figures``
    blanked): units another published table withholds stay withheld here."""
    t = table.copy()
    rows = t["unit"].astype(str).isin(set(map(str, units)))
    new = rows & ~t["suppressed"].astype(bool)
    t.loc[rows, "suppressed"] = True
    if "suppression" in t.columns:
        t.loc[new, "suppression"] = SECONDARY
    t.loc[rows, [c for c in figures if c in t.columns]] = float("nan")
    return t
