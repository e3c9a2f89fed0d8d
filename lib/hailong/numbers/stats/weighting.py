"""Survey weights and weighted estimates: post-stratification, Kish's effective size, and
weighted means and shares with their stratified linearized standard errors.

References
----------
W. G. Cochran, *Sampling Techniques*, 3rd ed. (1977) — stratified variance (eq. 5.6);
L. Kish, *Survey Sampling* (1965) — effective sample size; T. Lumley, *Complex Surveys*
(2010) — linearization of a ratio, domains.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hailong.core.errors import ParameterError
from hailong.numbers.stats.intervals import _check_confidence, t_bounds, wilson_from_se


@dataclass(frozen=True)
class PostStrata:
    """Post-stratification weights (:func:`poststratify`).

    Attributes
    ----------
    weights
        One weight per sample row (same index as the sample): ``N_c / n_c`` of its cell.
    cell
        The (collapsed) cell of each sample row.
    stratum_sizes
        ``N_c`` of each sample row's cell (the FPC of :func:`weighted_mean`).
    cells
        One row per original cell: the ``by`` columns, ``population``, ``respondents``,
        ``cell`` (collapsed cell it belongs to), ``rule``, ``cell_population``,
        ``cell_respondents``, ``weight``.
    """

    weights: pd.Series
    cell: pd.Series
    stratum_sizes: pd.Series
    cells: pd.DataFrame


#: Rules of :func:`poststratify`'s collapsing, in the order they are tried.
COLLAPSE_RULES = {
    "own": "cell kept",
    "merged_in_unit": "merged into the largest cell of its unit",
    "unit": "the unit's cells merged into one",
    "pooled": "pooled with the other small units",
    "pooled_into_largest": "small units pooled, then merged into the largest cell",
}
_POOL = "(pooled)"


def poststratify(sample: pd.DataFrame, population: pd.DataFrame, by: Sequence[str],
                 min_cell: int = 5) -> PostStrata:
    """Weights that make each cell of ``by`` count as it does in the population.

    Parameters
    ----------
    sample
        One row per respondent with the ``by`` columns.
    population
        One row per population member (the roster) with the same columns.
    by
        ``[unit, group]``: the outer key (e.g. the district) and the inner key (e.g.
        the questionnaire variant). Cells are their combinations.
    min_cell
        The fewest respondents a cell may rest on (at least 1).

    Returns
    -------
    PostStrata
        Weights sum to the population size (every population member ends up in a
        cell with respondents).

    Notes
    -----
    Collapsing rule, applied unit by unit:

    1. A cell with at least ``min_cell`` respondents (and a population) is kept.
    2. The other cells of a unit that has a kept cell are merged into its kept cell
       with the most respondents (the first in sort order on a tie).
    3. A unit without a kept cell becomes one cell if it has ``min_cell`` respondents.
    4. Units still too small (including units where nobody answered) are pooled into
       one citywide cell; if that pool is itself below ``min_cell`` respondents, it is
       merged into the largest cell of all.

    Weight of a respondent in collapsed cell ``c``: ``w = N_c / n_c``.
    """
    by = _check_poststrata(sample, population, by, min_cell)
    s_key, p_key = _cell_key(sample, by), _cell_key(population, by)
    table = pd.DataFrame({"population": p_key.value_counts(),
                          "respondents": s_key.value_counts()}).fillna(0).astype("int64")
    table = table.sort_index()
    if table["respondents"].sum() == 0:
        raise ParameterError("err.there_respondents_weight")
    target, rule = _collapse(table, min_cell)
    cells = table.reset_index(names="_key")
    cells["cell"] = cells["_key"].map(target)
    cells["rule"] = cells["_key"].map(rule)
    totals = cells.groupby("cell")[["population", "respondents"]].transform("sum")
    cells["cell_population"] = totals["population"]
    cells["cell_respondents"] = totals["respondents"]
    with np.errstate(divide="ignore", invalid="ignore"):
        cells["weight"] = cells["cell_population"] / cells["cell_respondents"]
    for i, col in enumerate(by):
        cells.insert(i, col, cells["_key"].map(lambda k, i=i: k[i]))
    cells = cells.drop(columns="_key")
    per_key = dict(zip(table.index, cells["cell"]))
    cell = s_key.map(per_key).rename("cell")
    w = cell.map(cells.drop_duplicates("cell").set_index("cell")["weight"]).rename("weight")
    n_c = cell.map(cells.drop_duplicates("cell").set_index("cell")["cell_population"])
    return PostStrata(weights=w.astype("float64"), cell=cell,
                      stratum_sizes=n_c.astype("float64").rename("stratum_size"),
                      cells=cells)


def _check_poststrata(sample: pd.DataFrame, population: pd.DataFrame, by: Sequence[str],
                      min_cell: int) -> list[str]:
    """``by`` as a list, once the arguments of :func:`poststratify` are known to be valid."""
    by = list(by)
    if len(by) != 2:
        raise ParameterError("err.post_strata_need_outer", found=by,
                             expected="exp.unit_column_group_column")
    if isinstance(min_cell, bool) or int(min_cell) < 1:
        raise ParameterError("err.min_cell_whole_number", found=min_cell)
    for name, frame in (("sample", sample), ("population", population)):
        missing = [c for c in by if c not in frame.columns]
        if missing:
            raise ParameterError("err.lacks_post_strata_columns", found=missing, expected=by,
                                 name=name)
    return by


def _cell_key(frame: pd.DataFrame, by: list[str]) -> pd.Series:
    """The cell of each row: the tuple of its ``by`` values as text (missing = ``""``)."""
    text = frame[by].astype("object").fillna("").astype("str")
    return pd.Series(list(zip(*(text[c].tolist() for c in by))), index=frame.index,
                     dtype="object")


def _collapse(table: pd.DataFrame, min_cell: int) -> tuple[dict, dict]:
    """``({cell key: collapsed cell}, {cell key: rule})`` of :func:`poststratify`'s rule.

    ``table`` has one row per cell key (``(unit, group)``, sorted: a unit's cells are
    together) with its ``population`` and ``respondents``; the rule is applied to every
    unit at once.
    """
    keys = list(table.index)
    units = np.array([k[0] for k in keys], dtype="object")
    names = np.array(["|".join(k) for k in keys], dtype="object")
    resp = table["respondents"].to_numpy()
    popn = table["population"].to_numpy()
    kept = (resp >= min_cell) & (popn > 0)
    g = pd.DataFrame({"unit": pd.factorize(units)[0], "kept": kept, "resp": resp,
                      "popn": popn, "kept_resp": np.where(kept, resp, -1)}).groupby(
        "unit", sort=False)
    has_kept = g["kept"].transform("any").to_numpy()
    # the unit's kept cell with the most respondents (the first in sort order on a tie)
    largest = g["kept_resp"].transform("idxmax").to_numpy()
    whole = ((g["resp"].transform("sum") >= min_cell)
             & (g["popn"].transform("sum") > 0)).to_numpy()
    target = np.where(kept, names, names[largest])
    rules = np.where(kept, "own", "merged_in_unit").astype("object")
    alone = ~has_kept & whole
    target[alone], rules[alone] = units[alone], "unit"
    pooled = ~has_kept & ~whole
    if pooled.any():
        if resp[pooled].sum() >= min_cell and popn[pooled].sum() > 0:
            into, how = _POOL, "pooled"
        else:  # into the largest cell so far (the first met on a tie)
            sizes = pd.Series(resp[~pooled]).groupby(target[~pooled], sort=False).sum()
            into = sizes.idxmax() if len(sizes) else _POOL
            how = "pooled_into_largest" if into != _POOL else "pooled"
        target[pooled], rules[pooled] = into, how
    return dict(zip(keys, target.tolist())), dict(zip(keys, rules.tolist()))


def kish_effective_n(weights) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²`` (equal weights: ``n``)."""
    w = np.asarray(pd.Series(weights, dtype="float64").dropna(), dtype="float64")
    if len(w) == 0 or (w ** 2).sum() == 0:
        return math.nan
    return float(w.sum() ** 2 / (w ** 2).sum())


@dataclass(frozen=True)
class Estimate:
    """A weighted estimate: value, standard error, interval, ``n`` and Kish's ``n_eff``."""

    estimate: float
    se: float
    low: float
    high: float
    n: int
    n_eff: float
    df: int


def weighted_ratio(numerator, denominator, weights, strata=None,
                   stratum_sizes=None) -> tuple[float, float]:
    """``R = Σ w y / Σ w x`` and its linearized (Taylor) standard error, stratified.

    Parameters
    ----------
    numerator, denominator
        ``y`` and ``x`` per sampled unit (0 for units outside the domain).
    weights
        ``w`` per sampled unit.
    strata
        Stratum of each unit (``None``: one stratum): labels, or integer codes (faster
        when many estimates share one design).
    stratum_sizes
        Population size ``N_h`` of each unit's stratum, for the FPC (``None``: none).

    Notes
    -----
    ``z_i = w_i (y_i - R x_i) / Σ w x``;
    ``v(R) = Σ_h (1 - n_h/N_h) n_h/(n_h - 1) Σ_{i∈h} (z_i - z̄_h)²`` (Lumley 2010,
    §2.2 and appendix; with post-strata as strata and ``w = N_h/n_h`` this equals the
    stratified formula ``Σ_h W_h² (1 - f_h) s_h² / n_h``, Cochran eq. 5.6). A stratum
    with one sampled unit adds nothing.
    """
    y = np.asarray(numerator, dtype="float64")
    x = np.asarray(denominator, dtype="float64")
    w = np.asarray(weights, dtype="float64")
    if not (len(y) == len(x) == len(w)):
        raise ParameterError("err.numerator_denominator_weights_differ")
    total = (w * x).sum()
    if len(w) == 0 or total == 0:
        return math.nan, math.nan
    r = (w * y).sum() / total
    z = w * (y - r * x) / total
    h = _strata_keys(strata, len(w))
    frame = pd.DataFrame({"h": h, "z": z})
    g = frame.groupby("h")["z"]
    n_h = g.transform("size").to_numpy(dtype="float64")
    dev = z - g.transform("mean").to_numpy()
    if stratum_sizes is None:
        f = np.zeros(len(w))
    else:
        f = n_h / np.asarray(stratum_sizes, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(n_h > 1, (1 - f) * n_h / (n_h - 1) * dev ** 2, 0.0)
    return float(r), float(math.sqrt(max(term.sum(), 0.0)))


def _strata_keys(strata, n: int) -> np.ndarray:
    """The stratum of each unit as a grouping key: integer codes as given (e.g. from
    ``pandas.factorize``, the fast way for many estimates over one design), any other
    labels as text; one stratum without."""
    if strata is None:
        return np.zeros(n)
    codes = np.asarray(strata)
    if codes.dtype.kind in "iu":
        return codes
    return pd.Series(strata).astype("str").to_numpy()


def _design_df(weights, strata) -> int:
    n = len(np.asarray(weights))
    k = 1 if strata is None else pd.Series(strata).nunique()
    return int(n - k)


def weighted_mean(values, weights, strata=None, stratum_sizes=None,
                  confidence: float = 0.95) -> Estimate:
    """Weighted mean of ``values`` with its stratified linearized SE and t interval.

    Missing values (NaN) are a domain: those units stay in the design (their strata
    keep their size) but add nothing to the mean — as a survey package's ``subset``.
    The interval uses ``t`` with the design's degrees of freedom (units − strata).

    >>> weighted_mean([1.0, 3.0], [1.0, 3.0]).estimate
    2.5
    """
    c = _check_confidence(confidence)
    v = np.asarray(values, dtype="float64")
    w = np.asarray(weights, dtype="float64")
    d = ~np.isnan(v)
    est, se = weighted_ratio(np.where(d, v, 0.0), d.astype("float64"), w, strata,
                             stratum_sizes)
    df = _design_df(w, strata)
    low, high = t_bounds(est, se, df, c)
    return Estimate(est, se, float(low), float(high), int(d.sum()),
                    kish_effective_n(w[d]), df)


def weighted_proportion(successes, weights, answers=None, strata=None, stratum_sizes=None,
                        confidence: float = 0.95) -> Estimate:
    """Weighted share ``Σ w s / Σ w a`` with its linearized SE and a Wilson interval on
    the effective number of answers (:func:`wilson_from_se`).

    Parameters
    ----------
    successes
        Answers in the category per unit (0/1 for one question, a count when a
        respondent gives several answers).
    answers
        Answers per unit (default 1 each); units with 0 answers are outside the domain.
    """
    c = _check_confidence(confidence)
    s = np.asarray(successes, dtype="float64")
    a = np.ones_like(s) if answers is None else np.asarray(answers, dtype="float64")
    w = np.asarray(weights, dtype="float64")
    est, se = weighted_ratio(s, a, w, strata, stratum_sizes)
    low, high = wilson_from_se(est, se, c)
    d = a > 0
    return Estimate(est, se, float(low), float(high), int(d.sum()),
                    kish_effective_n(w[d]), _design_df(w, strata))


def rest_means(values, weights, strata, groups) -> pd.DataFrame:
    """For every group, the weighted mean over all respondents *not* in it, with its SE.

    What :func:`weighted_mean` (no FPC) gives on the respondents outside each group in
    turn — the rest of the city beside each district — computed for all groups at once
    from per-stratum sums (the rest of a stratum a group shares with others keeps its
    other respondents).

    Parameters
    ----------
    values
        One value per respondent (NaN: not in the domain; the respondent stays in the
        design, as in :func:`weighted_mean`).
    weights, strata
        The design (strata: labels or integer codes, as :func:`weighted_ratio`).
    groups
        The group (e.g. unit) of each respondent.

    Returns
    -------
    DataFrame
        Index: the groups (sorted); ``estimate``, ``se``, ``n`` (respondents of the rest
        with a value).

    Notes
    -----
    With ``a = w y`` (0 where missing) and ``b = w`` (0 where missing), the linearized
    variance of ``R = Σa / Σb`` is
    ``Σ_h n_h/(n_h − 1) [S_h(a,a) − 2R S_h(a,b) + R² S_h(b,b)] / (Σb)²`` with ``S_h`` the
    centred cross-products within stratum ``h`` (:func:`weighted_ratio`'s formula,
    expanded); every term is a sum, so the rest's is the total's minus the group's part.
    """
    v = np.asarray(values, dtype="float64")
    w = np.asarray(weights, dtype="float64")
    d = ~np.isnan(v)
    a = np.where(d, v * w, 0.0)
    b = np.where(d, w, 0.0)
    h = _strata_keys(strata, len(w))
    g = np.asarray(groups).astype(str)
    frame = pd.DataFrame({"h": h, "g": g, "a": a, "b": b, "aa": a * a, "ab": a * b,
                          "bb": b * b, "n": 1.0, "d": d.astype("float64")})
    sums = ["a", "b", "aa", "ab", "bb", "n", "d"]
    cell = frame.groupby("h")[sums].sum()
    piece = frame.groupby(["g", "h"])[sums].sum()

    def terms(t: pd.DataFrame) -> pd.DataFrame:
        """Per stratum: the centred sums times n/(n − 1) (0 for a stratum of one)."""
        n = t["n"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(n > 1, n / (n - 1), 0.0)
            inv = np.where(n > 0, 1 / n, 0.0)
        return pd.DataFrame({
            "A": c * (t["aa"] - t["a"] ** 2 * inv), "B": c * (t["ab"] - t["a"] * t["b"] * inv),
            "C": c * (t["bb"] - t["b"] ** 2 * inv), "a": t["a"], "b": t["b"], "d": t["d"]},
            index=t.index)

    whole = terms(cell)
    total = whole.sum()
    own = terms(cell.reindex(piece.index.get_level_values("h")).set_axis(piece.index))
    left = terms(cell.reindex(piece.index.get_level_values("h")).set_axis(piece.index)
                 - piece)
    # the rest: everything, minus each group's strata as they are, plus them without it
    rest = total - own.groupby(level="g").sum() + left.groupby(level="g").sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        r = rest["a"] / rest["b"]
        var = (rest["A"] - 2 * r * rest["B"] + r * r * rest["C"]) / rest["b"] ** 2
    return pd.DataFrame({"estimate": r, "se": np.sqrt(np.clip(var, 0.0, None)),
                         "n": rest["d"].round().astype("int64")}).sort_index()
