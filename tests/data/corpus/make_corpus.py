"""Write the corpus of awkward and broken input files that tests/test_corpus.py reads.

Run from the project folder (the outputs are committed; tests never regenerate them):

    .venv/bin/python tests/data/corpus/make_corpus.py

What each file must give is written by hand in ``cases.yaml`` beside this script, not
derived from what the code does. Files in the legacy encodings are made with
:func:`hailong.ingest.legacy.encode` (the inverse of the conversion tables); every other file
is written with the standard library or openpyxl, the way Excel or a survey tool would.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import yaml

from hailong.ingest import legacy

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CODEBOOK = yaml.safe_load((ROOT / "data/reference/codebook/codebook-v1.yaml")
                          .read_text(encoding="utf-8"))
FIXED_TIME = dt.datetime(2023, 5, 20, 8, 0, 0)

# --------------------------------------------------------------------------- roster

ROSTER_HEADER = ["Mã HTX", "Tên HTX", "Mã quận/huyện", "Mã xã/phường", "Ngành nghề",
                 "Loại hình", "Thành viên Liên minh", "Quy mô", "Năm thành lập", "Giám đốc",
                 "Điện thoại", "Zalo", "Email"]
ROSTER_ROWS = [
    ["HP-0001", "HTX Nông nghiệp Thuỷ Sơn", "311", "11470", "Nông nghiệp", "HTX", "Có",
     "Nhỏ", "2015", "Nguyễn Văn An", "0900 000 001", "0900 000 001", "htx1@example.com"],
    ["HP-0002", "HTX Dịch vụ nghề cá Đồ Sơn", "308", "11455", "Thủy sản", "HTX", "Không",
     "Siêu nhỏ", "2009", "Trần Thị Bình", "0900 000 002", "", ""],
    ["HP-0003", "Quỹ tín dụng nhân dân Quán Toan", "303", "11296", "Quỹ tín dụng nhân dân",
     "QTDND", "Có", "Vừa", "1996", "Lê Văn Cường", "0900 000 003", "", ""],
    ["HP-0004", "HTX Thương mại dịch vụ An Dương", "312", "11581", "Thương mại – dịch vụ",
     "HTX", "x", "Nhỏ", "2018", "Phạm Thị Dung", "0900 000 004", "", ""],
    ["HP-0005", "HTX Môi trường Vĩnh Bảo", "316", "11824", "Môi trường", "HTX", "",
     "Siêu nhỏ", "", "Hoàng Văn Em", "", "", ""],
    ["HP-0006", "HTX Diêm nghiệp Bạch Long", "318", "", "Diêm nghiệp", "HTX", "Có",
     "Siêu nhỏ", "2020", "Đỗ Văn Phong", "", "", ""],
]

# --------------------------------------------------------------------------- export

ITEMS = [(i["id"], i["number"], i["vi"], i.get("variants"))
         for d in CODEBOOK["dimensions"] for i in d["items"]]
OVERALL = CODEBOOK["overall"]
OPEN = CODEBOOK["open_questions"]
FIELDS = ["Dấu thời gian", "Mã HTX", "Tên HTX", "Loại hình", "Họ và tên người trả lời",
          "Số điện thoại"]
EXPORT_HEADER = (FIELDS + [f"{n}. {vi}" for _, n, vi, _ in ITEMS]
                 + [f"{OVERALL['number']}. {OVERALL['vi']}"]
                 + [f"{q['number']}. {q['vi']}" for q in OPEN])

BASE = [
    {"t": "15/03/2023 09:12:00", "id": "HP-0001", "name": "HTX Nông nghiệp Thuỷ Sơn",
     "variant": "HTX nông nghiệp", "who": "Nguyễn Văn An", "phone": "0900 000 001",
     "fill": "Hài lòng", "overall": "Hài lòng",
     "diff": "Thiếu vốn lưu động, khó tiếp cận đất đai",
     "rec": "Đề nghị hỗ trợ vay vốn ưu đãi"},
    {"t": "16/03/2023 10:05:00", "id": "HP-0002", "name": "HTX Dịch vụ nghề cá Đồ Sơn",
     "variant": "HTX nông nghiệp", "who": "Trần Thị Bình", "phone": "0900 000 002",
     "fill": "Rất hài lòng", "overall": "Rất hài lòng", "diff": "Giá bán bấp bênh",
     "rec": ""},
    {"t": "17/03/2023 11:30:00", "id": "HP-0003", "name": "Quỹ tín dụng nhân dân Quán Toan",
     "variant": "Quỹ tín dụng nhân dân", "who": "Lê Văn Cường", "phone": "0900 000 003",
     "fill": "Bình thường", "overall": "Bình thường", "diff": "",
     "rec": "Tăng cường đối thoại với HTX"},
    {"t": "18/03/2023 14:45:00", "id": "HP-0004", "name": "HTX Thương mại dịch vụ An Dương",
     "variant": "HTX phi nông nghiệp", "who": "Phạm Thị Dung", "phone": "0900 000 004",
     "fill": "Không hài lòng", "overall": "Rất không hài lòng",
     "diff": "Thủ tục hành chính còn rườm rà", "rec": "Rút ngắn thời gian giải quyết hồ sơ"},
]
_VARIANT_ID = {"HTX nông nghiệp": "NN", "HTX phi nông nghiệp": "PNN",
               "Quỹ tín dụng nhân dân": "QTD"}


def export_row(r: dict, **answers: str) -> list[str]:
    """One export row: every item asked of the variant gets ``fill`` unless overridden
    (``answers`` by item id; ``OVERALL``, ``DIFFICULTIES``, ``RECOMMENDATIONS`` too)."""
    variant = _VARIANT_ID[r["variant"]]
    cells = [r["t"], r["id"], r["name"], r["variant"], r["who"], r["phone"]]
    for iid, _, _, variants in ITEMS:
        asked = variants is None or variant in variants
        cells.append(answers.get(iid, r["fill"] if asked else ""))
    cells.append(answers.get("OVERALL", r["overall"]))
    cells.append(answers.get("DIFFICULTIES", r["diff"]))
    cells.append(answers.get("RECOMMENDATIONS", r["rec"]))
    return cells


def base_rows() -> list[list[str]]:
    return [export_row(r) for r in BASE]


# --------------------------------------------------------------------------- writers

def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def write_bytes(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def write_csv(name: str, rows: list[list[str]], delimiter: str = ",", bom: bool = False) -> None:
    write_bytes(name, (b"\xef\xbb\xbf" if bom else b"") + csv_text(rows, delimiter).encode())


def cp1258(text: str) -> bytes:
    """Windows-1258 bytes: precomposed where the code page has the letter, otherwise the
    letter without its tone mark followed by the combining tone mark (as Windows does)."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            nfd = unicodedata.normalize("NFD", ch)
            tone = next(c for c in nfd if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", nfd.replace(tone, ""))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def workbook(sheets: list[tuple[str, list[list[object]]]]) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    return wb


def xlsx_bytes(wb: openpyxl.Workbook) -> bytes:
    """The workbook's bytes, the same on every run (fixed times inside and in the zip)."""
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(zipfile.ZipInfo(item.filename, FIXED_TIME.timetuple()[:6]),
                         src.read(item.filename))
    return out.getvalue()


def save(wb: openpyxl.Workbook, name: str) -> None:
    write_bytes(name, xlsx_bytes(wb))


# --------------------------------------------------------------------------- files

def roster_files() -> None:
    rows = [ROSTER_HEADER, *ROSTER_ROWS]
    write_csv("roster.csv", rows)
    dup = [ROSTER_HEADER, *ROSTER_ROWS, ["HP-0002", "HTX Vận tải Đồ Sơn", *ROSTER_ROWS[1][2:]]]
    write_csv("roster-duplicate-id.csv", dup)
    bad = [ROSTER_HEADER, *[list(r) for r in ROSTER_ROWS]]
    bad[3][2], bad[3][3] = "399", ""  # HP-0003 (Excel row 4): no district 399
    write_csv("roster-unknown-district.csv", bad)
    write_csv("roster-missing-column.csv",
              [[c for j, c in enumerate(r) if j != 4] for r in rows])  # no "Ngành nghề"
    # old tone placement and other spellings: "Thuỷ sản", "THÔNG NGHIỆP" ...
    old = [ROSTER_HEADER, *[list(r) for r in ROSTER_ROWS]]
    old[2][4] = "Thuỷ  sản"
    old[1][4] = "NÔNG NGHIỆP"
    old[5][4] = unicodedata.normalize("NFD", "Môi trường")
    write_bytes("roster-semicolon-cp1258.csv", cp1258(csv_text(old, ";")))
    write_bytes("roster-tcvn3.csv", legacy.encode(csv_text(rows), "TCVN3").encode("cp1252"))
    title = [["DANH SÁCH HỢP TÁC XÃ THAM GIA KHẢO SÁT"], [None], ROSTER_HEADER]
    typed = [[int(c) if c.isdigit() and len(c) <= 5 else c for c in r] for r in ROSTER_ROWS]
    save(workbook([("Danh sách", title + typed)]), "roster-header-row3.xlsx")


def encoding_files() -> None:
    rows = [EXPORT_HEADER, *base_rows()]
    write_csv("utf8.csv", rows)
    write_csv("utf8-bom.csv", rows, bom=True)
    write_bytes("utf16-tab.txt", b"\xff\xfe" + csv_text(rows, "\t").encode("utf-16-le"))
    write_bytes("utf16-comma.csv", csv_text(rows).encode("utf-16"))
    write_bytes("cp1258.csv", cp1258(csv_text(rows)))
    write_csv("semicolon.csv", rows, ";")
    write_csv("tab.tsv", rows, "\t")
    write_bytes("tcvn3.csv", legacy.encode(csv_text(rows), "TCVN3").encode("cp1252"))
    write_bytes("vni.csv", legacy.encode(csv_text(rows), "VNI").encode("cp1252"))
    # TCVN3 characters kept in a Unicode (UTF-8) file, as "CSV UTF-8" of a .VnTime sheet
    write_csv("tcvn3-in-utf8.csv", [[legacy.encode(c, "TCVN3") for c in r] for r in rows])
    # a workbook with Unicode headers whose free-text answers were pasted from TCVN3
    mixed = [EXPORT_HEADER, *[r[:-2] + [legacy.encode(c, "TCVN3") for c in r[-2:]]
                              for r in base_rows()]]
    save(workbook([("Câu trả lời", mixed)]), "tcvn3-mixed.xlsx")
    vni = [[legacy.encode(c, "VNI") for c in r] for r in rows]
    save(workbook([("Sheet1", vni)]), "vni.xlsx")
    # text that looks TCVN3 but is damaged: a few words decode, more do not
    unsure = [["D01_1", "Mã HTX", "Dấu thời gian"] + [f"{n}." for _, n, _, _ in ITEMS[1:]]
              + ["12.", "13."]]
    for r in BASE:
        unsure.append(["4", r["id"], r["t"]] + ["4"] * (len(ITEMS) - 1) + ["4",
                      legacy.encode("Thiếu vốn lưu động", "TCVN3") + " Ç×Ð ¸µ¶× ¹»¼Ç"])
    write_csv("legacy-unsure.csv", unsure)


def layout_files() -> None:
    rows = [EXPORT_HEADER, *base_rows()]
    title = [["KẾT QUẢ KHẢO SÁT MỨC ĐỘ HÀI LÒNG CỦA HTX"], ["Trích xuất ngày 20/05/2023"],
             [None]]
    save(workbook([("Kết quả", title + rows)]), "header-row4.xlsx")
    guide = [["Hướng dẫn"], ["Sheet 'Câu trả lời biểu mẫu 1' chứa câu trả lời."]]
    pivot = [["Mã HTX", "Số lần gửi"], *[[r["id"], 1] for r in BASE]]
    save(workbook([("Hướng dẫn", guide), ("Tổng hợp", pivot),
                   ("Câu trả lời biểu mẫu 1", rows)]), "sheets.xlsx")
    later = [EXPORT_HEADER, export_row({**BASE[0], "t": "20/03/2023 08:00:00"})]
    save(workbook([("Đợt 1", rows), ("Đợt 2", later)]), "sheets-ambiguous.xlsx")
    merged_header_file()
    numbers_and_dates_file()


def merged_header_file() -> None:
    """Two header rows: dimension titles merged across their items above item numbers;
    the other headers merged down over both rows (as staff format a summary sheet)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tổng hợp"
    col = 1
    for h in FIELDS:
        ws.cell(1, col, h)
        ws.merge_cells(start_row=1, start_column=col, end_row=2, end_column=col)
        col += 1
    for d in CODEBOOK["dimensions"]:
        ws.cell(1, col, f"{d['id'][1:].lstrip('0')}. {d['vi']}")
        ws.merge_cells(start_row=1, start_column=col, end_row=1,
                       end_column=col + len(d["items"]) - 1)
        for item in d["items"]:
            ws.cell(2, col, item["number"])
            col += 1
    for h in EXPORT_HEADER[-3:]:
        ws.cell(1, col, h)
        ws.merge_cells(start_row=1, start_column=col, end_row=2, end_column=col)
        col += 1
    for r, row in enumerate(base_rows(), start=3):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    save(wb, "merged-header.xlsx")


def numbers_and_dates_file() -> None:
    """Answers as numbers (typed, or numbers stored as text), dates as Excel dates,
    Excel serial numbers and dd/mm/yyyy text."""
    values = {"Rất không hài lòng": 1, "Không hài lòng": 2, "Bình thường": 3,
              "Hài lòng": 4, "Rất hài lòng": 5}
    rows = [EXPORT_HEADER]
    times = [dt.datetime(2023, 3, 15, 9, 12), 45001.5, "17/03/2023", "18-03-2023 14:45"]
    for r, when in zip(BASE, times):
        row = export_row(r)
        row[0] = when
        out = []
        for j, c in enumerate(row):
            if 6 <= j < len(row) - 2 and c in values:
                # odd columns as numbers, even ones as numbers stored as text
                out.append(values[c] if j % 2 else f" {values[c]} ")
            else:
                out.append(c)
        rows.append(out)
    save(workbook([("Sheet1", rows)]), "numbers-dates.xlsx")


def header_and_answer_files() -> None:
    header = list(EXPORT_HEADER)
    at = {h.split(" ")[0]: i for i, h in enumerate(header)}
    header[at["1.1."]] = "Câu 1.1: " + ITEMS[0][2]                        # "Câu 1.1:"
    header[at["1.2."]] = ITEMS[1][2].upper()                               # text only
    header[at["1.3."]] = f"Đánh giá về lãnh đạo [{ITEMS[2][2]}]"           # Google grid
    header[at["2.1."]] = "D02_1"                                           # the id
    header[at["2.2."]] = "2.2) " + ITEMS[4][2]                             # "2.2)"
    header[at["9.1."]] = header[at["9.1."]].replace("thủy lợi", "thuỷ lợi")  # old tone
    header[at["12."]] = unicodedata.normalize("NFD", header[at["12."]])   # NFD
    rows = [header, *base_rows()]
    rows = [r + ["x"] for r in rows]
    rows[0][-1] = "Ghi chú"
    order = list(reversed(range(len(header) + 1)))                          # any order
    rows = [[r[j] for j in order] for r in rows]
    rows[0].insert(3, "Email người trả lời")
    for r in rows[1:]:
        r.insert(3, "")
    write_csv("headers-variants.csv", rows)

    r1, r2, r3, r4 = BASE
    answers = [
        export_row(r1, D01_1="  RẤT   HÀI LÒNG ", D01_2=unicodedata.normalize("NFD", "Hài lòng"),
                   D01_3="hài lòng", D02_1="4", D02_2="4.0", D02_3="4,0", D03_1=" 5 ",
                   D03_2="4 - Hài lòng", D03_3="Hài lòng (4)", D04_1="Không ý kiến",
                   D04_2="Không áp dụng", D04_3="", D05_1="không ý KIẾN"),
        export_row(r2, D01_1="Very satisfied", D01_2="1", D01_3="RẤT KHÔNG HÀI LÒNG"),
        export_row(r3),
        export_row(r4, D01_1="5 - Hài lòng"),  # number and label disagree
    ]
    write_csv("answers-variants.csv", [EXPORT_HEADER, *answers])


def mistake_files() -> None:
    rows = base_rows()
    write_bytes("empty.csv", b"")
    write_csv("blank.csv", [["", "", ""], ["", "", ""]])
    write_csv("header-only.csv", [EXPORT_HEADER])
    write_bytes("not-a-table.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n")
    book = xlsx_bytes(workbook([("Sheet1", [EXPORT_HEADER, *rows])]))
    write_bytes("xlsx-named-csv.csv", book)
    write_bytes("broken.xlsx", book[:1500])
    write_csv("roster-given-as-export.csv", [ROSTER_HEADER, *ROSTER_ROWS])
    j = EXPORT_HEADER.index("Mã HTX")
    write_csv("missing-column.csv", [[c for i, c in enumerate(r) if i != j]
                                     for r in [EXPORT_HEADER, *rows]])
    unknown = rows[:3] + [export_row({**BASE[3], "id": "HP-9999",
                                      "name": "HTX Không có trong danh sách"})]
    write_csv("unknown-coop.csv", [EXPORT_HEADER, *unknown])
    write_csv("out-of-scale.csv", [EXPORT_HEADER, export_row(BASE[0], D01_1="Hài lòng lắm"),
                                   export_row(BASE[1], D03_1="7"), *rows[2:]])
    times = ["31/02/2023 10:00:00", "03/15/2023 10:05:00", "17/03/2099 11:30:00", "hôm qua"]
    write_csv("impossible-date.csv",
              [EXPORT_HEADER, *(export_row({**r, "t": t}) for r, t in zip(BASE, times))])
    diff = export_row({**BASE[0], "t": "20/03/2023 08:00:00"}, D01_1="Rất hài lòng",
                      D05_2="Không hài lòng")
    write_csv("duplicate-different.csv", [EXPORT_HEADER, *rows, diff])
    # the same answers, one written as its number ("5" = "Rất hài lòng")
    same = export_row({**BASE[1], "t": "21/03/2023 08:00:00"}, D01_1="5")
    write_csv("duplicate-same.csv", [EXPORT_HEADER, *rows, same])
    write_csv("dup-a.csv", [EXPORT_HEADER, rows[0], rows[1]])
    write_csv("dup-b.csv", [EXPORT_HEADER, diff, rows[2]])
    nasty = [
        export_row(BASE[0], DIFFICULTIES="<script>alert('x')</script>",
                   RECOMMENDATIONS='<img src=x onerror="alert(1)"> '
                                   '<a href="http://evil.example">bấm</a>'),
        export_row(BASE[1], DIFFICULTIES="**Vốn** vay [bấm vào đây](http://evil.example) `code`",
                   RECOMMENDATIONS="# Tiêu đề giả"),
        export_row(BASE[2], DIFFICULTIES='=HYPERLINK("http://evil.example","Bấm vào đây")',
                   RECOMMENDATIONS="+84 900 000 000; -1; @SUM(A1)"),
        export_row({**BASE[3], "id": '=HYPERLINK("http://evil.example","HP-0004")', "name": ""}),
    ]
    write_csv("injection.csv", [EXPORT_HEADER, *nasty])


def issue14_files() -> None:
    """Issue 14: one wrong answer, 0 written for "no opinion", a very long comment, a
    folder given as the export, KoboToolbox exports, a formula without a saved result."""
    r1, r2, r3, r4 = BASE
    one = [export_row(r1), export_row(r2, D02_1="năm"), export_row(r3), export_row(r4)]
    write_csv("one-bad-cell.csv", [EXPORT_HEADER, *one])
    zeros = {"D04_1": "0", "D04_2": "0", "D04_3": "0"}
    write_csv("zero-no-opinion.csv", [EXPORT_HEADER, *(export_row(r, **zeros) for r in BASE)])
    sentence = "Thiếu vốn lưu động, khó tiếp cận đất đai. "
    long = (sentence * (LONG_COMMENT // len(sentence) + 1))[:LONG_COMMENT]
    write_csv("long-comment.csv", [EXPORT_HEADER, export_row(r1, DIFFICULTIES=long),
                                   *base_rows()[1:]])
    folder = HERE / "export-folder"
    folder.mkdir(exist_ok=True)
    write_csv("export-folder/responses.csv", [EXPORT_HEADER, *base_rows()])
    kobo_files()
    formula = workbook([("Sheet1", [EXPORT_HEADER, *base_rows()])])
    formula["Sheet1"]["H2"] = "=2*2"  # 1.2 of HP-0001: openpyxl saves no result
    save(formula, "formula-no-value.xlsx")


#: Characters of the long comment (more than the 131,072 Python's csv accepts by default).
LONG_COMMENT = 200_000
#: Answers as a KoboToolbox form names its choices (XML names).
KOBO_CHOICES = {"Rất không hài lòng": "rat_khong_hai_long", "Không hài lòng": "khong_hai_long",
                "Bình thường": "binh_thuong", "Hài lòng": "hai_long",
                "Rất hài lòng": "rat_hai_long", "": ""}
#: UTC times of the four submissions (BASE's times in Vietnam time, UTC+7).
KOBO_UTC = ["2023-03-15T02:12:00", "2023-03-16T03:05:00", "2023-03-17T04:30:00",
            "2023-03-18T07:45:00"]


def kobo_files() -> None:
    """KoboToolbox exports of the same four submissions: CSV with XML names (group paths,
    choice names, ';'-separated as Kobo writes it) and XLSX with labels (group labels)."""
    meta_head = ["start", "end"]
    meta_tail = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes",
                 "_status", "_submitted_by", "__version__", "_tags", "_index"]
    dims = {i["id"]: d for d in CODEBOOK["dimensions"] for i in d["items"]}
    xml = (meta_head + ["thong_tin/ma_htx", "thong_tin/ten_htx", "thong_tin/nguoi_tra_loi"]
           + [f"grp_{dims[iid]['id'].lower()}/{iid}" for iid, _, _, _ in ITEMS]
           + ["danh_gia_chung/OVERALL", "y_kien/DIFFICULTIES", "y_kien/RECOMMENDATIONS"]
           + meta_tail)
    labels = (meta_head + ["Thông tin HTX/Mã HTX", "Thông tin HTX/Tên HTX",
                           "Thông tin HTX/Họ và tên người trả lời"]
              + [f"{dims[iid]['vi']}/{n}. {vi}" for iid, n, vi, _ in ITEMS]
              + [f"Đánh giá chung/{OVERALL['number']}. {OVERALL['vi']}"]
              + [f"Ý kiến/{q['number']}. {q['vi']}" for q in OPEN] + meta_tail)
    xml_rows, label_rows = [xml], [labels]
    for k, (r, utc) in enumerate(zip(BASE, KOBO_UTC)):
        row = export_row(r)
        answers = row[6:6 + len(ITEMS) + 1]
        head = [utc.replace("T", " ")[:-3], utc.replace("T", " ")[:-3]]
        tail = [str(1000 + k), f"8f2c1e7a-0000-4000-8000-00000000000{k}", utc, "", "",
                "submitted_via_web", "", "vQ2023", "", str(k + 1)]
        who = [r["id"], r["name"], r["who"]]
        xml_rows.append(head + who + [KOBO_CHOICES[a] for a in answers] + row[-2:] + tail)
        label_rows.append(head + who + answers + row[-2:] + tail)
    write_csv("kobo-xml-names.csv", xml_rows, ";")
    save(workbook([("Khảo sát HTX", label_rows)]), "kobo-labels.xlsx")


def main() -> None:
    roster_files()
    encoding_files()
    layout_files()
    header_and_answer_files()
    mistake_files()
    issue14_files()


if __name__ == "__main__":
    main()
