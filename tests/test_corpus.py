"""The corpus of inputs as they really arrive (tests/data/corpus/, see cases.yaml there).

Every case is checked twice: as ``hailong validate`` checks it (:func:`check_files`) and
as the build reads it (ingest + validate, what :func:`hailong.numbers.pipeline.validate_round`
does). Both must give the exit status, row accounting and values written by hand in
cases.yaml; no corpus file may change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import math
import os
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from hailong.cli import main
from hailong.core.errors import InputError
from hailong.ingest import readers as ingest
from hailong.ingest import validate
from hailong.ingest.quality import check_files, read_data_quality, write_data_quality
from hailong.reference.codebook import load_codebook
from hailong.reference.config import PROJECT_ROOT
from hailong.reference.geography import load_units

CORPUS = Path(__file__).parent / "data" / "corpus"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))["cases"]
ROSTER = CORPUS / "roster.csv"
REF = PROJECT_ROOT / "data" / "reference"


def _hashes() -> dict[str, str]:
    return {p.relative_to(CORPUS).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(CORPUS.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


#: Taken when the module is collected, before any test reads a file.
BEFORE = _hashes()


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(REF / "codebook" / "codebook-v1.yaml")


@pytest.fixture(scope="module")
def units():
    return load_units(REF / "units-2022.csv", on=dt.date(2022, 10, 1))


def paths(case: dict) -> list[Path]:
    return [CORPUS / f for f in case["files"]]


def validate_as_command(case: dict, codebook, units):
    """``hailong validate`` on the case: (report, everything it prints)."""
    if case["kind"] == "roster":
        report = check_files([], codebook, units, roster=paths(case)[0], sheet=case.get("sheet"))
    else:
        report = check_files([], codebook, units, roster=ROSTER, responses=paths(case),
                             sheet=case.get("sheet"))
    warnings = report.validated.warnings if report.validated is not None else []
    text = "\n".join(report.summary() + report.problems() + warnings + [report.verdict()])
    return report, text


def read_as_build(case: dict, codebook, units):
    """What the build does with the case: (exit status, Validated or roster, message)."""
    try:
        if case["kind"] == "roster":
            raw = ingest.read_roster(paths(case)[0], sheet=case.get("sheet"))
            return 0, validate.validate_roster(raw, codebook, units), ""
        raw = ingest.read_responses(paths(case), codebook, sheet=case.get("sheet"))
        v = validate.validate_round(ingest.read_roster(ROSTER), raw, codebook, units)
    except InputError as err:
        return 2, None, str(err)
    lost = v.counts()["set_aside"] or v.answer_counts["set_aside"] or 0 in [
        n for f, n in v.rows_read.items() if f != str(ROSTER)]
    return (1 if lost else 0), v, ""


def check_value(found, expected, where: str) -> None:
    if expected is None:
        assert pd.isna(found), where
    elif isinstance(expected, (int, float)) and not isinstance(expected, bool):
        assert not pd.isna(found) and math.isclose(float(found), expected), (where, found)
    else:
        assert str(found) == str(expected), (where, found)


def check_response_values(case: dict, responses: pd.DataFrame) -> None:
    by_row = responses.assign(name=responses["source_file"].map(lambda f: Path(f).name))
    for key, columns in (case.get("values") or {}).items():
        file, _, row = str(key).rpartition(":")
        rows = by_row[by_row["source_row"] == int(row)]
        if file:
            rows = rows[rows["name"] == file]
        assert len(rows) == 1, f"{case['name']}: row {key} is not an accepted response"
        for column, expected in columns.items():
            check_value(rows.iloc[0][column], expected, f"{case['name']} {key} {column}")


def check_answers(case: dict, v: validate.Validated) -> None:
    """Answer accounting, the cell ledger and the column-level notes of the case."""
    a = v.answer_counts
    assert set(a) == {"read", "used", "set_aside", "no_opinion"}
    assert a["read"] == a["used"] + a["set_aside"] + a["no_opinion"]
    assert a["read"] == 29 * v.counts()["accepted"]
    if "answers" in case:
        assert a == case["answers"]
    cells = v.cells
    found = [f"{r}:{i}" for r, i in zip(cells["source_row"], cells["item"])]
    assert sorted(found) == sorted(case.get("cells", [])), found
    assert len(cells) == a["set_aside"]
    assert len(v.notes) == case.get("notes", 0)
    noted = int(sum(n["answers"] for n in v.notes))
    assert int((cells["message"] == "").sum()) == noted
    for key, columns in (case.get("lengths") or {}).items():
        row = v.responses[v.responses["source_row"] == int(key)].iloc[0]
        for column, n in columns.items():
            assert len(row[column]) == n, (key, column)


def check_roster_values(case: dict, roster: pd.DataFrame) -> None:
    r = roster.set_index("coop_id")
    for coop, columns in (case.get("values") or {}).items():
        for column, expected in columns.items():
            check_value(r.loc[coop, column], expected, f"{case['name']} {coop} {column}")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_as_validate_says(case, codebook, units):
    report, text = validate_as_command(case, codebook, units)
    assert report.exit_code == case["exit"], text
    for word in case["words"]:
        assert word in text, f"{word!r} not in:\n{text}"
    for word in case.get("absent", []):
        assert word not in text, f"{word!r} in:\n{text}"
    for key, value in (case.get("read_as") or {}).items():
        checked = next(f for f in report.files if f.path.name == case["files"][0])
        assert checked.read_as[key] == value, (key, checked.read_as)
    if case["kind"] == "responses" and case["exit"] != 2:
        exports = [f for f in report.files if f.kind == "responses"]
        total = {k: sum(f.counts[k] for f in exports) for k in case["rows"]}
        assert total == case["rows"]
        # accounting: every row read is accepted, merged or set aside
        for f in exports:
            c = f.counts
            assert c["accepted"] + c["merged"] + c["set_aside"] == c["read"] == f.rows_read
        ledger = report.validated.ledger
        assert len(ledger) == case["rows"]["read"]
        assert len(report.validated.responses) == case["rows"]["accepted"]
        check_response_values(case, report.validated.responses)
        check_answers(case, report.validated)
        # the data-quality table: one line per answer with a message, one per note
        table = report.data_quality()
        cell_lines = table[table["status"] == "cell_set_aside"]
        assert len(cell_lines) == len(case.get("cells", [])) - int(
            sum(n["answers"] for n in report.validated.notes)) + case.get("notes", 0)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_as_the_build_reads_it(case, codebook, units):
    code, result, message = read_as_build(case, codebook, units)
    if case["kind"] == "roster" and case["exit"] == 2:
        assert code == 2 and "Traceback" not in message
        return
    assert code == case["exit"], message
    if code == 2:
        assert message.startswith(str(CORPUS)), message  # names the file
        return
    if case["kind"] == "roster":
        check_roster_values(case, result)
        return
    counts = result.counts()
    assert counts == case["rows"]
    assert counts["accepted"] + counts["merged"] + counts["set_aside"] == counts["read"]
    assert sum(n for f, n in result.rows_read.items() if f != str(ROSTER)) == counts["read"]
    check_response_values(case, result.responses)
    check_answers(case, result)


def test_every_corpus_file_is_a_case():
    used = {f for c in CASES for f in c["files"]} | {"roster.csv"}
    made = {name.split("/")[0] for name in BEFORE} - {"cases.yaml", "make_corpus.py"}
    assert made == used


def test_several_files_are_told_apart_by_their_columns(codebook, units):
    report = check_files([CORPUS / "utf8.csv", ROSTER, CORPUS / "duplicate-same.csv"],
                         codebook, units)
    assert [(f.path.name, f.kind) for f in report.files] == [
        ("utf8.csv", "responses"), ("roster.csv", "roster"), ("duplicate-same.csv", "responses")]
    # HP-0001..0004 in utf8.csv (rows 2-5) are followed by the same in duplicate-same.csv
    # rows 2-5, and HP-0002 again at its row 6: 9 rows, 4 accepted, 5 merged
    assert report.validated.counts() == {"read": 9, "accepted": 4, "merged": 5, "set_aside": 0}
    assert report.exit_code == 0


def test_data_quality_csv_of_the_injection_case_runs_no_formula(codebook, units, tmp_path):
    case = next(c for c in CASES if c["files"] == ["injection.csv"])
    report, _ = validate_as_command(case, codebook, units)
    path = write_data_quality(report.data_quality(), tmp_path / "dq.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    cells = pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8-sig")
    starts = {c[:1] for col in cells.columns for c in cells[col]}
    assert not starts & set("=+-@"), starts
    assert "'=HYPERLINK(\"http://evil.example\",\"HP-0004\")" in set(
        cells["Mã HTX (cooperative)"])
    back = read_data_quality(path)
    row5 = back[back["row"] == 5]
    assert list(row5["status"]) == ["set_aside"]
    assert "Mã HTX" in row5["column"].iloc[0]


class _Elements(HTMLParser):
    """Tags and attributes of an HTML page, and its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, name, value) for name, value in attrs]

    def handle_data(self, data):
        self.text.append(data)


def test_injection_answers_render_as_text_in_the_html_report(codebook, units, tmp_path):
    """Free text read from the corpus, shown as a report shows it (a Markdown output made
    safe by markdown_text), executed and exported like a report: nothing runs."""
    from nbclient import NotebookClient

    from hailong.publish.export import export_html

    _, validated, _ = read_as_build(next(c for c in CASES if c["files"] == ["injection.csv"]),
                                    codebook, units)
    texts = [t for c in ("DIFFICULTIES", "RECOMMENDATIONS")
             for t in validated.responses[c] if t]
    assert len(texts) == 6
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "from IPython.display import Markdown, display\n"
        "from hailong.core.safetext import markdown_text\n"
        f"for s in {texts!r}:\n"
        "    display(Markdown(markdown_text(s)))")]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    executed = tmp_path / "quotes.ipynb"
    nbformat.write(nb, str(executed))
    page = export_html(executed, tmp_path / "quotes.html", "Trích dẫn").read_text("utf-8")
    parsed = _Elements()
    parsed.feed(page)
    assert "script" not in parsed.tags
    assert not [a for a in parsed.attrs if a[1].startswith("on")]
    assert not [a for a in parsed.attrs if a[0] == "a" and a[1] == "href"]
    assert "img" not in parsed.tags
    visible = html.unescape("".join(parsed.text))
    for t in texts:
        assert t in visible, t
    # the Markdown did not become emphasis, a link or a heading
    assert "<strong>" not in page and "<code>" not in page
    assert ">Tiêu đề giả<" not in page


# --------------------------------------------------------------------------- commands

@pytest.fixture
def config(tmp_path):
    """A round whose inputs are corpus files (chosen by each test)."""
    def make(roster: str = "roster.csv", responses: str = "utf8.csv") -> Path:
        path = tmp_path / "hailong.yaml"
        path.write_text(f"""\
organisation: {{vi: "Liên minh HTX thử nghiệm", en: "Test Alliance"}}
current_round: 2022
rounds:
  2022:
    codebook: {REF / "codebook" / "codebook-v1.yaml"}
    units: {REF / "units-2022.csv"}
    unit_level: district
    geography_date: 2022-10-01
    roster: {CORPUS / roster}
    responses: [{CORPUS / responses}]
""", encoding="utf-8")
        return path
    return make


@pytest.mark.parametrize("files, code, words", [
    (["utf8.csv"], 0, ["4 rows read: 4 accepted, 0 merged (duplicates), 0 set aside",
                       "every row can be used (exit status 0)"]),
    (["out-of-scale.csv"], 1, ["Problems (2)", "2 answer(s) set aside as missing; the others "
                                "can be used", "Hài lòng lắm"]),
    (["header-only.csv"], 1, ["0 rows read: the file has no data rows",
                              "Result: no data rows in header-only.csv (only headers)"]),
    (["empty.csv"], 2, ["cannot be used", "The file is empty"]),
    (["utf8.csv", "roster-duplicate-id.csv"], 2, ["used more than once"]),
])
def test_validate_command(files, code, words, config, capsys):
    argv = ["validate", *(str(CORPUS / f) for f in files), "--config", str(config())]
    assert main(argv) == code
    out, err = capsys.readouterr()
    assert out.startswith(f"Checked {len(files) + ('roster-duplicate-id.csv' not in files)} "
                          "files; nothing was built or changed.")
    for w in words:
        assert w in out, out
    assert "Traceback" not in out + err


def test_validate_without_files_checks_the_round_and_writes_the_report(config, capsys,
                                                                       tmp_path):
    cfg = config(responses="duplicate-different.csv")
    report = tmp_path / "out" / "dq.csv"
    assert main(["validate", "--config", str(cfg), "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Checked the inputs of round 2022 in ")
    assert "5 rows read: 4 accepted, 1 merged (duplicates), 0 set aside" in out
    assert "HP-0001 answered twice with different answers" in out
    table = read_data_quality(report)
    assert list(table["status"]) == ["merged"] and list(table["row"]) == [2]
    assert not (tmp_path / "processed").exists()  # nothing built


def test_build_on_a_broken_input_is_one_message_and_exit_2(config, capsys):
    cfg = config(responses="legacy-unsure.csv")
    code = main(["build", "--config", str(cfg), "--unit", "311", "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.startswith("error: ") and "legacy-unsure.csv" in err and "TCVN3" in err
    assert "Traceback" not in out + err


def test_build_says_what_became_of_the_rows(config, capsys, monkeypatch, tmp_path):
    """The accounting printed by ``hailong build`` and the inputs named in the reports'
    methodology come from the round's stored results (computed here for real; only the
    notebooks are left out)."""
    import hailong.run.build
    from hailong.numbers.pipeline import load_results
    from hailong.present import narrative
    from hailong.run.build import BuildSummary

    cfg = config(responses="duplicate-different.csv")
    made = {}

    def build_without_notebooks(**kw):
        made["results"] = load_results(kw["round_year"], kw["config_path"])
        return BuildSummary(built=[], seconds=0.1, out_dir=tmp_path, index=tmp_path / "i.html")

    monkeypatch.setattr(hailong.run.build, "build", build_without_notebooks)
    assert main(["build", "--config", str(cfg), "--no-progress"]) == 0
    err = capsys.readouterr().err
    details = tmp_path / "processed" / "2022" / "data-quality.csv"
    assert ("Data: 5 rows read: 4 accepted, 1 merged (duplicates), 0 set aside; details: "
            f"{os.path.relpath(details)}") in err
    assert read_data_quality(details)["row"].tolist() == [2]
    sha = hashlib.sha256((CORPUS / "duplicate-different.csv").read_bytes()).hexdigest()[:12]
    method = narrative.methodology(made["results"].meta)
    inputs, code = method.splitlines()[-1].split(" Chương trình tính: ")
    assert inputs == (
        "- **Tệp dữ liệu đầu vào:** danh sách HTX roster\\.csv (6 dòng; SHA-256 "
        f"{hashlib.sha256(ROSTER.read_bytes()).hexdigest()[:12]}); dữ liệu khảo sát "
        f"duplicate\\-different\\.csv (5 dòng; SHA-256 {sha}).")
    assert code.startswith('<span class="provenance">hailong ') and code.endswith("</span>.")


def test_raw_files_never_modified():
    """Runs last: every corpus file has the bytes it had before the tests read it."""
    assert _hashes() == BEFORE
