"""Open answers: themes by a keyword dictionary, counts per unit, redacted example quotes.

The dictionary is data (``data/reference/themes.yaml``): themes with their keywords, and
the words redaction needs (titles before a person's name, how a cooperative's name may
start, the placeholders). Keywords are matched on :func:`hailong.ingest.readers.normalize_text`
form, so case, tone-mark placement and spacing do not matter.

What a published report may quote goes through :class:`Redactor` first: it removes every
name of the roster (cooperatives and directors) and of the respondents, names after a
title ("anh Long"), phone numbers (Vietnamese mobile and landline formats, with spaces,
dots or dashes, ``+84``) and e-mail addresses. Show the result with
:func:`hailong.core.safetext.markdown_text` / :func:`~hailong.core.safetext.html_text`
(:func:`quote_markdown`, :func:`quote_html`).

Scale (the national sample: 24,600 answers, 30,000 cooperatives): every distinct text
is normalized, coded and redacted once (the same answers recur across units, questions
and levels); names and keywords are looked up by their words in dictionaries, so the
cost grows with the length of the answers, not with the size of the roster.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from hailong.core import safetext
from hailong.core.errors import ConfigError
from hailong.core.text import EMAIL, PHONE, nfc
from hailong.core.yamlfile import read_yaml
from hailong.ingest.readers import normalize_text
from hailong.numbers.stats import PRIMARY, SECONDARY, suppress_table

#: Columns of :func:`theme_counts` and of ``Results.themes``.
COUNT_COLUMNS = ["unit", "question", "theme", "respondents", "answered", "share", "suppressed",
                 "suppression"]
#: Columns of :func:`example_quotes` and of ``Results.quotes``.
QUOTE_COLUMNS = ["unit", "question", "theme", "rank", "text", "respondents"]

_WORD = re.compile(r"[^\W_]+(?:/[^\W_]+)?")
_PUNCT = re.compile(r"[\W_]+")
_DIGIT = re.compile(r"\d")
#: How many distinct texts the caches of a dictionary (their themes) and of a
#: :class:`Redactor` (their redacted form) keep.
MEMO = 100_000


def match_form(text: object) -> str:
    """The form keywords are matched on: normalized words separated by single spaces.

    Texts are normalized once: the forms of recent texts are kept (a bounded cache), as
    the same words, names and answers recur across questions and reporting levels.

    >>> match_form("Thủ tục  hành chính, RƯỜM RÀ!")
    'thủ tục hành chính rườm rà'
    """
    if isinstance(text, str):
        return _match_form_str(text)
    if text is None or text is pd.NA or text is pd.NaT or (isinstance(text, float)
                                                        and np.isnan(text)):
        return ""
    return _PUNCT.sub(" ", normalize_text(text)).strip()


@lru_cache(maxsize=1 << 17)
def _match_form_str(text: str) -> str:
    # normalize_text works word by word and never joins across whitespace, so a text's
    # form is its whitespace-separated pieces' forms joined: each distinct piece is
    # normalized once
    pieces = text.split()
    if len(pieces) > 1:
        return " ".join(f for f in map(_match_form_str, pieces) if f)
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

    @cached_property
    def _keyword_index(self) -> tuple[dict, dict]:
        """Keywords as word tuples -> positions of their themes, and per first word the
        keyword lengths (in words, shortest first); built once per dictionary."""
        themes_of: dict[tuple[str, ...], set[int]] = {}
        lengths: dict[str, set[int]] = {}
        for j, t in enumerate(self.themes):
            for k in t.keywords:
                words = tuple(k.split(" "))
                themes_of.setdefault(words, set()).add(j)
                lengths.setdefault(words[0], set()).add(len(words))
        return ({w: frozenset(js) for w, js in themes_of.items()},
                {w: sorted(ls) for w, ls in lengths.items()})

    @cached_property
    def _coded(self) -> dict[str, tuple[str, ...]]:
        """Themes of the texts coded so far (:func:`match_form` -> ids), up to
        :data:`MEMO` texts."""
        return {}

    def __getstate__(self) -> dict:
        # the caches are rebuilt on use, not pickled
        return {k: v for k, v in self.__dict__.items()
                if k not in ("_keyword_index", "_coded")}


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
    raw = read_yaml(path, "what.themes_dictionary", hint="hint.set_themes_key")
    themes, seen = [], set()
    for k, t in enumerate(raw.get("themes") or []):
        try:
            tid, vi, words = str(t["id"]), str(t["vi"]), t["keywords"]
        except (KeyError, TypeError):
            raise ConfigError("err.theme_lacks_id_vi", file=path, found=t, k=k + 1) from None
        if tid in seen or not words:
            raise ConfigError("err.each_theme_needs_unique", file=path, found=tid)
        seen.add(tid)
        themes.append(Theme(tid, nfc(vi), nfc(str(t.get("en", vi))),
                            tuple(dict.fromkeys(match_form(w) for w in words if match_form(w)))))
    if not themes:
        raise ConfigError("err.themes_dictionary_lists_theme", file=path)
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
    return _themes_of_form(match_form(text), book)


def _themes_of_form(form: str, book: ThemeBook) -> list[str]:
    """:func:`code_themes` of a text already in :func:`match_form`."""
    if not form:
        return []
    memo = book._coded
    done = memo.get(form)
    if done is None:
        # a keyword is found when its words are consecutive words of the form: look up
        # the word sequences starting at each word that have the length of a keyword
        # starting with that word
        themes_of, lengths = book._keyword_index
        words = form.split(" ")
        hits: set[int] = set()
        for i in [i for i, w in enumerate(words) if w in lengths]:
            for n in lengths[words[i]]:
                if i + n > len(words):
                    break
                found = themes_of.get(tuple(words[i:i + n]))
                if found:
                    hits |= found
        done = tuple(book.themes[j].id for j in sorted(hits)) or (book.other.id,)
        if len(memo) < MEMO:
            memo[form] = done
    return list(done)


# ------------------------------------------------------------------------ redaction


def _proper(words: Sequence[str]) -> bool:
    """True when a name has a capitalised word after its first (a place or person)."""
    return any(w[:1].isupper() for w in words[1:])


class _Forms(dict):
    """Words -> their :func:`match_form`, computed on first use."""

    def __missing__(self, word: str) -> str:
        form = self[word] = match_form(word)
        return form


class _Names:
    """Word sequences (names in :func:`match_form` words) found by exact look-ups.

    A sequence is found at token ``i`` by looking up, for each length a known sequence
    starting with token ``i``'s word has (longest first), the next tokens as a tuple:
    a handful of dictionary look-ups per token, however many names are known. Empty
    sequences are ignored.
    """

    def __init__(self, names: Iterable[tuple[str, ...]]) -> None:
        self.names = {n for n in names if n}
        lengths: dict[str, set[int]] = {}
        for n in self.names:
            lengths.setdefault(n[0], set()).add(len(n))
        self.lengths = {w: sorted(ls, reverse=True) for w, ls in lengths.items()}

    def longest(self, norms: Sequence[str], i: int, taken: Sequence[bool] | None = None) -> int:
        """Length of the longest sequence at token ``i`` (none of its tokens ``taken``),
        or 0."""
        for n in self.lengths.get(norms[i], ()):
            if i + n <= len(norms) and tuple(norms[i:i + n]) in self.names \
                    and (taken is None or not any(taken[i:i + n])):
                return n
        return 0


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

    Notes
    -----
    Build it once for many texts: the names are indexed by their words, so redacting a
    text costs a few dictionary look-ups per word, whatever the size of the roster; the
    result of each distinct text is kept (up to :data:`MEMO` texts).
    Cooperatives are removed first (leftmost, longest name), then people, then the
    capitalised words after a title.
    """

    def __init__(self, book: ThemeBook, people: Iterable[str] = (),
                 organisations: Iterable[str] = ()) -> None:
        self.book = book
        self._titles = _Names(tuple(t.split()) for t in book.titles)
        self._prefixes = sorted({tuple(p.split()) for p in book.organisation_prefixes},
                                key=len, reverse=True)
        self._prefixes_by_first: dict[str, list[tuple[str, ...]]] = {}
        for p in self._prefixes:  # longest first
            if p:
                self._prefixes_by_first.setdefault(p[0], []).append(p)
        forms = (match_form(p).split() for p in dict.fromkeys(people))
        self._people = _Names(tuple(w) for w in forms if len(w) >= 2)
        orgs = []
        for name in dict.fromkeys(organisations):
            words = match_form(name).split()
            if not words:
                continue
            orgs.append(tuple(words))
            core = self._strip_prefix(words)
            raw_core = str(name).split()[len(words) - len(core):]
            if len(core) >= 2 and len(core) < len(words) and _proper(raw_core):
                orgs.append(tuple(core))
        self._orgs = _Names(orgs)
        self._memo: dict[str, str] = {}
        self._norms = _Forms()

    def _strip_prefix(self, words: list[str]) -> list[str]:
        for p in self._prefixes_by_first.get(words[0], ()) if words else ():
            if len(words) > len(p) and tuple(words[: len(p)]) == p:
                return words[len(p):]
        return words

    def __call__(self, text: object) -> str:
        if type(text) is str:
            done = self._memo.get(text)
            if done is None:
                done = self._redact(text)
                if len(self._memo) < MEMO:
                    self._memo[text] = done
            return done
        return self._redact(text)

    def _redact(self, text: object) -> str:
        s = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
        ph = self.book.placeholders
        if "@" in s:
            s = EMAIL.sub(ph["email"], s)
        if _DIGIT.search(s):
            s = PHONE.sub(ph["phone"], s)
        words = _WORD.findall(s)
        norms = [self._norms[w] for w in words]
        taken = [False] * len(words)
        spans: list[tuple[int, int, str]] = []

        def claim(i: int, j: int, kind: str) -> None:
            for k in range(i, j):
                taken[k] = True
            spans.append((i, j, kind))

        orgs, people, titles = self._orgs, self._people, self._titles
        # cooperatives, with a prefix written before them
        for i in [i for i, w in enumerate(norms) if w in orgs.lengths]:
            n = 0 if taken[i] else orgs.longest(norms, i, taken)
            if n:
                start = i
                for p in self._prefixes:
                    if i >= len(p) and tuple(norms[i - len(p):i]) == p \
                            and not any(taken[i - len(p):i]):
                        start = i - len(p)
                        break
                claim(start, i + n, "organisation")
        for i in [i for i, w in enumerate(norms) if w in people.lengths]:  # known people
            n = 0 if taken[i] else people.longest(norms, i, taken)
            if n:
                claim(i, i + n, "person")
        for i in [i for i, w in enumerate(norms) if w in titles.lengths]:  # a title, then
            n = titles.longest(norms, i)                                   # capitalised words
            if not n:
                continue
            j = i + n
            k = j
            while k < len(words) and k - j < 4 and not taken[k]:
                word = words[k]
                if not word[:1].isupper() or (len(word) > 1 and word.isupper()):
                    break
                k += 1
            if k > j:
                claim(j, k, "person")
        if spans:
            bounds = [m.span() for m in _WORD.finditer(s)]
            for i, j, kind in sorted(spans, reverse=True):
                s = s[:bounds[i][0]] + ph[kind] + s[bounds[j - 1][1]:]
        return s


_LAST_REDACTOR: list[tuple[ThemeBook, tuple, Redactor]] = []


def shared_redactor(book: ThemeBook, people: Iterable[str] = (),
                    organisations: Iterable[str] = ()) -> Redactor:
    """A :class:`Redactor` for these names: the last one built is reused (with the texts
    it has redacted) while the dictionary and the names stay the same, e.g. for each
    reporting level of a round."""
    key = (tuple(people), tuple(organisations))
    if _LAST_REDACTOR and _LAST_REDACTOR[0][0] == book and _LAST_REDACTOR[0][1] == key:
        return _LAST_REDACTOR[0][2]
    redactor = Redactor(book, *key)
    _LAST_REDACTOR[:] = [(book, key, redactor)]
    return redactor


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


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _theme_hits(values: Sequence[object], book: ThemeBook,
                columns: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per value: which of ``columns`` (theme ids) it mentions, and whether it is an
    answer at all (:func:`code_themes` not empty); each distinct text coded once."""
    pos = {t: j for j, t in enumerate(columns)}
    row_of: dict[object, int] = {}
    coded: list[list[str]] = []
    which = np.empty(len(values), dtype=np.intp)
    for k, v in enumerate(values):
        key = v if type(v) is str else (None if _missing(v) else ("", k))
        r = row_of.get(key)
        if r is None:
            r = row_of[key] = len(coded)
            coded.append(code_themes(v, book))
        which[k] = r
    matrix = np.zeros((len(coded), len(columns)), dtype=bool)
    for r, ids in enumerate(coded):
        matrix[r, [pos[t] for t in ids]] = True
    wrote = np.fromiter((bool(ids) for ids in coded), dtype=bool, count=len(coded))
    return matrix[which], wrote[which]


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
        is every count, zeros included, of a unit where fewer than ``min_n`` respondents
        answered the question; complementary counts are withheld so that the city total cannot
        reveal a withheld one (:func:`hailong.numbers.stats.suppress_table`, totals = the city).

    Returns
    -------
    DataFrame
        :data:`COUNT_COLUMNS`: ``respondents`` mentioning the theme, ``answered`` =
        respondents who wrote an answer, ``share = respondents / answered``; withheld
        counts and shares are NaN (``answered`` is kept).
    """
    units = [u for u in units if u != city]
    ids = book.ids
    columns = list(dict.fromkeys(ids))
    take = [columns.index(t) for t in ids]
    unit = answers["unit"].astype("str")
    parts: dict[str, list] = {c: [] for c in ("unit", "question", "theme", "respondents",
                                              "answered", "suppressed", "suppression")}
    for q in questions:
        values = answers[q].tolist() if q in answers.columns else [""] * len(answers)
        matrix, wrote_ = _theme_hits(values, book, columns)
        hits = pd.DataFrame(matrix, columns=columns, index=answers.index)
        wrote = pd.Series(wrote_, index=answers.index)
        counts = hits.groupby(unit).sum().reindex(units, fill_value=0).astype("int64")
        answered = wrote.groupby(unit).sum().reindex(units, fill_value=0).astype("int64")
        # a count of 1 .. min_n - 1, and every count, zeros too, of a unit where fewer than
        # min_n wrote an answer: what so few did and did not raise is not shown
        few = ((answered > 0) & (answered < min_n)).to_numpy()[:, None]
        primary = ((counts > 0) & (counts < min_n)) | few
        sup = suppress_table(counts, min_n, margins="columns", primary=primary)
        city_counts = hits.sum().astype("int64")
        city_answered = int(wrote.sum())
        city_hidden = sup.column_totals | ((city_counts > 0) & (city_answered < min_n))
        # one row per unit and theme (units in order, themes in dictionary order), then
        # the city's
        n_units, n_ids = len(units), len(ids)
        parts["unit"] += [u for u in units for _ in ids] + [city] * n_ids
        parts["question"] += [q] * ((n_units + 1) * n_ids)
        parts["theme"] += list(ids) * (n_units + 1)
        parts["respondents"] += [counts.to_numpy()[:, take].ravel(),
                                 city_counts.to_numpy()[take]]
        parts["answered"] += [np.repeat(answered.to_numpy(), n_ids),
                              np.full(n_ids, city_answered, dtype="int64")]
        parts["suppressed"] += [sup.cells.to_numpy(dtype=bool)[:, take].ravel(),
                                city_hidden.to_numpy(dtype=bool)[take]]
        parts["suppression"] += sup.reason.to_numpy()[:, take].ravel().tolist()
        for t in ids:
            parts["suppression"].append(
                (PRIMARY if 0 < city_counts[t] < min_n or city_answered < min_n
                 else SECONDARY) if city_hidden[t] else "")
    out = pd.DataFrame({
        c: (np.concatenate(v) if c in ("respondents", "answered", "suppressed") else v)
        for c, v in parts.items()}) if parts["unit"] else pd.DataFrame([], columns=list(parts))
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
    coded: dict[str, list[tuple[str, str, list[str]]]] = {}  # redacted answer -> sentences
    for q in questions:
        if q not in answers.columns:
            continue
        # the same answer written by several respondents is redacted and coded once
        writers: dict[object, list] = {}  # answer -> [answer, respondents], in order
        for k, raw in enumerate(answers[q].tolist()):
            key = raw if type(raw) is str else (None if _missing(raw) else ("", k))
            entry = writers.get(key)
            if entry is None:
                writers[key] = [raw, 1]
            else:
                entry[1] += 1
        # (theme, sentence form) -> [first sentence written, respondents, last answer]
        found: dict[tuple[str, str], list] = {}
        for g, (raw, n) in enumerate(writers.values()):
            text = redactor(raw)
            parts = coded.get(text)
            if parts is None:
                parts = coded[text] = []
                for sentence in sentences(text):
                    form = match_form(sentence)
                    parts.append((sentence, form, _themes_of_form(form, book)))
            for sentence, form, ids in parts:
                for t in ids:
                    entry = found.get((t, form))
                    if entry is None:
                        found[(t, form)] = [sentence, n, g]
                    elif entry[2] != g:  # respondents count once however often they say it
                        entry[1] += n
                        entry[2] = g
        table = pd.DataFrame([(t, e[0], e[1], len(e[0])) for (t, _), e in found.items()],
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
