"""Matching submissions without a usable cooperative code to the roster by name.

Decisions tested here: the abbreviations of cooperative names ("HTX", "DV", "DVNN",
"QTDND", ...) are written out before comparing; letters without diacritics are not
matched; a name that fits no roster entry, or several, is listed, never guessed.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from hailong.ingest.matching import find, match_to_roster, name_key
from hailong.ingest.readers import read_responses, read_roster
from hailong.ingest.validate import validate_round
from hailong.reference.codebook import load_codebook
from hailong.reference.config import PROJECT_ROOT
from hailong.reference.geography import load_units

DATA = Path(__file__).parent / "data"


def roster() -> pd.DataFrame:
    rows = [("P1", "HTX Dịch vụ nông nghiệp Thủy Sơn", "311"),
            ("P2", "HTX Dịch vụ nông nghiệp Thuỷ Sơn", "312"),   # same name, other district
            ("P3", "Quỹ tín dụng nhân dân Hạ Lý", "303"),
            ("P4", "HTX Nông nghiệp Đông Sơn", "316"),
            ("P5", "HTX Nông nghiệp Đông Sơn", "316"),          # same name, same district
            ("P6", "HTX Thương mại – dịch vụ Quán Toan", "303"),
            ("P7", "HTX Vận tải thủy Tiên Lãng", "315")]
    return pd.DataFrame(rows, columns=["coop_id", "coop_name", "district_code"])


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# --------------------------------------------------------------------------- name key

@pytest.mark.parametrize("written", [
    "Hợp tác xã Dịch vụ nông nghiệp Thuỷ Sơn",
    "HTX DV nông nghiệp Thủy Sơn",
    "htx dvnn thủy sơn",
    "  HỢP TÁC XÃ   Dịch vụ  Nông nghiệp THUỶ SƠN ",
    nfd("Hợp tác xã Dịch vụ nông nghiệp Thủy Sơn"),          # decomposed (NFD) input
    "H.T.X Dịch vụ nông nghiệp Thủy Sơn".replace("H.T.X", "HTX."),
])
def test_ways_of_writing_one_name_have_one_key(written):
    assert name_key(written) == name_key("HTX Dịch vụ nông nghiệp Thủy Sơn")


def test_credit_funds_and_punctuation():
    fund = name_key("Quỹ tín dụng nhân dân Hạ Lý")
    assert name_key("Quỹ TDND Hạ Lý") == fund == name_key("QTDND hạ lý")
    shop = name_key("HTX Thương mại – dịch vụ Quán Toan")
    assert name_key("HTX Thương mại - dịch vụ Quán Toan") == shop
    assert name_key("HTX TM-DV Quán Toan") == shop


@pytest.mark.parametrize("other", [
    "HTX Dich vu nong nghiep Thuy Son",       # no diacritics: not matched
    "HTX Dịch vụ nông nghiệp Thùy Sơn",       # another tone: another word
    "HTX Dịch vụ nông nghiệp Thủy Sơn 2",
    "HTX Nông nghiệp Thủy Sơn",
])
def test_different_names_keep_different_keys(other):
    assert name_key(other) != name_key("HTX Dịch vụ nông nghiệp Thủy Sơn")


# --------------------------------------------------------------------------- find

def test_find_within_the_district_and_across_the_city():
    r = roster()
    assert find("Hợp tác xã DV nông nghiệp Thuỷ Sơn", r, "311") == ["P1"]
    assert find("Hợp tác xã DV nông nghiệp Thuỷ Sơn", r, "312") == ["P2"]
    # no district given: the name exists in two districts
    assert find("Hợp tác xã DV nông nghiệp Thuỷ Sơn", r) == ["P1", "P2"]
    assert find("quỹ tdnd HẠ LÝ", r) == ["P3"]
    assert find("HTX Dịch vụ nông nghiệp Thủy Sơn", r, "303") == []


def test_two_cooperatives_with_one_name_in_one_district_are_ambiguous():
    assert find("Hợp tác xã nông nghiệp Đông Sơn", roster(), "316") == ["P4", "P5"]


def test_an_empty_name_matches_nothing():
    assert find("  ", roster()) == []


# --------------------------------------------------------------------------- an export

def export() -> pd.DataFrame:
    rows = [  # (code, name, district) — rows 2..10 of the export
        ("P3", "a name that does not matter", ""),
        ("", "quỹ TDND hạ lý", ""),
        ("HP-9999", "HTX vận tải thuỷ Tiên Lãng", ""),
        ("", "HTX DV nông nghiệp Thủy Sơn", "311"),
        ("", "HTX DV nông nghiệp Thủy Sơn", ""),
        ("", "HTX Nông nghiệp Đông Sơn", "316"),
        ("", "HTX Không Có", ""),
        ("", "", ""),
        ("", "HTX DV nông nghiệp Thủy Sơn", "399"),
    ]
    return pd.DataFrame({
        "submitted_at": "16/05/2023 09:00:00",
        "coop_id": [r[0] for r in rows], "coop_name": [r[1] for r in rows],
        "district_code": [r[2] for r in rows], "respondent_name": "Người trả lời",
        "respondent_phone": "0900 111 222", "_file": "export.csv",
        "_row": range(2, 2 + len(rows))})


@pytest.fixture(scope="module")
def matched():
    return match_to_roster(export(), roster(), {"311": "Thuỷ Nguyên"})


def test_matched_rows_get_the_roster_code_and_nothing_is_dropped(matched):
    ids = dict(zip(matched.frame["_row"], matched.frame["coop_id"]))
    assert len(matched.frame) == 9
    assert ids[2] == "P3"          # a code of the roster is kept as written
    assert ids[3] == "P3"          # blank code, unique name in the city
    assert ids[4] == "P7"          # unknown code, unique name
    assert ids[5] == "P1"          # blank code, name unique in the district given
    assert list(matched.matched["source_row"]) == [3, 4, 5]
    assert list(matched.matched["scope"]) == ["city", "city", "311"]
    assert dict(zip(matched.matched["source_row"], matched.matched["written_id"]))[4] == \
        "HP-9999"


def test_unmatched_and_ambiguous_rows_are_listed_for_a_person(matched):
    u = matched.unresolved.set_index("source_row")
    assert list(u.index) == [6, 7, 8, 9, 10]
    assert u.loc[6, "reason"] == "several matches: P1, P2"
    assert u.loc[7, "reason"] == "several matches: P4, P5"
    assert u.loc[8, "reason"] == "no match"
    assert u.loc[9, "reason"] == "no match"
    assert u.loc[10, "reason"] == "several matches: P1, P2"   # 399 is no district: the city
    assert u.loc[6, "respondent_phone"] == "0900 111 222"     # for whoever resolves it
    ids = dict(zip(matched.frame["_row"], matched.frame["coop_id"]))
    assert [ids[r] for r in (6, 7, 8, 9, 10)] == ["", "", "", "", ""]   # never guessed


def test_annotate_writes_the_outcome_into_the_ledger(matched):
    ledger = pd.DataFrame({"source_file": "export.csv", "source_row": [3, 6, 8],
                           "coop_id": ["P3", "", ""],
                           "status": ["accepted", "set_aside", "set_aside"],
                           "reason": ["", "blank cooperative code", "blank cooperative code"],
                           "message": ["", "export.csv, row 6: empty.", "export.csv, row 8: x."]})
    out = matched.annotate(ledger).set_index("source_row")
    assert out.loc[3, "reason"].startswith("matched by name (code blank; name 'quỹ TDND")
    assert out.loc[6, "reason"] == "blank cooperative code; several matches: P1, P2"
    assert out.loc[8, "reason"] == "blank cooperative code; no match"
    assert "fits several cooperatives" in out.loc[6, "message"]
    assert "P1, P2" in out.loc[6, "message"] and "row 6" in out.loc[6, "message"]
    assert "matches no cooperative of the roster anywhere in the city" in out.loc[8, "message"]
    assert ledger.loc[0, "reason"] == ""          # the given ledger is not changed


# --------------------------------------------------------------------------- validate

@pytest.fixture(scope="module")
def codebook():
    return load_codebook(PROJECT_ROOT / "data/reference/codebook/codebook-v1.yaml")


@pytest.fixture(scope="module")
def units():
    return load_units(PROJECT_ROOT / "data/reference/units-2022.csv", on=dt.date(2022, 10, 1))


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def ledger_row(v, row: int) -> pd.Series:
    return v.ledger.set_index("source_row").loc[row]


def test_validation_sets_aside_names_that_match_nothing(codebook, units):
    v = validate_round(read_roster(DATA / "ingest_roster.csv"),
                       read_responses([DATA / "ingest_responses.csv"], codebook), codebook, units)
    row8, row9 = ledger_row(v, 8), ledger_row(v, 9)   # HP-9999 "HTX Không Có"; blank "HTX Quên Mã"
    assert row8["status"] == row9["status"] == "set_aside"
    assert "not in the roster" in row8["reason"] and row8["reason"].endswith("; no match")
    assert "blank" in row9["reason"] and row9["reason"].endswith("; no match")
    assert "'HTX Quên Mã' matches no cooperative" in row9["message"]


def test_validation_accepts_a_name_match_and_notes_it_in_the_ledger(tmp_path, codebook, units):
    rows = rows_of(DATA / "ingest_responses.csv")
    rows[8][1], rows[8][2] = "", nfd("htx thuỷ sản VĨNH BẢO")   # row 9, 18/03: HP-0002's name
    v = validate_round(read_roster(DATA / "ingest_roster.csv"),
                       read_responses([write(tmp_path / "e.csv", rows)], codebook),
                       codebook, units)
    row9 = ledger_row(v, 9)
    assert (row9["status"], row9["coop_id"]) == ("accepted", "HP-0002")
    assert row9["reason"].startswith("matched by name (code blank")
    assert row9["message"] == ""
    # the matched submission is HP-0002's latest: its earlier row 4 becomes a duplicate
    assert ledger_row(v, 4)["status"] == "merged" and "row 9" in ledger_row(v, 4)["reason"]
    assert v.responses.set_index("coop_id").loc["HP-0002", "source_row"] == 9
    # accepted 2, 6, 9, 10 (its "7" set aside as one cell); merged 3, 4, 5, 7; set aside
    # 8 (not in the roster), 11 (time stamp)
    assert v.counts() == {"read": 10, "accepted": 4, "merged": 4, "set_aside": 2}


def test_validation_lists_a_name_of_two_districts(tmp_path, codebook, units):
    roster_rows = rows_of(DATA / "ingest_roster.csv")
    twin = list(roster_rows[2])
    twin[0], twin[1], twin[3], twin[4] = "HTX Thuỷ sản Vĩnh Bảo", "HP-0005", "311", ""
    roster_rows.append(twin)
    rows = rows_of(DATA / "ingest_responses.csv")
    rows[8][1], rows[8][2] = "", "Hợp tác xã Thủy sản Vĩnh Bảo"
    v = validate_round(read_roster(write(tmp_path / "r.csv", roster_rows)),
                       read_responses([write(tmp_path / "e.csv", rows)], codebook),
                       codebook, units)
    row9 = ledger_row(v, 9)
    assert row9["status"] == "set_aside"
    assert row9["reason"].endswith("; several matches: HP-0002, HP-0005")
    assert "HP-0002, HP-0005" in row9["message"]
