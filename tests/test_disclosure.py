"""Disclosure control: what may be published, decided in one place.

The configuration guard: ``min_n`` and secondary suppression cannot be switched off or
set to a value that turns disclosure control off; a wrong value is refused with the key,
the value and the allowed range, before any data is read, and the command exits 2
without a traceback.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from hailong.core.errors import ConfigError
from hailong.reference.config import PROJECT_ROOT, load_config

CONFIG = PROJECT_ROOT / "data" / "hailong.yaml"


def _config(tmp_path, old: str, new: str):
    text = CONFIG.read_text(encoding="utf-8")
    assert old in text
    # beside the real one, so that its relative paths still hold
    path = PROJECT_ROOT / "data" / f".test-{tmp_path.name}.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.fixture
def config_with(tmp_path):
    made = []

    def make(old: str, new: str):
        made.append(_config(tmp_path, old, new))
        return made[-1]

    yield make
    for path in made:
        path.unlink(missing_ok=True)


@pytest.mark.parametrize("value", ["0", "2", "five", "4.5", "true", "-5", "1000"])
def test_min_n_out_of_range_is_refused_with_key_value_and_range(config_with, value):
    path = config_with("min_n: 5", f"min_n: {value}")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    assert "min_n" in text and "a whole number from 3 to 100" in text
    assert str(path) in text


@pytest.mark.parametrize("value", ["3", "5", "10"])
def test_min_n_in_range_is_taken(config_with, value):
    assert load_config(config_with("min_n: 5", f"min_n: {value}")).min_n == int(value)


@pytest.mark.parametrize("value", ["false", "no", "0"])
def test_secondary_suppression_cannot_be_switched_off(config_with, value):
    path = config_with("secondary_suppression: true", f"secondary_suppression: {value}")
    with pytest.raises(ConfigError, match="statistics.secondary_suppression"):
        load_config(path)


@pytest.mark.parametrize("value", ["0", "five"])
def test_the_command_stops_with_exit_2_and_no_traceback(config_with, value):
    path = config_with("min_n: 5", f"min_n: {value}")
    done = subprocess.run([sys.executable, "-m", "hailong", "build", "--config", str(path),
                           "--no-pdf"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert "min_n" in done.stderr and "from 3 to 100" in done.stderr


# ------------------------------------------------ finding 1: the trend table (2022 sample)

@pytest.fixture(scope="module")
def trend_2022():
    from hailong.numbers.trend_cache import report_trend

    return report_trend(2022)


def test_the_trend_withholds_what_the_round_withholds(trend_2022):
    from hailong.numbers.pipeline import load_results
    from hailong.numbers.rounds import withheld_units

    published = withheld_units(load_results(2022))
    assert published == {"308", "318"}     # Bạch Long Vĩ (1 answer) and its complement
    t = trend_2022.table
    rows = t[t["unit"].isin(published) & (t["round"] == 2022)]
    assert len(rows) and rows["suppressed"].all()
    assert rows[["index", "mean", "satisfied", "change"]].isna().all().all()
    # and no earlier round of theirs either: a withheld unit shows no trend at all
    earlier = t[t["unit"].isin(published) & (t["round"] < 2022)]
    assert len(earlier) and earlier["suppressed"].all()
    assert earlier[["index", "mean", "satisfied"]].isna().all().all()


def test_no_trend_column_leaves_a_single_withheld_unit_beside_the_city(trend_2022):
    # with the city published, a measure with exactly one withheld unit (that answered)
    # gives that unit away by subtraction: there must be none, in any round
    t = trend_2022.table
    units = t[(t["unit"] != "city") & (t["n"] > 0)]
    for (year, measure), g in units.groupby(["round", "measure"]):
        city = t[(t["unit"] == "city") & (t["round"] == year) & (t["measure"] == measure)]
        if city["suppressed"].all():
            continue
        assert int(g["suppressed"].sum()) != 1, (year, measure)


# ------------------------------------ findings 2 and 3: the workbook's counts and precision

@pytest.fixture(scope="module")
def sheets_2022():
    from hailong.numbers.pipeline import load_results
    from hailong.publish.workbook import tables

    results = load_results(2022)
    return results, {s.name: s for s in tables(results)}


def test_a_withheld_unit_shows_no_count_of_answers(sheets_2022):
    import math

    _, sheets = sheets_2022
    for name in ("Theo câu hỏi", "Phân bố câu trả lời"):
        frame = sheets[name].frame
        for unit in ("308", "318"):
            rows = frame[frame["Mã"] == unit]
            assert len(rows) and all(math.isnan(v) for v in rows["Số HTX trả lời"]), name
    summary = sheets["Tổng hợp"].frame.set_index("Mã")
    for unit in ("308", "318"):
        # what drives the survey stays: roster size, respondents, coverage
        assert summary.at[unit, "Số HTX trả lời"] == 7 if unit == "308" else 1
        assert math.isnan(summary.at[unit, "Số HTX có điểm chỉ số"])
    # a published unit keeps its counts
    items = sheets["Theo câu hỏi"].frame
    assert not items[items["Mã"] == "311"]["Số HTX trả lời"].isna().any()


def test_workbook_figures_are_at_the_precision_the_reports_print(sheets_2022):
    from decimal import ROUND_HALF_UP, Decimal

    results, sheets = sheets_2022
    s = results.scores
    unit = s[(s["unit"] == "311") & (s["measure"] == "INDEX")].iloc[0]   # Thuỷ Nguyên
    summary = sheets["Tổng hợp"].frame
    row = summary[summary["Mã"] == "311"].iloc[0]
    share = Decimal(repr(float(unit["satisfied"]) * 100)).quantize(Decimal("0.1"),
                                                                  ROUND_HALF_UP)
    assert row["Tỷ lệ câu trả lời hài lòng"] == pytest.approx(float(share) / 100, abs=1e-12)
    index = Decimal(repr(float(unit["index"]))).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert row["Chỉ số (0–100)"] == float(index)
    # every share of the distribution sheet is a whole tenth of a percent
    answers = sheets["Phân bố câu trả lời"]
    for column, kind in answers.kinds.items():
        if kind == "share":
            for v in answers.frame[column].dropna():
                assert abs(v * 1000 - round(v * 1000)) < 1e-6, (column, v)


# ------------------------------- a withheld unit's row has no figure, whatever the data

def _round(counts: list[int], answers: list[int], seed: int):
    """A small round: districts 303, 304, 305, 311, 318 with ``counts`` respondents (each
    listed with two more on the roster), every answer drawn from ``answers``."""
    import numpy as np
    import pandas as pd

    from hailong.numbers.scoring import compute_results
    from hailong.reference.codebook import load_codebook
    from hailong.reference.config import StatsSettings
    from hailong.reference.geography import load_units

    ref = PROJECT_ROOT / "data" / "reference"
    codebook = load_codebook(ref / "codebook" / "codebook-v1.yaml")
    units = load_units(ref / "units-2022.csv")
    rng = np.random.default_rng(seed)
    roster, responses, k = [], [], 0
    for district, n in zip(("303", "304", "305", "311", "318"), counts):
        for j in range(n + 2):
            k += 1
            coop = {"coop_id": f"HP-{k:04d}", "district_code": district, "commune_code": "",
                    "sector": "nong_nghiep", "variant": "NN", "member": bool(j % 2)}
            roster.append(coop)
            if j < n:
                values = {i.id: float(rng.choice(answers)) for i in codebook.scored_items}
                responses.append({**coop, **values, "DIFFICULTIES": "", "RECOMMENDATIONS": ""})
    columns = [*roster[0], *(i.id for i in codebook.scored_items), "DIFFICULTIES",
               "RECOMMENDATIONS"]
    frame = pd.DataFrame(responses, columns=columns)
    _round.responses = frame  # what the property tests check the published tables against
    return compute_results(frame, pd.DataFrame(roster),
                           codebook, units,
                           min_n=5, stats=StatsSettings(),
                           meta={"round": 2022, "round_label": {"vi": "Năm 2022", "en": "2022"},
                                 "organisation": {"vi": "Liên minh", "en": "Alliance"}})


#: What a withheld unit's summary row still shows (what drives the survey); in every
#: other sheet its row shows no number at all, not even a count of answers.
_SURVEY_COLUMNS = {"Số HTX trong danh sách", "Số HTX trả lời", "Tỷ lệ tham gia"}


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(counts=hs.lists(hs.integers(0, 9), min_size=5, max_size=5),
       answers=hs.sampled_from([[1, 2, 3, 4, 5], [4], [2, 5]]),
       seed=hs.integers(0, 2**16))
def test_a_withheld_unit_has_no_figure_in_any_published_table(counts, answers, seed):
    import math

    from hailong.publish import opendata
    from hailong.publish.workbook import tables

    results = _round(counts, answers, seed)
    index = results.scores[results.scores["measure"] == "INDEX"].set_index("unit")
    withheld = {u for u in index.index if u != "city" and bool(index.at[u, "suppressed"])}
    for sheet in tables(results):
        frame = opendata.published_frame(sheet)
        for unit in withheld:
            rows = frame[frame["Mã"] == unit]
            for column in sheet.kinds:
                if sheet.name == "Tổng hợp" and column in _SURVEY_COLUMNS:
                    continue
                values = [v for v in rows[column] if not (v is None or v is pd_na()
                                                          or (isinstance(v, float)
                                                              and math.isnan(v)))]
                assert values == [], (sheet.name, unit, column, values)
    # and whatever is withheld in the scores has no mean, index or share
    s = results.scores[results.scores["suppressed"].astype(bool)]
    assert s[["mean", "index", "satisfied"]].isna().all().all()


def pd_na():
    import pandas as pd

    return pd.NA


# ---------------------------------------- finding 4: the open answers of small groups

def test_theme_counts_of_a_small_group_are_all_withheld_zeros_included():
    from hailong.numbers.pipeline import load_results

    t = load_results(2022).themes
    units = t[t["unit"] != "city"]
    small = units[(units["answered"] > 0) & (units["answered"] < 5)]
    # the sample's Hồng Bàng (303) and Dương Kinh (309) wrote 4 and 3 recommendations
    assert {"303", "309"} <= set(small["unit"])
    assert small["suppressed"].all()
    assert small["respondents"].isna().all() and small["share"].isna().all()
    # what they wrote is still counted: how many answered stays published
    assert (small["answered"] > 0).all()


# ------------------------------- finding 2: small groups that all gave the same answer

def _spans(rows):
    import pandas as pd

    return pd.DataFrame(rows, columns=["unit", "measure", "n", "lo", "hi"])


def test_same_answer_marks_small_groups_that_all_answered_alike():
    from hailong.numbers.disclosure import same_answer

    spans = _spans([("a", "Q1", 6, 4, 4),     # 6 < 10, all 4: each one's answer known
                    ("b", "Q1", 6, 3, 5),     # mixed
                    ("c", "Q1", 10, 5, 5),    # all 5 but 10 is not fewer than 10
                    ("d", "Q1", 0, None, None),
                    ("e", "Q1", 1, 2, 2)])
    assert same_answer(spans, 10).tolist() == [True, False, False, False, True]
    assert same_answer(spans, 11).tolist() == [True, False, True, False, True]


def _column(rows):
    """A one-measure scores table: (unit, n, suppressed)."""
    import pandas as pd

    t = pd.DataFrame(rows, columns=["unit", "n", "suppressed"])
    t.insert(1, "measure", "Q1")
    return t


def test_the_rest_left_by_subtraction_must_pool_at_least_min_n():
    from hailong.numbers.disclosure import protect_rest

    # withheld 318 (1) and 304 (2): city minus the published ones = 3 cooperatives < 5.
    # The published unit with the fewest respondents (305: 6) is withheld too: 9.
    scores = _column([("303", 8, False), ("304", 2, True), ("305", 6, False),
                      ("311", 7, False), ("318", 1, True), ("city", 24, False)])
    spans = _spans([(u, "Q1", n, 1, 5) for u, n in zip(scores["unit"], scores["n"])])
    codes = ["303", "304", "305", "311", "318", "city"]
    new = protect_rest(scores, spans, codes, min_n=5, group_n=2)
    assert scores.loc[new, "unit"].tolist() == ["305"]


def test_the_rest_must_not_be_a_small_group_that_all_answered_alike():
    from hailong.numbers.disclosure import protect_rest

    # withheld 304 (5) and 318 (1) all answered 5: the 6 of them pooled would say what
    # each one answered. The smallest published unit that makes the rest safe is taken:
    # with group_n 10, 305 (6, all 5 too: 12 alike, but 12 is not fewer than 10); with
    # group_n 20, 305 would leave 12 alike, so 303 (8, answers 2-5) is taken.
    scores = _column([("303", 8, False), ("304", 5, True), ("305", 6, False),
                      ("311", 30, False), ("318", 1, True), ("city", 50, False)])
    spans = _spans([("303", "Q1", 8, 2, 5), ("304", "Q1", 5, 5, 5), ("305", "Q1", 6, 5, 5),
                    ("311", "Q1", 30, 1, 5), ("318", "Q1", 1, 5, 5), ("city", "Q1", 50, 1, 5)])
    codes = ["303", "304", "305", "311", "318", "city"]
    assert scores.loc[protect_rest(scores, spans, codes, 5, 10), "unit"].tolist() == ["305"]
    assert scores.loc[protect_rest(scores, spans, codes, 5, 20), "unit"].tolist() == ["303"]
    # a rest that is mixed, or large enough, needs nothing
    mixed = spans.copy()
    mixed.loc[mixed["unit"] == "304", "lo"] = 3
    assert not protect_rest(scores, mixed, codes, 5, 10).any()
    assert not protect_rest(scores, spans, codes, 5, 6).any()


def test_a_district_where_every_answer_is_the_same_is_withheld_as_a_group():
    from conftest import small_results_inputs
    from hailong.numbers.scoring import compute_results
    from hailong.reference.codebook import load_codebook
    from hailong.reference.config import StatsSettings
    from hailong.reference.geography import load_units

    ref = PROJECT_ROOT / "data" / "reference"
    responses, roster = small_results_inputs()
    res = compute_results(responses, roster, load_codebook(ref / "codebook" / "codebook-v1.yaml"),
                          load_units(ref / "units-2022.csv"), min_n=5, stats=StatsSettings())
    s = res.scores.set_index(["unit", "measure"])
    # 303: 5 answered, every answer 5 -> a mean of 5.0 would say what each one answered
    assert s.loc[("303", "INDEX"), "suppression"] == "group"
    assert s.loc[("303", "D01_1"), "suppression"] == "group"
    assert s.loc["303"]["mean"].isna().all()
    d = res.distribution
    assert d[d["unit"] == "303"][["count", "share"]].isna().all().all()
    # 311: 8 answered, every item 4 (D07: 2), the overall question 4: withheld as well
    assert s.loc[("311", "D07"), "suppression"] == "group"
    # the city (14 answered) stays published; its rest is everything, 14 >= group_n 10
    assert not s.loc[("city", "INDEX"), "suppressed"]
    assert res.meta["group_n"] == 10


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(counts=hs.lists(hs.integers(0, 12), min_size=5, max_size=5),
       answers=hs.sampled_from([[1, 2, 3, 4, 5], [4], [4, 5], [3, 4, 4, 4, 4, 4, 4, 4]]),
       seed=hs.integers(0, 2**16))
def test_no_published_group_nor_rest_is_small_or_all_alike(counts, answers, seed):
    """Whatever the data: for every question, each published unit and the withheld units
    pooled (what the city minus the published ones gives, when the city is published)
    rest on at least min_n (5) cooperatives, and on at least group_n (10) unless their
    answers differ."""
    results = _round(counts, answers, seed)
    raw = _round.responses
    s = results.scores
    for item in (i for i in s["measure"].unique() if i.startswith("D") and "_" in i):
        col = s[(s["measure"] == item) & (s["unit"] != "city")]
        answered = raw.dropna(subset=[item])
        published = set(col.loc[~col["suppressed"].astype(bool), "unit"])
        groups = [answered[answered["district_code"] == u][item] for u in published]
        rest = answered[~answered["district_code"].isin(published)][item]
        city = s[(s["measure"] == item) & (s["unit"] == "city")].iloc[0]
        if not bool(city["suppressed"]):  # the rest is the city minus the published units
            groups.append(rest)
        for g in groups:
            if len(g):
                assert len(g) >= 5, (item, len(g))
                assert len(g) >= 10 or g.nunique() > 1, (item, list(g))
        # the distribution shows exactly the published units (and the city)
        d = results.distribution
        shown = set(d.loc[(d["measure"] == item) & d["count"].notna(), "unit"]) - {"city"}
        assert shown == published


# ------------------------------ a question and its dimension: the parts add up to it

def _unit_table(rows):
    """One unit's scores: (kind, measure, dimension, n, suppressed)."""
    import pandas as pd

    t = pd.DataFrame(rows, columns=["kind", "measure", "dimension", "n", "suppressed"])
    t.insert(0, "unit", "10573")
    return t


def test_a_question_withheld_alone_in_its_dimension_takes_another_with_it():
    from hailong.numbers.disclosure import protect_parts

    # D02 (7 answered) = 2.1 (7) + 2.2 (4, withheld) + 2.3 (6): D02 minus 2.1 and 2.3 would
    # give 2.2's answers; 2.3, the published question with the fewest answers, goes too;
    # then 2.1 is the only one left published, and goes as well
    scores = _unit_table([("dimension", "D02", "None", 7, False),
                          ("item", "D02_1", "D02", 7, False),
                          ("item", "D02_2", "D02", 4, True),
                          ("item", "D02_3", "D02", 6, False)])
    spans = _spans([("10573", m, n, 1, 5) for m, n in zip(scores["measure"], scores["n"])])
    got = scores.loc[protect_parts(scores, spans, 5, 10), "measure"].tolist()
    assert got == ["D02_1", "D02_3"]
    # with a fourth question, two stay published
    import pandas as pd

    four = pd.concat([scores, _unit_table([("item", "D02_4", "D02", 7, False)])],
                     ignore_index=True)
    spans = _spans([("10573", m, n, 1, 5) for m, n in zip(four["measure"], four["n"])])
    assert four.loc[protect_parts(four, spans, 5, 10), "measure"].tolist() == ["D02_3"]


def test_a_withheld_dimension_withholds_its_questions():
    from hailong.numbers.disclosure import protect_parts

    scores = _unit_table([("dimension", "D03", "None", 8, True),
                          ("item", "D03_1", "D03", 8, False),
                          ("item", "D03_2", "D03", 7, False)])
    spans = _spans([("10573", m, n, 1, 5) for m, n in zip(scores["measure"], scores["n"])])
    got = scores.loc[protect_parts(scores, spans, 5, 10), "measure"].tolist()
    assert got == ["D03_1", "D03_2"]


def test_when_no_question_is_left_the_dimension_is_withheld():
    from hailong.numbers.disclosure import protect_parts

    # two questions, both withheld, 3 + 1 answers pooled: fewer than min_n — only the
    # dimension itself is left to withhold
    scores = _unit_table([("dimension", "D10", "None", 4, False),
                          ("item", "D10_1", "D10", 3, True),
                          ("item", "D10_2", "D10", 1, True)])
    spans = _spans([("10573", m, n, 1, 5) for m, n in zip(scores["measure"], scores["n"])])
    assert scores.loc[protect_parts(scores, spans, 5, 10), "measure"].tolist() == ["D10"]
    # two withheld with 6 answers between them, mixed: nothing more to do
    safe = scores.assign(n=[8, 3, 3])
    spans = _spans([("10573", m, n, 1, 5) for m, n in zip(safe["measure"], safe["n"])])
    assert not protect_parts(safe, spans, 5, 10).any()
