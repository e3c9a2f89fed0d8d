"""Reading rosters and survey exports: text matching, tables, headers, aliases."""

import csv
import datetime as dt
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from hailong.codebook import load_codebook
from hailong.errors import InputError
from hailong.ingest import (load_roster_spec, map_columns, normalize_text, read_responses,
                            read_roster, read_table)

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
ROSTER = DATA / "ingest_roster.csv"
EXPORT = DATA / "ingest_responses.csv"


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(ROOT / "data/reference/codebook/codebook-v1.yaml")


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def export_rows() -> list[list[str]]:
    with EXPORT.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


# --------------------------------------------------------------------------- normalize_text

@pytest.mark.parametrize("a, b", [
    ("hoà", "hòa"), ("thuỷ", "thủy"), ("oá", "óa"), ("uý", "úy"),
    ("Thuỷ Nguyên", "Thủy Nguyên"), ("Kiến Thuỵ", "KIẾN THỤY"),
])
def test_old_and_new_tone_placement_match(a, b):
    assert normalize_text(a) == normalize_text(b)


def test_normalize_text_uses_one_fixed_convention():
    # the mark goes on the second vowel of open "oa" / "uy"
    assert normalize_text("Hòa") == "hoà"
    assert normalize_text("Thủy sản") == "thuỷ sản"
    # other syllables keep their usual place
    assert normalize_text("NGƯỜI") == "người"
    assert normalize_text("Quý") == "quý"


def test_normalize_text_nfd_spaces_and_case():
    nfd = unicodedata.normalize("NFD", "Rất hài lòng")
    assert nfd != "Rất hài lòng"
    assert normalize_text(nfd) == "rất hài lòng"
    assert normalize_text("  Hài \u00a0  LÒNG \t") == "hài lòng"
    assert unicodedata.is_normalized("NFC", normalize_text(nfd))


def test_normalize_text_keeps_different_words_apart():
    assert normalize_text("Hài lòng") != normalize_text("Không hài lòng")
    assert normalize_text("thủy") != normalize_text("thùy")


# --------------------------------------------------------------------------- read_table

def test_csv_with_bom_rows_numbered_as_in_excel(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffMã HTX,Ghi chú\nHP-1,\"hai\ndòng\"\n\nHP-2, x \n".encode("utf-8"))
    df = read_table(path)
    assert list(df.columns) == ["Mã HTX", "Ghi chú", "_row"]
    # header row 1; the quoted line break stays in row 2; row 3 is blank and dropped
    assert df["_row"].tolist() == [2, 4]
    assert df["Mã HTX"].tolist() == ["HP-1", "HP-2"]
    assert df["Ghi chú"].tolist() == ["hai\ndòng", "x"]


def test_csv_without_bom_blank_cells_are_empty_text(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["a", "b"], ["1", ""], ["", "2"]])
    df = read_table(path)
    assert df["a"].tolist() == ["1", ""]
    assert df["b"].tolist() == ["", "2"]
    assert all(isinstance(v, str) for v in df["a"])


def test_xlsx_first_sheet_as_text(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã quận/huyện", "Số", "Dấu thời gian"])
    ws.append([303, 2.0, dt.datetime(2023, 3, 15, 9, 12)])
    ws["A4"] = 312
    ws["B4"] = 2.5
    wb.create_sheet("khác")["A1"] = "not read"
    wb.save(tmp_path / "t.xlsx")
    df = read_table(tmp_path / "t.xlsx")
    assert df["Mã quận/huyện"].tolist() == ["303", "312"]
    assert df["Số"].tolist() == ["2", "2.5"]
    assert df["Dấu thời gian"].tolist() == ["2023-03-15 09:12:00", ""]
    assert df["_row"].tolist() == [2, 4]


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as err:
        read_table(tmp_path / "roster.csv")
    assert "roster.csv" in str(err.value)
    assert err.value.hint


def test_empty_file(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match="empty") as err:
        read_table(tmp_path / "empty.csv")
    assert "empty.csv" in str(err.value)


def test_header_only_file_has_no_rows(tmp_path):
    df = read_table(write_csv(tmp_path / "h.csv", [["Mã HTX", "Tên HTX"]]))
    assert len(df) == 0
    assert list(df.columns) == ["Mã HTX", "Tên HTX", "_row"]


def test_file_not_utf8(tmp_path):
    path = tmp_path / "legacy.csv"
    # Windows-1258 (Vietnamese Windows): shaped letters precomposed, tone marks combining
    text = "Ma\u0303 HTX,Tên HTX\nHP-1,Hơ\u0323p ta\u0301c xa\u0303\n"
    path.write_bytes(text.encode("cp1258"))
    with pytest.raises(InputError, match="UTF-8") as err:
        read_table(path)
    assert "legacy.csv" in str(err.value)


def test_unknown_file_type(tmp_path):
    (tmp_path / "roster.txt").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_table(tmp_path / "roster.txt")
    assert ".txt" in str(err.value)


# --------------------------------------------------------------------------- map_columns

def test_map_columns_aliases_in_any_order_and_extras(tmp_path):
    rows = [["ghi chú", "  TÊN hợp tác XÃ ", "Mã HTX"], ["", "A", "1"]]
    path = write_csv(tmp_path / "t.csv", rows)
    fields = {"coop_id": ("Mã HTX", "Mã hợp tác xã"),
              "coop_name": ("Tên HTX", "Tên hợp tác xã")}
    df, extra = map_columns(read_table(path), fields, path=path, required=["coop_id"])
    assert extra == ["ghi chú"]
    assert df["coop_id"].tolist() == ["1"]
    assert df["coop_name"].tolist() == ["A"]
    assert df.attrs["headers"] == {"coop_id": "Mã HTX", "coop_name": "TÊN hợp tác XÃ"}


def test_map_columns_missing_required(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["Tên HTX"], ["A"]])
    fields = {"coop_id": ("Mã HTX", "Mã hợp tác xã"), "coop_name": ("Tên HTX",)}
    with pytest.raises(InputError) as err:
        map_columns(read_table(path), fields, path=path, required=["coop_id", "coop_name"])
    text = str(err.value)
    assert "t.csv" in text and '"Mã HTX"' in text and "Mã hợp tác xã" in text
    assert err.value.column == "Mã HTX"


def test_map_columns_two_headers_same_meaning(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["Mã HTX", "Mã hợp tác xã"], ["1", "2"]])
    with pytest.raises(InputError) as err:
        map_columns(read_table(path), {"coop_id": ("Mã HTX", "Mã hợp tác xã")}, path=path,
                    required=[])
    assert err.value.column == "Mã hợp tác xã"


# --------------------------------------------------------------------------- roster

def test_roster_spec_reads_yes_no_words():
    spec = load_roster_spec()
    assert "Có" in spec.yes and "x" in spec.yes
    assert "Không" in spec.no and "" in spec.no
    assert "coop_id" in spec.required and "phone" in spec.personal


def test_read_roster_canonical_columns():
    df = read_roster(ROSTER)
    assert list(df.columns) == ["coop_id", "coop_name", "district_code", "commune_code", "sector",
                                "legal_form", "member", "size_class", "founded_year",
                                "director_name", "phone", "zalo", "email", "_file", "_row"]
    assert df["coop_id"].tolist() == ["HP-0001", "HP-0002", "HP-0003", "HP-0004"]
    assert df["_row"].tolist() == [2, 3, 4, 5]
    assert set(df["_file"]) == {str(ROSTER)}
    assert df.attrs["extra_columns"] == {str(ROSTER): ["Ghi chú"]}


def test_read_roster_optional_column_absent(tmp_path):
    rows = [["Mã HTX", "Tên HTX", "Mã huyện", "Ngành nghề", "Thành viên Liên minh"],
            ["HP-1", "A", "303", "Nông nghiệp", "Có"]]
    df = read_roster(write_csv(tmp_path / "r.csv", rows))
    assert df["email"].tolist() == [""]
    assert df["commune_code"].tolist() == [""]


def test_read_roster_missing_required_column(tmp_path):
    with ROSTER.open(encoding="utf-8-sig", newline="") as fh:
        rows = [r[:2] + r[3:] for r in csv.reader(fh)]  # drop "Ngành nghề"
    path = write_csv(tmp_path / "danh-sach.csv", rows)
    with pytest.raises(InputError) as err:
        read_roster(path)
    assert "danh-sach.csv" in str(err.value) and "Ngành nghề" in str(err.value)


# --------------------------------------------------------------------------- responses

def test_read_responses_maps_items_and_fields(codebook):
    df = read_responses([EXPORT], codebook)
    assert df.loc[0, "D01_1"] == "Rất hài lòng"
    assert df.loc[0, "submitted_at"] == "15/03/2023 09:12:00"
    assert df.loc[0, "respondent_name"] == "Nguyễn Văn An"
    assert df.loc[0, "DIFFICULTIES"] == "Thiếu vốn lưu động"
    assert df["_row"].tolist() == list(range(2, 12))
    assert df.attrs["extra_columns"] == {str(EXPORT): ["Email người trả lời"]}


def test_item_headers_by_id_text_number_and_prefix(tmp_path, codebook):
    rows = export_rows()
    header = rows[0]
    at = {h.split(" ")[0]: i for i, h in enumerate(header)}
    header[at["1.1."]] = "D01_1"  # the id
    # the bare text, written another way
    header[at["1.2."]] = ("  địa phương ban hành CHƯƠNG TRÌNH, kế hoạch hỗ trợ HTX "
                          "phù hợp với thực tế")
    header[at["1.3."]] = "1.3 Lãnh đạo địa phương thăm HTX"  # number, space, text
    header[at["2.1."]] = "2.1. HTX được phổ biến chính sách"  # number, dot, shorter text
    # columns in another order
    rows = [[r[i] for i in reversed(range(len(r)))] for r in rows]
    df = read_responses(write_csv(tmp_path / "e.csv", rows), codebook)
    assert df.loc[0, ["D01_1", "D01_2", "D01_3", "D02_1"]].tolist() == [
        "Rất hài lòng", unicodedata.normalize("NFD", "Hài lòng"), "hài   LÒNG",
        "Không ý kiến"]


def test_prefix_does_not_confuse_1_1_and_11_1(tmp_path, codebook):
    rows = export_rows()
    j = rows[0].index(next(h for h in rows[0] if h.startswith("11.1.")))
    rows[0][j] = "11.1. Đối thoại"
    rows[1][j] = "Hài lòng"
    df = read_responses(write_csv(tmp_path / "e.csv", rows), codebook)
    assert df.loc[0, "D11_1"] == "Hài lòng"
    assert df.loc[0, "D01_1"] == "Rất hài lòng"


def test_missing_item_column(tmp_path, codebook):
    rows = export_rows()
    j = next(i for i, h in enumerate(rows[0]) if h.startswith("4.1."))
    rows = [r[:j] + r[j + 1:] for r in rows]
    with pytest.raises(InputError) as err:
        read_responses(write_csv(tmp_path / "export.csv", rows), codebook)
    text = str(err.value)
    assert "export.csv" in text
    item = "4.1. Cán bộ quản lý HTX được tham gia các lớp đào tạo, bồi dưỡng"
    assert item in text


def test_open_questions_optional(tmp_path, codebook):
    rows = [r[:-3] for r in export_rows()]  # drop 13., 14. and the extra column
    df = read_responses(write_csv(tmp_path / "e.csv", rows), codebook)
    assert df["DIFFICULTIES"].tolist() == [""] * 10
    assert df["RECOMMENDATIONS"].tolist() == [""] * 10


def test_two_exports_concatenated(tmp_path, codebook):
    rows = export_rows()
    a = write_csv(tmp_path / "a.csv", rows[:3])
    b = write_csv(tmp_path / "b.csv", [rows[0][:-1]] + [r[:-1] for r in rows[3:5]])
    df = read_responses([a, b], codebook)
    assert df["_file"].tolist() == [str(a), str(a), str(b), str(b)]
    assert df["_row"].tolist() == [2, 3, 2, 3]
    assert df.attrs["extra_columns"] == {str(a): ["Email người trả lời"], str(b): []}
