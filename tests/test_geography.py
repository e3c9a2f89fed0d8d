"""Geography as data: dated unit tables, the reporting level, crosswalks for merges and splits."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from hailong.core.errors import ConfigError, ParameterError
from hailong.reference.config import PROJECT_ROOT, load_config
from hailong.reference.geography import load_crosswalk, load_units, reporting_level

REF = PROJECT_ROOT / "data" / "reference"
SHARED = REF / "sources"  # the published source lists, copied into the project
HEADER = "code,name,full_name,level,type,parent_code,valid_from,valid_to\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- unit tables ------------------------------------------------------------------------

def test_2025_table_has_the_114_communes_of_the_merged_city_and_no_district():
    units = load_units(REF / "units-2025.csv", dt.date(2025, 7, 1))
    communes = units.codes("commune")
    assert len(communes) == 114 and units.codes("district") == []
    kinds = units.of_level("commune")["type"].value_counts().to_dict()
    assert kinds == {"xã": 67, "phường": 45, "đặc khu": 2}   # as the 2025 list says
    assert units.name("11560", full=True) == "Phường Thủy Nguyên"
    assert units.name("10525") == "Hải Dương"                  # former Hải Dương city
    assert units.name("city", full=True) == "Thành phố Hải Phòng"
    assert set(units.of_level("commune")["parent_code"]) == {"31"}
    assert reporting_level(units) == "commune"


def test_2025_table_matches_the_source_list_code_for_code():
    source = pd.read_csv(SHARED / "haiphong-communes-2025-07.tsv", sep="\t", dtype=str)
    units = load_units(REF / "units-2025.csv")
    full = units.of_level("commune")["full_name"].to_dict()
    assert full == dict(zip(source["commune_code_2025"], source["name_2025"]))


def test_units_are_kept_by_their_dates(tmp_path):
    path = write(tmp_path / "u.csv", HEADER
                 + "31,Hải Phòng,Thành phố Hải Phòng,province,thành phố,,,\n"
                 + "311,Thuỷ Nguyên,Huyện Thuỷ Nguyên,district,huyện,31,,2025-06-30\n"
                 + "11560,Thủy Nguyên,Phường Thủy Nguyên,commune,phường,31,2025-07-01,\n")
    before = load_units(path, dt.date(2025, 6, 30))
    after = load_units(path, dt.date(2025, 7, 1))
    assert before.codes("district") == ["311"] and before.codes("commune") == []
    assert after.codes("district") == [] and after.codes("commune") == ["11560"]
    assert reporting_level(before) == "district" and reporting_level(after) == "commune"
    assert len(load_units(path).table) == 3   # no date: every vintage


def test_a_unit_table_read_again_sees_its_changes_and_callers_cannot_spoil_it(tmp_path):
    path = write(tmp_path / "u.csv", HEADER
                 + "31,Hải Phòng,Thành phố Hải Phòng,province,thành phố,,,\n"
                 + "311,Thuỷ Nguyên,Huyện Thuỷ Nguyên,district,huyện,31,,\n")
    first = load_units(path)
    first.table.loc["311", "name"] = "changed by a caller"
    assert load_units(path).name("311") == "Thuỷ Nguyên"
    write(path, HEADER + "31,Hải Phòng,Thành phố Hải Phòng,province,thành phố,,,\n"
          + "303,Hồng Bàng,Quận Hồng Bàng,district,quận,31,,\n"
          + "311,Thuỷ Nguyên,Huyện Thuỷ Nguyên,district,huyện,31,,\n")
    assert load_units(path).codes("district") == ["303", "311"]


def test_the_reporting_level_of_each_round_comes_from_its_unit_table():
    config = load_config()
    levels = {y: r.unit_level for y, r in config.rounds.items()}
    assert levels == {2021: "district", 2022: "district", 2023: "district", 2025: "commune"}


def test_previous_round_is_the_latest_earlier_one_unless_configured():
    config = load_config()
    assert config.previous_round(2021) is None
    assert config.previous_round(2022) == 2021
    assert config.previous_round(2025) == 2023
    assert config.rounds_until(2023) == [2021, 2022, 2023]


def test_a_previous_round_that_is_not_configured_is_refused(tmp_path):
    cfg = write(tmp_path / "hailong.yaml", f"""\
rounds:
  2025:
    codebook: c.yaml
    units: {REF / "units-2025.csv"}
    geography_date: 2025-07-01
    roster: r.csv
    responses: [s.csv]
    previous_round: 2024
""")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert "previous_round" in str(info.value) and info.value.found == 2024


# --- crosswalks: hand-made merges and splits ----------------------------------------------

CROSSWALK = """from_code,from_name,to_code,to_name,share,main
A,Xã A,X,Xã X,,1
B,Xã B,X,Xã X,,1
C,Xã C,X,Xã X,0.3,0
C,Xã C,Y,Xã Y,0.7,0
D,Xã D,Y,Xã Y,,0
D,Xã D,Z,Xã Z,,1
E,Xã E,P,Xã P,,
E,Xã E,Q,Xã Q,,
"""


@pytest.fixture
def crosswalk(tmp_path):
    return load_crosswalk(write(tmp_path / "cw.csv", CROSSWALK))


def test_a_new_unit_formed_from_several_takes_their_records_together(crosswalk):
    placed = crosswalk.carry(pd.Series(["A", "B", "A"], index=[10, 11, 12]))
    assert placed["unit"].tolist() == ["X", "X", "X"]
    assert placed["record"].tolist() == [10, 11, 12]
    assert not placed["approximate"].any()     # A and B went whole into X


def test_a_split_unit_goes_to_the_largest_share_else_main_else_first_and_is_flagged(crosswalk):
    placed = crosswalk.carry(pd.Series(["C", "D", "E", "F"]))
    # C: shares 0.3 (X) / 0.7 (Y) -> Y; D: no shares, main = Z; E: neither -> first, P.
    assert placed["unit"].tolist()[:3] == ["Y", "Z", "P"]
    assert placed["approximate"].tolist() == [True, True, True, False]
    assert math.isnan(placed["unit"].iloc[3])  # F is not in the crosswalk
    how = crosswalk.assignment().set_index("from_code")["how"].to_dict()
    assert how == {"A": "whole", "B": "whole", "C": "share", "D": "main", "E": "first"}


def test_the_pool_rule_counts_a_record_in_every_unit_its_old_unit_went_into(crosswalk):
    placed = crosswalk.carry(pd.Series(["A", "C", "E"]), rule="pool")
    pairs = sorted(zip(placed["from_code"], placed["unit"]))
    assert pairs == [("A", "X"), ("C", "X"), ("C", "Y"), ("E", "P"), ("E", "Q")]
    flagged = dict(zip(zip(placed["from_code"], placed["unit"]), placed["approximate"]))
    assert not flagged[("A", "X")]
    assert flagged[("C", "Y")] and flagged[("E", "Q")]


def test_unit_basis_names_the_old_units_behind_each_new_one(crosswalk):
    basis = crosswalk.unit_basis("assign").set_index("unit")
    assert basis.loc["X", "sources"] == "A;B" and bool(basis.loc["X", "merged"])
    assert not bool(basis.loc["X", "approximate"])
    assert basis.loc["Y", "sources"] == "C" and bool(basis.loc["Y", "approximate"])
    pooled = crosswalk.unit_basis("pool").set_index("unit")
    assert pooled.loc["X", "sources"] == "A;B;C" and bool(pooled.loc["X", "approximate"])


def test_an_unknown_rule_is_refused(crosswalk):
    with pytest.raises(ParameterError, match="'assign' or 'pool'"):
        crosswalk.carry(pd.Series(["A"]), rule="nearest")


@pytest.mark.parametrize("body, message", [
    ("A,Xã A,X,Xã X,1.5,1\n", "between 0 and 1"),
    ("A,Xã A,X,Xã X,0.6,1\nA,Xã A,Y,Xã Y,0.6,0\n", "add up to more than 1"),
    ("A,Xã A,X,Xã X,,1\nA,Xã A,X,Xã X,,1\n", "repeats"),
    ("A,Xã A,X,Xã X,,yes\n", "'main' is not 0 or 1"),
])
def test_a_malformed_crosswalk_is_a_configuration_error(tmp_path, body, message):
    path = write(tmp_path / "bad.csv", "from_code,from_name,to_code,to_name,share,main\n" + body)
    with pytest.raises(ConfigError, match=message) as info:
        load_crosswalk(path)
    assert info.value.file == str(path)


def test_a_crosswalk_without_its_columns_is_refused(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_crosswalk(write(tmp_path / "x.csv", "old,new\n1,2\n"))
    assert "from_code" in info.value.expected


# --- the shipped crosswalks ---------------------------------------------------------------

def test_commune_crosswalk_reaches_exactly_the_114_new_communes():
    units = load_units(REF / "units-2025.csv")
    cw = load_crosswalk(REF / "crosswalk-communes-2025.csv")
    targets = set(cw.table["to_code"])
    # every new commune but the island Bạch Long Vĩ (no commune before) has a source
    assert targets == set(units.codes("commune")) - {"11948"}
    # worked example from the source list: Phường Trần Phú (10528) was split in two
    assert cw.targets("10528") == ["10532", "10537"]


def test_district_crosswalk_2022_to_2025_follows_the_source_list():
    cw = load_crosswalk(REF / "crosswalk-districts-2022-2025.csv")
    src = pd.read_csv(SHARED / "haiphong-haiduong-communes-old-to-new.csv", dtype=str,
                      keep_default_na=False)
    hp = src[src["district_code_2022"] != ""]
    for district in ("311", "303", "312"):
        expected = {c for codes in hp.loc[hp["district_code_2022"] == district,
                                          "new_commune_codes"] for c in codes.split(";")}
        assert set(cw.targets(district)) == expected, district
    assert cw.sources("11560") == ["311"]            # Phường Thủy Nguyên
    assert sorted(cw.sources("11602")) == ["303", "312"]   # Hồng An: parts of two districts
    assert cw.targets("318") == ["11948"]            # island district -> đặc khu
    districts = load_units(REF / "units-2022.csv").codes("district")
    assert sorted(set(cw.table["from_code"])) == sorted(districts)
