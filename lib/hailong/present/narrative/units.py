"""The units of the city side by side: the range of their index, the withheld ones, the map."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from hailong.core.text import nfc
from hailong.numbers.scoring import INDEX
from hailong.present import fmt
from hailong.present.narrative.base import _join, _level_words, _published

#: More withheld units than this are counted, not named, by :func:`district_spread`.
_MAX_LISTED = 6


def district_spread(index_rows: pd.DataFrame, names: Mapping[str, str], min_n: int,
                    lang: str = "vi", level: str = "district") -> str:
    """The range of the units' index and which units are withheld.

    More than :data:`_MAX_LISTED` withheld units (a commune round) are counted, not named.

    Parameters
    ----------
    index_rows
        ``Results.scores`` (rows with ``measure == "INDEX"`` are used).
    names
        ``{code: short name}`` of the units.
    level
        The units' level (``"district"``, ``"commune"``): how they are called.
    """
    fmt.check_lang(lang)
    units = _level_words(level, lang)
    rows = index_rows[(index_rows["measure"] == INDEX)
                      & index_rows["unit"].astype(str).isin(list(names))].copy()
    rows["name"] = rows["unit"].astype(str).map(names)
    shown = _published(rows)
    withheld = rows[~rows["unit"].isin(shown["unit"])]
    out = []
    if len(shown) >= 2:
        hi, lo = shown["shown"].max(), shown["shown"].min()
        top = _join(list(shown.loc[shown["shown"] == hi, "name"]), lang)
        bottom = _join(list(shown.loc[shown["shown"] == lo, "name"]), lang)
        out.append(fmt.t("spread_range", lang, unit_level=level,
                         low=fmt.number(lo, 1, lang), bottom=bottom,
                         high=fmt.number(hi, 1, lang), top=top))
    second = (withheld[withheld["suppression"] == "secondary"] if "suppression" in withheld
              else withheld.iloc[:0])
    few = withheld[~withheld.index.isin(second.index)]

    def listed(frame: pd.DataFrame) -> str:
        if len(frame) > _MAX_LISTED:
            return f"{fmt.count(len(frame), lang)} {units}"
        return _join(list(frame["name"]), lang)

    if len(few):
        out.append(fmt.t("spread_withheld", lang, names=listed(few),
                         min_n=fmt.count(min_n, lang)))
    if len(second):
        out.append(fmt.t("spread_secondary", lang, names=listed(second)))
    return nfc(" ".join(out))


def no_map_note(level: str, year: int, lang: str = "vi") -> str:
    """One line saying the round has no map (no boundaries for its units)."""
    return fmt.t("map_none", lang, unit_level=level, year=year)
