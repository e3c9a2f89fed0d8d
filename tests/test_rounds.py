"""Several rounds: loading by round, item mappings, trends worked out by hand, parameters."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hailong.core.errors import ConfigError, ParameterError
from hailong.numbers.pipeline import load_results
from hailong.numbers.rounds import (
    RoundInput,
    available_rounds,
    check_round_has_data,
    find_mapping,
    line_up,
    load_item_mapping,
    load_round,
    trend,
)
from hailong.reference.codebook import load_codebook
from hailong.reference.config import PROJECT_ROOT, StatsSettings, load_config
from hailong.reference.geography import load_crosswalk, load_units
from hailong.run.build import build, plan

REF = PROJECT_ROOT / "data" / "reference"
CB_DIR = REF / "codebook"
NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"
Z95 = 1.959963984540054


@pytest.fixture(scope="module")
def v0():
    return load_codebook(CB_DIR / "codebook-v0.yaml")


@pytest.fixture(scope="module")
def v1():
    return load_codebook(CB_DIR / "codebook-v1.yaml")


# --- item mappings -------------------------------------------------------------------------

def test_the_shipped_mapping_matches_renumbered_reworded_dropped_and_added_items(v0, v1):
    m = find_mapping(v0, v1)
    assert (m.from_version, m.to_version) == ("v0-draft", "v1-draft")
    assert m.items["D03_2"] == "D03_3" and m.items["D03_3"] == "D03_2"   # swapped places
    assert m.items["D06_3"] is None                                      # dropped in 2022
    assert m.items["D08_1"] == "D08_1" and "Diễn đạt lại" in m.notes["D08_1"]
    assert m.added == ("D02_3",)
    # the same ids name other questions in the two versions: the mapping is what counts
    assert v0.item("D03_2").vi == v1.item("D03_3").vi
    back = find_mapping(v1, v0)
    assert back.items["D03_3"] == "D03_2" and back.items["D02_3"] is None


def test_the_same_version_maps_every_item_to_itself(v1):
    m = find_mapping(v1, v1)
    assert m.items == {it.id: it.id for it in v1.scored_items}


def _mapping(tmp_path, items: str) -> Path:
    path = tmp_path / "mapping-v0-v1.yaml"
    path.write_text(f"from: v0-draft\nto: v1-draft\nitems:\n{items}", encoding="utf-8")
    return path


def test_a_mapping_must_list_every_item_of_the_older_version(tmp_path, v0, v1):
    with pytest.raises(ConfigError, match="does not list every item") as info:
        load_item_mapping(_mapping(tmp_path, "  D01_1: D01_1\n"), v0, v1)
    assert "D01_2" in info.value.found


def test_a_mapping_to_an_unknown_or_repeated_item_is_refused(tmp_path, v0, v1):
    lines = "".join(f"  {it.id}: {it.id}\n" for it in v0.scored_items if it.id != "D06_3")
    with pytest.raises(ConfigError, match="does not have") as info:
        load_item_mapping(_mapping(tmp_path, lines + "  D06_3: D06_3\n"), v0, v1)
    assert info.value.found == ["D06_3"]
    with pytest.raises(ConfigError, match="same item"):
        load_item_mapping(_mapping(tmp_path, lines + "  D06_3: D06_1\n"), v0, v1)


def test_without_a_mapping_two_versions_are_never_compared(tmp_path, v0, v1):
    with pytest.raises(ConfigError, match="No item mapping") as info:
        find_mapping(v0, v1, folder=tmp_path)
    assert "mapping-" in info.value.expected


def test_a_broken_mapping_file_is_named_not_a_traceback(tmp_path, v0, v1):
    (tmp_path / "mapping-broken.yaml").write_text("from: v0-draft\nto: [v1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="item mapping file is not valid YAML") as info:
        find_mapping(v0, v1, folder=tmp_path)
    assert info.value.file.endswith("mapping-broken.yaml")


def test_project_yaml_files_are_read_as_mappings_or_refused_by_name(tmp_path):
    from hailong.core.yamlfile import read_yaml

    ok = tmp_path / "ok.yaml"
    ok.write_text("a: 1\nb: [x, y]\n", encoding="utf-8")
    assert read_yaml(ok, "test file") == {"a": 1, "b": ["x", "y"]}
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert read_yaml(empty, "test file") == {}
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n", encoding="utf-8")
    # the hint says where the path is set: it helps only when the file is missing
    for path, message, hint in ((tmp_path / "none.yaml", "The codebook file does not exist",
                                 "Check 'codebook:'."),
                                (listed, "The codebook file must be a mapping", None)):
        with pytest.raises(ConfigError, match=message) as info:
            read_yaml(path, "codebook file", hint="Check 'codebook:'.")
        assert info.value.file == str(path) and info.value.hint == hint


# --- a tiny two-round dataset worked out by hand -----------------------------------------

def _responses(codebook, rows: list[dict]) -> pd.DataFrame:
    """Canonical responses: every item blank unless ``rows`` gives it."""
    items = [it.id for it in codebook.scored_items]
    out = []
    for k, row in enumerate(rows):
        base = {"coop_id": f"HP-{k + 1:04d}", "district_code": row.pop("district"),
                "commune_code": "", "sector": "nong_nghiep", "variant": "NN", "member": True}
        out.append({**base, **dict.fromkeys(items, np.nan), **row})
    return pd.DataFrame(out)


@pytest.fixture(scope="module")
def two_rounds(v0, v1):
    """2021 (codebook v0) and 2022 (v1): Thuỷ Nguyên (311) 5 answers, Hồng Bàng (303) 2.

    2021, 311: v0 item 3.2 (informal charges, v0 id D03_2) = 2; v0 3.3 (guidance, D03_3)
    = 4; 8.1 (D08_1) = 1, 2, 3, 4, 5; 6.3 (dropped in 2022) = 5; overall = 3.
    2022, 311: v1 3.2 (guidance, D03_2) = 5; v1 3.3 (informal, D03_3) = 3; 8.1 = 3;
    2.3 (added in 2022) = 1; overall = 4. Hồng Bàng, both rounds: overall 5 only.
    """
    r21 = [{"district": "311", "D03_2": 2.0, "D03_3": 4.0, "D08_1": float(v), "D06_3": 5.0,
            "OVERALL": 3.0} for v in (1, 2, 3, 4, 5)]
    r22 = [{"district": "311", "D03_2": 5.0, "D03_3": 3.0, "D08_1": 3.0, "D02_3": 1.0,
            "OVERALL": 4.0} for _ in range(5)]
    hb = [{"district": "303", "OVERALL": 5.0} for _ in range(2)]
    units = load_units(REF / "units-2022.csv")
    return line_up([RoundInput(2022, _responses(v1, r22 + [dict(h) for h in hb]), v1),
                    RoundInput(2021, _responses(v0, r21 + [dict(h) for h in hb]), v0)],
                   v1, units, "district", min_n=5,
                   # two areas of eleven rated: the index rule is left aside here
                   stats=StatsSettings(min_index_share=0))


def _row(tr, unit, measure, year):
    t = tr.table
    return t[(t["unit"] == unit) & (t["measure"] == measure) & (t["round"] == year)].iloc[0]


def test_items_are_compared_through_the_mapping_not_by_id(two_rounds):
    # informal charges: v0 3.2 (mean 2 -> index 25) -> v1 3.3 (mean 3 -> 50): +25.
    # Compared blindly by id D03_3 it would read 4 -> 3, i.e. -25.
    assert _row(two_rounds, "311", "D03_3", 2021)["index"] == pytest.approx(25.0)
    assert _row(two_rounds, "311", "D03_3", 2022)["index"] == pytest.approx(50.0)
    assert _row(two_rounds, "311", "D03_3", 2022)["change"] == pytest.approx(25.0)
    # guidance: v0 3.3 (4 -> 75) -> v1 3.2 (5 -> 100)
    assert _row(two_rounds, "311", "D03_2", 2022)["change"] == pytest.approx(25.0)
    # reworded 8.1 is the same question: 1..5 (mean 3 -> 50) -> all 3 (50); 40% satisfied
    d08_21 = _row(two_rounds, "311", "D08_1", 2021)
    assert d08_21["index"] == pytest.approx(50.0) and d08_21["satisfied"] == pytest.approx(0.4)
    assert _row(two_rounds, "311", "D08_1", 2022)["change"] == pytest.approx(0.0)


def test_items_not_asked_in_every_round_are_left_out_of_every_round(two_rounds):
    assert set(two_rounds.items_left_out) == {"D02_3"}       # added in 2022
    assert "D06_3" not in two_rounds.items                    # dropped: not a v1 item
    assert "D02_3" not in set(two_rounds.table["measure"])
    # INDEX per respondent = mean of its dimension scores on the common items:
    # 2021: D03 = (2 + 4) / 2 = 3, D08 = 1..5 -> (3 + x) / 2 -> mean 3 -> index 50;
    # 2022: D03 = (5 + 3) / 2 = 4, D08 = 3 -> 3.5 -> index 62.5 (with D02_3 = 1 it would
    # be (4 + 3 + 1) / 3 = 2.67).
    assert _row(two_rounds, "311", "INDEX", 2021)["index"] == pytest.approx(50.0)
    assert _row(two_rounds, "311", "INDEX", 2022)["index"] == pytest.approx(62.5)
    assert _row(two_rounds, "311", "INDEX", 2022)["change"] == pytest.approx(12.5)
    assert _row(two_rounds, "311", "D03", 2022)["change"] == pytest.approx(25.0)


def test_the_change_interval_of_a_constant_round_adds_both_rounds_variances(two_rounds):
    # D08_1: 2021 answers 1..5, se of the mean = stdev / sqrt(5); 2022 all 3: s is taken as
    # 1/√5 (as in Results.scores), se = 1/5 of a step = 5 index points. The same five
    # cooperatives answered both rounds, but a constant round has no covariance with the
    # other: Var(change) = se21² + 5².
    se21 = statistics.stdev([1, 2, 3, 4, 5]) / math.sqrt(5) * 100 / 4   # index points
    assert _row(two_rounds, "311", "D08_1", 2022)["index_se"] == pytest.approx(5.0)
    row = _row(two_rounds, "311", "D08_1", 2022)
    half = Z95 * math.sqrt(se21 ** 2 + 5.0 ** 2)
    assert row["change_low"] == pytest.approx(-half)
    assert row["change_high"] == pytest.approx(half)
    assert not row["significant"]


def _answers(v1, values: list[float], ids: list[str], variants=None) -> pd.DataFrame:
    """Thuỷ Nguyên's answers to the overall question, cooperatives by ``coop_id``."""
    f = _responses(v1, [{"district": "311", "OVERALL": float(x)} for x in values])
    return f.assign(coop_id=ids, variant=variants or "NN")


def _panel(v1, before: list[float], now: list[float], ids_now: list[str],
           roster=None, stats=None, variants_now=None):
    """The overall question of Thuỷ Nguyên in 2021 (HP-0001.. in order) and 2022."""
    ids_before = [f"HP-{k:04d}" for k in range(1, len(before) + 1)]
    units = load_units(REF / "units-2022.csv")
    return line_up([RoundInput(2021, _answers(v1, before, ids_before), v1, roster=roster),
                    RoundInput(2022, _answers(v1, now, ids_now, variants_now), v1,
                               roster=roster)],
                   v1, units, "district", min_n=5, stats=stats)


def test_the_change_interval_is_paired_for_cooperatives_in_both_rounds(v1):
    # 2021: HP-1..5 answer 1, 2, 3, 4, 5; 2022: the same five 2, 3, 3, 5, 5, and HP-9
    # (new) 4. Index points (× 25): change (22/6 − 3) × 25 = 16.667.
    # By hand (see tests/test_paired_change.py): s21² = 2.5, s22² = 1.46667, matched s12 = 2,
    # Var = 1.46667/6 + 2.5/5 − 2 × 2 × 5 / (5 × 6) = 0.077778 → se 0.27889 × 25 = 6.972;
    # as independent samples it would be √0.744444 × 25 = 21.57 (not significant).
    ids = ["HP-0001", "HP-0002", "HP-0003", "HP-0004", "HP-0005", "HP-0009"]
    tr = _panel(v1, [1, 2, 3, 4, 5], [2, 3, 3, 5, 5, 4], ids)
    # independently: numpy's covariance of the matched pairs
    a, b = np.array([1.0, 2, 3, 4, 5]), np.array([2.0, 3, 3, 5, 5])
    now = np.array([2.0, 3, 3, 5, 5, 4])
    var = now.var(ddof=1) / 6 + a.var(ddof=1) / 5 - 2 * np.cov(a, b)[0, 1] * 5 / (5 * 6)
    se = math.sqrt(var) * 25
    assert se == pytest.approx(6.972, abs=1e-3)
    for unit in ("311", "city"):        # the city is the same five + one, unweighted here
        row = _row(tr, unit, "OVERALL", 2022)
        assert row["change"] == pytest.approx(16.6667, abs=1e-4)
        assert row["change_low"] == pytest.approx(16.6667 - Z95 * se, abs=1e-4)
        assert row["change_high"] == pytest.approx(16.6667 + Z95 * se, abs=1e-4)
        assert row["significant"]
    # no cooperative in both rounds: independent samples, wider, not significant
    tr = _panel(v1, [1, 2, 3, 4, 5], [2, 3, 3, 5, 5, 4], [f"HP-1{k}" for k in range(6)])
    row = _row(tr, "311", "OVERALL", 2022)
    half = Z95 * math.sqrt(now.var(ddof=1) / 6 + a.var(ddof=1) / 5) * 25
    assert row["change_high"] - row["change"] == pytest.approx(half)
    assert not row["significant"]


def test_identical_answers_in_both_rounds_keep_an_interval_of_nonzero_width(v1):
    # the same five answer 1..5 in both rounds: the panel variance is 0; the change's se
    # is floored at one answer step (25 points) / √(5 × 5) = 5 points
    ids = [f"HP-{k:04d}" for k in range(1, 6)]
    tr = _panel(v1, [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], ids)
    row = _row(tr, "311", "OVERALL", 2022)
    assert row["change"] == 0 and not row["significant"]
    assert row["change_low"] == pytest.approx(-Z95 * 5.0)
    assert row["change_high"] == pytest.approx(Z95 * 5.0)


def test_the_citys_trend_figure_is_the_weighted_headline(v1):
    from dataclasses import replace

    from hailong.numbers.scoring import compute_results
    from hailong.reference.config import StatsSettings

    # roster: 311 lists 5 NN and 15 PNN cooperatives; 4 NN (answer 5) and 2 PNN (answer
    # 1) answer 2022 (NN weight 5/4, PNN 15/2): weighted mean (4·5·1.25 + 2·1·7.5) / 20 =
    # 2.0 (index 25), unweighted 22/6 (index 66.7)
    roster = pd.DataFrame({"coop_id": [f"R{k}" for k in range(20)], "district_code": "311",
                           "commune_code": "", "variant": ["NN"] * 5 + ["PNN"] * 15})
    stats = StatsSettings(min_cell=1)
    ids = [f"HP-{k:04d}" for k in range(1, 7)]
    variants = ["NN"] * 4 + ["PNN"] * 2
    tr = _panel(v1, [3, 3, 3, 3, 3, 3], [5, 5, 5, 5, 1, 1], ids, roster=roster, stats=stats,
                variants_now=variants)
    city = _row(tr, "city", "OVERALL", 2022)
    assert city["mean"] == pytest.approx(2.0) and city["index"] == pytest.approx(25.0)
    # it is Results.weighted of the round, as the reports' headline
    w = compute_results(_answers(v1, [5, 5, 5, 5, 1, 1], ids, variants), roster, v1,
                        load_units(REF / "units-2022.csv"), min_n=5,
                        stats=replace(stats, secondary_suppression=False)).weighted
    head = w.set_index("measure").loc["OVERALL"]
    assert city["index"] == pytest.approx(head["index"])
    assert city["index_se"] == pytest.approx(head["se"])
    # the unit keeps its unweighted figure: (22/6 − 1) / 4 × 100
    assert _row(tr, "311", "OVERALL", 2022)["index"] == pytest.approx((22 / 6 - 1) * 25)


def test_a_published_unit_that_would_reveal_a_withheld_one_is_withheld_too(two_rounds):
    # Overall question: the city pools Thuỷ Nguyên's 5 answers and Hồng Bàng's 2 (withheld,
    # fewer than 5). With Thuỷ Nguyên's figure published, the city's minus it would give
    # Hồng Bàng's: Thuỷ Nguyên's overall figure (and its change) is withheld as well, in
    # both rounds; its items, which Hồng Bàng did not answer, stay published.
    for year in (2021, 2022):
        row = _row(two_rounds, "311", "OVERALL", year)
        assert row["n"] == 5 and row["suppressed"] and math.isnan(row["index"])
    assert math.isnan(_row(two_rounds, "311", "OVERALL", 2022)["change"])
    assert _row(two_rounds, "311", "D08_1", 2022)["change"] == pytest.approx(0.0)


def test_a_withheld_figure_has_no_change_and_the_city_pools_everyone(two_rounds):
    hb = _row(two_rounds, "303", "OVERALL", 2022)
    assert hb["n"] == 2 and hb["suppressed"] and math.isnan(hb["change"])
    # city overall: 2021 (5 x 3 + 2 x 5) / 7, 2022 (5 x 4 + 2 x 5) / 7, on 0-100
    c21, c22 = (25 / 7 - 1) / 4 * 100, (30 / 7 - 1) / 4 * 100
    assert _row(two_rounds, "city", "OVERALL", 2021)["index"] == pytest.approx(c21)
    assert _row(two_rounds, "city", "OVERALL", 2022)["change"] == pytest.approx(c22 - c21)
    assert two_rounds.rounds == (2021, 2022)
    assert _row(two_rounds, "311", "OVERALL", 2022)["previous_round"] == 2021


def test_districts_lined_up_on_communes_through_a_pooling_crosswalk(tmp_path, v1):
    """Commune C1 was carved from district 311; C2 from parts of 311 and 303."""
    (tmp_path / "u.csv").write_text(
        "code,name,full_name,level,type,parent_code,valid_from,valid_to\n"
        "31,Hải Phòng,Thành phố Hải Phòng,province,thành phố,,2025-07-01,\n"
        "C1,Một,Xã Một,commune,xã,31,2025-07-01,\nC2,Hai,Xã Hai,commune,xã,31,2025-07-01,\n",
        encoding="utf-8")
    (tmp_path / "cw.csv").write_text(
        "from_code,from_name,to_code,to_name,share,main\n"
        "311,Thuỷ Nguyên,C1,Xã Một,,1\n311,Thuỷ Nguyên,C2,Xã Hai,,0\n"
        "303,Hồng Bàng,C2,Xã Hai,,1\n", encoding="utf-8")
    units = load_units(tmp_path / "u.csv")
    old = _responses(v1, [{"district": "311", "OVERALL": 4.0} for _ in range(5)]
                     + [{"district": "303", "OVERALL": 2.0} for _ in range(5)])
    new = _responses(v1, [{"district": "", "OVERALL": 5.0} for _ in range(5)])
    new["commune_code"] = "C1"
    tr = line_up([RoundInput(2023, old, v1, same_geography=False), RoundInput(2025, new, v1)],
                 v1, units, "commune", min_n=5, crosswalk=load_crosswalk(tmp_path / "cw.csv"),
                 from_level="district", rule="pool")
    c1 = _row(tr, "C1", "OVERALL", 2023)
    assert c1["n"] == 5 and c1["index"] == pytest.approx(75.0) and c1["sources"] == "311"
    assert c1["approximate"]                       # 311 went into two communes
    c2 = _row(tr, "C2", "OVERALL", 2023)           # (5 x 4 + 5 x 2) / 10 = 3 -> 50
    assert c2["n"] == 10 and c2["index"] == pytest.approx(50.0) and c2["sources"] == "303;311"
    city = _row(tr, "city", "OVERALL", 2023)       # everyone once: 3 -> 50, n 10
    assert city["n"] == 10 and city["index"] == pytest.approx(50.0) and city["approximate"]
    assert _row(tr, "C1", "OVERALL", 2025)["change"] == pytest.approx(100.0 - 75.0)
    assert not _row(tr, "C1", "OVERALL", 2025)["approximate"]


# --- loading by round ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def round_2022():
    return load_round(2022)


def test_load_round_gives_validated_frames_results_and_an_analysts_table(round_2022):
    data = round_2022
    assert data.year == 2022 and data.level == "district" and data.previous_year == 2021
    assert len(data.roster) == 404 and data.results.meta["round"] == 2022
    assert int((data.ledger["status"] == "accepted").sum()) == len(data.responses)
    r = data.respondents
    assert len(r) == len(data.responses) and r["coop_id"].is_unique
    for personal in ("respondent_name", "respondent_phone", "director_name", "phone",
                     "zalo", "email"):
        assert personal not in r.columns
    assert {"unit_name", "sector_name", "member", "D08", "INDEX", "D08_1"} <= set(r.columns)
    # the analyst's table gives the report's figure: Thuỷ Nguyên's land index
    scores = load_results(2022).scores
    report = scores[(scores["unit"] == "311") & (scores["measure"] == "D08")].iloc[0]
    mine = r.loc[r["unit"] == "311", "D08"].dropna()
    assert len(mine) == report["n"]
    assert (mine.mean() - 1) / 4 * 100 == pytest.approx(report["index"])
    assert "Thuỷ Nguyên" in set(r["unit_name"])
    assert "Năm 2022" in data._repr_html_()


def test_rounds_with_data_are_listed_oldest_first():
    assert available_rounds() == [2021, 2022, 2023, 2025]


def _config_with_missing_round(tmp_path) -> Path:
    data = PROJECT_ROOT / "data"
    path = tmp_path / "hailong.yaml"
    path.write_text(f"""\
current_round: 2022
rounds:
  2022:
    codebook: {data / "reference/codebook/codebook-v1.yaml"}
    units: {data / "reference/units-2022.csv"}
    geography_date: 2022-10-01
    roster: {data / "sample/2022/roster.csv"}
    responses: [{data / "sample/2022/responses.csv"}]
  2024:
    codebook: {data / "reference/codebook/codebook-v1.yaml"}
    units: {data / "reference/units-2022.csv"}
    geography_date: 2024-10-01
    roster: raw/2024/roster.csv
    responses: [raw/2024/responses.csv]
""", encoding="utf-8")
    return path


def test_a_round_without_data_is_refused_with_the_rounds_that_have_data(tmp_path):
    config = load_config(_config_with_missing_round(tmp_path))
    assert available_rounds(config=config) == [2022]
    with pytest.raises(ParameterError) as info:
        check_round_has_data(config, 2024)
    err = info.value
    assert "Round 2024 has no data" in str(err)
    assert err.file == str(tmp_path / "raw" / "2024" / "roster.csv")
    assert err.expected == "a round with data: 2022"
    with pytest.raises(ParameterError,
                       match="There is no survey round 2019. Expected: one of 2022, 2024"):
        load_round(2019, config.path)


def test_build_of_a_round_without_data_stops_before_any_notebook(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ParameterError, match="a round with data: 2022"):
        build(round_year=2024, out=out, config_path=_config_with_missing_round(tmp_path),
              notebooks=NOTEBOOKS, progress=False, pdf=False)
    assert not out.exists()


# --- trends on the sample ----------------------------------------------------------------

def test_trend_2022_lines_up_2021_through_the_mapping():
    tr = trend(2022)
    assert tr.rounds == (2021, 2022) and tr.items_left_out == ("D02_3",)
    # 2021's "informal charges" figure (v0 id D03_2) appears under the v1 id D03_3: the
    # city's is the weighted one of that round's reports, a unit's the unweighted one
    r21 = load_results(2021)
    city21 = r21.weighted[r21.weighted["measure"] == "D03_2"].iloc[0]
    assert _row(tr, "city", "D03_3", 2021)["index"] == pytest.approx(city21["index"])
    assert _row(tr, "city", "D03_3", 2021)["index_se"] == pytest.approx(city21["se"])
    s21 = r21.scores
    unit21 = s21[(s21["unit"] == "311") & (s21["measure"] == "D03_2")].iloc[0]
    assert _row(tr, "311", "D03_3", 2021)["index"] == pytest.approx(unit21["index"])
    # one 2022 city figure on a page: the trend's is the headline's (weighted)
    w22 = load_results(2022).weighted.set_index("measure")
    assert _row(tr, "city", "OVERALL", 2022)["index"] == pytest.approx(
        w22.loc["OVERALL", "index"])
    land = tr.wide("311").loc["D08"]
    assert land[2022] - land[2021] == pytest.approx(_row(tr, "311", "D08", 2022)["change"])


# --- the commune round: one report per commune ----------------------------------------------

def test_a_commune_round_plans_one_report_per_commune_of_the_merged_city(tmp_path):
    config = load_config()
    jobs = plan(config, 2025, out=tmp_path, notebooks=NOTEBOOKS)
    communes = load_units(REF / "units-2025.csv").codes("commune")
    assert [j.unit for j in jobs] == ["city", *communes] and len(communes) == 114
    job = jobs[communes.index("11560") + 1]
    assert job.kind == "commune" and job.notebook.name == "district.ipynb"
    assert job.name == "Phường Thủy Nguyên"
    assert job.parameters == {"round_year": 2025, "unit": "11560", "lang": "vi",
                              "config_path": str(config.path)}
    assert job.html == tmp_path / "2025" / "11560.html"


def test_a_district_code_in_a_commune_round_lists_the_communes(tmp_path):
    with pytest.raises(ParameterError) as info:
        plan(load_config(), 2025, units=["311"], notebooks=NOTEBOOKS)
    message = str(info.value)
    assert "Unknown commune code '311'" in message
    assert "11560 (Thủy Nguyên)" in message and "10525 (Hải Dương)" in message


def test_the_commune_round_builds_real_reports_for_two_communes_and_the_city(tmp_path):
    """Needs validate.py to accept the 2025 roster's empty district column (no district
    level after 01/07/2025): see the issue 8 notes."""
    summary = build(round_year=2025, units=["11560", "10525", "city"], out=tmp_path,
                    progress=False, pdf=False)
    out = tmp_path / "2025"
    assert summary.failures == [] and [j.unit for j in summary.built] == ["city", "10525",
                                                                         "11560"]
    page = (out / "11560.html").read_text(encoding="utf-8")
    assert "Phường Thủy Nguyên" in page and "Năm 2025" in page
    assert "Phường Hải Dương" in (out / "10525.html").read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="11560.html"' in index and 'href="10525.html"' in index


def test_build_help_lists_every_report_parameter_with_its_meaning(capsys):
    from hailong.cli import main
    from hailong.run.plan import REPORT_PARAMETERS

    with pytest.raises(SystemExit):
        main(["build", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for name in ("round_year", "unit", "lang", "config_path"):
        assert f"{name} = " in out
        assert " ".join(REPORT_PARAMETERS[name].split())[:40] in out
    assert "one report per commune" in out and "lists the valid values" in out
    # the report notebooks declare exactly these parameters
    for nb in ("district.ipynb", "citywide.ipynb"):
        from hailong.run.plan import NOTEBOOK_DIR, declared_parameters

        assert declared_parameters(NOTEBOOK_DIR / nb) <= set(REPORT_PARAMETERS)
