"""The intruder test (issue 12): can a reader of everything published narrow a withheld cell?

Used by ``tests/test_intruder.py`` only. :func:`published_problem` turns every number a
round publishes (``tests/backtest.py``: every HTML table of every page, every workbook
cell; :func:`backtest.open_data_figures`: the open-data tables) into linear constraints on
unknown per-unit counts; :func:`check` then bounds every withheld count by linear
programming (``scipy.optimize.linprog``, HiGHS) and reports those an intruder can pin down.

Model (the intruder's knowledge; sound: every constraint holds for the true counts)
-----------------------------------------------------------------------------------
Unknowns, all counts >= 0, per unit u (district or commune):

- ``c[u, m, k]``: answers ``k`` (1..5) to scored item ``m``, and ``c[u, m, 0]``: the unit's
  respondents who gave no answer to ``m`` ("no opinion" or not asked). For every item
  ``sum_k c[u, m, k] = R_u``, the unit's respondents, published for every unit (roster,
  respondents and coverage are published even for withheld units).
- ``a[u, q]``: respondents who wrote an answer to open question ``q`` (<= R_u), and
  ``t[u, q, theme]``: those naming the theme (<= a[u, q]).

Published figures and the constraints they give (a figure printed with ``d`` decimals is
known to +-0.5 * 10**-d; shares carry at least the reports' precision of 0.1 percentage
point, finer if the file stores more decimals; an integer count is exact):

- answer distributions ("Phân bố câu trả lời", workbook and open data), unit and city
  rows: item rows ``n = sum_{k>=1} c`` and ``share_k`` bounds ``c_k / n``; area rows
  bound the pooled shares ``sum_items c_k / sum_items n``. The city row is the plain sum
  over units (unweighted; docs/design.md), so it links the withheld units to the others.
- per-item figures of units ("Theo câu hỏi"): n, mean (``sum_k (k - mean) c_k`` near 0),
  index (the mean again, finer: index = 25 (mean - 1)) and share satisfied (answers 4-5);
  per-area and overall shares satisfied of units ("Hài lòng theo lĩnh vực", "Tỷ lệ hài
  lòng" of "Tổng hợp"), pooled over the area's items.
- theme tables of the pages: ``a[u, q]`` from the column header, ``t = k`` from
  ``k (x%)``; the city's column is the sum over units.
- Not constraining (said, not modelled): the city's means, indices and shares satisfied
  of the scores tables (post-stratified, weighted: a linear equation only with weights the
  reader does not have); indices of areas and of the overall index (means of each
  respondent's mean: not linear in the counts); the overall question (câu 12: no
  distribution is published); confidence intervals and ranks (not linear); trend tables of
  earlier rounds (other unknowns). Withheld units' figures printed in *any* table are
  caught directly by the ``printed`` check instead.

Integer reasoning: a constraint on one count is rounded inward (ceil / floor), and the
interval of a target count ``[min, max]`` of the linear programme is read as
``[ceil(min), floor(max)]`` (counts are whole), as an intruder would.

What is flagged (Hundepool et al., *Statistical Disclosure Control*, 2012, §4.2–4.3, the
protection interval; τ-ARGUS' default of zero cells as safe):

- targets: every withheld count — each answer count ``c[u, m, k]`` (k = 0..5) of an
  item or area row shown "—", every unpublished theme count and ``a[u, q]`` of a unit
  whose theme cell is withheld — plus, per item / theme, the pooled count over all
  withheld units when they have fewer than ``min_n`` respondents together (a group too
  small to publish; a pooled group of at least ``min_n`` is publishable and not a target);
- ``determined``: the intruder's interval is one value, and it is positive;
- ``narrow``: a target of fewer than ``min_n`` respondents (a primary unit, an item or
  open question whose printed number of answers is below ``min_n``, or a pooled group)
  whose interval spans fewer than ``width`` answers (default 2: at least three
  possible counts), or fewer than its a-priori range ``0..R`` when that is smaller (a unit
  of one respondent: the interval must stay 0..1), and whose lower end is positive — "at
  least ``lo`` of this unit gave answer ``k``". A unit of ``min_n`` or more respondents is
  withheld only as a complement: its figure could have been published, so only its exact
  determination is flagged (``complement_width`` 1). A complement is always known to within
  the size of the primary it protects (a pooled pair minus a unit of one respondent: +-1);
  that is the protection working, not a leak;
- ``zero``: a target pinned to 0 when all withheld units of its table, measure and
  category have fewer than ``min_n`` respondents together — a zero resting on too few
  answers (issue 12: "zeros resting on fewer than min_n answers are not shown");
- ``printed``: a withheld unit's row carries a figure (not roster, respondents,
  coverage) in an HTML table, the workbook or an open-data file.

Otherwise an interval with lower end 0 is not flagged ("at most ``hi`` of the unit gave
``k``"): a zero of a group of at least ``min_n`` — the city's own distribution, or the
pooled withheld units — forces the same zero on every member, which no table of groups can
avoid; such pinned zeros are counted in :attr:`Report.zeros`, not failed. A unit of one
respondent whose answer is pinned (group attribute disclosure: the pooled withheld
answers all alike) has a positive count pinned, hence a ``determined`` finding.

Limits: the ``zero`` rule judges a zero by the size of the withheld group of its cell, so
a zero pinned by differencing inside one unit (an area row minus its other items) shows
only through the positive counts of the same row, which that differencing pins as well.
The ``printed`` check takes a withheld unit's earlier-round figures in the trend table
for figures too (issue 12: a withheld unit shows no trend).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

#: What a withheld cell shows.
WITHHELD = "—"
#: Default protection width, in answers (see the module docstring).
WIDTH = 2
#: Decimals at least as fine as the reports print, by kind of figure (shares as 0–1).
DECIMALS = {"share": 3, "mean": 2, "index": 1}
_TOL = 1e-7

Coeffs = Mapping[str, float]


# --- The linear system -----------------------------------------------------------------
#: Random objectives solved first in each block of linked unknowns (:class:`_System`).
WARM_UP = 24


@dataclass
class Target:
    """A withheld count ``sum coeffs * x``: where it is shown "—" (table, unit, measure,
    category), the respondents of its unit (or group), how many counts of one respondent
    it adds up (items of an area: its a-priori range is ``0..respondents * items``) and
    the respondents of all withheld units of its table, measure and category (``group``;
    default: its own)."""

    coeffs: dict[str, float]
    table: str
    unit: str
    measure: str
    category: str
    respondents: int
    items: int = 1
    group: int | None = None


@dataclass(frozen=True)
class Finding:
    kind: str  # determined | narrow | printed
    table: str
    unit: str
    measure: str
    category: str
    low: float
    high: float

    def __str__(self) -> str:
        where = f"{self.table} / {self.unit} / {self.measure} / {self.category}"
        if self.kind == "printed":
            return f"printed: {where}"
        return f"{self.kind}: {where}: [{self.low:g}, {self.high:g}]"


@dataclass
class Report:
    findings: list[Finding]
    zeros: list[Target]  # targets pinned to 0 (not failed; see the module docstring)
    targets: int


@dataclass
class Problem:
    """Counts >= 0 (bounds per variable) and rows ``lo <= sum a x <= hi``."""

    lower: dict[str, float] = field(default_factory=dict)
    upper: dict[str, float] = field(default_factory=dict)
    rows: list[tuple[dict[str, float], float, float]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    printed: list[Finding] = field(default_factory=list)
    min_n: int = 5

    def var(self, name: str, upper: float = math.inf) -> str:
        self.lower.setdefault(name, 0.0)
        self.upper[name] = min(self.upper.get(name, math.inf), upper)
        return name

    def add(self, coeffs: Coeffs, lo: float, hi: float) -> None:
        """``lo <= sum coeffs * x <= hi`` (terms with coefficient 0 dropped)."""
        terms = defaultdict(float)
        for name, a in coeffs.items():
            self.var(name)
            terms[name] += a
        terms = {k: a for k, a in terms.items() if abs(a) > 1e-12}
        if terms:
            self.rows.append((terms, lo, hi))
        elif lo > _TOL or hi < -_TOL:
            raise ValueError(f"published figures contradict the model: 0 in [{lo}, {hi}]")

    def equal(self, coeffs: Coeffs, value: float) -> None:
        self.add(coeffs, value, value)

    def ratio(self, part: Coeffs, whole: Coeffs, p: float, h: float) -> None:
        """``part / whole`` printed as ``p`` to +-``h`` (``whole`` > 0 or both 0)."""
        lo = {k: -(p - h) * a for k, a in whole.items()}
        hi = {k: -(p + h) * a for k, a in whole.items()}
        for k, a in part.items():
            lo[k] = lo.get(k, 0.0) + a
            hi[k] = hi.get(k, 0.0) + a
        self.add(lo, 0.0, math.inf)
        self.add(hi, -math.inf, 0.0)


def _presolve(problem: Problem) -> tuple[dict, dict, list]:
    """Bounds tightened by the one-variable rows (rounded inward: counts are whole) and
    by substituting fixed variables, until nothing changes; the rows left."""
    lower, upper = dict(problem.lower), dict(problem.upper)
    rows = [(dict(c), lo, hi) for c, lo, hi in problem.rows]
    fixed: dict[str, float] = {}
    while True:
        changed, left = False, []
        for coeffs, lo, hi in rows:
            for k in [k for k in coeffs if k in fixed]:
                a = coeffs.pop(k)
                lo, hi = lo - a * fixed[k], hi - a * fixed[k]
            if not coeffs:
                if lo > 1e-6 or hi < -1e-6:
                    raise ValueError(f"published figures contradict the model: 0 in [{lo}, {hi}]")
                continue
            if len(coeffs) == 1:
                (k, a), = coeffs.items()
                b = sorted((lo / a, hi / a))
                new_lo = max(lower[k], _ceil(b[0]))
                new_hi = min(upper[k], _floor(b[1]))
                if new_lo > new_hi:
                    raise ValueError(f"published figures contradict the model at {k}")
                changed |= (new_lo, new_hi) != (lower[k], upper[k])
                lower[k], upper[k] = new_lo, new_hi
                continue
            left.append((coeffs, lo, hi))
        for k in lower:
            if k not in fixed and upper[k] - lower[k] < 0.5:
                fixed[k] = lower[k]
                changed = True
        rows = left
        if not changed:  # the same relation published in several files counts once
            unique = {(tuple(sorted(c.items())), lo, hi): (c, lo, hi) for c, lo, hi in rows}
            return lower, upper, list(unique.values())


def _ceil(x: float) -> float:
    return x if math.isinf(x) else math.ceil(x - 1e-6)


def _floor(x: float) -> float:
    return x if math.isinf(x) else math.floor(x + 1e-6)


def _components(names: Iterable[str], groups: Iterable[Iterable[str]]) -> dict[str, str]:
    parent = {n: n for n in names}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for group in groups:
        group = list(group)
        for other in group[1:]:
            a, b = find(group[0]), find(other)
            if a != b:
                parent[a] = b
    return {n: find(n) for n in parent}


def intervals(problem: Problem, clear=None) -> list[tuple[float, float]]:
    """``[min, max]`` of every target (whole counts: ceil / floor of the LP's bounds).

    ``clear(target, low, high)``, if given, says whether values ``low`` and ``high`` that
    feasible points reach already settle a target; such a target is not solved again and
    gets that inner interval (the points are the solutions of the programmes solved before
    in its block of linked unknowns)."""
    lower, upper, rows = _presolve(problem)
    comp = _components(lower, [c.keys() for c, _, _ in rows]
                       + [t.coeffs.keys() for t in problem.targets])
    members, rows_of = defaultdict(list), defaultdict(list)
    for name, key in comp.items():
        members[key].append(name)
    for row in rows:
        rows_of[comp[next(iter(row[0]))]].append(row)
    systems: dict[str, _System] = {}
    for target in problem.targets:
        key = comp[next(iter(target.coeffs))]
        if key not in systems:
            systems[key] = _System(sorted(members[key]), rows_of[key], lower, upper)
    return [systems[comp[next(iter(t.coeffs))]].bounds(t, clear) for t in problem.targets]


class _System:
    """One block of linked unknowns: its linear programme and the points seen."""

    def __init__(self, names, rows, lower, upper):
        self.index = {n: i for i, n in enumerate(names)}
        eq, ub = ([], [], []), ([], [], [])
        b_eq, b_ub = [], []

        def put(mat, b, coeffs, sign, rhs):
            r = len(b)
            for k, a in coeffs.items():
                mat[0].append(r)
                mat[1].append(self.index[k])
                mat[2].append(sign * a)
            b.append(sign * rhs)

        for coeffs, lo, hi in rows:
            if hi - lo < 1e-12:
                put(eq, b_eq, coeffs, 1, lo)
                continue
            if hi < math.inf:
                put(ub, b_ub, coeffs, 1, hi)
            if lo > -math.inf:
                put(ub, b_ub, coeffs, -1, lo)
        n = len(names)

        def mat(m, b):
            return sparse.csr_matrix((m[2], (m[0], m[1])), shape=(len(b), n)) if b else None

        self.lp = {"A_eq": mat(eq, b_eq), "b_eq": b_eq or None,
                   "A_ub": mat(ub, b_ub), "b_ub": b_ub or None,
                   "bounds": [(lower[k], None if upper[k] == math.inf else upper[k])
                              for k in names]}
        self.points: list[np.ndarray] = []
        self.warm = False

    def _warm_up(self) -> None:
        """Feasible points far apart: the optima of :data:`WARM_UP` random objectives.

        Most targets are settled by the values these points already reach (``clear``),
        so only the few that are not need their own two programmes."""
        self.warm = True
        rng = np.random.default_rng(len(self.index))
        # every unknown as low, then as high, as it can be together; then random mixes
        objectives = [np.ones(len(self.index)), -np.ones(len(self.index))]
        objectives += [rng.standard_normal(len(self.index)) for _ in range(WARM_UP - 2)]
        for c in objectives:
            res = linprog(c, method="highs", **self.lp)
            if res.status == 0:
                self.points.append(res.x)

    def bounds(self, target: Target, clear=None) -> tuple[float, float]:
        c = np.zeros(len(self.index))
        for k, a in target.coeffs.items():
            c[self.index[k]] = a
        if clear is not None and not self.warm:
            self._warm_up()
        if clear is not None and self.points:
            seen = np.array(self.points) @ c
            if clear(target, seen.min(), seen.max()):
                return _ceil(seen.min()), _floor(seen.max())
        ends = []
        for sign in (1, -1):
            res = linprog(sign * c, method="highs", **self.lp)
            if res.status == 3:
                ends.append(sign * math.inf)
                continue
            if res.status != 0:
                raise ValueError(f"linear programme failed: {res.message}")
            ends.append(sign * res.fun)
            self.points = [*self.points[:WARM_UP], *self.points[WARM_UP:][-199:], res.x]
        return _ceil(ends[0]), _floor(ends[1])


def check(problem: Problem, width: float = WIDTH, complement_width: float = 1) -> Report:
    """The findings of ``problem`` (see the module docstring for what is flagged):
    ``width`` for targets of fewer than ``problem.min_n`` respondents,
    ``complement_width`` for the others (withheld only as complements)."""
    def need(target: Target) -> float:
        if target.respondents < problem.min_n:
            return min(width, target.respondents * target.items)
        return complement_width

    def clear(target: Target, low: float, high: float) -> bool:
        """Feasible points reaching ``low`` and ``high``: not flagged whatever else. A
        target that can be 0 is never flagged unless it is pinned to 0 and its withheld
        group is smaller than ``min_n``: for a larger group, a point where it is 0 is
        proof enough."""
        group = target.respondents if target.group is None else target.group
        if low <= 1e-6 and (high >= 1 - 1e-6 or group >= problem.min_n):
            return True
        return _floor(high) - _ceil(low) >= need(target)

    findings, zeros = list(problem.printed), []
    for target, (lo, hi) in zip(problem.targets, intervals(problem, clear)):
        group = target.respondents if target.group is None else target.group
        if hi < 0.5:  # pinned to 0
            if group < problem.min_n:
                findings.append(Finding("zero", target.table, target.unit, target.measure,
                                        target.category, lo, hi))
            else:
                zeros.append(target)
            continue
        if lo < 0.5:
            continue
        if hi - lo < need(target):
            kind = "determined" if hi == lo else "narrow"
            findings.append(Finding(kind, target.table, target.unit, target.measure,
                                    target.category, lo, hi))
    return Report(findings, zeros, len(problem.targets))


# --- Published figures as constraints ---------------------------------------------------
CITY = "city"
DIST = "Phân bố câu trả lời"
ITEMS = "Theo câu hỏi"
SUMMARY = "Tổng hợp"
AREA_SAT = "Hài lòng theo lĩnh vực"
THEMES = "themes"
#: Headers of the columns a withheld unit may show (they drive the survey).
ALLOWED = ("Mã", "Đơn vị", "Số HTX trong danh sách", "Số HTX trả lời", "Tỷ lệ tham gia",
           "Đã trả lời / danh sách", "Thêm từ", "Cần mỗi ngày", "Dự kiến đạt mục tiêu",
           "Chậm tiến độ", "Cập nhật", "Lĩnh vực", "Câu", "Nội dung câu hỏi")
_COUNT_SHARE = re.compile(r"^(\d+) \((\d+(?:,\d+)?)%\)$")
_ANSWERED = re.compile(r"^(.*) \((\d+) HTX có ý kiến\)$")


def _num(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
        return float(value)  # a CSV cell
    return None


def _half(value, kind: str) -> float:
    """Half the last printed unit of ``value`` (a figure of ``kind``)."""
    text = value if isinstance(value, str) else repr(float(value))
    text = text if "." in text or "e" in text else text + ".0"
    places = 17 if "e" in text else len(text.split(".")[1].rstrip("0"))
    return 0.5 * 10.0 ** -max(DECIMALS[kind], places) + 1e-9  # + float noise


def _var(u, m, k) -> str:
    return f"c|{u}|{m}|{k}"


class _Round:
    """Reads one round's figures (the back test's dictionary, open data added)."""

    def __init__(self, figures: Mapping[str, object], open_data: Mapping | None = None):
        self.p = Problem()
        book = next(v for k, v in figures.items() if k.endswith(".xlsx"))
        self.sheets = {name: _table(rows) for name, rows in book.items() if name != "Giới thiệu"}
        intro = book.get("Giới thiệu", [])
        self.min_n = next(int(r[1]) for r in intro if r and isinstance(r[0], str)
                          and r[0].startswith("Số HTX trả lời tối thiểu"))
        summary = self.sheets[SUMMARY]
        self.respondents, self.names, self.withheld = {}, {}, set()
        for row in summary:
            code = row["Mã"] or CITY
            self.names[row["Đơn vị"]] = code
            if code != CITY:
                self.respondents[code] = int(row["Số HTX trả lời"])
                if row["Chỉ số (0–100)"] == WITHHELD:
                    self.withheld.add(code)
        self.units = [u for u in self.respondents]
        self.items: dict[str, list[str]] = defaultdict(list)  # area -> items
        for row in self.sheets[DIST]:
            if row["Câu"] and row["Câu"] not in self.items[row["Lĩnh vực"]]:
                self.items[row["Lĩnh vực"]].append(row["Câu"])
        for u in self.units:
            for items in self.items.values():
                for m in items:
                    self.p.equal({_var(u, m, k): 1 for k in range(6)}, self.respondents[u])
        self.labels = list(self.sheets[DIST][0])[6:11] if self.sheets[DIST] else []
        sources = [("workbook", self.sheets), *_open_data_sources(open_data or {})]
        #: published answer counts of (unit or city, item): shares then bound counts alone
        self.known: dict[tuple[str, str], float] = {}
        for _, sheets in sources:
            for row in [*sheets.get(DIST, []), *sheets.get(ITEMS, [])]:
                n = _num(row["Số HTX trả lời"])
                if row["Câu"] and n is not None:
                    self.known[(row["Mã"] or CITY, row["Câu"])] = n
        for source, sheets in sources:
            self.distributions(sheets.get(DIST, []), source)
            self.item_figures(sheets.get(ITEMS, []))
            self.area_shares(sheets.get(AREA_SAT, []), sheets.get(SUMMARY, []))
        self.themes(figures)
        self.printed(figures, sources)

    # answer counts of an item (or pooled over an area's items) of a unit or the city
    def answers(self, unit: str, measure: str, k: int) -> dict[str, float]:
        units = self.units if unit == CITY else [unit]
        items = self.items.get(measure, [measure])
        return {_var(u, m, k): 1.0 for u in units for m in items}

    def answered(self, unit: str, measure: str) -> dict[str, float]:
        out = {}
        for k in range(1, 6):
            out.update(self.answers(unit, measure, k))
        return out

    def share(self, part: Coeffs, unit: str, measure: str, p: float, h: float) -> None:
        """``part`` over the answers of ``unit`` to ``measure`` is ``p`` +- ``h`` (bounds on
        ``part`` when those answers are published)."""
        ns = [self.known.get((unit, m)) for m in self.items.get(measure, [measure])]
        if None in ns:
            self.p.ratio(part, self.answered(unit, measure), p, h)
        else:
            self.p.add(part, (p - h) * sum(ns), (p + h) * sum(ns))

    def distributions(self, rows, source: str) -> None:
        for row in rows:
            unit = row["Mã"] or CITY
            measure = row["Câu"] or row["Lĩnh vực"]
            n = _num(row["Số HTX trả lời"])
            if row["Câu"] and n is not None:
                self.p.equal(self.answered(unit, measure), n)
            for k, label in enumerate(self.labels, start=1):
                p = _num(row.get(label))
                if p is not None:
                    self.share(self.answers(unit, measure, k), unit, measure, p,
                               _half(p, "share"))
                elif row.get(label) == WITHHELD and source == "workbook" and unit != CITY:
                    self.target(DIST, unit, measure, k)
            if row.get(self.labels[0]) == WITHHELD and source == "workbook" and unit != CITY:
                self.target(DIST, unit, measure, 0)

    def target(self, table: str, unit: str, measure: str, k: int) -> None:
        coeffs = self.answers(unit, measure, k)
        label = "no answer" if k == 0 else self.labels[k - 1]
        # an item withheld for its own few answers (its n printed below min_n) is primary
        size = min(self.respondents[unit], self.known.get((unit, measure), math.inf))
        self.p.targets.append(Target(coeffs, table, unit, measure, label, int(size),
                                     len(self.items.get(measure, [1]))))

    def item_figures(self, rows) -> None:
        for row in rows:
            unit, m = row["Mã"], row["Câu"]
            if not unit or not m:
                continue  # the city's figures are weighted: not constraining
            n = _num(row["Số HTX trả lời"])
            if n is not None:
                self.p.equal(self.answered(unit, m), n)
            for col, kind, scale in (("Điểm trung bình (1–5)", "mean", 1.0),
                                     ("Chỉ số (0–100)", "index", 25.0)):
                v = _num(row.get(col))
                if v is None:
                    continue
                mean, h = (v, _half(v, kind)) if kind == "mean" else \
                    (1 + v / scale, _half(v, kind) / scale)
                scores = {}
                for k in range(1, 6):
                    scores.update({x: float(k) for x in self.answers(unit, m, k)})
                self.share(scores, unit, m, mean, h)
            p = _num(row.get("Tỷ lệ câu trả lời hài lòng"))
            if p is not None:
                self.share({**self.answers(unit, m, 4), **self.answers(unit, m, 5)}, unit, m,
                           p, _half(p, "share"))

    def area_shares(self, rows, summary) -> None:
        every = [m for items in self.items.values() for m in items]
        for row in rows:
            unit = row["Mã"]
            if not unit:
                continue  # weighted
            for area in self.items:
                p = _num(row.get(area))
                if p is not None:
                    self.pooled_satisfied(unit, self.items[area], p)
        for row in summary:
            p = _num(row.get("Tỷ lệ câu trả lời hài lòng"))
            if row["Mã"] and p is not None:
                self.pooled_satisfied(row["Mã"], every, p)

    def pooled_satisfied(self, unit: str, items: list[str], p: float) -> None:
        part, ns = {}, [self.known.get((unit, m)) for m in items]
        for m in items:
            part.update({**self.answers(unit, m, 4), **self.answers(unit, m, 5)})
        if None in ns:
            whole = {}
            for m in items:
                whole.update(self.answered(unit, m))
            self.p.ratio(part, whole, p, _half(p, "share"))
        else:
            h = _half(p, "share")
            self.p.add(part, (p - h) * sum(ns), (p + h) * sum(ns))

    def themes(self, figures) -> None:
        pages = {name.rsplit(".", 1)[0]: fig for name, fig in figures.items()
                 if name.endswith(".html")}
        seen: dict[str, list[str]] = {}
        published: dict[tuple, bool] = {}
        for page, fig in pages.items():
            unit = CITY if page == CITY else page
            if unit != CITY and unit not in self.respondents:
                continue
            for table in fig["tables"]:
                if not table or table[0][0] != "Chủ đề":
                    continue
                for j, head in enumerate(table[0][1:], start=1):
                    q, answered = _ANSWERED.match(head).groups()
                    seen.setdefault(q, [])
                    self.p.equal(self.theme_sum(unit, q, "answered"), int(answered))
                    published[(unit, q, "answered")] = int(answered)
                    for row in table[1:]:
                        theme = row[0]
                        if theme not in seen[q]:
                            seen[q].append(theme)
                        hit = _COUNT_SHARE.match(row[j])
                        if hit:
                            self.p.equal(self.theme_sum(unit, q, theme), int(hit.group(1)))
                            published[(unit, q, theme)] = True
        for u in self.units:
            for q, themes in seen.items():
                a = self.p.var(f"t|{u}|{q}|answered", self.respondents[u])
                for theme in themes:
                    self.p.add({f"t|{u}|{q}|{theme}": 1, a: -1}, -math.inf, 0)
                    if not published.get((u, q, theme)):  # primary if few wrote
                        size = min(self.respondents[u],
                                   published.get((u, q, "answered"), math.inf))
                        self.p.targets.append(Target({f"t|{u}|{q}|{theme}": 1}, THEMES, u, q,
                                                     theme, int(size)))
                if (u, q, "answered") not in published:
                    self.p.targets.append(Target({a: 1}, THEMES, u, q, "answered",
                                                 self.respondents[u]))

    def theme_sum(self, unit: str, q: str, theme: str) -> dict[str, float]:
        units = self.units if unit == CITY else [unit]
        return {f"t|{u}|{q}|{theme}": 1.0 for u in units}

    def printed(self, figures, sources) -> None:
        names = {name for name, code in self.names.items() if code in self.withheld}
        for page, fig in figures.items():
            if not page.endswith(".html"):
                continue
            for t, table in enumerate(fig["tables"]):
                head = table[0] if table else []
                for row in table[1:]:
                    if not row or row[0] not in names:
                        continue
                    for col, cell in zip(head[1:], row[1:]):
                        if re.search(r"\d", cell) and not col.startswith(ALLOWED):
                            self.p.printed.append(Finding("printed", f"{page} table {t + 1}",
                                                          self.names[row[0]], col, cell, 0, 0))
        for source, sheets in sources:
            for sheet, rows in sheets.items():
                for row in rows:
                    if row.get("Mã") not in self.withheld:
                        continue
                    for col, cell in row.items():
                        if _num(cell) is not None and not str(col).startswith(ALLOWED):
                            self.p.printed.append(Finding(
                                "printed", f"{source}: {sheet}", row["Mã"],
                                str(row.get("Câu") or row.get("Lĩnh vực") or ""), str(col),
                                0, 0))

    def pooled_targets(self) -> None:
        """Per item / theme: the pooled count over the withheld units, when they have
        fewer than ``min_n`` respondents together."""
        groups = defaultdict(list)
        for t in self.p.targets:
            groups[(t.table, t.measure, t.category)].append(t)
        for (table, measure, category), ts in groups.items():
            units = {t.unit for t in ts}
            size = sum(self.respondents[u] for u in units)
            for t in ts:
                t.group = size
            if len(units) > 1 and size < self.min_n:
                coeffs = {k: a for t in ts for k, a in t.coeffs.items()}
                self.p.targets.append(Target(coeffs, table, "+".join(sorted(units)), measure,
                                             category, size, ts[0].items, size))


def summary(findings: list[Finding]) -> str:
    """The findings by kind and table: how many, of which units (for a failing test)."""
    groups = defaultdict(list)
    for f in findings:
        groups[(f.kind, f.table)].append(f)
    lines = [f"{len(findings)} findings"]
    for (kind, table), fs in sorted(groups.items()):
        units = sorted({f.unit for f in fs})
        lines.append(f"  {kind} / {table}: {len(fs)} cells of {len(units)} units "
                     f"({', '.join(units[:12])}{' …' if len(units) > 12 else ''})")
    return "\n".join(lines + [str(f) for f in findings[:40]])


def _open_data_sources(open_data: Mapping[str, dict]) -> list[tuple[str, dict]]:
    """``(file, {table title: records})`` of every open-data file
    (:func:`backtest.open_data_figures`); a CSV takes the title of the JSON table of the
    same name."""
    titles = {slug: t["title"] for doc in open_data.values() for slug, t in
              doc.get("tables", {}).items()}
    out = []
    for name, doc in open_data.items():
        if "tables" in doc:
            tables = {t["title"]: (t["columns"], t["rows"]) for t in doc["tables"].values()}
        elif name.rsplit(".", 1)[0] in titles:
            tables = {titles[name.rsplit(".", 1)[0]]: (doc["columns"], doc["rows"])}
        else:
            continue  # the data dictionary: no figure
        out.append((f"open data {name}",
                    {title: [dict(zip(cols, r)) for r in rows]
                     for title, (cols, rows) in tables.items()}))
    return out


def _table(rows: list[list]) -> list[dict]:
    """A workbook sheet as records (header in row 4: title, note, blank above it)."""
    head = next((i for i, r in enumerate(rows) if r and r[0] == "Mã"), None)
    if head is None:
        return []
    names = rows[head]
    return [dict(zip(names, r)) for r in rows[head + 1:] if any(v is not None for v in r)]


def published_problem(figures: Mapping[str, object], open_data: Mapping | None = None
                      ) -> tuple[Problem, int]:
    """The linear system of a round's published figures, with its targets; ``min_n``."""
    r = _Round(figures, open_data)
    r.pooled_targets()
    r.p.min_n = r.min_n
    return r.p, r.min_n
