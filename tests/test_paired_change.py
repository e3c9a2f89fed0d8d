"""The change between two rounds that share cooperatives: the panel variance.

``Var(ȳ₂ − ȳ₁) = s₂²/n₂ + s₁²/n₁ − 2 s₁₂ n₁₂ / (n₁ n₂)`` (Kish 1965 §12.4; Cochran 1977
§12.11), checked by hand, against the mean of the differences for a full panel (the
textbook paired t statistic's standard error), and for never giving a zero-width interval.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from hailong.numbers import stats

Z95 = 1.959963984540054


def test_overlap_covariance_by_hand():
    # matched pairs (1,2) (2,3) (3,3) (4,5) (5,5): x̄ = 3, ȳ = 3.6, Σ dx·dy = 3.2 + 0.6 + 0
    # + 1.4 + 2.8 = 8, s12 = 8 / 4 = 2; rounds of 5 and 6 respondents: 2 × 5 / 30 = 1/3
    assert float(stats.overlap_covariance(2.0, 5, 5, 6)) == pytest.approx(1 / 3)
    # fewer than two matched cooperatives, or none: independent samples
    assert stats.overlap_covariance([2.0, np.nan, 3.0], [1, 0, 2], [5, 5, 5],
                                    [5, 5, 5]).tolist() == [0.0, 0.0, 3.0 * 2 / 25]


def test_paired_change_interval_by_hand():
    # 2021: 1, 2, 3, 4, 5 (s² = 2.5, n 5); 2022: the same five cooperatives 2, 3, 3, 5, 5
    # and a new one 4 (mean 22/6, s² = 7.3333 / 5 = 1.46667, n 6).
    # Var = 1.46667/6 + 2.5/5 − 2 × 1/3 = 0.244444 + 0.5 − 0.666667 = 0.077778
    change, low, high, sig, se = stats.paired_change_interval(22 / 6, math.sqrt(1.46667 / 6),
                                                              3.0, math.sqrt(0.5), 1 / 3)
    assert float(se) == pytest.approx(math.sqrt(0.077778), abs=1e-4)
    assert float(se) == pytest.approx(0.27889, abs=1e-4)
    assert float(change) == pytest.approx(0.66667, abs=1e-5)
    assert float(low) == pytest.approx(0.66667 - Z95 * 0.27889, abs=1e-3)   # 0.1200
    assert float(high) == pytest.approx(0.66667 + Z95 * 0.27889, abs=1e-3)  # 1.2133
    assert bool(sig)
    # the same figures taken as independent samples: se √0.744444 = 0.8628, not significant
    indep = stats.paired_change_interval(22 / 6, math.sqrt(1.46667 / 6), 3.0, math.sqrt(0.5),
                                         0.0)
    assert float(indep[4]) == pytest.approx(0.86281, abs=1e-4) and not bool(indep[3])
    assert np.allclose(indep[:3], stats.change_interval(22 / 6, math.sqrt(1.46667 / 6), 3.0,
                                                        math.sqrt(0.5))[:3])


def test_identical_answers_in_both_rounds_give_a_change_of_zero_with_the_floor():
    # a full panel of 5 answering 1..5 twice: the estimated variance is 0; the floor
    # step/√(n·n) = 25 / 5 = 5 index points (one cooperative one step further) remains
    v = np.array([1.0, 2, 3, 4, 5]) * 25
    se = v.std(ddof=1) / math.sqrt(5)
    cov = float(stats.overlap_covariance(np.cov(v, v)[0, 1], 5, 5, 5))
    change, low, high, sig, s = stats.paired_change_interval(v.mean(), se, v.mean(), se, cov,
                                                             25 / math.sqrt(25))
    assert float(change) == 0 and float(s) == pytest.approx(5.0)
    assert float(low) == pytest.approx(-Z95 * 5) and float(high) == pytest.approx(Z95 * 5)
    assert not bool(sig)
    # missing input: NaN, never significant
    assert not bool(stats.paired_change_interval(np.nan, 1.0, 3.0, 1.0, 0.0)[3])


panels = hs.integers(min_value=2, max_value=40).flatmap(lambda n: hs.tuples(
    hs.lists(hs.integers(1, 5), min_size=n, max_size=n),
    hs.lists(hs.integers(1, 5), min_size=n, max_size=n)))


@settings(max_examples=150, deadline=None)
@given(panels)
def test_a_full_panel_gives_the_paired_t_standard_error_and_never_zero_width(panel):
    before, now = (np.array(x, dtype="float64") for x in panel)
    n = len(now)
    cov = stats.overlap_covariance(np.cov(now, before, ddof=1)[0, 1], n, n, n)
    floor = 1 / math.sqrt(n * n)
    change, low, high, sig, se = stats.paired_change_interval(
        now.mean(), now.std(ddof=1) / math.sqrt(n), before.mean(),
        before.std(ddof=1) / math.sqrt(n), cov, floor)
    d = now - before
    # full overlap: Var(change) = s_d² / n, the se of the mean of the differences
    assert float(se) == pytest.approx(max(d.std(ddof=1) / math.sqrt(n), floor), abs=1e-9)
    assert float(high) - float(low) > 0
    assert float(change) == pytest.approx(d.mean())
    if np.all(d == d[0]) and d[0] == 0:       # identical answers: 0, and not significant
        assert float(change) == 0 and not bool(sig)
