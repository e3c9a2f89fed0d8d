"""Coverage on any day, change since an earlier day, pace and projected date.

Every expected count below was worked out by hand from the small round defined here.

Roster (8 cooperatives):
  311 Thuỷ Nguyên: A1 member NN, A2 member NN, A3 non-member PNN, A4 member QTD
  303 Hồng Bàng:   B1 member NN, B2 non-member NN, B3 non-member PNN
  318 Bạch Long Vĩ: C1 member NN
Usable submissions:
  A1 01/03 10:00 and again 05/03 09:00 (a duplicate: counts once, from 01/03)
  A2 10/03 23:59:59 (the last second of 10/03)
  B1 11/03 00:00:00 (the first second of 11/03)
  A3 16/05 18:00
  B2 17/05 08:00
  a blank code and X9 (not in the roster): never counted
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pandas as pd
import pytest

from hailong.core.errors import ParameterError
from hailong.numbers import coverage as cov
from hailong.present import progress_report
from hailong.reference.codebook import load_codebook
from hailong.reference.config import load_config
from hailong.reference.geography import load_units

D = dt.date


def roster() -> pd.DataFrame:
    rows = [("A1", "311", True, "NN"), ("A2", "311", True, "NN"), ("A3", "311", False, "PNN"),
            ("A4", "311", True, "QTD"), ("B1", "303", True, "NN"), ("B2", "303", False, "NN"),
            ("B3", "303", False, "PNN"), ("C1", "318", True, "NN")]
    return pd.DataFrame([{"coop_id": c, "coop_name": f"HTX {c}", "district_code": d,
                          "commune_code": "", "member": m, "variant": v,
                          "sector": "nong_nghiep", "director_name": f"Giám đốc {c}",
                          "phone": "0900 000 000", "zalo": "", "email": ""}
                         for c, d, m, v in rows])


def submissions() -> pd.DataFrame:
    t = pd.Timestamp
    return pd.DataFrame({
        "coop_id": ["A1", "A1", "A2", "B1", "A3", "B2", "", "X9"],
        "submitted_at": [t(2023, 3, 1, 10), t(2023, 3, 5, 9), t(2023, 3, 10, 23, 59, 59),
                         t(2023, 3, 11, 0, 0, 0), t(2023, 5, 16, 18), t(2023, 5, 17, 8),
                         t(2023, 3, 2), t(2023, 3, 3)]})


@pytest.fixture(scope="module")
def answers():
    return cov.first_answers(submissions())


def counts(table: pd.DataFrame, column: str = "answered") -> dict:
    return dict(zip(table["unit"], table[column]))


def test_a_duplicate_counts_once_from_its_first_submission(answers):
    first = answers.set_index("coop_id")["first_at"]
    assert first["A1"] == pd.Timestamp(2023, 3, 1, 10)
    assert len(answers[answers["coop_id"] == "A1"]) == 1
    assert "" not in set(answers["coop_id"])


@pytest.mark.parametrize("day, expected", [
    (D(2023, 2, 28), {"303": 0, "311": 0, "318": 0, "city": 0}),
    (D(2023, 3, 10), {"303": 0, "311": 2, "318": 0, "city": 2}),   # A2 at 23:59:59 counts
    (D(2023, 3, 11), {"303": 1, "311": 2, "318": 0, "city": 3}),   # B1 at 00:00 of 11/03
    (D(2023, 5, 16), {"303": 1, "311": 3, "318": 0, "city": 4}),
    (D(2023, 5, 17), {"303": 2, "311": 3, "318": 0, "city": 5}),
])
def test_coverage_by_district_at_several_dates(answers, day, expected):
    t = cov.coverage(roster(), answers, day)
    assert list(t["unit"]) == ["303", "311", "318", "city"]   # code order, city last
    assert counts(t) == expected
    assert counts(t, "roster_n") == {"303": 3, "311": 4, "318": 1, "city": 8}
    assert (t["not_yet"] == t["roster_n"] - t["answered"]).all()


def test_share_and_change_since_the_default_previous_day(answers):
    t = cov.coverage(roster(), answers, D(2023, 3, 11)).set_index("unit")
    # previous = 04/03: only A1 had answered
    assert counts(t.reset_index(), "previous") == {"303": 0, "311": 1, "318": 0, "city": 1}
    assert counts(t.reset_index(), "change") == {"303": 1, "311": 1, "318": 0, "city": 2}
    assert t.loc["city", "share"] == pytest.approx(3 / 8)
    assert t.loc["311", "share"] == pytest.approx(2 / 4)


def test_change_since_a_given_day(answers):
    t = cov.coverage(roster(), answers, D(2023, 5, 17), previous=D(2023, 5, 16))
    assert counts(t, "change") == {"303": 1, "311": 0, "318": 0, "city": 1}


def test_coverage_by_member_status_and_by_variant(answers):
    m = cov.coverage(roster(), answers, D(2023, 5, 16), by="member")
    assert list(m["unit"]) == ["member", "non_member", "city"]
    assert counts(m) == {"member": 3, "non_member": 1, "city": 4}
    assert counts(m, "roster_n") == {"member": 5, "non_member": 3, "city": 8}
    v = cov.coverage(roster(), answers, D(2023, 5, 16), by="variant")
    assert counts(v) == {"NN": 3, "PNN": 1, "QTD": 0, "city": 4}
    assert counts(v, "roster_n") == {"NN": 5, "PNN": 2, "QTD": 1, "city": 8}


def test_unknown_grouping_is_a_parameter_error(answers):
    with pytest.raises(ParameterError, match="grouping"):
        cov.coverage(roster(), answers, D(2023, 5, 16), by="sector")


def test_cumulative_curve_by_day(answers):
    c = cov.cumulative(roster(), answers, D(2023, 3, 1), D(2023, 3, 12))
    assert list(c["unit"].unique()) == ["city"]
    by_day = dict(zip(c["date"], c["answered"]))
    assert len(by_day) == 12
    assert by_day[D(2023, 3, 1)] == 1 and by_day[D(2023, 3, 9)] == 1
    assert by_day[D(2023, 3, 10)] == 2 and by_day[D(2023, 3, 11)] == 3
    assert by_day[D(2023, 3, 12)] == 3
    districts = cov.cumulative(roster(), answers, D(2023, 5, 16), D(2023, 5, 17),
                               by="district")
    got = {(r.unit, r.date): r.answered for r in districts.itertuples()}
    assert got[("303", D(2023, 5, 16))] == 1 and got[("303", D(2023, 5, 17))] == 2
    assert got[("city", D(2023, 5, 17))] == 5


# --------------------------------------------------------------------------- pace

def series() -> tuple[pd.DataFrame, pd.DataFrame]:
    """10 cooperatives of 311; first answers: two on 01/05, then one on 03, 05, 07, 09/05."""
    r = pd.DataFrame({"coop_id": [f"K{i}" for i in range(10)], "district_code": "311",
                      "member": True, "variant": "NN"})
    days = [1, 1, 3, 5, 7, 9]
    a = pd.DataFrame({"coop_id": [f"K{i}" for i in range(6)],
                      "first_at": [pd.Timestamp(2023, 5, d, 9) for d in days]})
    return r, a


def city_row(t: pd.DataFrame) -> pd.Series:
    return t.set_index("unit").loc["city"]


def test_pace_needed_recent_pace_and_projected_date():
    r, a = series()
    c = city_row(cov.pace(r, a, D(2023, 5, 10), D(2023, 5, 14), target=1.0, window=7))
    assert c["answered"] == 6 and c["target_n"] == 10 and c["remaining"] == 4
    assert c["days_left"] == 4                       # 11, 12, 13, 14 May
    assert c["needed_per_day"] == pytest.approx(1.0)
    assert c["recent"] == 3                          # 5, 7, 9 May (after 3 May)
    assert c["recent_per_day"] == pytest.approx(3 / 7)
    assert c["projected"] == D(2023, 5, 20)          # 10/05 + ceil(4 / (3/7)) = + 10 days
    assert bool(c["behind"]) and not bool(c["reached"])


def test_a_lower_target_that_the_recent_pace_meets_in_time():
    r, a = series()
    c = city_row(cov.pace(r, a, D(2023, 5, 10), D(2023, 5, 14), target=0.7, window=7))
    assert c["target_n"] == 7 and c["remaining"] == 1   # 0.7 × 10 is 7, not 8
    assert c["needed_per_day"] == pytest.approx(0.25)
    assert c["projected"] == D(2023, 5, 13)             # + ceil(1 / (3/7)) = + 3 days
    assert not bool(c["behind"])


def test_a_target_already_met_gives_the_day_it_was_met():
    r, a = series()
    c = city_row(cov.pace(r, a, D(2023, 5, 10), D(2023, 5, 14), target=0.6, window=7))
    assert bool(c["reached"]) and c["remaining"] == 0
    assert c["projected"] == D(2023, 5, 9)              # the 6th first answer
    assert not bool(c["behind"])


def test_the_window_does_not_start_before_the_round_opened():
    r, a = series()
    c = city_row(cov.pace(r, a, D(2023, 5, 3), D(2023, 5, 14), window=14,
                          opened=D(2023, 5, 1)))
    assert c["window_days"] == 3 and c["recent"] == 3   # 1, 1 and 3 May over 3 days
    assert c["recent_per_day"] == pytest.approx(1.0)
    assert c["projected"] == D(2023, 5, 10)             # 7 remaining at 1 a day


def test_no_recent_answer_means_no_projected_date_and_behind():
    r, a = series()
    c = city_row(cov.pace(r, a, D(2023, 5, 12), D(2023, 5, 14), window=2))
    assert c["recent"] == 0 and c["projected"] is None and bool(c["behind"])


def test_after_the_deadline_no_pace_is_needed_but_the_district_is_behind():
    r, a = series()
    c = city_row(cov.pace(r, a, D(2023, 5, 15), D(2023, 5, 14), window=7))
    assert c["days_left"] == -1 and math.isnan(c["needed_per_day"])
    assert bool(c["behind"])


def test_target_count_rounds_up_and_refuses_a_percentage():
    assert cov.target_count(404, 0.855) == 346          # 345.42 -> 346
    assert cov.target_count(10, 0.7) == 7
    r, a = series()
    with pytest.raises(ParameterError, match="share"):
        cov.pace(r, a, D(2023, 5, 10), D(2023, 5, 14), target=100)


@pytest.mark.parametrize("value, expected", [
    ("2023-05-16", D(2023, 5, 16)), ("16/05/2023", D(2023, 5, 16)),
    (D(2023, 5, 16), D(2023, 5, 16)), (dt.datetime(2023, 5, 16, 8), D(2023, 5, 16)),
    (None, D(2023, 5, 19)), ("", D(2023, 5, 19)),
])
def test_as_of_accepts_iso_and_vietnamese_dates(value, expected):
    assert cov.as_of_date(value, default=D(2023, 5, 19)) == expected


def test_a_wrong_date_says_what_is_expected():
    with pytest.raises(ParameterError) as err:
        cov.as_of_date("16-05-2023")
    assert "2023-05-16" in str(err.value) and "16/05/2023" in str(err.value)


# --------------------------------------------------------------------------- one report

@pytest.fixture(scope="module")
def data():
    cfg = load_config()
    rnd = dataclasses.replace(cfg.round(2022), opened=D(2023, 2, 15), deadline=D(2023, 5, 19),
                              target=1.0)
    subs = submissions()
    return cov.ProgressData(config=cfg, round=rnd, codebook=load_codebook(rnd.codebook),
                            units=load_units(rnd.units, rnd.geography_date), roster=roster(),
                            answers=cov.first_answers(subs), submissions=subs,
                            unresolved=pd.DataFrame())


def test_progress_defaults_to_the_last_submission_day(data):
    p = cov.progress(data)
    assert p.as_of == D(2023, 5, 17) and p.previous == D(2023, 5, 10)
    assert p.city["answered"] == 5


def test_progress_of_a_day_and_its_summary(data):
    p = cov.progress(data, "2023-05-16")
    assert (p.as_of, p.previous, p.deadline, p.target) == (
        D(2023, 5, 16), D(2023, 5, 9), D(2023, 5, 19), 1.0)
    c = p.city
    assert (c["answered"], c["change"], c["remaining"], c["days_left"]) == (4, 1, 4, 3)
    # 14-day window (02/05–16/05): only A3 -> 1/14 a day; 4 remaining -> 56 days
    assert c["projected"] == D(2023, 5, 16) + dt.timedelta(days=56)
    text = progress_report.summary(p, progress_report.unit_names(data))
    assert "Đến hết ngày 16/05/2023, 4 trên 8 HTX (50,0%)" in text
    assert "thêm 1 HTX so với ngày 09/05/2023" in text
    assert "còn cần 4 HTX, tức 1,3 HTX mỗi ngày" in text
    assert "14 ngày gần nhất (0,1 HTX mỗi ngày)" in text and "11/07/2023" in text
    # every district with a cooperative is behind: none meets 100% in three days
    assert "3 quận, huyện chậm tiến độ" in text and "Bạch Long Vĩ" in text
    english = progress_report.summary(p, progress_report.unit_names(data, "en"), "en")
    assert "4 of the 8 cooperatives (50.0%)" in english and "11 July 2023" in english


def test_previous_after_as_of_is_refused(data):
    with pytest.raises(ParameterError, match="previous"):
        cov.progress(data, "2023-05-16", previous="2023-05-17")


def test_progress_table_as_text(data):
    p = cov.progress(data, "2023-05-16")
    frame = progress_report.progress_frame(
        p, {"311": "Huyện Thuỷ Nguyên", "city": "Toàn thành phố"})
    assert list(frame.iloc[:, 0]) == ["Huyện Thuỷ Nguyên", "Toàn thành phố"]
    row = frame.iloc[0].tolist()
    assert row[1:4] == ["3/4", "75,0%", "+1"]            # A3 answered on 16/05
    assert row[-1] == "chậm"


def test_without_a_deadline_there_is_coverage_but_no_pace(data):
    no_deadline = dataclasses.replace(data, round=dataclasses.replace(data.round, deadline=None))
    p = cov.progress(no_deadline, "2023-05-16")
    assert p.deadline is None and "behind" not in p.districts.columns
    text = progress_report.summary(p, progress_report.unit_names(data))
    assert text.startswith("Đến hết ngày 16/05/2023, 4 trên 8 HTX") and "mục tiêu" not in text
    assert len(progress_report.progress_frame(p, {"city": "Toàn thành phố"}).columns) == 4
