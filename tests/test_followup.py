"""The follow-up lists: an INTERNAL workbook and HTML page, kept away from the public index.

The small round: Thuỷ Nguyên (311) has 3 cooperatives (T1 answered), Hồng Bàng (303)
has 2 (none answered), Bạch Long Vĩ (318) 1 (answered); no other district has any. One
submission could not be matched by name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest

from hailong.core.errors import ConfigError
from hailong.numbers.coverage import ProgressData, first_answers
from hailong.publish import followup
from hailong.reference.codebook import load_codebook
from hailong.reference.config import load_config
from hailong.run.build import build, plan

MARK = "NỘI BỘ — không phát hành"
TEST_NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"
HEADERS = ["Mã HTX", "Tên HTX", "Xã, phường, thị trấn", "Ngành nghề", "Giám đốc",
           "Điện thoại", "Zalo", "Email", "Số ngày từ khi mở khảo sát", "Ngày đến làm việc",
           "Kết quả", "Ghi chú"]


def small_data() -> ProgressData:
    from hailong.reference.geography import load_units

    cfg = load_config()
    rnd = dataclasses.replace(cfg.round(2022), opened=dt.date(2023, 2, 15),
                              deadline=dt.date(2023, 5, 19), target=1.0)
    coops = [  # id, name, district, commune, director
        ("T1", "HTX Nông nghiệp Lập Lễ", "311", "11551", "Nguyễn Văn Hùng"),
        ("T2", "=HYPERLINK(\"http://x\",\"y\")", "311", "11551", "Trần Thị Lan"),
        ("T3", "HTX <b>Thủy sản</b> Phả Lễ", "311", "", "Lê Văn Nam"),
        ("H1", "HTX Vận tải Hạ Lý", "303", "", "Phạm Văn Sơn"),
        ("H2", "HTX Môi trường Quán Toan", "303", "", "Vũ Thị Mai"),
        ("B1", "HTX Thủy sản Bạch Long Vĩ", "318", "", "Đỗ Văn Long"),
    ]
    roster = pd.DataFrame([{
        "coop_id": c, "coop_name": n, "district_code": d, "commune_code": k,
        "sector": "thuy_san", "variant": "NN", "member": True, "director_name": p,
        "phone": "0900 123 456", "zalo": "0900 123 456", "email": f"{c.lower()}@example.com"}
        for c, n, d, k, p in coops])
    subs = pd.DataFrame({"coop_id": ["T1", "B1"],
                         "submitted_at": [pd.Timestamp(2023, 3, 1, 9), pd.Timestamp(2023, 5, 2)]})
    unresolved = pd.DataFrame([{
        "source_file": "/data/raw/responses.csv", "source_row": 17,
        "submitted_at": "12/05/2023 10:00:00", "written_id": "", "coop_name": "HTX Không Rõ",
        "district_code": "", "respondent_name": "Ngô Văn Tú", "respondent_phone": "0900 999 888",
        "scope": "city", "reason": "no match", "candidates": ""}])
    return ProgressData(config=cfg, round=rnd, codebook=load_codebook(rnd.codebook),
                        units=load_units(rnd.units, rnd.geography_date), roster=roster,
                        answers=first_answers(subs), submissions=subs, unresolved=unresolved)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return followup.write_internal(small_data(), "2023-05-16", out=out), out


@pytest.fixture(scope="module")
def workbook(written):
    return openpyxl.load_workbook(written[0]["xlsx"])


def test_outputs_go_under_internal_with_the_day_in_their_name(written):
    paths, out = written
    assert paths["xlsx"] == out / "2022" / "internal" / "followup-2023-05-16.xlsx"
    assert paths["html"] == out / "2022" / "internal" / "followup-2023-05-16.html"
    assert sorted(p.name for p in (out / "2022").iterdir()) == ["internal"]


def test_one_sheet_per_district_with_cooperatives(workbook):
    assert workbook.sheetnames == ["Tổng hợp", "Hồng Bàng", "Thuỷ Nguyên", "Bạch Long Vĩ",
                                   "Phiếu chưa xác định HTX"]


def rows(ws) -> list[tuple]:
    return [r for r in ws.iter_rows(min_row=4, values_only=True) if any(v is not None for v in r)]


def test_each_sheet_lists_the_districts_non_respondents(workbook):
    thuy = workbook["Thuỷ Nguyên"]
    assert [c.value for c in thuy[3]] == HEADERS
    listed = rows(thuy)
    assert [r[0] for r in listed] == ["T3", "T2"]          # commune "" first, then Lập Lễ
    t3 = listed[0]
    assert t3[1] == "HTX <b>Thủy sản</b> Phả Lễ" and t3[3] == "Thủy sản"
    assert t3[4:8] == ("Lê Văn Nam", "0900 123 456", "0900 123 456", "t3@example.com")
    assert t3[8] == 90                                      # 15/02 -> 16/05/2023
    assert t3[9:] == (None, None, None)                     # for the working group
    assert listed[1][2] == "Lập Lễ"
    assert len(rows(workbook["Hồng Bàng"])) == 2
    assert rows(workbook["Bạch Long Vĩ"]) == []
    assert "Tất cả HTX đã trả lời" in workbook["Bạch Long Vĩ"]["A2"].value


def test_a_name_that_looks_like_a_formula_stays_text(workbook):
    cell = [r for r in rows(workbook["Thuỷ Nguyên"]) if r[0] == "T2"][0][1]
    assert cell.startswith("'=HYPERLINK(")


def test_sheets_are_marked_frozen_and_print_on_a4_landscape(workbook):
    for ws in workbook.worksheets:
        assert ws["A1"].value.startswith(MARK), ws.title
        assert ws.oddHeader.center.text == MARK
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9              # A4
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$3:$3"
    assert workbook["Thuỷ Nguyên"].freeze_panes == "C4"
    widths = workbook["Thuỷ Nguyên"].column_dimensions
    assert widths["B"].width > widths["A"].width               # sized to the names
    assert widths["J"].width >= 20                              # room to write a date


def test_summary_and_unresolved_sheets(workbook):
    summary = {r[0]: r for r in rows(workbook["Tổng hợp"])}
    assert summary["Thuỷ Nguyên"][1:5] == (3, 1, 2, "33,3%")
    assert summary["Toàn thành phố"][1:5] == (6, 2, 4, "33,3%")
    (entry,) = rows(workbook["Phiếu chưa xác định HTX"])
    assert entry[0] == "responses.csv, 17" and entry[3] == "HTX Không Rõ"
    assert entry[-1] == "Tên không khớp HTX nào trong danh sách"


def test_html_page_is_marked_escaped_and_self_contained(written):
    page = written[0]["html"].read_text(encoding="utf-8")
    title = page[page.index("<title>") + 7:page.index("</title>")]
    assert title.startswith(MARK)
    body = page[page.index("<body>"):]
    assert re.sub(r"<[^>]+>", "", body).lstrip().startswith(MARK)   # first thing on the page
    assert "HTX &lt;b&gt;Thủy sản&lt;/b&gt; Phả Lễ" in page and "<b>Thủy" not in page
    assert "<script" not in page and "<link" not in page and 'src="http' not in page
    assert "Trần Thị Lan" in page and "Ngày đến làm việc" in page
    # summary, Hồng Bàng, Thuỷ Nguyên, the submission to resolve (Bạch Long Vĩ: none left)
    assert page.count("<table>") == 4


# --------------------------------------------------------------------------- in the build

def test_plan_adds_the_progress_report_when_everything_is_built(tmp_path):
    jobs = plan(load_config(), 2022, out=tmp_path)
    job = jobs[-1]
    assert (job.unit, job.kind, job.notebook.name) == ("progress", "progress", "progress.ipynb")
    assert job.html == tmp_path / "2022" / "progress.html"
    assert "unit" not in job.parameters and job.parameters["round_year"] == 2022
    assert job.name == "Tiến độ khảo sát"
    assert [j.unit for j in plan(load_config(), 2022, units=["progress"], out=tmp_path)] == [
        "progress"]
    assert "progress" not in [j.unit for j in plan(load_config(), 2022, units=["311"])]


def test_progress_notebook_is_required_only_when_asked_for(tmp_path):
    assert "progress" not in [j.unit for j in plan(load_config(), notebooks=TEST_NOTEBOOKS)]
    with pytest.raises(ConfigError, match="does not exist"):
        plan(load_config(), units=["progress"], notebooks=TEST_NOTEBOOKS)


class Prepare:
    meta = {"data_date": "2023-05-19"}

    def __call__(self, **kwargs):
        return self


def test_build_writes_the_lists_once_and_the_index_never_links_them(tmp_path):
    folder = tmp_path / "notebooks"
    shutil.copytree(TEST_NOTEBOOKS, folder)
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('as_of = None\nround_year = 2022\nlang = "vi"\n'
                                  'config_path = None'),
        nbformat.v4.new_code_cell("from IPython.display import Markdown, display\n"
                                  'display(Markdown("## Tiến độ khảo sát"))')])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata = nbformat.read(str(folder / "citywide.ipynb"), as_version=4).metadata
    nbformat.write(nb, str(folder / "progress.ipynb"))
    summary = build(units=["progress"], out=tmp_path / "out", prepare=Prepare(),
                    notebooks=folder, progress=False)
    out = summary.out_dir
    assert [j.unit for j in summary.built] == ["progress"] and summary.failures == []
    internal = sorted(p.name for p in (out / "internal").iterdir())
    assert internal == ["followup-2023-05-19.html", "followup-2023-05-19.xlsx"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="([^"]+)"', index).count("progress.html") == 1
    assert "internal" not in index and "followup" not in index and MARK not in index
    assert MARK not in (out / "progress.html").read_text(encoding="utf-8")
