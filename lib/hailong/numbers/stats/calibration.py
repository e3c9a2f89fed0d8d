"""Calibration of survey weights to known population margins: raking (iterative
proportional fitting), trimming of extreme weights, Kish's design effect.

A short function rather than a survey package: raking is a few lines of arithmetic, and
its result is checked against an independent computation in ``tests/test_calibration.py``.

References
----------
W. E. Deming and F. F. Stephan (1940), *Ann. Math. Statist.* 11:427 — iterative
proportional fitting (raking); G. Kalton and I. Flores-Cervantes (2003), *J. Official
Statistics* 19:81 — raking and trimming in weighting practice; F. J. Potter (1990), *Proc.
Survey Research Methods Section*, ASA, 225 — trimming at a multiple of the median weight;
R. Valliant, J. A. Dever and F. Kreuter, *Practical Tools for Designing and Weighting Survey
Samples* (2013), ch. 14; L. Kish (1992), *J. Official Statistics* 8:183 — design effect of
unequal weights, ``1 + cv²``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hailong.core.errors import ParameterError
from hailong.numbers.stats.weighting import kish_effective_n

#: Trimming cap as a multiple of the median weight (Potter 1990; Valliant et al. 2013,
#: §14.4): no weight may exceed ``TRIM_FACTOR × median``.
TRIM_FACTOR = 3.5


def rake(sample: pd.DataFrame, margins: Mapping[str, pd.Series], start_weights=None,
         max_iter: int = 100, tol: float = 1e-8) -> pd.Series:
    """Weights whose weighted sample reproduces every margin (raking, Deming & Stephan 1940).

    Parameters
    ----------
    sample
        One row per respondent, with a column for every margin holding the respondent's
        category.
    margins
        ``{column: population count per category}`` (a Series indexed by category). All
        margins must count the same population.
    start_weights
        Weights to start from (default 1 each): raking keeps their ratios within the
        cells of the margins' cross-classification.
    max_iter
        The most full cycles over the margins.
    tol
        Convergence: every weighted category total within ``tol`` (relative) of its target.

    Returns
    -------
    Series
        One weight per sample row (same index), named ``"weight"``.

    Raises
    ------
    ParameterError
        If a category has population but no respondents, respondents but no population
        (or no category), the margins disagree on the population size, or the weights do
        not converge within ``max_iter`` cycles.

    Notes
    -----
    Each cycle adjusts to each margin in turn: ``w_i ← w_i · N_k / Σ_{j ∈ k} w_j`` for the
    category ``k`` of respondent ``i`` (Kalton & Flores-Cervantes 2003, §3.3). The result
    has the form ``w_i = w⁰_i · Π_m f_m(k_m(i))`` and minimizes the entropy distance to the
    start weights subject to the margins.

    >>> s = pd.DataFrame({"a": ["x", "x", "y"], "b": ["u", "v", "v"]})
    >>> m = {"a": pd.Series({"x": 4, "y": 2}), "b": pd.Series({"u": 3, "v": 3})}
    >>> rake(s, m).round(6).tolist()
    [3.0, 1.0, 2.0]
    """
    keys = _margin_codes(sample, margins)
    w = _start(start_weights, len(sample))
    if isinstance(max_iter, bool) or int(max_iter) < 1:
        raise ParameterError("err.max_iter_whole_number", found=max_iter)
    gap = math.inf
    for _ in range(int(max_iter)):
        for code, target in keys.values():
            total = np.bincount(code, w, len(target))
            with np.errstate(divide="ignore", invalid="ignore"):  # unused categories
                w = w * (target / total)[code]
        gap = _gap(w, keys)
        if gap <= tol:
            return pd.Series(w, index=sample.index, name="weight")
    raise ParameterError("err.raking_did_converge_margins",
                         found=f"largest relative gap {gap:.3g} after {int(max_iter)} cycles",
                         expected="exp.gap_at_most",
                         hint="hint.merge_sparse_categories_margins", tol=tol)


def margin_gap(weights, sample: pd.DataFrame, margins: Mapping[str, pd.Series]) -> float:
    """The largest relative gap ``|Σ_{i ∈ k} w_i / N_k − 1|`` over every margin's
    categories (0: the weights reproduce every margin)."""
    return _gap(np.asarray(weights, dtype="float64"), _margin_codes(sample, margins))


def trim_cap(weights, factor: float = TRIM_FACTOR) -> float:
    """The trimming cap ``factor × median weight`` (Potter 1990)."""
    if not factor > 0:
        raise ParameterError("err.trimming_factor_positive", found=factor)
    return float(factor * np.median(np.asarray(weights, dtype="float64")))


def trim(weights, cap: float | None = None, factor: float = TRIM_FACTOR,
         sample: pd.DataFrame | None = None, margins: Mapping[str, pd.Series] | None = None,
         rounds: int = 10, tol: float = 1e-8, max_iter: int = 100) -> pd.Series:
    """Weights capped at ``cap`` (default ``factor × median``), re-raked after each cap.

    Parameters
    ----------
    weights
        The weights (e.g. from :func:`rake`); a Series keeps its index.
    cap
        The largest weight allowed; default :func:`trim_cap` of ``weights``.
    sample, margins
        When given, the capped weights are raked again to the margins (:func:`rake`), and
        capping and raking alternate until no weight exceeds the cap or ``rounds`` pass.
    rounds
        The most cap-and-rake rounds.

    Returns
    -------
    Series
        Weights, none above ``cap``; the margins hold approximately (exactly when no
        weight had to be capped, or when the last re-raking left none above the cap: see
        :func:`margin_gap`).

    Notes
    -----
    The rule: ``w ≤ 3.5 × median(w)`` (Potter 1990; Valliant, Dever & Kreuter 2013,
    §14.4), then re-raking, repeated — the "trim and re-rake" loop of Kalton &
    Flores-Cervantes (2003, §5). A last cap makes the bound exact.
    """
    s = pd.Series(weights, dtype="float64")
    w = s.to_numpy(copy=True)
    if len(w) == 0:
        return s
    limit = trim_cap(w, factor) if cap is None else float(cap)
    if not limit > 0:
        raise ParameterError("err.trimming_cap_positive", found=cap)
    if (sample is None) != (margins is None):
        raise ParameterError("err.re_raking_needs_both")
    for _ in range(max(int(rounds), 0)):
        if (w <= limit).all():
            break
        w = np.minimum(w, limit)
        if sample is not None:
            w = rake(sample, margins, w, max_iter, tol).to_numpy()
    return pd.Series(np.minimum(w, limit), index=s.index, name="weight")


def design_effect(weights) -> float:
    """Kish's design effect of unequal weights ``1 + cv² = n Σw² / (Σw)²`` (Kish 1992;
    ``cv`` with divisor ``n``); 1 for equal weights.

    >>> design_effect([1.0, 1.0, 2.0, 2.0])
    1.1111111111111112
    """
    n_eff = kish_effective_n(weights)
    n = int(pd.Series(weights, dtype="float64").notna().sum())
    return math.nan if not n_eff > 0 else float(n / n_eff)


@dataclass(frozen=True)
class Calibration:
    """Raked and trimmed weights (:func:`calibrate`).

    Attributes
    ----------
    weights
        The final weights (raked, trimmed, re-raked), one per sample row.
    raked
        The raked weights before trimming.
    cap
        The trimming cap (``factor × median`` of ``raked``, or ``min_cap`` if larger).
    trimmed
        Raked weights that were above the cap.
    gap
        :func:`margin_gap` of the final weights.
    design_effect, n_eff
        Kish's design effect and effective sample size of the final weights.
    """

    weights: pd.Series
    raked: pd.Series
    cap: float
    trimmed: int
    gap: float
    design_effect: float
    n_eff: float


def calibrate(sample: pd.DataFrame, margins: Mapping[str, pd.Series], start_weights=None,
              factor: float = TRIM_FACTOR, rounds: int = 10, max_iter: int = 100,
              tol: float = 1e-8, min_cap: float | None = None) -> Calibration:
    """:func:`rake` to ``margins``, then :func:`trim` at ``factor × median`` with re-raking.

    ``min_cap``: the lowest cap allowed (e.g. the largest post-stratification weight
    ``N_c / n_c``, so that trimming cannot undo a margin no weights under the cap could
    meet); the cap is ``max(factor × median, min_cap)``.
    """
    raked = rake(sample, margins, start_weights, max_iter, tol)
    cap = max(trim_cap(raked, factor), -math.inf if min_cap is None else float(min_cap))
    w = trim(raked, cap, factor, sample, margins, rounds, tol, max_iter)
    return Calibration(weights=w, raked=raked, cap=cap, trimmed=int((raked > cap).sum()),
                       gap=margin_gap(w, sample, margins), design_effect=design_effect(w),
                       n_eff=kish_effective_n(w))


def _start(start_weights, n: int) -> np.ndarray:
    if n == 0:
        raise ParameterError("err.there_respondents_weight")
    if start_weights is None:
        return np.ones(n)
    w = np.asarray(start_weights, dtype="float64")
    if w.shape != (n,):
        raise ParameterError("err.start_weights_one_weight", found=len(w), expected=str(n))
    if not (np.isfinite(w) & (w > 0)).all():
        raise ParameterError("err.start_weights_positive_numbers")
    return w.copy()


def _margin_codes(sample: pd.DataFrame,
                  margins: Mapping[str, pd.Series]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{column: (category code of each row, target per code)}``, once the margins are
    known to fit the sample; categories without population or respondents are left out."""
    if not margins:
        raise ParameterError("err.raking_needs_at_least")
    out, totals = {}, {}
    for name, margin in margins.items():
        if name not in sample.columns:
            raise ParameterError("err.sample_lacks_margin_s", found=name,
                                 expected=", ".join(map(str, sample.columns)))
        m = pd.Series(margin, dtype="float64")
        if not m.index.is_unique:
            raise ParameterError("err.margin_lists_category_twice",
                                 found=list(m.index[m.index.duplicated()]),
                                 name=name)
        if not (np.isfinite(m.to_numpy()) & (m.to_numpy() >= 0)).all():
            raise ParameterError("err.margin_count_number_0", name=name)
        values = sample[name]
        if values.isna().any():
            raise ParameterError("err.respondents_without_category_margin",
                                 found=int(values.isna().sum()), name=name)
        code = pd.Index(m.index).get_indexer(values)
        unknown = sorted({str(v) for v in values[code < 0]})
        if unknown:
            raise ParameterError("err.respondents_categories_margin_does", found=unknown,
                                 expected=", ".join(map(str, m.index)), name=name)
        seen = np.bincount(code, minlength=len(m))
        empty = [str(k) for k, n, t in zip(m.index, seen, m) if n == 0 and t > 0]
        if empty:
            raise ParameterError("err.margin_categories_population_but", found=empty,
                                 hint="hint.merge_each_into_category", name=name)
        nobody = [str(k) for k, n, t in zip(m.index, seen, m) if n > 0 and t == 0]
        if nobody:
            raise ParameterError("err.margin_categories_respondents_but", found=nobody, name=name)
        out[name] = (code, m.to_numpy())
        totals[name] = float(m.sum())
    sizes = list(totals.values())
    if max(sizes) - min(sizes) > 1e-9 * max(max(sizes), 1.0):
        raise ParameterError("err.margins_count_different_population", found=totals,
                             hint="hint.every_margin_count_same")
    return out


def _gap(w: np.ndarray, keys: dict[str, tuple[np.ndarray, np.ndarray]]) -> float:
    worst = 0.0
    for code, target in keys.values():
        total = np.bincount(code, w, len(target))
        used = target > 0
        if used.any():
            worst = max(worst, float(np.abs(total[used] / target[used] - 1).max()))
    return worst
