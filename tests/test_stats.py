"""hailong.numbers.stats against independent values: formulas worked by hand in the test,
textbook examples, and reference libraries used only here (scipy, statsmodels)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from hailong.core.errors import ParameterError
from hailong.numbers import stats
from hailong.reference.config import DEFAULT_TIERS

Z95 = 1.959963984540054


# ------------------------------------------------------------------------ Wilson


def test_wilson_81_of_263_matches_statsmodels_and_the_closed_form():
    low, high = stats.wilson_interval(81, 263)
    ref = proportion_confint(81, 263, alpha=0.05, method="wilson")
    assert (low, high) == pytest.approx(ref, abs=1e-12)
    # closed form: (p + z²/2n ± z √(p(1-p)/n + z²/4n²)) / (1 + z²/n)
    p, n, z = 81 / 263, 263, Z95
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert low == pytest.approx(centre - half) and high == pytest.approx(centre + half)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)


def test_wilson_other_levels_match_statsmodels():
    for s, n, conf in [(0, 10, 0.95), (10, 10, 0.9), (3, 7, 0.99), (1, 1, 0.8)]:
        ref = proportion_confint(s, n, alpha=1 - conf, method="wilson")
        assert stats.wilson_interval(s, n, conf) == pytest.approx(ref, abs=1e-12)


def test_wilson_with_the_finite_population_correction_worked_by_hand():
    # 8 of 10 answers from a population of 20: the variance is multiplied by
    # (N - n) / (N - 1) = 10 / 19, i.e. z² is replaced by k = z² · 10/19.
    k = Z95 ** 2 * 10 / 19
    p, n = 0.8, 10
    centre = (p + k / (2 * n)) / (1 + k / n)
    half = math.sqrt(k) / (1 + k / n) * math.sqrt(p * (1 - p) / n + k / (4 * n * n))
    low, high = stats.wilson_interval(8, 10, population=20)
    assert (low, high) == pytest.approx((centre - half, centre + half))
    # narrower than without the correction, and a census has no sampling error
    wide = stats.wilson_interval(8, 10)
    assert wide[0] < low and high < wide[1]
    assert stats.wilson_interval(8, 10, population=10) == (0.8, 0.8)


def test_wilson_edge_cases_and_mistakes():
    assert all(math.isnan(x) for x in stats.wilson_interval(0, 0))
    assert stats.wilson_interval(0, 5)[0] == 0.0
    assert stats.wilson_interval(5, 5)[1] == 1.0
    with pytest.raises(ParameterError):
        stats.wilson_interval(6, 5)
    with pytest.raises(ParameterError):
        stats.wilson_interval(3, 5, confidence=95)
    with pytest.raises(ParameterError):
        stats.wilson_interval(3, 5, population=4)


def test_wilson_on_the_effective_n_equals_wilson_when_the_variance_is_binomial():
    p, n = 0.3, 40
    se = math.sqrt(p * (1 - p) / n)
    low, high = stats.wilson_from_se(p, se)
    assert (float(low), float(high)) == pytest.approx(stats.wilson_interval(12, 40))
    assert tuple(map(float, stats.wilson_from_se(0.4, 0.0))) == (0.4, 0.4)


# -------------------------------------------------------------------- t interval


def test_mean_interval_matches_scipy_and_statsmodels_without_a_population():
    x = [2, 4, 4, 5, 5, np.nan]
    mean, low, high = stats.mean_interval(x)
    data = np.array([2, 4, 4, 5, 5.0])
    ref = sps.t.interval(0.95, 4, loc=data.mean(), scale=sps.sem(data))
    assert mean == 4.0
    assert (low, high) == pytest.approx(ref)
    assert (low, high) == pytest.approx(DescrStatsW(data).tconfint_mean(0.05))


def test_mean_interval_fpc_worked_by_hand():
    # values 2, 4, 4, 5, 5: mean 4, s² = (4 + 0 + 0 + 1 + 1) / 4 = 1.5, se = √(1.5/5);
    # from a roster of 10: se · √(1 - 5/10); half-width t(0.975; 4) · se
    se = math.sqrt(1.5 / 5) * math.sqrt(0.5)
    half = sps.t.ppf(0.975, 4) * se
    mean, low, high = stats.mean_interval([2, 4, 4, 5, 5], population=10)
    assert (mean, low, high) == pytest.approx((4.0, 4 - half, 4 + half))
    assert stats.mean_se([2, 4, 4, 5, 5], 10) == pytest.approx((4.0, se, 5))
    # every cooperative of the roster answered: no sampling error
    assert stats.mean_interval([2, 4, 4, 5, 5], population=5) == (4.0, 4.0, 4.0)


def test_mean_interval_needs_two_values_unless_census():
    assert math.isnan(stats.mean_interval([3.0])[1])
    assert stats.mean_interval([3.0], population=1) == (3.0, 3.0, 3.0)
    assert all(math.isnan(v) for v in stats.mean_interval([]))


def test_ratio_se_is_cochran_6_9_by_hand():
    # three respondents: satisfied answers 2, 1, 3 of 3, 2, 3 answers; N = 6.
    # R = 6/8; residuals y - R x = 2 - 2.25, 1 - 1.5, 3 - 2.25 = -0.25, -0.5, 0.75
    # v = (1 - 3/6) / (3 · (8/3)²) · (0.0625 + 0.25 + 0.5625) / 2
    v = 0.5 / (3 * (8 / 3) ** 2) * 0.875 / 2
    r, se, n = stats.ratio_se([2, 1, 3], [3, 2, 3], population=6)
    assert (r, se, n) == pytest.approx((0.75, math.sqrt(v), 3))


# -------------------------------------------------------------------- weighting


POP = pd.DataFrame({"unit": ["A"] * 10 + ["B"] * 10,
                    "group": ["x"] * 6 + ["y"] * 4 + ["x"] * 3 + ["y"] * 7})
SAMPLE = pd.DataFrame({"unit": ["A"] * 5 + ["B"] * 6,
                       "group": ["x"] * 3 + ["y"] * 2 + ["x"] * 1 + ["y"] * 5})


def test_poststratification_weights_on_a_2x2_table():
    # roster A-x 6, A-y 4, B-x 3, B-y 7; respondents 3, 2, 1, 5: weights N/n
    ps = stats.poststratify(SAMPLE, POP, by=["unit", "group"], min_cell=1)
    expected = [2.0] * 3 + [2.0] * 2 + [3.0] + [7 / 5] * 5
    assert ps.weights.tolist() == pytest.approx(expected)
    assert ps.weights.sum() == pytest.approx(20)
    assert set(ps.cells["rule"]) == {"own"}


def test_small_cells_merge_into_the_largest_cell_of_their_unit():
    # min_cell 2: B-x (1 respondent) joins B-y: B = 10 cooperatives / 6 respondents
    ps = stats.poststratify(SAMPLE, POP, by=["unit", "group"], min_cell=2)
    assert ps.weights.tolist() == pytest.approx([2.0] * 5 + [10 / 6] * 6)
    rule = ps.cells.set_index(["unit", "group"])["rule"]
    assert rule[("B", "x")] == "merged_in_unit" and rule[("B", "y")] == "own"
    # min_cell 3: A-y (2) joins A-x (3): 10 / 5 = 2, B as before
    ps = stats.poststratify(SAMPLE, POP, by=["unit", "group"], min_cell=3)
    assert ps.weights.tolist() == pytest.approx([2.0] * 5 + [10 / 6] * 6)
    assert ps.stratum_sizes.tolist() == [10.0] * 11


def test_too_small_units_are_pooled_then_merged_into_the_largest_cell():
    # min_cell 6: no cell reaches 6; A has 5 respondents in all -> pooled; B has 6 -> one
    # cell. The pool (5) is still below 6, so it joins B: 20 cooperatives / 11 respondents
    ps = stats.poststratify(SAMPLE, POP, by=["unit", "group"], min_cell=6)
    assert ps.weights.tolist() == pytest.approx([20 / 11] * 11)
    rule = ps.cells.set_index(["unit", "group"])["rule"]
    assert rule[("A", "x")] == "pooled_into_largest" and rule[("B", "x")] == "unit"


def test_a_unit_where_nobody_answered_still_counts_in_the_weights():
    pop = pd.concat([POP, pd.DataFrame({"unit": ["C"] * 5, "group": ["x"] * 5})])
    ps = stats.poststratify(SAMPLE, pop, by=["unit", "group"], min_cell=1)
    assert ps.weights.sum() == pytest.approx(25)
    assert ps.cells.set_index(["unit", "group"]).loc[("C", "x"), "rule"] == "pooled_into_largest"


def test_poststratify_mistakes():
    with pytest.raises(ParameterError):
        stats.poststratify(SAMPLE, POP, by=["unit"])
    with pytest.raises(ParameterError):
        stats.poststratify(SAMPLE, POP, by=["unit", "group"], min_cell=0)
    with pytest.raises(ParameterError):
        stats.poststratify(SAMPLE.iloc[:0], POP, by=["unit", "group"])


def test_kish_effective_n_by_hand():
    assert stats.kish_effective_n([1, 1, 1, 1]) == 4
    # (2 + 2 + 4)² / (4 + 4 + 16) = 64 / 24
    assert stats.kish_effective_n([2, 2, 4]) == pytest.approx(64 / 24)


def test_weighted_mean_matches_the_stratified_formula_by_hand():
    # two post-strata: h1 N=6, values 3, 4, 5 (w = 2); h2 N=4, values 2, 4 (w = 2)
    y = np.array([3, 4, 5, 2, 4.0])
    w = np.array([2, 2, 2, 2, 2.0])
    h = ["h1"] * 3 + ["h2"] * 2
    size = [6] * 3 + [4] * 2
    est = stats.weighted_mean(y, w, h, size)
    # Ȳ = Σ W_h ȳ_h = 0.6 · 4 + 0.4 · 3 = 3.6 ; DescrStatsW gives the same point value
    assert est.estimate == pytest.approx(3.6)
    assert est.estimate == pytest.approx(DescrStatsW(y, weights=w).mean)
    # v = Σ W_h² (1 - n_h/N_h) s_h² / n_h = 0.36 · 0.5 · 1 / 3 + 0.16 · 0.5 · 2 / 2
    v = 0.36 * 0.5 * 1 / 3 + 0.16 * 0.5 * 2 / 2
    assert est.se == pytest.approx(math.sqrt(v))
    assert est.df == 3  # 5 respondents - 2 strata
    assert (est.low, est.high) == pytest.approx(
        (3.6 - sps.t.ppf(0.975, 3) * math.sqrt(v), 3.6 + sps.t.ppf(0.975, 3) * math.sqrt(v)))
    assert est.n == 5 and est.n_eff == pytest.approx(5)


def test_weighted_mean_without_strata_is_the_ratio_linearization():
    # one stratum, no FPC: v = n/(n-1) Σ (w (y - ȳ_w) / Σw)²
    y, w = np.array([1.0, 3.0, 4.0]), np.array([1.0, 2.0, 1.0])
    m = (1 + 6 + 4) / 4
    z = w * (y - m) / 4
    v = 3 / 2 * ((z - z.mean()) ** 2).sum()
    est = stats.weighted_mean(y, w)
    assert (est.estimate, est.se) == pytest.approx((m, math.sqrt(v)))
    assert est.n_eff == pytest.approx(16 / 6)


def test_missing_values_are_a_domain_not_dropped_from_the_design():
    # the NaN respondent stays in its stratum (n_h = 3, f_h = 3/6) but adds nothing
    y = np.array([3, 5, np.nan, 2, 4.0])
    w = np.full(5, 2.0)
    h = ["h1"] * 3 + ["h2"] * 2
    est = stats.weighted_mean(y, w, h, [6] * 3 + [4] * 2)
    assert est.estimate == pytest.approx((2 * 3 + 2 * 5 + 2 * 2 + 2 * 4) / 8)
    assert est.n == 4


def test_weighted_proportion_of_single_answers_is_the_stratified_share():
    s = np.array([1, 1, 0, 1, 0.0])
    w = np.array([2, 2, 2, 2, 2.0])
    h = ["h1"] * 3 + ["h2"] * 2
    est = stats.weighted_proportion(s, w, strata=h, stratum_sizes=[6] * 3 + [4] * 2)
    # P = 0.6 · 2/3 + 0.4 · 1/2 = 0.6; s_h² of 0/1 values: 1/3 and 1/2
    v = 0.36 * 0.5 * (1 / 3) / 3 + 0.16 * 0.5 * (1 / 2) / 2
    assert est.estimate == pytest.approx(0.6)
    assert est.se == pytest.approx(math.sqrt(v))
    low, high = stats.wilson_from_se(0.6, math.sqrt(v))
    assert (est.low, est.high) == pytest.approx((float(low), float(high)))


# ------------------------------------------------------------------- reliability


# A small worked example: 5 respondents, 3 items. Item variances (divisor n - 1):
# a = 1,2,3,4,5 -> 2.5 ; b = 2,2,3,5,4 -> 1.7 ; c = 1,3,3,4,5 -> 2.2
# total score 4,7,9,13,14 -> mean 9.4, variance (29.16+5.76+0.16+12.96+21.16)/4 = 17.3
# alpha = 3/2 · (1 - (2.5 + 1.7 + 2.2) / 17.3) = 1.5 · 10.9 / 17.3
ITEMS = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 4], "c": [1, 3, 3, 4, 5]})
ALPHA = 1.5 * 10.9 / 17.3


def test_cronbach_alpha_on_a_worked_example():
    alpha, (low, high) = stats.cronbach_alpha(ITEMS)
    assert alpha == pytest.approx(ALPHA)
    # Feldt: 1 - (1 - α) F(1 - γ/2; n-1, (n-1)(k-1)) and with F(γ/2)
    f_hi, f_lo = sps.f.ppf(0.975, 4, 8), sps.f.ppf(0.025, 4, 8)
    assert (low, high) == pytest.approx((1 - (1 - ALPHA) * f_hi, 1 - (1 - ALPHA) * f_lo))
    assert stats.feldt_interval(ALPHA, 5, 3) == pytest.approx((low, high))


def test_cronbach_alpha_pairwise_uses_each_pair_s_complete_answers():
    data = ITEMS.astype(float).copy()
    data.loc[0, "a"] = np.nan
    data.loc[3, "c"] = np.nan
    # covariance matrix computed pair by pair with numpy, from the rows with both answers
    cols = list(data)
    cov = np.zeros((3, 3))
    for i, x in enumerate(cols):
        for j, y in enumerate(cols):
            both = data[[x, y]].dropna().to_numpy()
            cov[i, j] = np.cov(both[:, 0], both[:, 1], ddof=1)[0, 1]
    expected = 3 / 2 * (1 - np.trace(cov) / cov.sum())
    alpha, _ = stats.cronbach_alpha(data, nan_policy="pairwise")
    assert alpha == pytest.approx(expected)
    # listwise keeps respondents 2, 3, 5 only: the item-variance formula on them
    kept = data.dropna()
    total = kept.sum(axis=1)
    listwise = 1.5 * (1 - kept.var(ddof=1).sum() / total.var(ddof=1))
    assert stats.cronbach_alpha(data, nan_policy="listwise")[0] == pytest.approx(listwise)
    assert listwise != pytest.approx(expected)


def test_cronbach_alpha_degenerate_cases_and_mistakes():
    assert math.isnan(stats.cronbach_alpha(ITEMS[["a"]])[0])
    assert math.isnan(stats.cronbach_alpha(ITEMS.iloc[:1])[0])
    with pytest.raises(ParameterError):
        stats.cronbach_alpha(ITEMS, nan_policy="drop")


# ----------------------------------------------------------------- suppression


def _system(r: int, c: int, margins: str) -> list[list[tuple[int, int]]]:
    """The published relations of an r × c table with its totals (test's own copy)."""
    lines = []
    if margins in ("both", "rows"):
        lines += [[(i, j) for j in range(c + 1)] for i in range(r + (margins == "both"))]
    if margins in ("both", "columns"):
        lines += [[(i, j) for i in range(r + 1)] for j in range(c + (margins == "both"))]
    return lines


def _hidden_entries(sup: stats.Suppression) -> set[tuple[int, int]]:
    cells = sup.cells.to_numpy()
    r, c = cells.shape
    out = {(i, j) for i in range(r) for j in range(c) if cells[i, j]}
    out |= {(i, c) for i, h in enumerate(sup.row_totals) if h}
    out |= {(r, j) for j, h in enumerate(sup.column_totals) if h}
    if sup.grand_total:
        out.add((r, c))
    return out


def _recoverable(hidden: set, lines: list) -> set:
    """Hidden entries fixed by the published relations: entry h is determined iff adding
    the unit vector e_h to the relations' rows (restricted to hidden entries) does not
    raise the rank (numpy matrix_rank, not the library's null space)."""
    order = sorted(hidden)
    pos = {e: k for k, e in enumerate(order)}
    a = np.array([[1.0 if e in line else 0.0 for e in order] for line in lines
                  if any(e in pos for e in line)])
    if a.size == 0:
        return set()
    base = np.linalg.matrix_rank(a)
    out = set()
    for e in order:
        unit = np.zeros(len(order))
        unit[pos[e]] = 1
        if a[:, pos[e]].any() and np.linalg.matrix_rank(np.vstack([a, unit])) == base:
            out.add(e)
    return out


def _single_line_leaks(hidden: set, lines: list) -> list:
    return [line for line in lines if sum(e in hidden for e in line) == 1]


def test_a_naive_rule_leaks_a_small_cell_by_subtraction_and_the_classic_rule_does_not():
    # district × answer table, published with row and column totals
    t = pd.DataFrame([[12, 3, 9], [8, 7, 6], [10, 11, 20]], index=["D1", "D2", "D3"],
                     columns=["x", "y", "z"])
    lines = _system(3, 3, "both")
    naive = {(0, 1)}  # only the cell below 5
    assert _single_line_leaks(naive, lines)           # 24 - 12 - 9 = 3 recovered
    assert (0, 1) in _recoverable(naive, lines)
    sup = stats.suppress_table(t, min_n=5)
    # row D1: complement 9 (smallest other); column y: complement 7 (D2);
    # row D2 then has one hidden cell: complement 6 (D2, z); column z: 9 and 6 hidden
    expected = pd.DataFrame([[False, True, True], [False, True, True], [False, False, False]],
                            index=t.index, columns=t.columns)
    pd.testing.assert_frame_equal(sup.cells, expected)
    assert sup.reason.loc["D1", "y"] == "primary" and sup.reason.loc["D2", "z"] == "secondary"
    hidden = _hidden_entries(sup)
    assert not _single_line_leaks(hidden, lines) and not _recoverable(hidden, lines)
    assert not sup.row_totals.any() and not sup.column_totals.any() and not sup.grand_total


def test_city_total_under_districts_needs_a_second_district_withheld():
    # respondents per district; the city (column total) is published. 318 has 1.
    n = pd.DataFrame({"INDEX": [10, 14, 7, 7, 73, 1]},
                     index=["303", "304", "308", "309", "311", "318"])
    sup = stats.suppress_table(n, min_n=5, margins="columns")
    # the smallest other district (308, first of the two with 7) is withheld with 318
    assert sup.cells["INDEX"].tolist() == [False, False, True, False, False, True]
    assert sup.reason.loc["308", "INDEX"] == "secondary"
    assert not sup.column_totals.any()


def test_zero_cells_are_never_complements_and_a_lonely_cell_hides_its_total():
    # row A: the only non-zero cell is small: the row total equals it, so the total goes
    t = pd.DataFrame([[3, 0, 0], [6, 8, 9], [7, 5, 10]], index=list("ABC"), columns=list("xyz"))
    sup = stats.suppress_table(t, min_n=5)
    assert not sup.cells.loc["A", ["y", "z"]].any()
    assert sup.row_totals["A"]
    hidden = _hidden_entries(sup)
    lines = _system(3, 3, "both")
    assert not _single_line_leaks(hidden, lines) and not _recoverable(hidden, lines)


def test_a_cell_bridging_two_withheld_blocks_is_protected_by_the_algebra_check():
    # every row and column has two withheld cells, yet (1, 2) is fixed:
    # rows 0+1 minus columns 0+1 leave exactly that cell.
    t = pd.DataFrame(np.full((4, 4), 20), index=list("abcd"), columns=list("ABCD"))
    pattern = {(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 2), (2, 3), (3, 2), (3, 3)}
    primary = pd.DataFrame(False, index=t.index, columns=t.columns)
    for i, j in pattern:
        primary.iat[i, j] = True
    lines = _system(4, 4, "both")
    assert not _single_line_leaks(pattern, lines)
    assert (1, 2) in _recoverable(pattern, lines)
    sup = stats.suppress_table(t, min_n=5, primary=primary)
    hidden = _hidden_entries(sup)
    assert pattern <= hidden
    assert not _recoverable(hidden, lines)


def test_suppress_table_mistakes():
    with pytest.raises(ParameterError):
        stats.suppress_table(pd.DataFrame([[1]]), margins="diagonal")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.integers(2, 5).flatmap(lambda r: hs.integers(2, 5).flatmap(
    lambda c: hs.lists(hs.lists(hs.integers(0, 12), min_size=c, max_size=c),
                       min_size=r, max_size=r))),
    hs.sampled_from(["both", "columns", "rows"]))
def test_suppression_never_leaves_a_recoverable_cell(rows, margins):
    t = pd.DataFrame(rows)
    sup = stats.suppress_table(t, min_n=5, margins=margins)
    hidden = _hidden_entries(sup)
    r, c = t.shape
    lines = _system(r, c, margins)
    # every primary cell is withheld
    small = (t > 0) & (t < 5)
    assert sup.cells[small].fillna(True).all().all()
    # no relation has exactly one withheld entry, and no combination of them fixes one
    assert not _single_line_leaks(hidden, lines)
    assert not _recoverable(hidden, lines)


# ------------------------------------------------------------------ properties


@settings(max_examples=200, deadline=None)
@given(hs.integers(1, 500).flatmap(lambda n: hs.tuples(
    hs.integers(0, n), hs.just(n), hs.one_of(hs.none(), hs.integers(n, 2000)),
    hs.sampled_from([0.8, 0.9, 0.95, 0.99]))))
def test_wilson_interval_contains_the_observed_share(case):
    s, n, population, conf = case
    low, high = stats.wilson_interval(s, n, conf, population)
    assert 0 <= low <= s / n + 1e-12 and s / n - 1e-12 <= high <= 1


@settings(max_examples=200, deadline=None)
@given(hs.lists(hs.floats(1, 5, allow_nan=False), min_size=2, max_size=60),
       hs.integers(0, 100))
def test_mean_interval_contains_the_mean(values, extra):
    mean, low, high = stats.mean_interval(values, population=len(values) + extra)
    assert low - 1e-9 <= mean <= high + 1e-9


@settings(max_examples=150, deadline=None)
@given(hs.lists(hs.tuples(hs.sampled_from("ABCD"), hs.sampled_from("xyz"), hs.integers(1, 9),
                          hs.integers(0, 9)), min_size=1, max_size=10),
       hs.integers(1, 6))
def test_weights_sum_to_the_population(cells, min_cell):
    pop, smp = [], []
    for unit, group, size, answered in cells:
        pop += [(unit, group)] * size
        smp += [(unit, group)] * min(answered, size)
    if not smp:
        smp = [pop[0]]
    ps = stats.poststratify(pd.DataFrame(smp, columns=["u", "g"]),
                            pd.DataFrame(pop, columns=["u", "g"]), by=["u", "g"],
                            min_cell=min_cell)
    assert ps.weights.sum() == pytest.approx(len(pop))
    assert (ps.weights > 0).all()


# ------------------------------------------------------------- reading the figures


def test_tiers_compare_the_value_as_printed():
    tiers = DEFAULT_TIERS  # Tốt >= 80, Khá 65-<80, Trung bình 50-<65, Yếu < 50
    values = [80.0, 79.96, 79.94, 65.0, 64.9, 50.0, 49.96, 12.0, np.nan]
    # 79.96 prints as 80,0 (Tốt); 49.96 prints as 50,0 (Trung bình)
    assert stats.tier_of(values, tiers) == ["tot", "tot", "kha", "kha", "trung_binh",
                                            "trung_binh", "trung_binh", "yeu", None]


def test_change_between_rounds_by_hand():
    change, low, high, sig = stats.change_interval([72.0, 70.5], [1.0, 1.0],
                                                   [70.0, 70.0], [1.5, 1.5])
    half = Z95 * math.sqrt(1 + 2.25)
    assert change.tolist() == [2.0, 0.5]
    assert (low[0], high[0]) == pytest.approx((2 - half, 2 + half))
    assert sig.tolist() == [False, False]
    assert stats.change_interval(75.0, 1.0, 70.0, 1.0)[3]


def test_relative_standard_error_and_the_unreliable_flag():
    assert stats.relative_se([2.0, 1.0, 1.0], [10.0, 0.0, np.nan])[0] == 0.2
    assert stats.unreliable([2.0, 3.0], [10.0, 10.0], 0.25).tolist() == [False, True]


def test_rank_ranges_are_joint_and_honest():
    # 3 units: 3 pairs, Bonferroni z = Φ⁻¹(1 − 0.05 / 6) = 2.394 (by hand from the table)
    assert stats.joint_z(3) == pytest.approx(sps.norm.ppf(1 - 0.05 / 6))
    est = pd.Series({"A": 80.0, "B": 60.0, "C": 59.9, "D": np.nan})
    se = pd.Series({"A": 0.1, "B": 5.0, "C": 5.0, "D": 1.0})
    rr = stats.rank_ranges(est, se)
    # A − B = 20 > 2.394 × √(0.01 + 25) = 11.97: A is surely ahead of B and C
    assert rr.loc["A"].tolist() == [1, 1, 1]
    assert rr.loc["B", "rank"] == 2 and rr.loc["C", "rank"] == 3
    # B − C = 0.1 < 2.394 × √50: B and C may swap
    assert (rr.loc["B", "rank_low"], rr.loc["B", "rank_high"]) == (2, 3)
    assert (rr.loc["C", "rank_low"], rr.loc["C", "rank_high"]) == (2, 3)
    assert rr.loc["D"].isna().all()
    pd.testing.assert_frame_equal(rr, stats.rank_ranges(est, se))


def test_rank_range_separates_two_units_only_beyond_the_joint_margin():
    # two units, one pair: z = 1.96; the difference's se = √2 → margin 2.77
    margin = sps.norm.ppf(0.975) * math.sqrt(2)
    close = stats.rank_ranges(pd.Series([2.7, 0.0]), pd.Series([1.0, 1.0]))
    assert close[["rank_low", "rank_high"]].iloc[0].tolist() == [1, 2]
    assert 2.7 < margin < 2.8
    far = stats.rank_ranges(pd.Series([2.8, 0.0]), pd.Series([1.0, 1.0]))
    assert far[["rank_low", "rank_high"]].iloc[0].tolist() == [1, 1]
    assert far[["rank_low", "rank_high"]].iloc[1].tolist() == [2, 2]


def test_joint_rank_ranges_are_wider_than_one_pair_at_a_time():
    # 10 units 3 apart, se 1: neighbours differ by 3 (se √2): at the joint level
    # (45 pairs, z = 3.26, margin 4.6) neighbours overlap, two apart (6) do not
    est = pd.Series(np.arange(10, 0, -1) * 3.0)
    rr = stats.rank_ranges(est, pd.Series(np.ones(10)))
    assert stats.joint_z(10) * math.sqrt(2) == pytest.approx(4.61, abs=0.01)
    assert rr["rank_low"].tolist() == [1, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert rr["rank_high"].tolist() == [2, 3, 4, 5, 6, 7, 8, 9, 10, 10]


def test_holm_and_benjamini_hochberg_match_statsmodels():
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(4)
    p = np.concatenate([rng.uniform(0, 0.01, 5), rng.uniform(0, 1, 30)])
    for ours, theirs in (("holm", "holm"), ("bh", "fdr_bh")):
        expected = multipletests(p, alpha=0.05, method=theirs)[1]
        np.testing.assert_allclose(stats.adjust_p(p, ours), expected)
    # by hand: p = 0.01, 0.04, 0.03 → Holm 3·0.01, max(0.03, 2·0.03), max(.., 1·0.04)
    np.testing.assert_allclose(stats.adjust_p([0.01, 0.04, 0.03], "holm"), [0.03, 0.06, 0.06])
    # BH: sorted 0.01, 0.03, 0.04 → 3·0.01/1, 3·0.03/2, 3·0.04/3 = 0.03, 0.045, 0.04 → 0.04
    np.testing.assert_allclose(stats.adjust_p([0.01, 0.04, 0.03], "bh"), [0.03, 0.04, 0.04])
    # NaN is not part of the family
    got = stats.adjust_p([0.01, np.nan, 0.04], "holm")
    assert np.isnan(got[1]) and got[0] == pytest.approx(0.02)
    with pytest.raises(ParameterError):
        stats.adjust_p([0.1], "bonferroni-ish")


@settings(max_examples=60, deadline=None)
@given(p=hs.lists(hs.floats(0, 1), min_size=1, max_size=40))
def test_a_verdict_is_never_given_above_the_level(p):
    for method in ("holm", "bh"):
        adj = stats.adjust_p(p, method)
        assert (adj >= np.asarray(p) - 1e-12).all()       # never smaller than p
        flags = stats.verdicts(np.ones(len(p)), adj, 0.05)
        assert all(f == "similar" for f, a in zip(flags, adj) if a >= 0.05)


def test_comparison_with_the_rest_adds_the_two_variances():
    diff, low, high, p = stats.compare_with_rest([70.0], [3.0], [66.0], [4.0], 0.95)
    # se of the difference √(9 + 16) = 5; z = 4/5 = 0.8
    assert diff[0] == 4.0
    assert low[0] == pytest.approx(4 - 1.959964 * 5, abs=1e-5)
    assert p[0] == pytest.approx(2 * (1 - sps.norm.cdf(0.8)))


def test_rest_means_equal_the_weighted_mean_of_everyone_else():
    rng = np.random.default_rng(1)
    n = 300
    g = rng.choice(list("ABCDE"), n)
    cell = np.where(rng.random(n) < 0.1, "pool", np.char.add(g.astype(str),
                                                              rng.choice(["x", "y"], n)))
    v = rng.integers(1, 6, n).astype(float)
    v[rng.random(n) < 0.2] = np.nan
    w = rng.uniform(1, 3, n)
    got = stats.rest_means(v, w, cell, g)
    for k in "ABCDE":
        keep = g != k
        ref = stats.weighted_mean(v[keep], w[keep], cell[keep])
        assert got.loc[k, "estimate"] == pytest.approx(ref.estimate)
        assert got.loc[k, "se"] == pytest.approx(ref.se)
        assert got.loc[k, "n"] == ref.n


def test_confidence_is_checked():
    with pytest.raises(ParameterError):
        stats.z_value(1.0)
    assert stats.z_value(0.95) == pytest.approx(sps.norm.ppf(0.975))


# ------------------------------------------------------------ settings from the config


def test_statistics_settings_come_from_the_configuration(tmp_path):
    from hailong.core.errors import ConfigError
    from hailong.reference.config import StatsSettings, load_config, stats_settings

    cfg = load_config()
    assert cfg.stats.confidence == 0.95 and cfg.stats.secondary_suppression
    assert [t.id for t in cfg.stats.tiers] == ["tot", "kha", "trung_binh", "yeu"]
    assert cfg.themes is not None and cfg.themes.name == "themes.yaml"
    custom = stats_settings({"confidence": 0.9, "min_cell": 3, "tiers": [
        {"id": "low", "min": 0, "vi": "Thấp", "en": "Low"},
        {"id": "high", "min": 70, "vi": "Cao", "en": "High"}]})
    assert custom.confidence == 0.9 and custom.min_cell == 3
    assert [t.id for t in custom.tiers] == ["high", "low"]       # highest first
    assert stats_settings(None) == StatsSettings()
    assert cfg.stats.ranked == ("index",)  # what the reports show
    assert stats_settings({"ranked": ["overall", "index"]}).ranked == ("index", "overall")
    assert stats_settings({"ranked": "dimension"}).ranked == ("dimension",)
    for bad in ({"confidence": 95}, {"rse_threshold": 0}, {"min_cell": 0},
                {"tiers": [{"id": "x"}]}, {"group_n": 1}, {"min_index_share": 1.5},
                {"ranked": ["item"]},
                {"ranked": {"index": True}}):
        with pytest.raises(ConfigError):
            stats_settings(bad)


def test_spearman_brown_of_two_items_with_fisher_interval():
    a, b = [1, 2, 3, 4, 5, np.nan], [2, 1, 4, 3, 5, 4]
    rho, (low, high), n = stats.spearman_brown(pd.DataFrame({"a": a, "b": b}))
    # complete pairs: 5; r = 8 / √(10 · 10) = 0.8; ρ = 1.6 / 1.8
    assert n == 5 and rho == pytest.approx(1.6 / 1.8)
    ci = sps.pearsonr(a[:5], b[:5]).confidence_interval(0.95)   # Fisher's z, as ours
    assert low == pytest.approx(2 * ci.low / (1 + ci.low))
    assert high == pytest.approx(2 * ci.high / (1 + ci.high))
    assert np.isnan(stats.spearman_brown(pd.DataFrame({"a": a[:3], "b": b[:3]}))[0])
    with pytest.raises(ParameterError):
        stats.spearman_brown(pd.DataFrame({"a": a, "b": b, "c": b}))


def test_feldt_interval_of_a_pairwise_alpha_rests_on_complete_answers():
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 1, 4, 3, 5, np.nan],
                          "c": [1, 2, 4, 4, 5, np.nan]})
    alpha, (low, high) = stats.cronbach_alpha(items, "pairwise")
    # 5 respondents answered all three: F(4, 8)
    assert (low, high) == pytest.approx(stats.feldt_interval(alpha, 5, 3))
