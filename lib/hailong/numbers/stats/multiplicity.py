"""Many comparisons at once: p-values adjusted by Holm or by Benjamini–Hochberg.

A report reads dozens of "higher / lower than the rest of the city" verdicts at once; each
tested at 5% would flag some by chance alone. :func:`adjust_p` adjusts a family of
p-values so that a verdict is given only where the adjusted p-value is below the level:

- ``"holm"`` (Holm 1979, *Scand. J. Statist.* 6:65) controls the chance of *any* false
  verdict in the family (family-wise error); used for the index, the dimensions and the
  overall question, whose verdicts are read as facts about a unit's authorities;
- ``"bh"`` (Benjamini & Hochberg 1995, *JRSS B* 57:289) controls the expected share of
  false verdicts among those given (false discovery rate); used for the many questions,
  where Holm would leave almost nothing to say.

The tests check both against ``statsmodels.stats.multitest.multipletests``.
"""

from __future__ import annotations

import numpy as np

from hailong.core.catalogue import either
from hailong.core.errors import ParameterError

#: The adjustments :func:`adjust_p` knows.
METHODS = ("holm", "bh")


def two_sided_p(z) -> np.ndarray:
    """Two-sided p-value of a standard normal statistic (vectorized; NaN stays NaN)."""
    from scipy.special import ndtr

    z = np.abs(np.asarray(z, dtype="float64"))
    return 2 * ndtr(-z)


def adjust_p(p, method: str = "holm") -> np.ndarray:
    """Adjusted p-values of one family (NaN entries are not part of it and stay NaN).

    Parameters
    ----------
    p
        Unadjusted p-values.
    method
        ``"holm"`` (step-down, family-wise error) or ``"bh"`` (step-up, false discovery
        rate).

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, capped at 1, in the order of ``p``.
    """
    if method not in METHODS:
        raise ParameterError("err.unknown_p_value_adjustment", found=method,
                             expected=either(METHODS))
    p = np.asarray(p, dtype="float64")
    out = np.full(p.shape, np.nan)
    keep = ~np.isnan(p)
    m = int(keep.sum())
    if m == 0:
        return out
    q = p[keep]
    order = np.argsort(q, kind="stable")
    ranked = q[order]
    k = np.arange(1, m + 1)
    if method == "holm":
        adj = np.maximum.accumulate((m - k + 1) * ranked)
    else:
        adj = np.minimum.accumulate((m / k * ranked)[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(adj, 1.0)
    out[keep] = adjusted
    return out
