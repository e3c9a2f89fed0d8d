"""The areas (dimensions): the strongest and weakest, and how they compare with the city."""

from __future__ import annotations

import pandas as pd

from hailong.core.text import nfc
from hailong.present import fmt
from hailong.present.narrative.base import (
    _MAX_NAMED,
    SIMILAR_POINTS,
    _areas,
    _dims_of,
    _join,
    _named,
    _points,
    _published,
)


def strongest_weakest(dim_table: pd.DataFrame, lang: str = "vi") -> str:
    """The best- and worst-rated dimensions (ties named together); "" if none is published.

    Parameters
    ----------
    dim_table
        ``Results.dimension_table(code, lang)``: ``label, index, suppressed``.
    """
    fmt.check_lang(lang)
    t = _published(_dims_of(dim_table))
    if t.empty:
        return ""
    pts = lambda x: fmt.t("points", lang, value=fmt.number(x, 1, lang))  # noqa: E731
    if len(t) == 1:
        return fmt.t("dims_only_one", lang, name=_named(t["label"])[0],
                     value=pts(t["shown"].iloc[0]))
    hi, lo = t["shown"].max(), t["shown"].min()
    if hi == lo:
        return fmt.t("dims_all_same", lang, value=pts(hi))
    top = _ranked_sentence(list(t.loc[t["shown"] == hi, "label"]), pts(hi), "best", lang)
    bottom = _ranked_sentence(list(t.loc[t["shown"] == lo, "label"]), pts(lo), "worst", lang)
    return nfc(f"{top} {bottom}")


def _ranked_sentence(labels: list[str], value: str, end: str, lang: str) -> str:
    """"Lĩnh vực được đánh giá cao nhất là **X** (82,4 điểm)." and its tie variants
    (``end``: ``"best"`` or ``"worst"``)."""
    k = len(labels)
    if k > _MAX_NAMED:
        return fmt.t(f"dims_{end}_many", lang, k=fmt.count(k, lang), value=value)
    return fmt.t(f"dims_{end}_{'several' if k > 1 else 'one'}", lang,
                 names=_join(_named(labels), lang), value=value)


def versus_city(dim_table_unit: pd.DataFrame, dim_table_city: pd.DataFrame,
                threshold_points: float = SIMILAR_POINTS, lang: str = "vi") -> str:
    """How the unit's dimensions compare with the city's: higher, lower or similar.

    With ``Results.estimates`` tables (a ``vs_city`` column) a dimension is "higher"
    ("lower") only when the interval of its difference from the city lies above (below)
    0 — the difference exceeds its uncertainty; otherwise "similar".

    Without that column (``Results.dimension_table``): "higher" ("lower") when the
    unit's index, rounded as shown, exceeds (falls short of) the city's by at least
    ``threshold_points``; otherwise "similar" — a reporting convention
    (:data:`SIMILAR_POINTS`), not a significance test.

    Parameters
    ----------
    dim_table_unit, dim_table_city
        ``Results.estimates`` (or ``Results.dimension_table``) of the unit and of
        ``"city"``.
    """
    fmt.check_lang(lang)
    if "vs_city" in dim_table_unit.columns:
        return _versus_city_intervals(dim_table_unit, dim_table_city, lang)
    u = _published(_dims_of(dim_table_unit))
    c = _published(_dims_of(dim_table_city))
    both = u.merge(c[["measure", "shown"]], on="measure", suffixes=("", "_city"))
    both["diff"] = (both["shown"] - both["shown_city"]).round(1)
    thr = _points(threshold_points, lang)
    higher = both[both["diff"] >= threshold_points].sort_values(
        "diff", ascending=False, kind="stable")
    lower = both[both["diff"] <= -threshold_points].sort_values("diff", kind="stable")
    same = both[both["diff"].abs() < threshold_points]
    out = [fmt.t(f"versus_{key}", lang, thr=thr, k=_areas(len(rows), lang),
                 items=_versus_items(rows, lang))
           for key, rows in (("higher", higher), ("lower", lower)) if len(rows)]
    if len(same):
        names = (f" ({_join(_named(same['label']), lang)})" if len(same) <= _MAX_NAMED else "")
        out.append(fmt.t(f"versus_{'rest' if out else 'all'}", lang, thr=thr,
                         k=_areas(len(same), lang), names=names))
    missing = len(_dims_of(dim_table_unit)) - len(both)
    if missing:
        out.append(fmt.t("versus_missing", lang, k=_areas(missing, lang)))
    return nfc(" ".join(out))


def _versus_items(rows: pd.DataFrame, lang: str) -> str:
    """"**Area** (82,4 so với 78,1), ..." of the dimensions in ``rows``."""
    return _join([fmt.t("versus_item", lang, label=nfc(str(r.label)),
                        value=fmt.number(r.shown, 1, lang),
                        city=fmt.number(r.shown_city, 1, lang)) for r in rows.itertuples()],
                 lang)


def _versus_city_intervals(dim_table_unit: pd.DataFrame, dim_table_city: pd.DataFrame,
                           lang: str) -> str:
    """:func:`versus_city` from the interval-based flags (``vs_city``)."""
    u = _published(_dims_of(dim_table_unit))
    u = u[u["vs_city"].isin(["above", "below", "similar"])]
    c = _published(_dims_of(dim_table_city))
    both = u.merge(c[["measure", "shown"]], on="measure", suffixes=("", "_city"))
    diff = both["index"] - both["measure"].map(_dims_of(dim_table_city)
                                                .set_index("measure")["index"])
    both = both.assign(gap=diff)
    higher = both[both["vs_city"] == "above"].sort_values("gap", ascending=False, kind="stable")
    lower = both[both["vs_city"] == "below"].sort_values("gap", kind="stable")
    same = both[both["vs_city"] == "similar"]
    out = [fmt.t(f"versus_ci_{key}", lang, k=_areas(len(rows), lang),
                 items=_versus_items(rows, lang))
           for key, rows in (("higher", higher), ("lower", lower)) if len(rows)]
    if len(same):
        names = (f" ({_join(_named(same['label']), lang)})" if len(same) <= _MAX_NAMED else "")
        out.append(fmt.t(f"versus_ci_{'rest' if out else 'all'}", lang,
                         k=_areas(len(same), lang), names=names))
    missing = len(_dims_of(dim_table_unit)) - len(both)
    if missing:
        out.append(fmt.t("versus_missing", lang, k=_areas(missing, lang)))
    return nfc(" ".join(out))


def _versus_city_counts(dims: pd.DataFrame, lang: str) -> str:
    """The dimensions above / similar to / below the city, counted, in one sentence."""
    if "vs_city" not in dims.columns:
        return ""
    d = _published(_dims_of(dims))
    flags = d["vs_city"].value_counts()
    a, s, b = (int(flags.get(k, 0)) for k in ("above", "similar", "below"))
    n = a + s + b
    if n == 0:
        return ""
    if n > 1 and n in (a, s, b):
        return fmt.t("vs_counts_all_" + ("above" if a == n else "below" if b == n
                                         else "similar"), lang, n=n)
    parts = [fmt.t(f"vs_counts_{w}", lang, k=k)
             for w, k in (("above", a), ("similar", s), ("below", b)) if k]
    return fmt.t("vs_counts", lang, parts=_join(parts, lang), areas=_areas(n, lang))
