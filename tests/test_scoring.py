"""Tests of hailong.numbers.scoring: every expected figure is worked out by hand from the
answers."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from hailong.core.errors import InputError, ParameterError
from hailong.numbers.scoring import Results, compute_results
from hailong.reference.codebook import load_codebook
from hailong.reference.geography import load_units

NAN = float("nan")

CODEBOOK_YAML = """\
version: "test-1"
title: {vi: "Khảo sát thử", en: "Test survey"}
scales:
  likert5:
    min: 1
    max: 5
    labels:
      - {value: 1, vi: "Rất không hài lòng", en: "Very dissatisfied"}
      - {value: 2, vi: "Không hài lòng", en: "Dissatisfied"}
      - {value: 3, vi: "Bình thường", en: "Neutral"}
      - {value: 4, vi: "Hài lòng", en: "Satisfied"}
      - {value: 5, vi: "Rất hài lòng", en: "Very satisfied"}
    satisfied: [4, 5]
scale: likert5
no_opinion: ["Không ý kiến"]
variants:
  - {id: NN, vi: "HTX nông nghiệp", en: "Agricultural cooperatives"}
  - {id: PNN, vi: "HTX phi nông nghiệp", en: "Non-agricultural cooperatives"}
sectors:
  - {id: nong_nghiep, vi: "Nông nghiệp", en: "Agriculture", variant: NN}
  - {id: van_tai, vi: "Vận tải", en: "Transport", variant: PNN}
dimensions:
  - id: D01
    vi: "Lãnh đạo, chỉ đạo"
    en: "Leadership"
    items:
      - {id: D01_1, number: "1.1", vi: "Quan tâm lãnh đạo", en: "Attention"}
      - {id: D01_2, number: "1.2", vi: "Kế hoạch hỗ trợ", en: "Support plans"}
  - id: D02
    vi: "Thủ tục hành chính"
    en: "Procedures"
    items:
      - {id: D02_1, number: "2.1", vi: "Thủ tục đơn giản", en: "Simple procedures"}
      - {id: D02_2, number: "2.2", vi: "Cán bộ tận tình", en: "Helpful officials"}
overall: {id: OVERALL, number: "3", vi: "Hài lòng chung", en: "Overall satisfaction"}
open_questions:
  - {id: DIFFICULTIES, number: "4", vi: "Khó khăn", en: "Difficulties"}
  - {id: RECOMMENDATIONS, number: "5", vi: "Kiến nghị", en: "Recommendations"}
"""

UNITS_CSV = """\
code,name,full_name,level,type,parent_code,valid_from,valid_to
31,Hải Phòng,Thành phố Hải Phòng,province,thành phố,,,
303,Hồng Bàng,Quận Hồng Bàng,district,quận,31,,
304,Ngô Quyền,Quận Ngô Quyền,district,quận,31,,
305,Lê Chân,Quận Lê Chân,district,quận,31,,
11296,Quán Toan,Phường Quán Toan,commune,phường,303,,
11299,Hùng Vương,Phường Hùng Vương,commune,phường,303,,
11311,Minh Khai,Phường Minh Khai,commune,phường,304,,
"""

# Roster: 303 has HP-01..04, 304 has HP-05..08, 305 has no cooperative.
# HP-06 (304) has no commune code, like the island district's cooperatives.
ROSTER = [
    # coop_id, district, commune
    ("HP-01", "303", "11296"),
    ("HP-02", "303", "11296"),
    ("HP-03", "303", "11299"),
    ("HP-04", "303", "11299"),
    ("HP-05", "304", "11311"),
    ("HP-06", "304", ""),
    ("HP-07", "304", "11311"),
    ("HP-08", "304", "11311"),
]

# Answers D01_1, D01_2, D02_1, D02_2, OVERALL (NaN = no opinion / blank).
# HP-07 and HP-08 did not answer; HP-06 answered "no opinion" everywhere.
ANSWERS = {
    "HP-01": (5, 4, 3, NAN, 4),
    "HP-02": (4, NAN, 2, 2, 3),
    "HP-03": (NAN, NAN, 5, 4, 5),
    "HP-04": (2, 3, NAN, NAN, NAN),
    "HP-05": (1, 2, 4, 4, 2),
    "HP-06": (NAN, NAN, NAN, NAN, NAN),
}
ITEMS = ["D01_1", "D01_2", "D02_1", "D02_2", "OVERALL"]


@pytest.fixture()
def codebook(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text(CODEBOOK_YAML, encoding="utf-8")
    return load_codebook(path)


@pytest.fixture()
def units(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(UNITS_CSV, encoding="utf-8")
    return load_units(path)


@pytest.fixture()
def roster():
    rows = []
    for k, (cid, district, commune) in enumerate(ROSTER):
        rows.append({
            "coop_id": cid, "coop_name": f"HTX {cid}", "district_code": district,
            "commune_code": commune or None,
            "sector": "nong_nghiep" if k % 2 else "van_tai", "variant": "NN" if k % 2 else "PNN",
            "legal_form": "HTX", "member": bool(k % 3), "size_class": "Nhỏ",
            "founded_year": 2000 + k, "director_name": "Nguyễn Văn A", "phone": "0900000000",
            "zalo": "", "email": "",
        })
    t = pd.DataFrame(rows)
    t["founded_year"] = t["founded_year"].astype("Int64")
    return t


@pytest.fixture()
def responses(roster):
    rows = []
    for k, (cid, values) in enumerate(ANSWERS.items()):
        coop = roster.set_index("coop_id").loc[cid]
        row = {
            "coop_id": cid, "submitted_at": pd.Timestamp("2023-03-01 08:00") + pd.Timedelta(days=k),
            "district_code": coop["district_code"], "commune_code": coop["commune_code"],
            "sector": coop["sector"], "variant": coop["variant"], "member": coop["member"],
            "respondent_name": "Trần Thị B", "respondent_phone": "0911111111",
            "source_file": "responses.csv", "source_row": k + 2,
        }
        row.update({item: float(v) for item, v in zip(ITEMS, values)})
        row.update({"DIFFICULTIES": "", "RECOMMENDATIONS": ""})
        rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture()
def results(responses, roster, codebook, units):
    return compute_results(responses, roster, codebook, units, level="district", min_n=3,
                           meta={"round": 2022, "built_at": dt.datetime(2023, 5, 20, 8, 30)})


def score(res: Results, unit: str, measure: str) -> pd.Series:
    s = res.scores
    row = s[(s["unit"] == unit) & (s["measure"] == measure)]
    assert len(row) == 1, (unit, measure)
    return row.iloc[0]


def index_of(mean: float) -> float:
    """The 0–100 index of a mean on the 1..5 scale: (mean - 1) / (5 - 1) * 100."""
    return (mean - 1) / 4 * 100


# --- respondents ---------------------------------------------------------------------

def test_respondent_scores_are_means_of_answered_items_and_dimensions(results):
    r = results.respondents.set_index("coop_id")
    # HP-01: D01 = (5 + 4) / 2, D02 = 3 (2.2 unanswered), INDEX = (4.5 + 3) / 2
    assert r.loc["HP-01", "D01"] == 4.5
    assert r.loc["HP-01", "D02"] == 3
    assert r.loc["HP-01", "INDEX"] == 3.75
    assert r.loc["HP-01", "OVERALL"] == 4
    # HP-03 answered no D01 item: D01 is missing and INDEX = D02 = (5 + 4) / 2
    assert math.isnan(r.loc["HP-03", "D01"])
    assert r.loc["HP-03", "INDEX"] == 4.5
    # HP-05 (district 304): D01 = (1 + 2) / 2, D02 = (4 + 4) / 2, INDEX = (1.5 + 4) / 2
    assert r.loc["HP-05", "INDEX"] == 2.75
    assert r.loc["HP-05", "unit"] == "304"
    # HP-06 answered nothing: every score missing, but the respondent is listed
    assert r.loc["HP-06", ["D01", "D02", "INDEX", "OVERALL"]].isna().all()
    assert list(results.respondents.columns) == [
        "coop_id", "unit", "sector", "variant", "member", "D01", "D02", "INDEX", "OVERALL"]
    assert len(results.respondents) == 6


# --- scores: a district --------------------------------------------------------------

def test_scores_of_a_district_items_dimensions_index_overall(results):
    # District 303: HP-01..HP-04.
    # D01_1 answers 5, 4, 2: n 3, mean 11/3, satisfied (5, 4) 2 of 3
    s = score(results, "303", "D01_1")
    assert (s["kind"], s["dimension"], s["n"]) == ("item", "D01", 3)
    assert s["mean"] == pytest.approx(11 / 3)
    assert s["index"] == pytest.approx((11 / 3 - 1) / 4 * 100)  # 66.67
    assert s["satisfied"] == pytest.approx(2 / 3)
    assert not s["suppressed"]
    # D02_1 answers 3, 2, 5: mean 10/3, satisfied 1 of 3
    s = score(results, "303", "D02_1")
    assert s["mean"] == pytest.approx(10 / 3)
    assert s["satisfied"] == pytest.approx(1 / 3)
    # D01 respondent scores 4.5 (HP-01), 4 (HP-02), 2.5 (HP-04): n 3, mean 11/3;
    # satisfied pooled over the item answers 5, 4 | 4 | 2, 3 -> 3 of 5
    s = score(results, "303", "D01")
    assert (s["kind"], s["dimension"], s["n"]) == ("dimension", "D01", 3)
    assert s["mean"] == pytest.approx((4.5 + 4 + 2.5) / 3)
    assert s["satisfied"] == pytest.approx(3 / 5)
    # D02 respondent scores 3, 2, 4.5: mean 9.5/3; answers 3 | 2, 2 | 5, 4 -> 2 of 5
    s = score(results, "303", "D02")
    assert s["mean"] == pytest.approx(9.5 / 3)
    assert s["index"] == pytest.approx(index_of(9.5 / 3))  # 54.17
    assert s["satisfied"] == pytest.approx(2 / 5)
    # INDEX respondent scores 3.75, 3, 4.5, 2.5: n 4, mean 13.75 / 4 = 3.4375;
    # satisfied pooled over all 10 dimension answers: 5, 4, 4, 5, 4 satisfied -> 5 of 10
    s = score(results, "303", "INDEX")
    assert (s["kind"], s["n"]) == ("index", 4)
    assert pd.isna(s["dimension"])
    assert s["mean"] == pytest.approx(3.4375)
    assert s["index"] == pytest.approx(60.9375)
    assert s["satisfied"] == pytest.approx(0.5)
    # OVERALL answers 4, 3, 5: mean 4, index 75, satisfied 2 of 3
    s = score(results, "303", "OVERALL")
    assert (s["kind"], s["n"]) == ("overall", 3)
    assert pd.isna(s["dimension"])
    assert s["mean"] == 4 and s["index"] == 75
    assert s["satisfied"] == pytest.approx(2 / 3)


def test_scores_of_the_city_pool_all_respondents(results):
    # City: HP-01..HP-06.
    s = score(results, "city", "D01_1")  # answers 5, 4, 2, 1
    assert (s["n"], s["mean"], s["index"], s["satisfied"]) == (4, 3.0, 50.0, 0.5)
    s = score(results, "city", "D02_2")  # answers 2, 4, 4
    assert s["n"] == 3 and s["mean"] == pytest.approx(10 / 3)
    assert s["satisfied"] == pytest.approx(2 / 3)
    # D01 scores 4.5, 4, 2.5, 1.5; pooled answers 5, 4, 4, 2, 3, 1, 2 -> 3 of 7 satisfied
    s = score(results, "city", "D01")
    assert s["n"] == 4 and s["mean"] == pytest.approx(12.5 / 4)
    assert s["satisfied"] == pytest.approx(3 / 7)
    # D02 scores 3, 2, 4.5, 4; pooled answers 3, 2, 2, 5, 4, 4, 4 -> 4 of 7 satisfied
    s = score(results, "city", "D02")
    assert s["mean"] == pytest.approx(13.5 / 4)
    assert s["satisfied"] == pytest.approx(4 / 7)
    # INDEX scores 3.75, 3, 4.5, 2.5, 2.75 (HP-06 has none): n 5, mean 16.5 / 5 = 3.3 —
    # the mean of respondents' indices, not the mean of the two dimension means (3.25).
    # Pooled answers: 14, of which 7 satisfied.
    s = score(results, "city", "INDEX")
    assert s["n"] == 5
    assert s["mean"] == pytest.approx(3.3)
    assert s["index"] == pytest.approx(57.5)
    assert s["satisfied"] == pytest.approx(7 / 14)
    # OVERALL answers 4, 3, 5, 2: mean 3.5, satisfied 2 of 4
    s = score(results, "city", "OVERALL")
    assert (s["n"], s["mean"], s["index"], s["satisfied"]) == (4, 3.5, 62.5, 0.5)


def test_every_unit_and_measure_is_listed_in_order(results):
    expected_units = ["303", "304", "305", "city"]
    expected_measures = ["D01", "D01_1", "D01_2", "D02", "D02_1", "D02_2", "OVERALL", "INDEX"]
    s = results.scores
    assert len(s) == len(expected_units) * len(expected_measures)
    assert list(s["unit"].drop_duplicates()) == expected_units
    assert list(s.loc[s["unit"] == "303", "measure"]) == expected_measures
    assert list(results.units["unit"]) == expected_units


def test_district_without_respondents_is_listed_with_n_zero(results):
    s = results.scores[results.scores["unit"] == "305"]
    assert len(s) == 8
    assert (s["n"] == 0).all()
    assert s[["mean", "index", "satisfied"]].isna().all().all()
    assert s["suppressed"].all()


def test_suppression_below_min_n_keeps_n_and_hides_the_figures(results):
    # min_n = 3. 303's D01_2 has 2 answers (4, 3): withheld; D01_1 has exactly 3: shown.
    s = score(results, "303", "D01_2")
    assert s["n"] == 2 and s["suppressed"]
    assert math.isnan(s["mean"]) and math.isnan(s["index"]) and math.isnan(s["satisfied"])
    assert not score(results, "303", "D01_1")["suppressed"]
    # District 304: 2 respondents, at most 1 value per measure -> everything withheld
    s = results.scores[results.scores["unit"] == "304"]
    assert s["suppressed"].all() and s["mean"].isna().all()
    assert score(results, "304", "INDEX")["n"] == 1


def test_min_n_changes_what_is_withheld(responses, roster, codebook, units):
    res = compute_results(responses, roster, codebook, units, min_n=5)
    # 303 INDEX rests on 4 respondents (< 5); the city's on 5 (not < 5)
    assert score(res, "303", "INDEX")["suppressed"]
    assert not score(res, "city", "INDEX")["suppressed"]
    assert score(res, "city", "INDEX")["mean"] == pytest.approx(3.3)


# --- distribution --------------------------------------------------------------------

def test_distribution_counts_every_scale_value_including_zero(results):
    d = results.distribution
    one = d[(d["unit"] == "303") & (d["measure"] == "D01_1")].set_index("value")
    # answers 5, 4, 2
    assert list(one.index) == [1, 2, 3, 4, 5]
    assert list(one["count"]) == [0, 1, 0, 1, 1]
    assert one["share"].tolist() == pytest.approx([0, 1 / 3, 0, 1 / 3, 1 / 3])


def test_distribution_of_a_dimension_pools_its_item_answers(results):
    d = results.distribution
    dim = d[(d["unit"] == "city") & (d["measure"] == "D01")].set_index("value")
    # pooled answers 5, 4, 2, 1 (D01_1) and 4, 3, 2 (D01_2)
    assert list(dim["count"]) == [1, 2, 1, 2, 1]
    assert dim["share"].tolist() == pytest.approx([1 / 7, 2 / 7, 1 / 7, 2 / 7, 1 / 7])


def test_distribution_shares_sum_to_one_and_suppressed_cells_are_empty(results):
    d = results.distribution
    shown = d.dropna(subset=["share"])
    sums = shown.groupby(["unit", "measure"])["share"].sum()
    assert len(sums) > 0
    assert np.allclose(sums, 1.0)
    # measures: 2 dimensions + 4 items + OVERALL; 4 units; 5 scale values
    assert len(d) == 4 * 7 * 5
    assert set(d["measure"]) == {"D01", "D01_1", "D01_2", "D02", "D02_1", "D02_2", "OVERALL"}
    hidden = d[(d["unit"] == "303") & (d["measure"] == "D01_2")]  # 2 answers < min_n 3
    assert hidden[["count", "share"]].isna().all().all()
    assert d[d["unit"].isin(["304", "305"])][["count", "share"]].isna().all().all()


# --- coverage ------------------------------------------------------------------------

def test_coverage_counts_roster_and_answers_per_unit_and_city(results):
    c = results.coverage.set_index("unit")
    assert list(c.index) == ["303", "304", "305", "city"]
    assert c.loc["303", ["roster_n", "answered"]].tolist() == [4, 4]
    assert c.loc["303", "share"] == 1.0
    assert c.loc["304", ["roster_n", "answered"]].tolist() == [4, 2]
    assert c.loc["304", "share"] == 0.5
    # 305 has no cooperative in the roster: share undefined
    assert c.loc["305", ["roster_n", "answered"]].tolist() == [0, 0]
    assert math.isnan(c.loc["305", "share"])
    assert c.loc["city", ["roster_n", "answered"]].tolist() == [8, 6]
    assert c.loc["city", "share"] == 0.75
    # counts are kept; the flag says figures of units below min_n = 3 are withheld
    assert c["suppressed"].tolist() == [False, True, True, False]


# --- units, measures, meta, helpers --------------------------------------------------

def test_units_table_names_each_unit_and_the_city(results):
    u = results.units.set_index("unit")
    assert u.loc["303", ["level", "name", "full_name"]].tolist() == [
        "district", "Hồng Bàng", "Quận Hồng Bàng"]
    assert u.loc["city", ["name", "full_name"]].tolist() == ["Hải Phòng", "Thành phố Hải Phòng"]


def test_meta_keeps_caller_facts_and_scoring_settings(results):
    m = results.meta
    assert m["round"] == 2022
    assert m["built_at"] == "2023-05-20T08:30:00"
    assert (m["codebook_version"], m["level"], m["min_n"]) == ("test-1", "district", 3)
    assert (m["scale_min"], m["scale_max"], m["satisfied_values"]) == (1, 5, [4, 5])
    assert m["scale_labels"][3] == {"value": 4, "vi": "Hài lòng", "en": "Satisfied"}


def test_measures_table_labels_every_measure(results):
    m = results.measures.set_index("measure")
    assert m.loc["D01", ["kind", "vi", "en"]].tolist() == [
        "dimension", "Lãnh đạo, chỉ đạo", "Leadership"]
    assert m.loc["D02_2", ["kind", "dimension", "number"]].tolist() == ["item", "D02", "2.2"]
    assert m.loc["INDEX", "kind"] == "index"
    assert m.loc["OVERALL", "vi"] == "Hài lòng chung"


def test_dimension_table_in_codebook_order_with_labels(results):
    t = results.dimension_table("303")
    assert list(t.columns) == ["measure", "label", "n", "mean", "index", "satisfied",
                               "suppressed"]
    assert t["measure"].tolist() == ["D01", "D02"]
    assert t["label"].tolist() == ["Lãnh đạo, chỉ đạo", "Thủ tục hành chính"]
    assert t["mean"].tolist() == pytest.approx([11 / 3, 9.5 / 3])
    assert results.dimension_table("city", lang="en")["label"].tolist() == [
        "Leadership", "Procedures"]


def test_unit_keeps_only_that_units_rows(results):
    one = results.unit("303")
    for name in ("scores", "distribution", "coverage", "units", "respondents"):
        assert set(getattr(one, name)["unit"]) == {"303"}, name
    assert sorted(one.respondents["coop_id"]) == ["HP-01", "HP-02", "HP-03", "HP-04"]
    assert len(one.scores) == 8
    city = results.unit("city")
    assert set(city.scores["unit"]) == {"city"}
    assert len(city.respondents) == 6  # the city's respondents are all respondents


def test_unknown_unit_raises_a_parameter_error_listing_valid_ones(results):
    with pytest.raises(ParameterError) as err:
        results.unit("999")
    assert "303" in str(err.value) and "city" in str(err.value)


def test_save_and_load_round_trip(results, tmp_path):
    folder = results.save(tmp_path / "results")
    assert (folder / "meta.json").is_file()
    back = Results.load(folder)
    for name in ("respondents", "scores", "distribution", "coverage", "units", "measures"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(results, name), obj=name)
    assert back.meta == results.meta


def test_load_of_incomplete_results_says_which_file(results, tmp_path):
    folder = results.save(tmp_path / "results")
    (folder / "scores.parquet").unlink()
    with pytest.raises(InputError) as err:
        Results.load(folder)
    assert err.value.file.endswith("scores.parquet")


# --- commune level -------------------------------------------------------------------

def test_commune_level_reports_every_commune(responses, roster, codebook, units):
    res = compute_results(responses, roster, codebook, units, level="commune", min_n=2)
    assert list(res.units["unit"]) == ["11296", "11299", "11311", "city"]
    assert set(res.units.loc[res.units["unit"] != "city", "level"]) == {"commune"}
    # 11296: HP-01, HP-02. D01_1 answers 5, 4; INDEX scores 3.75, 3
    s = score(res, "11296", "D01_1")
    assert (s["n"], s["mean"], s["satisfied"]) == (2, 4.5, 1.0)
    assert score(res, "11296", "INDEX")["mean"] == pytest.approx((3.75 + 3) / 2)
    # 11299: HP-03, HP-04. INDEX scores 4.5, 2.5
    assert score(res, "11299", "INDEX")["mean"] == pytest.approx(3.5)
    # 11311: only HP-05 answered (HP-06 has no commune): n 1 < 2
    assert score(res, "11311", "INDEX")["suppressed"]
    c = res.coverage.set_index("unit")
    assert c.loc["11311", ["roster_n", "answered"]].tolist() == [3, 1]
    # HP-06 has no commune: counted for the city only, and the meta says so
    assert c.loc["city", ["roster_n", "answered"]].tolist() == [8, 6]
    assert score(res, "city", "INDEX")["mean"] == pytest.approx(3.3)
    assert res.meta["respondents_outside_units"] == 1
    assert res.meta["level"] == "commune"


# --- mistakes ------------------------------------------------------------------------

def test_answer_off_the_scale_is_an_input_error_with_its_location(
        responses, roster, codebook, units):
    responses.loc[2, "D02_1"] = 7.0
    with pytest.raises(InputError) as err:
        compute_results(responses, roster, codebook, units)
    e = err.value
    assert (e.file, e.row, e.column, e.found) == ("responses.csv", 4, "D02_1", 7.0)


def test_missing_item_column_is_an_input_error(responses, roster, codebook, units):
    with pytest.raises(InputError) as err:
        compute_results(responses.drop(columns="D01_2"), roster, codebook, units)
    assert err.value.found == ["D01_2"]


def test_unknown_level_is_a_parameter_error(responses, roster, codebook, units):
    with pytest.raises(ParameterError):
        compute_results(responses, roster, codebook, units, level="ward")


# --- intervals, weights, tiers, comparison, secondary suppression (hailong.numbers.stats) ------

Z95 = 1.959963984540054


def test_interval_of_a_mean_is_model_based_without_the_fpc(results):
    from scipy import stats as sps
    # 303 D01_1: answers 5, 4, 2 from 3 of the 4 listed cooperatives.
    # mean 11/3, s² = ((4/3)² + (1/3)² + (5/3)²) / 2 = 7/3, se = √(7/3 / 3): no FPC, the
    # answers measure the authorities' support, of which the roster is one draw
    se = math.sqrt(7 / 3 / 3)
    half = sps.t.ppf(0.975, 2) * se
    s = score(results, "303", "D01_1")
    assert s["se"] == pytest.approx(se / 4 * 100)                      # on the 0-100 scale
    assert s["low"] == pytest.approx(index_of(11 / 3 - half))
    assert s["high"] == pytest.approx(index_of(11 / 3 + half))
    assert s["rse"] == pytest.approx(s["se"] / s["index"])


def test_interval_of_satisfied_is_wilson(results):
    # 303 D01_1: 2 of 3 answers satisfied
    p, n, k = 2 / 3, 3, Z95 ** 2
    centre = (p + k / (2 * n)) / (1 + k / n)
    half = math.sqrt(k) / (1 + k / n) * math.sqrt(p * (1 - p) / n + k / (4 * n * n))
    s = score(results, "303", "D01_1")
    assert (s["satisfied_low"], s["satisfied_high"]) == pytest.approx(
        (centre - half, centre + half))
    assert s["satisfied_se"] == pytest.approx(math.sqrt(p * (1 - p) / n))


def test_interval_of_a_pooled_share_treats_the_respondent_as_the_unit(results):
    # 303 D01 pools item answers: HP-01 (5, 4) -> 2 of 2 satisfied; HP-02 (4) -> 1 of 1;
    # HP-04 (2, 3) -> 0 of 2. R = 3/5; residuals 2 - 1.2, 1 - 0.6, 0 - 1.2.
    # v = 1 / (3 · (5/3)²) · (0.64 + 0.16 + 1.44) / 2 (Cochran 6.9)
    v = 1 / (3 * (5 / 3) ** 2) * 2.24 / 2
    n_star = 0.6 * 0.4 / v  # Wilson on the effective number of answers
    centre = (0.6 + Z95 ** 2 / (2 * n_star)) / (1 + Z95 ** 2 / n_star)
    half = Z95 / (1 + Z95 ** 2 / n_star) * math.sqrt(0.24 / n_star + Z95 ** 2 / (4 * n_star ** 2))
    s = score(results, "303", "D01")
    assert s["satisfied_se"] == pytest.approx(math.sqrt(v))
    assert (s["satisfied_low"], s["satisfied_high"]) == pytest.approx(
        (centre - half, centre + half))


def test_unreliable_flags_a_relative_standard_error_above_the_threshold(results):
    # 303 D02_1: 1 of 3 satisfied, se = √((1/3)(2/3)/3) = √2/9 · 3^½ ..., RSE 0.82 > 0.25
    s = score(results, "303", "D02_1")
    assert s["satisfied_rse"] == pytest.approx(math.sqrt(2 / 27) / (1 / 3))
    assert s["unreliable"]
    # D01_1: index se 22.05 on 66.7 (RSE 0.33): three answers are a noisy measure
    d = score(results, "303", "D01_1")
    assert d["rse"] == pytest.approx(math.sqrt(7 / 9) / 4 * 100 / index_of(11 / 3))
    assert d["unreliable"]


def test_no_interval_has_zero_width_when_every_answer_is_the_same():
    from conftest import small_results_inputs
    from hailong.reference.config import PROJECT_ROOT, StatsSettings
    responses, roster = small_results_inputs()
    ref = PROJECT_ROOT / "data" / "reference"
    res = compute_results(responses, roster, load_codebook(ref / "codebook" / "codebook-v1.yaml"),
                          load_units(ref / "units-2022.csv"), min_n=5,
                          stats=StatsSettings(group_n=2))
    s = score(res, "311", "D01_1")   # 8 answers, all 4: s = 0, taken as 1/√8
    assert s["n"] == 8 and s["mean"] == 4
    assert s["se"] == pytest.approx(1 / math.sqrt(8) / math.sqrt(8) / 4 * 100)
    shown = res.scores[~res.scores["suppressed"].astype(bool)]
    assert (shown["high"] > shown["low"]).all()
    assert (shown["satisfied_high"] > shown["satisfied_low"]).all()


def test_withheld_rows_have_no_interval(results):
    s = score(results, "304", "INDEX")
    assert s["suppressed"] and s["suppression"] == "primary"
    assert np.isnan([s["se"], s["low"], s["high"], s["satisfied_low"]]).all()
    assert not s["unreliable"] and pd.isna(s["tier"]) and s["vs_city"] == ""


def test_weighted_city_with_one_pooled_cell_equals_the_unweighted_city(results):
    # min_cell 5: no cell and no district has 5 respondents, so all are pooled:
    # 8 cooperatives / 6 respondents, equal weights
    cells = results.cells
    assert set(cells["rule"]) == {"pooled"}
    assert cells["weight"].tolist() == pytest.approx([8 / 6] * 4)
    w = results.weighted.set_index("measure")
    assert w.loc["INDEX", "index"] == pytest.approx(57.5)
    assert w.loc["INDEX", "n_eff"] == pytest.approx(5)
    m = results.meta["weighting"]
    assert m["cells"] == 1 and m["method"] == "raking"
    # membership: 2 non-members answered (HP-01, HP-04), fewer than min_cell, so the
    # margin is left with one category and adds nothing; every roster row is "Nhỏ"
    assert [x["name"] for x in m["margins"]] == ["cell"]
    assert [x["name"] for x in m["dropped"]] == ["member", "size_class"]
    assert m["design_effect"] == pytest.approx(1.0) and m["n_eff"] == pytest.approx(6)


def test_weighted_city_raked_to_district_variant_cells_and_membership(responses, roster,
                                                                      codebook, units):
    from hailong.reference.config import StatsSettings
    res = compute_results(responses, roster, codebook, units, min_n=3,
                          stats=StatsSettings(min_cell=1))
    # cells (listed / answered): 303-NN 2/2, 303-PNN 2/2, 304-NN 2/1 (HP-06), 304-PNN 2/1
    # (HP-05): post-stratified weights 1, 1, 1, 1, 2, 2 — the first margin of the raking
    c = res.cells.set_index(["unit", "group"])
    assert c["weight"].to_dict() == {("303", "NN"): 1.0, ("303", "PNN"): 1.0,
                                     ("304", "NN"): 2.0, ("304", "PNN"): 2.0}
    assert (c["weight"] * c["respondents"]).sum() == 8
    # second margin, membership (member = k % 3 != 0): roster non-members HP-01, HP-04,
    # HP-07 (3), members 5; answered: non-members HP-01, HP-04, members HP-02, -03, -05, -06.
    # Raked weights are a_cell · b_member. 304's cells hold one member each: a · b_T = 2.
    # 303-NN = {HP-02 T, HP-04 F}, 303-PNN = {HP-01 F, HP-03 T}: a (b_T + b_F) = 2 in both.
    # Non-members: 2 · 2 b_F / (b_T + b_F) = 3, so a · b_F = 3/2 and a · b_T = 1/2
    # (members: 1/2 + 1/2 + 2 + 2 = 5). Weights HP-01..06: 1.5, 0.5, 0.5, 1.5, 2, 2.
    # No trimming: the cap is 3.5 × median 1.5 = 5.25.
    w = res.weighted.set_index("measure")
    weights = [1.5, 0.5, 0.5, 1.5, 2.0]                   # HP-06 has no INDEX
    ys = [3.75, 3.0, 4.5, 2.5, 2.75]
    mean = sum(a * b for a, b in zip(weights, ys)) / 6     # 18.625 / 6
    assert w.loc["INDEX", "mean"] == pytest.approx(mean)
    assert w.loc["INDEX", "index"] == pytest.approx(index_of(mean))
    assert w.loc["INDEX", "n_eff"] == pytest.approx(36 / 9)   # (Σw)² / Σw²
    # Linearized, no FPC, the cells as strata: z = w (y - R) / Σw, Σw = 6; a cell of two
    # adds (z₁ - z₂)²; 304's cells have one respondent each (nothing to add).
    r = mean
    v = ((0.5 * (3 - r) - 1.5 * (2.5 - r)) ** 2 + (1.5 * (3.75 - r) - 0.5 * (4.5 - r)) ** 2)
    assert w.loc["INDEX", "se"] == pytest.approx(math.sqrt(v / 36) / 4 * 100)
    m = res.meta["weighting"]
    assert [x["name"] for x in m["margins"]] == ["cell", "member"]
    assert m["margins"][1]["categories"] == ["False", "True"]
    assert [x["name"] for x in m["dropped"]] == ["size_class"]       # all "Nhỏ"
    assert (m["weight_min"], m["weight_max"]) == pytest.approx((0.5, 2.0))
    assert (m["cell_weight_min"], m["cell_weight_max"]) == pytest.approx((1.0, 2.0))
    assert m["trimming"]["cap"] == pytest.approx(5.25) and m["trimming"]["trimmed"] == 0
    # over all six respondents: Σw = 8, Σw² = 13: deff = 6 · 13 / 64, n_eff = 64 / 13
    assert m["design_effect"] == pytest.approx(78 / 64)
    assert m["n_eff"] == pytest.approx(64 / 13)
    assert m["margin_gap"] < 1e-6
    # the unweighted city stays in scores
    assert score(res, "city", "INDEX")["index"] == pytest.approx(57.5)


def test_a_margin_the_raking_cannot_meet_is_dropped_and_said_so(responses, roster, codebook,
                                                                units):
    from hailong.reference.config import StatsSettings
    # answers claim member values the roster does not have: x, y (2 respondents each)
    responses["member"] = ["x", "x", "y", "y", True, True]
    res = compute_results(responses, roster, codebook, units, min_n=3,
                          stats=StatsSettings(min_cell=1))
    m = res.meta["weighting"]
    assert [x["name"] for x in m["margins"]] == ["cell"]
    reasons = {x["name"]: x["reason"] for x in m["dropped"]}
    assert "does not list" in reasons["member"]    # x, y are not in the roster
    # the cells alone: the post-stratified weights 1, 1, 1, 1, 2, 2
    assert (m["weight_min"], m["weight_max"]) == pytest.approx((1.0, 2.0))
    mean = (3.75 + 3 + 4.5 + 2.5 + 2 * 2.75) / 6
    assert res.weighted.set_index("measure").loc["INDEX", "mean"] == pytest.approx(mean)


def test_nonresponse_table_for_published_units_under_80_percent_and_the_city(
        responses, roster, codebook, units, results):
    # min_n 1: 304 (2 of 4 answered, 50%) is published; 303 (4 of 4) is not under 80%
    res = compute_results(responses, roster, codebook, units, min_n=1)
    t = res.nonresponse
    assert list(t.columns) == ["unit", "attribute", "category", "roster_n", "respondents",
                               "roster_share", "respondent_share"]
    assert list(dict.fromkeys(t["unit"])) == ["304", "city"]
    assert list(dict.fromkeys(t["attribute"])) == ["variant", "member", "sector", "size_class"]
    m = t[(t["unit"] == "304") & (t["attribute"] == "member")].set_index("category")
    # 304: HP-05 (T), HP-06 (T) answered; HP-07 (F), HP-08 (T) did not
    assert m["roster_n"].to_dict() == {"False": 1, "True": 3}
    assert m["respondents"].to_dict() == {"False": 0, "True": 2}
    assert m["roster_share"].to_dict() == pytest.approx({"False": 0.25, "True": 0.75})
    assert m["respondent_share"].to_dict() == pytest.approx({"False": 0.0, "True": 1.0})
    c = t[(t["unit"] == "city") & (t["attribute"] == "variant")].set_index("category")
    assert c["roster_n"].to_dict() == {"NN": 4, "PNN": 4}
    assert c["respondents"].to_dict() == {"NN": 3, "PNN": 3}
    # min_n 3: 304's index is withheld, so its counts are not shown; the city stays
    assert set(results.nonresponse["unit"]) == {"city"}


def test_tier_comparison_with_the_rest_of_the_city_and_rank_of_a_district(results):
    from scipy import stats as sps
    s = score(results, "303", "INDEX")
    assert s["tier"] == "trung_binh"          # 60.9 on the default 50 / 65 / 80 classes
    # 303's INDEX: 3.75, 3, 4.5, 2.5: mean 3.4375, s = 0.875, se = 0.4375 → 10.9375
    assert s["se"] == pytest.approx(10.9375)
    # the rest of the city: 304's HP-05 (2.75; HP-06 has no INDEX), in one pooled cell:
    # index 43.75, no variance left. Var(diff) = se² + 0
    diff = index_of(3.4375) - index_of(2.75)
    assert s["diff"] == pytest.approx(diff)
    assert s["diff_low"] == pytest.approx(diff - Z95 * 10.9375)
    p = 2 * sps.norm.sf(diff / 10.9375)
    assert p > 0.05 and s["p_adjusted"] >= p - 1e-12
    assert s["vs_city"] == "similar"
    # its interval, 60.9 ± t(3) · 10.94 = 26.1-95.7, reaches from Yếu to Tốt: borderline
    half = sps.t.ppf(0.975, 3) * 10.9375
    assert s["low"] == pytest.approx(index_of(3.4375) - half)
    assert (s["tier_low"], s["tier_high"]) == ("yeu", "tot")
    # the only published district ranks first, with certainty
    assert [s["rank"], s["rank_low"], s["rank_high"]] == [1, 1, 1]
    assert pd.isna(score(results, "city", "INDEX")["rank"])


def test_secondary_suppression_hides_a_second_district(responses, roster, codebook, units):
    from hailong.reference.config import StatsSettings
    # group_n=2: the group-attribute rule (its own tests: test_disclosure.py) left aside
    res = compute_results(responses, roster, codebook, units, min_n=3,
                          stats=StatsSettings(group_n=2))
    # 304's INDEX rests on 1 respondent: withheld. With only 303 beside it, the city
    # total minus 303 would give it away (16.5 - 13.75 = 2.75), so 303 is withheld too,
    # in every measure; the city stays published.
    assert score(res, "304", "INDEX")["suppression"] == "primary"
    s = res.scores[res.scores["unit"] == "303"]
    assert s["suppressed"].all() and s["index"].isna().all()
    assert score(res, "303", "INDEX")["suppression"] == "secondary"
    assert score(res, "303", "D01_2")["suppression"] == "primary"   # 2 answers
    assert not score(res, "city", "INDEX")["suppressed"]
    d = res.distribution
    assert d[d["unit"] == "303"][["count", "share"]].isna().all().all()
    assert res.quotes.empty  # no theme dictionary given


def test_secondary_suppression_takes_the_smallest_other_district():
    from conftest import small_results_inputs
    from hailong.numbers.scoring import compute_results as compute
    from hailong.reference.config import PROJECT_ROOT, StatsSettings
    responses, roster = small_results_inputs()
    ref = PROJECT_ROOT / "data" / "reference"
    cb = load_codebook(ref / "codebook" / "codebook-v1.yaml")
    un = load_units(ref / "units-2022.csv")
    # every cooperative of a district answers alike here: group_n=2 leaves the
    # group-attribute rule aside (tested in test_disclosure.py)
    res = compute(responses, roster, cb, un, min_n=5, stats=StatsSettings(group_n=2))
    # 318: 1 respondent (primary); 303 (5) is smaller than 311 (8): withheld with it
    assert score(res, "318", "INDEX")["suppression"] == "primary"
    assert score(res, "303", "INDEX")["suppression"] == "secondary"
    assert not score(res, "311", "INDEX")["suppressed"]
    # without the setting (the library's default) only primary suppression is done
    plain = compute(responses, roster, cb, un, min_n=5)
    assert not score(plain, "303", "INDEX")["suppressed"]


def test_two_item_dimensions_use_spearman_brown_on_complete_pairs(results):
    # D01 items over the respondents: D01_1 = 5, 4, -, 2, 1 ; D01_2 = 4, -, -, 3, 2: only 3
    # answered both, fewer than the 4 a correlation's interval needs: no coefficient
    r = results.reliability.set_index("measure").loc["D01"]
    assert (r["items"], r["n"], r["coefficient"]) == (2, 3, "spearman_brown")
    assert np.isnan(r["alpha"]) and np.isnan(r["low"])


def test_open_answers_give_theme_counts_and_redacted_quotes(responses, roster, codebook,
                                                            units):
    from hailong.numbers.themes import load_themes
    from hailong.reference.config import PROJECT_ROOT
    texts = {"HP-01": "Thiếu vốn sản xuất.", "HP-02": "Thiếu vốn sản xuất.",
             "HP-03": "Thủ tục vay vốn phức tạp. Liên hệ Nguyễn Văn A 0900000000.",
             "HP-04": "HTX HP-04 cần quỹ đất.", "HP-05": "Giá phân bón tăng cao."}
    responses["RECOMMENDATIONS"] = responses["coop_id"].map(texts).fillna("")
    book = load_themes(PROJECT_ROOT / "data" / "reference" / "themes.yaml")
    res = compute_results(responses, roster, codebook, units, min_n=3, themes=book)
    t = res.themes.set_index(["unit", "question", "theme"])
    # 303: 4 answered, 3 mention capital (HP-01, -02, -03); 304: 1 answered (< 3), so
    # every count of 304 is withheld, its zeros too (what one cooperative did not raise is
    # not shown), and so is the city's input-price count (1 respondent)
    assert t.loc[("303", "RECOMMENDATIONS", "von"), "answered"] == 4
    assert t.loc[("304", "RECOMMENDATIONS", "gia_vat_tu"), "suppressed"]
    assert t.loc[("304", "RECOMMENDATIONS", "von"), "suppressed"]          # a zero
    assert t.loc[("304", "RECOMMENDATIONS", "von"), "suppression"] == "primary"
    assert t.loc[("city", "RECOMMENDATIONS", "gia_vat_tu"), "suppressed"]
    # with 304's zero withheld, 303's 3 and the city's 3 would show that it is 0: 303's
    # capital count is withheld as its complement (the zero protects nothing)
    assert t.loc[("303", "RECOMMENDATIONS", "von"), "suppression"] == "secondary"
    quotes = " ".join(res.quotes["text"])
    # quotes come only from 303, whose figures are published (304's are withheld)
    assert res.quotes.set_index("text").loc["Thiếu vốn sản xuất.", "respondents"] == 2
    assert "phân bón" not in quotes
    # the director's name (roster), the phone and the cooperative's own name are removed
    assert "Nguyễn Văn A" not in quotes and "0900000000" not in quotes
    assert "HP-04" not in quotes and "[tên HTX]" in quotes
    assert set(res.meta["themes"]["labels"]) >= {"von", "khac"}


def test_new_tables_survive_save_and_load(responses, roster, codebook, units, tmp_path):
    from hailong.reference.config import StatsSettings
    res = compute_results(responses, roster, codebook, units, min_n=3,
                          stats=StatsSettings(group_n=2))
    back = Results.load(res.save(tmp_path / "r"))
    for name in ("scores", "weighted", "reliability", "cells", "nonresponse", "themes",
                 "quotes"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(res, name), obj=name,
                                      check_dtype=False)
    assert back.meta["tiers"][0] == {"id": "tot", "lower": 80.0, "vi": "Tốt", "en": "Good"}


def test_estimates_of_the_city_are_the_weighted_ones(results):
    city = results.estimates("city", "index")
    w = results.weighted.set_index("measure").loc["INDEX"]
    assert city["index"].iloc[0] == pytest.approx(w["index"])
    assert city["n_eff"].iloc[0] == pytest.approx(w["n_eff"])
    unit = results.estimates("303", "dimension", lang="en")
    assert unit["label"].tolist() == ["Leadership", "Procedures"]
    assert {"low", "high", "tier", "vs_city", "rank_low", "suppression"} <= set(unit.columns)


def test_only_the_configured_kinds_are_ranked_and_each_alone():
    # statistics.ranked: the reports show the index's rank ranges only; ranking one more
    # kind must not move the index's ranges (each measure is ranked on its own)
    from dataclasses import replace

    from hailong.numbers.pipeline import open_round, validate_round

    ctx = open_round(2022)
    data = validate_round(ctx)

    def ranks(kinds):
        stats = replace(ctx.config.stats, ranked=kinds)
        res = compute_results(data.responses, data.roster, ctx.codebook, ctx.units,
                                      level="district", min_n=5, stats=stats, themes=None,
                                      meta={})
        return res.scores.set_index(["unit", "measure"])[
            ["kind", "suppressed", "rank", "rank_low", "rank_high"]]

    only, more = ranks(("index",)), ranks(("index", "dimension"))
    unit = only.index.get_level_values("unit") != "city"
    shown = unit & ~only["suppressed"].to_numpy()
    index, dims = (only["kind"] == "index").to_numpy(), (only["kind"] == "dimension").to_numpy()
    assert only.loc[index & shown, "rank"].notna().all()
    assert only.loc[~index, ["rank", "rank_low", "rank_high"]].isna().all().all()
    pd.testing.assert_frame_equal(only[index], more[index])
    assert more.loc[dims & shown, "rank"].notna().all()
    assert more.loc[(only["kind"] == "overall").to_numpy(), "rank"].isna().all()
    # a dimension's units are ranked among themselves: 1..k (ties share the best rank),
    # the range around each rank
    for _, rows in more[dims & shown].groupby(level="measure"):
        assert rows["rank"].min() == 1 and rows["rank"].max() <= len(rows)
        assert (rows["rank_low"] <= rows["rank"]).all()
        assert (rows["rank"] <= rows["rank_high"]).all()
