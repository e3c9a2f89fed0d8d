"""A tiny hand-made :class:`hailong.numbers.rounds.Trend` for the presentation tests.

Two rounds (2021 -> 2022) of Thuỷ Nguyên (311) and the city. Every change and its 95%
interval is worked out here by hand: change = now - before, half-width = 1.96 × √(se_now²
+ se_before²) (the paired variance of ``rounds.line_up`` with no cooperative in both
rounds, Cov = 0), significant when the interval excludes 0.

311:
- INDEX   70,0 -> 74,0 (se 1 and 1):     +4,0, half 2,77 -> [+1,23; +6,77]  significant rise
- D01     60,0 -> 68,0 (se 2 and 2):     +8,0, half 5,54 -> [+2,46; +13,54] significant rise
- D02     80,0 -> 75,0 (se 1,5 and 1,5): -5,0, half 4,16 -> [-9,16; -0,84]  significant fall
- D03     70,0 -> 72,0 (se 3 and 3):     +2,0, half 8,32 -> [-6,32; +10,32] not significant
- D04     withheld in 2021 (3 respondents) -> 65,0: no change
- OVERALL 72,0 -> 73,0 (se 1,2 and 1,2): +1,0, half 3,33 -> [-2,33; +4,33] not significant
city:
- INDEX   68,0 -> 67,0 (se 0,5 and 0,5): -1,0, half 1,39 -> [-2,39; +0,39] not significant
- D01..D04 and OVERALL: 70,0 -> 71,0 (se 1 and 1): +1,0, not significant
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from hailong.numbers.rounds import Trend

Z95 = 1.959963984540054

MEASURES = pd.DataFrame({
    "measure": ["D01", "D02", "D02_3", "D03", "D04", "OVERALL", "INDEX"],
    "kind": ["dimension", "dimension", "item", "dimension", "dimension", "overall", "index"],
    "dimension": ["D01", "D02", "D02", "D03", "D04", None, None],
    "order": range(7),
    "number": [None, None, "2.3", None, None, "12", None],
    "vi": ["Lãnh đạo, chỉ đạo", "Tuyên truyền", "Luật HTX được hướng dẫn",
           "Thủ tục hành chính", "Đào tạo", "Nhìn chung, HTX hài lòng", "Chỉ số hài lòng"],
    "en": ["Leadership", "Information", "Guidance on the law", "Procedures", "Training",
           "Overall", "Satisfaction index"],
})

KINDS = dict(zip(MEASURES["measure"], MEASURES["kind"]))

#: (unit, measure): ((index 2021, se 2021, n 2021), (index 2022, se 2022, n 2022))
FIGURES = {
    ("311", "INDEX"): ((70.0, 1.0, 40), (74.0, 1.0, 42)),
    ("311", "D01"): ((60.0, 2.0, 40), (68.0, 2.0, 42)),
    ("311", "D02"): ((80.0, 1.5, 40), (75.0, 1.5, 42)),
    ("311", "D03"): ((70.0, 3.0, 40), (72.0, 3.0, 42)),
    ("311", "D04"): ((None, None, 3), (65.0, 2.0, 42)),
    ("311", "OVERALL"): ((72.0, 1.2, 40), (73.0, 1.2, 42)),
    ("city", "INDEX"): ((68.0, 0.5, 400), (67.0, 0.5, 410)),
    **{("city", m): ((70.0, 1.0, 400), (71.0, 1.0, 410))
       for m in ("D01", "D02", "D03", "D04", "OVERALL")},
}


def hand_trend(approximate_before: bool = False, previous_n: int | None = None) -> Trend:
    """The trend above. ``approximate_before``: the 2021 figures are re-aggregated ones
    (a crosswalk; the city another territory). ``previous_n``: replace 311's 2021 figures
    by withheld ones with that many respondents (0 = the unit had no data)."""
    rows = []
    for (unit, measure), (before, now) in FIGURES.items():
        if previous_n is not None and unit == "311":
            before = (None, None, previous_n)
        for year, (index, se, n) in ((2021, before), (2022, now)):
            withheld = index is None
            row = {"unit": unit, "round": year, "kind": KINDS[measure], "measure": measure,
                   "n": n, "mean": np.nan if withheld else 1 + index / 25,
                   "index": np.nan if withheld else index,
                   "index_se": np.nan if withheld else se,
                   "satisfied": np.nan, "suppressed": withheld,
                   "approximate": approximate_before and year == 2021,
                   "sources": "", "previous_round": pd.NA if year == 2021 else 2021,
                   "change": np.nan, "change_low": np.nan, "change_high": np.nan,
                   "significant": False}
            if year == 2022 and before[0] is not None:
                change = now[0] - before[0]
                half = Z95 * math.sqrt(now[1] ** 2 + before[1] ** 2)
                row.update(change=change, change_low=change - half,
                           change_high=change + half,
                           significant=(change - half > 0) or (change + half < 0))
            rows.append(row)
    table = pd.DataFrame(rows)
    table["previous_round"] = table["previous_round"].astype("Int64")
    return Trend(table=table, rounds=(2021, 2022), items=("D01_1",),
                 items_left_out=("D02_3",), notes={"D03_2": "Số thứ tự đổi"}, min_n=5)


def single_round() -> Trend:
    """A trend of one round only (nothing to compare with)."""
    t = hand_trend().table
    t = t[t["round"] == 2022].assign(previous_round=pd.NA, change=np.nan,
                                     change_low=np.nan, change_high=np.nan,
                                     significant=False)
    t["previous_round"] = t["previous_round"].astype("Int64")
    return Trend(table=t.reset_index(drop=True), rounds=(2022,), items=(), items_left_out=(),
                 min_n=5)
