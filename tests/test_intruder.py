"""The intruder test (issue 12): no withheld cell can be worked out from what is published.

``tests/intruder.py`` reads every number a round publishes as linear constraints on the
units' unknown counts and bounds each withheld count by linear programming (its
docstring gives the model and the rule). Here: hand-made leaking tables it must catch and
a safe one it must pass (fast), then the sample rounds 2022 and 2025 (slow): their
committed reference figures (every HTML table, every workbook cell) and a fresh build with
its open-data files.
"""

from __future__ import annotations

import json

import pytest

from backtest import reference_path, split_open_data
from intruder import DIST, Problem, Target, check, intervals, published_problem, summary

LABELS = ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"]
AREA = "Lĩnh vực A"


# --- The checker on hand-made tables ----------------------------------------------------
def _row_with_total(cells: dict[str, int | None], respondents: int) -> Problem:
    """One unit's counts over categories with the total published (the published ones
    plus 2); ``None`` = withheld (a target). Every count is at most the unit's
    respondents."""
    p = Problem(min_n=5)
    for name in cells:
        p.var(name, respondents)
    p.equal(dict.fromkeys(cells, 1.0), sum(v or 0 for v in cells.values()) + 2)
    for name, value in cells.items():
        if value is None:
            p.targets.append(Target({name: 1.0}, "hand", "B", "item", name, respondents))
        else:
            p.equal({name: 1.0}, value)
    return p


def test_a_difference_attack_determines_the_withheld_cell():
    # published: 3 + 1 + "—" = 6 (the withheld cell is 2, worked out by subtraction)
    p = _row_with_total({"x": None, "y": 3, "z": 1}, respondents=4)
    assert intervals(p) == [(2, 2)]
    [finding] = check(p).findings
    assert (finding.kind, finding.unit, finding.category, finding.low, finding.high) == (
        "determined", "B", "x", 2, 2)


def test_two_withheld_cells_with_slack_pass():
    # x_B + x_C = 4 published, each unit has 4 respondents: each lies anywhere in 0..4
    p = Problem(min_n=5)
    p.var("xB", 4)
    p.var("xC", 4)
    p.equal({"xB": 1, "xC": 1}, 4)
    p.targets += [Target({"xB": 1}, "hand", "B", "item", "5", 4),
                  Target({"xC": 1}, "hand", "C", "item", "5", 4)]
    assert intervals(p) == [(0, 4), (0, 4)]
    assert check(p).findings == []


def test_narrow_is_judged_against_the_width_and_the_units_own_range():
    # a unit of 3 respondents with a count known to be 2 or 3: narrower than 2 answers
    p = Problem(min_n=5)
    p.var("x", 3)
    p.add({"x": 1}, 2, 3)
    p.targets.append(Target({"x": 1}, "hand", "B", "item", "5", 3))
    [finding] = check(p).findings
    assert (finding.kind, finding.low, finding.high) == ("narrow", 2, 3)
    assert check(p, width=1).findings == []
    # a complement (6 respondents) known to within 1 is the protection working
    p.upper["x"] = 6
    p.targets[0].respondents = 6
    assert check(p).findings == []


# --- The published figures as constraints: a tiny round -----------------------------------
def _round(units: dict[str, tuple[int, dict[int, int]]],
           hidden: dict[str, tuple[int, dict[int, int]]], decimals: int | None = 3,
           pages: dict | None = None) -> dict:
    """A round's figures as the back test stores them: the workbook's summary and
    answer-distribution sheets for one item ``1.1`` of area A. ``units`` (published) and
    ``hidden`` (withheld): code -> (respondents, answers by value); the city row counts
    both (the build's distribution of the city is the plain sum). Shares rounded to
    ``decimals`` (None: full float precision)."""
    head = ["Mã", "Đơn vị", "Lĩnh vực", "Câu", "Nội dung câu hỏi", "Số HTX trả lời", *LABELS]
    dist = [["t"], ["note"], [None], head]
    summary = [["t"], ["note"], [None], ["Mã", "Đơn vị", "Số HTX trả lời", "Chỉ số (0–100)"]]
    city: dict[int, int] = {}

    def shares(answers):
        n = sum(answers.values())
        values = [answers.get(k, 0) / n for k in range(1, 6)]
        return n, [v if decimals is None else round(v, decimals) for v in values]

    for code, (respondents, answers) in {**units, **hidden}.items():
        name = f"Xã {code}"
        for k, v in answers.items():
            city[k] = city.get(k, 0) + v
        if code in hidden:
            summary.append([code, name, respondents, "—"])
            dist += [[code, name, AREA, None, AREA, "—", *["—"] * 5],
                     [code, name, AREA, "1.1", "q", "—", *["—"] * 5]]
            continue
        summary.append([code, name, respondents, 70.0])
        n, s = shares(answers)
        dist += [[code, name, AREA, None, AREA, respondents, *s],
                 [code, name, AREA, "1.1", "q", n, *s]]
    total = sum(r for r, _ in [*units.values(), *hidden.values()])
    summary.append([None, "Thành phố", total, 70.0])
    n, s = shares(city)
    dist += [[None, "Thành phố", AREA, None, AREA, total, *s],
             [None, "Thành phố", AREA, "1.1", "q", n, *s]]
    intro = [["Số HTX trả lời tối thiểu để công bố một số liệu", 5]]
    return {"bang-so-lieu.xlsx": {"Giới thiệu": intro, "Tổng hợp": summary, DIST: dist},
            **(pages or {})}


def _findings(figures, **kw):
    problem, _ = published_problem(json.loads(json.dumps(figures)))
    return [(f.kind, f.unit, f.measure, f.category, f.low, f.high)
            for f in check(problem, **kw).findings]


def test_group_attribute_of_a_complement_pair_is_caught():
    # Bạch Long Vĩ's case: a unit of 1 respondent and its complement of 7; the city minus
    # the published unit leaves their 8 answers, all "5": each one's answer is known.
    figures = _round({"A": (20, {3: 4, 4: 10, 5: 6})},
                           {"B": (1, {5: 1}), "C": (7, {5: 7})})
    found = _findings(figures)
    assert ("determined", "B", "1.1", "Rất hài lòng", 1, 1) in found
    assert ("determined", "C", "1.1", "Rất hài lòng", 7, 7) in found
    assert ("determined", "B", AREA, "Rất hài lòng", 1, 1) in found
    assert {f[1] for f in found} == {"B", "C"}


def test_a_pooled_pair_with_two_answers_protects_the_unit_of_one():
    # the same, but the 8 answers are 7 × "5" and 1 × "4": B's answer is 4 or 5
    figures = _round({"A": (20, {3: 4, 4: 10, 5: 6})},
                           {"B": (1, {5: 1}), "C": (7, {4: 1, 5: 6})})
    assert _findings(figures) == []


def test_a_withheld_group_smaller_than_min_n_is_exposed_by_its_zeros_and_its_total():
    # two primary units (1 + 2 respondents): their pooled 3 answers are all "4"
    figures = _round({"A": (20, {3: 4, 4: 10, 5: 6})},
                           {"B": (1, {4: 1}), "C": (2, {4: 2})})
    found = _findings(figures)
    assert ("determined", "B+C", "1.1", "Hài lòng", 3, 3) in found
    assert ("zero", "B+C", "1.1", "Rất hài lòng", 0, 0) in found
    assert ("zero", "B", "1.1", "Bình thường", 0, 0) in found


def test_shares_with_too_many_decimals_pin_a_count():
    # A: 1801 "5" and 1199 "4" of 3000; B (withheld, 3 respondents): 1 "5", 2 "4". At
    # the reports' precision (0.1 point) A's 60.0% and 40.0% and the city's 60.0% and
    # 40.0% of 3003 leave B's "5" anywhere in 0..3; at full precision 1802 - 1801 gives
    # B's 1 exactly (and its two "4"). (Whatever the precision, the city's 3003 answers
    # minus A's 3000 tell that all 3 of B answered: a zero "no answer" of a group of 3.)
    units = {"A": (3000, {5: 1801, 4: 1199})}
    hidden = {"B": (3, {5: 1, 4: 2})}
    assert _findings(_round(units, hidden, decimals=3)) == [
        ("zero", "B", AREA, "no answer", 0, 0), ("zero", "B", "1.1", "no answer", 0, 0)]
    found = _findings(_round(units, hidden, decimals=None))
    assert ("determined", "B", "1.1", "Rất hài lòng", 1, 1) in found
    assert ("determined", "B", "1.1", "Hài lòng", 2, 2) in found


def test_a_withheld_units_figure_printed_in_another_table_is_caught():
    trend = [["Đơn vị", "2021", "2022", "Thay đổi so với năm 2021 (điểm)"],
             ["Xã A", "67,5", "70,1", "+2,6"], ["Xã B", "60,2", "67,8", "+7,6"],
             ["Xã C", "—", "—", "—"]]
    coverage = [["Đơn vị", "Số HTX trong danh sách", "Số HTX trả lời", "Tỷ lệ tham gia"],
                ["Xã B", "3", "3", "100,0%"]]
    pages = {"city.html": {"tables": [coverage, trend], "text_numbers": []}}
    figures = _round({"A": (20, {3: 4, 4: 10, 5: 6})},
                           {"B": (3, {4: 3}), "C": (3, {5: 3})}, pages=pages)
    printed = [f for f in _findings(figures) if f[0] == "printed"]
    assert printed == [("printed", "B", "2021", "60,2", 0, 0),
                       ("printed", "B", "2022", "67,8", 0, 0),
                       ("printed", "B", "Thay đổi so với năm 2021 (điểm)", "+7,6", 0, 0)]


def test_theme_counts_of_a_small_unit_are_worked_out_from_the_city():
    head = ["Chủ đề", "Khó khăn (30 HTX có ý kiến)"]
    city = [head, ["Vốn", "12 (40,0%)"], ["Đất", "3 (10,0%)"]]
    unit_a = [["Chủ đề", "Khó khăn (27 HTX có ý kiến)"], ["Vốn", "10 (37,0%)"],
              ["Đất", "3 (11,1%)"]]
    pages = {"city.html": {"tables": [city], "text_numbers": []},
             "A.html": {"tables": [unit_a], "text_numbers": []}}
    figures = _round({"A": (28, {4: 28})}, {"B": (3, {4: 3})}, pages=pages)
    found = _findings(figures)
    assert ("determined", "B", "Khó khăn", "Vốn", 2, 2) in found
    assert ("determined", "B", "Khó khăn", "answered", 3, 3) in found
    assert ("zero", "B", "Khó khăn", "Đất", 0, 0) in found


# --- The sample rounds --------------------------------------------------------------------
# The reference figures hold every number a sample round publishes (pages, workbook, open
# data); test_backtest.py keeps them equal to what a fresh build publishes.
@pytest.mark.parametrize("year", [2022, 2025])
def test_the_figures_a_sample_round_publishes_let_no_withheld_cell_be_worked_out(year):
    figures = json.loads(reference_path(year).read_text(encoding="utf-8"))
    pages, open_data = split_open_data(figures)
    assert any(name.endswith(".json") for name in open_data)
    problem, min_n = published_problem(pages, open_data)
    assert min_n == 5 and problem.targets
    report = check(problem)
    assert not report.findings, summary(report.findings)
