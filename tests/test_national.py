"""The national sample: a synthetic country read and aggregated like the Hai Phong round.

Made small here (the full size, ~30,000 cooperatives, is what bench/build.py measures).
Expected counts are taken from the written CSV files with plain pandas, not from the
library's own tables.
"""

from __future__ import annotations

import pandas as pd
import pytest

from hailong.cli import main
from hailong.sample.national import PROVINCES, generate_national

COOPS, COMMUNES = 600, 80


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    out = tmp_path_factory.mktemp("national")
    written = generate_national(out, seed=7, coops=COOPS, communes=COMMUNES)
    return written


def _csv(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_the_country_has_34_provinces_and_every_commune_belongs_to_one(national):
    units = _csv(national["units"])
    assert units["level"].value_counts().to_dict() == {"commune": COMMUNES, "district": 34,
                                                       "province": 1}
    provinces = units[units["level"] == "district"]
    assert sorted(provinces["name"]) == sorted(p[1] for p in PROVINCES)
    assert "Hải Phòng" in set(provinces["name"]) and "Hồ Chí Minh" in set(provinces["name"])
    communes = units[units["level"] == "commune"]
    assert communes["code"].is_unique and communes["code"].str.fullmatch(r"\d{5}").all()
    assert set(communes["parent_code"]) == set(provinces["code"])  # one at least in each
    assert (communes["code"].str[:2] == communes["parent_code"]).all()
    assert not communes.groupby("parent_code")["name"].apply(lambda s: s.duplicated().any()).any()
    assert national["provinces"] == 34 and national["communes"] == COMMUNES


def test_the_roster_and_the_export_have_the_real_files_layout(national):
    roster, responses = _csv(national["roster"]), _csv(national["responses"])
    units = _csv(national["units"]).set_index("code")
    assert len(roster) == COOPS == national["coops"] and roster["Mã HTX"].is_unique
    assert (roster["Mã quận/huyện"] == roster["Mã xã/phường"].map(units["parent_code"])).all()
    assert roster["Điện thoại"].str.fullmatch(r"0900 \d{3} \d{3}").all()
    assert roster["Email"].str.endswith("@example.com").all()
    assert responses["Mã HTX"].is_unique and responses["Mã HTX"].isin(roster["Mã HTX"]).all()
    assert len(responses) == national["responses_n"] == round(0.82 * COOPS)
    assert responses.columns[0] == "Dấu thời gian"
    assert responses.columns[-1].startswith("14. ")


def test_the_same_seed_gives_the_same_files(national, tmp_path):
    again = generate_national(tmp_path, seed=7, coops=COOPS, communes=COMMUNES)
    for key in ("units", "roster", "responses"):
        assert again[key].read_bytes() == national[key].read_bytes(), key
    other = generate_national(tmp_path / "other", seed=8, coops=COOPS, communes=COMMUNES)
    assert other["roster"].read_bytes() != national["roster"].read_bytes()


def test_results_by_commune_and_by_province_count_every_cooperative(national):
    from hailong.ingest.store import read_processed
    from hailong.numbers.pipeline import load_results, open_round
    from hailong.numbers.scoring import compute_results

    res = load_results(config_path=national["config"])
    roster, responses = _csv(national["roster"]), _csv(national["responses"])
    listed = roster.groupby("Mã xã/phường").size()
    answered = roster[roster["Mã HTX"].isin(responses["Mã HTX"])].groupby("Mã xã/phường").size()
    cov = res.coverage.set_index("unit")
    assert len(cov) == COMMUNES + 1 and res.meta["level"] == "commune"
    assert cov.loc[listed.index, "roster_n"].tolist() == listed.tolist()
    assert cov.loc[answered.index, "answered"].tolist() == answered.tolist()
    assert (cov.loc["city", "roster_n"], cov.loc["city", "answered"]) == (COOPS, len(responses))

    ctx = open_round(config_path=national["config"])
    data = read_processed(ctx.processed_dir)
    by_province = compute_results(data.responses, data.roster, ctx.codebook, ctx.units,
                                  level="district", min_n=5)
    pcov = by_province.coverage.set_index("unit")
    per_province = roster.groupby("Mã quận/huyện").size()
    assert len(pcov) == 35
    assert pcov.loc[per_province.index, "roster_n"].tolist() == per_province.tolist()


def test_the_cli_writes_the_national_sample_where_asked(tmp_path, capsys):
    assert main(["sample", "--scale", "national", "--coops", "300",
                 "--out", str(tmp_path / "n")]) == 0
    out = capsys.readouterr().out
    assert "300 cooperatives, 34 provinces, 3321 communes" in out
    assert len(_csv(tmp_path / "n" / "roster.csv")) == 300
    assert (tmp_path / "n" / "hailong.yaml").is_file()
