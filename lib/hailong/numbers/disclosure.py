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

#: Why a figure is withheld (the ``suppression`` column).
PRIMARY, SECONDARY = st.PRIMARY, st.SECONDARY


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
    primary = (n > 0) & (n < min_n)
    if INDEX in n.columns:
        whole_unit = st.suppress_table(n[[INDEX]], min_n, margins="columns").cells[INDEX]
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
