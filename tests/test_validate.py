"""Validation: roster checks, answer labels -> numbers, duplicates, the row ledger.

The fixture export (tests/data/ingest_responses.csv) has 10 rows (Excel rows 2-11):
  2  HP-0001 valid, many label spellings           -> accepted
  3  HP-0002 "Hài lòng lắm" in 1.1                 -> merged (row 4 is later)
  4  HP-0002 valid, later than row 3               -> accepted
  5  HP-0003 10/03/2023 08:00                      -> merged (row 6 is later)
  6  HP-0003 2023-03-20T14:30 (ISO)                -> accepted
  7  HP-0003 12/03/2023                            -> merged
  8  HP-9999 not in the roster                     -> set aside
  9  blank cooperative code                        -> set aside
  10 HP-0004 "7" in 3.1                            -> accepted, that one cell set aside
  11 HP-0004 time stamp 32/13/2023                 -> set aside

Answers of the accepted rows (4 rows x 29 scored items = 116), counted by hand: row 2
has 10 answers on the scale (1.1-4.1 but 2.1, and 12), 2.1 "Không ý kiến"; row 4 two
(1.1, 12); row 6 one (12); row 10 one (12) and "7" set aside: 14 used, 1 set aside, 101
no opinion (blank or "Không ý kiến").
"""

import csv
import dataclasses
import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from hailong.core.errors import InputError
from hailong.ingest.readers import read_responses, read_roster
from hailong.ingest.validate import parse_timestamp, validate_roster, validate_round
from hailong.reference.codebook import load_codebook
from hailong.reference.geography import load_units

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
ROSTER = DATA / "ingest_roster.csv"
EXPORT = DATA / "ingest_responses.csv"


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(ROOT / "data/reference/codebook/codebook-v1.yaml")


@pytest.fixture(scope="module")
def units():
    return load_units(ROOT / "data/reference/units-2022.csv", on=dt.date(2022, 10, 1))


@pytest.fixture(scope="module")
def validated(codebook, units):
    return validate_round(read_roster(ROSTER), read_responses([EXPORT], codebook), codebook, units)


def ledger_row(v, row: int) -> pd.Series:
    return v.ledger.set_index("source_row").loc[row]


def response(v, coop_id: str) -> pd.Series:
    return v.responses.set_index("coop_id").loc[coop_id]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def roster_rows() -> list[list[str]]:
    with ROSTER.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def roster_error(tmp_path, codebook, units, edit) -> InputError:
    """Validate the fixture roster after ``edit(rows)``; return the error raised."""
    rows = roster_rows()
    edit(rows)
    raw = read_roster(write_csv(tmp_path / "roster.csv", rows))
    with pytest.raises(InputError) as err:
        validate_roster(raw, codebook, units)
    return err.value


# --------------------------------------------------------------------------- roster

def test_roster_canonical(validated):
    r = validated.roster.set_index("coop_id")
    assert r["sector"].tolist() == ["nong_nghiep", "thuy_san", "tin_dung", "thuong_mai"]
    assert r["variant"].tolist() == ["NN", "NN", "QTD", "PNN"]
    # Có, Không, x, blank
    assert r["member"].tolist() == [True, False, True, False]
    assert r["member"].dtype == bool
    assert str(r["founded_year"].dtype) == "Int64"
    assert r.loc["HP-0001", "founded_year"] == 2015
    assert pd.isna(r.loc["HP-0002", "founded_year"])
    assert r.loc["HP-0004", "commune_code"] == ""
    assert r.loc["HP-0001", "district_code"] == "312"


def test_roster_sector_label_written_another_way(validated):
    # the roster says "THUỶ  SẢN"; the codebook "Thủy sản"
    assert response(validated, "HP-0002")["sector"] == "thuy_san"


def test_roster_duplicate_id(tmp_path, codebook, units):
    def edit(rows):
        rows[3][1] = "HP-0001"  # Excel row 4 repeats row 2's code
    err = roster_error(tmp_path, codebook, units, edit)
    assert err.row == 2 and err.column == "Mã HTX" and err.found == "HP-0001"
    assert "rows 2, 4" in str(err)
    assert "roster.csv" in str(err)


def test_roster_unknown_district(tmp_path, codebook, units):
    def edit(rows):
        rows[3][3] = "399"
    err = roster_error(tmp_path, codebook, units, edit)
    assert (err.row, err.column, err.found) == (4, "Mã huyện", "399")
    assert "303" in err.expected and "318" in err.expected


def test_roster_commune_in_wrong_district(tmp_path, codebook, units):
    def edit(rows):
        # An Hưng is a commune of An Dương (312), not of Bạch Long Vĩ (318)
        rows[4][4] = "11599"
    err = roster_error(tmp_path, codebook, units, edit)
    assert (err.row, err.column, err.found) == (5, "Mã xã", "11599")
    assert "318" in str(err)


def test_roster_unknown_sector_and_member_word(tmp_path, codebook, units):
    def edit(rows):
        rows[2][2] = "Trồng trọt"
        rows[2][5] = "có lẽ"
    err = roster_error(tmp_path, codebook, units, edit)
    assert (err.row, err.column, err.found) == (3, "Ngành nghề", "Trồng trọt")
    assert 'row 3, column "Là thành viên LM HTX"' in str(err)


def _three_roster_problems(rows):
    rows[1][8] = "năm 2015"   # row 2 founding year
    rows[3][3] = "399"        # row 4 district
    rows[4][1] = ""           # row 5 blank code


def test_roster_all_problems_counted_and_listed(tmp_path, codebook, units):
    err = roster_error(tmp_path, codebook, units, _three_roster_problems)
    text = str(err)
    assert (err.row, err.column) == (2, "Năm thành lập")
    assert "2 other problem" in text
    assert 'row 4, column "Mã huyện"' in text
    assert 'row 5, column "Mã HTX"' in text
    # pandera's own wording never reaches the user
    assert "failure_case" not in text and "SchemaError" not in text and "Column '" not in text


def test_roster_lists_at_most_ten(tmp_path, codebook, units):
    def edit(rows):
        for i in range(12):
            rows.append([f"HTX {i}", f"HP-1{i:03d}", "Nông nghiệp", "999", "", "Có"] + [""] * 8)
    text = str(roster_error(tmp_path, codebook, units, edit))
    assert "11 other problem" in text
    assert text.count('column "Mã huyện"') == 10 + 1  # ten listed + the lead line


def test_empty_roster(tmp_path, codebook, units):
    raw = read_roster(write_csv(tmp_path / "roster.csv", roster_rows()[:1]))
    with pytest.raises(InputError, match="no cooperative"):
        validate_roster(raw, codebook, units)


# --------------------------------------------------------------------------- answers

def test_labels_to_values(validated):
    a = response(validated, "HP-0001")
    assert a["D01_1"] == 5.0  # "Rất hài lòng"
    assert a["D01_2"] == 4.0  # "Hài lòng" in NFD
    assert a["D01_3"] == 4.0  # "  hài   LÒNG "
    assert math.isnan(a["D02_1"])  # "Không ý kiến"
    assert a["D02_2"] == 4.0  # "4"
    assert a["D02_3"] == 4.0  # "4.0"
    assert a["D03_1"] == 3.0  # "Bình thường"
    assert a["D03_2"] == 2.0  # "Không hài lòng"
    assert a["D03_3"] == 1.0  # "Rất không hài lòng"
    assert a["D04_1"] == 4.0  # "Satisfied"
    assert math.isnan(a["D05_1"])  # blank
    assert a["OVERALL"] == 4.0


def test_answer_outside_scale_sets_aside_that_cell_only(validated):
    # row 10: "7" in 3.1 -> the cell is missing, HP-0004's other answers are used
    row10 = ledger_row(validated, 10)
    assert row10["status"] == "accepted" and row10["reason"] == ""
    hp4 = response(validated, "HP-0004")
    assert math.isnan(hp4["D03_1"]) and hp4["OVERALL"] == 4.0
    cells = validated.cells
    assert len(cells) == 1
    cell = cells.iloc[0]
    assert (cell["source_row"], cell["coop_id"], cell["item"], cell["found"]) == (
        10, "HP-0004", "D03_1", "7")
    assert cell["column"].startswith("3.1.") and cell["status"] == "cell_set_aside"
    assert cell["source_file"] == str(EXPORT)
    assert "row 10" in cell["message"] and "ingest_responses.csv" in cell["message"]
    assert "Rất hài lòng" in cell["message"]  # what was expected
    # row 3 ("Hài lòng lắm") is an older submission of HP-0002: merged, not a cell line
    assert ledger_row(validated, 3)["status"] == "merged"
    assert response(validated, "HP-0002")["D01_1"] == 3.0


def test_answer_counts_balance(validated):
    assert validated.answer_counts == {"read": 116, "used": 14, "set_aside": 1,
                                       "no_opinion": 101}
    # derived again from the frames (as for a round read back from the store)
    derived = dataclasses.replace(validated, answers=None).answer_counts
    assert derived == validated.answer_counts


def test_unknown_and_blank_coop_and_bad_time_set_aside(validated):
    assert ledger_row(validated, 8)["status"] == "set_aside"
    assert "not in the roster" in ledger_row(validated, 8)["reason"]
    assert ledger_row(validated, 9)["status"] == "set_aside"
    assert "blank" in ledger_row(validated, 9)["reason"]
    assert ledger_row(validated, 11)["status"] == "set_aside"
    assert "32/13/2023" in ledger_row(validated, 11)["reason"]
    # HP-0004 counts through its other row (10)
    assert response(validated, "HP-0004")["source_row"] == 10


def test_duplicates_latest_wins(validated):
    assert ledger_row(validated, 6)["status"] == "accepted"
    for row in (5, 7):
        entry = ledger_row(validated, row)
        assert entry["status"] == "merged"
        assert "row 6" in entry["reason"]
    hp3 = response(validated, "HP-0003")
    assert hp3["OVERALL"] == 5.0  # row 6: "Rất hài lòng"
    assert hp3["submitted_at"] == pd.Timestamp(2023, 3, 20, 14, 30)
    assert hp3["source_row"] == 6


def test_duplicates_across_files_and_ties(tmp_path, codebook, units):
    with EXPORT.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, hp1 = rows[0], rows[1]
    first = write_csv(tmp_path / "dot1.csv", [header, hp1, hp1])  # two rows, same time
    later = list(hp1)
    later[0] = "16/03/2023 08:00:00"
    second = write_csv(tmp_path / "dot2.csv", [header, later])
    v = validate_round(read_roster(ROSTER), read_responses([first, second], codebook),
                       codebook, units)
    assert v.ledger["status"].tolist() == ["merged", "merged", "accepted"]
    assert "row 2 of dot2.csv" in v.ledger.loc[0, "reason"]
    # on equal times the row read last wins
    v = validate_round(read_roster(ROSTER), read_responses([first], codebook), codebook, units)
    assert v.ledger["status"].tolist() == ["merged", "accepted"]


def test_ledger_accounts_for_every_row(validated):
    ledger = validated.ledger
    assert len(ledger) == 10
    assert ledger["source_row"].tolist() == list(range(2, 12))
    counts = ledger["status"].value_counts().to_dict()
    assert counts == {"accepted": 4, "merged": 3, "set_aside": 3}
    assert validated.summary() == ("10 rows read: 4 accepted, 3 merged (duplicates), "
                                   "3 set aside; 1 of 116 answers set aside")
    assert sorted(validated.responses["source_row"]) == [2, 4, 6, 10]
    assert (ledger.loc[ledger["status"] == "accepted", "message"] == "").all()


def test_responses_frame_from_roster(validated):
    r = validated.responses
    assert list(r.columns[:11]) == ["coop_id", "submitted_at", "district_code", "commune_code",
                                    "sector", "variant", "member", "respondent_name",
                                    "respondent_phone", "source_file", "source_row"]
    assert list(r.columns[-2:]) == ["DIFFICULTIES", "RECOMMENDATIONS"]
    assert r["coop_id"].tolist() == ["HP-0001", "HP-0002", "HP-0003", "HP-0004"]
    hp2 = response(validated, "HP-0002")
    assert (hp2["district_code"], hp2["commune_code"], hp2["variant"], hp2["member"]) == (
        "316", "11824", "NN", False)
    assert response(validated, "HP-0003")["variant"] == "QTD"
    assert response(validated, "HP-0001")["respondent_phone"] == "0912345678"
    assert pd.api.types.is_datetime64_dtype(r["submitted_at"])
    assert r["D01_1"].dtype == "float64" and r["OVERALL"].dtype == "float64"
    assert r["source_row"].dtype == "int64"


def test_warnings_name_ignored_columns(validated):
    text = "\n".join(validated.warnings)
    assert "Ghi chú" in text and "ingest_roster.csv" in text
    assert "Email người trả lời" in text and "ingest_responses.csv" in text


def test_rows_read_per_file(validated):
    assert validated.rows_read == {str(ROSTER): 4, str(EXPORT): 10}


@pytest.mark.parametrize("text, expected", [
    ("15/03/2023 09:12:00", dt.datetime(2023, 3, 15, 9, 12)),
    ("5/3/2023 09:12:07", dt.datetime(2023, 3, 5, 9, 12, 7)),
    ("15/03/2023", dt.datetime(2023, 3, 15)),
    ("2023-03-20T14:30:00", dt.datetime(2023, 3, 20, 14, 30)),
    ("2023-03-20T07:30:00+00:00", dt.datetime(2023, 3, 20, 14, 30)),  # UTC -> UTC+7
    ("03/15/2023 09:12:00", None),  # month 15
    ("", None),
])
def test_parse_timestamp(text, expected):
    assert parse_timestamp(text) == expected


def test_roster_from_excel_with_numeric_codes(tmp_path, codebook, units):
    import openpyxl

    wb = openpyxl.Workbook()
    for r in roster_rows():
        # Excel keeps typed-in codes and years as numbers
        wb.active.append([int(c) if c.isdigit() and len(c) <= 5 else c for c in r])
    wb.save(tmp_path / "roster.xlsx")
    roster = validate_roster(read_roster(tmp_path / "roster.xlsx"), codebook, units)
    assert roster["district_code"].tolist() == ["312", "316", "303", "318"]
    assert roster["commune_code"].tolist() == ["11599", "11824", "11308", ""]
    assert roster["founded_year"].tolist()[0] == 2015


def test_export_without_rows(tmp_path, codebook, units):
    with EXPORT.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    export = write_csv(tmp_path / "empty.csv", [header])
    v = validate_round(read_roster(ROSTER), read_responses(export, codebook), codebook, units)
    assert v.summary() == "0 rows read: 0 accepted, 0 merged (duplicates), 0 set aside"
    assert len(v.responses) == 0 and "OVERALL" in v.responses.columns
    assert v.rows_read[str(export)] == 0


# --------------------------------------------------------------------------- issue 5

from hailong.ingest.validate import (  # noqa: E402
    answer_lookup,
    answer_value,
    answers_differ,
    roster_problems,
    timestamp_problem,
)


@pytest.mark.parametrize("text, value", [
    ("Rất hài lòng", 5), ("  RẤT   hài LÒNG  ", 5), ("Very satisfied", 5),
    ("Bình thường", 3), ("rất không hài lòng", 1), ("4", 4), ("4.0", 4), ("4,0", 4),
    (" 2 ", 2), ("4 - Hài lòng", 4), ("(4) Hài lòng", 4), ("5. Rất hài lòng", 5),
    ("Hài lòng (4)", 4), ("Không ý kiến", None), ("KHÔNG ÁP DỤNG", None),
    ("Không ý kiến / không áp dụng", None), ("", None),
])
def test_answers_in_any_form(codebook, text, value):
    import unicodedata

    lookup = answer_lookup(codebook)
    for form in (text, unicodedata.normalize("NFD", text)):
        got = answer_value(form, lookup)
        if value is None:
            assert math.isnan(got), form
        else:
            assert got == value, form


@pytest.mark.parametrize("text", ["5 - Hài lòng", "Hài lòng (3)", "4.5", "6", "0",
                                  "Hài lòng lắm", "Có"])
def test_answers_outside_the_scale(codebook, text):
    assert answer_value(text, answer_lookup(codebook)) is None


@pytest.mark.parametrize("text, expected", [
    ("45001.5", dt.datetime(2023, 3, 16, 12, 0)),   # Excel serial: 44927 = 01/01/2023
    ("45001", dt.datetime(2023, 3, 16)),
    ("18-03-2023 14:45", dt.datetime(2023, 3, 18, 14, 45)),
    ("18.03.2023", dt.datetime(2023, 3, 18)),
    ("17/02/2023 3:33:18 CH", dt.datetime(2023, 2, 17, 15, 33, 18)),  # Vietnamese PM
    ("17/02/2023 9:05 SA", dt.datetime(2023, 2, 17, 9, 5)),
    ("17/02/2023 3:33:18 PM", dt.datetime(2023, 2, 17, 15, 33, 18)),
    ("2023-03-15 09:12:00", dt.datetime(2023, 3, 15, 9, 12)),          # Excel date cell
    ("123", None), ("31/02/2023", None),
])
def test_parse_timestamp_more_forms(text, expected):
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize("text, words", [
    ("15/03/2023 09:12:00", None),
    ("", "empty"),
    ("31/02/2023 10:00", "does not exist"),
    ("03/15/2023", "does not exist"),      # month first
    ("17/03/2099", "impossible"),
    ("01/01/1900", "impossible"),
    ("hôm qua", "not a date"),
])
def test_timestamp_problem_says_what_is_wrong(text, words):
    problem = timestamp_problem(text)
    if words is None:
        assert problem is None
    else:
        assert words in problem[0]


def test_answers_differ_by_value_not_spelling(codebook):
    a = read_responses([EXPORT], codebook).loc[0].copy()  # Excel row 2
    b = a.copy()
    b["D01_1"] = "5"                     # "Rất hài lòng" written as its number
    b["D02_1"] = ""                      # "Không ý kiến" -> blank: both no opinion
    b["DIFFICULTIES"] = "  THIẾU VỐN lưu động "  # "Thiếu vốn lưu động" written another way
    assert answers_differ(a, b, codebook) == []
    b["D03_2"] = "Bình thường"           # was "Không hài lòng"
    b["RECOMMENDATIONS"] = "Khác"        # was blank
    assert answers_differ(a, b, codebook) == ["D03_2", "RECOMMENDATIONS"]


def test_duplicate_with_different_answers_says_which_columns(tmp_path, codebook, units):
    with EXPORT.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, hp1 = rows[0], rows[1]
    later = list(hp1)
    later[0] = "16/03/2023 08:00:00"
    j = next(i for i, h in enumerate(header) if h.startswith("2.2."))
    later[j] = "Rất không hài lòng"
    path = write_csv(tmp_path / "e.csv", [header, hp1, later])
    v = validate_round(read_roster(ROSTER), read_responses([path], codebook), codebook, units)
    first = v.ledger.iloc[0]
    assert first["status"] == "merged"
    assert "different answers in 1 column(s)" in first["reason"]
    assert first["column"] == header[j]
    assert "HP-0001 answered twice with different answers" in first["message"]
    assert f'"{header[j]}"' in first["message"] and "row 2" in first["message"]
    assert response(v, "HP-0001")["D02_2"] == 1.0  # the later submission counts
    same = write_csv(tmp_path / "s.csv", [header, hp1, [later[0], *hp1[1:]]])
    v = validate_round(read_roster(ROSTER), read_responses([same], codebook), codebook, units)
    assert v.ledger.iloc[0]["reason"].endswith("; same answers")
    assert v.ledger.iloc[0]["column"] == ""


def test_set_aside_rows_name_their_columns(validated):
    assert ledger_row(validated, 8)["column"] == "Mã HTX"
    assert ledger_row(validated, 11)["column"] == "Dấu thời gian"
    assert (validated.ledger.loc[validated.ledger["status"] == "accepted", "column"] == "").all()


def test_roster_problems_lists_every_problem(tmp_path, codebook, units):
    rows = roster_rows()
    for r in rows[1:]:
        r[3] = "999"            # every district code ("Mã huyện") unknown
        r[2] = "Trồng nấm"      # every sector ("Ngành nghề") unknown
    raw = read_roster(write_csv(tmp_path / "roster.csv", rows))
    problems = roster_problems(raw, codebook, units)
    assert len(problems) == 8   # 4 rows x 2 columns, more than one message lists
    assert [p.row for p in problems] == [2, 2, 3, 3, 4, 4, 5, 5]
    assert {p.column for p in problems} == {"Mã huyện", "Ngành nghề"}


def test_the_data_quality_report_carries_no_phone_number_nor_e_mail(tmp_path):
    from hailong.core.text import mask_contacts
    from hailong.ingest.quality import DATA_QUALITY_COLUMNS, write_data_quality

    assert mask_contacts("gọi 0900 844 843 hoặc a.b@htx.vn") == (
        "gọi [số điện thoại] hoặc [email]")
    assert mask_contacts("HP-0001, dòng 12, câu 2.3") == "HP-0001, dòng 12, câu 2.3"
    row = dict.fromkeys(DATA_QUALITY_COLUMNS, "")
    row.update(file="x.csv", row=5, coop_id="HP-0001", column="2.1", status="cell_set_aside",
               reason="out_of_scale", action="Dòng 5, cột 2.1: tìm thấy “0912345678”.")
    table = pd.DataFrame([row], columns=DATA_QUALITY_COLUMNS).astype({"row": "Int64"})
    text = write_data_quality(table, tmp_path / "dq.csv").read_text(encoding="utf-8-sig")
    assert "0912345678" not in text and "[số điện thoại]" in text


# --------------------------------------------------------------------------- in Vietnamese

def test_roster_problems_render_in_vietnamese(tmp_path, codebook, units):
    from hailong.core.messages import using_lang

    err = roster_error(tmp_path, codebook, units, _three_roster_problems)
    with using_lang("vi"):
        text = str(err)
    assert text.startswith(f'{tmp_path / "roster.csv"}, dòng 2, cột "Năm thành lập": Năm thành '
                           "lập không phải là một năm. Danh sách HTX còn 2 lỗi khác; cả 3 lỗi:")
    assert ('\n  dòng 4, cột "Mã huyện": Mã quận, huyện không có. (đã thấy \'399\')'
            in text)
    assert '\n  dòng 5, cột "Mã HTX": Mã HTX bị trống. (đã thấy \'\')' in text
    assert "Đã thấy: 'năm 2015'. Cần: một năm như 2015, hoặc để trống." in text
    assert text.endswith("Hãy sửa danh sách HTX rồi chạy lại.")
    with using_lang("en"):
        assert "The roster has 2 other problem(s); all 3:" in str(err)


def test_rows_set_aside_and_duplicates_are_explained_in_vietnamese(codebook, units):
    from hailong.core.messages import using_lang

    with using_lang("vi"):
        v = validate_round(read_roster(ROSTER), read_responses([EXPORT], codebook), codebook,
                           units)
        assert v.summary() == ("đã đọc 10 dòng: 4 dòng được dùng, 3 dòng gộp (phiếu trùng), "
                               "3 dòng để riêng; 1 trong 116 câu trả lời bị để riêng")
    eight = ledger_row(v, 8)
    assert eight["reason"].startswith("không có trong danh sách HTX: cột \"Mã HTX\" = 'HP-9999'")
    assert (f'{EXPORT}, dòng 8, cột "Mã HTX": Mã HTX này không có trong danh sách HTX. '
            "Đã thấy: 'HP-9999'. Cần: một mã có trong danh sách HTX.") in eight["message"]
    merged = v.ledger[v.ledger["status"] == "merged"].iloc[0]
    assert f"{EXPORT}, dòng {merged['source_row']}: " in merged["message"]
    assert "đã trả lời hai lần với các câu trả lời khác nhau" in merged["message"]
    assert merged["reason"].startswith("trùng: dùng phiếu gửi sau (dòng ")
    (cell,) = v.cells["message"]
    assert "Câu trả lời nằm ngoài thang đo" in cell and "Đã thấy: '7'" in cell
    assert '"Rất hài lòng" (5) (hoặc chỉ ghi số)' in cell
    assert ('ingest_responses.csv: cột "Email người trả lời" không được dùng (không phải cột '
            "đã biết).") in v.warnings


@pytest.mark.parametrize("text, words", [
    ("", "Dấu thời gian bị trống."),
    ("31/02/2023 10:00", "Ngày này không có thật"),
    ("hôm qua", "Dấu thời gian không phải là ngày giờ."),
    ("01/01/1990", "Ngày này không thể là ngày gửi phiếu (năm 1990)."),
])
def test_timestamp_problems_in_vietnamese(text, words):
    from hailong.core.messages import using_lang
    from hailong.ingest.validate import timestamp_problem

    with using_lang("vi"):
        message, label = timestamp_problem(text)
    assert message.startswith(words) and label and label.islower()


def test_check_files_summary_and_verdict_in_both_languages(codebook, units):
    from hailong.core.messages import using_lang
    from hailong.ingest.quality import check_files

    with using_lang("vi"):
        report = check_files([ROSTER, EXPORT], codebook, units)
        summary, verdict = report.summary(shown=str), report.verdict()
        problems = report.problems()
    assert summary[0] == (f"  {ROSTER}  (danh sách HTX; CSV, UTF-8 có BOM, phân cách bằng dấu "
                          "phẩy)")
    assert summary[4] == ("      đã đọc 10 dòng: 4 dòng được dùng, 3 dòng gộp (phiếu trùng), "
                          "3 dòng để riêng; 1 câu trả lời bị để riêng, tính là bỏ trống")
    assert verdict == ("3 dòng bị để riêng; 1 câu trả lời bị để riêng, tính là bỏ trống; "
                       "các dòng khác dùng được")
    # merged rows whose answers differ are listed whatever the language of their reason
    assert sum("đã trả lời hai lần" in p for p in problems) == 3
    with using_lang("en"):
        report = check_files([ROSTER, EXPORT], codebook, units)
        assert report.verdict() == ("3 row(s) set aside; 1 answer(s) set aside as missing; "
                                    "the others can be used")
        assert sum("answered twice" in p for p in report.problems()) == 3
