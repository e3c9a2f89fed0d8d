"""Reading the figures: precision, tiers, and differences from the whole and between rounds."""

from __future__ import annotations

import numpy as np

from hailong.numbers.stats.intervals import rounded, z_value

#: Flags of :func:`compare_with_whole` (and of ``Results.scores["vs_city"]``).
ABOVE, SIMILAR, BELOW = "above", "similar", "below"


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
