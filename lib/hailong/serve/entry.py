"""What the staff page's assisted-entry pages (Nhập phiếu) show and save.

No web code here: the handlers of :mod:`hailong.serve.entry_pages` call these functions
(outside the event loop) and render what they return.

- :func:`choices`: the cooperatives of a unit to enter (those that have not answered, or
  all), searched by name or code (:func:`hailong.publish.questionnaire.search`).
- :func:`sheet_form`: the form of one cooperative (:func:`hailong.ingest.entries.form`,
  grouped by area) and which keying a new entry of it is under double entry
  (:func:`keying`).
- :func:`save`: checks and appends one entry (:func:`hailong.ingest.entries.new_entry`,
  :func:`~hailong.ingest.entries.append_entry`) and records it in the audit log (ids
  only: no answer, no name of a respondent).
- :func:`entry_rows`, :func:`comparisons`: the round's entries with their status, and
  the double-entered sheets still to settle, with every difference in words.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from hailong.core import audit
from hailong.core.messages import message
from hailong.ingest import entries as en
from hailong.numbers import coverage as cov
from hailong.present import fmt
from hailong.publish import questionnaire as qn
from hailong.reference.config import Config

__all__ = ["Coop", "Keying", "choices", "coop_of", "log_of", "keying", "sheet_form",
           "save", "entry_rows", "comparisons", "unit_coverage", "units_of"]


@dataclass(frozen=True)
class Coop:
    """A cooperative of the roster as the entry pages show it."""

    coop_id: str
    coop_name: str
    commune: str
    unit: str
    unit_name: str
    variant: str
    answered: bool = False
    district_code: str = ""


@dataclass(frozen=True)
class Keying:
    """How a new entry of a sheet is made: ``keying`` (1, 2, or 0 for a third look),
    ``double``, the first entry's author (for keying 2), and why it may not be made
    (a message key; empty when it may)."""

    keying: int = 1
    double: bool = False
    first_by: str = ""
    refused: str = ""


def units_of(data: cov.ProgressData) -> list[tuple[str, str]]:
    """``(code, name)`` of the round's units (its reporting level), by code."""
    column = cov.GROUPINGS.get(data.round.unit_level, "district_code")
    codes = sorted(data.roster[column].astype(str).unique())
    return [(c, data.units.name(c)) for c in codes]


def _commune(data: cov.ProgressData, code: str) -> str:
    try:
        return data.units.name(code)
    except (KeyError, ValueError, LookupError):
        return ""


def coop_of(data: cov.ProgressData, coop_id: str) -> Coop | None:
    """The cooperative ``coop_id`` of the round's roster, or None."""
    rows = data.roster[data.roster["coop_id"].astype(str) == str(coop_id)]
    if not len(rows):
        return None
    r = rows.iloc[0]
    column = cov.GROUPINGS.get(data.round.unit_level, "district_code")
    unit = str(r[column])
    answered = str(coop_id) in set(data.answers["coop_id"].astype(str))
    return Coop(str(r["coop_id"]), str(r["coop_name"]), _commune(data, str(r["commune_code"])),
                unit, data.units.name(unit), str(r.get("variant", "") or ""), answered,
                str(r.get("district_code", "") or ""))


def choices(data: cov.ProgressData, unit: str, query: str = "", everyone: bool = False
            ) -> list[Coop]:
    """The cooperatives of ``unit`` matching ``query`` (name, code or commune; case and
    diacritics ignored): those that have not answered, or every one if ``everyone``."""
    if not unit:
        return []
    column = cov.GROUPINGS.get(data.round.unit_level, "district_code")
    if everyone:
        ids = data.roster.loc[data.roster[column].astype(str) == str(unit), "coop_id"]
    else:
        ids = [s.coop_id for s in qn.sheets_to_print(data, unit).get(str(unit), [])]
    coops = [c for c in (coop_of(data, i) for i in ids) if c is not None]
    sheets = qn.search([qn.Sheet(c.coop_id, c.coop_name, c.commune) for c in coops], query)
    keep = {s.coop_id for s in sheets}
    return sorted((c for c in coops if c.coop_id in keep), key=lambda c: c.coop_name)


def log_of(config: Config, year: int) -> list[tuple[int, en.Entry]]:
    """Every entry of the round's entries file (none if there is no file yet)."""
    path = en.entries_path(config.data_dir, year)
    return en.read_log(path) if path.is_file() else []


def _live(log: list[tuple[int, en.Entry]]) -> list[en.Entry]:
    replaced = {e.supersedes for _, e in log if e.supersedes}
    return [e for _, e in log if e.entry_id not in replaced]


def keying(log: list[tuple[int, en.Entry]], coop_id: str, who: str, double: bool) -> Keying:
    """Which entry of ``coop_id``'s sheet a new one is (by ``who``).

    Single entry: always a first (and only) entry. Double entry: the first when the sheet
    has no live first entry; the second when it has one by another person (refused,
    ``web_entry_same_person``, when by the same person); refused when both exist
    (``web_entry_twice``: a third look settles them) or a third look already did
    (``web_entry_settled``).
    """
    if not double:
        return Keying()
    mine = [e for e in _live(log) if e.double and e.coop_id == str(coop_id)]
    if any(e.keying == 0 for e in mine):
        return Keying(1, True, refused="web_entry_settled")
    first = [e for e in mine if e.keying == 1]
    second = [e for e in mine if e.keying == 2]
    if not first:
        return Keying(1, True)
    by = first[-1].entered_by
    if second:
        return Keying(2, True, by, "web_entry_twice")
    if by.casefold() == str(who or "").strip().casefold():
        return Keying(2, True, by, "web_entry_same_person")
    return Keying(2, True, by)


@dataclass
class FormView:
    """The entry form of one cooperative: its questions by area, what is typed, which
    questions are missing, how it is keyed, and what it corrects or settles."""

    coop: Coop
    groups: list[tuple[str, list[en.Question]]]
    values: dict[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    keying: Keying = field(default_factory=Keying)
    edit: str = ""
    third: bool = False


def sheet_form(codebook, coop: Coop, lang: str = "vi") -> list[tuple[str, list[en.Question]]]:
    """The questions of ``coop``'s variant, grouped by area (open questions last)."""
    groups: list[tuple[str, list[en.Question]]] = []
    for q in en.form(codebook, coop.variant, lang):
        if not groups or groups[-1][0] != q.group:
            groups.append((q.group, []))
        groups[-1][1].append(q)
    return groups


def values_of(entry: en.Entry) -> dict[str, str]:
    """An entry's answers and fields as the form's values (for a correction or a third
    look)."""
    out = {f"a_{k}": str(v) for k, v in entry.answers.items()}
    out.update({"respondent_name": str(entry.fields.get("respondent_name", "")),
                "respondent_phone": str(entry.fields.get("respondent_phone", "")),
                "visit_date": entry.visit_date, "method": entry.method})
    return out


def save(config: Config, year: int, codebook, coop: Coop, values: dict[str, str], *,
         who: str, how: Keying, supersedes: str = "") -> en.Entry:
    """Check the typed form and append it to the round's entries file; record an audit
    line (ids only).

    Raises
    ------
    EntryError
        What is missing or wrong (``missing``: the question numbers); its
        ``render(lang)`` is the message for the person typing.
    """
    with _SAVING:  # decide the keying again and append, as one step
        if how.double and how.keying in (1, 2) and not supersedes:
            now = keying(log_of(config, year), coop.coop_id, who, True)
            if (now.keying, now.refused) != (how.keying, how.refused):
                raise en.EntryError("err.entry.keyed_meanwhile")
        return _save(config, year, codebook, coop, values, who=who, how=how,
                     supersedes=supersedes)


#: One entry saved at a time by this server (the keying of a double entry is read from
#: the log and must still hold when the entry is appended).
_SAVING = threading.Lock()


def _save(config: Config, year: int, codebook, coop: Coop, values: dict[str, str], *,
          who: str, how: Keying, supersedes: str = "") -> en.Entry:
    answers = {q.id: values.get(f"a_{q.id}", "") for q in en.form(codebook, coop.variant)}
    fields = {"coop_id": coop.coop_id, "coop_name": coop.coop_name,
              "district_code": coop.district_code,
              "variant": coop.variant,
              "respondent_name": values.get("respondent_name", ""),
              "respondent_phone": values.get("respondent_phone", "")}
    entry = en.new_entry(codebook, fields, answers, entered_by=who,
                         visit_date=values.get("visit_date", ""),
                         method=values.get("method", ""), supersedes=supersedes,
                         keying=how.keying, double=how.double)
    en.append_entry(en.entries_path(config.data_dir, year), entry)
    audit.record(config.data_dir, year, who, "entry", coop_id=coop.coop_id,
                 entry_id=entry.entry_id, keying=entry.keying, supersedes=supersedes)
    return entry


def unit_coverage(data: cov.ProgressData, unit: str, lang: str = "vi") -> dict:
    """``answered``, ``roster`` and ``share`` (in words) of ``unit`` as of now."""
    p = cov.progress(data, None)
    row = p.districts[p.districts["unit"].astype(str) == str(unit)]
    if not len(row):
        return {"answered": 0, "roster": 0, "share": ""}
    r = row.iloc[0]
    answered, total = int(r["answered"]), int(r["roster_n"])
    return {"answered": answered, "roster": total,
            "share": fmt.percent(answered / total if total else None, 1, lang)}


def _answer_words(codebook, value: object, lang: str) -> str:
    if value in ("", None):
        return message("web_entry_empty_answer", lang)
    if value == en.NO_OPINION:
        return message("q_no_opinion", lang)
    if isinstance(value, int) or str(value).isdigit():
        point = int(str(value))
        if point in codebook.scale.labels:
            return f"{point} – {codebook.scale.label(point, lang)}"
    return str(value)


def entry_rows(log: list[tuple[int, en.Entry]], data: cov.ProgressData | None, codebook,
               lang: str = "vi") -> list[dict]:
    """Every entry, newest first, with its status in words: counted (and, from the
    round's check, whether it duplicates another submission), replaced, awaiting the
    second entry, disagreeing."""
    counted, pending = en.current(log, codebook)
    counted_ids = {e.entry_id for _, e in counted}
    replaced_by = {e.supersedes: e.entry_id for _, e in log if e.supersedes}
    awaiting = {i for c in pending if c.awaiting_second for i in c.entries}
    disagree = {i for c in pending if not c.awaiting_second for i in c.entries}
    ledger: dict[int, str] = {}
    dup: set[str] = set()
    if data is not None and data.round.entries is not None and len(data.submissions):
        s = data.submissions
        mine = s[s["source_file"].astype(str) == str(data.round.entries)]
        ledger = dict(zip(mine["source_row"].astype(int), mine["status"].astype(str)))
        counts = s["coop_id"].astype(str).value_counts()
        dup = set(counts[counts > 1].index)
    rows = []
    for no, e in reversed(log):
        if e.entry_id in replaced_by:
            status, kind = message("web_entry_status_replaced", lang,
                                   id=replaced_by[e.entry_id]), "replaced"
        elif e.entry_id in awaiting:
            status, kind = message("web_entry_status_awaiting", lang), "awaiting"
        elif e.entry_id in disagree:
            status, kind = message("web_entry_status_disagreement", lang), "disagreement"
        elif e.entry_id in counted_ids:
            status, kind = message("web_entry_status_counted", lang), "counted"
            state = ledger.get(no, "")
            if state == "merged":
                status, kind = message("web_entry_dup_merged", lang), "merged"
            elif state and state != "accepted":
                status, kind = message("web_entry_not_used", lang, status=state), "rejected"
            elif e.coop_id in dup:
                status = message("web_entry_dup_used", lang)
        else:
            status, kind = message("web_entry_status_compared", lang), "compared"
        if not e.double:
            keyed = message("web_entry_keying_single", lang)
        elif e.keying == 0:
            keyed = message("web_entry_keying_third", lang)
        else:
            keyed = message("web_entry_keying_n", lang, n=e.keying)
        rows.append({"id": e.entry_id, "coop_id": e.coop_id,
                     "coop_name": str(e.fields.get("coop_name", "")),
                     "by": e.entered_by, "at": fmt_time(e.entered_at),
                     "visit": fmt_day(e.visit_date),
                     "method": message(f"entry_method_{e.method}", lang)
                     if e.method in en.METHODS else e.method,
                     "status": status, "kind": kind, "keying": keyed,
                     "editable": kind not in ("replaced",)})
    return rows


def comparisons(log: list[tuple[int, en.Entry]], codebook, lang: str = "vi") -> list[dict]:
    """The double-entered sheets to settle: the entries' authors and every difference
    ``(question, first, second)`` in words."""
    _, pending = en.current(log, codebook)
    by_id = {e.entry_id: e for _, e in log}
    out = []
    for c in pending:
        group = [by_id[i] for i in c.entries if i in by_id]
        first = next((e for e in group if e.keying == 1), group[0] if group else None)
        second = next((e for e in group if e.keying == 2), None)
        rows = []
        for number, a, b in c.differences:
            if number in ("visit_date", "entered_by"):
                label = message(f"web_entry_field_{number}", lang)
                rows.append((label, str(a), str(b)))
            else:
                rows.append((number, _answer_words(codebook, a, lang),
                             _answer_words(codebook, b, lang)))
        out.append({"coop_id": c.coop_id,
                    "coop_name": str(first.fields.get("coop_name", "")) if first else "",
                    "first": first, "second": second, "awaiting": c.awaiting_second,
                    "differences": rows})
    return out


def fmt_day(iso: str) -> str:
    """``2023-05-20`` → ``20/05/2023``."""
    parts = str(iso)[:10].split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else str(iso)


def fmt_time(iso: str) -> str:
    """``2023-05-20T09:15:00+07:00`` → ``20/05/2023 09:15``."""
    text = str(iso)
    return f"{fmt_day(text[:10])} {text[11:16]}".strip()


def entries_file(config: Config, year: int) -> Path:
    """The round's entries file (it may not exist yet)."""
    return en.entries_path(config.data_dir, year)
