"""Open answers: themes by a keyword dictionary, counts per unit, redacted example quotes.

The dictionary is data (``data/reference/themes.yaml``): themes with their keywords, and
the words redaction needs (titles before a person's name, how a cooperative's name may
start, the placeholders). Keywords are matched on :func:`hailong.ingest.normalize_text`
form, so case, tone-mark placement and spacing do not matter.

What a published report may quote goes through :class:`Redactor` first: it removes every
name of the roster (cooperatives and directors) and of the respondents, names after a
title ("anh Long"), phone numbers (Vietnamese mobile and landline formats, with spaces,
dots or dashes, ``+84``) and e-mail addresses. Show the result with
:func:`hailong.safetext.markdown_text` / :func:`~hailong.safetext.html_text`
(:func:`quote_markdown`, :func:`quote_html`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import safetext
from .codebook import nfc
from .errors import ConfigError
from .ingest import normalize_text
from .stats import PRIMARY, SECONDARY, suppress_table

#: Columns of :func:`theme_counts` and of ``Results.themes``.
COUNT_COLUMNS = ["unit", "question", "theme", "respondents", "answered", "share", "suppressed",
                 "suppression"]
#: Columns of :func:`example_quotes` and of ``Results.quotes``.
QUOTE_COLUMNS = ["unit", "question", "theme", "rank", "text", "respondents"]

_WORD = re.compile(r"[^\W_]+(?:/[^\W_]+)?")
_PUNCT = re.compile(r"[\W_]+")
#: Vietnamese phone numbers: 0 or +84 / 84, then 9–10 digits, spaces, dots or dashes
#: allowed between digits ("0900 844 843", "0900.844.843", "+84 900 844 843",
#: "0225 3841 234").
PHONE = re.compile(r"(?<![\w+])(?:\(?\+84\)?[\s.\-]?|84[\s.\-]?|0)(?:\d[\s.\-]?){8,9}\d(?!\d)")
#: E-mail addresses.
EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def match_form(text: object) -> str:
    """The form keywords are matched on: normalized words separated by single spaces.

    >>> match_form("Thủ tục  hành chính, RƯỜM RÀ!")
    'thủ tục hành chính rườm rà'
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    return _PUNCT.sub(" ", normalize_text(text)).strip()


@dataclass(frozen=True)
class Theme:
    """One theme: id, labels and its keywords in :func:`match_form`."""

    id: str
    vi: str
    en: str
    keywords: tuple[str, ...] = ()

    def label(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True)
class ThemeBook:
    """The themes dictionary (:func:`load_themes`)."""

    path: Path | None
    themes: tuple[Theme, ...]
    other: Theme
    titles: tuple[str, ...] = ()
    organisation_prefixes: tuple[str, ...] = ()
    placeholders: dict = field(default_factory=dict)

    def label(self, theme_id: str, lang: str = "vi") -> str:
        """The theme's name in ``lang`` (the "other" theme included)."""
        for t in (*self.themes, self.other):
            if t.id == theme_id:
                return t.label(lang)
        raise KeyError(theme_id)

    @property
    def ids(self) -> list[str]:
        """Every theme id in dictionary order, "other" last."""
        return [t.id for t in self.themes] + [self.other.id]


_PLACEHOLDERS = {"person": "[họ tên]", "phone": "[số điện thoại]", "email": "[email]",
                 "organisation": "[tên HTX]"}


def load_themes(path: str | Path) -> ThemeBook:
    """Read the themes dictionary.

    Raises
    ------
    ConfigError
        If the file is missing, not YAML, or a theme lacks ``id``, ``vi`` or keywords.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError("The themes dictionary does not exist.", file=path,
                          hint="Set 'themes:' in data/hailong.yaml to an existing file.")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"The themes dictionary is not valid YAML: {exc}", file=path) from None
    themes, seen = [], set()
    for k, t in enumerate(raw.get("themes") or []):
        try:
            tid, vi, words = str(t["id"]), str(t["vi"]), t["keywords"]
        except (KeyError, TypeError):
            raise ConfigError(f"Theme {k + 1} lacks 'id', 'vi' or 'keywords'.", file=path,
                              found=t) from None
        if tid in seen or not words:
            raise ConfigError("Each theme needs a unique id and at least one keyword.",
                              file=path, found=tid)
        seen.add(tid)
        themes.append(Theme(tid, nfc(vi), nfc(str(t.get("en", vi))),
                            tuple(dict.fromkeys(match_form(w) for w in words if match_form(w)))))
    if not themes:
        raise ConfigError("The themes dictionary lists no theme.", file=path)
    other = raw.get("other") or {"id": "khac", "vi": "Khác", "en": "Other"}
    red = raw.get("redaction") or {}
    return ThemeBook(
        path=path, themes=tuple(themes),
        other=Theme(str(other["id"]), nfc(str(other["vi"])),
                    nfc(str(other.get("en", other["vi"])))),
        titles=tuple(match_form(w) for w in red.get("titles", []) if match_form(w)),
        organisation_prefixes=tuple(match_form(w) for w in red.get("organisation_prefixes", [])
                                    if match_form(w)),
        placeholders={**_PLACEHOLDERS, **(red.get("placeholders") or {})},
    )


def code_themes(text: object, book: ThemeBook) -> list[str]:
    """The themes an answer mentions, in dictionary order.

    An empty answer has none; a non-empty answer that matches no keyword is
    ``[book.other.id]``.
    """
    form = match_form(text)
    if not form:
        return []
    padded = f" {form} "
    hits = [t.id for t in book.themes if any(f" {k} " in padded for k in t.keywords)]
    return hits or [book.other.id]


# ------------------------------------------------------------------------ redaction


def _proper(words: Sequence[str]) -> bool:
    """True when a name has a capitalised word after its first (a place or person)."""
    return any(w[:1].isupper() for w in words[1:])


class Redactor:
    """Removes names, phone numbers and e-mail addresses from a text.

    Parameters
    ----------
    book
        Titles, organisation prefixes and placeholders.
    people
        Full names of people (respondents, directors): removed wherever they occur, in
        any case or tone-mark placement. Names of one word are only removed after a
        title.
    organisations
        Names of cooperatives (the roster): removed with or without their prefix
        ("HTX ...", "Hợp tác xã ..."); the name without its prefix alone only when it
        holds a proper name (so "HTX Nông nghiệp" does not remove "nông nghiệp").
    """

    def __init__(self, book: ThemeBook, people: Iterable[str] = (),
                 organisations: Iterable[str] = ()) -> None:
        self.book = book
        self._titles = sorted({tuple(t.split()) for t in book.titles}, key=len, reverse=True)
        self._prefixes = sorted({tuple(p.split()) for p in book.organisation_prefixes},
                                key=len, reverse=True)
        self._people = self._index(tuple(match_form(p).split()) for p in people
                                   if len(match_form(p).split()) >= 2)
        orgs = []
        for name in organisations:
            words = match_form(name).split()
            if not words:
                continue
            orgs.append(tuple(words))
            core = self._strip_prefix(words)
            raw_core = str(name).split()[len(words) - len(core):]
            if len(core) >= 2 and len(core) < len(words) and _proper(raw_core):
                orgs.append(tuple(core))
        self._orgs = self._index(orgs)

    @staticmethod
    def _index(names: Iterable[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
        index: dict[str, list[tuple[str, ...]]] = {}
        for n in set(names):
            index.setdefault(n[0], []).append(n)
        for v in index.values():
            v.sort(key=len, reverse=True)
        return index

    def _strip_prefix(self, words: list[str]) -> list[str]:
        for p in self._prefixes:
            if tuple(words[: len(p)]) == p and len(words) > len(p):
                return words[len(p):]
        return words

    def __call__(self, text: object) -> str:
        s = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
        ph = self.book.placeholders
        s = EMAIL.sub(ph["email"], s)
        s = PHONE.sub(ph["phone"], s)
        tokens = [(m.start(), m.end(), m.group(), match_form(m.group()))
                  for m in _WORD.finditer(s)]
        norms = [t[3] for t in tokens]
        taken = [False] * len(tokens)
        spans: list[tuple[int, int, str]] = []

        def claim(i: int, j: int, kind: str) -> None:
            for k in range(i, j):
                taken[k] = True
            spans.append((i, j, kind))

        def match_at(i: int, index: dict) -> int:
            for name in index.get(norms[i], ()):
                if tuple(norms[i:i + len(name)]) == name and not any(taken[i:i + len(name)]):
                    return len(name)
            return 0

        for i in range(len(tokens)):  # cooperatives, with a prefix written before them
            n = match_at(i, self._orgs) if not taken[i] else 0
            if n:
                start = i
                for p in self._prefixes:
                    if i >= len(p) and tuple(norms[i - len(p):i]) == p \
                            and not any(taken[i - len(p):i]):
                        start = i - len(p)
                        break
                claim(start, i + n, "organisation")
        for i in range(len(tokens)):  # known people
            n = match_at(i, self._people) if not taken[i] else 0
            if n:
                claim(i, i + n, "person")
        for i in range(len(tokens)):  # a title, then capitalised words
            for t in self._titles:
                if tuple(norms[i:i + len(t)]) != t:
                    continue
                j = i + len(t)
                k = j
                while k < len(tokens) and k - j < 4 and not taken[k]:
                    word = tokens[k][2]
                    if not word[:1].isupper() or (len(word) > 1 and word.isupper()):
                        break
                    k += 1
                if k > j:
                    claim(j, k, "person")
                break
        for i, j, kind in sorted(spans, reverse=True):
            s = s[:tokens[i][0]] + ph[kind] + s[tokens[j - 1][1]:]
        return s


def redact(text: object, book: ThemeBook, people: Iterable[str] = (),
           organisations: Iterable[str] = ()) -> str:
    """:class:`Redactor` for one text (build the Redactor once for many texts)."""
    return Redactor(book, people, organisations)(text)


def quote_markdown(text: object) -> str:
    """A redacted quote for Markdown output, shown literally (:func:`safetext.markdown_text`)."""
    return safetext.markdown_text(text)


def quote_html(text: object) -> str:
    """A redacted quote for HTML output, shown literally (:func:`safetext.html_text`)."""
    return safetext.html_text(text)


# ---------------------------------------------------------------- counts and quotes


_SPLIT = re.compile(r"(?<=[.!?;])\s+|;\s*|\s+(?=\d{1,2}[.)]\s)")
_NUMBERING = re.compile(r"^\s*\d{1,2}[.)]\s*")


def sentences(text: object) -> list[str]:
    """An answer cut into sentences; list numbering ("1. ", "2) ") removed.

    >>> sentences("1. Thiếu vốn. 2. Thủ tục rườm rà; đất chật")
    ['Thiếu vốn.', 'Thủ tục rườm rà', 'đất chật']
    """
    s = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    parts = (_NUMBERING.sub("", p).strip() for p in _SPLIT.split(s))
    return [p for p in parts if match_form(p)]


def theme_counts(answers: pd.DataFrame, questions: Sequence[str], book: ThemeBook,
                 units: Sequence[str], min_n: int = 5, city: str = "city") -> pd.DataFrame:
    """Respondents mentioning each theme, per unit and for the whole city, withheld below
    ``min_n``.

    Parameters
    ----------
    answers
        One row per respondent: ``unit`` and one text column per question.
    questions
        The open-question columns.
    units
        The units to list (in order); ``city`` is added last and counts every row.
    min_n
        Disclosure control: a count of ``1 .. min_n - 1`` respondents is withheld, and so
        is every count of a unit where fewer than ``min_n`` respondents answered the
        question; complementary counts are withheld so that the city total cannot
        reveal a withheld one (:func:`hailong.stats.suppress_table`, totals = the city).

    Returns
    -------
    DataFrame
        :data:`COUNT_COLUMNS`: ``respondents`` mentioning the theme, ``answered`` =
        respondents who wrote an answer, ``share = respondents / answered``; withheld
        counts and shares are NaN (``answered`` is kept).
    """
    units = [u for u in units if u != city]
    rows = []
    for q in questions:
        text = answers[q] if q in answers.columns else pd.Series("", index=answers.index)
        coded = text.map(lambda x: code_themes(x, book))
        hits = pd.DataFrame({t: coded.map(lambda c, t=t: t in c) for t in book.ids},
                            index=answers.index)
        wrote = coded.map(bool)
        unit = answers["unit"].astype("str")
        counts = hits.groupby(unit).sum().reindex(units, fill_value=0).astype("int64")
        answered = wrote.groupby(unit).sum().reindex(units, fill_value=0).astype("int64")
        primary = (counts > 0) & ((counts < min_n) | (answered < min_n).to_numpy()[:, None])
        sup = suppress_table(counts, min_n, margins="columns", primary=primary)
        city_counts = hits.sum().astype("int64")
        city_answered = int(wrote.sum())
        city_hidden = sup.column_totals | ((city_counts > 0) & (city_answered < min_n))
        for u in units:
            for t in book.ids:
                rows.append((u, q, t, counts.at[u, t], answered[u], sup.cells.at[u, t],
                             sup.reason.at[u, t]))
        for t in book.ids:
            reason = (PRIMARY if 0 < city_counts[t] < min_n or city_answered < min_n
                      else SECONDARY) if city_hidden[t] else ""
            rows.append((city, q, t, city_counts[t], city_answered, bool(city_hidden[t]),
                         reason))
    out = pd.DataFrame(rows, columns=["unit", "question", "theme", "respondents", "answered",
                                      "suppressed", "suppression"])
    out["respondents"] = out["respondents"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = out["respondents"] / out["answered"].where(out["answered"] > 0)
    out.loc[out["suppressed"], ["respondents", "share"]] = np.nan
    out["answered"] = out["answered"].astype("int64")
    out["suppressed"] = out["suppressed"].astype(bool)
    return out[COUNT_COLUMNS]


def example_quotes(answers: pd.DataFrame, questions: Sequence[str], book: ThemeBook,
                   redactor: Redactor, per_theme: int = 2, city: str = "city") -> pd.DataFrame:
    """A few typical sentences per theme, redacted, from the given respondents.

    Each answer is redacted, cut into :func:`sentences` and each sentence coded; per
    question and theme the sentences written most often (by distinct respondents) are
    taken, shortest first on a tie; a sentence already quoted under an earlier theme only
    when nothing else is left, and the "other" theme is not quoted. The quotes are not
    attributed to a unit (``unit`` is ``city``): pass only respondents of units whose
    figures are published.

    Returns
    -------
    DataFrame
        :data:`QUOTE_COLUMNS`; ``respondents`` = how many wrote that sentence.
    """
    rows = []
    for q in questions:
        if q not in answers.columns:
            continue
        found: dict[tuple[str, str], dict] = {}
        for k, raw in enumerate(answers[q].tolist()):
            for sentence in sentences(redactor(raw)):
                key = match_form(sentence)
                for t in code_themes(sentence, book):
                    entry = found.setdefault((t, key), {"text": sentence, "who": set()})
                    entry["who"].add(k)
        table = pd.DataFrame([(t, e["text"], len(e["who"]), len(e["text"]))
                              for (t, _), e in found.items()],
                             columns=["theme", "text", "respondents", "length"])
        if table.empty:
            continue
        table = table[table["theme"] != book.other.id]
        table = table.sort_values(["respondents", "length", "text"], ascending=[False, True, True])
        used: set[str] = set()
        for t in book.ids:  # a sentence quoted under one theme is not repeated under another
            group = table[table["theme"] == t]
            fresh = group[~group["text"].map(match_form).isin(used)]
            picked = pd.concat([fresh, group[~group.index.isin(fresh.index)]]).head(per_theme)
            for rank, r in enumerate(picked.itertuples(), start=1):
                used.add(match_form(r.text))
                rows.append((city, q, t, rank, r.text, int(r.respondents)))
    return pd.DataFrame(rows, columns=QUOTE_COLUMNS).astype(
        {"rank": "int64", "respondents": "int64"})
