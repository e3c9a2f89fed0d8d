"""Open data: the published tables as CSV and JSON read back as published, withheld cells
empty, figures at the precision the reports print, and a data dictionary of the
questionnaire."""

from __future__ import annotations

import json
import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from hailong.numbers.pipeline import load_results
from hailong.publish import opendata
from hailong.publish.workbook import printed_value, tables
from hailong.reference.codebook import load_codebook
from hailong.reference.config import load_config


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    results = load_results(2022)
    codebook = load_codebook(load_config().round(2022).codebook)
    out = tmp_path_factory.mktemp("open")
    files = opendata.write_open_data(results, codebook, out)
    return results, codebook, out / "data", files


def _printed(value: float, kind: str) -> float:
    """What the reports print, worked out here: half away from zero on the decimal value
    (a share as a percentage with one decimal, kept 0–1)."""
    if kind in ("percent", "share"):
        pct = Decimal(repr(value * 100)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return float(pct) / 100
    places = {"count": "1", "index": "0.1", "mean": "0.01"}[kind]
    return float(Decimal(repr(value)).quantize(Decimal(places), ROUND_HALF_UP))


def test_every_table_reads_back_as_published_with_withheld_cells_empty(written):
    results, _, folder, _ = written
    for sheet in tables(results):
        path = folder / f"{opendata.slug(sheet.name)}.csv"
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")                 # UTF-8 with BOM, for Excel
        back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert list(back.columns) == list(sheet.frame.columns)
        assert len(back) == len(sheet.frame)
        for column in sheet.frame.columns:
            for found, value in zip(back[column], sheet.frame[column]):
                if column in sheet.kinds:
                    if value is None or (isinstance(value, float) and math.isnan(value)):
                        assert found == "", (sheet.name, column)     # withheld: empty
                    else:
                        expected = _printed(float(value), sheet.kinds[column])
                        assert float(found) == pytest.approx(expected, abs=1e-12), \
                            (sheet.name, column, value, found)
                else:
                    assert found == ("" if value is None else str(value))


def test_withheld_units_have_no_figure_in_the_summary(written):
    results, _, folder, _ = written
    summary = pd.read_csv(folder / "tong-hop.csv", encoding="utf-8-sig", dtype=str,
                          keep_default_na=False).set_index("Mã")
    index = results.scores[results.scores["measure"] == "INDEX"].set_index("unit")
    withheld = [u for u in index.index if u != "city" and bool(index.at[u, "suppressed"])]
    assert withheld == ["308", "318"]                    # the sample's withheld districts
    for unit in withheld:
        assert summary.at[unit, "Chỉ số (0–100)"] == ""
        assert summary.at[unit, "Tỷ lệ câu trả lời hài lòng"] == ""
    # a published one, as the report prints it: Thuỷ Nguyên's index
    assert summary.at["311", "Chỉ số (0–100)"] == format(
        _printed(float(index.at["311", "index"]), "index"), "g")


def test_the_json_file_holds_every_table_and_the_dictionary(written):
    results, codebook, folder, files = written
    assert files[0].name == "bang-so-lieu-2022.json"
    document = json.loads(files[0].read_text(encoding="utf-8"))
    assert document["round"] == 2022 and document["min_n"] == 5
    names = [opendata.slug(s.name) for s in tables(results)]
    assert list(document["tables"]) == names
    for name in names:
        csv = pd.read_csv(folder / f"{name}.csv", encoding="utf-8-sig", dtype=str,
                          keep_default_na=False)
        rows = document["tables"][name]["rows"]
        assert len(rows) == len(csv)
        for json_row, csv_row in zip(rows, csv.itertuples(index=False)):
            for a, b in zip(json_row, csv_row):
                assert (a is None and b == "") or (a is not None and
                                                   (str(a) == b or float(a) == float(b)))
    asked = len(codebook.items) + 1 + len(codebook.open_questions)
    assert len(document["dictionary"]["rows"]) == asked


def test_the_data_dictionary_describes_every_question(written):
    _, codebook, folder, _ = written
    terms = pd.read_csv(folder / "tu-dien-du-lieu.csv", encoding="utf-8-sig", dtype=str,
                        keep_default_na=False).set_index("ma_cau_hoi")
    item = codebook.items[0]
    row = terms.loc[item.id]
    assert row["so_cau"] == item.number and row["noi_dung_vi"] == item.vi
    assert row["noi_dung_en"] == item.en and row["loai"] == "item"
    assert row["thang_tra_loi"].startswith("1 = ") and "5 = " in row["thang_tra_loi"]
    assert terms.loc["OVERALL", "loai"] == "overall"
    for q in codebook.open_questions:
        assert terms.loc[q.id, "loai"] == "open" and terms.loc[q.id, "thang_tra_loi"] == ""
    # who is asked: an item asked of one variant only names that variant
    only = [i for i in codebook.items if len(i.variants) == 1]
    if only:
        label = codebook.variants[only[0].variants[0]]["vi"]
        assert terms.loc[only[0].id, "doi_tuong_tra_loi"] == label


def test_printed_value_rounds_half_away_from_zero():
    assert printed_value(71.25, "index") == 71.3      # not Python's 71.2
    assert printed_value(0.78549, "percent") == 0.785
    assert printed_value(0.78550, "percent") == 0.786
    assert printed_value(3.14159, "mean") == 3.14
    assert math.isnan(printed_value(float("nan"), "index"))
    assert opendata.slug("Chỉ số theo lĩnh vực") == "chi-so-theo-linh-vuc"


def test_the_tables_are_made_once_and_shared_as_copies():
    import copy

    results = load_results(2022)
    first, again = tables(results), tables(results)
    assert [s.name for s in first] == [s.name for s in again]
    assert first[0].frame is not again[0].frame            # each caller gets its own copy
    first[0].frame.iloc[0, 0] = "changed"
    assert tables(results)[0].frame.iloc[0, 0] != "changed"
    other = copy.copy(results)                              # a copy with other figures
    other.scores = results.scores.assign(index=results.scores["index"] + 1)
    row = lambda t: t[0].frame.set_index("Mã").at["311", "Chỉ số (0–100)"]  # noqa: E731
    assert row(tables(other)) == pytest.approx(row(tables(results)) + 1, abs=0.051)
