"""Shared test fixtures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from hailong.reference.codebook import load_codebook  # noqa: E402
from hailong.reference.config import PROJECT_ROOT  # noqa: E402
from hailong.reference.geography import load_units  # noqa: E402
from hailong.numbers.scoring import compute_results  # noqa: E402

_CODEBOOK = PROJECT_ROOT / "data" / "reference" / "codebook" / "codebook-v1.yaml"
_UNITS = PROJECT_ROOT / "data" / "reference" / "units-2022.csv"


def small_results_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A tiny round: (responses, roster) in the canonical shape of docs/design.md.

    - Thuỷ Nguyên (311): 10 cooperatives listed, 8 answered; every item 4 ("Hài lòng")
      except the three D07 items, 2 ("Không hài lòng"); overall question 4.
    - Hồng Bàng (303): 6 listed, 5 answered; every item 5, but two of them have no
      opinion on D03 (so D03 rests on 3 respondents and is withheld); overall 5.
    - Bạch Long Vĩ (318): 2 listed, 1 answered, every item 3 (withheld: below min_n 5).
    Every cooperative is agricultural (variant NN: asked every item).
    """
    codebook = load_codebook(_CODEBOOK)
    items = [it.id for it in codebook.items]
    plan = [("311", 10, 8), ("303", 6, 5), ("318", 2, 1)]
    roster_rows, resp_rows = [], []
    k = 0
    for district, listed, answered in plan:
        for j in range(listed):
            k += 1
            coop = f"HP-{k:04d}"
            roster_rows.append({"coop_id": coop, "district_code": district,
                                "commune_code": "", "sector": "nong_nghiep",
                                "variant": "NN", "member": True})
            if j >= answered:
                continue
            if district == "311":
                answers = {i: (2.0 if i.startswith("D07") else 4.0) for i in items}
                overall = 4.0
            elif district == "303":
                answers = {i: (np.nan if j < 2 and i.startswith("D03") else 5.0)
                           for i in items}
                overall = 5.0
            else:
                answers = dict.fromkeys(items, 3.0)
                overall = 3.0
            resp_rows.append({"coop_id": coop, "district_code": district,
                              "commune_code": "", "sector": "nong_nghiep", "variant": "NN",
                              "member": True, **answers, "OVERALL": overall,
                              "DIFFICULTIES": "", "RECOMMENDATIONS": ""})
    return pd.DataFrame(resp_rows), pd.DataFrame(roster_rows)


def build_small_results():
    """:class:`hailong.numbers.scoring.Results` of :func:`small_results_inputs` (min_n 5)."""
    responses, roster = small_results_inputs()
    return compute_results(
        responses, roster, load_codebook(_CODEBOOK), load_units(_UNITS), min_n=5,
        meta={"round": 2022, "round_label": {"vi": "Năm 2022", "en": "2022"},
              "organisation": {"vi": "Liên minh Hợp tác xã thành phố Hải Phòng",
                               "en": "Hai Phong City Cooperative Alliance"},
              "data_date": "2023-05-16"})


@pytest.fixture(scope="session")
def small_results():
    """A small real ``Results`` (see :func:`small_results_inputs`); do not modify it."""
    return build_small_results()
