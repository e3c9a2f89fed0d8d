"""Reading rosters and survey exports: text matching, tables, headers, aliases."""

import csv
import datetime as dt
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from hailong.core.errors import InputError
from hailong.ingest.readers import (
    load_roster_spec,
    map_columns,
    normalize_text,
    read_responses,
    read_roster,
    read_table,
)
from hailong.reference.codebook import load_codebook

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


def test_a_folder_given_as_a_file_is_named_a_folder(tmp_path):
    folder = tmp_path / "export.csv"
    folder.mkdir()
    (folder / "dot-1.csv").write_text("x\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_table(folder)
    assert "This is a folder, not a file" in str(err.value)
    assert "dot-1.csv" in str(err.value) and "does not exist" not in str(err.value)


def test_csv_cell_longer_than_the_default_limit_is_read(tmp_path):
    long = "Thiếu vốn. " * 20_000  # 220,000 characters; Python's csv stops at 131,072
    df = read_table(write_csv(tmp_path / "c.csv", [["Mã HTX", "Ghi chú"], ["HP-1", long],
                                                    ["HP-2", "ngắn"]]))
    assert df["Ghi chú"].tolist() == [long.strip(), "ngắn"]


def test_csv_cell_beyond_the_limit_says_so(tmp_path, monkeypatch):
    import hailong.ingest.readers.decoding as decoding

    monkeypatch.setattr(decoding, "MAX_FIELD_CHARS", 1000)
    path = write_csv(tmp_path / "c.csv", [["Mã HTX", "Ghi chú"], ["HP-1", "ngắn"],
                                          ["HP-2", "x" * 1001]])
    with pytest.raises(InputError) as err:
        read_table(path)
    text = str(err.value)
    assert "longer than 1,000 characters" in text and "line 3" in text
    assert "CSV UTF-8" not in text  # no advice to save it as what it already is
    assert csv.field_size_limit() == 131072  # the process-wide limit is left as it was


@pytest.mark.parametrize("end", ["\r\n", "\n", "\r"])
def test_line_ends_and_a_newline_inside_a_quoted_cell(tmp_path, end):
    text = end.join(["Mã HTX,Ghi chú", 'HP-1,"hai' + end + 'dòng"', "HP-2,một", ""])
    (tmp_path / "e.csv").write_bytes(text.encode())
    df = read_table(tmp_path / "e.csv")
    assert df["Ghi chú"].tolist() == ["hai" + end + "dòng", "một"]
    assert df["_row"].tolist() == [2, 3]


def test_formula_without_a_saved_result_is_named(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["Mã HTX", "Điểm"])
    wb.active.append(["HP-1", "=1+3"])   # openpyxl stores no result for a formula
    wb.active.append(["HP-2", 5])
    wb.save(tmp_path / "f.xlsx")
    df = read_table(tmp_path / "f.xlsx")
    assert df["Điểm"].tolist() == ["", "5"]
    assert df.attrs["read_as"]["uncached_formulas"] == ["B2"]


def test_header_only_file_has_no_rows(tmp_path):
    df = read_table(write_csv(tmp_path / "h.csv", [["Mã HTX", "Tên HTX"]]))
    assert len(df) == 0
    assert list(df.columns) == ["Mã HTX", "Tên HTX", "_row"]


def test_file_in_windows_1258_is_read(tmp_path):
    # issue 5 (was: refused as "not UTF-8"). Windows-1258 (Vietnamese Windows): shaped
    # letters precomposed, tone marks as separate combining characters
    path = tmp_path / "legacy.csv"
    text = "Ma\u0303 HTX,Tên HTX\nHP-1,Hơ\u0323p ta\u0301c xa\u0303\n"
    path.write_bytes(text.encode("cp1258"))
    df = read_table(path)
    assert list(df.columns) == ["Mã HTX", "Tên HTX", "_row"]
    assert df.loc[0, "Tên HTX"] == "Hợp tác xã"
    assert df.attrs["read_as"]["encoding"] == "Windows-1258"


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


# --------------------------------------------------------------------------- issue 5:
# encodings, separators, header rows, sheets, header variants (the corpus in
# tests/data/corpus covers whole files; these pin down the rules one by one)

from hailong.ingest.readers import Expected, HeaderMatcher, classify, export_expected  # noqa: E402


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("data, encoding", [
    ("Mã HTX\tTên HTX\r\nHP-1\tHợp tác xã\r\n".encode("utf-16"), "UTF-16"),
    (b"\xff\xfe" + "Mã HTX\tTên HTX\r\nHP-1\tHợp tác xã\r\n".encode("utf-16-le"), "UTF-16"),
    ("Mã HTX\tTên HTX\r\nHP-1\tHợp tác xã\r\n".encode("utf-16-le"), "UTF-16"),  # no BOM
])
def test_utf16_text_as_excel_saves_it(tmp_path, data, encoding):
    df = read_table(write_bytes(tmp_path / "unicode.txt", data))
    assert df["Tên HTX"].tolist() == ["Hợp tác xã"]
    assert df.attrs["read_as"]["encoding"] == encoding
    assert df.attrs["read_as"]["delimiter"] == "\t"


def test_separator_is_the_one_that_splits_rows_evenly(tmp_path):
    # commas inside the (unquoted) headers and answers of a semicolon file
    text = "Mã HTX;Ghi chú, nếu có;Điểm\nHP-1;tốt, nhanh;4\nHP-2;chậm;3\n"
    df = read_table(write_bytes(tmp_path / "s.csv", text.encode()))
    assert list(df.columns) == ["Mã HTX", "Ghi chú, nếu có", "Điểm", "_row"]
    assert df["Ghi chú, nếu có"].tolist() == ["tốt, nhanh", "chậm"]
    assert df.attrs["read_as"]["delimiter"] == ";"


def test_header_row_found_under_title_rows(tmp_path, codebook):
    rows = export_rows()
    path = write_csv(tmp_path / "t.csv", [["BÁO CÁO KẾT QUẢ"], [""], ["Ngày 20/05/2023"],
                                          *rows])
    df = read_responses([path], codebook)
    assert df["_row"].tolist() == list(range(5, 15))  # header on row 4
    assert df.attrs["read_as"][str(path)]["header_row"] == 4


def test_only_sheet_with_the_columns_is_read(tmp_path, codebook):
    wb = openpyxl.Workbook()
    wb.active.title = "Ghi chú"
    wb.active["A1"] = "Mã HTX"  # one matching header is not enough
    data = wb.create_sheet("Dữ liệu")
    for r in export_rows():
        data.append(r)
    wb.save(tmp_path / "e.xlsx")
    df = read_responses([tmp_path / "e.xlsx"], codebook)
    assert len(df) == 10
    assert df.attrs["read_as"][str(tmp_path / "e.xlsx")]["sheet"] == "Dữ liệu"
    with pytest.raises(InputError, match="no sheet of this name") as err:
        read_responses([tmp_path / "e.xlsx"], codebook, sheet="Trang 3")
    assert "'Ghi chú', 'Dữ liệu'" in str(err.value)


def test_merged_header_cell_names_every_row_of_its_block(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"], ws["B2"], ws["C2"] = "Mã HTX", "Điểm", "1.1", "1.2"
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:C1")
    ws.append(["HP-1", 4, 5])
    wb.save(tmp_path / "m.xlsx")
    matcher = HeaderMatcher({"coop_id": ["Mã HTX"]}, numbers={"D01_1": "1.1", "D01_2": "1.2"})
    df = read_table(tmp_path / "m.xlsx", expect=Expected(matcher, ("coop_id",)))
    # row 2 names all three columns ("Mã HTX" repeated down its merged block)
    assert list(df.columns) == ["Mã HTX", "1.1", "1.2", "_row"]
    assert df.loc[0].tolist() == ["HP-1", "4", "5", 3]


@pytest.mark.parametrize("header, name", [
    ("1.1. Cấp ủy ...", "D01_1"), ("Câu 1.1: bất kỳ", "D01_1"), ("1.1) x", "D01_1"),
    ("1.1", "D01_1"), ("11.1 Đối thoại", "D11_1"), ("12. Nhìn chung", "OVERALL"),
    ("12", None), ("1.10 x", None), ("2023", None),
    ("Đánh giá [Thông tin về chính sách hỗ trợ dễ tìm, dễ hiểu]", "D02_2"),
    # the text names another question than the number: the text wins
    ("1.2. Lãnh đạo địa phương thăm, làm việc và nắm bắt tình hình HTX", "D01_3"),
    ("1. Mã HTX", "coop_id"), ("Mức độ hài lòng chung", "OVERALL"),  # codebook aliases
    ("  dấu   THỜI gian ", "submitted_at"),
    # a form's XML names: group paths, names spelt without accents
    ("grp_lanh_dao/D01_1", "D01_1"), ("a/b/D02_2", "D02_2"), ("thong_tin/ma_htx", "coop_id"),
    ("ma_htx", "coop_id"), ("Dau thoi gian", "submitted_at"),
    ("Lãnh đạo/1.1. Cấp ủy ...", "D01_1"), ("Mã quận/huyện", "district_code"),
    ("grp/ghi_chu", None), ("ma_htx_cu", None), ("meta/instanceID", None),
])
def test_header_matcher_rules(codebook, header, name):
    assert export_expected(codebook).matcher.match(header) == name


def test_item_aliases_come_from_the_codebook(tmp_path, codebook):
    text = codebook.path.read_text(encoding="utf-8").replace(
        'number: "1.1", vi:', 'number: "1.1", aliases: ["Sự quan tâm của lãnh đạo"], vi:')
    copy = tmp_path / "codebook.yaml"
    copy.write_text(text, encoding="utf-8")
    cb = load_codebook(copy)
    assert export_expected(cb).matcher.match("SỰ QUAN TÂM của lãnh đạo") == "D01_1"
    assert export_expected(codebook).matcher.match("Sự quan tâm của lãnh đạo") is None


def test_classify_by_columns(tmp_path, codebook):
    assert classify(ROSTER, codebook) == "roster"
    assert classify(EXPORT, codebook) == "responses"
    notes = write_csv(tmp_path / "notes.csv", [["Ghi chú"], ["x"]])
    assert classify(notes, codebook) in ("roster", "responses")  # then its reader says why


def test_txt_that_is_not_unicode_text_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(InputError, match="Unicode Text"):
        read_table(tmp_path / "notes.txt")


def test_binary_files_are_named_for_what_they_are(tmp_path):
    cases = {b"\xd0\xcf\x11\xe0rest": "old Excel", b"PK\x03\x04rest": ".xlsx",
             b"%PDF-1.7": "PDF", b"a,b\n\x00\x01,\x02\n": "binary"}
    for i, (data, word) in enumerate(cases.items()):
        with pytest.raises(InputError, match="not a table of text") as err:
            read_table(write_bytes(tmp_path / f"f{i}.csv", data))
        assert word in str(err.value)


def test_a_tone_mark_with_no_letter_before_it_does_not_break_matching():
    # a stray combining mark after a space (pasted text) is kept, not a crash
    from hailong.ingest.readers import normalize_text

    assert normalize_text("a \u0301") == "a \u0301"
    assert normalize_text("Hoa\u0300 \u0301 binh") == "hoà \u0301 binh"
