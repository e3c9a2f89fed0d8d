"""Read the roster and the survey export(s) into frames with canonical column names.

Ingest only reads: every cell stays text, every row remembers its file and its row number
as the user sees it in Excel (header = row 1). Turning text into numbers, booleans and
dates, and deciding which rows count, is :mod:`hailong.ingest.validate`'s job.

Headers are matched through :func:`normalize_text`, so case, spacing, Unicode form and
old/new tone-mark placement do not matter.

The package re-exports the public names of its modules, lowest first:

- :mod:`~hailong.ingest.readers.text`: :func:`normalize_text`;
- :mod:`~hailong.ingest.readers.decoding`: file bytes -> rows of text (encodings, CSV
  separators, Excel workbooks, legacy TCVN3 / VNI text), :class:`ReadAs`;
- :mod:`~hailong.ingest.readers.columns`: headers -> canonical columns
  (:class:`HeaderMatcher`, :func:`map_columns`, :func:`combine`);
- :mod:`~hailong.ingest.readers.tables`: :func:`read_table` (header row, sheet, row numbers);
- :mod:`~hailong.ingest.readers.roster`: the roster's column specification, :func:`read_roster`;
- :mod:`~hailong.ingest.readers.responses`: :func:`read_responses`, :func:`classify`.
"""

from __future__ import annotations

from hailong.ingest.readers.columns import (
    ATTRS_BY_FILE,
    FILE_COLUMN,
    ROW_COLUMN,
    Expected,
    HeaderMatcher,
    ascii_name,
    combine,
    map_columns,
)
from hailong.ingest.readers.decoding import DELIMITERS, MAX_FIELD_CHARS, ReadAs, formula_message
from hailong.ingest.readers.responses import (
    KOBO_META,
    RESPONSE_REQUIRED_FIELDS,
    classify,
    export_expected,
    is_kobo,
    item_aliases,
    read_responses,
    response_fields,
    response_required,
)
from hailong.ingest.readers.roster import (
    DEFAULT_ROSTER_SPEC,
    RosterSpec,
    load_roster_spec,
    read_roster,
    roster_expected,
)
from hailong.ingest.readers.tables import HEADER_SEARCH_ROWS, read_table
from hailong.ingest.readers.text import normalize_text

__all__ = [
    "ATTRS_BY_FILE", "DEFAULT_ROSTER_SPEC", "DELIMITERS", "FILE_COLUMN", "HEADER_SEARCH_ROWS",
    "KOBO_META", "MAX_FIELD_CHARS", "RESPONSE_REQUIRED_FIELDS", "ROW_COLUMN",
    "Expected", "HeaderMatcher", "ReadAs", "RosterSpec",
    "ascii_name", "classify", "combine", "export_expected", "formula_message", "is_kobo",
    "item_aliases", "load_roster_spec",
    "map_columns", "normalize_text", "read_responses", "read_roster", "read_table",
    "response_fields", "response_required", "roster_expected",
]
