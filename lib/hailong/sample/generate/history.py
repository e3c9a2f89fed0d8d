"""Several rounds, one history: the roster of a round other than :data:`BASE_YEAR`
(cooperatives founded, dissolved, moved by the 2025 reform, joined by former Hải Dương)
and the latent shift of its answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hailong.core.errors import ConfigError
from hailong.reference.codebook import Codebook, load_codebook
from hailong.reference.config import Config, Round
from hailong.reference.geography import Crosswalk, Units, load_crosswalk, load_units
from hailong.sample.generate.draws import _phone
from hailong.sample.generate.roster import _make_roster

#: The round whose roster every other round's roster is derived from.
BASE_YEAR = 2022
#: Each year after BASE_YEAR: share of the roster dissolved, share newly founded.
DISSOLVED_PER_YEAR, FOUNDED_PER_YEAR = 0.02, 0.03
#: Codes of cooperatives of earlier rounds that were dissolved before BASE_YEAR start here
#: (codes are never reused, so they stay apart from the codes of later foundings).
EARLIER_CODES_FROM = 901
#: Latent shift of every answer in a round, relative to BASE_YEAR.
ROUND_SHIFT = {2021: -0.12, 2023: 0.06, 2025: 0.1}
#: Extra latent shift of one dimension's answers: round -> {(district or "*", dimension): shift}
#: (district = the cooperative's district before the reform).
ROUND_DIMENSION_SHIFT = {
    2021: {("*", "D08"): -0.1, ("311", "D08"): -0.25},
    2023: {("*", "D07"): 0.2, ("311", "D08"): 0.4},
    2025: {("*", "D07"): 0.3, ("311", "D08"): 0.5},
}
#: Cooperatives of former Hải Dương joining after the merger, and their latent shift.
HAI_DUONG_COOPS, HAI_DUONG_EFFECT = 450, -0.15
HAI_DUONG = ("30", "Hải Dương", "Tỉnh Hải Dương")
#: Crosswalks used to move cooperatives to the 2025 communes (relative to the data folder).
COMMUNE_CROSSWALK = Path("reference") / "crosswalk-communes-2025.csv"
DISTRICT_CROSSWALK = Path("reference") / "crosswalk-districts-2022-2025.csv"
#: Name prefixes of unit types (longest first), as the crosswalk's names write them.
UNIT_TYPES = ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Phường", "Huyện", "Quận", "Tỉnh",
              "Xã")


def _round_shift(coop: pd.DataFrame, items, year: int) -> np.ndarray:
    """Latent shift (respondents x items) of a round relative to BASE_YEAR."""
    shift = np.full((len(coop), len(items)), ROUND_SHIFT.get(year, 0.0))
    if "origin" in coop:
        shift += HAI_DUONG_EFFECT * (coop["origin"].to_numpy() == "HD")[:, None]
    district = coop["district_code"].to_numpy()
    for (where, dim), value in ROUND_DIMENSION_SHIFT.get(year, {}).items():
        rows = np.ones(len(coop), bool) if where == "*" else district == where
        cols = np.asarray([it.dimension == dim for it in items])
        shift[np.ix_(rows, cols)] += value
    return shift


def _roster_of_round(seed: int, config: Config, rnd: Round, codebook: Codebook,
                     units: Units) -> tuple[pd.DataFrame, np.random.Generator]:
    """The roster of a round other than BASE_YEAR, and the generator for its survey.

    The BASE_YEAR roster (same seed, same draws) loses the cooperatives founded after an
    earlier round; for a later round, each year dissolves and founds a few; after the
    reform the cooperatives move to the new communes and former Hải Dương joins.
    """
    base = config.rounds[BASE_YEAR]
    base_codebook = load_codebook(base.codebook)
    base_units = load_units(base.units, on=base.geography_date)
    roster = _make_roster(np.random.default_rng(seed), base_codebook, base_units,
                          last_year=BASE_YEAR)
    unknown = sorted(set(roster["sector"]) - set(codebook.sectors))
    if unknown:
        raise ConfigError("err.codebook_round_lacks_sectors", file=rnd.codebook, found=unknown,
                          year=rnd.year)
    roster["origin"] = "HP"
    # One generator per year of history, so that every round tells the same history.
    if rnd.year < BASE_YEAR:
        roster = roster[roster["founded_year"] <= rnd.year].reset_index(drop=True)
        roster = _add_coops(np.random.default_rng([seed, rnd.year, 0]), roster,
                            base_codebook, base_units, rnd.year,
                            round(DISSOLVED_PER_YEAR * len(roster)), EARLIER_CODES_FROM)
    for year in range(BASE_YEAR + 1, rnd.year + 1):
        roster = _next_year(np.random.default_rng([seed, year, 0]), roster, base_codebook,
                            base_units, year)
    if not units.codes("district"):
        roster = _after_reform(np.random.default_rng([seed, rnd.year, 1]), roster, config,
                               codebook, units, rnd.year)
    return roster, np.random.default_rng([seed, rnd.year])


def _id_number(coop_id: pd.Series) -> pd.Series:
    return coop_id.str.split("-").str[-1].astype(int)


def _fresh_phones(rng: np.random.Generator, n: int, used: set[str]) -> list[str]:
    out = []
    while len(out) < n:
        phone = _phone(int(rng.integers(1_000_000)))
        if phone not in used:
            used.add(phone)
            out.append(phone)
    return out


def _next_year(rng: np.random.Generator, roster: pd.DataFrame, codebook: Codebook,
               units: Units, year: int) -> pd.DataFrame:
    """The roster a year later: a few HTX dissolved, a few founded (new codes)."""
    n = len(roster)
    plain = np.flatnonzero((roster["legal_form"] == "HTX").to_numpy()
                           & (roster["commune_code"] != "").to_numpy())
    gone = rng.choice(plain, size=round(DISSOLVED_PER_YEAR * n), replace=False)
    roster = roster.drop(roster.index[gone]).reset_index(drop=True)
    new = _add_coops(rng, roster, codebook, units, year, round(FOUNDED_PER_YEAR * n))
    new.loc[len(roster):, "founded_year"] = year
    return new


def _add_coops(rng: np.random.Generator, roster: pd.DataFrame, codebook: Codebook,
               units: Units, year: int, k: int, first_code: int | None = None) -> pd.DataFrame:
    """``roster`` plus ``k`` plain HTX (founded by ``year``), with new codes and phones.

    Codes continue after the roster's highest, or start at ``first_code``.
    """
    fresh = _make_roster(rng, codebook, units, last_year=year)
    fresh = fresh[(fresh["legal_form"] == "HTX") & (fresh["commune_code"] != "")]
    taken = set(zip(roster["district_code"], roster["coop_name"]))
    rows = []
    for i in rng.permutation(fresh.index.to_numpy()):
        key = (fresh.at[i, "district_code"], fresh.at[i, "coop_name"])
        if key not in taken:
            taken.add(key)
            rows.append(i)
        if len(rows) == k:
            break
    new = fresh.loc[rows].copy()
    start = first_code or int(_id_number(roster["coop_id"]).max()) + 1
    numbers = range(start, start + len(new))
    new["coop_id"] = [f"HP-{k:04d}" for k in numbers]
    new["email"] = [f"htx{k:04d}@example.com" for k in numbers]
    new["phone"] = _fresh_phones(rng, len(new), set(roster["phone"]))
    new["zalo"] = new["phone"]
    new["origin"] = "HP"
    return pd.concat([roster, new], ignore_index=True)


def _split_type(full_name: str) -> tuple[str, str]:
    """``"Huyện Nam Sách"`` -> ``("huyện", "Nam Sách")``."""
    for kind in UNIT_TYPES:
        if full_name.startswith(kind + " "):
            return kind.lower(), full_name[len(kind) + 1:]
    return "", full_name


def _old_hai_duong(crosswalk: Crosswalk) -> Units:
    """Hải Dương's districts and communes before the reform, from the commune crosswalk."""
    t = crosswalk.table
    hd = t[t["from_province"] == HAI_DUONG[0]].drop_duplicates("from_code")
    rows = [(HAI_DUONG[0], HAI_DUONG[1], HAI_DUONG[2], "province", "tỉnh", "")]
    for code, full in hd.drop_duplicates("from_district")[["from_district",
                                                           "from_district_name"]].to_numpy():
        kind, name = _split_type(full)
        rows.append((code, name, full, "district", kind, HAI_DUONG[0]))
    for code, full, parent in hd[["from_code", "from_name", "from_district"]].to_numpy():
        kind, name = _split_type(full)
        rows.append((code, name, full, "commune", kind, parent))
    table = pd.DataFrame(rows, columns=["code", "name", "full_name", "level", "type",
                                        "parent_code"]).assign(valid_from="", valid_to="")
    table.index = pd.Index(table["code"].to_numpy())
    return Units(path=crosswalk.path, table=table)


def _after_reform(rng: np.random.Generator, roster: pd.DataFrame, config: Config,
                  codebook: Codebook, units: Units, year: int) -> pd.DataFrame:
    """Every cooperative in its new commune, plus the cooperatives of former Hải Dương.

    A commune code of the old roster that the commune crosswalk lists goes to one of its
    new communes (drawn when it was split); one it does not list (merged away before
    2025) goes to one of the new communes of its district. ``district_code`` keeps the
    district before the reform (for the simulation only; the roster file leaves it empty).
    """
    communes = load_crosswalk(config.data_dir / COMMUNE_CROSSWALK)
    districts = load_crosswalk(config.data_dir / DISTRICT_CROSSWALK)
    listed = set(communes.table.loc[communes.table["from_province"] != HAI_DUONG[0],
                                    "from_code"])

    def move(commune: str, district: str) -> str:
        targets = (communes.targets(commune) if commune in listed
                   else districts.targets(district))
        return targets[int(rng.integers(len(targets)))]

    roster = roster.copy()
    roster["commune_code"] = [move(c, d) for c, d in zip(roster["commune_code"],
                                                         roster["district_code"])]
    hd = _make_roster(rng, codebook, _old_hai_duong(communes), last_year=year,
                      size=HAI_DUONG_COOPS)
    numbers = _id_number(hd["coop_id"])
    hd["coop_id"] = [f"HD-{k:04d}" for k in numbers]
    hd["email"] = [f"hd{k:04d}@example.com" for k in numbers]
    hd["phone"] = _fresh_phones(rng, len(hd), set(roster["phone"]))
    hd["zalo"] = hd["phone"]
    hd["origin"] = "HD"
    hd["commune_code"] = [communes.targets(c)[int(rng.integers(len(communes.targets(c))))]
                          for c in hd["commune_code"]]
    out = pd.concat([roster, hd], ignore_index=True)
    unknown = set(out["commune_code"]) - set(units.codes("commune"))
    if unknown:
        raise ConfigError("err.crosswalk_leads_communes_round", file=units.path,
                          found=sorted(unknown))
    return out
