"""Ranks of units and the range each rank could plausibly take (a seeded simulation)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hailong.numbers.stats.intervals import _check_confidence

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
