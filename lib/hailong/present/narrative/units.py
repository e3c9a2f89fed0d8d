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


def district_spread(index_rows: pd.DataFrame, names: Mapping[str, str], meta: Mapping,
                    lang: str = "vi", level: str = "district") -> str:
    """The range of the units' index and which units are withheld.

    More than :data:`_MAX_LISTED` withheld units (a commune round) are counted, not named.

    Parameters
    ----------
    index_rows
        ``Results.scores`` (rows with ``measure == "INDEX"`` are used).
    names
        ``{code: short name}`` of the units.
    meta
        ``Results.meta``: the sentence on withheld units quotes its ``min_n``.
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
                         min_n=fmt.count(meta["min_n"], lang)))
    if len(second):
        out.append(fmt.t("spread_secondary", lang, names=listed(second)))
    return nfc(" ".join(out))


def no_map_note(level: str, year: int, lang: str = "vi") -> str:
    """One line saying the round has no map (no boundaries for its units)."""
    return fmt.t("map_none", lang, unit_level=level, year=year)


#: Labels of the non-response table's attributes (message keys).
_ATTRIBUTES = {"variant": "nr_variant", "member": "nr_member", "sector": "nr_sector",
               "size_class": "nr_size_class"}


def nonresponse_table_html(results, code: str, lang: str = "vi") -> str:
    """Who answered beside who is on the roster, for a unit under 80% coverage (the
    ``nonresponse`` table of the results): one row per attribute and group, with the
    roster's and the respondents' shares. ``""`` when the unit has none.

    A group with fewer than ``min_n`` cooperatives on the roster is not shown: whether
    its one or two members answered would be told.
    """
    fmt.check_lang(lang)
    t = getattr(results, "nonresponse", None)
    if t is None or not len(t):
        return ""
    min_n = int(results.meta.get("min_n", 5))
    rows = t[(t["unit"].astype(str) == str(code)) & (t["roster_n"] >= min_n)]
    if rows.empty:
        return ""
    variants = {k: v.get(lang, k) for k, v in (results.meta.get("groups") or {}).items()}
    frame = pd.DataFrame({
        fmt.t("nr_col_attribute", lang): [fmt.t(_ATTRIBUTES.get(a, "nr_sector"), lang)
                                          for a in rows["attribute"]],
        fmt.t("nr_col_group", lang): [_group_label(a, c, variants, lang)
                                      for a, c in zip(rows["attribute"], rows["category"])],
        fmt.t("nr_col_roster", lang): [fmt.percent(x, 1, lang) for x in rows["roster_share"]],
        fmt.t("nr_col_respondents", lang): [fmt.percent(x, 1, lang)
                                            for x in rows["respondent_share"]],
    })
    return fmt.html_table(frame, numeric=list(frame.columns[2:]),
                          note=fmt.t("nr_note", lang, min_n=fmt.count(min_n, lang)))


def _group_label(attribute: str, category: object, variants: Mapping, lang: str) -> str:
    if attribute == "member":
        return fmt.t("nr_member_yes" if str(category) == "True" else "nr_member_no", lang)
    return nfc(str(variants.get(str(category), category)))
