"""Tests of hailong.numbers.stats.calibration: raking, trimming, Kish's design effect.

Expected values are worked out by hand (a 2 × 2 table whose raked weights are known by
construction, a trimming fixed point) or by an independent solver (scipy's least squares
on the entropy-calibration equations, used only here).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from hailong.core.errors import ParameterError
from hailong.numbers import stats as st


def _table(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    """A sample with ``count`` respondents in each cell ``(a, b)``."""
    return pd.DataFrame([(a, b) for a, b, n in rows for _ in range(n)], columns=["a", "b"])


def test_raking_a_two_by_two_table_gives_the_weights_worked_out_by_hand():
    # Respondents: (A1,B1) 2, (A1,B2) 1, (A2,B1) 1, (A2,B2) 2. Raked weights have the form
    # a_i · b_j; with a = (2, 3), b = (1, 2) the cells weigh 2, 4, 3, 6, and their totals
    # 2·2 + 1·4 = 8 (A1), 1·3 + 2·6 = 15 (A2), 2·2 + 1·3 = 7 (B1), 1·4 + 2·6 = 16 (B2) are
    # the margins. The product form meeting the margins is unique (Deming & Stephan 1940),
    # so raking from equal weights must find exactly these.
    s = _table([("A1", "B1", 2), ("A1", "B2", 1), ("A2", "B1", 1), ("A2", "B2", 2)])
    margins = {"a": pd.Series({"A1": 8, "A2": 15}), "b": pd.Series({"B1": 7, "B2": 16})}
    w = st.rake(s, margins)
    expected = {("A1", "B1"): 2.0, ("A1", "B2"): 4.0, ("A2", "B1"): 3.0, ("A2", "B2"): 6.0}
    got = s.assign(w=w).groupby(["a", "b"])["w"]
    assert got.nunique().eq(1).all()             # equal weights within a cell
    assert got.first().to_dict() == pytest.approx(expected, rel=1e-7)
    assert w.index.equals(s.index) and w.name == "weight"
    assert st.margin_gap(w, s, margins) <= 1e-8


def test_raking_keeps_the_ratios_of_the_start_weights_within_a_cell():
    s = _table([("A1", "B1", 2), ("A1", "B2", 1), ("A2", "B1", 1), ("A2", "B2", 2)])
    margins = {"a": pd.Series({"A1": 8, "A2": 15}), "b": pd.Series({"B1": 7, "B2": 16})}
    start = np.array([1.0, 3.0, 1.0, 1.0, 1.0, 1.0])   # the two (A1, B1) respondents 1 : 3
    w = st.rake(s, margins, start).to_numpy()
    # every weight is its start weight times a factor per category: same cell, same factor
    assert w[1] / w[0] == pytest.approx(3.0, rel=1e-9)
    assert w[4] == pytest.approx(w[5], rel=1e-9)
    assert st.margin_gap(w, s, margins) <= 1e-8


def test_raking_matches_an_independent_solution_of_the_calibration_equations():
    from scipy.optimize import least_squares
    rng = np.random.default_rng(7)
    n = 60
    s = pd.DataFrame({"cell": rng.choice(list("pqrs"), n), "member": rng.choice(["T", "F"], n),
                      "size": rng.choice(["S", "M", "L"], n)})
    d = rng.uniform(0.5, 2.0, n)                      # start weights
    truth = d * rng.uniform(0.5, 3.0, n)              # some weights meeting the margins
    margins = {c: pd.Series(truth).groupby(s[c].to_numpy()).sum() for c in s.columns}
    # raking = entropy calibration: w = d · exp(Σ_m λ_m[k_m(i)]) solving the margins
    codes = {c: pd.Index(margins[c].index).get_indexer(s[c]) for c in s.columns}
    sizes = [len(margins[c]) for c in s.columns]

    def weights(lam):
        parts = np.split(lam, np.cumsum(sizes)[:-1])
        return d * np.exp(sum(p[codes[c]] for p, c in zip(parts, s.columns)))

    def residuals(lam):
        w = weights(lam)
        return np.concatenate([np.bincount(codes[c], w, len(margins[c]))
                               / margins[c].to_numpy() - 1 for c in s.columns])

    ref = weights(least_squares(residuals, np.zeros(sum(sizes)), xtol=1e-15, ftol=1e-15,
                                gtol=1e-15).x)
    w = st.rake(s, margins, d, max_iter=1000, tol=1e-12)
    assert w.to_numpy() == pytest.approx(ref, rel=1e-6)


@settings(max_examples=60, deadline=None)
@given(data=hs.data())
def test_raked_weights_reproduce_every_margin(data):
    n = data.draw(hs.integers(4, 40), label="n")
    k = data.draw(hs.integers(1, 3), label="margins")
    cols = {}
    for j in range(k):
        cats = data.draw(hs.integers(1, 4), label=f"categories {j}")
        cols[f"m{j}"] = data.draw(hs.lists(hs.integers(0, cats - 1), min_size=n, max_size=n),
                                  label=f"column {j}")
    s = pd.DataFrame(cols).astype(str)
    # a population the sample can represent: each respondent stands for 1-6 members
    mult = np.array(data.draw(hs.lists(hs.integers(1, 6), min_size=n, max_size=n)), float)
    margins = {c: pd.Series(mult).groupby(s[c].to_numpy()).sum() for c in s.columns}
    start = np.array(data.draw(hs.lists(hs.floats(0.2, 5.0), min_size=n, max_size=n)))
    w = st.rake(s, margins, start, max_iter=2000, tol=1e-9)
    assert (w > 0).all()
    for c, m in margins.items():
        got = w.groupby(s[c].to_numpy()).sum()
        assert got.to_numpy() == pytest.approx(m.reindex(got.index).to_numpy(), rel=1e-8)


def test_a_category_with_population_but_no_respondents_is_refused():
    s = pd.DataFrame({"member": ["True", "True", "True"]})
    with pytest.raises(ParameterError, match="population but no respondents") as e:
        st.rake(s, {"member": pd.Series({"True": 5, "False": 2})})
    assert "False" in str(e.value)


def test_respondents_outside_the_margin_and_disagreeing_totals_are_refused():
    s = _table([("A1", "B1", 1), ("A2", "B2", 1)])
    with pytest.raises(ParameterError, match="does not list"):
        st.rake(s, {"a": pd.Series({"A1": 3})})
    with pytest.raises(ParameterError, match="different population sizes"):
        st.rake(s, {"a": pd.Series({"A1": 3, "A2": 3}), "b": pd.Series({"B1": 3, "B2": 4})})
    with pytest.raises(ParameterError, match="lacks"):
        st.rake(s, {"c": pd.Series({"x": 1})})


def test_raking_that_cannot_converge_raises():
    # only the diagonal cells answered: (A1, B1) must weigh 5 (A1) and 2 (B1) at once
    s = _table([("A1", "B1", 1), ("A2", "B2", 1)])
    margins = {"a": pd.Series({"A1": 5, "A2": 5}), "b": pd.Series({"B1": 2, "B2": 8})}
    with pytest.raises(ParameterError, match="did not converge"):
        st.rake(s, margins, max_iter=50)
    # a solvable problem stopped too early raises too
    ok = _table([("A1", "B1", 2), ("A1", "B2", 1), ("A2", "B1", 1), ("A2", "B2", 2)])
    good = {"a": pd.Series({"A1": 8, "A2": 15}), "b": pd.Series({"B1": 7, "B2": 16})}
    with pytest.raises(ParameterError, match="did not converge"):
        st.rake(ok, good, max_iter=1)


def test_trimming_caps_at_three_and_a_half_medians():
    w = pd.Series([1.0, 1.0, 1.0, 1.0, 10.0], index=list("abcde"))
    t = st.trim(w)
    assert t.tolist() == [1.0, 1.0, 1.0, 1.0, 3.5]          # median 1: cap 3.5
    assert t.index.equals(w.index)
    assert st.trim(pd.Series([1.0, 2.0, 3.0])).tolist() == [1.0, 2.0, 3.0]  # nothing above


def test_trimming_then_re_raking_reaches_the_capped_fixed_point():
    # one margin (the total, 14) and a cap of 3.5: the weights that meet the total with
    # the big one at the cap are 4 s + 3.5 = 14, s = 2.625, and none exceeds the cap
    s = pd.DataFrame({"all": ["x"] * 5})
    margins = {"all": pd.Series({"x": 14.0})}
    w = pd.Series([1.0, 1.0, 1.0, 1.0, 10.0])
    t = st.trim(w, cap=3.5, sample=s, margins=margins, rounds=200)
    assert t.tolist() == pytest.approx([2.625] * 4 + [3.5], rel=1e-6)
    c = st.calibrate(s, margins, [1.0, 1.0, 1.0, 1.0, 10.0], rounds=200)
    assert c.raked.tolist() == pytest.approx(w.tolist())   # already meets the total
    assert c.cap == pytest.approx(3.5)                     # 3.5 × median 1
    assert c.weights.tolist() == pytest.approx(t.tolist())
    assert c.trimmed == 1 and c.gap < 1e-6


@settings(max_examples=60, deadline=None)
@given(w=hs.lists(hs.floats(0.01, 100.0), min_size=1, max_size=50),
       factor=hs.floats(1.0, 6.0))
def test_trimmed_weights_never_exceed_the_cap(w, factor):
    t = st.trim(w, factor=factor)
    cap = factor * float(np.median(w))
    assert (t <= cap).all()
    assert (t == np.minimum(w, cap)).all()   # no re-raking: a plain cap


@settings(max_examples=30, deadline=None)
@given(data=hs.data())
def test_trimming_with_re_raking_keeps_the_cap(data):
    n = data.draw(hs.integers(4, 30))
    s = pd.DataFrame({"g": data.draw(hs.lists(hs.sampled_from("ab"), min_size=n,
                                               max_size=n))})
    mult = np.array(data.draw(hs.lists(hs.integers(1, 20), min_size=n, max_size=n)), float)
    margins = {"g": pd.Series(mult).groupby(s["g"].to_numpy()).sum()}
    c = st.calibrate(s, margins)
    assert (c.weights <= c.cap).all()
    assert c.cap == pytest.approx(3.5 * float(np.median(c.raked)))


@given(n=hs.integers(1, 200), value=hs.floats(1e-3, 1e3))
def test_the_design_effect_of_equal_weights_is_one(n, value):
    assert st.design_effect([value] * n) == pytest.approx(1.0)


def test_design_effect_is_one_plus_the_squared_cv_and_gives_kish_n():
    w = np.array([1.0, 1.0, 2.0, 4.0])
    cv2 = w.var() / w.mean() ** 2          # divisor n
    assert st.design_effect(w) == pytest.approx(1 + cv2)
    assert st.kish_effective_n(w) == pytest.approx(len(w) / (1 + cv2))   # 64/22
    assert st.kish_effective_n(w) == pytest.approx(64 / 22)
    assert math.isnan(st.design_effect([]))


def test_the_cap_never_goes_below_min_cap():
    # 4 of 5 in group a answered (N/n = 1.25), 2 of 15 in b (7.5): median 1.25, so 3.5 ×
    # median = 4.375 would cap b and break its margin; min_cap 7.5 (the largest cell
    # weight) keeps the margin
    s = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 2})
    margins = {"g": pd.Series({"a": 5.0, "b": 15.0})}
    kept = st.calibrate(s, margins, min_cap=7.5)
    assert kept.cap == 7.5 and kept.trimmed == 0
    assert kept.weights.tolist() == pytest.approx([1.25] * 4 + [7.5] * 2)
    plain = st.calibrate(s, margins)
    assert plain.cap == pytest.approx(4.375) and plain.trimmed == 2
    assert (plain.weights <= 4.375).all() and plain.gap > 0.1
