"""The synthetic roster of one round: cooperatives placed in the communes, with sector,
legal form, name, membership, size, founding year, director and fake contacts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hailong.core.errors import ConfigError
from hailong.core.text import nfc
from hailong.reference.codebook import Codebook
from hailong.reference.geography import Units
from hailong.sample.generate.draws import _largest_remainder, _phone, _pick
from hailong.sample.generate.vocabulary import (
    FEMALE_DIRECTOR,
    SECTOR_NAMES,
    UNION_NAMES,
    _person,
)

ROSTER_SIZE, ROSTER_JITTER = 400, 8
#: Cooperatives per commune by district type; districts without communes get ISLAND_COOPS.
COOPS_PER_COMMUNE = {"huyện": 2.1, "quận": 1.2}
COOPS_PER_COMMUNE_OTHER = 1.5
ISLAND_COOPS, ISLAND_SECTOR = 2, "thuy_san"
CREDIT_SECTOR, CREDIT_FUNDS = "tin_dung", 12
UNION_COUNT = 4
MEMBER_SHARE, MEMBER_SHARE_CREDIT = 0.70, 0.85
FOUNDED_MIN = 1960
#: Coastal rural districts (more fisheries and salt); urban = district type "quận".
COASTAL_DISTRICTS = {"314", "315", "317"}
SECTOR_MIX = {
    "rural": {"nong_nghiep": 83, "thuy_san": 4, "lam_nghiep": 0.5, "cong_nghiep": 4,
              "xay_dung": 1.5, "thuong_mai": 3, "van_tai": 2, "moi_truong": 3, "khac": 1},
    "coastal": {"nong_nghiep": 66, "thuy_san": 17, "diem_nghiep": 2.5, "lam_nghiep": 0.5,
                "cong_nghiep": 3, "xay_dung": 1.5, "thuong_mai": 3, "van_tai": 2.5,
                "moi_truong": 3, "khac": 1},
    "urban": {"nong_nghiep": 22, "thuy_san": 6, "cong_nghiep": 12, "xay_dung": 8,
              "thuong_mai": 17, "van_tai": 18, "moi_truong": 10, "nha_o": 5, "khac": 2},
}
SIZE_CLASSES = ("Siêu nhỏ", "Nhỏ", "Vừa", "Lớn")
SIZE_MIX = {"HTX": (0.38, 0.42, 0.15, 0.05), "QTDND": (0, 0.35, 0.5, 0.15),
            "LHHTX": (0, 0.25, 0.5, 0.25)}
LEGACY_SECTORS = {"nong_nghiep": 0.6, "lam_nghiep": 0.5, "diem_nghiep": 0.7, "thuy_san": 0.3}


def _make_roster(rng: np.random.Generator, codebook: Codebook, units: Units,
                 last_year: int = 2022, size: int | None = None) -> pd.DataFrame:
    """Synthetic roster in canonical columns (``member`` as bool), sorted by ``coop_id``.

    Parameters
    ----------
    rng
        The random generator (consumed deterministically).
    codebook, units
        Sectors come from the codebook, districts and communes from the unit table.
    last_year
        Latest founding year (the round's year).
    size
        About how many cooperatives (default :data:`ROSTER_SIZE`).
    """
    coops = _place_coops(rng, units, size)
    coops["sector"] = _assign_sectors(rng, coops, codebook)
    coops["legal_form"] = np.where(coops["sector"] == CREDIT_SECTOR, "QTDND", "HTX")
    unions = coops[coops["sector"].isin(list(UNION_NAMES)) & (coops["profile"] != "island")]
    unions = unions.drop_duplicates("district_code")
    pick = rng.choice(unions.index.to_numpy(), size=min(UNION_COUNT, len(unions)), replace=False)
    coops.loc[np.sort(pick), "legal_form"] = "LHHTX"
    coops["coop_name"] = _names(rng, coops, codebook, units)
    coops = coops.sort_values(["district_code", "commune_code", "coop_name"], kind="stable")
    coops = coops.reset_index(drop=True)
    coops.insert(0, "coop_id", [f"HP-{i + 1:04d}" for i in range(len(coops))])
    coops["variant"] = [codebook.variant_of_sector(s) for s in coops["sector"]]
    return _add_details(rng, coops, last_year)


def _districts(units: Units) -> list[tuple[str, str, list[str]]]:
    """(code, type, commune codes) of every district, in code order."""
    codes = units.codes("district")
    if not codes:
        raise ConfigError("err.unit_table_district_so", file=units.path)
    communes = set(units.codes("commune"))
    return [(d, units.table.loc[d, "type"], [c for c in units.children(d) if c in communes])
            for d in codes]


def _profile(code: str, kind: str) -> str:
    if kind in ("quận", "thành phố"):
        return "urban"
    return "coastal" if code in COASTAL_DISTRICTS else "rural"


def _place_coops(rng: np.random.Generator, units: Units, size: int | None = None) -> pd.DataFrame:
    """One row per cooperative (about ``size``, default ROSTER_SIZE): district, commune,
    profile (no sector yet)."""
    districts = _districts(units)
    total = (size or ROSTER_SIZE) + int(rng.integers(-ROSTER_JITTER, ROSTER_JITTER + 1))
    islands = [d for d, _, comm in districts if not comm]
    weights = {d: len(comm) * COOPS_PER_COMMUNE.get(kind, COOPS_PER_COMMUNE_OTHER)
               for d, kind, comm in districts if comm}
    sizes = _largest_remainder(weights, total - ISLAND_COOPS * len(islands))
    rows = []
    for d, kind, comm in districts:
        if not comm:
            rows += [(d, "", "island")] * ISLAND_COOPS
            continue
        n = sizes[d]
        base = list(comm) if kind != "quận" and n >= len(comm) else []
        extra = rng.choice(len(comm), size=n - len(base), replace=True)
        chosen = sorted(base + [comm[i] for i in extra])
        rows += [(d, c, _profile(d, kind)) for c in chosen]
    return pd.DataFrame(rows, columns=["district_code", "commune_code", "profile"])


def _assign_sectors(rng: np.random.Generator, coops: pd.DataFrame, codebook: Codebook) -> pd.Series:
    """Sector id of every cooperative: credit funds first (one per commune), then the mix."""
    sectors = codebook.sectors
    island = ISLAND_SECTOR if ISLAND_SECTOR in sectors else next(iter(sectors))
    out = pd.Series("", index=coops.index, dtype=object)
    out[coops["profile"] == "island"] = island
    if CREDIT_SECTOR in sectors:
        places = coops[coops["profile"] != "island"].drop_duplicates("commune_code")
        w = np.where(places["profile"] == "urban", 0.4, 1.0)
        pick = rng.choice(places.index.to_numpy(), size=min(CREDIT_FUNDS, len(places)),
                          replace=False, p=w / w.sum())
        out[np.sort(pick)] = CREDIT_SECTOR
    for i in coops.index[out == ""]:
        mix = {s: w for s, w in SECTOR_MIX[coops.at[i, "profile"]].items() if s in sectors}
        out[i] = _pick(rng, mix) if mix else next(iter(sectors))
    return out


def _founded(rng: np.random.Generator, sector: str, legal_form: str, last: int) -> int:
    """Founding year: old agricultural HTX from collectivisation, the rest recent."""
    if legal_form == "QTDND":
        lo, hi = 1994, 2008
    elif legal_form == "LHHTX":
        lo, hi = 2005, last
    elif rng.random() < LEGACY_SECTORS.get(sector, 0.0):
        lo, hi = FOUNDED_MIN, 1996
    else:
        lo, hi = 1997, last
    return int(lo + round((hi - lo) * rng.beta(1.3, 1.6)))


def _names(rng: np.random.Generator, coops: pd.DataFrame, codebook: Codebook,
           units: Units) -> list[str]:
    """Realistic names from sector and commune (unions: district), unique per district."""
    names, taken = [], {}
    for row in coops.itertuples():
        seen = taken.setdefault(row.district_code, set())
        dname = units.name(row.district_code)
        if row.legal_form == "LHHTX":
            name = nfc(UNION_NAMES[row.sector].format(d=dname))
        else:
            place = units.name(row.commune_code) if row.commune_code else dname
            sector_vi = codebook.sectors[row.sector]["vi"]
            name = _name_coop(rng, row.sector, sector_vi, place, dname, seen)
        seen.add(name)
        names.append(name)
    return names


def _name_coop(rng: np.random.Generator, sector: str, sector_vi: str, commune: str,
               district: str, taken: set[str]) -> str:
    """A realistic name, unique in ``taken`` (the district's names so far)."""
    templates = dict(SECTOR_NAMES.get(sector) or {f"HTX {sector_vi} {{c}}": 1})
    while templates:
        t = _pick(rng, templates)
        name = nfc(t.format(c=commune, d=district))
        if name not in taken:
            return name
        del templates[t]
    k = 2
    while f"{name} {k}" in taken:
        k += 1
    return f"{name} {k}"


def _add_details(rng: np.random.Generator, coops: pd.DataFrame, last_year: int) -> pd.DataFrame:
    """Membership, size, founding year, director and fake contact data."""
    n = len(coops)
    credit = (coops["legal_form"] == "QTDND").to_numpy()
    coops["member"] = rng.random(n) < np.where(credit, MEMBER_SHARE_CREDIT, MEMBER_SHARE)
    coops.loc[coops["legal_form"] == "LHHTX", "member"] = True
    coops["size_class"] = [SIZE_CLASSES[rng.choice(4, p=SIZE_MIX[f])] for f in coops["legal_form"]]
    coops["founded_year"] = [_founded(rng, s, f, last_year)
                             for s, f in zip(coops["sector"], coops["legal_form"])]
    female = rng.random(n) < np.where(credit, 0.5, FEMALE_DIRECTOR)
    coops["director_female"] = female
    coops["director_name"] = [_person(rng, bool(f)) for f in female]
    coops["phone"] = [_phone(int(x)) for x in rng.choice(1_000_000, size=n, replace=False)]
    coops["zalo"] = coops["phone"]
    coops["email"] = [f"htx{i + 1:04d}@example.com" for i in range(n)]
    return coops
