"""A synthetic country at the size of the national survey, to measure builds at scale.

``hailong sample --scale national`` writes, into a folder outside git (default
``data/processed/national/``): a unit table of 34 provinces and ~3,300 communes (the
geography after the 2025 reform: no district level), a roster of ~30,000 cooperatives,
the survey export of those that answered, and a configuration file (``hailong.yaml``)
that reads them as one round reported by commune — so that ``hailong build --config
data/processed/national/hailong.yaml`` and :func:`hailong.numbers.pipeline.load_results` work on
it as on the Hai Phong sample. Everything but the province names is invented (commune
names, cooperatives, people; phones ``0900 xxx xxx``); the same seed gives the same files.

The model's levels are used as they are: the nation is the top unit (the "city" of the
reports), each province is a unit of level ``district`` (its code in the roster's
``Mã quận/huyện`` column), each commune a unit of level ``commune`` — so results can be
computed by commune (the round's level) or by province (``level="district"``).

The file layout, headers and answer labels are those of the real files (written by the
same functions as the Hai Phong sample, :mod:`hailong.sample.generate`); the satisfaction model
adds a province and a commune effect to the sample's model.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

import hailong.sample.generate as hp
from hailong.core.errors import ParameterError
from hailong.core.text import nfc
from hailong.core.yamltext import parse_yaml
from hailong.reference.codebook import Codebook, load_codebook
from hailong.reference.config import Config, load_config

__all__ = ["generate_national", "default_national_dir", "PROVINCES"]

#: The 34 provinces and centrally governed cities from 1 July 2025 (code, name, type).
#: Codes are given for readability; nothing joins on them but this sample.
PROVINCES = (
    ("01", "Hà Nội", "thành phố"), ("04", "Cao Bằng", "tỉnh"), ("08", "Tuyên Quang", "tỉnh"),
    ("11", "Điện Biên", "tỉnh"), ("12", "Lai Châu", "tỉnh"), ("14", "Sơn La", "tỉnh"),
    ("15", "Lào Cai", "tỉnh"), ("19", "Thái Nguyên", "tỉnh"), ("20", "Lạng Sơn", "tỉnh"),
    ("22", "Quảng Ninh", "tỉnh"), ("24", "Bắc Ninh", "tỉnh"), ("25", "Phú Thọ", "tỉnh"),
    ("31", "Hải Phòng", "thành phố"), ("33", "Hưng Yên", "tỉnh"), ("37", "Ninh Bình", "tỉnh"),
    ("38", "Thanh Hóa", "tỉnh"), ("40", "Nghệ An", "tỉnh"), ("42", "Hà Tĩnh", "tỉnh"),
    ("44", "Quảng Trị", "tỉnh"), ("46", "Huế", "thành phố"), ("48", "Đà Nẵng", "thành phố"),
    ("51", "Quảng Ngãi", "tỉnh"), ("52", "Gia Lai", "tỉnh"), ("56", "Khánh Hòa", "tỉnh"),
    ("66", "Đắk Lắk", "tỉnh"), ("68", "Lâm Đồng", "tỉnh"), ("75", "Đồng Nai", "tỉnh"),
    ("79", "Hồ Chí Minh", "thành phố"), ("80", "Tây Ninh", "tỉnh"),
    ("82", "Đồng Tháp", "tỉnh"), ("86", "Vĩnh Long", "tỉnh"), ("91", "An Giang", "tỉnh"),
    ("92", "Cần Thơ", "thành phố"), ("96", "Cà Mau", "tỉnh"),
)
#: Code and names of the top unit (the whole country).
NATION = ("00", "Việt Nam", "Toàn quốc")
#: Default sizes: communes (wards and special zones included) and cooperatives.
COMMUNES, COOPS = 3321, 30_000
#: Share of the roster that answers (members and credit funds answer more often).
RESPONSE_RATE = 0.82
#: Standard deviations of the province and commune effects on the latent scale.
PROVINCE_SD, COMMUNE_SD = 0.25, 0.2
#: Share of communes that are wards (phường) and how many special zones (đặc khu).
WARD_SHARE, SPECIAL_ZONES = 0.21, 13
#: Sector mix of the country's cooperatives (the codebook's sector ids).
SECTOR_MIX = {"nong_nghiep": 62, "thuy_san": 5, "lam_nghiep": 2, "diem_nghiep": 0.5,
              "cong_nghiep": 6, "xay_dung": 3, "thuong_mai": 8, "van_tai": 4,
              "moi_truong": 4, "nha_o": 0.5, "tin_dung": 4, "khac": 1}
#: Syllables of the invented commune names.
SYLLABLES = ("An", "Bình", "Hòa", "Phú", "Tân", "Thành", "Long", "Phước", "Đông", "Tây",
             "Nam", "Bắc", "Hưng", "Thịnh", "Quang", "Minh", "Đức", "Trung", "Lộc", "Vĩnh",
             "Hải", "Sơn", "Thủy", "Lâm", "Xuân", "Thuận", "Hiệp", "Lợi", "Mỹ", "Nghĩa",
             "Khánh", "Phong", "Tiến", "Thắng", "Hợp", "Yên", "Cát", "Kim", "Hồng", "Gia")
#: The survey window of the synthetic round.
ROUND_YEAR, OPENED, DEADLINE = 2025, dt.date(2026, 2, 23), dt.date(2026, 5, 22)


def default_national_dir(config: Config | None = None) -> Path:
    """``<data_dir>/processed/national`` (git-ignored: derived data)."""
    return (config or load_config()).processed_dir / "national"


def generate_national(out_dir: str | Path, seed: int = 2025, config: Config | None = None,
                      coops: int = COOPS, communes: int = COMMUNES) -> dict:
    """Write the national sample: ``units.csv``, ``roster.csv``, ``responses.csv`` and
    ``hailong.yaml`` into ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder to write into (created if missing).
    seed
        Seed of the random generator: the same seed gives the same files.
    config
        The project configuration whose codebook (of its current round), theme
        dictionary, ``min_n`` and statistics settings the national round uses.
    coops, communes
        Sizes (defaults: ~30,000 cooperatives, 3,321 communes); every province gets at
        least one commune.

    Returns
    -------
    dict
        Paths ``units``, ``roster``, ``responses``, ``config`` and the counts
        ``provinces``, ``communes``, ``coops``, ``responses_n``.

    Raises
    ------
    ParameterError
        If a size or the seed is not a positive whole number, or there are fewer communes
        than provinces.
    """
    for name, value in (("seed", seed), ("coops", coops), ("communes", communes)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ParameterError("err.whole_number_0", found=value, name=name)
    if communes < len(PROVINCES) or coops < 1:
        raise ParameterError("err.national_sample_needs_at", found={"communes": communes,
                                                            "coops": coops},
                             expected="exp.communes_coops_1",
                             n_provinces=len(PROVINCES))
    config = config or load_config()
    codebook = load_codebook(config.round().codebook)
    rng = np.random.default_rng(int(seed))
    units = _units(rng, int(communes))
    roster = _roster(rng, units, codebook, int(coops))
    subs = _responses(rng, roster, units, codebook)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"units": out / "units.csv", "roster": out / hp.ROSTER_FILE,
             "responses": out / hp.RESPONSES_FILE, "config": out / "hailong.yaml"}
    hp._write_csv(units, paths["units"])
    headers, yes_no = hp._roster_headers(config)
    hp._write_csv(hp._roster_export(roster, codebook, headers, yes_no), paths["roster"])
    hp._write_csv(hp._responses_export(subs, codebook), paths["responses"])
    paths["config"].write_text(_config_text(config), encoding="utf-8")
    return {**paths, "provinces": len(PROVINCES), "communes": int(communes),
            "coops": len(roster), "responses_n": len(subs)}


# --- geography --------------------------------------------------------------------------

def _units(rng: np.random.Generator, communes: int) -> pd.DataFrame:
    """The unit table: the nation, 34 provinces (level ``district``), the communes."""
    weights = rng.lognormal(0.0, 0.35, len(PROVINCES))
    counts = hp._largest_remainder(
        {p[0]: w for p, w in zip(PROVINCES, weights)}, communes - len(PROVINCES))
    rows = [(NATION[0], NATION[1], NATION[2], "province", "quốc gia", "")]
    for code, name, kind in PROVINCES:
        full = f"{'Thành phố' if kind == 'thành phố' else 'Tỉnh'} {name}"
        rows.append((code, name, full, "district", kind, NATION[0]))
    special = set(rng.choice(communes, size=min(SPECIAL_ZONES, communes), replace=False))
    k = 0
    for code, _, _ in PROVINCES:
        taken: set[str] = set()
        for j in range(counts[code] + 1):
            name = _commune_name(rng, taken)
            kind = ("đặc khu" if k in special else
                    "phường" if rng.random() < WARD_SHARE else "xã")
            rows.append((f"{code}{j + 1:03d}", name, f"{kind.capitalize()} {name}", "commune",
                         kind, code))
            k += 1
    table = pd.DataFrame(rows, columns=["code", "name", "full_name", "level", "type",
                                        "parent_code"])
    return table.assign(valid_from="2025-07-01", valid_to="")


def _commune_name(rng: np.random.Generator, taken: set[str]) -> str:
    """Two syllables, unique in the province (a number is added when they run out)."""
    for _ in range(20):
        a, b = rng.choice(len(SYLLABLES), size=2, replace=False)
        name = f"{SYLLABLES[a]} {SYLLABLES[b]}"
        if name not in taken:
            taken.add(name)
            return name
    k = 2
    while f"{name} {k}" in taken:
        k += 1
    taken.add(f"{name} {k}")
    return f"{name} {k}"


# --- roster -----------------------------------------------------------------------------

def _people(rng: np.random.Generator, n: int, female: np.ndarray) -> list[str]:
    """``n`` realistic full names (family, middle, given), vectorized."""
    fam = list(hp.FAMILY)
    fam_p = np.asarray([hp.FAMILY[f] for f in fam], float)
    family = np.asarray(fam)[rng.choice(len(fam), size=n, p=fam_p / fam_p.sum())]
    out = np.empty(n, dtype=object)
    for sex in (False, True):
        idx = np.flatnonzero(female == sex)
        mids = list(hp.MIDDLE[sex])
        mid_p = np.asarray([hp.MIDDLE[sex][m] for m in mids], float)
        middle = np.asarray(mids)[rng.choice(len(mids), size=len(idx), p=mid_p / mid_p.sum())]
        given = np.asarray(hp.GIVEN[sex])[rng.integers(len(hp.GIVEN[sex]), size=len(idx))]
        out[idx] = [f"{a} {b} {c}" for a, b, c in zip(family[idx], middle, given)]
    return list(out)


def _roster(rng: np.random.Generator, units: pd.DataFrame, codebook: Codebook,
            n: int) -> pd.DataFrame:
    """Canonical roster of ``n`` cooperatives spread over the communes."""
    communes = units[units["level"] == "commune"].reset_index(drop=True)
    weight = rng.lognormal(0.0, 0.8, len(communes))
    where = np.sort(rng.choice(len(communes), size=n, p=weight / weight.sum()))
    place = communes.iloc[where].reset_index(drop=True)
    sectors = [s for s in SECTOR_MIX if s in codebook.sectors]
    p = np.asarray([SECTOR_MIX[s] for s in sectors], float)
    sector = np.asarray(sectors)[rng.choice(len(sectors), size=n, p=p / p.sum())]
    legal = np.where(sector == hp.CREDIT_SECTOR, "QTDND", "HTX")
    legal[(legal == "HTX") & (rng.random(n) < 0.004)] = "LHHTX"
    sector_vi = np.asarray([codebook.sectors[s]["vi"] for s in sector])
    names = pd.Series([("Quỹ tín dụng nhân dân " if lf == "QTDND" else
                        "Liên hiệp HTX " if lf == "LHHTX" else f"HTX {sv} ") + c
                       for lf, sv, c in zip(legal, sector_vi, place["name"])])
    repeat = names.groupby(place["parent_code"]).cumcount().to_numpy()
    names = [nfc(f"{x} {k + 1}" if k else x) for x, k in zip(names, repeat)]
    roster = pd.DataFrame({
        "coop_id": [f"VN-{i + 1:05d}" for i in range(n)], "coop_name": names,
        "district_code": place["parent_code"].to_numpy(),
        "commune_code": place["code"].to_numpy(), "sector": sector, "legal_form": legal,
        "variant": [codebook.variant_of_sector(s) for s in sector]})
    credit = legal == "QTDND"
    roster["member"] = rng.random(n) < np.where(credit, hp.MEMBER_SHARE_CREDIT, hp.MEMBER_SHARE)
    roster.loc[roster["legal_form"] == "LHHTX", "member"] = True
    size = np.asarray(hp.SIZE_CLASSES)
    roster["size_class"] = [size[rng.choice(4, p=hp.SIZE_MIX[f])] for f in legal]
    roster["founded_year"] = (1997 + np.floor((ROUND_YEAR - 1997)
                                              * rng.beta(1.3, 1.6, n))).astype(int)
    female = rng.random(n) < np.where(credit, 0.5, hp.FEMALE_DIRECTOR)
    roster["director_female"] = female
    roster["director_name"] = _people(rng, n, female)
    roster["phone"] = [hp._phone(int(x)) for x in rng.choice(1_000_000, size=n, replace=False)]
    roster["zalo"] = roster["phone"]
    roster["email"] = [f"htx{i + 1:05d}@example.com" for i in range(n)]
    return roster


# --- survey -----------------------------------------------------------------------------

def _answers(rng: np.random.Generator, coop: pd.DataFrame, effect: np.ndarray,
             codebook: Codebook) -> pd.DataFrame:
    """Scale values (NaN not asked, -1 no opinion): the sample's latent model plus the
    province and commune effect ``effect`` of each respondent."""
    items = codebook.items
    values = hp._scale_values(codebook)
    m = len(coop)
    asked = np.asarray([[v in it.variants for it in items] for v in coop["variant"]])
    mu = (hp.BASE + effect + coop["variant"].map(hp.VARIANT_EFFECT).fillna(0.0).to_numpy()
          + hp.MEMBER_EFFECT * coop["member"].to_numpy() + rng.normal(0, hp.RESPONDENT_SD, m))
    dim = np.asarray([hp.DIMENSION_EFFECT.get(it.dimension, 0.0) for it in items])
    latent = mu[:, None] + dim[None, :] + rng.normal(0, hp.ITEM_SD, (m, len(items)))
    scores = hp._to_scale(latent, values).astype(float)
    mean_latent = np.nanmean(np.where(asked, latent, np.nan), axis=1)
    overall = hp._to_scale(mean_latent + hp.OVERALL_SHIFT + rng.normal(0, hp.OVERALL_SD, m),
                           values).astype(float)
    scores[rng.random(scores.shape) < hp.NO_OPINION_SHARE] = -1
    overall[rng.random(m) < hp.OVERALL_NO_OPINION] = -1
    scores[~asked] = np.nan
    out = pd.DataFrame(scores, columns=[it.id for it in items])
    out[codebook.overall.id] = overall
    return out


def _responses(rng: np.random.Generator, roster: pd.DataFrame, units: pd.DataFrame,
               codebook: Codebook) -> pd.DataFrame:
    """One submission per answering cooperative, in the columns of the sample's export."""
    n = len(roster)
    w = np.where(roster["member"], 1.0, hp.NON_MEMBER_PROPENSITY)
    w = w * np.where(roster["legal_form"] == "QTDND", hp.CREDIT_PROPENSITY, 1.0)
    k = int(round(RESPONSE_RATE * n))
    pos = np.sort(rng.choice(n, size=k, replace=False, p=w / w.sum()))
    coop = roster.iloc[pos].reset_index(drop=True)
    province = {c: e for c, e in zip(units.loc[units["level"] == "district", "code"],
                                     rng.normal(0, PROVINCE_SD, len(PROVINCES)))}
    communes = units.loc[units["level"] == "commune", "code"]
    commune = dict(zip(communes, rng.normal(0, COMMUNE_SD, len(communes))))
    effect = (coop["district_code"].map(province).to_numpy()
              + coop["commune_code"].map(commune).to_numpy())
    days = [OPENED + dt.timedelta(days=d) for d in range((DEADLINE - OPENED).days + 1)]
    p_day = hp._day_weights(days, hp.DAY_SHAPE)
    day = rng.choice(len(days), size=k, p=p_day)
    seconds = rng.integers(6 * 3600, 22 * 3600, size=k)
    start = pd.Timestamp(OPENED)
    submitted = start + pd.to_timedelta(day, unit="D") + pd.to_timedelta(seconds, unit="s")
    sub = pd.DataFrame({"submitted_at": submitted, "coop_id": coop["coop_id"],
                        "coop_name": coop["coop_name"], "variant": coop["variant"]})
    sub = pd.concat([sub, hp._respondents(rng, coop, set(roster["phone"])),
                     _answers(rng, coop, effect, codebook)], axis=1)
    sub[hp.DIFFICULTIES], sub[hp.RECOMMENDATIONS] = hp._open_answers(rng, sub["variant"])
    sub = sub.sort_values(["submitted_at", "coop_id"], kind="stable")
    return sub.drop(columns=["respondent_female"]).reset_index(drop=True)


# --- configuration ----------------------------------------------------------------------

def _config_text(config: Config) -> str:
    """The national sample's configuration: one round (2025, by commune), the project's
    codebook, themes, ``min_n`` and statistics settings."""
    raw = parse_yaml(config.path.read_text(encoding="utf-8")) or {}
    doc = {
        "organisation": {"vi": "Liên minh Hợp tác xã Việt Nam (dữ liệu giả lập)",
                         "en": "Vietnam Cooperative Alliance (synthetic data)"},
        "current_round": ROUND_YEAR,
        "min_n": config.min_n,
        **({"themes": str(config.themes)} if config.themes else {}),
        **({"statistics": raw["statistics"]} if raw.get("statistics") else {}),
        "rounds": {ROUND_YEAR: {
            "label": {"vi": "Năm 2025 (toàn quốc, dữ liệu giả lập)",
                      "en": "2025 (national, synthetic data)"},
            "codebook": str(config.round().codebook),
            "units": "units.csv", "unit_level": "commune",
            "geography_date": "2025-07-01",
            "roster": hp.ROSTER_FILE, "responses": [hp.RESPONSES_FILE],
            "opened": OPENED.isoformat(), "deadline": DEADLINE.isoformat()}},
    }
    head = ("# The national sample (hailong sample --scale national): synthetic data, "
            "never committed.\n# Build with: hailong build --config <this file> "
            "--unit CODE\n")
    return head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
