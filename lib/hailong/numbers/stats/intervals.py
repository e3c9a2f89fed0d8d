"""Intervals and estimates of means and shares, with the finite population correction.

The shared helpers of :mod:`hailong.numbers.stats` live here too: the check of a confidence
level, normal and t quantiles, and rounding as the reports print figures.

References
----------
W. G. Cochran, *Sampling Techniques*, 3rd ed. (1977) — FPC (eq. 2.8, 3.2), ratio estimator
variance (eq. 6.9); E. B. Wilson (1927), J. Am. Stat. Assoc. 22:209 — score interval.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

# scipy.special loads on first use (0.2 s), never scipy.stats (0.7 s): the quantiles
# below are scipy.stats' own, called directly
import scipy

from hailong.core.errors import ParameterError

# --------------------------------------------------------------------------- helpers


def _check_confidence(confidence: float) -> float:
    try:
        c = float(confidence)
    except (TypeError, ValueError):
        c = float("nan")
    if not 0 < c < 1:
        raise ParameterError("err.confidence_level_share_between", found=confidence,
                             expected="exp.e_g_0_95")
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
        raise ParameterError("err.sample_larger_than_population",
                             found={"n": n.tolist(), "population": N.tolist()},
                             expected="exp.n_population_roster_count")
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
        raise ParameterError("err.proportion_needs_0_successes",
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
