"""The submissions of one round: who answered, when, what, and by whom, with the
duplicates, earlier attempts by name only and personal data a real export has."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from hailong.reference.codebook import Codebook
from hailong.reference.config import Round
from hailong.sample.generate.answers import _answers, _open_answers, _scale_values
from hailong.sample.generate.draws import _phone
from hailong.sample.generate.timeline import _moment, _round_dates, _timeline
from hailong.sample.generate.vocabulary import (
    DIFFICULTIES,
    FEMALE_OTHER,
    NAME_PREFIXES,
    PERSONAL_TEMPLATES,
    RECOMMENDATIONS,
    _person,
)

#: Later resubmissions (half identical, half changed) and earlier attempts by name only.
FIRST_ATTEMPTS, DUPLICATES = 4, 8
RESPONDENT_IS_DIRECTOR = 0.6
#: Submissions whose open answers carry personal data.
PERSONAL_TEXTS = 4


def _make_responses(rng: np.random.Generator, roster: pd.DataFrame, codebook: Codebook,
                   rnd: Round, year: int | None = None) -> pd.DataFrame:
    """Synthetic submissions in canonical columns, sorted by submission time.

    Scored columns hold scale values, ``-1`` for "no opinion" and NaN when the item is
    not asked; ``coop_id`` is empty for submissions that give only the name.
    """
    sub = _timeline(rng, roster, rnd)
    coop = roster.iloc[sub["pos"].to_numpy()].reset_index(drop=True)
    sub = pd.concat([sub.drop(columns=["district_code", "commune_code"]),
                     coop[["coop_name", "variant", "email", "director_name"]]], axis=1)
    sub = pd.concat([sub, _respondents(rng, coop, set(roster["phone"])),
                     _answers(rng, coop, codebook, year)], axis=1)
    sub[DIFFICULTIES], sub[RECOMMENDATIONS] = _open_answers(rng, sub["variant"])
    with_id = (sub["how"] == "id").to_numpy()
    wrote = ((sub[DIFFICULTIES] != "") | (sub[RECOMMENDATIONS] != "")).to_numpy()
    special = rng.choice(np.flatnonzero(with_id), size=DUPLICATES + FIRST_ATTEMPTS, replace=False)
    _add_personal_data(rng, sub, np.setdiff1d(np.flatnonzero(with_id & wrote), special))
    extra = _resubmissions(rng, sub, special, codebook, rnd)
    sub = pd.concat([sub, extra], ignore_index=True)
    named = sub["how"] == "name"
    sub.loc[named, "coop_name"] = [_variant_name(rng, n) for n in sub.loc[named, "coop_name"]]
    sub.loc[named, "coop_id"] = ""
    sub = sub.sort_values(["submitted_at", "coop_id", "coop_name"], kind="stable")
    return sub.drop(columns=["pos", "how", "email", "director_name", "respondent_female"]
                    ).reset_index(drop=True)


def _respondents(rng: np.random.Generator, coop: pd.DataFrame, used: set[str]) -> pd.DataFrame:
    """Who filled the form: the director (own phone) or another officer (new fake phone)."""
    names, phones, female = [], [], []
    for row in coop.itertuples():
        if rng.random() < RESPONDENT_IS_DIRECTOR:
            names.append(row.director_name)
            phones.append(row.phone)
            female.append(bool(row.director_female))
            continue
        f = bool(rng.random() < FEMALE_OTHER)
        phone = _phone(int(rng.integers(1_000_000)))
        while phone in used:
            phone = _phone(int(rng.integers(1_000_000)))
        used.add(phone)
        names.append(_person(rng, f))
        phones.append(phone)
        female.append(f)
    return pd.DataFrame({"respondent_name": names, "respondent_phone": phones,
                         "respondent_female": female}, index=coop.index)


def _personal_text(k: int, sub: pd.Series) -> str:
    """Sentence ``k`` of PERSONAL_TEMPLATES filled with this submission's own details."""
    t = PERSONAL_TEMPLATES[k % len(PERSONAL_TEMPLATES)]
    return t.format(title="chị" if sub["respondent_female"] else "anh",
                    given=sub["respondent_name"].split()[-1], phone=sub["respondent_phone"],
                    email=sub["email"], coop=sub["coop_name"], director=sub["director_name"])


def _add_personal_data(rng: np.random.Generator, subs: pd.DataFrame, eligible: np.ndarray) -> None:
    """Put personal data into the open answers of a few submissions (in place)."""
    rows = rng.choice(eligible, size=min(PERSONAL_TEXTS, len(eligible)), replace=False)
    for k, i in enumerate(np.sort(rows)):
        col = DIFFICULTIES if k % 2 == 0 else RECOMMENDATIONS
        text = _personal_text(k, subs.loc[i])
        subs.at[i, col] = f"{subs.at[i, col]} {text}".strip()


def _variant_name(rng: np.random.Generator, name: str) -> str:
    """The cooperative's name as a respondent types it (other prefix or case)."""
    for prefix, alts in NAME_PREFIXES.items():
        if name.startswith(prefix) and rng.random() < 0.6:
            return alts[int(rng.integers(len(alts)))] + name[len(prefix):]
    return name.upper() if rng.random() < 0.5 else name.lower()


def _resubmissions(rng: np.random.Generator, sub: pd.DataFrame, special: np.ndarray,
                   codebook: Codebook, rnd: Round) -> pd.DataFrame:
    """Duplicates (later, half identical, half changed) and earlier name-only attempts."""
    opened, deadline = _round_dates(rnd)
    item_ids = [it.id for it in codebook.scored_items]
    values = _scale_values(codebook)
    rows = []
    for k, i in enumerate(special):
        row = sub.loc[i].copy()
        t = row["submitted_at"]
        step = dt.timedelta(minutes=int(rng.integers(15, 180)))
        if k < DUPLICATES:
            day = min(t.date() + dt.timedelta(days=int(rng.integers(0, 13))), deadline)
            moment = _moment(rng, day)
            row["submitted_at"] = moment if moment > t else t + step
            if k % 2 == 1:
                row = _change_some(rng, row, item_ids, values)
        else:
            day = max(t.date() - dt.timedelta(days=int(rng.integers(0, 4))), opened)
            moment = _moment(rng, day)
            row["submitted_at"] = moment if moment < t else t - step
            row["how"] = "name"
        rows.append(row)
    return pd.DataFrame(rows)


def _change_some(rng: np.random.Generator, row: pd.Series, item_ids: list[str],
                 values: list[int]) -> pd.Series:
    """A resubmission: two to four answered items moved one label up or down."""
    row = row.copy()
    answered = [c for c in item_ids if pd.notna(row[c]) and row[c] >= 0]
    for c in rng.choice(answered, size=min(len(answered), 2 + int(rng.integers(3))), replace=False):
        k = values.index(int(row[c]))
        k = k + 1 if k == 0 or (k < len(values) - 1 and rng.random() < 0.5) else k - 1
        row[c] = values[k]
    return row
