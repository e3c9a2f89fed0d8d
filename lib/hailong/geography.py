"""Administrative units as data, joined by GSO code, never by name.

The unit table (``data/reference/units-*.csv``) has one row per unit:
``code, name, full_name, level, type, parent_code, valid_from, valid_to``
(levels ``province``, ``district``, ``commune``; dates ISO, empty = open-ended).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .codebook import nfc
from .errors import ConfigError, ParameterError

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
                raise ParameterError(
                    f"Unknown {level} code {c!r}.",
                    expected=f"'{CITY}' or one of {listing}",
                    hint="Use the GSO code of the unit.",
                )
            out.append(c)
        return out

    def children(self, code: str) -> list[str]:
        t = self.table
        return list(t.index[t["parent_code"] == str(code)])


def load_units(path: str | Path, on: dt.date | None = None) -> Units:
    """Read a unit table, keeping the units valid on date ``on`` (all if ``None``).

    Raises
    ------
    ConfigError
        If the file is missing, a column is absent or a code repeats.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError("The administrative-unit table does not exist.", file=path,
                          hint="Check 'units:' of the round in data/hailong.yaml.")
    t = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in _COLUMNS if c not in t.columns]
    if missing:
        raise ConfigError("The unit table lacks columns.", file=path, found=missing,
                          expected=", ".join(_COLUMNS))
    for col in ("name", "full_name", "type"):
        t[col] = t[col].map(nfc)
    if on is not None:
        day = on.isoformat()
        keep = ((t["valid_from"] == "") | (t["valid_from"] <= day)) & (
            (t["valid_to"] == "") | (t["valid_to"] >= day))
        t = t[keep]
    dup = t["code"][t["code"].duplicated()]
    if len(dup):
        raise ConfigError("A unit code repeats.", file=path, found=sorted(set(dup)))
    t.index = pd.Index(t["code"].to_numpy(), name=None)
    return Units(path=path, table=t)
