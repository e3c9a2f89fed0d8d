"""Match survey submissions that lack a usable cooperative code to the roster, by name.

A submission whose code is blank or not in the roster is looked up by its cooperative's
name: within its district when the export gives a district code of the roster, otherwise
across the city. It is matched only when exactly one roster entry has the same *name
key*; a name that matches no entry, or several, is listed for a person to resolve —
never guessed, never dropped.

The name key (:func:`name_key`) is the name as :func:`hailong.ingest.readers.normalize_text`
gives it (NFC, case, spacing, tone-mark placement: "Thuỷ" = "Thủy"), with punctuation
read as a space and the common abbreviations of cooperative names written out
(:data:`ABBREVIATIONS`: "HTX" = "Hợp tác xã", "DV" = "dịch vụ", "QTDND" = "Quỹ tín
dụng nhân dân", ...). Writing abbreviations out cannot cause a wrong match: the roster's
names get the same key, so two entries that differ only by an abbreviation share a key
and a submission naming them is "several matches". Letters without their diacritics
("Dich vu") are *not* matched: too many names differ only by them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hailong.core.catalogue import Msg
from hailong.core.errors import InputError
from hailong.ingest.readers import FILE_COLUMN, ROW_COLUMN, normalize_text

__all__ = ["ABBREVIATIONS", "NameMatch", "name_key", "find", "match_to_roster"]

#: Abbreviations in cooperative names (one word each, any case) -> the words they stand
#: for. Only abbreviations whose meaning in a cooperative's name is unambiguous.
ABBREVIATIONS: dict[str, str] = {
    "htx": "hợp tác xã",
    "lhhtx": "liên hiệp hợp tác xã",
    "lh": "liên hiệp",
    "qtdnd": "quỹ tín dụng nhân dân",
    "tdnd": "tín dụng nhân dân",
    "dv": "dịch vụ",
    "dvnn": "dịch vụ nông nghiệp",
    "dvth": "dịch vụ tổng hợp",
    "nn": "nông nghiệp",
    "sx": "sản xuất",
    "kd": "kinh doanh",
    "sxkd": "sản xuất kinh doanh",
    "tm": "thương mại",
    "tmdv": "thương mại dịch vụ",
    "xd": "xây dựng",
}
#: Ledger wording (``reason`` column).
MATCHED, NO_MATCH, SEVERAL = "matched by name", "no match", "several matches"

_EXPANDED = {normalize_text(k): normalize_text(v) for k, v in ABBREVIATIONS.items()}


def _is_separator(ch: str) -> bool:
    """Punctuation and symbols (``. , - – ( ) " ' /`` ...) separate words like a space."""
    return unicodedata.category(ch)[0] in "PS"


def name_key(name: object) -> str:
    """The form of a cooperative's name used for matching.

    >>> name_key("Hợp tác xã  DV nông nghiệp Thuỷ Sơn")
    'hợp tác xã dịch vụ nông nghiệp thuỷ sơn'
    >>> name_key("HTX Dịch vụ Nông nghiệp Thủy Sơn")
    'hợp tác xã dịch vụ nông nghiệp thuỷ sơn'
    """
    text = normalize_text("" if name is None else str(name))
    text = "".join(" " if _is_separator(ch) else ch for ch in text)
    return " ".join(_EXPANDED.get(w, w) for w in text.split())


def _roster_keys(roster: pd.DataFrame) -> pd.DataFrame:
    """``coop_id, district_code, coop_name, key`` of every roster entry."""
    out = roster[["coop_id", "district_code", "coop_name"]].astype("str").copy()
    out["key"] = out["coop_name"].map(name_key)
    return out


def find(name: str, roster: pd.DataFrame, district: str | None = None,
         keys: pd.DataFrame | None = None) -> list[str]:
    """Codes of the roster entries whose name has the same key as ``name``.

    Parameters
    ----------
    name
        The name as written in the submission.
    roster
        The canonical roster (``coop_id, coop_name, district_code``).
    district
        Look only in this district (its code); ``None``: the whole city.
    keys
        :func:`_roster_keys` of ``roster``, when the caller already has them.

    Returns
    -------
    list of str
        The matching codes in roster order: one = a match; none or several = for a
        person to resolve.
    """
    keys = _roster_keys(roster) if keys is None else keys
    key = name_key(name)
    if not key:
        return []
    hit = keys["key"] == key
    if district is not None:
        hit &= keys["district_code"] == str(district)
    return list(keys.loc[hit, "coop_id"])


@dataclass
class NameMatch:
    """What name matching did to a survey export.

    Attributes
    ----------
    frame
        The export rows, with ``coop_id`` set to the matched roster code where a name
        matched (all other cells as read).
    matched
        One row per submission matched by name: ``source_file, source_row, written_id,
        coop_name, coop_id, scope`` (``scope``: the district code searched, or ``"city"``).
    unresolved
        One row per submission that matched no roster entry or several:
        ``source_file, source_row, submitted_at, written_id, coop_name, district_code,
        respondent_name, respondent_phone, scope, reason, candidates`` (``reason`` is
        ``"no match"`` or ``"several matches: HP-0012, HP-0044"``; ``candidates`` the
        codes, comma-separated).
    names
        District code -> name, for the messages.
    """

    frame: pd.DataFrame
    matched: pd.DataFrame
    unresolved: pd.DataFrame
    names: dict[str, str] = field(default_factory=dict)

    def annotate(self, ledger: pd.DataFrame) -> pd.DataFrame:
        """The ledger with the name matching recorded (a copy).

        A matched row's ``reason`` notes "matched by name" (after any reason it already
        has); an unresolved row's ``reason`` gets "no match" or "several matches: ..."
        and its ``message`` a line saying what to do.
        """
        out = ledger.copy()
        if not len(self.matched) and not len(self.unresolved):
            return out
        key = zip(out["source_file"].astype(str), out["source_row"].astype(int))
        where = {k: i for i, k in enumerate(key)}
        # changed in arrays, set once: a cell at a time would copy a text column each time
        reason = out["reason"].to_numpy(object).copy()
        message = out["message"].to_numpy(object).copy()
        for r in self.matched.itertuples(index=False):
            i = where.get((str(r.source_file), int(r.source_row)))
            if i is not None:
                reason[i] = _joined(reason[i], _matched_note(r))
        for r in self.unresolved.itertuples(index=False):
            i = where.get((str(r.source_file), int(r.source_row)))
            if i is not None:
                reason[i] = _joined(reason[i], r.reason)
                message[i] = "\n".join(m for m in (message[i], self._message(r)) if m)
        out["reason"] = pd.Series(reason, index=out.index, dtype=out["reason"].dtype)
        out["message"] = pd.Series(message, index=out.index, dtype=out["message"].dtype)
        return out

    def _message(self, r) -> str:
        """What a person does about one unresolved submission."""
        where = (Msg("val.match.in_district", code=r.scope,
                     name=self.names.get(r.scope, r.scope))
                 if r.scope != "city" else Msg("val.match.in_city"))
        if not r.coop_name.strip():
            text, hint = "val.match.no_name", "val.match.hint_no_name"
        elif r.candidates:
            text, hint = "val.match.several", "val.match.hint_several"
        else:
            text, hint = "val.match.none", "val.match.hint_none"
        return str(InputError(text, file=r.source_file, row=int(r.source_row), hint=hint,
                              name=repr(r.coop_name), where=where, candidates=r.candidates))


def _joined(reason: str, note: str) -> str:
    return f"{reason}; {note}" if reason else note


def _matched_note(r) -> str:
    how = "code blank" if not r.written_id else f"code {r.written_id!r} not in the roster"
    return f"{MATCHED} ({how}; name {r.coop_name!r})"


def _column(raw: pd.DataFrame, name: str) -> pd.Series:
    if name in raw.columns:
        return raw[name].fillna("").astype("str")
    return pd.Series("", index=raw.index, dtype="str")


def match_to_roster(raw: pd.DataFrame, roster: pd.DataFrame,
                    district_names: dict[str, str] | None = None) -> NameMatch:
    """Give the submissions without a roster code the code their name matches.

    Parameters
    ----------
    raw
        Export rows from :func:`hailong.ingest.readers.read_responses` (``coop_id``,
        ``coop_name``, ``district_code`` if the export has it, ``_file``, ``_row``).
    roster
        The canonical roster.
    district_names
        ``{code: name}`` for the messages (optional).

    Returns
    -------
    NameMatch
        The export with matched codes filled in, and the matched and unresolved rows.
        Rows whose code is in the roster are left exactly as they are.
    """
    frame = raw.copy()
    ids = _column(frame, "coop_id").str.strip()
    known = set(roster["coop_id"].astype(str))
    todo = np.flatnonzero(~ids.isin(known).to_numpy(bool))
    keys = _roster_keys(roster)
    districts = set(keys["district_code"])
    ids = ids.to_numpy(object)
    names, given, times, people, phones = (
        _column(frame, c).to_numpy(object) for c in
        ("coop_name", "district_code", "submitted_at", "respondent_name", "respondent_phone"))
    given = np.array([g.strip() for g in given], dtype=object)
    files, rows = frame[FILE_COLUMN].to_numpy(object), frame[ROW_COLUMN].to_numpy()
    matched, unresolved = [], []
    seen: dict[tuple[str, str], list[str]] = {}  # (name, scope) -> codes: repeats cost once
    codes = frame["coop_id"].to_numpy(object).copy() if len(todo) else None
    for i in todo:
        scope = given[i] if given[i] in districts else "city"
        if (names[i], scope) not in seen:
            seen[names[i], scope] = find(names[i], roster, None if scope == "city" else scope,
                                         keys=keys)
        found = seen[names[i], scope]
        base = {"source_file": str(files[i]), "source_row": int(rows[i]),
                "written_id": ids[i], "coop_name": names[i], "scope": scope}
        if len(found) == 1:
            codes[i] = found[0]
            matched.append({**base, "coop_id": found[0]})
            continue
        reason = NO_MATCH if not found else f"{SEVERAL}: {', '.join(found)}"
        unresolved.append({
            **base, "submitted_at": times[i], "district_code": given[i],
            "respondent_name": people[i], "respondent_phone": phones[i],
            "reason": reason, "candidates": ", ".join(found)})
    if matched:  # one assignment (a cell at a time copies the frame's attrs each time)
        frame["coop_id"] = pd.Series(codes, index=frame.index, dtype="str")
    return NameMatch(
        frame=frame,
        matched=pd.DataFrame(matched, columns=[
            "source_file", "source_row", "written_id", "coop_name", "coop_id", "scope"]),
        unresolved=pd.DataFrame(unresolved, columns=[
            "source_file", "source_row", "submitted_at", "written_id", "coop_name",
            "district_code", "respondent_name", "respondent_phone", "scope", "reason",
            "candidates"]),
        names=dict(district_names or {}))
