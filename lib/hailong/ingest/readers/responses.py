"""The survey export(s): the headers each question accepts, reading one or more exports
with canonical column names, and telling an export from the roster."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import yaml

from hailong.core.errors import ConfigError, InputError
from hailong.core.yamltext import parse_yaml
from hailong.ingest import entries
from hailong.ingest.readers.columns import (
    FILE_COLUMN,
    ROW_COLUMN,
    Expected,
    HeaderMatcher,
    _canonical,
    combine,
    map_columns,
)
from hailong.ingest.readers.roster import load_roster_spec, roster_expected
from hailong.ingest.readers.tables import read_table
from hailong.reference.codebook import Codebook, Item

#: Export columns that must be present besides the scored items.
RESPONSE_REQUIRED_FIELDS = ("submitted_at", "coop_id")
#: Columns a KoboToolbox (or ODK) export adds about each submission; none is a question.
#: An export with ``_submission_time`` and ``_uuid`` or ``_id`` is read as one.
KOBO_META = frozenset({
    "_id", "_uuid", "_submission_time", "_index", "_status", "_validation_status",
    "_submitted_by", "__version__", "_version_", "_notes", "_tags", "_attachments",
    "_geolocation", "_xform_id_string", "_parent_index", "_parent_table_name",
    "_submission__id", "_submission__uuid", "_submission__submission_time",
    "meta/instanceid", "meta/instancename", "meta/rootuuid", "meta/deprecatedid",
    "formhub/uuid", "start", "end", "today", "deviceid", "username", "phonenumber",
    "simserial", "subscriberid", "audit", "audit_url"})
#: The suffix of an assisted-entry log (:mod:`hailong.ingest.entries`), read as an export.
ENTRIES_SUFFIX = ".jsonl"
#: A time without offset, as KoboToolbox writes ``_submission_time`` (in UTC).
_ISO_NAIVE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?")


def item_aliases(item: Item) -> tuple[str, ...]:
    """Headers accepted for an item: ``"<number>. <text>"``, the id, the bare text."""
    return (f"{item.number}. {item.vi}", item.id, item.vi)


@functools.lru_cache(maxsize=8)
def _yaml_aliases(path: str, mtime: float) -> dict[str, tuple[str, ...]]:
    """Item id -> the ``aliases:`` listed for it in the codebook YAML (other headers the
    form may give the question)."""
    try:
        raw = parse_yaml(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    nodes = [i for d in raw.get("dimensions") or [] for i in d.get("items") or []]
    nodes += [raw.get("overall") or {}, *(raw.get("open_questions") or [])]
    return {str(n["id"]): tuple(unicodedata.normalize("NFC", str(a)) for a in n["aliases"])
            for n in nodes if isinstance(n, dict) and n.get("aliases") and n.get("id")}


def response_fields(codebook: Codebook) -> dict[str, tuple[str, ...]]:
    """Canonical export column -> accepted headers (export fields, then every question,
    with the ``aliases:`` the codebook lists for it)."""
    path = Path(codebook.path)
    extra = _yaml_aliases(str(path), path.stat().st_mtime) if path.is_file() else {}
    fields = dict(codebook.export_fields)
    for item in codebook.scored_items + codebook.open_questions:
        fields[item.id] = item_aliases(item) + extra.get(item.id, ())
    return fields


def response_required(codebook: Codebook) -> tuple[str, ...]:
    """Export columns that must be present: time stamp, cooperative code, scored items."""
    return (*RESPONSE_REQUIRED_FIELDS, *(it.id for it in codebook.scored_items))


def export_expected(codebook: Codebook) -> Expected:
    """The columns a survey export should have (to find its header row and sheet)."""
    questions = codebook.scored_items + codebook.open_questions
    matcher = HeaderMatcher(response_fields(codebook),
                            numbers={it.id: it.number for it in questions})
    return Expected(matcher, response_required(codebook))


def _looks_like_roster(table: pd.DataFrame) -> bool:
    """Every required roster column is there."""
    try:
        expect = roster_expected(load_roster_spec())
    except ConfigError:
        return False
    return set(expect.required) <= expect.names(list(table.columns))


def is_kobo(headers: Sequence[str]) -> bool:
    """Whether the headers are those of a KoboToolbox export (its submission metadata)."""
    names = {str(h).strip().casefold() for h in headers}
    return "_submission_time" in names and bool(names & {"_uuid", "_id"})


def _kobo_table(table: pd.DataFrame, expect: Expected) -> pd.DataFrame:
    """A KoboToolbox export as a Google Forms one: ``_submission_time`` (UTC, ISO) is the
    time stamp, given its offset so that it is read in Vietnam time, unless a question of
    the form is one; the submission metadata (:data:`KOBO_META`) is dropped. Group paths
    of the XML names (``"grp/D01_1"``) are left to :class:`HeaderMatcher`."""
    headers = {h: str(h).strip().casefold() for h in table.columns if h not in ("_row",)}
    stamp = next((h for h, k in headers.items() if k == "_submission_time"), None)
    has_time = any(expect.matcher.match(h) == "submitted_at" for h in headers if h != stamp)
    out = table.copy()
    if stamp is not None and not has_time:
        out["submitted_at"] = out[stamp].map(
            lambda t: f"{t}+00:00" if _ISO_NAIVE.fullmatch(t) else t).astype("str")
    drop = [h for h, k in headers.items() if k in KOBO_META or k.startswith("_")
            and expect.matcher.match(h) is None]
    out = out.drop(columns=drop)
    out.attrs = dict(table.attrs)
    out.attrs["read_as"] = {**(table.attrs.get("read_as") or {}), "source": "KoboToolbox"}
    return out


def read_entries(path: str | Path, codebook: Codebook) -> pd.DataFrame:
    """The assisted entries that count (:func:`hailong.ingest.entries.current`) as an
    export: the canonical columns, ``_file`` the entries file and ``_row`` the entry's
    line; the time stamp is the visit date (at noon, Vietnam time); answers as the online
    form writes them. Sheets still to settle under double entry are left out."""
    path = Path(path)
    counted, _ = entries.current(entries.read_log(path), codebook)
    names = list(response_fields(codebook))
    rows = []
    for no, e in counted:
        row = dict.fromkeys(names, "")
        row.update({k: v for k, v in e.fields.items() if k in row})
        row["submitted_at"] = dt.datetime.combine(dt.date.fromisoformat(e.visit_date),
                                                  entries.NOON).isoformat()
        for item_id, value in e.answers.items():
            if item_id in row:
                row[item_id] = entries.answer_text(codebook, value)
        row[FILE_COLUMN] = str(path)
        row[ROW_COLUMN] = no
        rows.append(row)
    out = pd.DataFrame(rows, columns=[*names, FILE_COLUMN, ROW_COLUMN]).astype(
        {n: "str" for n in names} | {FILE_COLUMN: "str"})
    out[ROW_COLUMN] = out[ROW_COLUMN].astype("int64")
    out.attrs = {"extra_columns": {str(path): []},
                 "headers": {str(path): {n: n for n in names}},
                 "read_as": {str(path): {"source": "assisted entry"}}}
    return out


def _read_export(path: Path, codebook: Codebook, sheet: str | None = None) -> pd.DataFrame:
    if path.suffix.lower() == ENTRIES_SUFFIX:  # the working group's assisted entries
        return read_entries(path, codebook)
    fields = response_fields(codebook)
    expect = export_expected(codebook)
    table = read_table(path, sheet=sheet, expect=expect)
    kobo = is_kobo(list(table.columns))
    if kobo:
        stamp = next(h for h in table.columns if h.strip().casefold() == "_submission_time")
        table = _kobo_table(table, expect)
    try:
        df, extra = map_columns(table, fields, path=path, required=expect.required,
                                matcher=expect.matcher)
    except InputError as err:
        if _looks_like_roster(table):
            err.add_hint("hint.looks_like_roster")
        raise
    out = _canonical(df, list(fields), path, extra)
    headers = out.attrs["headers"][str(path)]
    if kobo and headers.get("submitted_at") == "submitted_at":
        headers["submitted_at"] = stamp  # messages name the column as the file does
    return out


def read_responses(paths: str | Path | Sequence[str | Path], codebook: Codebook, *,
                   sheet: str | None = None) -> pd.DataFrame:
    """Read one or more survey exports into one frame with canonical column names.

    A header names a question as :class:`HeaderMatcher` says: its id, its number and
    text, the bare text (or an ``aliases:`` entry of the codebook), the number followed
    by other text, or a Google Forms grid header ``"Title [text]"``; a KoboToolbox
    export's XML names or labels, with or without their group path (``_submission_time``
    is its time stamp; its submission metadata is dropped). Every scored item
    must have a column; open questions and export fields other than ``submitted_at`` and
    ``coop_id`` may be absent (then ``""``). Title rows above the headers and other
    sheets of a workbook are skipped (see :func:`read_table`).

    Parameters
    ----------
    sheet
        The worksheet of Excel exports (default: the only one with the export's columns).

    Returns
    -------
    DataFrame
        Export fields, one text column per item id, ``_file`` and ``_row``;
        ``attrs["extra_columns"]`` = ``{file: [ignored headers]}``,
        ``attrs["headers"]`` = ``{file: {canonical: header as written}}`` and
        ``attrs["read_as"]`` = ``{file: how it was read}``.

    Raises
    ------
    InputError
        If no file is given, a file cannot be read or a required column is missing.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if not paths:
        raise InputError("err.survey_export_was_given", hint="hint.list_export_file_s")
    return combine([_read_export(Path(p), codebook, sheet) for p in paths])


def classify(path: str | Path, codebook: Codebook,
             columns_spec_path: str | Path | None = None) -> str:
    """``"roster"`` or ``"responses"``: which kind of input a file is, by its columns.

    The kind whose required columns the file has (a survey export if both); else the
    kind it has more of (so that reading it as that kind says what is missing).

    Raises
    ------
    InputError
        If the file cannot be read at all.
    """
    path = Path(path)
    if path.suffix.lower() == ENTRIES_SUFFIX:
        return "responses"
    spec = load_roster_spec(columns_spec_path)
    scores = {}
    for kind, expect in (("responses", export_expected(codebook)),
                         ("roster", roster_expected(spec))):
        try:
            table = read_table(path, expect=expect)
        except InputError as err:
            if err.key != "err.several_sheets_workbook_expected":
                raise
            scores[kind] = (1.0, 1)
            continue
        names = expect.names(list(table.columns))
        share = len(names & set(expect.required)) / len(expect.required)
        scores[kind] = (share, len(names))
    return max(scores, key=lambda k: scores[k])
