"""Header mapping: headers as written -> canonical column names, and the canonical frame.

Headers are matched through :func:`~hailong.ingest.readers.text.normalize_text`, so case,
spacing, Unicode form and old/new tone-mark placement do not matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hailong.core.catalogue import Msg, either
from hailong.core.errors import InputError
from hailong.ingest.readers.text import normalize_text

#: Column names ingest adds to every frame.
FILE_COLUMN, ROW_COLUMN = "_file", "_row"
#: A header that starts with a question number: "1.1. ...", "1.1) ...", "Câu 1.1: ...".
_NUMBERED = re.compile(r"(?:câu\s*)?(\d+(?:\.\d+)*)\s*[.):\-–]?\s*(.*)", re.S)
#: A grid question as Google Forms exports it: "Title [row text]".
_BRACKETED = re.compile(r"(.*?)\s*\[(.+)\]", re.S)


class HeaderMatcher:
    """Header as written -> canonical column name (or ``None``).

    In order: the header equals an alias (or the canonical name); it is a grid question
    ``"Title [text]"`` whose text matches; it is numbered (``"1.1."``, ``"1.1)"``,
    ``"Câu 1.1:"``) and the text after the number equals an alias, or the number is a
    question's number and text follows (or the number has a dot: ``"1.1"``); it begins
    with one of ``prefixes`` followed by text (the longest wins). Headers are compared
    through :func:`normalize_text`. Failing all that, a header written as a form's XML
    name matches: without its group path (KoboToolbox / ODK ``"grp_lanh_dao/D01_1"``:
    the longest part after a ``/`` that matches), and an ASCII name matches the alias it
    spells without accents (``"ma_htx"`` = "Mã HTX") when no other column's alias spells
    the same.
    """

    def __init__(self, fields: dict[str, Sequence[str]],
                 prefixes: dict[str, Sequence[str]] | None = None,
                 numbers: dict[str, str] | None = None) -> None:
        self.exact: dict[str, str] = {}
        for name, aliases in fields.items():
            for alias in (*aliases, name):
                self.exact.setdefault(normalize_text(alias), name)
        self.starts = [(normalize_text(p), name) for name, ps in (prefixes or {}).items()
                       for p in ps]
        self.numbers = {str(n): name for name, n in (numbers or {}).items()}
        slugs: dict[str, set[str]] = {}
        for key, name in self.exact.items():
            slugs.setdefault(ascii_name(key), set()).add(name)
        self.slugs = {k: next(iter(v)) for k, v in slugs.items() if len(v) == 1 and k}
        self._cache: dict[str, str | None] = {}

    def match(self, header: str) -> str | None:
        key = normalize_text(header)
        if key not in self._cache:
            self._cache[key] = self._match(key)
        return self._cache[key]

    def _match(self, h: str) -> str | None:
        if h in self.exact:
            return self.exact[h]
        grid = _BRACKETED.fullmatch(h)
        if grid and (inner := self._match(grid.group(2).strip())):
            return inner
        numbered = _NUMBERED.fullmatch(h)
        if numbered:
            number, rest = numbered.group(1), numbered.group(2).strip()
            if rest and rest in self.exact:
                return self.exact[rest]
            if number in self.numbers and (rest or "." in number):
                return self.numbers[number]
        hits = [(len(p), name) for p, name in self.starts if h.startswith(p) and h[len(p):].strip()]
        if hits:
            return max(hits)[1]
        return self._xml_name(h)

    def _xml_name(self, h: str) -> str | None:
        """A form's XML name: without its group path, or spelt in ASCII."""
        if h.isascii() and (name := self.slugs.get(ascii_name(h))):
            return name
        for i, ch in enumerate(h):
            if ch == "/" and h[i + 1:].strip():
                tail = h[i + 1:].strip()
                found = self.exact.get(tail) or self._match(tail)
                if found:
                    return found
        return None


def ascii_name(text: str) -> str:
    """``"Mã HTX"`` -> ``"ma htx"``, ``"ma_htx"`` -> ``"ma htx"``: letters without accents
    (đ -> d), lower case, runs of anything else one space."""
    import unicodedata

    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


@dataclass(frozen=True)
class Expected:
    """The columns a table should have, to find its header row and its sheet.

    Attributes
    ----------
    matcher
        Header -> canonical name (see :func:`map_columns`).
    required
        Canonical names that must be present.
    """

    matcher: HeaderMatcher
    required: tuple[str, ...] = ()

    def names(self, row: Sequence[str]) -> set[str]:
        """Canonical names of the headers of ``row`` that match."""
        return {n for n in (self.matcher.match(c) for c in row if c) if n is not None}


def _where_headers(df: pd.DataFrame) -> Msg | str:
    """" (headers read from row 4 of sheet 'X')" when not simply row 1 (in the message
    language when shown)."""
    read_as = df.attrs.get("read_as") or {}
    row, sheet = read_as.get("header_row", 1), read_as.get("sheet")
    if row != 1 and sheet:
        return Msg("val.headers_row_sheet", row=row, sheet=repr(sheet))
    if row != 1:
        return Msg("val.headers_row", row=row)
    if sheet:
        return Msg("val.headers_sheet", sheet=repr(sheet))
    return ""


def map_columns(
    df: pd.DataFrame,
    fields: dict[str, Sequence[str]],
    *,
    path: str | Path,
    required: Iterable[str],
    prefixes: dict[str, Sequence[str]] | None = None,
    numbers: dict[str, str] | None = None,
    matcher: HeaderMatcher | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Rename headers that match an alias to their canonical name.

    Parameters
    ----------
    df
        A frame from :func:`read_table`.
    fields
        Canonical name -> accepted headers (the canonical name itself is accepted too).
    path
        The file, for error messages.
    required
        Canonical names that must be present.
    prefixes
        Canonical name -> header beginnings that also match when text follows them
        (``"1.1."`` matches ``"1.1. Cấp ủy ..."``).
    numbers
        Canonical name -> question number (``"1.1"``), see :class:`HeaderMatcher`.
    matcher
        A ready :class:`HeaderMatcher` (then ``fields``, ``prefixes``, ``numbers`` only
        serve the messages).

    Returns
    -------
    (frame, extra)
        The renamed frame (``attrs["headers"]``: canonical -> header as written) and the
        headers that matched nothing (``_file`` / ``_row`` excluded).

    Raises
    ------
    InputError
        If a required column is missing, or two headers mean the same column.
    """
    matcher = matcher or HeaderMatcher(fields, prefixes, numbers)
    rename: dict[str, str] = {}
    extra: list[str] = []
    for header in df.columns:
        if header in (FILE_COLUMN, ROW_COLUMN):
            continue
        name = matcher.match(header)
        if name is None:
            extra.append(header)
        elif name in rename.values():
            first = next(h for h, n in rename.items() if n == name)
            raise InputError("err.two_columns_header_means", file=path, column=header,
                             found=[first, header],
                             hint="hint.keep_one_them_rename", name=name)
        else:
            rename[header] = name
    missing = [name for name in required if name not in rename.values()]
    if missing:
        aliases = tuple(fields.get(missing[0], ())) or (missing[0],)
        more = (Msg("val.more_missing", n=len(missing) - 1) if len(missing) > 1 else "")
        raise InputError("err.required_column_missing", file=path, column=aliases[0],
                         expected=either(f'"{a}"' for a in aliases),
                         hint="hint.rename_header_one_expected",
                         value=_where_headers(df), more=more)
    out = df.rename(columns=rename)
    out.attrs["headers"] = {name: header for header, name in rename.items()}
    return out, extra


def _canonical(df: pd.DataFrame, names: Sequence[str], path: Path,
               extra: list[str]) -> pd.DataFrame:
    """Keep canonical columns in order (absent ones as ``""``), plus ``_file`` and ``_row``."""
    headers = df.attrs.get("headers", {})
    out = pd.DataFrame({n: df[n] if n in df.columns else pd.Series("", index=df.index, dtype="str")
                        for n in names})
    out[FILE_COLUMN] = pd.Series(str(path), index=df.index, dtype="str")
    out[ROW_COLUMN] = df[ROW_COLUMN]
    out.attrs = {"extra_columns": {str(path): list(extra)}, "headers": {str(path): dict(headers)},
                 "read_as": {str(path): dict(df.attrs.get("read_as") or {})}}
    return out


#: Keys of ``attrs`` that map each input file to something about it.
ATTRS_BY_FILE = ("extra_columns", "headers", "read_as")


def combine(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Frames read from several files, one under the other, with their ``attrs`` merged."""
    out = pd.concat(list(frames), ignore_index=True)
    out.attrs = {key: {k: v for f in frames for k, v in f.attrs.get(key, {}).items()}
                 for key in ATTRS_BY_FILE}
    return out


def _looks_like_export(table: pd.DataFrame) -> bool:
    """Three or more headers numbered like questions ("1.1. ...")."""
    numbered = [h for h in table.columns if re.match(r"\s*(?:câu\s*)?\d+\.\d+",
                                                     normalize_text(h))]
    return len(numbered) >= 3
