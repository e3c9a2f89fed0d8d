"""The bundled sample data: deterministic, in the input formats, and realistic."""

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hailong.core.errors import ConfigError, ParameterError
from hailong.reference.codebook import load_codebook
from hailong.reference.config import load_config
from hailong.sample.generate import default_sample_dir, generate_sample

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data" / "sample" / "2022"
UNITS_CSV = ROOT / "data" / "reference" / "units-2022.csv"

ROSTER_HEADERS = ["Mã HTX", "Tên HTX", "Mã quận/huyện", "Mã xã/phường", "Ngành nghề",
                  "Loại hình", "Thành viên Liên minh", "Quy mô", "Năm thành lập", "Giám đốc",
                  "Điện thoại", "Zalo", "Email"]
FIRST_EXPORT_HEADERS = ["Dấu thời gian", "Mã HTX", "Tên HTX", "Loại hình",
                        "Họ và tên người trả lời", "Số điện thoại"]
# The 5-point scale written out by hand (docs: Rất không hài lòng 1 ... Rất hài lòng 5).
VALUE = {"Rất không hài lòng": 1, "Không hài lòng": 2, "Bình thường": 3, "Hài lòng": 4,
         "Rất hài lòng": 5}
PHONE = re.compile(r"^0900 \d{3} \d{3}$")
RURAL = {"311", "312", "313", "314", "315", "316", "317"}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return generate_sample(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def roster(files):
    return _read(files["roster"])


@pytest.fixture(scope="module")
def export(files):
    df = _read(files["responses"])
    df["ts"] = pd.to_datetime(df["Dấu thời gian"], format="%d/%m/%Y %H:%M:%S")
    return df


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(load_config().round(2022).codebook)


@pytest.fixture(scope="module")
def item_cols(export):
    """Headers of the scored dimension items ("<d>.<k>. text")."""
    return [c for c in export.columns if re.match(r"^\d+\.\d+\. ", c)]


@pytest.fixture(scope="module")
def latest(export, roster):
    """Latest submission of each coop id, with the roster's district."""
    with_id = export[export["Mã HTX"] != ""].sort_values("ts")
    last = with_id.drop_duplicates("Mã HTX", keep="last")
    return last.merge(roster[["Mã HTX", "Mã quận/huyện"]], on="Mã HTX", how="left")


def _coverage(export, n, day):
    end = pd.Timestamp(day) + pd.Timedelta(days=1)
    ids = export.loc[(export["ts"] < end) & (export["Mã HTX"] != ""), "Mã HTX"]
    return ids.nunique() / n


# --- Determinism -------------------------------------------------------------------------

def test_same_seed_gives_byte_identical_files_and_another_seed_differs(tmp_path, files):
    again = generate_sample(tmp_path / "again")
    other = generate_sample(tmp_path / "other", seed=7)
    for key in ("roster", "responses"):
        assert again[key].read_bytes() == files[key].read_bytes()
        assert other[key].read_bytes() != files[key].read_bytes()


def test_committed_sample_is_the_default_generation(files):
    for key, name in (("roster", "roster.csv"), ("responses", "responses.csv")):
        assert (COMMITTED / name).read_bytes() == files[key].read_bytes(), (
            f"data/sample/2022/{name} differs from a fresh `hailong sample --seed 2022`")


def test_files_are_utf8_nfc_with_unix_line_ends(files):
    for path in files.values():
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
        text = raw.decode("utf-8")
        assert text == unicodedata.normalize("NFC", text)
        assert text.endswith("\n")


def test_a_negative_or_non_integer_seed_is_refused(tmp_path):
    for bad in (-1, "2022", 1.5):
        with pytest.raises(ParameterError):
            generate_sample(tmp_path, seed=bad)


def test_a_round_without_dates_is_a_config_error_naming_the_file(tmp_path):
    cfg = tmp_path / "hailong.yaml"
    cfg.write_text("rounds:\n  2022:\n    codebook: c.yaml\n    units: u.csv\n"
                   "    roster: r.csv\n    responses: [s.csv]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        generate_sample(tmp_path / "out", config=load_config(cfg))
    assert info.value.file == str(cfg) and "opened" in str(info.value)


def test_default_output_is_the_sample_folder_not_raw_data():
    assert default_sample_dir(load_config()) == ROOT / "data" / "sample" / "2022"


# --- Roster ------------------------------------------------------------------------------

def test_roster_has_design_headers_and_consecutive_ids(roster):
    assert list(roster.columns) == ROSTER_HEADERS
    assert 390 <= len(roster) <= 410
    assert list(roster["Mã HTX"]) == [f"HP-{i:04d}" for i in range(1, len(roster) + 1)]


def test_every_commune_exists_under_its_district(roster):
    units = pd.read_csv(UNITS_CSV, dtype=str, keep_default_na=False)
    communes = units[units["level"] == "commune"]
    parent = dict(zip(communes["code"], communes["parent_code"]))
    districts = set(units.loc[units["level"] == "district", "code"])
    for _, row in roster.iterrows():
        assert row["Mã quận/huyện"] in districts
        if row["Mã quận/huyện"] == "318":
            assert row["Mã xã/phường"] == ""
        else:
            assert parent[row["Mã xã/phường"]] == row["Mã quận/huyện"], row["Mã HTX"]


def test_bach_long_vi_has_two_fisheries_coops(roster):
    island = roster[roster["Mã quận/huyện"] == "318"]
    assert len(island) == 2
    assert set(island["Ngành nghề"]) == {"Thủy sản"}


def test_roster_is_rural_and_agriculture_heavy(roster, codebook):
    assert 0.75 <= roster["Mã quận/huyện"].isin(RURAL).mean() <= 0.85
    assert roster["Mã quận/huyện"].isin({"303", "304", "305", "306", "307", "308", "309"}).any()
    assert set(roster["Ngành nghề"]) <= {s["vi"] for s in codebook.sectors.values()}
    assert 0.55 <= (roster["Ngành nghề"] == "Nông nghiệp").mean() <= 0.75
    assert (roster["Ngành nghề"] == "Thủy sản").sum() >= 10
    credit = roster["Ngành nghề"] == "Quỹ tín dụng nhân dân"
    assert 10 <= credit.sum() <= 14
    assert ((roster["Loại hình"] == "QTDND") == credit).all()
    assert (roster["Loại hình"] == "LHHTX").sum() >= 2
    assert set(roster["Loại hình"]) == {"HTX", "LHHTX", "QTDND"}


def test_roster_member_size_and_founding_year(roster):
    assert set(roster["Thành viên Liên minh"]) == {"Có", "Không"}
    assert 0.6 <= (roster["Thành viên Liên minh"] == "Có").mean() <= 0.8
    assert set(roster["Quy mô"]) <= {"Siêu nhỏ", "Nhỏ", "Vừa", "Lớn"}
    years = roster["Năm thành lập"].astype(int)
    assert years.between(1960, 2022).all()
    old_agri = years[roster["Ngành nghề"] == "Nông nghiệp"] < 1997
    assert old_agri.mean() > 0.3  # collectivisation-era HTX, re-registered since


def test_names_are_unique_within_a_district_and_name_their_place(roster):
    assert not roster.duplicated(["Mã quận/huyện", "Tên HTX"]).any()
    units = pd.read_csv(UNITS_CSV, dtype=str, keep_default_na=False).set_index("code")
    for _, row in roster.iterrows():
        name = row["Tên HTX"]
        assert name.startswith(("HTX ", "Quỹ tín dụng nhân dân ", "Liên hiệp HTX ")), name
        places = [units.at[row["Mã quận/huyện"], "name"]]
        if row["Mã xã/phường"]:
            places.append(units.at[row["Mã xã/phường"], "name"])
        assert any(p in name for p in places), name


def test_contact_data_is_clearly_fake(roster, export):
    assert roster["Điện thoại"].str.match(PHONE).all()
    assert (roster["Zalo"] == roster["Điện thoại"]).all()
    expected = "htx" + roster["Mã HTX"].str[3:] + "@example.com"
    assert (roster["Email"] == expected).all()
    assert roster["Giám đốc"].str.split().str.len().ge(3).all()
    assert export["Số điện thoại"].str.match(PHONE).all()
    assert (export["Họ và tên người trả lời"].str.split().str.len() >= 3).all()


# --- Survey export -----------------------------------------------------------------------

def test_export_headers_follow_the_codebook(export, codebook):
    expected = FIRST_EXPORT_HEADERS + [f"{it.number}. {it.vi}" for it in codebook.items]
    expected += [f"{codebook.overall.number}. {codebook.overall.vi}"]
    expected += [f"{q.number}. {q.vi}" for q in codebook.open_questions]
    assert list(export.columns[:-1]) == expected  # last column is the test's parsed "ts"


def test_coverage_passes_85_percent_on_16_may_and_ends_near_87(export, roster):
    n = len(roster)
    assert 0.85 <= _coverage(export, n, "2023-05-16") <= 0.88
    assert 0.85 <= _coverage(export, n, "2023-05-19") <= 0.92
    assert _coverage(export, n, "2023-05-19") > _coverage(export, n, "2023-05-16")


def test_timestamps_span_the_round_with_a_slow_start(export):
    assert export["ts"].min() >= pd.Timestamp("2023-02-15")
    assert export["ts"].max() < pd.Timestamp("2023-05-20")
    first = export[export["Mã HTX"] != ""].sort_values("ts").drop_duplicates("Mã HTX")
    month = first["ts"].dt.month
    assert (month == 2).mean() < 0.15
    assert month.isin([3, 4]).mean() > 0.6
    late = first[first["ts"] >= pd.Timestamp("2023-05-17")]
    assert 3 <= len(late) <= 10


def test_some_districts_lag_and_bach_long_vi_answers_once(latest, roster):
    answered = latest.groupby("Mã quận/huyện").size()
    share = (answered / roster.groupby("Mã quận/huyện").size()).fillna(0)
    assert answered["318"] == 1
    lagging = share.drop("318")[share.drop("318") < 0.80]
    assert 2 <= len(lagging) <= 4
    assert any(0.65 <= share[d] <= 0.75 for d in RURAL)


def test_every_answer_is_a_label_no_opinion_or_blank(export, codebook):
    allowed = {lb["vi"] for lb in codebook.scale.labels.values()} | set(codebook.no_opinion) | {""}
    scored = [f"{it.number}. {it.vi}" for it in codebook.scored_items]
    assert set(np.unique(export[scored].to_numpy())) <= allowed


def test_items_not_asked_of_a_variant_are_blank_and_asked_ones_answered(export, codebook):
    variant_of = {v["vi"]: vid for vid, v in codebook.variants.items()}
    assert set(export["Loại hình"]) <= set(variant_of)
    for it in codebook.items:
        col = export[f"{it.number}. {it.vi}"]
        asked = export["Loại hình"].map(variant_of).isin(it.variants)
        assert (col[~asked] == "").all(), it.id
        assert (col[asked] != "").all(), it.id
    # Worked example: item 7.3 is asked of NN and PNN only, so credit funds leave it blank.
    qtd = export[export["Loại hình"] == "Quỹ tín dụng nhân dân"]
    connect = "7.3. Chính quyền hỗ trợ kết nối HTX với tổ chức tín dụng"
    assert len(qtd) > 0 and (qtd[connect] == "").all()
    assert (export.loc[export["Loại hình"] == "HTX nông nghiệp", connect] != "").all()


def test_about_four_percent_of_answers_are_no_opinion(export, item_cols):
    cells = export[item_cols].to_numpy().ravel()
    asked = cells[cells != ""]
    assert 0.025 <= (asked == "Không ý kiến").mean() <= 0.06


def test_duplicates_half_identical_half_changed(export, item_cols):
    with_id = export[export["Mã HTX"] != ""].sort_values("ts")
    repeated = with_id[with_id["Mã HTX"].duplicated(keep=False)]
    pairs = list(repeated.groupby("Mã HTX"))
    assert 6 <= len(pairs) <= 10
    answers = item_cols + [c for c in export.columns if c.startswith("12. ")]
    changed = [int((g[answers].iloc[0] != g[answers].iloc[-1]).sum()) for _, g in pairs]
    assert changed.count(0) >= 2
    assert sum(1 for c in changed if 1 <= c <= 5) >= 2


def test_submissions_without_id_are_few_and_name_a_roster_coop(export, roster):
    blank = export[export["Mã HTX"] == ""]
    assert 0 < len(blank) <= 0.03 * len(export)

    def norm(name):
        n = " ".join(name.casefold().split())
        for long, short in (("hợp tác xã ", "htx "), ("quỹ tdnd ", "quỹ tín dụng nhân dân "),
                            ("qtdnd ", "quỹ tín dụng nhân dân ")):
            n = n.replace(long, short)
        return n

    known = {norm(n) for n in roster["Tên HTX"]}
    for name in blank["Tên HTX"]:
        assert name not in set(roster["Tên HTX"])  # written differently ...
        assert norm(name) in known, name  # ... but recognisably a roster coop


# --- Satisfaction ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scores(latest, item_cols):
    """Respondent index per design: mean of dimension means of the 1–5 values."""
    values = latest[item_cols].apply(lambda col: col.map(VALUE))
    dims = sorted({c.split(".")[0] for c in item_cols}, key=int)
    dim_means = pd.DataFrame({d: values[[c for c in item_cols if c.split(".")[0] == d]].mean(axis=1)
                              for d in dims})
    return dim_means, dim_means.mean(axis=1)


def test_city_index_is_between_65_and_75(scores):
    _, index = scores
    assert 65 <= (index.mean() - 1) / 4 * 100 <= 75


def test_credit_and_land_lowest_leadership_and_information_highest(scores):
    dim_means, _ = scores
    order = dim_means.mean().sort_values().index.tolist()
    assert set(order[:2]) == {"7", "8"}
    assert set(order[-2:]) == {"1", "2"}


def test_districts_spread_over_about_15_points(latest, scores):
    _, index = scores
    by = pd.DataFrame({"d": latest["Mã quận/huyện"].to_numpy(), "i": index.to_numpy()})
    agg = by.groupby("d")["i"].agg(["mean", "size"])
    agg = agg[agg["size"] >= 5]
    spread = (agg["mean"].max() - agg["mean"].min()) / 4 * 100
    assert 10 <= spread <= 25


def test_overall_item_follows_the_respondents_mean(latest, scores):
    _, index = scores
    overall = latest[[c for c in latest.columns if c.startswith("12. ")][0]].map(VALUE)
    ok = overall.notna().to_numpy() & index.notna().to_numpy()
    assert np.corrcoef(overall[ok], index[ok])[0, 1] > 0.5


# --- Open answers ------------------------------------------------------------------------

def test_open_questions_filled_by_about_60_and_50_percent(latest):
    diff = latest[[c for c in latest.columns if c.startswith("13. ")][0]]
    rec = latest[[c for c in latest.columns if c.startswith("14. ")][0]]
    assert 0.5 <= (diff != "").mean() <= 0.7
    assert 0.4 <= (rec != "").mean() <= 0.6
    topics = ("vốn", "đất", "thủ tục", "đào tạo", "tiêu thụ", "chuyển đổi số", "hạ tầng",
              "kênh mương", "giá")
    text = " ".join(diff) + " " + " ".join(rec)
    assert all(t in text for t in topics)


def test_a_few_open_answers_hold_personal_data(export, roster):
    open_cols = [c for c in export.columns if c.startswith(("13. ", "14. "))]
    names = dict(zip(roster["Mã HTX"], roster["Tên HTX"]))
    leaking = set()
    for _, row in export[export["Mã HTX"] != ""].iterrows():
        text = " ".join(row[open_cols])
        if (re.search(r"0900 \d{3} \d{3}", text) or "@" in text
                or names[row["Mã HTX"]] in text):
            leaking.add(row["Mã HTX"])
    assert 3 <= len(leaking) <= 5


# --- Several rounds: 2021 and 2023 (districts), 2025 (communes of the merged city) -------

SAMPLE = ROOT / "data" / "sample"
REF = ROOT / "data" / "reference"


@pytest.fixture(scope="module")
def rounds_written(tmp_path_factory):
    base = tmp_path_factory.mktemp("rounds")
    return {y: generate_sample(base / str(y), round_year=y) for y in (2021, 2023, 2025)}


@pytest.fixture(scope="module")
def rosters(rounds_written, roster):
    out = {y: _read(p["roster"]) for y, p in rounds_written.items()}
    out[2022] = roster
    return out


def test_committed_samples_of_other_rounds_are_their_default_generation(rounds_written):
    for year, paths in rounds_written.items():
        for key in ("roster", "responses"):
            committed = SAMPLE / str(year) / paths[key].name
            assert committed.read_bytes() == paths[key].read_bytes(), (
                f"data/sample/{year}/{paths[key].name} differs from "
                f"`hailong sample --round {year}`")


def test_2021_uses_the_older_questionnaire(rounds_written):
    export = _read(rounds_written[2021]["responses"])
    v0 = load_codebook(ROOT / "data" / "reference" / "codebook" / "codebook-v0.yaml")
    items = [c for c in export.columns if re.match(r"^\d+\.\d+\. ", c)]
    assert items == [f"{it.number}. {it.vi}" for it in v0.items]
    assert "3.2. HTX không phải chi trả chi phí không chính thức khi làm thủ tục" in items
    assert any(c.startswith("6.3. ") for c in items)       # dropped in 2022
    assert not any(c.startswith("2.3. ") for c in items)   # added in 2022


def test_rounds_share_their_cooperatives_under_the_same_codes(rosters):
    r21, r22, r23 = (rosters[y].set_index("Mã HTX") for y in (2021, 2022, 2023))
    founded = r22["Năm thành lập"].astype(int)
    assert set(r22.index[founded <= 2021]) <= set(r21.index)
    assert set(r22.index[founded > 2021]).isdisjoint(r21.index)
    only21 = r21.index.difference(r22.index)                # dissolved before 2022
    assert len(only21) >= 4 and all(c >= "HP-0901" for c in only21)
    same = r21.index.intersection(r22.index)
    assert (r21.loc[same, "Tên HTX"] == r22.loc[same, "Tên HTX"]).all()
    new23 = r23.index.difference(r22.index)
    gone23 = r22.index.difference(r23.index)
    assert 0.02 <= len(new23) / len(r22) <= 0.04 and 0.01 <= len(gone23) / len(r22) <= 0.03
    assert (r23.loc[new23, "Năm thành lập"] == "2023").all()
    assert min(new23) > max(r22.index)                      # codes are never reused


def test_2025_roster_has_no_districts_and_every_cooperative_in_a_new_commune(rosters):
    r25 = rosters[2025]
    assert (r25["Mã quận/huyện"] == "").all()
    units = pd.read_csv(REF / "units-2025.csv", dtype=str, keep_default_na=False)
    communes = set(units.loc[units["level"] == "commune", "code"])
    assert set(r25["Mã xã/phường"]) <= communes
    assert r25["Mã xã/phường"].nunique() >= 100        # nearly every commune has some
    cw = pd.read_csv(REF / "crosswalk-communes-2025.csv", dtype=str, keep_default_na=False)
    former_hd = set(cw.loc[cw["from_province"] == "30", "to_code"])
    hd = r25[r25["Mã HTX"].str.startswith("HD-")]
    assert 400 <= len(hd) <= 500 and set(hd["Mã xã/phường"]) <= former_hd
    assert set(r25.loc[~r25.index.isin(hd.index), "Mã xã/phường"]).isdisjoint(former_hd)
    assert r25["Mã HTX"].is_unique and r25["Điện thoại"].is_unique


def test_2025_cooperatives_moved_into_a_commune_their_district_went_into(rosters):
    r24 = rosters[2023].set_index("Mã HTX")   # districts as last surveyed
    r25 = rosters[2025].set_index("Mã HTX")
    dcw = pd.read_csv(REF / "crosswalk-districts-2022-2025.csv", dtype=str,
                      keep_default_na=False)
    allowed = dcw.groupby("from_code")["to_code"].agg(set).to_dict()
    kept = r25.index.intersection(r24.index)
    assert len(kept) >= 0.9 * len(r24)
    for coop in kept:
        assert r25.at[coop, "Mã xã/phường"] in allowed[r24.at[coop, "Mã quận/huyện"]], coop
    island = r24.index[r24["Mã quận/huyện"] == "318"].intersection(kept)
    assert len(island) and (r25.loc[island, "Mã xã/phường"] == "11948").all()


def _land_index(path: Path, roster: pd.DataFrame, district: str) -> float:
    """Thuỷ Nguyên's land index (D08 items 8.x) by hand from an export."""
    export = _read(path)
    export = export[export["Mã HTX"] != ""].drop_duplicates("Mã HTX", keep="last")
    export = export.merge(roster[["Mã HTX", "Mã quận/huyện"]], on="Mã HTX")
    cols = [c for c in export.columns if c.startswith("8.")]
    values = export.loc[export["Mã quận/huyện"] == district, cols].apply(
        lambda col: col.map(VALUE)).mean(axis=1)
    return (values.mean() - 1) / 4 * 100


def test_land_access_in_thuy_nguyen_improves_from_round_to_round(rounds_written, rosters, files):
    by_year = {2021: rounds_written[2021]["responses"], 2022: files["responses"],
               2023: rounds_written[2023]["responses"]}
    land = {y: _land_index(p, rosters[y], "311") for y, p in by_year.items()}
    assert land[2021] + 5 < land[2022] and land[2022] + 5 < land[2023]
