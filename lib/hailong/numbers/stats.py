"""Figures leadership can trust: intervals, weights, reliability, disclosure control, ranks.

Plain functions over numbers, arrays and DataFrames, with no survey structure in them
(:mod:`hailong.numbers.scoring` applies them to the survey). Each says which textbook formula it
implements; ``tests/test_stats.py`` checks each against an independent computation.

Conventions
-----------
- ``confidence`` is the two-sided level (0.95 = 95%); ``population`` / ``stratum_sizes``
  are the sizes ``N`` the sample came from (the roster). The survey is close to a census,
  so the finite population correction (FPC) matters: when every listed cooperative has
  answered there is no sampling error left and an interval shrinks to its estimate.
- Proportions are shares 0–1; intervals are ``(low, high)``; missing input gives NaN,
  never an exception (a unit without respondents is a normal case).

Main references: W. G. Cochran, *Sampling Techniques*, 3rd ed. (1977) — FPC (eq. 2.8,
3.2), ratio estimator variance (eq. 6.9), stratified variance (eq. 5.6); E. B. Wilson
(1927), J. Am. Stat. Assoc. 22:209 — score interval; L. Kish, *Survey Sampling* (1965) —
effective sample size; L. S. Feldt (1965), Psychometrika 30:357 — interval of alpha;
L. J. Cronbach (1951), Psychometrika 16:297; W. Revelle, R package *psych*, ``alpha``;
T. Lumley, *Complex Surveys* (2010) — linearization of a ratio, domains.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import scipy  # scipy.special loads on first use (0.2 s), never scipy.stats (0.7 s): the
              # quantiles below are scipy.stats' own, called directly

from hailong.core.errors import ParameterError

#: Flags of :func:`compare_with_whole` (and of ``Results.scores["vs_city"]``).
ABOVE, SIMILAR, BELOW = "above", "similar", "below"
#: Reasons of :class:`Suppression` cells.
PRIMARY, SECONDARY = "primary", "secondary"


# --------------------------------------------------------------------------- helpers


def _check_confidence(confidence: float) -> float:
    try:
        c = float(confidence)
    except (TypeError, ValueError):
        c = float("nan")
    if not 0 < c < 1:
        raise ParameterError("The confidence level must be a share between 0 and 1.",
                             found=confidence, expected="e.g. 0.95 for 95%")
    return c


def z_value(confidence: float = 0.95) -> float:
    """The standard normal quantile of a two-sided interval: 1.959964 for 0.95."""
    c = _check_confidence(confidence)
    return float(scipy.special.ndtri(0.5 + c / 2))


def rounded(x: float, decimals: int = 1) -> Decimal:
    """``x`` rounded as the reports print it: half away from zero on the decimal value
    (71.25 -> 71.3), as a reader rounding by hand would — not Python's half-to-even."""
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


def _fpc_variance(n, population, kind: str):
    """Variance multiplier of the FPC (array-safe; 1 without a population).

    ``kind="mean"``: ``1 - n/N`` (Cochran eq. 2.8, with the sample variance ``s²``);
    ``kind="proportion"``: ``(N - n) / (N - 1)`` (Cochran eq. 3.2, with ``p(1-p)``).
    """
    n = np.asarray(n, dtype="float64")
    if population is None:
        return np.ones_like(n)
    N = np.asarray(population, dtype="float64")
    if np.any(np.nan_to_num(n) > np.nan_to_num(N, nan=np.inf)):
        raise ParameterError("The sample is larger than its population.",
                             found={"n": n.tolist(), "population": N.tolist()},
                             expected="n <= population (the roster count)")
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "mean":
            f = 1 - n / N
        else:
            f = np.where(N > 1, (N - n) / (N - 1), 0.0)
    return np.where(np.isnan(N), 1.0, np.clip(f, 0.0, 1.0))


def _wilson(p, n, k):
    """Wilson's score interval of share ``p`` from ``n`` answers, ``k = z² × FPC``.

    The bounds solve ``(p - π)² = k π (1 - π) / n`` for ``π`` (Wilson 1927; with the FPC
    of Cochran eq. 3.2 multiplying the variance). Vectorized; ``n = 0`` gives NaN.
    """
    p, n, k = (np.asarray(a, dtype="float64") for a in (p, n, k))
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1 + k / n
        centre = (p + k / (2 * n)) / denom
        half = np.sqrt(k) / denom * np.sqrt(p * (1 - p) / n + k / (4 * n * n))
        low, high = centre - half, centre + half
    bad = ~(n > 0)
    low = np.where(bad, np.nan, np.clip(low, 0.0, 1.0))
    high = np.where(bad, np.nan, np.clip(high, 0.0, 1.0))
    return low, high


# ------------------------------------------------------------------------ intervals


def wilson_interval(successes: float, n: float, confidence: float = 0.95,
                    population: int | None = None) -> tuple[float, float]:
    """Wilson score interval of a proportion, with the FPC when the population is known.

    Parameters
    ----------
    successes, n
        Answers in the category (e.g. "satisfied") and answers in all. Non-integers are
        accepted (effective counts).
    confidence
        Two-sided level.
    population
        Size ``N`` of the population the ``n`` answers come from (the roster), or
        ``None`` for an infinite population. With ``n == N`` the interval is the
        observed share itself.

    Returns
    -------
    (low, high)
        Shares 0–1; ``(nan, nan)`` when ``n == 0``.

    Notes
    -----
    With ``p = successes / n``, ``z`` the normal quantile and
    ``f = (N - n) / (N - 1)`` (1 without ``N``), the bounds are the roots of
    ``(p - π)² = z² f π (1 - π) / n``:
    ``(p + k/2n ± √k √(p(1-p)/n + k/4n²)) / (1 + k/n)`` with ``k = z² f``.

    >>> [round(x, 4) for x in wilson_interval(81, 263)]
    [0.2553, 0.3662]
    """
    z = z_value(confidence)
    if n < 0 or successes < 0 or successes > n:
        raise ParameterError("A proportion needs 0 <= successes <= n.",
                             found={"successes": successes, "n": n})
    if n == 0:
        return (math.nan, math.nan)
    f = _fpc_variance(n, population, "proportion")
    low, high = _wilson(successes / n, n, z * z * f)
    return float(low), float(high)


def mean_se(values, population: int | None = None) -> tuple[float, float, int]:
    """Mean, its standard error (with the FPC) and ``n`` of the non-missing ``values``.

    ``se = s / √n × √(1 - n/N)`` (Cochran eq. 2.8; ``s`` with divisor ``n - 1``). The
    standard error is NaN for fewer than two values, except for a census (``n == N``),
    where it is 0.
    """
    x = np.asarray(pd.Series(values, dtype="float64").dropna(), dtype="float64")
    n = len(x)
    if n == 0:
        return math.nan, math.nan, 0
    f = float(_fpc_variance(n, population, "mean"))
    if f == 0:
        return float(x.mean()), 0.0, n
    if n < 2:
        return float(x.mean()), math.nan, n
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(n) * math.sqrt(f)), n


def t_bounds(estimate, se, df, confidence: float = 0.95):
    """``estimate ∓ t(df) × se`` (vectorized); ``df < 1`` or NaN se gives NaN."""
    c = _check_confidence(confidence)
    est, se, df = (np.asarray(a, dtype="float64") for a in (estimate, se, df))
    with np.errstate(invalid="ignore"):
        q = scipy.special.stdtrit(np.where(df >= 1, df, np.nan), 0.5 + c / 2)
    q = np.where(se == 0, 0.0, q)
    return est - q * se, est + q * se


def mean_interval(values, confidence: float = 0.95,
                  population: int | None = None) -> tuple[float, float, float]:
    """Mean of ``values`` (NaN ignored) and its t interval, with the FPC when ``population``
    (the roster count the values come from) is given.

    Returns
    -------
    (mean, low, high)
        ``mean ∓ t(n-1; (1+confidence)/2) × s/√n × √(1 - n/N)``. NaN bounds for fewer
        than two values (unless they are the whole population).

    >>> mean_interval([2, 4, 4, 5, 5])[0]
    4.0
    """
    _check_confidence(confidence)
    mean, se, n = mean_se(values, population)
    low, high = t_bounds(mean, se, n - 1, confidence)
    if se == 0:
        low = high = mean
    return float(mean), float(low), float(high)


def ratio_se(numerator, denominator, population: int | None = None) -> tuple[float, float, int]:
    """Ratio ``R = Σy / Σx`` over sampled units and its linearized standard error.

    For a share pooled over several answers of each respondent (``y`` = the respondent's
    answers in the category, ``x`` = their answers), answers of one respondent are
    alike, so the respondent, not the answer, is the sampled unit:
    ``v(R) = (1 - n/N) / (n x̄²) × Σ (y - R x)² / (n - 1)`` (Cochran eq. 6.9).

    Returns
    -------
    (ratio, se, n)
        ``n`` = units with ``x > 0``; NaN when the ratio is undefined.
    """
    y = np.asarray(numerator, dtype="float64")
    x = np.asarray(denominator, dtype="float64")
    keep = x > 0
    y, x = y[keep], x[keep]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, 0
    r = y.sum() / x.sum()
    f = float(_fpc_variance(n, population, "mean"))
    if f == 0:
        return float(r), 0.0, n
    if n < 2:
        return float(r), math.nan, n
    v = f / (n * x.mean() ** 2) * ((y - r * x) ** 2).sum() / (n - 1)
    return float(r), float(math.sqrt(v)), n


def wilson_from_se(p, se, confidence: float = 0.95):
    """Wilson interval on the effective number of answers ``n* = p(1-p) / se²``.

    For a share whose variance is not binomial (answers clustered within respondents,
    weights, FPC): the design's variance is carried into Wilson's formula through
    ``n*`` (Kish's effective sample size). Vectorized. ``se == 0`` (a census) gives
    ``(p, p)``; ``p`` of 0 or 1 with ``se == 0`` too.
    """
    z = z_value(confidence)
    p, se = np.asarray(p, dtype="float64"), np.asarray(se, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        n_star = p * (1 - p) / se ** 2
    low, high = _wilson(p, n_star, np.full_like(p, z * z))
    exact = (se == 0) & ~np.isnan(p)
    return np.where(exact, p, low), np.where(exact, p, high)


# ----------------------------------------------------------------------- weighting


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
    by = list(by)
    if len(by) != 2:
        raise ParameterError("Post-strata need an outer and an inner key.", found=by,
                             expected="[unit column, group column]")
    if isinstance(min_cell, bool) or int(min_cell) < 1:
        raise ParameterError("min_cell must be a whole number of at least 1.",
                             found=min_cell)
    for name, frame in (("sample", sample), ("population", population)):
        missing = [c for c in by if c not in frame.columns]
        if missing:
            raise ParameterError(f"The {name} lacks the post-strata columns.",
                                 found=missing, expected=by)
    def key(frame: pd.DataFrame) -> pd.Series:
        text = frame[by].astype("object").fillna("").astype("str")
        return pd.Series(list(zip(*(text[c].tolist() for c in by))), index=frame.index,
                         dtype="object")

    s_key, p_key = key(sample), key(population)
    table = pd.DataFrame({"population": p_key.value_counts(),
                          "respondents": s_key.value_counts()}).fillna(0).astype("int64")
    table = table.sort_index()
    if table["respondents"].sum() == 0:
        raise ParameterError("There are no respondents to weight.")
    # the rule for every unit at once (the table is sorted: a unit's cells are together)
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
    target = dict(zip(keys, target.tolist()))
    rule = dict(zip(keys, rules.tolist()))
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
        raise ParameterError("numerator, denominator and weights differ in length.")
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


# --------------------------------------------------------------------- reliability


def feldt_interval(alpha: float, n: int, k: int,
                   confidence: float = 0.95) -> tuple[float, float]:
    """Feldt's (1965) interval of Cronbach's alpha from ``n`` respondents and ``k`` items.

    ``(1 - α) / (1 - α̂) ~ F(n - 1, (n - 1)(k - 1))``, so the bounds are
    ``1 - (1 - α̂) F_{1-γ/2}`` and ``1 - (1 - α̂) F_{γ/2}`` (as psych's ``alpha.ci``).
    """
    c = _check_confidence(confidence)
    if not (n > 1 and k > 1) or math.isnan(alpha):
        return math.nan, math.nan
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * scipy.special.fdtri(df1, df2, 0.5 + c / 2)
    high = 1 - (1 - alpha) * scipy.special.fdtri(df1, df2, 0.5 - c / 2)
    return float(low), float(high)


def cronbach_alpha(items: pd.DataFrame, nan_policy: str = "pairwise",
                   confidence: float = 0.95) -> tuple[float, tuple[float, float]]:
    """Cronbach's alpha of a set of items, with Feldt's interval.

    Parameters
    ----------
    items
        One column per item, one row per respondent; NaN = no answer.
    nan_policy
        ``"pairwise"`` (default, as R's psych): every covariance from the respondents
        who answered both items; ``"listwise"``: only respondents who answered every
        item.
    confidence
        Level of the interval.

    Returns
    -------
    (alpha, (low, high))
        ``α = k/(k-1) × (1 - Σ var_i / Σ_ij cov_ij)`` from the covariance matrix. NaN
        when there are fewer than two items or two respondents. The interval's ``n`` is
        the number of respondents who answered at least one item (pairwise) or all
        (listwise).

    >>> round(cronbach_alpha(pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 3, 4]}))[0], 4)
    0.96
    """
    if nan_policy not in ("pairwise", "listwise"):
        raise ParameterError("Unknown nan_policy.", found=nan_policy,
                             expected="'pairwise' or 'listwise'")
    _check_confidence(confidence)
    data = pd.DataFrame(items).apply(pd.to_numeric, errors="coerce").astype("float64")
    if nan_policy == "listwise":
        data = data.dropna(how="any")
    else:
        data = data.dropna(how="all")
    k, n = data.shape[1], data.shape[0]
    if k < 2 or n < 2:
        return math.nan, (math.nan, math.nan)
    cov = data.cov().to_numpy()  # pandas: pairwise complete observations, divisor n - 1
    total = np.nansum(cov) if not np.isnan(cov).all() else math.nan
    if np.isnan(cov).any() or not total:
        return math.nan, (math.nan, math.nan)
    alpha = k / (k - 1) * (1 - np.trace(cov) / total)
    return float(alpha), feldt_interval(float(alpha), n, k, confidence)


# ------------------------------------------------------------ disclosure control


@dataclass(frozen=True)
class Suppression:
    """Which entries of a table and of its totals are withheld (:func:`suppress_table`).

    Attributes
    ----------
    cells
        Booleans shaped like the table: True = withheld.
    reason
        ``"primary"`` (too few respondents), ``"secondary"`` (withheld to protect
        another entry) or ``""`` for every cell.
    row_totals, column_totals
        Booleans per row / column total (all False for totals that are not published
        margins of the table).
    grand_total
        Whether the table's grand total is withheld (only with ``margins="both"``).
    """

    cells: pd.DataFrame
    reason: pd.DataFrame
    row_totals: pd.Series
    column_totals: pd.Series
    grand_total: bool


class _Relations:
    """The additive relations of a table published with totals, as a graph.

    The extended ``(r+1) × (c+1)`` table has the column totals in row ``r`` and the row
    totals in column ``c``; each relation says that a row (or column) of it, totals
    included, adds up. Entry ``(i, j)`` is an edge between *row node* ``i`` and *column
    node* ``j``; a node carries a relation (its entries add up) or is free.

    Why a graph: over the withheld entries, the relations are ``Σ x_e = 0`` at each
    node with a relation. The graph is bipartite, so negating the column nodes'
    relations makes the system the node–edge incidence matrix of a directed graph (edge
    ``i -> j``). Merging every free node into one node ``F`` and dropping ``F``'s row
    does not change the solutions (a connected graph's incidence rows add up to 0).
    The solutions are therefore the circulations of that graph: a withheld entry is
    fixed by the published ones (zero in every solution) exactly when its edge lies on
    no cycle — it is a *bridge*. Linear in the number of withheld entries, where the
    null space of the whole system is cubic (and fails beyond ~50,000 entries).
    """

    def __init__(self, r: int, c: int, margins: str) -> None:
        self.r, self.c = r, c
        row_eq = np.zeros(r + 1, dtype=bool)
        col_eq = np.zeros(c + 1, dtype=bool)
        if margins in ("both", "rows"):
            row_eq[: r + 1 if margins == "both" else r] = True
        if margins in ("both", "columns"):
            col_eq[: c + 1 if margins == "both" else c] = True
        #: the relations in order: rows first, then columns (``("row", i)``, ``("col", j)``)
        self.lines = ([("row", int(i)) for i in np.flatnonzero(row_eq)]
                      + [("col", int(j)) for j in np.flatnonzero(col_eq)])
        self.free = r + c + 2  # the merged free node
        self.row_node = np.where(row_eq, np.arange(r + 1), self.free)
        self.col_node = np.where(col_eq, r + 1 + np.arange(c + 1), self.free)

    @staticmethod
    def part(line: tuple[str, int]) -> tuple:
        """The index of ``line`` in the extended table."""
        kind, k = line
        return (k, slice(None)) if kind == "row" else (slice(None), k)

    def lines_of(self, e: tuple[int, int]) -> list[tuple[str, int]]:
        """The relations entry ``e`` is part of, in order."""
        return [line for line in self.lines if line[1] == e[0 if line[0] == "row" else 1]]

    def edges(self, entries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The graph nodes of each entry (rows of ``entries``: ``(i, j)``)."""
        return self.row_node[entries[:, 0]], self.col_node[entries[:, 1]]

    def _adjacency(self, u: np.ndarray, v: np.ndarray):
        """CSR adjacency: for node ``x``, ``nbr[start[x]:start[x+1]]`` and edge ids."""
        m = len(u)
        heads = np.concatenate([u, v])
        order = np.argsort(heads, kind="stable")
        nbr = np.concatenate([v, u])[order].tolist()
        eid = np.concatenate([np.arange(m), np.arange(m)])[order].tolist()
        start = np.searchsorted(heads[order], np.arange(self.free + 2)).tolist()
        return nbr, eid, start

    def determined(self, hidden: np.ndarray) -> list[tuple[int, int]]:
        """Withheld entries (``hidden`` mask of the extended table) whose value the
        published entries fix, in row-major order: the bridges of the graph."""
        entries = np.argwhere(hidden)
        if not len(entries):
            return []
        u, v = self.edges(entries)
        loop = u == v  # between free nodes: in no relation, never fixed
        ids = np.flatnonzero(~loop)
        if not len(ids):
            return []
        bridge = self._bridges(u[ids], v[ids])
        return [(int(i), int(j)) for i, j in entries[ids[bridge]]]

    def _bridges(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Which edges are bridges (Tarjan's low-link, iterative; parallel edges are
        told apart by their id, so a doubled edge is never a bridge)."""
        nbr, eid, start = self._adjacency(u, v)
        n = self.free + 1
        disc = [-1] * n
        low = [0] * n
        bridge = np.zeros(len(u), dtype=bool)
        clock = 0
        for root in set(u.tolist()) | set(v.tolist()):
            if disc[root] != -1:
                continue
            disc[root] = low[root] = clock
            clock += 1
            stack = [(root, -1, start[root])]
            while stack:
                node, via, k = stack[-1]
                if k < start[node + 1]:
                    stack[-1] = (node, via, k + 1)
                    nb, ed = nbr[k], eid[k]
                    if ed == via:
                        continue
                    if disc[nb] == -1:
                        disc[nb] = low[nb] = clock
                        clock += 1
                        stack.append((nb, ed, start[nb]))
                    elif disc[nb] < low[node]:
                        low[node] = disc[nb]
                else:
                    stack.pop()
                    if stack:
                        parent = stack[-1][0]
                        if low[node] < low[parent]:
                            low[parent] = low[node]
                        if low[node] > disc[parent]:
                            bridge[via] = True
        return bridge

    def freeing(self, hidden: np.ndarray, e: tuple[int, int], candidates) -> list:
        """The ``candidates`` (entries) whose withholding would free the fixed entry
        ``e``: those joining the two sides of its bridge (so that a cycle runs
        through it), in the order given."""
        entries = np.argwhere(hidden)
        u, v = self.edges(entries)
        a, b = int(self.row_node[e[0]]), int(self.col_node[e[1]])
        keep = (u != v) & ~((entries[:, 0] == e[0]) & (entries[:, 1] == e[1]))
        nbr, _, start = self._adjacency(u[keep], v[keep])

        def side(node: int) -> set[int]:
            seen, todo = {node}, [node]
            while todo:
                x = todo.pop()
                for y in nbr[start[x]:start[x + 1]]:
                    if y not in seen:
                        seen.add(y)
                        todo.append(y)
            return seen

        one, other = side(a), side(b)
        out = []
        for x in candidates:
            p, q = int(self.row_node[x[0]]), int(self.col_node[x[1]])
            if (p in one and q in other) or (p in other and q in one):
                out.append(x)
        return out


def _entries(mask: np.ndarray) -> list[tuple[int, int]]:
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(mask))]


def suppress_table(table: pd.DataFrame, min_n: int = 5, margins: str = "both",
                   primary: pd.DataFrame | None = None) -> Suppression:
    """Primary and secondary suppression of a table published with its totals.

    Parameters
    ----------
    table
        Respondent counts behind each cell (for a table of counts: the counts; for a
        table of means: the number of respondents of each mean). Its totals are the
        row / column sums.
    min_n
        Primary suppression: a cell (or total) with ``0 < count < min_n``.
    margins
        Which totals are published, hence which relations an reader can subtract
        along: ``"both"`` (row and column totals and the grand total), ``"columns"``
        (a total row under the table, e.g. the city under its districts), ``"rows"`` or
        ``"none"``.
    primary
        Booleans to use instead of the ``0 < count < min_n`` rule for the cells.

    Returns
    -------
    Suppression

    Notes
    -----
    The classic rule: after primary suppression, every row or column (with its total)
    that has exactly one withheld entry gets a second one — its smallest non-zero
    published cell, or its total if no cell is left — and this repeats until nothing
    changes. Then a linear-algebra check: if any withheld entry is still fixed by the
    relations taken together (e.g. a cell bridging two blocks of withheld cells), one
    more complementary entry is withheld — in one of its own rows or columns if
    possible, else the cheapest entry that frees it — and the rule runs again. Cells
    with a count of 0 are withheld as complements only when nothing else helps (they
    add nothing to a total).

    The check is exact and linear in the number of withheld entries: an entry is fixed
    exactly when it is a bridge of the graph whose nodes are the table's rows and
    columns and whose edges are the withheld entries (see :class:`_Relations`) — the
    same entries as the null space of the whole linear system gives, without building
    it (a national table of 3,300 communes withholds ~50,000 entries).
    """
    if margins not in ("both", "rows", "columns", "none"):
        raise ParameterError("Unknown margins.", found=margins,
                             expected="'both', 'rows', 'columns' or 'none'")
    counts = table.apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy(dtype="float64")
    r, c = counts.shape
    ext = np.zeros((r + 1, c + 1))
    ext[:r, :c] = counts
    ext[:r, c] = counts.sum(axis=1)
    ext[r, :c] = counts.sum(axis=0)
    ext[r, c] = counts.sum()
    exists = np.zeros_like(ext, dtype=bool)
    exists[:r, :c] = True
    if margins in ("both", "rows"):
        exists[:r, c] = True
    if margins in ("both", "columns"):
        exists[r, :c] = True
    if margins == "both":
        exists[r, c] = True
    first = (ext > 0) & (ext < min_n) & exists
    if primary is not None:
        first[:r, :c] = np.asarray(primary.reindex(index=table.index, columns=table.columns)
                                   .fillna(False), dtype=bool)
    hidden = first.copy()
    rel = _Relations(r, c, margins)
    # complements are cells (i < r, j < c) when one is left, else totals
    inner = np.zeros_like(exists)
    inner[:r, :c] = True

    def complement(line: tuple[str, int]) -> tuple[int, int] | None:
        """The cheapest published entry of ``line``: a non-zero cell, else a total (the
        smallest count; on a tie the first)."""
        part = rel.part(line)
        open_ = exists[part] & ~hidden[part] & (ext[part] > 0)
        pool = open_ & inner[part]
        if not pool.any():
            pool = open_
        if not pool.any():
            return None
        at = np.flatnonzero(pool)
        k = int(at[np.argmin(ext[part][at])])
        return (line[1], k) if line[0] == "row" else (k, line[1])

    while True:
        changed = False
        for line in rel.lines:
            if np.count_nonzero(hidden[rel.part(line)]) == 1:
                e = complement(line)
                if e is not None:
                    hidden[e] = True
                    changed = True
        if changed:
            continue
        fixed = rel.determined(hidden)
        if not fixed:
            break
        e = fixed[0]
        options = [o for o in (complement(line) for line in rel.lines_of(e)) if o is not None]
        if not options:  # nothing left in its own relations: the cheapest entry that helps
            rest = sorted((x for x in _entries(exists & ~hidden)),
                          key=lambda x: (ext[x] == 0, ext[x], x))
            options = rel.freeing(hidden, e, rest)[:1] or rest[:1]
        if not options:
            break
        hidden[min(options, key=lambda o: (ext[o] == 0, ext[o], o))] = True
    reason = np.where(first, PRIMARY, np.where(hidden, SECONDARY, ""))
    cells = pd.DataFrame(hidden[:r, :c], index=table.index, columns=table.columns)
    return Suppression(
        cells=cells,
        reason=pd.DataFrame(reason[:r, :c], index=table.index, columns=table.columns),
        row_totals=pd.Series(hidden[:r, c], index=table.index),
        column_totals=pd.Series(hidden[r, :c], index=table.columns),
        grand_total=bool(hidden[r, c]),
    )


# ------------------------------------------------------------- reading the figures


def relative_se(se, estimate):
    """``se / |estimate|`` (vectorized; NaN when the estimate is 0 or missing)."""
    se, est = np.asarray(se, dtype="float64"), np.abs(np.asarray(estimate, dtype="float64"))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(est > 0, se / est, np.nan)


def unreliable(se, estimate, threshold: float = 0.25):
    """True where the relative standard error exceeds ``threshold`` (vectorized)."""
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(relative_se(se, estimate), nan=0.0) > threshold


def tier_of(values, tiers, decimals: int | None = 1) -> list:
    """The tier id of each value: the first of ``tiers`` (highest ``lower`` first) with
    ``value >= lower``; ``None`` for a missing value.

    Values are compared as printed (rounded to ``decimals``), so an index shown as
    "80,0" is never called "Khá".

    Parameters
    ----------
    tiers
        Objects with ``id`` and ``lower`` (:class:`hailong.reference.config.Tier`).
    """
    order = sorted(tiers, key=lambda t: -t.lower)
    values = np.atleast_1d(np.asarray(values, dtype="float64"))
    shown = values.copy()
    if decimals is not None:
        # rounding moves a value by at most half a step: only values within a step of a
        # tier's lower bound can change side, and only those are rounded (exactly)
        step = 10.0 ** -decimals
        near = np.zeros(len(values), dtype=bool)
        for t in order:
            near |= np.abs(values - t.lower) < step
        shown[near] = [float(rounded(v, decimals)) for v in values[near]]
    ids = np.array([t.id for t in order] + [None], dtype=object)
    first = np.full(len(values), len(order) - 1)
    for k in range(len(order) - 1, -1, -1):
        first[shown >= order[k].lower] = k
    first[np.isnan(values)] = len(order)
    return ids[first].tolist()


def compare_with_whole(estimate, se, whole, whole_se, share, confidence: float = 0.95):
    """Difference of a part from the whole it belongs to, its interval and a flag.

    Parameters
    ----------
    estimate, se
        The part's figure (e.g. a district's index) and its standard error.
    whole, whole_se
        The whole's figure (the city) and its standard error.
    share
        The part's weight in the whole (0–1): the district's share of the city's
        figure.

    Returns
    -------
    (diff, low, high, flag)
        Arrays; ``flag`` is ``"above"`` when the interval lies above 0, ``"below"`` when
        below, ``"similar"`` otherwise, ``""`` when missing.

    Notes
    -----
    The part is inside the whole, so the two are correlated:
    ``Cov(part, whole) ≈ share × Var(part)`` and
    ``Var(diff) = Var(part) + Var(whole) - 2 share Var(part)`` (normal approximation;
    it treats the part's contribution to the whole as ``share × part``).
    """
    z = z_value(confidence)
    est, se, w, wse, s = (np.asarray(a, dtype="float64")
                          for a in (estimate, se, whole, whole_se, share))
    diff = est - w
    var = np.clip(se ** 2 + wse ** 2 - 2 * s * se ** 2, 0.0, None)
    half = z * np.sqrt(var)
    low, high = diff - half, diff + half
    flag = np.where(np.isnan(low) | np.isnan(high), "",
                    np.where(low > 0, ABOVE, np.where(high < 0, BELOW, SIMILAR)))
    return diff, low, high, flag


def change_interval(now, se_now, before, se_before, confidence: float = 0.95):
    """Change between two rounds with its interval; significant when it excludes 0.

    ``Var(change) = se_now² + se_before²`` — as for independent samples. The same
    cooperatives answer both rounds, which makes the rounds positively correlated, so
    this interval is conservative (wider than the truth): a "significant" change is
    safe to report.

    Returns
    -------
    (change, low, high, significant)
        Arrays (vectorized); ``significant`` is False where anything is missing.
    """
    z = z_value(confidence)
    a, sa, b, sb = (np.asarray(x, dtype="float64") for x in (now, se_now, before, se_before))
    change = a - b
    half = z * np.sqrt(sa ** 2 + sb ** 2)
    low, high = change - half, change + half
    with np.errstate(invalid="ignore"):
        significant = (low > 0) | (high < 0)
    return change, low, high, significant


#: Values drawn at once by :func:`rank_ranges`: bounds the memory of the simulation
#: (~8 bytes per value, a few times over) whatever the number of units and draws.
RANK_BLOCK = 1 << 20


def _min_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks within each row, 1 = highest, equal values sharing the best (smallest) rank:
    ``scipy.stats.rankdata(-values, axis=1, method="min")`` with one quicksort per row
    (rankdata's stable sort is ~3× slower and ties are found here by comparing the
    sorted values)."""
    neg = -values
    order = np.argsort(neg, axis=1)
    ranked = np.take_along_axis(neg, order, axis=1)
    width = values.shape[1]
    pos = np.broadcast_to(np.arange(1, width + 1, dtype=np.int32), values.shape)
    ties = ranked[:, 1:] == ranked[:, :-1]
    if ties.any():  # a run of equal values takes the position of its first
        start = pos.copy()
        start[:, 1:][ties] = 0
        pos = np.maximum.accumulate(start, axis=1)
    ranks = np.empty(values.shape, dtype=np.int32)
    np.put_along_axis(ranks, order, pos, axis=1)
    return ranks


def rank_ranges(estimates: pd.Series, se: pd.Series, draws: int = 10000, seed: int = 2022,
                confidence: float = 0.95) -> pd.DataFrame:
    """Rank of each unit (1 = highest) and the range its rank could plausibly take.

    Each unit's figure is drawn ``draws`` times from its sampling distribution
    ``Normal(estimate, se)`` (seeded: the same inputs give the same ranges); the
    units are ranked in every draw, and the rank range is the central ``confidence``
    share of each unit's ranks.

    Parameters
    ----------
    estimates, se
        Same index (the units). Units with a missing estimate are left out (NaN
        rank); a missing ``se`` counts as 0.

    Returns
    -------
    DataFrame
        Index of ``estimates``; ``rank`` (of the estimates, ties share the best rank),
        ``rank_low``, ``rank_high`` (Int64).

    Notes
    -----
    The draws are made :data:`RANK_BLOCK` values at a time from one generator (which
    fills rows in order, so the numbers are those of a single ``draws × units`` call);
    only each draw's ranks are kept (2 bytes each below 65,536 units), unit by unit. The
    bounds are the order statistics ``numpy.quantile`` picks with ``method="lower"`` and
    ``"higher"``, found by one partial sort per unit.
    """
    c = _check_confidence(confidence)
    est = pd.Series(estimates, dtype="float64")
    sd = pd.Series(se, dtype="float64").reindex(est.index).fillna(0.0)
    keep = est.notna()
    out = pd.DataFrame(index=est.index, columns=["rank", "rank_low", "rank_high"],
                       dtype="float64")
    if keep.any():
        mu, s = est[keep].to_numpy(), sd[keep].to_numpy()
        n, m = int(draws), len(mu)
        rng = np.random.default_rng(seed)
        ranks = np.empty((m, n), dtype=np.uint16 if m < 2 ** 16 else np.uint32)  # unit × draw
        step = max(1, RANK_BLOCK // m)
        for start in range(0, n, step):
            stop = min(n, start + step)
            ranks[:, start:stop] = _min_ranks(rng.normal(mu, s, size=(stop - start, m))).T
        positions = np.arange(n)
        low = int(np.quantile(positions, (1 - c) / 2, method="lower"))
        high = int(np.quantile(positions, (1 + c) / 2, method="higher"))
        ranks.partition([low, high] if low != high else [low], axis=1)
        out.loc[keep, "rank"] = _min_ranks(mu[None, :])[0]
        out.loc[keep, "rank_low"] = ranks[:, low]
        out.loc[keep, "rank_high"] = ranks[:, high]
    return out.round().astype("Int64")
