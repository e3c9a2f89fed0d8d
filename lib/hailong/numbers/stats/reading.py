"""Reading the figures: precision, tiers, and differences from the whole and between rounds."""

from __future__ import annotations

import numpy as np

from hailong.numbers.stats.intervals import rounded, z_value

#: Flags of :func:`verdicts` (and of ``Results.scores["vs_city"]``).
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


def compare_with_rest(estimate, se, rest, rest_se, confidence: float = 0.95):
    """Difference of a unit from the rest of the city, its interval and p-value.

    Parameters
    ----------
    estimate, se
        The unit's figure (e.g. a district's index) and its standard error.
    rest, rest_se
        The same figure for every other unit of the city taken together, and its
        standard error.

    Returns
    -------
    (diff, low, high, p)
        Arrays: ``diff = estimate - rest``, its interval at ``confidence`` and the
        two-sided p-value of "no difference" (normal approximation).

    Notes
    -----
    The unit and the rest share no respondent, so ``Var(diff) = se² + rest_se²``: the
    comparison is not diluted by the unit's own weight in the city, as a comparison
    with the whole that contains it would be.
    """
    from hailong.numbers.stats.multiplicity import two_sided_p

    z = z_value(confidence)
    est, s, r, rs = (np.asarray(a, dtype="float64") for a in (estimate, se, rest, rest_se))
    diff = est - r
    sd = np.sqrt(s ** 2 + rs ** 2)
    low, high = diff - z * sd, diff + z * sd
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(sd > 0, two_sided_p(diff / sd), np.nan)
    return diff, low, high, p


def verdicts(diff, p_adjusted, level: float = 0.05, neutral: str = SIMILAR) -> np.ndarray:
    """``"above"`` / ``"below"`` where the adjusted p-value is under ``level``, else
    ``neutral`` (``"similar"``, or ``""`` for figures that get no verdict word unless
    significant); ``""`` where anything is missing."""
    d, p = np.asarray(diff, dtype="float64"), np.asarray(p_adjusted, dtype="float64")
    with np.errstate(invalid="ignore"):
        sig = p < level
    out = np.where(sig & (d > 0), ABOVE, np.where(sig & (d < 0), BELOW, neutral))
    return np.where(np.isnan(d) | np.isnan(p), "", out)


def tier_span(low, high, tiers, decimals: int | None = 1) -> tuple[list, list]:
    """The tiers of an interval's two ends (:func:`tier_of`): where they differ from the
    estimate's tier, the tier is borderline ("Khá – có thể Trung bình")."""
    return tier_of(low, tiers, decimals), tier_of(high, tiers, decimals)


def change_interval(now, se_now, before, se_before, confidence: float = 0.95):
    """Change between two rounds with its interval; significant when it excludes 0.

    ``Var(change) = se_now² + se_before²`` — as for independent samples. When the same
    cooperatives answer both rounds, use :func:`paired_change_interval` (the trend does).

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


def overlap_covariance(s12, n12, n_now, n_before):
    """Covariance of two rounds' means from the cooperatives that answered both.

    ``Cov(ȳ_now, ȳ_before) = s₁₂ · n₁₂ / (n_now · n_before)`` — L. Kish, *Survey
    Sampling* (1965) §12.4 (partial overlap); W. G. Cochran, *Sampling Techniques*
    (1977) §12.11 (sampling on two occasions) — with ``s₁₂`` the sample covariance
    (divisor ``n₁₂ - 1``) of the ``n₁₂`` matched cooperatives' values and ``n_now``,
    ``n_before`` the respondents each round's mean rests on. No finite population
    correction (the model-based convention). Vectorized; 0 where fewer than two
    cooperatives are matched (nothing to estimate ``s₁₂`` from: independent samples).

    >>> float(overlap_covariance(2.0, 5, 5, 6))
    0.3333333333333333
    """
    s, m, a, b = (np.asarray(x, dtype="float64") for x in (s12, n12, n_now, n_before))
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = s * m / (a * b)
    return np.where((m >= 2) & np.isfinite(cov), cov, 0.0)


def paired_change_interval(now, se_now, before, se_before, cov, min_se=0.0,
                           confidence: float = 0.95):
    """Change between two rounds that share respondents, with its interval.

    ``Var(change) = se_now² + se_before² − 2 Cov`` (Kish 1965 §12.4; Cochran 1977
    §12.11), ``Cov`` from :func:`overlap_covariance` (0 for independent samples, which
    gives :func:`change_interval`). The same cooperatives answering both rounds makes
    the rounds positively correlated, so the paired interval is narrower, and honest.

    Parameters
    ----------
    min_se
        A floor on the change's standard error. When the matched cooperatives' answers
        moved alike (all by the same amount, e.g. identical answers in both rounds), the
        estimated variance is 0 and the interval would have zero width; as for a figure
        whose answers are all alike (``docs/design.md``, "One variance convention"), the
        change is then read as if one cooperative had moved one answer step more: with
        ``step`` in index points, ``min_se = step / √(n_now · n_before)`` (for a full
        panel of ``n``: the se of the mean of ``n`` differences with standard deviation
        ``step / √n``). The floor also covers a negative variance estimate; a missing or
        infinite floor counts as 0.

    Returns
    -------
    (change, low, high, significant, se)
        Arrays (vectorized); ``significant`` (the interval excludes 0) is False where
        anything is missing.
    """
    z = z_value(confidence)
    a, sa, b, sb, c, f = (np.asarray(x, dtype="float64")
                          for x in (now, se_now, before, se_before, cov, min_se))
    change = a - b
    var = sa ** 2 + sb ** 2 - 2 * np.nan_to_num(c)
    f = np.where(np.isfinite(f), f, 0.0)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.maximum(var, f ** 2))
    low, high = change - z * se, change + z * se
    with np.errstate(invalid="ignore"):
        significant = (low > 0) | (high < 0)
    return change, low, high, significant, se
