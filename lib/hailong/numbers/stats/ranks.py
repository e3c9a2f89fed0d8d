"""Ranks of units and the ranges their ranks could take, read jointly.

A ranking of districts is read as a whole ("Dương Kinh is among the last three"), so the
rank ranges are a *joint* confidence set (Klein, Wright & Wieczorek 2020, *JRSS C*
69:917; in the spirit of Goldstein & Spiegelhalter 1996, *JRSS A* 159:385): an interval
for every pairwise difference ``θ_j − θ_i`` at the Bonferroni level ``α / (K(K−1)/2)``
(independent estimates: ``Var = se_i² + se_j²``); unit ``i`` surely ranks below every
``j`` whose interval lies above 0 and above every ``j`` whose interval lies below 0, so

``rank_low(i) = 1 + #{j: θ_j − θ_i > 0 surely}``,
``rank_high(i) = K − #{j: θ_j − θ_i < 0 surely}``.

All the ranges hold together with probability at least ``confidence``. The computation
is exact and deterministic (no simulation): the same figures give the same ranges.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtri

from hailong.numbers.stats.intervals import _check_confidence

#: Units compared at once by :func:`rank_ranges` (rows of the pairwise block): bounds the
#: memory (~8 bytes × block × units) whatever the number of units.
RANK_BLOCK = 512


def _min_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks within each row, 1 = highest, equal values sharing the best (smallest) rank:
    ``scipy.stats.rankdata(-values, axis=1, method="min")``."""
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


def joint_z(units: int, confidence: float = 0.95) -> float:
    """The normal quantile of the Bonferroni level for every pair of ``units``."""
    c = _check_confidence(confidence)
    pairs = max(1, units * (units - 1) // 2)
    return float(ndtri(1 - (1 - c) / (2 * pairs)))


def rank_ranges(estimates: pd.Series, se: pd.Series,
                confidence: float = 0.95) -> pd.DataFrame:
    """Rank of each unit (1 = highest) and the joint range its rank could take.

    Parameters
    ----------
    estimates, se
        Same index (the units). Units with a missing estimate are left out (NaN rank);
        a missing ``se`` counts as 0.
    confidence
        Joint level of all the ranges together.

    Returns
    -------
    DataFrame
        Index of ``estimates``; ``rank`` (of the estimates, ties share the best rank),
        ``rank_low``, ``rank_high`` (Int64).
    """
    est = pd.Series(estimates, dtype="float64")
    sd = pd.Series(se, dtype="float64").reindex(est.index).fillna(0.0)
    keep = est.notna()
    out = pd.DataFrame(index=est.index, columns=["rank", "rank_low", "rank_high"],
                       dtype="float64")
    if keep.any():
        mu, s = est[keep].to_numpy(), sd[keep].to_numpy()
        k = len(mu)
        z = joint_z(k, confidence)
        above = np.zeros(k, dtype=np.int64)
        below = np.zeros(k, dtype=np.int64)
        for start in range(0, k, RANK_BLOCK):
            i = slice(start, min(k, start + RANK_BLOCK))
            diff = mu[None, :] - mu[i, None]               # θ_j − θ_i
            half = z * np.sqrt(s[None, :] ** 2 + s[i, None] ** 2)
            above[i] = (diff - half > 0).sum(axis=1)
            below[i] = (diff + half < 0).sum(axis=1)
        out.loc[keep, "rank"] = _min_ranks(mu[None, :])[0]
        out.loc[keep, "rank_low"] = 1 + above
        out.loc[keep, "rank_high"] = k - below
    return out.round().astype("Int64")
