"""Assisted entry (hailong.ingest.entries): the append-only log, corrections, double entry,
and the entries read like any export by the round (coverage, follow-up lists, ledger).

The round is the bundled 2022 sample copied into a temporary data folder; by the end of
16/05/2023 Tiên Lãng (315) had 14 of its cooperatives not answered (test_followup.py).
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from tests._config import write_config

from hailong.core.errors import InputError
from hailong.ingest import entries as en
from hailong.numbers import coverage as cov
from hailong.publish.followup import followup_lists
from hailong.reference.codebook import load_codebook
from hailong.reference.config import PROJECT_ROOT

CODEBOOK = load_codebook(PROJECT_ROOT / "data/reference/codebook/codebook-v1.yaml")
NOW = dt.datetime(2023, 5, 21, 9, 0, tzinfo=en.NOON.tzinfo)


def _answers(value: object = 4, **overrides: object) -> dict:
    """Every scored question of the NN variant answered ``value``; open ones empty."""
    out = {it.id: value for it in CODEBOOK.scored_items if "NN" in it.variants}
    out.update(overrides)
    return out


def _entry(coop: str, answers: dict | None = None, *, by: str = "Lan", day: str = "2023-05-20",
           variant: str = "NN", **kw) -> en.Entry:
    fields = {"coop_id": coop, "coop_name": f"HTX {coop}", "variant": variant}
    return en.new_entry(CODEBOOK, fields, answers if answers is not None else _answers(),
                        entered_by=by, visit_date=day, method="paper", now=NOW, **kw)


# -- checking what was typed --------------------------------------------------------------

def test_every_missing_answer_is_named_at_once_in_vietnamese():
    answers = _answers()
    del answers["D01_2"], answers["D07_3"], answers["OVERALL"]
    with pytest.raises(en.EntryError) as err:
        _entry("HP-1", answers)
    assert err.value.missing == ("1.2", "7.3", "12")
    assert "Còn thiếu câu trả lời của câu 1.2, 7.3, 12" in err.value.render("vi")
    assert "Answers are missing for question(s) 1.2, 7.3, 12" in err.value.render("en")


def test_questions_not_asked_of_the_variant_are_not_required():
    fund = {it.id: 3 for it in CODEBOOK.scored_items if "QTD" in it.variants}
    e = _entry("HP-2", fund, variant="QTD")
    assert "D07_3" not in e.answers and len(e.answers) == len(fund)


def test_no_opinion_is_an_answer_and_a_point_off_the_scale_is_not():
    e = _entry("HP-3", _answers(D02_1=en.NO_OPINION))
    assert e.answers["D02_1"] == en.NO_OPINION
    with pytest.raises(en.EntryError) as err:
        _entry("HP-3", _answers(D02_1=6))
    assert err.value.render("vi").startswith("Câu 2.1: câu trả lời không có trong thang đo.")


@pytest.mark.parametrize("kw, vi", [
    ({"by": " "}, "người nhập"), ({"day": "20/05/2023"}, "Ngày làm việc"),
    ({"day": "2023-05-22"}, "sau ngày hôm nay")])
def test_who_and_when_are_required(kw, vi):
    with pytest.raises(en.EntryError) as err:
        _entry("HP-4", **kw)
    assert vi in err.value.render("vi")


# -- the log --------------------------------------------------------------------------

def test_the_log_is_only_ever_appended_to(tmp_path):
    path = tmp_path / "raw" / "2022" / "nhap-phieu.jsonl"
    assert en.append_entry(path, _entry("HP-1")) == 1
    before = path.read_bytes()
    assert en.append_entry(path, _entry("HP-2")) == 2
    assert path.read_bytes().startswith(before)
    assert [(no, e.coop_id) for no, e in en.read_log(path)] == [(1, "HP-1"), (2, "HP-2")]


def test_a_damaged_line_is_named(tmp_path):
    path = tmp_path / "nhap-phieu.jsonl"
    en.append_entry(path, _entry("HP-1"))
    with path.open("a", encoding="utf-8") as f:
        f.write("{not json\n")
    with pytest.raises(InputError) as err:
        en.read_log(path)
    assert err.value.row == 2 and err.value.file == str(path)


def test_a_correction_replaces_the_entry_and_both_stay():
    first = _entry("HP-1")
    fixed = _entry("HP-1", _answers(D01_1=2), supersedes=first.entry_id)
    log = [(1, first), (2, fixed)]
    counted, pending = en.current(log)
    assert [e.entry_id for _, e in counted] == [fixed.entry_id] and not pending


# -- double entry ---------------------------------------------------------------------

def test_double_entry_counts_a_sheet_once_two_people_agree():
    a = _entry("HP-1", double=True, keying=1, by="Lan")
    b = _entry("HP-1", double=True, keying=2, by="Minh")
    counted, pending = en.current([(1, a)])
    assert not counted and pending[0].awaiting_second
    counted, pending = en.current([(1, a), (2, b)], CODEBOOK)
    assert [e.entry_id for _, e in counted] == [a.entry_id] and not pending


def test_a_disagreement_is_listed_and_not_counted_until_a_third_look():
    a = _entry("HP-1", double=True, keying=1, by="Lan")
    b = _entry("HP-1", _answers(D03_2=2), double=True, keying=2, by="Minh")
    counted, pending = en.current([(1, a), (2, b)], CODEBOOK)
    assert not counted
    assert pending[0].differences == (("3.2", 4, 2),)
    c = _entry("HP-1", double=True, keying=0, by="Hoa")
    counted, pending = en.current([(1, a), (2, b), (3, c)], CODEBOOK)
    assert [e.entry_id for _, e in counted] == [c.entry_id] and not pending


def test_the_same_person_twice_is_not_a_double_entry():
    a = _entry("HP-1", double=True, keying=1, by="Lan")
    b = _entry("HP-1", double=True, keying=2, by="lan")
    counted, pending = en.current([(1, a), (2, b)], CODEBOOK)
    assert not counted and pending[0].differences[0][0] == "entered_by"


# -- the round reads the entries like any export ---------------------------------------

@pytest.fixture
def round_dir(tmp_path):
    for name in ("roster.csv", "responses.csv"):
        shutil.copy(PROJECT_ROOT / "data" / "sample" / "2022" / name, tmp_path / name)
    return write_config(tmp_path)


def test_entered_questionnaires_count_in_coverage_and_leave_the_follow_up_list(round_dir):
    before = cov.load_progress(2022, round_dir)
    day = dt.date(2023, 5, 20)
    todo = followup_lists(before, day)["315"]
    assert len(todo) == 14
    raw_export = (round_dir.parent / "responses.csv").read_bytes()
    path = en.entries_path(round_dir.parent, 2022)
    chosen = todo.head(3)
    sector = before.roster.set_index("coop_id")["sector"]
    for coop in chosen["coop_id"]:
        variant = CODEBOOK.variant_of_sector(sector[coop])
        answers = {it.id: 5 for it in CODEBOOK.scored_items if variant in it.variants}
        en.append_entry(path, en.new_entry(
            CODEBOOK, {"coop_id": coop, "variant": variant}, answers, entered_by="Lan",
            visit_date=day, method="onsite", now=NOW))
    after = cov.load_progress(2022, round_dir)
    assert path in after.round.responses  # the round's configuration reads it
    assert (before.assisted(), after.assisted(), after.assisted(day - dt.timedelta(1))) \
        == (0, 3, 0)
    from hailong.present import progress_report

    p = cov.progress(after, day)
    said = progress_report.summary(p, {}, "vi", assisted=after.assisted(day))
    assert "Trong số đó, 3 HTX trả lời qua phiếu do tổ công tác nhập hộ." in said
    assert "nhập hộ" not in progress_report.summary(p, {}, "vi", assisted=0)
    row = {p.unit: p for p in cov.coverage(after.roster, after.answers, day).itertuples()}
    old = {p.unit: p for p in cov.coverage(before.roster, before.answers, day).itertuples()}
    assert row["315"].answered == old["315"].answered + 3
    assert row["city"].answered == old["city"].answered + 3
    left = followup_lists(after, day)["315"]
    assert len(left) == 11 and not set(chosen["coop_id"]) & set(left["coop_id"])
    assert (round_dir.parent / "responses.csv").read_bytes() == raw_export  # untouched


def test_an_entry_for_a_cooperative_that_answered_online_is_listed_as_a_duplicate(round_dir):
    from hailong.ingest import readers, validate
    from hailong.numbers.pipeline import open_round

    data = cov.load_progress(2022, round_dir)
    answered = data.answers["coop_id"].iloc[0]
    sector = data.roster.set_index("coop_id")["sector"]
    variant = CODEBOOK.variant_of_sector(sector[answered])
    answers = {it.id: 3 for it in CODEBOOK.scored_items if variant in it.variants}
    path = en.entries_path(round_dir.parent, 2022)
    en.append_entry(path, en.new_entry(CODEBOOK, {"coop_id": answered, "variant": variant},
                                       answers, entered_by="Lan", visit_date="2023-05-20",
                                       method="phone", now=NOW))
    ctx = open_round(2022, round_dir)
    raw = readers.read_responses(list(ctx.round.responses), ctx.codebook)
    checked = validate.validate_round(readers.read_roster(ctx.round.roster), raw,
                                      ctx.codebook, ctx.units, level="district")
    ledger = checked.ledger[checked.ledger["coop_id"] == answered]
    assert set(ledger["status"]) == {"accepted", "merged"}  # one used, the other listed
    entry_row = ledger[ledger["source_file"].astype(str).str.endswith("nhap-phieu.jsonl")]
    assert list(entry_row["status"]) == ["accepted"]  # the later one (20/05) is used
    assert ledger.loc[ledger["status"] == "merged", "reason"].str.contains(
        "nhap-phieu.jsonl").all()


def test_the_form_lists_the_variants_questions_in_scale_order():
    questions = en.form(CODEBOOK, "QTD")
    ids = [q.id for q in questions]
    assert "D07_3" not in ids and ids[-3:] == ["OVERALL", "DIFFICULTIES", "RECOMMENDATIONS"]
    first = questions[0]
    assert (first.number, first.group) == ("1.1", "Lãnh đạo, chỉ đạo của cấp ủy, chính quyền")
    assert first.choices == ((1, "Rất không hài lòng"), (2, "Không hài lòng"),
                             (3, "Bình thường"), (4, "Hài lòng"), (5, "Rất hài lòng"),
                             (en.NO_OPINION, "Không ý kiến"))
    assert questions[-1].choices == ()  # open question: written text
    assert len(en.form(CODEBOOK)) == len(CODEBOOK.scored_items) + 2


def test_search_ignores_case_and_diacritics():
    from hailong.publish.questionnaire import Sheet, search

    sheets = [Sheet("HP-0379", "HTX Dịch vụ nông nghiệp Cát Hải", "Cát Hải"),
              Sheet("HP-0400", "HTX Thủy sản Đồng Bài", "Hoàng Châu")]
    assert [s.coop_id for s in search(sheets, "cat hai")] == ["HP-0379"]
    assert [s.coop_id for s in search(sheets, "dong bai")] == ["HP-0400"]
    assert [s.coop_id for s in search(sheets, "0400")] == ["HP-0400"]
    assert len(search(sheets, "")) == 2
