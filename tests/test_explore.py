"""The analyst's workflow: cross-tabs with suppression, tables that display themselves, the
starter notebook run end to end."""

from __future__ import annotations

import json
import math
import re

import nbformat
import pandas as pd
import papermill as pm
import pytest

from hailong.core.errors import ParameterError
from hailong.present import explore
from hailong.present.display import Table
from hailong.reference.config import PROJECT_ROOT

NOTEBOOK = PROJECT_ROOT / "notebooks" / "explore" / "explore.ipynb"


@pytest.fixture
def frame():
    """Seven respondents: sector A five (D08 4, 4, 4, 5, 3), sector B two (2, 2);
    members: the first three of A and the first of B."""
    return pd.DataFrame({
        "unit": ["311"] * 5 + ["303"] * 2,
        "sector_name": ["A"] * 5 + ["B"] * 2,
        "member": [True, True, True, False, False, True, False],
        "D08": [4, 4, 4, 5, 3, 2, 2],
    })


def test_crosstab_gives_the_index_with_counts_and_withholds_small_groups(frame):
    t = explore.crosstab(frame, "sector_name", measure="D08", meta={"min_n": 5})
    # A: mean 4 -> (4 - 1) / 4 * 100 = 75; B: 2 answers (withheld); all 7: mean 24/7
    assert t.values.loc["A", "D08"] == pytest.approx(75.0)
    assert t.n.loc["B", "D08"] == 2 and math.isnan(t.frame.loc["B", "D08"])
    assert t.frame.loc["Tất cả", "D08"] == pytest.approx((24 / 7 - 1) / 4 * 100)
    assert t.text().loc["A", "D08"] == "75,0" and t.text().loc["B", "D08"] == "—"


def test_crosstab_by_two_groupings_with_totals(frame):
    t = explore.crosstab(frame, "sector_name", columns="member", measure="D08", meta={"min_n": 1})
    assert t.values.loc["A", "Thành viên"] == pytest.approx(75.0)          # 4, 4, 4
    assert t.values.loc["A", "Chưa là thành viên"] == pytest.approx(75.0)  # 5, 3
    assert t.values.loc["B", "Chưa là thành viên"] == pytest.approx(25.0)  # 2
    assert t.n.loc["Tất cả", "Thành viên"] == 4
    assert t.values.loc["Tất cả", "Tất cả"] == pytest.approx((24 / 7 - 1) / 4 * 100)
    mean = explore.crosstab(frame, "sector_name", measure="D08", stat="mean", meta={"min_n": 1})
    assert mean.values.loc["B", "D08"] == pytest.approx(2.0)


def test_select_and_bad_columns(frame):
    assert len(explore.select(frame, unit="311", member=True)) == 3
    assert len(explore.select(frame, unit=["311", "303"])) == 7
    with pytest.raises(ParameterError) as info:
        explore.crosstab(frame, "district", measure="D08")
    assert info.value.found == ["district"]
    with pytest.raises(ParameterError, match="Unknown statistic"):
        explore.crosstab(frame, "unit", measure="D08", stat="median")


def test_compare_puts_rounds_side_by_side_with_the_change(frame):
    later = frame.assign(D08=[5, 5, 5, 5, 5, 3, 3])
    t = explore.compare({2021: frame, 2022: later}, rows="sector_name", measure="D08")
    assert list(t.values.columns) == ["2021", "2022", "Thay đổi"]
    assert t.values.loc["A", "Thay đổi"] == pytest.approx(100.0 - 75.0)
    assert math.isnan(t.values.loc["B", "Thay đổi"])        # withheld in both rounds
    assert t.text().loc["A", "Thay đổi"] == "+25,0"


def test_a_table_shows_itself_as_html_with_marks_and_units():
    t = Table(pd.DataFrame({"2022": [76.14, 80.0]}, index=["Nông nghiệp", "Vận tải"]),
              n=pd.DataFrame({"2022": [50, 3]}, index=["Nông nghiệp", "Vận tải"]),
              title="Thuỷ Nguyên")
    html = t._repr_html_()
    assert "76,1" in html and "80,0" not in html and "—" in html
    assert "Chỉ số hài lòng (0–100)" in html and "n = 50" in html
    assert "dưới 5 HTX trả lời" in html
    assert "Thuỷ Nguyên" in repr(t)


# --- the starter notebook ---------------------------------------------------------------

def test_the_notebook_is_stored_clean_and_asks_for_the_projects_kernel():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert "parameters" in code[0]["metadata"]["tags"]
    assert nb["metadata"]["kernelspec"]["name"] == "hailong"
    setup = (PROJECT_ROOT / "scripts" / "setup-env.sh").read_text(encoding="utf-8")
    assert "ipykernel install --sys-prefix --name hailong" in setup
    assert re.search(r"^lab: .*\n\t.*jupyter lab", (PROJECT_ROOT / "Makefile").read_text(),
                     re.M)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    out = tmp_path_factory.mktemp("explore") / "explore.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), kernel_name="python3", progress_bar=False,
                        cwd=str(NOTEBOOK.parent), parameters={"round_year": 2022})
    return nbformat.read(str(out), as_version=4)


def _outputs(nb) -> str:
    parts = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            data = o.get("data", {})
            parts.append(data.get("text/markdown") or data.get("text/html")
                         or data.get("text/plain") or o.get("text", ""))
    return "\n".join(parts)


def test_the_notebook_runs_and_answers_the_thuy_nguyen_land_question(executed):
    text = _outputs(executed)
    assert "Kém hài lòng nhất về đất đai, mặt bằng sản xuất (2022)" in text
    assert "so với 2021" in text
    assert "image/png" in json.dumps([o for c in executed.cells for o in c.get("outputs", [])])
    assert "Traceback" not in text


def test_papermill_lists_every_parameter_of_the_notebook_with_its_meaning():
    params = {p["name"]: p for p in pm.inspect_notebook(str(NOTEBOOK)).values()}
    assert list(params) == ["round_year", "config_path", "unit", "measure"]
    assert all(p["help"] for p in params.values())
    assert "Thuỷ Nguyên" in params["unit"]["help"]


def test_lowest_leaves_out_the_total_and_withheld_rows_and_keeps_ties():
    index = ["CN", "NN", "TM", "VT", "Tất cả"]
    t = Table(pd.DataFrame({"2022": [62.5, 66.1, 62.5, 40.0, 65.6]}, index=index),
              n=pd.DataFrame({"2022": [5, 50, 6, 2, 63]}, index=index))
    assert explore.lowest(t, "2022") == ["CN", "TM"]   # VT (40,0) rests on 2 answers


def test_results_show_briefly_in_a_notebook():
    # an analyst who types `res` sees a one-line summary, and in JupyterLab the index of
    # every unit with withheld ones as "—", not thousands of rows of every table
    from hailong.numbers.pipeline import load_results

    res = load_results(2022)
    text = repr(res)
    assert len(text) < 300 and "\n" not in text
    assert "round 2022: 15 units of level district and the city" in text
    assert f"{len(res.respondents)} respondents" in text and "min_n 5" in text
    html = res._repr_html_()
    index = res.scores[res.scores["measure"] == "INDEX"].set_index("unit")
    shown = f"{index.loc['311', 'index']:.1f}".replace(".", ",")
    assert "Thuỷ Nguyên" in html and shown in html
    assert index.loc["318", "suppressed"] and "Bạch Long Vĩ" in html and "—" in html
