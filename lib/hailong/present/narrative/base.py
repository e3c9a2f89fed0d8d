"""What every section's text shares: joining, rounding and naming, headings, published rows.

Lists are joined as a sentence (:func:`_join`); values are compared as the reader sees
them (:func:`_r`, one decimal); :func:`_published` keeps the rows whose index is printed.
The threshold of :func:`~hailong.present.narrative.areas.versus_city` without intervals,
:data:`SIMILAR_POINTS`, lives here as the method section quotes it too.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from hailong.core.text import nfc
from hailong.present import fmt

#: Differences from the city smaller than this many index points are called "similar"
#: ("tương đương") by :func:`versus_city` when the tables carry no interval-based
#: comparison (``vs_city``). The reports always pass tables that do: they call a
#: difference real only when its interval excludes 0.
SIMILAR_POINTS = 3.0


def _join(parts: Sequence[str], lang: str, word: str = "and") -> str:
    """``["A", "B", "C"]`` -> ``"A, B và C"`` / ``"A, B and C"`` (``word="or"``: "hoặc",
    "or")."""
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {fmt.t(word, lang)} {parts[-1]}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _areas(n: int, lang: str) -> str:
    """``3 lĩnh vực`` / ``3 areas`` (Vietnamese nouns do not change)."""
    return fmt.t("n_areas_one" if n == 1 else "n_areas", lang, k=fmt.count(n, lang))


def _points(x: float, lang: str) -> str:
    """A threshold in points: ``3.0`` -> ``"3"``, ``2.5`` -> ``"2,5"``."""
    return fmt.number(x, 0 if float(x).is_integer() else 1, lang)


def _r(x: float) -> float:
    """A value as the reader sees it (one decimal)."""
    return float(fmt.rounded(x, 1))


def heading(key: str, lang: str = "vi", level: int = 2, unit_level: str | None = None) -> str:
    """A Markdown heading from the phrase catalogue: ``"## Phương pháp tính"``."""
    return f"{'#' * level} {fmt.t(key, lang, unit_level=unit_level)}"


def _published(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows whose ``index`` is published, with ``shown`` = the index as printed."""
    t = rows
    keep = ~t["suppressed"].astype(bool) & t["index"].notna()
    return t[keep].assign(shown=t.loc[keep, "index"].map(_r))


def _named(names: Sequence[str]) -> list[str]:
    return [f"**{nfc(str(x))}**" for x in names]


#: More tied dimensions than this are counted, not named.
_MAX_NAMED = 3


def _dims_of(dim_table: pd.DataFrame) -> pd.DataFrame:
    return dim_table[dim_table["kind"] == "dimension"] if "kind" in dim_table else dim_table


def _level_words(level: str, lang: str) -> str:
    """"quận, huyện" / "xã, phường, đặc khu" (vi), "districts" / "communes" (en)."""
    return fmt.unit_words(level, lang)["units"]
