"""The processed store: hashes, round trip, manifest, atomic writes, raw files untouched."""

import datetime as dt
import hashlib
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import hailong
from hailong.core.errors import InputError
from hailong.core.files import file_digest, files_digest
from hailong.ingest.readers import read_responses, read_roster
from hailong.ingest.store import read_manifest, read_processed, write_processed
from hailong.ingest.validate import validate_round
from hailong.reference.codebook import load_codebook
from hailong.reference.config import PROJECT_ROOT
from hailong.reference.geography import load_units

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
STORE_FILES = {"roster.parquet", "responses.parquet", "ledger.csv", "data-quality.csv",
               "manifest.json"}


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(ROOT / "data/reference/codebook/codebook-v1.yaml")


@pytest.fixture(scope="module")
def units():
    return load_units(ROOT / "data/reference/units-2022.csv", on=dt.date(2022, 10, 1))


@pytest.fixture()
def raw(tmp_path):
    """Copies of the fixture roster and export in a raw folder."""
    folder = tmp_path / "raw"
    folder.mkdir()
    roster = Path(shutil.copy(DATA / "ingest_roster.csv", folder / "roster.csv"))
    export = Path(shutil.copy(DATA / "ingest_responses.csv", folder / "responses.csv"))
    return roster, export


def process(raw, codebook, units, out: Path):
    roster, export = raw
    v = validate_round(read_roster(roster), read_responses([export], codebook), codebook, units)
    return v, write_processed(out, v, [roster, export], codebook)


def test_file_digest_known_value(tmp_path):
    (tmp_path / "abc").write_bytes(b"abc")
    # FIPS 180-2 test vector
    assert file_digest(tmp_path / "abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


def test_file_digest_missing_file(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        file_digest(tmp_path / "nope.csv")


def test_files_digest_without_names_over_file_hashes_in_order(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"abc")
    b.write_bytes(b"")
    sha_a = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    sha_b = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # empty input
    assert files_digest([a, b], names=False) == hashlib.sha256((sha_a + sha_b).encode()).hexdigest()
    assert files_digest([b, a], names=False) != files_digest([a, b], names=False)
    a.write_bytes(b"abd")
    assert files_digest([a, b], names=False) != hashlib.sha256((sha_a + sha_b).encode()).hexdigest()


def test_round_trip(tmp_path, raw, codebook, units):
    v, manifest_path = process(raw, codebook, units, tmp_path / "processed")
    assert manifest_path == tmp_path / "processed" / "manifest.json"
    back = read_processed(tmp_path / "processed")
    pd.testing.assert_frame_equal(back.roster, v.roster)
    pd.testing.assert_frame_equal(back.responses, v.responses)
    pd.testing.assert_frame_equal(back.ledger, v.ledger)
    assert back.warnings == v.warnings
    assert back.rows_read == v.rows_read
    # rows: HP-0001..0004 accepted; the older submissions of HP-0002 (row 3) and HP-0003
    # (rows 5, 7) merged; HP-9999 (8), the blank code (9), the bad time stamp (11) set
    # aside. Answers: only the "7" of HP-0004 (row 10) is set aside, as a cell.
    assert back.counts() == {"read": 10, "accepted": 4, "merged": 3, "set_aside": 3}
    assert back.answer_counts["set_aside"] == 1
    assert back.answer_counts == v.answer_counts
    assert back.summary() == v.summary()


def test_manifest_fields(tmp_path, raw, codebook, units):
    roster, export = raw
    process(raw, codebook, units, tmp_path / "processed")
    m = read_manifest(tmp_path / "processed")
    by_name = {e["name"]: e for e in m["inputs"]}
    assert list(by_name) == ["roster.csv", "responses.csv"]
    for path in (roster, export):
        entry = by_name[path.name]
        assert entry["size"] == len(path.read_bytes())
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["path"] == str(path)
    assert by_name["roster.csv"]["rows_read"] == 4
    assert by_name["responses.csv"]["rows_read"] == 10
    assert m["counts"] == {"read": 10, "accepted": 4, "merged": 3, "set_aside": 3, "roster": 4}
    a = m["answers"]
    assert a["set_aside"] == 1 and a["read"] == a["used"] + a["set_aside"] + a["no_opinion"]
    assert (by_name["responses.csv"]["rows_set_aside"],
            by_name["responses.csv"]["answers_set_aside"]) == (3, 1)
    assert (by_name["roster.csv"]["rows_set_aside"],
            by_name["roster.csv"]["answers_set_aside"]) == (0, 0)
    assert m["codebook"]["version"] == "v1-draft"
    assert m["hailong_version"] == hailong.__version__
    created = dt.datetime.fromisoformat(m["created_at"])
    assert created.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - created) < dt.timedelta(minutes=5)
    assert m["inputs_fingerprint"] == files_digest([roster, export], names=False)


def test_ledger_csv_has_bom_for_excel(tmp_path, raw, codebook, units):
    process(raw, codebook, units, tmp_path / "processed")
    data = (tmp_path / "processed" / "ledger.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "Dấu thời gian" in data.decode("utf-8-sig")  # row 11's column, as written


def test_no_temporary_files_left_and_rewrite(tmp_path, raw, codebook, units):
    out = tmp_path / "processed"
    process(raw, codebook, units, out)
    process(raw, codebook, units, out)  # writing over an existing store
    assert {p.name for p in out.iterdir()} == STORE_FILES


def test_interrupted_write_leaves_no_manifest(tmp_path, raw, codebook, units, monkeypatch):
    out = tmp_path / "processed"
    process(raw, codebook, units, out)

    def fail(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", fail)
    with pytest.raises(OSError):
        process(raw, codebook, units, out)
    # the old manifest is gone, so the store reads as missing, and no temp file is left
    assert {p.name for p in out.iterdir()} == STORE_FILES - {"manifest.json"}
    with pytest.raises(InputError, match="no processed data"):
        read_processed(out)


def test_raw_files_unchanged(tmp_path, raw, codebook, units):
    before = [hashlib.sha256(p.read_bytes()).hexdigest() for p in raw]
    process(raw, codebook, units, tmp_path / "processed")
    after = [hashlib.sha256(p.read_bytes()).hexdigest() for p in raw]
    assert before == after
    assert sorted(p.name for p in raw[0].parent.iterdir()) == ["responses.csv", "roster.csv"]


# --------------------------------------------------------------------------- issue 5

from hailong.ingest.store import inputs_summary, read_data_quality  # noqa: E402
from hailong.present import narrative  # noqa: E402


def test_data_quality_csv_lists_every_row_not_simply_accepted(tmp_path, raw, codebook, units):
    process(raw, codebook, units, tmp_path / "processed")
    data = (tmp_path / "processed" / "data-quality.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the Vietnamese right
    header = data.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Tệp (file),Dòng (row),Mã HTX (cooperative),Cột (column),"
                             "Tình trạng (status),Lý do (reason),")
    table = read_data_quality(tmp_path / "processed")
    rows = table.dropna(subset=["row"])
    # the fixture export (see test_validate.py): rows 3, 5 and 7 merged (older
    # submissions), 8, 9 and 11 set aside (no cooperative, bad time stamp), and in row 10
    # only the answer "7" (column 3.1.) set aside
    assert dict(zip(rows["row"], rows["status"])) == {
        3: "merged", 5: "merged", 7: "merged", 8: "set_aside", 9: "set_aside",
        10: "cell_set_aside", 11: "set_aside"}
    assert rows.set_index("row").loc[10, "column"].startswith("3.1.")
    assert rows.set_index("row").loc[11, "column"] == "Dấu thời gian"
    files = table[table["row"].isna()]
    assert sorted(zip(files["file"].map(lambda f: Path(f).name), files["status"],
                      files["column"])) == [
        ("responses.csv", "ignored", "Email người trả lời"), ("roster.csv", "ignored", "Ghi chú")]


def test_manifest_says_how_each_input_was_read(tmp_path, raw, codebook, units):
    process(raw, codebook, units, tmp_path / "processed")
    by_name = {e["name"]: e for e in read_manifest(tmp_path / "processed")["inputs"]}
    assert by_name["roster.csv"]["kind"] == "roster"
    assert by_name["responses.csv"]["kind"] == "responses"
    assert by_name["roster.csv"]["read_as"]["encoding"] == "UTF-8 with BOM"
    assert by_name["responses.csv"]["read_as"]["delimiter"] == ","
    assert by_name["responses.csv"]["extra_columns"] == ["Email người trả lời"]
    back = read_processed(tmp_path / "processed")
    assert back.sources[str(raw[1])]["kind"] == "responses"


def test_reports_name_their_inputs(tmp_path, raw, codebook, units):
    roster, export = raw
    process(raw, codebook, units, tmp_path / "processed")
    sha = [hashlib.sha256(p.read_bytes()).hexdigest()[:12] for p in raw]
    assert inputs_summary(tmp_path / "processed") == [
        {"name": "roster.csv", "sha256": sha[0], "rows": 4, "kind": "roster"},
        {"name": "responses.csv", "sha256": sha[1], "rows": 10, "kind": "responses"}]
    meta = {"inputs": inputs_summary(tmp_path / "processed")}
    # the code's version as git tells it: the commit, "+" when the library has changes
    git = ["git", "-C", str(PROJECT_ROOT)]
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True)
    changed = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no", "--",
                              "lib"], capture_output=True, text=True).stdout.strip()
    code = (f"hailong {hailong.__version__} (commit {head.stdout[:7]}{'+' if changed else ''})"
            if head.returncode == 0 else f"hailong {hailong.__version__}")
    assert narrative.data_sources(meta) == (
        f"**Tệp dữ liệu đầu vào:** danh sách HTX roster\\.csv (4 dòng; SHA-256 {sha[0]}); "
        f"dữ liệu khảo sát responses\\.csv (10 dòng; SHA-256 {sha[1]}). "
        f'Chương trình tính: <span class="provenance">{code}</span>.')
    assert narrative.data_sources(meta, "en").startswith(
        "**Input files:** roster roster\\.csv (4 rows; SHA-256 ")
    assert narrative.data_sources({}) == ""


def test_ledger_csv_cells_are_never_formulas(tmp_path, raw, codebook, units):
    roster, export = raw
    text = export.read_text(encoding="utf-8").replace("HP-9999", "=1+2")
    export.write_text(text, encoding="utf-8")
    process(raw, codebook, units, tmp_path / "processed")
    ledger = pd.read_csv(tmp_path / "processed" / "ledger.csv", dtype="str",
                         keep_default_na=False, encoding="utf-8-sig")
    assert "'=1+2" in set(ledger["coop_id"])
    assert not any(str(c).startswith(("=", "+", "-", "@")) for col in ledger.columns
                   for c in ledger[col])


# --------------------------------------------------------------------------- issue 14

from hailong.ingest.store import set_aside_counts, set_aside_summary  # noqa: E402


def test_what_was_set_aside_is_counted_per_file(tmp_path, raw, codebook, units):
    roster, export = raw
    v, _ = process(raw, codebook, units, tmp_path / "processed")
    summary = set_aside_summary(tmp_path / "processed")
    answers = v.answer_counts
    # rows 8, 9 and 11 set aside whole; the "7" of row 10 as one answer
    assert summary == {
        "rows_read": 10, "rows_set_aside": 3, "answers_read": answers["read"],
        "answers_set_aside": 1,
        "files": [{"name": "responses.csv", "path": str(export), "rows_set_aside": 3,
                   "answers_set_aside": 1}],
        "data_quality": str(tmp_path / "processed" / "data-quality.csv")}
    assert set_aside_counts(tmp_path / "processed") == {
        "rows_read": 10, "rows_set_aside": 3, "answers_read": answers["read"],
        "answers_set_aside": 1}


def test_ledger_and_data_quality_report_carry_no_personal_data(tmp_path, raw, codebook,
                                                                units):
    """Respondents' and directors' names and phone numbers stay in the private files."""
    roster, export = raw
    process(raw, codebook, units, tmp_path / "processed")
    people = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Ai đó",
              "Người khác", "0912345678", "0987654321"]
    texts = {name: (tmp_path / "processed" / name).read_text(encoding="utf-8-sig")
             for name in ("ledger.csv", "data-quality.csv")}
    for name, text in texts.items():
        assert not [p for p in people if p in text], name
    assert texts["ledger.csv"].splitlines()[0] == (
        "source_file,source_row,coop_id,status,reason,message,column")
    # the private files do hold them (so the test would see them if they leaked)
    assert "0912345678" in set(pd.read_parquet(tmp_path / "processed" / "roster.parquet")
                               .astype(str).to_numpy().ravel())
