"""Assisted entry: questionnaires entered by the working group, kept as an append-only log.

When the working group visits a cooperative that has not answered (the printed
questionnaire of :mod:`hailong.publish.questionnaire`) or helps its director on the phone,
a staff member enters the answers in the staff page. Each entry is one JSON line appended
to the round's entries file (``data/raw/<year>/nhap-phieu.jsonl``): an id, when and by
whom it was entered, the visit date, how the answers were collected, the cooperative and
its answers. Nothing in the file is ever rewritten:

- a **correction** is a new entry that names the one it replaces (``supersedes``); both
  stay in the file;
- under **double entry** (an entry made with ``double=True``) a sheet counts only once a
  second person has entered the same sheet and the two agree on every answer; every
  disagreement is listed (:func:`current`) for a third look, whose entry (``keying=0``)
  settles the sheet.

The file is read like any export (:func:`hailong.ingest.readers.read_responses` reads a
``.jsonl`` file as one, through :func:`current`): the same columns, then the same
validation, duplicate rule and ledger as the online submissions.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hailong.core.catalogue import Msg
from hailong.core.errors import InputError
from hailong.core.files import append_line
from hailong.core.messages import message
from hailong.core.text import nfc
from hailong.reference.codebook import Codebook
from hailong.reference.config import ENTRIES_FILE

__all__ = ["ENTRIES_FILE", "METHODS", "Entry", "EntryError", "Comparison", "new_entry",
           "Question", "form",
           "append_entry", "read_log", "current", "answer_text", "entries_path",
           "NO_OPINION", "NOON"]

#: How the answers were collected (message keys ``entry_method_<id>``).
METHODS = ("paper", "onsite", "phone")
#: The value of an answer "Không ý kiến" in an entry.
NO_OPINION = "no_opinion"
#: Export fields an entry carries besides the answers.
FIELDS = ("coop_id", "coop_name", "district_code", "variant", "respondent_name",
          "respondent_phone")
#: Noon in Vietnam: the time given to a visit date (coverage counts whole days).
NOON = dt.time(12, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


class EntryError(InputError):
    """An entry cannot be saved: what is missing or wrong, for the person typing it.

    ``missing`` lists the questions (numbers) left without an answer.
    """

    def __init__(self, key: str, *, missing: Sequence[str] = (), **kw) -> None:
        super().__init__(key, **kw)
        self.missing = tuple(missing)


@dataclass(frozen=True)
class Entry:
    """One entered questionnaire (a line of the entries file).

    Attributes
    ----------
    answers
        ``{item id: value}``: a point of the scale (int), :data:`NO_OPINION`, or the text
        of an open question.
    keying
        1 or 2: first or second entry of a sheet under double entry; 0: the third look
        that settles a disagreement (and a single entry's usual value is 1).
    double
        Entered under double entry: counts only with its pair (or a third look).
    """

    entry_id: str
    entered_at: str
    entered_by: str
    visit_date: str
    method: str
    fields: Mapping[str, str]
    answers: Mapping[str, object]
    supersedes: str = ""
    keying: int = 1
    double: bool = False
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def coop_id(self) -> str:
        return str(self.fields.get("coop_id", ""))


def entries_path(data_dir: str | Path, year: int) -> Path:
    """The entries file of round ``year`` under the data folder."""
    return Path(data_dir) / ENTRIES_FILE.format(year=int(year))


def _asked(codebook: Codebook, variant: str) -> list:
    return [it for it in codebook.scored_items if not variant or variant in it.variants]


@dataclass(frozen=True)
class Question:
    """A question of the entry form: its choices in scale order (``(value, label)``, then
    ``(NO_OPINION, "Không ý kiến")``); none for an open question."""

    id: str
    number: str
    text: str
    group: str
    choices: tuple[tuple[object, str], ...] = ()


def form(codebook: Codebook, variant: str = "", lang: str = "vi") -> list[Question]:
    """The entry form of a cooperative of ``variant`` (every question if empty): the
    scored questions it is asked, by area, then the overall and the open questions."""
    scale = tuple((v, codebook.scale.label(v, lang)) for v in codebook.scale.labels)
    choices = (*scale, (NO_OPINION, codebook.no_opinion_label(lang)))
    out = [Question(it.id, it.number, it.text(lang), d.text(lang), choices)
           for d in codebook.dimensions for it in d.items
           if not variant or variant in it.variants]
    overall = message("q_overall", lang)
    out.append(Question(codebook.overall.id, codebook.overall.number,
                        codebook.overall.text(lang), overall, choices))
    out += [Question(q.id, q.number, q.text(lang), "") for q in codebook.open_questions]
    return out


def new_entry(codebook: Codebook, fields: Mapping[str, str], answers: Mapping[str, object],
              *, entered_by: str, visit_date: object, method: str, supersedes: str = "",
              keying: int = 1, double: bool = False,
              now: dt.datetime | None = None) -> Entry:
    """Check a typed questionnaire and make it an :class:`Entry` (not yet saved).

    Every scored question asked of the cooperative's variant needs an answer (a point of
    the scale or "Không ý kiến"); open questions may stay empty.

    Raises
    ------
    EntryError
        Naming what is missing or wrong (every missing question at once), in the
        language of the moment (:func:`hailong.core.catalogue.current_lang`).
    """
    coop = str(fields.get("coop_id", "")).strip()
    if not coop:
        raise EntryError("err.entry.no_coop")
    who = nfc(str(entered_by or "").strip())
    if not who:
        raise EntryError("err.entry.no_person")
    if method not in METHODS:
        raise EntryError("err.entry.bad_method", found=method,
                         expected=", ".join(METHODS))
    try:
        day = (visit_date if isinstance(visit_date, dt.date)
               else dt.date.fromisoformat(str(visit_date).strip()))
    except ValueError:
        raise EntryError("err.entry.bad_date", found=visit_date,
                         expected="YYYY-MM-DD") from None
    now = now or dt.datetime.now(NOON.tzinfo)  # the day in Vietnam
    if day > now.date():
        raise EntryError("err.entry.future_date", found=day.isoformat())
    points = set(codebook.scale.labels)
    clean: dict[str, object] = {}
    missing = []
    for item in _asked(codebook, str(fields.get("variant", "") or "")):
        value = answers.get(item.id)
        if value in (None, ""):
            missing.append(item.number)
            continue
        if value == NO_OPINION:
            clean[item.id] = NO_OPINION
            continue
        try:
            point = int(str(value))
        except ValueError:
            point = None
        if point not in points:
            raise EntryError("err.entry.bad_answer", number=item.number,
                             found=value, expected=", ".join(map(str, sorted(points))))
        clean[item.id] = point
    if missing:
        raise EntryError("err.entry.missing", numbers=", ".join(missing),
                         missing=missing)
    for q in codebook.open_questions:
        text = nfc(str(answers.get(q.id, "") or "").strip())
        if text:
            clean[q.id] = text
    return Entry(entry_id=uuid.uuid4().hex[:12], entered_at=now.isoformat(timespec="seconds"),
                 entered_by=who, visit_date=day.isoformat(), method=method,
                 fields={k: nfc(str(fields.get(k, "") or "").strip()) for k in FIELDS},
                 answers=clean, supersedes=str(supersedes or ""), keying=int(keying),
                 double=bool(double))


def append_entry(path: str | Path, entry: Entry) -> int:
    """Append ``entry`` as one line (locked, flushed to disk); return its line number.

    The file and its folder are created if needed (owner-only: it holds answers);
    earlier lines are never touched.
    """
    return append_line(path, json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True))


def read_log(path: str | Path) -> list[tuple[int, Entry]]:
    """Every entry of the file with its line number, in the order entered.

    Raises
    ------
    InputError
        If a line is not an entry (file and line named).
    """
    path = Path(path)
    out = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(Msg("err.entry.unreadable"), file=path,
                         found=exc.strerror) from None
    for no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            out.append((no, Entry(**{k: raw[k] for k in raw if k in Entry.__dataclass_fields__})))
        except (ValueError, TypeError):
            raise InputError(Msg("err.entry.bad_line"), file=path, row=no,
                             found=line[:60]) from None
    return out


@dataclass(frozen=True)
class Comparison:
    """A sheet entered twice whose entries do not (yet) agree: for a third look.

    ``differences``: ``(question number, first entry's answer, second entry's answer)``;
    empty while the second entry is still awaited.
    """

    coop_id: str
    entries: tuple[str, ...]
    differences: tuple[tuple[str, object, object], ...]

    @property
    def awaiting_second(self) -> bool:
        return len(self.entries) < 2


def _differences(a: Entry, b: Entry, codebook: Codebook | None
                 ) -> tuple[tuple[str, object, object], ...]:
    numbers = {it.id: it.number for it in codebook.scored_items + codebook.open_questions} \
        if codebook else {}
    keys = sorted(set(a.answers) | set(b.answers),
                  key=lambda k: (list(numbers).index(k) if k in numbers else 10**6, k))
    out = [(numbers.get(k, k), a.answers.get(k, ""), b.answers.get(k, ""))
           for k in keys if a.answers.get(k, "") != b.answers.get(k, "")]
    out += [(k, a.fields.get(k, ""), b.fields.get(k, "")) for k in FIELDS
            if k not in ("respondent_name", "respondent_phone")
            and a.fields.get(k, "") != b.fields.get(k, "")]
    if a.visit_date != b.visit_date:
        out.append(("visit_date", a.visit_date, b.visit_date))
    return tuple(out)


def current(log: Sequence[tuple[int, Entry]], codebook: Codebook | None = None
            ) -> tuple[list[tuple[int, Entry]], list[Comparison]]:
    """The entries that count, and the double-entered sheets still to settle.

    An entry named by a later entry's ``supersedes`` no longer counts. A single entry
    counts. Under double entry a cooperative's sheet counts once its first and second
    entries, by two different people, agree on every answer (the first entry is the one
    that counts), or once a third look (``keying=0``) is entered; until then it is listed
    as a :class:`Comparison`.
    """
    replaced = {e.supersedes for _, e in log if e.supersedes}
    live = [(no, e) for no, e in log if e.entry_id not in replaced]
    counted = [(no, e) for no, e in live if not e.double]
    pending = []
    by_coop: dict[str, list[tuple[int, Entry]]] = {}
    for no, e in live:
        if e.double:
            by_coop.setdefault(e.coop_id, []).append((no, e))
    for coop, group in by_coop.items():
        settled = [(no, e) for no, e in group if e.keying == 0]
        if settled:
            counted.append(settled[-1])
            continue
        first = [(no, e) for no, e in group if e.keying == 1]
        second = [(no, e) for no, e in group if e.keying == 2]
        if not first or not second:
            pending.append(Comparison(coop, tuple(e.entry_id for _, e in group), ()))
            continue
        a, b = first[-1][1], second[-1][1]
        diff = _differences(a, b, codebook)
        if a.entered_by.casefold() == b.entered_by.casefold():
            diff = (("entered_by", a.entered_by, b.entered_by), *diff)
        if diff:
            pending.append(Comparison(coop, (a.entry_id, b.entry_id), diff))
        else:
            counted.append(first[-1])
    counted.sort(key=lambda x: x[0])
    return counted, pending


def answer_text(codebook: Codebook, value: object) -> str:
    """An answer as the online form writes it: the scale label, or "Không ý kiến"."""
    if value == NO_OPINION:
        return codebook.no_opinion[0] if codebook.no_opinion else ""
    if isinstance(value, int):
        return codebook.scale.label(value, "vi")
    return str(value)
