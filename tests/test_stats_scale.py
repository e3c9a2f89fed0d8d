"""The statistics stages at national scale give the same figures as before.

``hailong.numbers.stats`` replaced three methods that could not run for ~3,300 communes: the
dense null space of secondary suppression (LAPACK overflow beyond ~50,000 withheld
entries), the rank simulation's one ``draws × units`` matrix ranked by ``rankdata``
(1.7 GiB), and the per-unit loop of post-stratification. The previous implementations
are kept below, in this file only, as the reference: on every table where they run,
the new ones must give identical results. Hand-worked cases check the new methods on
their own terms.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from scipy import linalg
from scipy import stats as sps

from conftest import _CODEBOOK, small_results_inputs
from hailong.core.errors import ParameterError
from hailong.numbers import scoring, stats
from hailong.reference.codebook import load_codebook

# ------------------------------------------------------- references (previous code)
# Copied from hailong.numbers.stats before the change; docstrings dropped. Not library code.


def _ref_poststratify(sample: pd.DataFrame, population: pd.DataFrame, by: Sequence[str],
                 min_cell: int = 5) -> stats.PostStrata:
    by = list(by)
    if len(by) != 2:
        raise ParameterError("Post-strata need an outer and an inner key.", found=by,
                             expected="[unit column, group column]")
    if isinstance(min_cell, bool) or int(min_cell) < 1:
        raise ParameterError("min_cell must be a whole number of at least 1.",
                             found=min_cell)
    for name, frame in (("sample", sample), ("population", population)):
        missing = [c for c in by if c not in frame.columns]
        if missing:
            raise ParameterError(f"The {name} lacks the post-strata columns.",
                                 found=missing, expected=by)
    def key(frame: pd.DataFrame) -> pd.Series:
        return frame[by].astype("object").fillna("").astype("str").apply(tuple, axis=1)

    s_key, p_key = key(sample), key(population)
    table = pd.DataFrame({"population": p_key.value_counts(),
                          "respondents": s_key.value_counts()}).fillna(0).astype("int64")
    table = table.sort_index()
    if table["respondents"].sum() == 0:
        raise ParameterError("There are no respondents to weight.")
    target: dict[tuple, str] = {}
    rule: dict[tuple, str] = {}
    pooled: list[tuple] = []
    for unit in sorted({k[0] for k in table.index}):
        cells = table[[k[0] == unit for k in table.index]]
        kept = cells[(cells["respondents"] >= min_cell) & (cells["population"] > 0)]
        if len(kept):
            largest = kept["respondents"].idxmax()
            for k in cells.index:
                own = k in kept.index
                target[k] = "|".join(k if own else largest)
                rule[k] = "own" if own else "merged_in_unit"
        elif cells["respondents"].sum() >= min_cell and cells["population"].sum() > 0:
            for k in cells.index:
                target[k], rule[k] = unit, "unit"
        else:
            pooled += list(cells.index)
    if pooled:
        pool = table.loc[pooled]
        if pool["respondents"].sum() >= min_cell and pool["population"].sum() > 0:
            for k in pooled:
                target[k], rule[k] = stats._POOL, "pooled"
        else:
            sizes = pd.Series({c: table.loc[[k for k in target if target[k] == c],
                                            "respondents"].sum()
                               for c in dict.fromkeys(target.values())}, dtype="int64")
            into = sizes.idxmax() if len(sizes) else stats._POOL
            for k in pooled:
                target[k] = into
                rule[k] = "pooled_into_largest" if into != stats._POOL else "pooled"
    cells = table.reset_index(names="_key")
    cells["cell"] = cells["_key"].map(target)
    cells["rule"] = cells["_key"].map(rule)
    totals = cells.groupby("cell")[["population", "respondents"]].transform("sum")
    cells["cell_population"] = totals["population"]
    cells["cell_respondents"] = totals["respondents"]
    with np.errstate(divide="ignore", invalid="ignore"):
        cells["weight"] = cells["cell_population"] / cells["cell_respondents"]
    for i, col in enumerate(by):
        cells.insert(i, col, cells["_key"].map(lambda k, i=i: k[i]))
    cells = cells.drop(columns="_key")
    per_key = dict(zip(table.index, cells["cell"]))
    cell = s_key.map(per_key).rename("cell")
    w = cell.map(cells.drop_duplicates("cell").set_index("cell")["weight"]).rename("weight")
    n_c = cell.map(cells.drop_duplicates("cell").set_index("cell")["cell_population"])
    return stats.PostStrata(weights=w.astype("float64"), cell=cell,
                      stratum_sizes=n_c.astype("float64").rename("stratum_size"),
                      cells=cells)




def _ref_equations(r: int, c: int, margins: str) -> list[list[tuple[int, int]]]:
    eqs = []
    if margins in ("both", "rows"):
        last = r + 1 if margins == "both" else r
        eqs += [[(i, j) for j in range(c + 1)] for i in range(last)]
    if margins in ("both", "columns"):
        last = c + 1 if margins == "both" else c
        eqs += [[(i, j) for i in range(r + 1)] for j in range(last)]
    return eqs


def _ref_determined(hidden: list[tuple[int, int]], eqs: list[list[tuple[int, int]]]) -> list:
    if not hidden or not eqs:
        return []
    pos = {e: k for k, e in enumerate(hidden)}
    a = np.zeros((len(eqs), len(hidden)))
    for i, eq in enumerate(eqs):
        for e in eq:
            if e in pos:
                a[i, pos[e]] = 1.0
    if not a.any():
        return []
    null = linalg.null_space(a)
    if null.size == 0:
        return [e for e in hidden if a[:, pos[e]].any()]
    return [e for e in hidden if a[:, pos[e]].any() and np.abs(null[pos[e]]).max() < 1e-9]


def _ref_entries(mask: np.ndarray) -> list[tuple[int, int]]:
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(mask))]


def _ref_suppress_table(table: pd.DataFrame, min_n: int = 5, margins: str = "both",
                   primary: pd.DataFrame | None = None) -> stats.Suppression:
    if margins not in ("both", "rows", "columns", "none"):
        raise ParameterError("Unknown margins.", found=margins,
                             expected="'both', 'rows', 'columns' or 'none'")
    counts = table.apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy(dtype="float64")
    r, c = counts.shape
    ext = np.zeros((r + 1, c + 1))
    ext[:r, :c] = counts
    ext[:r, c] = counts.sum(axis=1)
    ext[r, :c] = counts.sum(axis=0)
    ext[r, c] = counts.sum()
    exists = np.zeros_like(ext, dtype=bool)
    exists[:r, :c] = True
    if margins in ("both", "rows"):
        exists[:r, c] = True
    if margins in ("both", "columns"):
        exists[r, :c] = True
    if margins == "both":
        exists[r, c] = True
    first = (ext > 0) & (ext < min_n) & exists
    if primary is not None:
        first[:r, :c] = np.asarray(primary.reindex(index=table.index, columns=table.columns)
                                   .fillna(False), dtype=bool)
    hidden = first.copy()
    eqs = _ref_equations(r, c, margins)

    def complement(line: list[tuple[int, int]]) -> tuple[int, int] | None:
        open_ = [e for e in line if exists[e] and not hidden[e] and ext[e] > 0]
        inner = [e for e in open_ if e[0] < r and e[1] < c]
        pool = inner or open_
        return min(pool, key=lambda e: (ext[e], e)) if pool else None

    while True:
        changed = False
        for line in eqs:
            # the rule: a withheld zero needs protecting but protects nothing
            withheld = sum(bool(hidden[e]) for e in line)
            protecting = sum(bool(hidden[e]) and ext[e] > 0 for e in line)
            if withheld and protecting <= 1:
                e = complement(line)
                if e is not None:
                    hidden[e] = True
                    changed = True
        if changed:
            continue
        fixed = _ref_determined(_ref_entries(hidden), eqs)
        if not fixed:
            break
        e = fixed[0]
        options = [complement([x for x in line if x != e]) for line in eqs if e in line]
        options = [o for o in options if o is not None]
        if not options:  # nothing left in its own relations: the cheapest entry that helps
            rest = sorted((x for x in _ref_entries(exists & ~hidden)),
                          key=lambda x: (ext[x] == 0, ext[x], x))
            options = [x for x in rest
                       if e not in _ref_determined(_ref_entries(hidden) + [x], eqs)][:1] or rest[:1]
        if not options:
            break
        hidden[min(options, key=lambda o: (ext[o] == 0, ext[o], o))] = True
    reason = np.where(first, stats.PRIMARY, np.where(hidden, stats.SECONDARY, ""))
    cells = pd.DataFrame(hidden[:r, :c], index=table.index, columns=table.columns)
    return stats.Suppression(
        cells=cells,
        reason=pd.DataFrame(reason[:r, :c], index=table.index, columns=table.columns),
        row_totals=pd.Series(hidden[:r, c], index=table.index),
        column_totals=pd.Series(hidden[r, :c], index=table.columns),
        grand_total=bool(hidden[r, c]),
    )



def _ref_rank_ranges(estimates: pd.Series, se: pd.Series,
                     confidence: float = 0.95) -> pd.DataFrame:
    """Klein, Wright & Wieczorek's joint ranges, pair by pair in plain Python."""
    est = pd.Series(estimates, dtype="float64")
    sd = pd.Series(se, dtype="float64").reindex(est.index).fillna(0.0)
    keep = [u for u in est.index if not np.isnan(est[u])]
    e = {u: float(est[u]) for u in keep}
    s = {u: float(sd[u]) for u in keep}
    out = pd.DataFrame(index=est.index, columns=["rank", "rank_low", "rank_high"],
                       dtype="float64")
    k = len(keep)
    z = sps.norm.ppf(1 - (1 - confidence) / (2 * max(1, k * (k - 1) // 2)))
    for i in keep:
        ahead = sum(1 for j in keep if j != i
                    and e[j] - e[i] - z * math.hypot(s[i], s[j]) > 0)
        behind = sum(1 for j in keep if j != i
                     and e[j] - e[i] + z * math.hypot(s[i], s[j]) < 0)
        out.loc[i] = [1 + sum(1 for j in keep if e[j] > e[i]), 1 + ahead, k - behind]
    return out.round().astype("Int64")


# ------------------------------------------------------------ secondary suppression


def _same_suppression(a: stats.Suppression, b: stats.Suppression) -> None:
    pd.testing.assert_frame_equal(a.cells, b.cells)
    pd.testing.assert_frame_equal(a.reason, b.reason)
    pd.testing.assert_series_equal(a.row_totals, b.row_totals)
    pd.testing.assert_series_equal(a.column_totals, b.column_totals)
    assert a.grand_total == b.grand_total


# the 4 × 4 table of tests/test_stats.py: two blocks of four withheld cells (each a
# cycle row–column–row–column) joined by the single cell (1, 2)
BRIDGED = [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 2), (2, 3), (3, 2), (3, 3)]


def _mask(entries, r: int = 4, c: int = 4) -> np.ndarray:
    m = np.zeros((r + 1, c + 1), dtype=bool)
    for e in entries:
        m[e] = True
    return m


def test_a_withheld_entry_is_fixed_exactly_when_it_lies_on_no_cycle():
    both = stats._Relations(4, 4, "both")
    # (1, 2) is the only edge between the two cycles: subtracting rows 0 + 1 and
    # columns 0 + 1 leaves it alone
    assert both.determined(_mask(BRIDGED)) == [(1, 2)]
    # with only the city under the table (rows add up to nothing), every column has
    # two or three withheld cells: nothing is fixed; likewise with only row totals
    assert stats._Relations(4, 4, "columns").determined(_mask(BRIDGED)) == []
    assert stats._Relations(4, 4, "rows").determined(_mask(BRIDGED)) == []
    # a cell withheld with its row total: its column still adds up, so the cell is
    # fixed, and then the total too (a path, no cycle)
    assert both.determined(_mask([(0, 0), (0, 4)])) == [(0, 0), (0, 4)]
    # a lonely cell, and nothing at all
    assert both.determined(_mask([(2, 1)])) == [(2, 1)]
    assert both.determined(_mask([])) == []
    # without published totals there is no relation: nothing is ever fixed
    assert stats._Relations(4, 4, "none").determined(_mask(BRIDGED)) == []


def test_an_entry_frees_a_fixed_one_when_it_closes_a_cycle_through_it():
    rel = stats._Relations(4, 4, "both")
    # sides of the bridge (1, 2): rows 0, 1 and columns 0, 1 | column 2, rows 2, 3, col 3
    candidates = [(0, 2), (0, 3), (2, 0), (3, 1), (0, 4), (4, 4), (2, 4), (4, 0)]
    # (0, 2): row 0 to column 2 closes r1–c2–r0–c1–r1; (0, 3), (2, 0), (3, 1) likewise;
    # a total joins a node outside both sides (row/column "total" nodes 4), so it does not
    assert rel.freeing(_mask(BRIDGED), (1, 2), candidates) == [(0, 2), (0, 3), (2, 0),
                                                                (3, 1)]


def _ref_relations_agree(hidden: np.ndarray, r: int, c: int, margins: str) -> None:
    expected = _ref_determined(_ref_entries(hidden), _ref_equations(r, c, margins))
    assert stats._Relations(r, c, margins).determined(hidden) == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.integers(1, 6).flatmap(lambda r: hs.integers(1, 6).flatmap(
    lambda c: hs.tuples(hs.just(r), hs.just(c),
                        hs.lists(hs.booleans(), min_size=(r + 1) * (c + 1),
                                 max_size=(r + 1) * (c + 1))))),
    hs.sampled_from(["both", "columns", "rows", "none"]))
def test_fixed_entries_are_those_of_the_dense_null_space(shape, margins):
    r, c, flags = shape
    hidden = np.array(flags).reshape(r + 1, c + 1)
    # only entries that are published can be withheld
    if margins in ("rows", "none"):
        hidden[r, :] = False
    if margins in ("columns", "none"):
        hidden[:, c] = False
    _ref_relations_agree(hidden, r, c, margins)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.integers(1, 6).flatmap(lambda r: hs.integers(1, 6).flatmap(
    lambda c: hs.lists(hs.lists(hs.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 9, 12, 30]),
                                min_size=c, max_size=c), min_size=r, max_size=r))),
    hs.sampled_from(["both", "columns", "rows", "none"]),
    hs.one_of(hs.none(), hs.randoms(use_true_random=False)))
def test_suppress_table_is_identical_to_the_dense_method(rows, margins, random):
    t = pd.DataFrame(rows, index=[f"u{i}" for i in range(len(rows))],
                     columns=[f"m{j}" for j in range(len(rows[0]))])
    primary = None
    if random is not None:  # a given primary pattern (as scoring's INDEX-first step)
        primary = pd.DataFrame([[random.random() < 0.3 for _ in row] for row in rows],
                               index=t.index, columns=t.columns)
    _same_suppression(stats.suppress_table(t, 5, margins, primary),
                      _ref_suppress_table(t, 5, margins, primary))


def _units_by_measures(seed: int, units: int, measures: int) -> pd.DataFrame:
    """Respondents per unit and measure as at commune level: ~7 per unit, a few less on
    some measures, some units without anyone."""
    rng = np.random.default_rng(seed)
    base = rng.poisson(7, units) * (rng.random(units) > 0.05)
    n = np.maximum(base[:, None] - rng.binomial(2, 0.2, (units, measures)), 0)
    return pd.DataFrame(n, index=[f"{i:05d}" for i in range(units)],
                        columns=[f"M{j:02d}" for j in range(measures)])


def _scoring_procedure(n: pd.DataFrame, suppress) -> stats.Suppression:
    """:func:`hailong.numbers.scoring._secondary`'s two steps: the first column alone, then a
    unit withheld there is withheld in every column."""
    whole = suppress(n[[n.columns[0]]], 5, "columns").cells[n.columns[0]]
    primary = (n > 0) & ((n < 5) | whole.to_numpy()[:, None])
    return suppress(n, 5, "columns", primary)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_units_by_measures_tables_are_suppressed_as_by_the_dense_method(seed):
    n = _units_by_measures(seed, 250, 13)
    _same_suppression(_scoring_procedure(n, stats.suppress_table),
                      _scoring_procedure(n, _ref_suppress_table))


@pytest.mark.parametrize("seed", [4, 5])
def test_tables_with_both_margins_are_suppressed_as_by_the_dense_method(seed):
    n = _units_by_measures(seed, 40, 8)
    _same_suppression(stats.suppress_table(n, 5, "both"), _ref_suppress_table(n, 5, "both"))


def test_a_national_table_of_3300_communes_is_protected():
    # the dense method fails here (a 50,000² system); with the city as the only total,
    # each column is one relation: a withheld entry is fixed exactly when it is the only
    # one withheld in its column (counting the city's figure)
    n = _units_by_measures(7, 3300, 13)
    sup = _scoring_procedure(n, stats.suppress_table)
    small = (n > 0) & (n < 5)
    assert sup.cells[small].fillna(True).all().all()          # every small cell withheld
    assert not sup.cells[n == 0].fillna(False).any().any()    # zeros never complements
    per_column = sup.cells.sum() + sup.column_totals.astype(int)
    assert ((per_column == 0) | (per_column >= 2)).all()
    assert per_column.min() >= 2                               # every column has some
    # a unit withheld on the first measure is withheld on all of them
    first = sup.cells[n.columns[0]]
    assert sup.cells[first & (n > 0).all(axis=1)].all().all()


# -------------------------------------------------------------------------- ranks


@settings(max_examples=200, deadline=None)
@given(hs.integers(1, 8).flatmap(lambda w: hs.lists(
    hs.lists(hs.sampled_from([-1.5, 0.0, -0.0, 2.0, 3.25, 7.0]), min_size=w, max_size=w),
    min_size=1, max_size=6)))
def test_ranks_within_rows_are_scipy_s_min_ranks_of_the_negated_values(rows):
    x = np.array(rows)  # few distinct values: many ties, 0.0 and -0.0 equal
    expected = sps.rankdata(-x, axis=1, method="min")
    np.testing.assert_array_equal(stats._min_ranks(x), expected)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.lists(hs.tuples(hs.one_of(hs.none(), hs.sampled_from([50.0, 62.5, 70.0, 71.0]),
                                    hs.floats(40, 95)),
                          hs.one_of(hs.none(), hs.sampled_from([0.0, 0.5, 3.0, 8.0]))),
                min_size=1, max_size=25),
       hs.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99]), hs.sampled_from([1, 7, 512]))
def test_rank_ranges_are_those_of_the_pair_by_pair_rule(units, conf, block):
    index = [f"u{i}" for i in range(len(units))]
    est = pd.Series([np.nan if e is None else e for e, _ in units], index=index)
    se = pd.Series([np.nan if s is None else s for _, s in units], index=index)
    previous = stats.ranks.RANK_BLOCK
    stats.ranks.RANK_BLOCK = block  # units compared at most `block` at a time
    try:
        got = stats.rank_ranges(est, se, conf)
    finally:
        stats.ranks.RANK_BLOCK = previous
    pd.testing.assert_frame_equal(got, _ref_rank_ranges(est, se, conf))


def test_rank_ranges_of_a_thousand_units_match_the_reference():
    rng = np.random.default_rng(4)
    est = pd.Series(rng.uniform(50, 90, 1000).round(1))   # rounded: equal estimates
    se = pd.Series(rng.choice([0.5, 2.0, 4.0, 6.0], 1000))
    pd.testing.assert_frame_equal(stats.rank_ranges(est, se), _ref_rank_ranges(est, se))


# ---------------------------------------------------------------- post-stratification


def _frame(counts: dict) -> pd.DataFrame:
    rows = [key for key, k in counts.items() for _ in range(k)]
    return pd.DataFrame(rows, columns=["unit", "group"])


# roster and respondents per (unit, group); min_cell 3
WORKED_POP = {("A", "x"): 10, ("A", "y"): 6, ("B", "x"): 5, ("B", "y"): 8, ("C", "x"): 4,
              ("C", "y"): 3, ("D", "x"): 3, ("D", "y"): 2, ("E", "x"): 4, ("G", "x"): 6,
              ("G", "y"): 6, ("G", "z"): 2}
WORKED_SAMPLE = {("A", "x"): 4, ("A", "y"): 2, ("B", "x"): 3, ("B", "y"): 5, ("C", "x"): 2,
                 ("C", "y"): 1, ("D", "x"): 1, ("E", "x"): 1, ("G", "x"): 4, ("G", "y"): 4,
                 ("G", "z"): 1}


def test_collapsing_within_and_across_units_worked_by_hand():
    ps = stats.poststratify(_frame(WORKED_SAMPLE), _frame(WORKED_POP), ["unit", "group"], 3)
    cells = ps.cells.set_index(["unit", "group"])
    # A: x kept (4), y (2) merged into it; B: both kept; C: no cell reaches 3 but the
    # unit has 3 -> one cell; G: x and y kept with 4 each, z (1) joins the first (x);
    # D (1) and E (1) are pooled, the pool (2) is below 3 and joins the largest cell
    # so far, A|x (6 respondents): A|x = 10 + 6 + 3 + 2 + 4 = 25 listed / 8 respondents
    assert cells["rule"].to_dict() == {
        ("A", "x"): "own", ("A", "y"): "merged_in_unit", ("B", "x"): "own",
        ("B", "y"): "own", ("C", "x"): "unit", ("C", "y"): "unit",
        ("D", "x"): "pooled_into_largest", ("D", "y"): "pooled_into_largest",
        ("E", "x"): "pooled_into_largest", ("G", "x"): "own", ("G", "y"): "own",
        ("G", "z"): "merged_in_unit"}
    assert cells["cell"].to_dict() == {
        ("A", "x"): "A|x", ("A", "y"): "A|x", ("B", "x"): "B|x", ("B", "y"): "B|y",
        ("C", "x"): "C", ("C", "y"): "C", ("D", "x"): "A|x", ("D", "y"): "A|x",
        ("E", "x"): "A|x", ("G", "x"): "G|x", ("G", "y"): "G|y", ("G", "z"): "G|x"}
    weight = {"A|x": 25 / 8, "B|x": 5 / 3, "B|y": 8 / 5, "C": 7 / 3, "G|x": 8 / 5,
              "G|y": 6 / 4}
    assert ps.weights.tolist() == pytest.approx([weight[c] for c in ps.cell])
    assert ps.stratum_sizes.tolist() == [{"A|x": 25, "B|x": 5, "B|y": 8, "C": 7, "G|x": 8,
                                          "G|y": 6}[c] for c in ps.cell]
    assert ps.weights.sum() == pytest.approx(59)  # the roster
    # with F (2 respondents of 5 listed) the pool has 1 + 1 + 2 = 4 respondents: it is its
    # own cell (3 + 2 + 4 + 5 = 14 listed / 4) and A|x is back to 16 / 6
    pop, smp = {**WORKED_POP, ("F", "x"): 5}, {**WORKED_SAMPLE, ("F", "x"): 2}
    ps = stats.poststratify(_frame(smp), _frame(pop), ["unit", "group"], 3)
    cells = ps.cells.set_index(["unit", "group"])
    assert set(cells.loc[["D", "E", "F"], "rule"]) == {"pooled"}
    assert set(cells.loc[["D", "E", "F"], "weight"]) == {14 / 4}
    assert cells.loc[("A", "y"), "weight"] == 16 / 6


def _same_strata(a: stats.PostStrata, b: stats.PostStrata) -> None:
    pd.testing.assert_series_equal(a.weights, b.weights)
    pd.testing.assert_series_equal(a.cell, b.cell)
    pd.testing.assert_series_equal(a.stratum_sizes, b.stratum_sizes)
    pd.testing.assert_frame_equal(a.cells, b.cells)


def test_the_worked_example_is_identical_to_the_unit_by_unit_loop():
    for extra in ({}, {("F", "x"): 2}):
        smp = _frame({**WORKED_SAMPLE, **extra})
        pop = _frame({**WORKED_POP, **{k: 5 for k in extra}})
        for min_cell in (1, 3, 5, 8, 30):
            _same_strata(stats.poststratify(smp, pop, ["unit", "group"], min_cell),
                         _ref_poststratify(smp, pop, ["unit", "group"], min_cell))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.lists(hs.tuples(hs.sampled_from(["303", "311", "318", "A", None]),
                          hs.sampled_from(["NN", "PNN", "QTD", None]),
                          hs.integers(0, 9), hs.integers(0, 9)), min_size=1, max_size=14),
       hs.integers(1, 7), hs.booleans())
def test_poststratify_is_identical_to_the_unit_by_unit_loop(cells, min_cell, outsider):
    pop, smp = [], []
    for unit, group, size, answered in cells:
        pop += [(unit, group)] * size
        smp += [(unit, group)] * min(answered, size)
    if outsider:  # a respondent whose cell is not in the roster
        smp.append(("999", "NN"))
    if not smp or not pop:
        return
    sample = pd.DataFrame(smp, columns=["u", "g"])
    population = pd.DataFrame(pop, columns=["u", "g"])
    _same_strata(stats.poststratify(sample, population, ["u", "g"], min_cell),
                 _ref_poststratify(sample, population, ["u", "g"], min_cell))


# ------------------------------------------------------------------------ weighting


def test_strata_given_as_codes_give_the_estimates_of_their_labels():
    rng = np.random.default_rng(2)
    labels = rng.choice(["303|NN", "311|NN", "311|PNN", "(pooled)"], 200)
    codes = pd.factorize(labels)[0]
    sizes = pd.Series(labels).map({"303|NN": 90, "311|NN": 120, "311|PNN": 60,
                                   "(pooled)": 40}).to_numpy()
    w = rng.uniform(1, 3, 200)
    y = np.where(rng.random(200) < 0.1, np.nan, rng.integers(1, 6, 200).astype(float))
    assert stats.weighted_mean(y, w, codes, sizes) == stats.weighted_mean(y, w, labels, sizes)
    s, a = rng.integers(0, 4, 200).astype(float), np.full(200, 4.0)
    assert (stats.weighted_proportion(s, w, a, codes, sizes)
            == stats.weighted_proportion(s, w, a, labels, sizes))


def test_satisfied_answers_per_respondent_are_those_of_the_grouped_table():
    codebook = load_codebook(_CODEBOOK)
    responses, _ = small_results_inputs()
    outside = responses.iloc[[0]].assign(district_code="")  # answered, unit unknown
    resp = pd.concat([responses, outside], ignore_index=True)
    units = scoring.unit_codes(resp["district_code"])
    answers = scoring._answers_long(resp, units, codebook)
    got = scoring._satisfied_by_row(answers, codebook, len(resp))
    per = scoring._per_respondent_satisfied(scoring._pooled(answers), codebook)
    assert set(got) == set(per["measure"])
    for measure, one in per.groupby("measure"):
        expected = one.groupby("row")[["s", "a"]].sum().reindex(range(len(resp)),
                                                               fill_value=0.0)
        np.testing.assert_array_equal(got[measure][0], expected["s"].to_numpy())
        np.testing.assert_array_equal(got[measure][1], expected["a"].to_numpy())
    # the respondent without a unit is outside every domain; D07 answers (2) are not
    # satisfied, so Thuỷ Nguyên's INDEX counts exclude them
    assert got[scoring.INDEX][0][-1] == 0 and got[scoring.INDEX][1][-1] == 0
    d07 = [it.id for it in codebook.items if it.dimension == "D07"]
    first = got[scoring.INDEX]
    assert first[1][0] - first[0][0] == len(d07)


def _tier_of_reference(values, tiers, decimals=1):
    """The tier of each value, one value at a time (the former implementation)."""
    order = sorted(tiers, key=lambda t: -t.lower)
    out = []
    for v in np.atleast_1d(np.asarray(values, dtype="float64")):
        if np.isnan(v):
            out.append(None)
            continue
        shown = float(stats.rounded(v, decimals)) if decimals is not None else float(v)
        out.append(next((t.id for t in order if shown >= t.lower), order[-1].id))
    return out


@settings(max_examples=200, deadline=None)
@given(hs.lists(hs.one_of(
    hs.floats(min_value=-5, max_value=105, allow_nan=False),
    hs.integers(0, 1000).map(lambda k: k / 10 + 0.05),      # exactly half a step
    hs.sampled_from([79.95, 64.95, 49.95, 80.0, 79.9499999, 65.04999, float("nan")])),
    max_size=60), hs.sampled_from([1, 0, 2, None]))
def test_tiers_match_the_value_by_value_rule(values, decimals):
    from hailong.reference.config import DEFAULT_TIERS

    assert stats.tier_of(values, DEFAULT_TIERS, decimals) == \
        _tier_of_reference(values, DEFAULT_TIERS, decimals)


def test_tiers_of_values_printed_on_a_bound():
    from hailong.reference.config import DEFAULT_TIERS

    # 79.95 is printed "80,0": Tốt; 79.94 "79,9": Khá; 49.95 "50,0": Trung bình
    assert stats.tier_of([79.95, 79.94, 49.95, 49.9, 100, 0, float("nan")], DEFAULT_TIERS) == \
        ["tot", "kha", "trung_binh", "yeu", "tot", "yeu", None]
