"""Reliability of a scale: Cronbach's alpha and Feldt's interval of it; Spearman–Brown
for two-item scales.

References
----------
L. J. Cronbach (1951), Psychometrika 16:297; L. S. Feldt (1965), Psychometrika 30:357;
W. Revelle, R package *psych*, ``alpha``; R. Eisinga, M. te Grotenhuis, B. Pelzer (2013),
Int. J. Public Health 58:637.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# scipy.special loads on first use (0.2 s), never scipy.stats (0.7 s): the quantiles
# below are scipy.stats' own, called directly
import scipy

from hailong.core.errors import ParameterError
from hailong.numbers.stats.intervals import _check_confidence


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
        the number of respondents who answered every item, whatever the policy: pairwise
        covariances do not make more respondents than that answer the whole scale, and a
        larger ``n`` would narrow Feldt's interval without cause.

    >>> round(cronbach_alpha(pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 3, 4]}))[0], 4)
    0.96
    """
    if nan_policy not in ("pairwise", "listwise"):
        raise ParameterError("err.unknown_nan_policy", found=nan_policy,
                             expected="exp.pairwise_listwise")
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
    complete = int(data.notna().all(axis=1).sum())
    return float(alpha), feldt_interval(float(alpha), complete, k, confidence)


def spearman_brown(items: pd.DataFrame,
                   confidence: float = 0.95) -> tuple[float, tuple[float, float], int]:
    """Reliability of a two-item scale: the Spearman–Brown coefficient, with its interval.

    For two items Cronbach's alpha is a poor tool (it depends on the items' variances
    and underestimates); Eisinga, te Grotenhuis & Pelzer (2013, *Int. J. Public Health*
    58:637) recommend ``ρ = 2r / (1 + r)`` with ``r`` the items' Pearson correlation over
    the respondents who answered both.

    Returns
    -------
    (rho, (low, high), n)
        The interval maps Fisher's interval of ``r`` (``atanh(r) ± z / √(n − 3)``) through
        the same increasing function; ``n`` = respondents with both answers. NaN when
        fewer than 4 answered both or an item does not vary.
    """
    c = _check_confidence(confidence)
    data = pd.DataFrame(items).apply(pd.to_numeric, errors="coerce").astype("float64")
    if data.shape[1] != 2:
        raise ParameterError("err.spearman_brown_two_items", found=data.shape[1],
                             expected="exp.2_columns")
    data = data.dropna(how="any")
    n = len(data)
    if n < 4 or (data.std() == 0).any():
        return math.nan, (math.nan, math.nan), n
    r = float(np.corrcoef(data.iloc[:, 0], data.iloc[:, 1])[0, 1])
    z = float(scipy.special.ndtri(0.5 + c / 2))
    half = z / math.sqrt(n - 3)
    fz = math.atanh(max(min(r, 1 - 1e-12), -1 + 1e-12))
    lo_r, hi_r = math.tanh(fz - half), math.tanh(fz + half)

    def sb(x: float) -> float:
        return 2 * x / (1 + x)

    return sb(r), (sb(lo_r), sb(hi_r)), n
