"""Administrative units as data, joined by GSO code, never by name.

The unit table (``data/reference/units-*.csv``) has one row per unit:
``code, name, full_name, level, type, parent_code, valid_from, valid_to``
(levels ``province``, ``district``, ``commune``; dates ISO, empty = open-ended). One
table per geography vintage: ``units-2022.csv`` (districts and communes until
30/06/2025), ``units-2025.csv`` (the merged city's communes from 01/07/2025, no district
level). :func:`reporting_level` tells the level a round is reported by.

A crosswalk (``data/reference/crosswalk-*.csv``) maps old units to new ones;
:meth:`Crosswalk.carry` places records coded by old units into the new units by a
documented rule for merges and splits (see data/reference/README.md).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hailong.core.catalogue import either
from hailong.core.errors import ConfigError, ParameterError
from hailong.core.text import nfc

#: Code of the citywide report (the whole province).
CITY = "city"

_COLUMNS = ["code", "name", "full_name", "level", "type", "parent_code", "valid_from", "valid_to"]


@dataclass(frozen=True)
class Units:
    """The administrative units of one geography vintage.

    Attributes
    ----------
    table
        One row per unit, indexed by ``code`` (a string).
    """

    path: Path
    table: pd.DataFrame

    def of_level(self, level: str) -> pd.DataFrame:
        """Units of ``level`` in code order."""
        t = self.table[self.table["level"] == level]
        return t.sort_values("code", key=lambda s: s.str.zfill(8))

    def codes(self, level: str) -> list[str]:
        return list(self.of_level(level).index)

    @property
    def province(self) -> pd.Series:
        return self.of_level("province").iloc[0]

    def name(self, code: str, full: bool = False) -> str:
        """Display name of a unit (``city`` is the province)."""
        row = self.province if code == CITY else self.table.loc[str(code)]
        return row["full_name"] if full else row["name"]

    def check(self, codes, level: str) -> list[str]:
        """Return ``codes`` as strings, or raise listing the valid codes of ``level``.

        ``"city"`` is always valid (the citywide report).
        """
        valid = self.codes(level)
        out = []
        for c in codes:
            c = str(c).strip()
            if c != CITY and c not in valid:
                listing = ", ".join(f"{v} ({self.name(v)})" for v in valid)
                raise ParameterError("err.unknown_unit_code_level", expected="exp.city_or_one_of",
                                     hint="hint.use_gso_code",
                                     level=level, c=c, city=CITY,
                                     listing=listing)
            out.append(c)
        return out

    def children(self, code: str) -> list[str]:
        t = self.table
        return list(t.index[t["parent_code"] == str(code)])


@functools.lru_cache(maxsize=8)
def _unit_table(path: str, resolved: str, size: int, mtime_ns: int) -> pd.DataFrame:
    """The unit table as read from ``path`` (``resolved``), names in NFC, remembered
    while the file's size and time stay the same (the configuration reads it for every
    round, several times in each report: 9 readings a report). Callers get a copy."""
    t = pd.read_csv(resolved, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in _COLUMNS if c not in t.columns]
    if missing:
        raise ConfigError("err.unit_table_lacks_columns", file=Path(path), found=missing,
                          expected=", ".join(_COLUMNS))
    for col in ("name", "full_name", "type"):
        t[col] = t[col].map(nfc)
    return t


def load_units(path: str | Path, on: dt.date | None = None) -> Units:
    """Read a unit table, keeping the units valid on date ``on`` (all if ``None``).

    Raises
    ------
    ConfigError
        If the file is missing, a column is absent or a code repeats.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError("err.administrative_unit_table_does", file=path,
                          hint="hint.check_units_round_data")
    st = path.stat()
    t = _unit_table(str(path), str(path.resolve()), st.st_size, st.st_mtime_ns).copy()
    if on is not None:
        day = on.isoformat()
        keep = ((t["valid_from"] == "") | (t["valid_from"] <= day)) & (
            (t["valid_to"] == "") | (t["valid_to"] >= day))
        t = t[keep]
    dup = t["code"][t["code"].duplicated()]
    if len(dup):
        raise ConfigError("err.unit_code_repeats", file=path, found=sorted(set(dup)))
    t.index = pd.Index(t["code"].to_numpy(), name=None)
    return Units(path=path, table=t)


def reporting_level(units: Units) -> str:
    """The level a round is reported by: ``"district"`` while districts exist, else ``"commune"``.

    District-level units were abolished on 01/07/2025, so a unit table filtered on a later
    date (see :func:`load_units`) has only the province and its communes.

    Examples
    --------
    >>> reporting_level(load_units("data/reference/units-2022.csv", dt.date(2022, 10, 1)))
    'district'
    >>> reporting_level(load_units("data/reference/units-2025.csv", dt.date(2025, 7, 1)))
    'commune'
    """
    for level in ("district", "commune"):
        if (units.table["level"] == level).any():
            return level
    raise ConfigError("err.unit_table_neither_districts", file=units.path,
                      hint="hint.check_round_s_units")


# --------------------------------------------------------------------------- crosswalks

#: Columns every crosswalk file has (more may follow, e.g. the 2022 district of a commune).
CROSSWALK_COLUMNS = ["from_code", "from_name", "to_code", "to_name", "share", "main"]
#: How an old unit listed with several new units is treated (see :meth:`Crosswalk.carry`).
RULES = ("assign", "pool")


@dataclass(frozen=True)
class Crosswalk:
    """Old units -> new units, one row per (old, new) pair, from a crosswalk CSV.

    An old unit with one row went whole into that new unit; several old units with the
    same ``to_code`` were merged into it; an old unit with several rows was split between
    them. ``share`` (0–1, optional) is the part of the old unit's population that went to
    each new unit; ``main`` (``1``/``0``) marks the new unit that took most of it.

    Attributes
    ----------
    table
        Columns :data:`CROSSWALK_COLUMNS` (codes and names as str, ``share`` float or NaN,
        ``main`` bool), in file order.
    """

    path: Path
    table: pd.DataFrame

    def targets(self, code: str) -> list[str]:
        """The new units an old unit went into, in file order."""
        t = self.table
        return list(t.loc[t["from_code"] == str(code), "to_code"])

    def sources(self, code: str) -> list[str]:
        """The old units (or parts of them) a new unit was formed from, in file order."""
        t = self.table
        return list(t.loc[t["to_code"] == str(code), "from_code"])

    def assignment(self) -> pd.DataFrame:
        """One new unit per old unit, by the rule for splits.

        An old unit split between several new ones goes whole to the one with the largest
        ``share`` when shares are given (``how = "share"``), else to the one marked
        ``main`` (``how = "main"``), else to the first listed (``how = "first"``); an old
        unit with a single new unit has ``how = "whole"``.

        Returns
        -------
        DataFrame
            ``from_code, to_code, how, split`` (``split``: the old unit had several new
            units, so the assignment is approximate).
        """
        rows = []
        for code, g in self.table.groupby("from_code", sort=False):
            if len(g) == 1:
                rows.append((code, g["to_code"].iloc[0], "whole", False))
            elif g["share"].notna().any():
                rows.append((code, g.loc[g["share"].idxmax(), "to_code"], "share", True))
            elif g["main"].any():
                rows.append((code, g.loc[g["main"], "to_code"].iloc[0], "main", True))
            else:
                rows.append((code, g["to_code"].iloc[0], "first", True))
        return pd.DataFrame(rows, columns=["from_code", "to_code", "how", "split"])

    def carry(self, codes: pd.Series, rule: str = "assign") -> pd.DataFrame:
        """Place records coded by old units (e.g. respondents) into the new units.

        Parameters
        ----------
        codes
            The old unit code of each record (the Series' index identifies the record).
        rule
            ``"assign"``: each record goes to exactly one new unit (:meth:`assignment`):
            a new unit formed from several old ones takes their records together; an old
            unit split between several new ones goes to the largest share, else the main,
            else the first listed, and is flagged. ``"pool"``: a record counts in every new
            unit its old unit went into (for a change of level, e.g. 2022 districts ->
            2025 communes: a commune's baseline is the former district(s) it was carved
            from), flagged as approximate.

        Returns
        -------
        DataFrame
            ``record`` (the index label of ``codes``), ``from_code``, ``unit`` (new code;
            NaN when the old code is not in the crosswalk), ``approximate`` (bool).

        Examples
        --------
        >>> cw = Crosswalk(Path("x.csv"), pd.DataFrame({
        ...     "from_code": ["1", "2", "3", "3"], "from_name": ["", "", "", ""],
        ...     "to_code": ["9", "9", "8", "7"], "to_name": ["", "", "", ""],
        ...     "share": [float("nan")] * 4, "main": [True, True, False, True]}))
        >>> cw.carry(pd.Series(["1", "2", "3"]))["unit"].tolist()
        ['9', '9', '7']
        """
        if rule not in RULES:
            raise ParameterError("err.unknown_crosswalk_rule", found=rule,
                                 expected=either(repr(r) for r in RULES),
                                 hint="hint.set_rule_round_s")
        old = pd.DataFrame({"record": codes.index, "from_code": codes.astype(str).to_numpy()})
        if rule == "assign":
            a = self.assignment()
            out = old.merge(a[["from_code", "to_code", "split"]], on="from_code", how="left")
        else:
            pairs = self.table[["from_code", "to_code"]]
            n_targets = pairs.groupby("from_code")["to_code"].transform("size")
            pairs = pairs.assign(split=n_targets > 1)
            out = old.merge(pairs, on="from_code", how="left")
        approx = out["split"].eq(True)
        out = out.rename(columns={"to_code": "unit"})
        out["approximate"] = approx.to_numpy()
        return out[["record", "from_code", "unit", "approximate"]].reset_index(drop=True)

    def unit_basis(self, rule: str = "assign") -> pd.DataFrame:
        """For every new unit: the old units behind it and whether that is approximate.

        Returns
        -------
        DataFrame
            ``unit, sources`` (old codes joined by ``;``), ``merged`` (formed from several
            old units), ``approximate`` (an old unit behind it was split, see
            :meth:`carry`).
        """
        codes = pd.Series(self.table["from_code"].drop_duplicates().to_numpy())
        placed = self.carry(codes.set_axis(codes.to_numpy()), rule).dropna(subset=["unit"])
        g = placed.groupby("unit", sort=False)
        return pd.DataFrame({
            "unit": list(g.groups),
            "sources": [";".join(v) for v in g["from_code"].agg(list)],
            "merged": (g["from_code"].nunique() > 1).to_numpy(),
            "approximate": g["approximate"].any().to_numpy(),
        })


def load_crosswalk(path: str | Path) -> Crosswalk:
    """Read a crosswalk CSV (columns :data:`CROSSWALK_COLUMNS`; see data/reference/README.md).

    Raises
    ------
    ConfigError
        If the file is missing, lacks a column, repeats a pair, has a share outside 0–1,
        shares of one old unit adding up to more than 1, or ``main`` not 0/1.

    Examples
    --------
    >>> cw = load_crosswalk("data/reference/crosswalk-districts-2022-2025.csv")
    >>> cw.sources("11560")          # Phường Thủy Nguyên was carved from Thuỷ Nguyên (311)
    ['311']
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError("err.crosswalk_file_does_exist", file=path,
                          hint="hint.check_crosswalk_round_data")
    t = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in CROSSWALK_COLUMNS if c not in t.columns]
    if missing:
        raise ConfigError("err.crosswalk_lacks_columns", file=path, found=missing,
                          expected=", ".join(CROSSWALK_COLUMNS))
    for col in ("from_code", "to_code"):
        t[col] = t[col].str.strip()
    for col in ("from_name", "to_name"):
        t[col] = t[col].map(nfc)
    dup = t.duplicated(["from_code", "to_code"])
    if dup.any():
        first = t[dup].iloc[0]
        raise ConfigError("err.pair_old_new_unit", file=path, row=int(t.index[dup][0]) + 2,
                          found=f"{first['from_code']} -> "
                          f"{first['to_code']}",
                          hint="hint.list_each_pair_once")
    share = pd.to_numeric(t["share"].where(t["share"].str.strip() != ""), errors="coerce")
    bad = (t["share"].str.strip() != "") & (share.isna() | (share < 0) | (share > 1))
    if bad.any():
        i = int(t.index[bad][0])
        raise ConfigError("err.share_number_between_0", file=path, row=i + 2, column="share",
                          found=t.at[i, "share"], expected="exp.share_such_0_4")
    over = share.groupby(t["from_code"]).sum() > 1 + 1e-9
    if over.any():
        raise ConfigError("err.shares_old_unit_add", file=path, column="share",
                          found=list(over.index[over]))
    if not t["main"].isin(["0", "1", ""]).all():
        i = int(t.index[~t["main"].isin(["0", "1", ""])][0])
        raise ConfigError("err.main_0_1", file=path, row=i + 2, column="main",
                          found=t.at[i, "main"], expected="exp.1_main_new_unit")
    t["share"] = share.astype("float64")
    t["main"] = t["main"] == "1"
    return Crosswalk(path=path, table=t.reset_index(drop=True))
