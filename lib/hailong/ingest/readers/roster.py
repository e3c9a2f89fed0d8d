"""The roster: its column specification (``data/reference/roster-columns.yaml``) and
reading it with canonical column names."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hailong.core.errors import ConfigError, InputError
from hailong.core.yamlfile import read_yaml
from hailong.ingest.readers.columns import (
    Expected,
    HeaderMatcher,
    _canonical,
    _looks_like_export,
    map_columns,
)
from hailong.ingest.readers.tables import read_table
from hailong.reference import config


@dataclass(frozen=True)
class RosterSpec:
    """Columns of the roster (``data/reference/roster-columns.yaml``).

    Attributes
    ----------
    fields
        Canonical column -> accepted headers, in canonical order.
    required, personal
        Canonical columns that must be present / that hold contact data.
    yes, no
        Values of ``member`` read as true / false.
    """

    path: Path
    fields: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    personal: tuple[str, ...]
    yes: tuple[str, ...]
    no: tuple[str, ...]


DEFAULT_ROSTER_SPEC = config.PROJECT_ROOT / "data" / "reference" / "roster-columns.yaml"


def _words(raw: dict, key: str) -> tuple[str, ...]:
    # YAML 1.1 reads the bare keys `yes:` / `no:` as booleans.
    values = raw.get(key, raw.get(key == "yes"))
    return tuple("" if v is None else str(v) for v in values or ())


def load_roster_spec(path: str | Path | None = None) -> RosterSpec:
    """Read the roster column specification (default: ``data/reference/roster-columns.yaml``).

    Raises
    ------
    ConfigError
        If the file is missing or lists no columns.
    """
    path = Path(path or DEFAULT_ROSTER_SPEC)
    raw = read_yaml(path, "what.roster_spec")
    try:
        cols = raw["columns"]
        fields = {k: tuple(unicodedata.normalize("NFC", a) for a in v.get("aliases", ()))
                  for k, v in cols.items()}
    except (KeyError, AttributeError, TypeError) as exc:
        raise ConfigError("err.roster_column_specification_valid", file=path, exc=exc) from None
    return RosterSpec(
        path=path, fields=fields,
        required=tuple(k for k, v in cols.items() if v.get("required")),
        personal=tuple(k for k, v in cols.items() if v.get("personal")),
        yes=_words(raw, "yes"), no=_words(raw, "no"),
    )


def roster_expected(spec: RosterSpec) -> Expected:
    """The columns a roster should have (to find its header row and sheet)."""
    return Expected(HeaderMatcher(spec.fields), spec.required)


def read_roster(path: str | Path, columns_spec_path: str | Path | None = None, *,
                sheet: str | None = None) -> pd.DataFrame:
    """Read the cooperative roster with canonical column names.

    Parameters
    ----------
    sheet
        The worksheet of an Excel roster (default: the only one with the roster's
        columns).

    Returns
    -------
    DataFrame
        The columns of the specification in its order (absent optional ones as ``""``),
        ``_file`` and ``_row``. ``attrs["extra_columns"]`` = ``{file: [ignored headers]}``,
        ``attrs["headers"]`` = ``{file: {canonical: header as written}}``,
        ``attrs["read_as"]`` = ``{file: how it was read}`` (see :class:`ReadAs`).

    Raises
    ------
    InputError
        If the file cannot be read or a required column is missing.
    """
    spec = load_roster_spec(columns_spec_path)
    path = Path(path)
    expect = roster_expected(spec)
    table = read_table(path, sheet=sheet, expect=expect)
    try:
        df, extra = map_columns(table, spec.fields, path=path, required=spec.required,
                                matcher=expect.matcher)
    except InputError as err:
        if _looks_like_export(table):
            err.add_hint("hint.looks_like_export")
        raise
    return _canonical(df, list(spec.fields), path, extra)
