"""Derive the 2025 reference tables of data/reference/ from the public source files.

Run from the project folder with the source folder as argument (it holds
``haiphong-communes-2025-07.tsv`` and ``haiphong-haiduong-communes-old-to-new.csv``):

    .venv/bin/python scripts/derive-reference-2025.py data/reference/sources

Writes ``units-2025.csv``, ``crosswalk-communes-2025.csv`` and
``crosswalk-districts-2022-2025.csv`` (rules: data/reference/README.md). The output is
deterministic: running it again on the same sources gives the same bytes.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "data" / "reference"
TYPES = ("Đặc khu", "Phường", "Xã")  # name prefixes of the 2025 commune-level units
BACH_LONG_VI = ("318", "Bạch Long Vĩ", "11948")  # island district without communes


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def write(frame: pd.DataFrame, name: str) -> None:
    frame.to_csv(OUT / name, index=False, encoding="utf-8", lineterminator="\n")


def units_2025(src: Path) -> pd.DataFrame:
    t = pd.read_csv(src / "haiphong-communes-2025-07.tsv", sep="\t", dtype=str)
    rows = [("31", "Hải Phòng", "Thành phố Hải Phòng", "province", "thành phố", "",
             "2025-07-01", "")]
    for code, full in zip(t["commune_code_2025"], t["name_2025"].map(nfc)):
        kind = next(k for k in TYPES if full.startswith(k + " "))
        rows.append((code, full[len(kind) + 1:], full, "commune", kind.lower(), "31",
                     "2025-07-01", ""))
    cols = ["code", "name", "full_name", "level", "type", "parent_code", "valid_from",
            "valid_to"]
    out = pd.DataFrame(rows, columns=cols)
    return pd.concat([out.iloc[:1], out.iloc[1:].sort_values("code")], ignore_index=True)


def _pairs(src: Path) -> pd.DataFrame:
    x = pd.read_csv(src / "haiphong-haiduong-communes-old-to-new.csv", dtype=str,
                    keep_default_na=False).map(nfc)
    rows = []
    for r in x.itertuples():
        codes, names = r.new_commune_codes.split(";"), r.new_commune_names.split(";")
        for k, (code, name) in enumerate(zip(codes, names)):
            rows.append({"from_code": r.old_commune_code, "from_name": r.old_commune,
                         "to_code": code, "to_name": name, "share": "",
                         "main": "1" if k == 0 else "0",
                         "from_province": r.old_province_code,
                         "from_district": r.district_code_2025_03,
                         "from_district_name": r.district_2025_03,
                         "from_district_2022": r.district_code_2022})
    return pd.DataFrame(rows)


def districts_2022(pairs: pd.DataFrame, units2022: pd.DataFrame) -> pd.DataFrame:
    """2022 district -> every 2025 commune that took in (part of) one of its communes."""
    hp = pairs[pairs["from_district_2022"] != ""]
    names = units2022.set_index("code")["full_name"]
    rows = []
    for d in units2022.loc[units2022["level"] == "district", "code"]:
        part = hp[hp["from_district_2022"] == d]
        if part.empty:
            assert d == BACH_LONG_VI[0], d
            rows.append({"from_code": d, "from_name": names[d], "to_code": BACH_LONG_VI[2],
                         "to_name": "Đặc khu Bạch Long Vĩ", "share": "", "main": "1",
                         "old_communes": "0"})
            continue
        counts = part.groupby("to_code", sort=False).size()
        main = counts.idxmax()  # the commune that took in most of its old communes
        for code, n in counts.items():
            rows.append({"from_code": d, "from_name": names[d], "to_code": code,
                         "to_name": part.loc[part["to_code"] == code, "to_name"].iloc[0],
                         "share": "", "main": "1" if code == main else "0",
                         "old_communes": str(n)})
    return pd.DataFrame(rows)


def main(src: str) -> None:
    src_dir = Path(src)
    units = units_2025(src_dir)
    write(units, "units-2025.csv")
    pairs = _pairs(src_dir)
    unknown = set(pairs["to_code"]) - set(units["code"])
    assert not unknown, unknown
    write(pairs, "crosswalk-communes-2025.csv")
    u22 = pd.read_csv(OUT / "units-2022.csv", dtype=str, keep_default_na=False)
    write(districts_2022(pairs, u22), "crosswalk-districts-2022-2025.csv")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/reference/sources")
