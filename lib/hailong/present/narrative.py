"""The sentences of the reports, written from the numbers (Vietnamese; English via ``lang``).

Each function returns Markdown (or, for ``*_html``, an HTML table). Numbers are
formatted with :mod:`hailong.present.fmt` and compared as the reader sees them (rounded to one
decimal), so the text never contradicts the tables. A withheld figure is never described.

A report opens with :func:`key_findings`; its comparison with the previous round
(:func:`versus_previous`, :func:`trend_table_html`, :func:`trend_notes`) reads the rounds
lined up by :func:`hailong.numbers.trend_cache.report_trend` and calls a change "tăng / giảm ... (có ý nghĩa thống
kê)" only when its interval excludes 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from hailong.present import fmt
from hailong.core.text import nfc
from hailong.reference.geography import CITY
from hailong.numbers.scoring import INDEX, Results
from hailong.numbers.themes import quote_markdown

#: Differences from the city smaller than this many index points are called "similar"
#: ("tương đương") by :func:`versus_city` when the tables carry no interval-based
#: comparison (``vs_city``). The reports always pass tables that do: they call a
#: difference real only when its interval excludes 0.
SIMILAR_POINTS = 3.0

_AND = {"vi": "và", "en": "and"}


def _join(parts: Sequence[str], lang: str) -> str:
    """``["A", "B", "C"]`` -> ``"A, B và C"`` / ``"A, B and C"``."""
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {_AND[lang]} {parts[-1]}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plural(n: int, word: str, lang: str) -> str:
    """``3 lĩnh vực`` / ``3 areas`` (Vietnamese nouns do not change)."""
    if lang == "vi" or n == 1:
        return f"{fmt.count(n, lang)} {word}"
    return f"{fmt.count(n, lang)} {word}s"


def _points(x: float, lang: str) -> str:
    """A threshold in points: ``3.0`` -> ``"3"``, ``2.5`` -> ``"2,5"``."""
    return fmt.number(x, 0 if float(x).is_integer() else 1, lang)


def _r(x: float) -> float:
    """A value as the reader sees it (one decimal)."""
    return float(fmt.rounded(x, 1))


def heading(key: str, lang: str = "vi", level: int = 2, unit_level: str | None = None) -> str:
    """A Markdown heading from the phrase catalogue: ``"## Phương pháp tính"``."""
    return f"{'#' * level} {fmt.t(key, lang, unit_level=unit_level)}"


# --------------------------------------------------------------------------- headline


def headline(unit_name: str, index: float, satisfied: float, n: int, roster_n: int,
             lang: str = "vi", year: int | None = None) -> str:
    """Participation, index and % satisfied of a unit in two sentences.

    Parameters
    ----------
    unit_name
        The unit as named inside a sentence (``fmt.unit_name(..., form="inline")``).
    index, satisfied
        The unit's satisfaction index (0–100) and share (0–1) of answers "satisfied" or
        better.
    n, roster_n
        Cooperatives that answered / on the roster.
    year
        The survey year, opening the paragraph ("Năm 2022, ...") when given.
    """
    fmt.check_lang(lang)
    share = f" ({fmt.percent(n / roster_n, 1, lang)})" if roster_n else ""
    if lang == "vi":
        lead = f"Năm {year}, " if year is not None else ""
        return nfc(
            f"{lead}{fmt.count(n, lang)} trên {fmt.count(roster_n, lang)} HTX của "
            f"{unit_name}{share} đã tham gia khảo sát. Chỉ số hài lòng chung đạt "
            f"{fmt.number(index, 1, lang)}/100; {fmt.percent(satisfied, 1, lang)} câu trả lời "
            f"ở mức hài lòng trở lên.")
    lead = f"In {year}, " if year is not None else ""
    text = (f"{lead}{fmt.count(n, lang)} of the {fmt.count(roster_n, lang)} cooperatives of "
            f"{unit_name}{share} took part in the survey. The overall satisfaction index is "
            f"{fmt.number(index, 1, lang)} out of 100; {fmt.percent(satisfied, 1, lang)} of "
            f"answers were “satisfied” or better.")
    return nfc(_cap(text))


def too_few(unit_name: str, n: int, roster_n: int, min_n: int, lang: str = "vi",
            reason: str = "primary", unit_level: str | None = None) -> str:
    """Why a unit's report shows no figures (fewer than ``min_n`` respondents).

    Parameters
    ----------
    unit_name
        The unit as named inside a sentence ("huyện Bạch Long Vĩ").
    n, roster_n
        Cooperatives that answered / on the roster.
    min_n
        The smallest number of respondents behind a published figure.
    reason
        ``"secondary"`` when enough answered but the figures are withheld to protect
        another unit's (secondary suppression).
    unit_level
        The round's reporting level (how the other unit is called; default district).
    """
    fmt.check_lang(lang)
    vi = lang == "vi"
    c = lambda k: fmt.count(k, lang)  # noqa: E731
    w = fmt.unit_words(unit_level, lang)
    if reason == "secondary" and n >= min_n:
        return nfc(
            f"{c(n)} trong {c(roster_n)} HTX của {unit_name} đã trả lời khảo sát. Tuy vậy, "
            f"số liệu của {unit_name} không được công bố: có một {w['unit_sg']} dưới "
            f"{c(min_n)} HTX trả lời, và nếu công bố cả số liệu này thì số liệu bị ẩn đó có "
            "thể tính ngược ra từ số liệu toàn thành phố. Đây là quy tắc ẩn bổ sung mà các "
            "cơ quan thống kê áp dụng để bảo vệ bí mật của từng HTX." if vi else
            f"{c(n)} of the {c(roster_n)} cooperatives of {unit_name} answered the survey. "
            f"Its figures are nevertheless withheld: a {w['unit_sg']} has fewer than {c(min_n)} "
            "respondents, and publishing these figures would let a reader work that "
            f"{w['unit_sg']}'s withheld figures out from the city's. Statistics offices protect "
            "each respondent's confidentiality this way (secondary suppression).")
    if roster_n == 0:
        return (f"Danh sách khảo sát không có HTX nào của {unit_name}, nên báo cáo không có "
                f"số liệu." if vi else
                f"The survey list has no cooperative in {unit_name}, so there are no figures "
                f"to report.")
    if n == 0:
        return (f"Chưa có HTX nào trong số {c(roster_n)} HTX của {unit_name} trả lời khảo "
                f"sát, nên báo cáo chưa có số liệu." if vi else
                f"None of the {c(roster_n)} cooperatives of {unit_name} has answered the "
                f"survey yet, so there are no figures to report.")
    privacy = (f"Để bảo vệ bí mật của từng HTX, báo cáo không công bố số liệu khi có dưới "
               f"{c(min_n)} HTX trả lời." if vi else
               f"To protect each cooperative's confidentiality, the report publishes no "
               f"figures when fewer than {c(min_n)} cooperatives have answered.")
    if n >= min_n:  # enough answered, but too few gave a scored answer
        return (f"{c(n)} trong {c(roster_n)} HTX của {unit_name} đã trả lời khảo sát, nhưng "
                f"dưới {c(min_n)} HTX cho ý kiến về các lĩnh vực được chấm điểm. {privacy}"
                if vi else
                f"{c(n)} of the {c(roster_n)} cooperatives of {unit_name} answered the "
                f"survey, but fewer than {c(min_n)} rated the scored areas. {privacy}")
    if n == roster_n:
        first = (f"Cả {c(n)} HTX của {unit_name} đều đã trả lời khảo sát." if vi else
                 f"All {c(n)} cooperatives of {unit_name} answered the survey." if n > 1 else
                 f"The only cooperative of {unit_name} answered the survey.")
    else:
        first = (f"Chỉ {c(n)} trong {c(roster_n)} HTX của {unit_name} trả lời khảo sát."
                 if vi else
                 f"Only {c(n)} of the {c(roster_n)} cooperatives of {unit_name} answered the "
                 f"survey.")
    return nfc(f"{first} {privacy}")


# ------------------------------------------------------------------------- dimensions


def _published(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows whose ``index`` is published, with ``shown`` = the index as printed."""
    t = rows
    keep = ~t["suppressed"].astype(bool) & t["index"].notna()
    return t[keep].assign(shown=t.loc[keep, "index"].map(_r))


def _named(names: Sequence[str]) -> list[str]:
    return [f"**{nfc(str(x))}**" for x in names]


def strongest_weakest(dim_table: pd.DataFrame, lang: str = "vi") -> str:
    """The best- and worst-rated dimensions (ties named together); "" if none is published.

    Parameters
    ----------
    dim_table
        ``Results.dimension_table(code, lang)``: ``label, index, suppressed``.
    """
    fmt.check_lang(lang)
    t = _published(_dims_of(dim_table))
    vi = lang == "vi"
    if t.empty:
        return ""
    pts = lambda x: fmt.number(x, 1, lang) + (" điểm" if vi else " points")  # noqa: E731
    if len(t) == 1:
        name, value = _named(t["label"])[0], pts(t["shown"].iloc[0])
        return (f"Chỉ lĩnh vực {name} có đủ số liệu để công bố ({value})." if vi else
                f"Only {name} has enough answers to be published ({value}).")
    hi, lo = t["shown"].max(), t["shown"].min()
    if hi == lo:
        return (f"Tất cả các lĩnh vực có cùng chỉ số {pts(hi)}." if vi else
                f"All areas have the same index, {pts(hi)}.")
    top = _ranked_sentence(list(t.loc[t["shown"] == hi, "label"]), pts(hi), "best", lang)
    bottom = _ranked_sentence(list(t.loc[t["shown"] == lo, "label"]), pts(lo), "worst", lang)
    return nfc(f"{top} {bottom}")


#: More tied dimensions than this are counted, not named.
_MAX_NAMED = 3


def _ranked_sentence(labels: list[str], value: str, end: str, lang: str) -> str:
    """"Lĩnh vực được đánh giá cao nhất là **X** (82,4 điểm)." and its tie variants."""
    k = len(labels)
    if lang == "vi":
        word = "cao nhất" if end == "best" else "thấp nhất"
        if k > _MAX_NAMED:
            return f"Có {fmt.count(k, lang)} lĩnh vực cùng được đánh giá {word} ({value})."
        lead = "Các lĩnh vực" if k > 1 else "Lĩnh vực"
        return f"{lead} được đánh giá {word} là {_join(_named(labels), lang)} ({value})."
    word = "highest" if end == "best" else "lowest"
    if k > _MAX_NAMED:
        return f"{fmt.count(k, lang)} areas share the {word} index ({value})."
    subject = "areas with the" if k > 1 else "area with the"
    verb = "are" if k > 1 else "is"
    return f"The {subject} {word} index {verb} {_join(_named(labels), lang)} ({value})."


def versus_city(dim_table_unit: pd.DataFrame, dim_table_city: pd.DataFrame,
                threshold_points: float = SIMILAR_POINTS, lang: str = "vi") -> str:
    """How the unit's dimensions compare with the city's: higher, lower or similar.

    With ``Results.estimates`` tables (a ``vs_city`` column) a dimension is "higher"
    ("lower") only when the interval of its difference from the city lies above (below)
    0 — the difference exceeds its uncertainty; otherwise "similar".

    Without that column (``Results.dimension_table``): "higher" ("lower") when the
    unit's index, rounded as shown, exceeds (falls short of) the city's by at least
    ``threshold_points``; otherwise "similar" — a reporting convention
    (:data:`SIMILAR_POINTS`), not a significance test.

    Parameters
    ----------
    dim_table_unit, dim_table_city
        ``Results.estimates`` (or ``Results.dimension_table``) of the unit and of
        ``"city"``.
    """
    fmt.check_lang(lang)
    if "vs_city" in dim_table_unit.columns:
        return _versus_city_intervals(dim_table_unit, dim_table_city, lang)
    words = _VERSUS[lang]
    u = _published(_dims_of(dim_table_unit))
    c = _published(_dims_of(dim_table_city))
    both = u.merge(c[["measure", "shown"]], on="measure", suffixes=("", "_city"))
    both["diff"] = (both["shown"] - both["shown_city"]).round(1)
    thr = _points(threshold_points, lang)

    def count(k: int) -> str:
        return _plural(k, words["area"], lang)

    def items(rows: pd.DataFrame) -> str:
        return _join([f"**{nfc(str(r.label))}** ({fmt.number(r.shown, 1, lang)} {words['vs']} "
                      f"{fmt.number(r.shown_city, 1, lang)})" for r in rows.itertuples()], lang)

    higher = both[both["diff"] >= threshold_points].sort_values(
        "diff", ascending=False, kind="stable")
    lower = both[both["diff"] <= -threshold_points].sort_values("diff", kind="stable")
    same = both[both["diff"].abs() < threshold_points]
    out = [words[key].format(thr=thr, k=count(len(rows)), items=items(rows))
           for key, rows in (("higher", higher), ("lower", lower)) if len(rows)]
    if len(same):
        names = (f" ({_join(_named(same['label']), lang)})" if len(same) <= _MAX_NAMED else "")
        out.append(words["rest" if out else "all"].format(thr=thr, k=count(len(same)),
                                                          names=names))
    missing = len(_dims_of(dim_table_unit)) - len(both)
    if missing:
        out.append(words["missing"].format(k=count(missing)))
    return nfc(" ".join(out))


_VERSUS = {
    "vi": {
        "area": "lĩnh vực", "vs": "so với",
        "higher": "Chỉ số cao hơn toàn thành phố (từ {thr} điểm trở lên) ở {k}: {items}.",
        "lower": "Chỉ số thấp hơn toàn thành phố (từ {thr} điểm trở lên) ở {k}: {items}.",
        "rest": "Ở {k} còn lại{names}, chỉ số tương đương với toàn thành phố (chênh lệch "
                "dưới {thr} điểm).",
        "all": "Ở cả {k}{names}, chỉ số tương đương với toàn thành phố (chênh lệch dưới "
               "{thr} điểm).",
        "missing": "Không so sánh {k} do có quá ít HTX trả lời.",
    },
    "en": {
        "area": "area", "vs": "vs",
        "higher": "The index is higher than the city's (by {thr} points or more) in {k}: "
                  "{items}.",
        "lower": "The index is lower than the city's (by {thr} points or more) in {k}: "
                 "{items}.",
        "rest": "In the other {k}{names} the index is similar to the city's (less than {thr} "
                "points apart).",
        "all": "In all {k}{names} the index is similar to the city's (less than {thr} points "
               "apart).",
        "missing": "{k} cannot be compared because too few cooperatives answered.",
    },
}


_VERSUS_CI = {
    "vi": {
        "higher": "Chỉ số cao hơn toàn thành phố, vượt ngoài phạm vi sai số, ở {k}: {items}.",
        "lower": "Chỉ số thấp hơn toàn thành phố, vượt ngoài phạm vi sai số, ở {k}: {items}.",
        "rest": "Ở {k} còn lại{names}, chênh lệch với toàn thành phố nằm trong phạm vi sai số "
                "nên được coi là tương đương.",
        "all": "Ở cả {k}{names}, chênh lệch với toàn thành phố nằm trong phạm vi sai số nên "
               "được coi là tương đương.",
    },
    "en": {
        "higher": "The index is above the city's, beyond the margin of error, in {k}: "
                  "{items}.",
        "lower": "The index is below the city's, beyond the margin of error, in {k}: {items}.",
        "rest": "In the other {k}{names} the difference from the city is within the margin "
                "of error, so they count as similar.",
        "all": "In all {k}{names} the difference from the city is within the margin of "
               "error, so they count as similar.",
    },
}


def _versus_city_intervals(dim_table_unit: pd.DataFrame, dim_table_city: pd.DataFrame,
                           lang: str) -> str:
    """:func:`versus_city` from the interval-based flags (``vs_city``)."""
    words, base = _VERSUS_CI[lang], _VERSUS[lang]
    u = _published(_dims_of(dim_table_unit))
    u = u[u["vs_city"].isin(["above", "below", "similar"])]
    c = _published(_dims_of(dim_table_city))
    both = u.merge(c[["measure", "shown"]], on="measure", suffixes=("", "_city"))

    def count(k: int) -> str:
        return _plural(k, base["area"], lang)

    def items(rows: pd.DataFrame) -> str:
        return _join([f"**{nfc(str(r.label))}** ({fmt.number(r.shown, 1, lang)} {base['vs']} "
                      f"{fmt.number(r.shown_city, 1, lang)})" for r in rows.itertuples()], lang)

    diff = both["index"] - both["measure"].map(_dims_of(dim_table_city)
                                                .set_index("measure")["index"])
    both = both.assign(gap=diff)
    higher = both[both["vs_city"] == "above"].sort_values("gap", ascending=False, kind="stable")
    lower = both[both["vs_city"] == "below"].sort_values("gap", kind="stable")
    same = both[both["vs_city"] == "similar"]
    out = [words[key].format(k=count(len(rows)), items=items(rows))
           for key, rows in (("higher", higher), ("lower", lower)) if len(rows)]
    if len(same):
        names = (f" ({_join(_named(same['label']), lang)})" if len(same) <= _MAX_NAMED else "")
        out.append(words["rest" if out else "all"].format(k=count(len(same)), names=names))
    missing = len(_dims_of(dim_table_unit)) - len(both)
    if missing:
        out.append(base["missing"].format(k=count(missing)))
    return nfc(" ".join(out))


def _dims_of(dim_table: pd.DataFrame) -> pd.DataFrame:
    return dim_table[dim_table["kind"] == "dimension"] if "kind" in dim_table else dim_table


#: More withheld units than this are counted, not named, by :func:`district_spread`.
_MAX_LISTED = 6


def _level_words(level: str, lang: str) -> str:
    """"quận, huyện" / "xã, phường, đặc khu" (vi), "districts" / "communes" (en)."""
    return fmt.unit_words(level, lang)["units"]


def district_spread(index_rows: pd.DataFrame, names: Mapping[str, str], min_n: int,
                    lang: str = "vi", level: str = "district") -> str:
    """The range of the units' index and which units are withheld.

    More than :data:`_MAX_LISTED` withheld units (a commune round) are counted, not named.

    Parameters
    ----------
    index_rows
        ``Results.scores`` (rows with ``measure == "INDEX"`` are used).
    names
        ``{code: short name}`` of the units.
    level
        The units' level (``"district"``, ``"commune"``): how they are called.
    """
    fmt.check_lang(lang)
    vi = lang == "vi"
    units = _level_words(level, lang)
    rows = index_rows[(index_rows["measure"] == INDEX)
                      & index_rows["unit"].astype(str).isin(list(names))].copy()
    rows["name"] = rows["unit"].astype(str).map(names)
    shown = _published(rows)
    withheld = rows[~rows["unit"].isin(shown["unit"])]
    out = []
    if len(shown) >= 2:
        hi, lo = shown["shown"].max(), shown["shown"].min()
        top = _join(list(shown.loc[shown["shown"] == hi, "name"]), lang)
        bottom = _join(list(shown.loc[shown["shown"] == lo, "name"]), lang)
        out.append(f"Chỉ số hài lòng chung của các {units} dao động từ "
                   f"{fmt.number(lo, 1, lang)} ({bottom}) đến {fmt.number(hi, 1, lang)} "
                   f"({top})." if vi else
                   f"The {units}' satisfaction index ranges from {fmt.number(lo, 1, lang)} "
                   f"({bottom}) to {fmt.number(hi, 1, lang)} ({top}).")
    second = (withheld[withheld["suppression"] == "secondary"] if "suppression" in withheld
              else withheld.iloc[:0])
    few = withheld[~withheld.index.isin(second.index)]

    def listed(frame: pd.DataFrame) -> str:
        if len(frame) > _MAX_LISTED:
            return f"{fmt.count(len(frame), lang)} {units}"
        return _join(list(frame["name"]), lang)

    if len(few):
        out.append(f"Không công bố chỉ số của {listed(few)} vì có dưới "
                   f"{fmt.count(min_n, lang)} HTX trả lời." if vi else
                   f"No index is published for {listed(few)}: fewer than "
                   f"{fmt.count(min_n, lang)} cooperatives answered.")
    if len(second):
        out.append(f"Chỉ số của {listed(second)} cũng không được công bố, để số liệu đã ẩn "
                   f"không thể tính ngược ra từ số liệu toàn thành phố." if vi else
                   f"The index of {listed(second)} is withheld too, so that the withheld "
                   f"figures cannot be worked out from the city's.")
    return nfc(" ".join(out))


# ------------------------------------------------------------------ from the Results


@dataclass(frozen=True)
class UnitFigures:
    """The headline numbers of one unit, read from :class:`~hailong.numbers.scoring.Results`.

    ``published`` is False when the satisfaction index is withheld (fewer than ``min_n``
    respondents, or to protect another unit: ``withheld`` says which, ``"primary"`` or
    ``"secondary"``): the report then shows :func:`too_few` instead of figures.

    For the city the figures are the post-stratified (weighted) ones when the results
    have them (``weighted`` True); ``unweighted_index`` / ``unweighted_satisfied`` keep
    the plain means. Intervals, tier, rank range and the comparison with the city are
    NaN / empty when the results carry none.
    """

    code: str
    name: str
    inline_name: str
    short_name: str
    year: int | None
    answered: int
    roster_n: int
    coverage: float
    index: float
    satisfied: float
    overall_index: float
    overall_satisfied: float
    overall_number: str
    published: bool
    min_n: int
    index_low: float = math.nan
    index_high: float = math.nan
    satisfied_low: float = math.nan
    satisfied_high: float = math.nan
    tier: str | None = None
    tier_label: str = ""
    unreliable: bool = False
    withheld: str = ""
    weighted: bool = False
    unweighted_index: float = math.nan
    unweighted_satisfied: float = math.nan
    n_eff: float = math.nan
    rank: int | None = None
    rank_low: int | None = None
    rank_high: int | None = None
    ranked: int = 0
    vs_city: str = ""
    city_index: float = math.nan
    confidence: float = 0.95
    level: str = "district"


def _opt_int(x) -> int | None:
    return None if fmt.is_missing(x) else int(x)


def unit_figures(results: Results, code: str, lang: str = "vi") -> UnitFigures:
    """Collect a unit's headline numbers (``code`` ``"city"`` = the whole city).

    Raises
    ------
    ParameterError
        If ``code`` is not a reported unit (the message lists the valid ones), or
        ``lang`` is not a report language.
    """
    fmt.check_lang(lang)
    one = results.unit(str(code).strip())
    code = str(one.units["unit"].iloc[0])
    s = one.scores.set_index("measure")
    cov = one.coverage.iloc[0]
    overall = one.scores[one.scores["kind"] == "overall"].iloc[0]
    number = results.measures.set_index("measure").loc[overall["measure"], "number"]
    year = results.meta.get("round")
    extra = {}
    if "se" in results.scores.columns:
        est = results.estimates(code, "index", lang).iloc[0]
        weighted = code == CITY and len(results.weighted) > 0
        ranked = results.scores[(results.scores["measure"] == INDEX)
                                & results.scores["rank"].notna()]
        city = results.estimates(CITY, "index", lang).iloc[0]
        extra = dict(
            index_low=float(est["low"]), index_high=float(est["high"]),
            satisfied_low=float(est["satisfied_low"]),
            satisfied_high=float(est["satisfied_high"]),
            tier=None if fmt.is_missing(est["tier"]) else str(est["tier"]),
            tier_label=("" if fmt.is_missing(est["tier"])
                        else fmt.tier_label(est["tier"], results.meta, lang)),
            unreliable=bool(est["unreliable"]),
            withheld=str(s.loc[INDEX, "suppression"]) if bool(s.loc[INDEX, "suppressed"]) else "",
            weighted=weighted,
            unweighted_index=float(s.loc[INDEX, "index"]),
            unweighted_satisfied=float(s.loc[INDEX, "satisfied"]),
            n_eff=float(est["n_eff"]) if "n_eff" in est.index else math.nan,
            rank=_opt_int(est.get("rank")), rank_low=_opt_int(est.get("rank_low")),
            rank_high=_opt_int(est.get("rank_high")), ranked=int(len(ranked)),
            vs_city=str(est.get("vs_city") or ""), city_index=float(city["index"]),
            confidence=float(results.meta.get("confidence", 0.95)),
        )
        if weighted:
            w = results.weighted.set_index("measure")
            extra.update(index=float(w.loc[INDEX, "index"]),
                         satisfied=float(w.loc[INDEX, "satisfied"]),
                         overall_index=float(w.loc[overall["measure"], "index"]),
                         overall_satisfied=float(w.loc[overall["measure"], "satisfied"]))
    base = dict(
        code=code,
        name=fmt.unit_name(one, code, lang),
        inline_name=fmt.unit_name(one, code, lang, form="inline"),
        short_name=fmt.unit_name(one, code, lang, form="short"),
        year=int(year) if year is not None else None,
        answered=int(cov["answered"]), roster_n=int(cov["roster_n"]),
        coverage=float(cov["share"]),
        index=float(s.loc[INDEX, "index"]), satisfied=float(s.loc[INDEX, "satisfied"]),
        overall_index=float(overall["index"]), overall_satisfied=float(overall["satisfied"]),
        overall_number=str(number),
        published=not bool(s.loc[INDEX, "suppressed"]),
        min_n=int(results.meta.get("min_n", 0)),
        level=str(results.meta.get("level") or "district"),
    )
    return UnitFigures(**{**base, **extra})


def title(figures: UnitFigures, results: Results, lang: str = "vi") -> str:
    """The report's title (``# ...``) and a line naming the survey and the organisation."""
    label = (results.meta.get("round_label") or {}).get(lang)
    period = label or (f"Năm {figures.year}" if lang == "vi" else str(figures.year))
    org = (results.meta.get("organisation") or {}).get(lang, "")
    sub = fmt.t("report_subtitle", lang) + (f" · {org}" if org else "")
    return nfc(f"# {fmt.t('report_title', lang, unit=figures.name, period=period)}\n\n*{sub}*")


def summary(figures: UnitFigures, lang: str = "vi") -> str:
    """The opening paragraph: :func:`headline`, or :func:`too_few` when withheld."""
    f = figures
    if not f.published:
        return too_few(f.inline_name, f.answered, f.roster_n, f.min_n, lang,
                       reason=f.withheld or "primary", unit_level=f.level)
    return headline(f.inline_name, f.index, f.satisfied, f.answered, f.roster_n, lang, f.year)


def key_figures(unit: UnitFigures, city: UnitFigures | None = None, lang: str = "vi") -> str:
    """An HTML table of the headline numbers, with the city's beside them if given."""
    detail = not math.isnan(unit.index_low) or unit.tier is not None or (
        city is not None and not math.isnan(city.index_low))

    def column(f: UnitFigures) -> list[str]:
        pub = f.published
        cells = [f"{fmt.count(f.answered, lang)}/{fmt.count(f.roster_n, lang)}",
                 fmt.percent(f.coverage, 1, lang),
                 fmt.number(f.index if pub else None, 1, lang),
                 fmt.percent(f.satisfied if pub else None, 1, lang),
                 fmt.number(f.overall_index, 1, lang),
                 fmt.percent(f.overall_satisfied, 1, lang)]
        if detail:
            cells[3:3] = [fmt.interval(f.index_low, f.index_high, 1, lang) if pub
                          else fmt.SUPPRESSED]
            cells[5:5] = [fmt.interval(f.satisfied_low, f.satisfied_high, 1, lang,
                                       percent_=True) if pub else fmt.SUPPRESSED,
                          f.tier_label if pub and f.tier_label else fmt.SUPPRESSED]
            if unit.code != CITY:
                cells.append(fmt.rank_range(f.rank, f.rank_low, f.rank_high, lang)
                             if pub and f.code != CITY else "")
        return cells

    keys = ["kf_answered", "kf_coverage", "kf_index", "kf_satisfied", "kf_overall",
            "kf_overall_satisfied"]
    if detail:
        keys = ["kf_answered", "kf_coverage", "kf_index", "kf_index_interval", "kf_satisfied",
                "kf_satisfied_interval", "kf_tier", "kf_overall", "kf_overall_satisfied"]
        if unit.code != CITY:
            keys.append("kf_rank")
    level = fmt.level(unit.confidence, lang)
    frame = pd.DataFrame({fmt.t("col_figure", lang):
                          [fmt.t(k, lang, number=unit.overall_number, level=level,
                                 k=fmt.count(unit.ranked, lang),
                                 units=_level_words(unit.level, lang)) for k in keys],
                          unit.name: column(unit)})
    numeric = [unit.name]
    if city is not None and city.code != unit.code:
        frame[fmt.t("col_city", lang)] = column(city)
        numeric.append(fmt.t("col_city", lang))
    return fmt.html_table(frame, numeric=numeric)


# ----------------------------------------------------------------------- methodology


#: ``{units}`` / ``{unit_sg}`` are filled with :func:`hailong.present.fmt.unit_words`.
_SECONDARY_RULE = {
    "vi": " (ẩn sơ cấp). Vì số liệu toàn thành phố tổng hợp từ các {units}, một số liệu "
          "bị ẩn có thể tính ngược từ số liệu toàn thành phố và các {units} còn lại; vì "
          "vậy, khi một số liệu của một {unit_sg} bị ẩn, số liệu đó của {unit_sg} có ít HTX "
          "trả lời nhất trong số còn lại cũng bị ẩn (ẩn bổ sung, như cách làm của các cơ quan "
          "thống kê), và {unit_sg} bị ẩn chỉ số chung thì ẩn mọi số liệu. Số HTX trả lời và "
          "tỷ lệ tham gia vẫn được công bố. Số liệu có gia quyền gộp các ô nhỏ với ô khác nên "
          "không tách riêng được một {unit_sg} (xấp xỉ)",
    "en": " (primary suppression). City figures add up the {units}', so a withheld figure "
          "could be worked out from the city's and the other {units}'; therefore when a "
          "{unit_sg}'s figure is withheld, the same figure of the {unit_sg} with the fewest "
          "respondents among the rest is withheld too (secondary suppression, as statistics "
          "offices do), and a {unit_sg} whose overall index is withheld has every figure "
          "withheld. Numbers of respondents and coverage stay published. Weighted figures "
          "pool small cells with others, so they do not single out one {unit_sg} (an "
          "approximation)",
}


def methodology(meta: Mapping, lang: str = "vi", threshold_points: float = SIMILAR_POINTS,
                data_date: object = None) -> str:
    """The method section (Markdown list): scale, formulas, % satisfied, suppression.

    Parameters
    ----------
    meta
        ``Results.meta``: ``scale_labels``, ``scale_min``, ``scale_max``,
        ``satisfied_values``, ``min_n``, ``codebook_version``; ``data_date`` (the last
        accepted submission) is quoted when present or passed.
    """
    fmt.check_lang(lang)
    vi = lang == "vi"
    labels = fmt.scale_labels(meta, lang)
    lo, hi = fmt.number(meta["scale_min"], 0, lang), fmt.number(meta["scale_max"], 0, lang)
    scale = ", ".join(f"{lb} = {v}" for v, lb in labels.items())
    sat = _join([f"“{labels[int(v)]}”" for v in meta["satisfied_values"]],
                lang).replace(" và ", " hoặc ").replace(" and ", " or ")
    min_n = fmt.count(meta["min_n"], lang)
    thr = _points(threshold_points, lang)
    intervals = "confidence" in meta
    level = fmt.level(meta.get("confidence"), lang)
    secondary = bool(meta.get("secondary_suppression"))
    rule = (_SECONDARY_RULE[lang].format(**fmt.unit_words(meta.get("level"), lang))
            if secondary else "")
    when = data_date if data_date is not None else meta.get("data_date")
    version = meta.get("codebook_version")
    if vi:
        lines = [
            f"**Thang đo.** Mỗi câu hỏi có {len(labels)} mức trả lời, quy ra điểm: {scale}. "
            "Câu trả lời “Không ý kiến”, câu bỏ trống và câu không hỏi loại hình HTX đó "
            "không được tính điểm.",
            "**Điểm lĩnh vực** của một HTX là trung bình điểm các câu đã trả lời trong lĩnh "
            "vực; **điểm chung** của HTX là trung bình các điểm lĩnh vực (các lĩnh vực có "
            "trọng số như nhau).",
            f"**Chỉ số 0–100** của một đơn vị = (điểm trung bình − {lo}) / ({hi} − {lo}) × "
            "100, trong đó điểm trung bình là trung bình điểm của các HTX trong đơn vị. "
            "Chỉ số 0 nghĩa là mọi HTX chọn mức thấp nhất, 100 là mọi HTX chọn mức cao nhất.",
            f"**Tỷ lệ hài lòng** là tỷ lệ câu trả lời ở mức {sat} trên tổng số câu trả lời "
            "được tính điểm.",
            (f"**So sánh với toàn thành phố:** một chỉ số được coi là cao hơn (▲) hay thấp "
             f"hơn (▼) toàn thành phố chỉ khi khoảng tin cậy {level} của chênh lệch không "
             "chứa 0, tức là chênh lệch vượt ngoài phạm vi sai số; ngược lại là tương đương "
             "(≈)." if intervals else
             f"**So sánh với toàn thành phố:** chênh lệch dưới {thr} điểm được coi là tương "
             "đương. Ngưỡng này là quy ước của báo cáo, chưa tính đến sai số thống kê."),
            f"**Bảo vệ bí mật:** không công bố số liệu nào dựa trên dưới {min_n} HTX trả "
            f"lời{rule}; ô không công bố ghi "
            f"“{fmt.SUPPRESSED}”.",
        ]
        if when is not None:
            lines.append(f"**Số liệu** tính đến ngày {fmt.date(when, lang)}.")
        if version:
            lines.append(f"**Bảng câu hỏi:** phiên bản {version}.")
    else:
        lines = [
            f"**Scale.** Each question has {len(labels)} answers, scored {scale}. "
            "“No opinion”, blank answers and questions not asked of the cooperative's type "
            "are not scored.",
            "A cooperative's **area score** is the mean of its answered questions in the "
            "area; its **overall score** is the mean of its area scores (equal weights).",
            f"A unit's **0–100 index** = (mean score − {lo}) / ({hi} − {lo}) × 100, where "
            "the mean score is over the unit's cooperatives. 0 means every cooperative chose "
            "the lowest answer, 100 the highest.",
            f"**% satisfied** is the share of scored answers that are {sat}.",
            (f"**Comparison with the city:** a figure is called above (▲) or below (▼) the "
             f"city only when the {level} interval of the difference excludes 0, i.e. the "
             "difference exceeds its margin of error; otherwise it is similar (≈)."
             if intervals else
             f"**Comparison with the city:** differences under {thr} points are called "
             "similar. This threshold is a reporting convention; it does not yet account for "
             "statistical uncertainty."),
            f"**Confidentiality:** no figure based on fewer than {min_n} cooperatives is "
            f"published{rule}; withheld cells show "
            f"“{fmt.SUPPRESSED}”.",
        ]
        if when is not None:
            lines.append(f"**Data** as of {fmt.date(when, lang)}.")
        if version:
            lines.append(f"**Questionnaire:** version {version}.")
    if sources := data_sources(meta, lang):
        lines.append(sources)
    return nfc("\n".join(f"- {x}" for x in lines))


# ------------------------------------------ intervals, weighting, reliability, themes


def precision(figures: UnitFigures, lang: str = "vi") -> str:
    """How sure the headline is: intervals, tier, rank range, comparison with the city.

    One short paragraph after :func:`summary`; ``""`` when the figures are withheld or
    the results carry no intervals.
    """
    return nfc(" ".join(text for _, text in _precision_parts(figures, lang)))


def _precision_parts(figures: UnitFigures, lang: str) -> list[tuple[str, str]]:
    """The sentences of :func:`precision`, each with what it is about: ``interval``,
    ``tier``, ``vs_city``, ``rank``, ``weighted``, ``unreliable``."""
    fmt.check_lang(lang)
    f = figures
    if not f.published or math.isnan(f.index_low):
        return []
    vi = lang == "vi"
    level = fmt.level(f.confidence, lang)
    census = (fmt.number(f.index_low, 1, lang) == fmt.number(f.index_high, 1, lang))
    out = []
    if census:
        out.append(("interval",
                    "Mọi HTX trong danh sách đã trả lời nên các số liệu không có sai số chọn "
                    "mẫu." if vi else
                    "Every listed cooperative answered, so the figures have no sampling "
                    "error."))
    else:
        idx = fmt.interval(f.index_low, f.index_high, 1, lang)
        sat = fmt.interval(f.satisfied_low, f.satisfied_high, 1, lang, percent_=True)
        out.append(("interval",
                    f"Với độ tin cậy {level}, chỉ số hài lòng chung nằm trong khoảng {idx} và "
                    f"tỷ lệ câu trả lời hài lòng trong khoảng {sat}." if vi else
                    f"With {level} confidence, the satisfaction index lies within {idx} and "
                    f"the share of satisfied answers within {sat}."))
    if f.tier_label:
        out.append(("tier", f"Xếp loại: **{f.tier_label}**." if vi else
                    f"Tier: **{f.tier_label}**."))
    if f.code != CITY and f.vs_city in ("above", "below", "similar"):
        city = fmt.number(f.city_index, 1, lang)
        word = {"above": ("cao hơn", "above"), "below": ("thấp hơn", "below"),
                "similar": ("tương đương", "similar to")}[f.vs_city]
        if f.vs_city == "similar":
            out.append(("vs_city",
                        f"Chỉ số chung tương đương với toàn thành phố ({city}): chênh lệch nằm "
                        "trong phạm vi sai số." if vi else
                        f"The index is similar to the city's ({city}): the difference is "
                        "within the margin of error."))
        else:
            out.append(("vs_city",
                        f"Chỉ số chung {word[0]} toàn thành phố ({city}), vượt ngoài phạm vi "
                        "sai số." if vi else
                        f"The index is {word[1]} the city's ({city}), beyond the margin of "
                        "error."))
    if f.code != CITY and f.rank is not None and f.ranked > 1:
        k = fmt.count(f.ranked, lang)
        units = _level_words(f.level, lang)
        if f.rank_low == f.rank_high:
            out.append(("rank", f"Xếp thứ {f.rank} trong {k} {units} được công bố." if vi
                        else f"Ranked {f.rank} of {k} published {units}."))
        else:
            out.append(("rank",
                        f"Xếp thứ {f.rank} trong {k} {units} được công bố; tính cả sai số, "
                        f"thứ hạng có thể từ {f.rank_low} đến {f.rank_high}." if vi else
                        f"Ranked {f.rank} of {k} published {units}; allowing for the "
                        f"margin of error the rank could be anywhere from {f.rank_low} to "
                        f"{f.rank_high}."))
    if f.weighted:
        out.append(("weighted",
                    "Số liệu toàn thành phố được gia quyền theo danh sách HTX (xem phần "
                    "Phương pháp tính)." if vi else
                    "The city's figures are weighted to the roster (see Method)."))
    if f.unreliable:
        out.append(("unreliable",
                    "Sai số tương đối lớn: cần đọc các số liệu này thận trọng." if vi else
                    "The relative error is large: read these figures with care."))
    return [(k, nfc(v)) for k, v in out]


#: Plain readings of Cronbach's alpha (lower bound, Vietnamese, English), highest first —
#: the usual rule of thumb (George & Mallery, 2003).
ALPHA_READINGS = ((0.9, "rất cao", "excellent"), (0.8, "tốt", "good"),
                  (0.7, "chấp nhận được", "acceptable"), (0.6, "còn thấp", "questionable"),
                  (-math.inf, "thấp", "poor"))


def alpha_reading(alpha: float, lang: str = "vi") -> str:
    """The plain reading of an alpha value ("tốt", "chấp nhận được" ...); "—" if missing."""
    fmt.check_lang(lang)
    if fmt.is_missing(alpha):
        return fmt.SUPPRESSED
    for low, vi, en in ALPHA_READINGS:
        if float(fmt.rounded(alpha, 2)) >= low:
            return vi if lang == "vi" else en
    return fmt.SUPPRESSED


def reliability_table_html(results: Results, lang: str = "vi") -> str:
    """Cronbach's alpha of every dimension with its interval and reading (HTML table)."""
    fmt.check_lang(lang)
    r = results.reliability
    if r is None or r.empty:
        return ""
    labels = results.measures.set_index("measure")[lang]
    level = fmt.level(results.meta.get("confidence"), lang)
    frame = pd.DataFrame({
        fmt.t("col_dimension", lang): [nfc(str(labels.get(m, m))) for m in r["measure"]],
        fmt.t("col_items", lang): [fmt.count(k, lang) for k in r["items"]],
        fmt.t("col_n", lang): [fmt.count(k, lang) for k in r["n"]],
        fmt.t("col_alpha", lang): [fmt.number(a, 2, lang) for a in r["alpha"]],
        fmt.t("col_interval", lang, level=level): [
            fmt.interval(lo, hi, 2, lang) for lo, hi in zip(r["low"], r["high"])],
        fmt.t("col_reading", lang): [alpha_reading(a, lang) for a in r["alpha"]],
    })
    return fmt.html_table(frame, numeric=list(frame.columns[1:5]))


def _alpha_sentence(results: Results, lang: str) -> str:
    r = results.reliability
    if r is None or r.empty or r["alpha"].isna().all():
        return ""
    vi = lang == "vi"
    lo, hi = r["alpha"].min(), r["alpha"].max()
    span = (fmt.number(lo, 2, lang) if fmt.number(lo, 2, lang) == fmt.number(hi, 2, lang)
            else f"{fmt.number(lo, 2, lang)} {'đến' if vi else 'to'} {fmt.number(hi, 2, lang)}")
    weak = int((r["alpha"] < 0.7).sum())
    if vi:
        text = (f"**Độ tin cậy của thang đo (hệ số Cronbach's alpha):** alpha cho biết các câu "
                "hỏi trong cùng một lĩnh vực có cùng đo một điều hay không (từ 0 đến 1; từ "
                "0,7 trở lên thường được coi là chấp nhận được). Tính trên mọi HTX trả lời "
                "của toàn thành phố, câu bỏ trống được xử lý theo từng cặp câu hỏi; khoảng tin "
                f"cậy theo phương pháp Feldt. Alpha của các lĩnh vực từ {span}")
        if weak == len(r):
            text += (" — thấp: các câu hỏi trong một lĩnh vực đo những khía cạnh khá khác "
                     "nhau, nên cần đọc điểm từng câu hỏi bên cạnh điểm lĩnh vực.")
        elif weak:
            text += (f"; {fmt.count(weak, lang)} lĩnh vực dưới 0,7, với các lĩnh vực này nên "
                     "đọc thêm điểm từng câu hỏi.")
        else:
            text += ": các câu hỏi trong mỗi lĩnh vực nhất quán với nhau."
        return text
    text = ("**Reliability of the scales (Cronbach's alpha):** alpha tells whether the "
            "questions of an area measure one thing (0 to 1; 0.7 or more is usually "
            "acceptable). Computed over every respondent in the city, missing answers "
            f"pairwise; Feldt intervals. The areas' alpha ranges from {span}")
    if weak == len(r):
        return text + (" — low: the questions of an area measure rather different aspects, "
                       "so read the questions' scores beside the area's.")
    if weak:
        return text + f"; {fmt.count(weak, lang)} areas are below 0.7: read their questions too."
    return text + ": the questions of each area are consistent."


def methodology_details(results: Results, code: str, lang: str = "vi") -> str:
    """The statistical part of the method section (Markdown list), for any report.

    Number of respondents and coverage of the unit; intervals and the finite population
    correction; how to read intervals; the citywide weighting (weighted and unweighted
    figures, Kish's effective n, the cell-collapsing rule); the comparison with the city
    and its approximation; tiers; rank ranges; Cronbach's alpha with a plain reading;
    the suppression rule (primary and secondary); the "*" flag; the open answers.
    """
    fmt.check_lang(lang)
    vi = lang == "vi"
    m = results.meta
    if "confidence" not in m:
        return ""
    one = results.unit(str(code).strip())
    code = str(one.units["unit"].iloc[0])
    cov = one.coverage.iloc[0]
    c = lambda k: fmt.count(k, lang)  # noqa: E731
    level = fmt.level(m.get("confidence"), lang)
    uw = fmt.unit_words(m.get("level"), lang)
    units, unit_sg = uw["units"], uw["unit_sg"]
    min_n = c(m["min_n"])
    name = fmt.unit_name(one, code, lang, form="inline")
    lines = []
    n_index = int(one.scores.loc[one.scores["measure"] == INDEX, "n"].iloc[0])
    lines.append(
        f"**Số HTX:** {c(cov['answered'])} trên {c(cov['roster_n'])} HTX trong danh sách của "
        f"{name} đã trả lời ({fmt.percent(cov['share'], 1, lang)}); {c(n_index)} HTX có điểm "
        "chung (đã cho ý kiến ít nhất một lĩnh vực)." if vi else
        f"**Respondents:** {c(cov['answered'])} of the {c(cov['roster_n'])} listed "
        f"cooperatives of {name} answered ({fmt.percent(cov['share'], 1, lang)}); "
        f"{c(n_index)} have an overall score (rated at least one area).")
    lines.append(
        f"**Khoảng tin cậy {level}:** mỗi chỉ số đi kèm một khoảng; với cách tính này, "
        f"{level} các khoảng như vậy chứa giá trị thật. Chỉ số 0–100 dùng khoảng t của giá trị "
        "trung bình: x̄ ± t × s/√n × √(1 − n/N), với n là số HTX trả lời và N là số HTX trong "
        "danh sách của đơn vị (hiệu chỉnh tổng thể hữu hạn: khảo sát gần như toàn bộ HTX nên "
        "sai số nhỏ; khi mọi HTX đã trả lời thì không còn sai số chọn mẫu). Tỷ lệ hài lòng dùng "
        "khoảng Wilson, cũng hiệu chỉnh theo N; với tỷ lệ gộp nhiều câu hỏi, các câu trả lời "
        "của cùng một HTX không độc lập nên khoảng được tính trên số câu trả lời hiệu dụng." if vi
        else
        f"**{level} intervals:** each figure comes with an interval; computed this way, "
        f"{level} of such intervals contain the true value. The 0–100 index uses the t "
        "interval of the mean, x̄ ± t × s/√n × √(1 − n/N), n being the respondents and N the "
        "cooperatives listed in the unit (finite population correction: the survey covers "
        "nearly every cooperative, so the error is small, and none is left when all have "
        "answered). % satisfied uses Wilson's interval, with the same correction; for a share "
        "pooled over several questions, one cooperative's answers are not independent, so "
        "the interval rests on the effective number of answers.")
    lines.append(
        "**Đọc khoảng tin cậy:** hai đơn vị có khoảng tin cậy chồng lên nhau nhiều thì chưa "
        "thể nói đơn vị nào hơn; báo cáo chỉ nói “cao hơn” hay “thấp hơn” khi chênh lệch vượt "
        "ngoài phạm vi sai số." if vi else
        "**Reading intervals:** when two units' intervals overlap a lot, neither can be said "
        "to be ahead; the report says “above” or “below” only when a difference exceeds its "
        "margin of error.")
    w = m.get("weighting")
    wt = results.weighted.set_index("measure") if len(results.weighted) else None
    city = results.scores[(results.scores["unit"] == CITY)].set_index("measure")
    if w and wt is not None and not bool(wt.loc[INDEX, "suppressed"]):
        mc = c(w["min_cell"])
        idx_w, idx_u = fmt.number(wt.loc[INDEX, "index"], 1, lang), fmt.number(
            city.loc[INDEX, "index"], 1, lang)
        sat_w, sat_u = fmt.percent(wt.loc[INDEX, "satisfied"], 1, lang), fmt.percent(
            city.loc[INDEX, "satisfied"], 1, lang)
        n_eff = fmt.number(w["n_eff"], 0, lang)
        deff = fmt.number(w["design_effect"], 2, lang)
        lines.append(
            f"**Gia quyền (số liệu toàn thành phố):** tỷ lệ trả lời khác nhau giữa các {units} "
            "và loại hình HTX, nên số liệu toàn thành phố được gia quyền hậu phân tầng: "
            f"mỗi ô ({unit_sg} × loại hình HTX) có trọng số = số HTX trong danh sách / số HTX "
            f"trả lời. Ô có dưới {mc} HTX trả lời được gộp vào ô lớn nhất cùng {unit_sg}; "
            f"{unit_sg} có dưới {mc} HTX trả lời được gộp chung, và nếu nhóm gộp vẫn dưới "
            f"{mc} HTX thì nhập vào ô lớn nhất của thành phố (còn {c(w['cells'])} ô). Chỉ số "
            f"chung toàn thành phố có gia quyền {idx_w}, không gia quyền {idx_u}; tỷ lệ hài "
            f"lòng có gia quyền {sat_w}, không gia quyền {sat_u}. Cỡ mẫu hiệu dụng (Kish) "
            f"{n_eff} trên {c(w['respondents'])} HTX trả lời (hệ số thiết kế {deff}). Sai số "
            "của số liệu có gia quyền tính theo phương pháp tuyến tính hóa, phân tầng theo ô."
            if vi else
            f"**Weighting (city figures):** response rates differ between {units} and types "
            f"of cooperative, so the city's figures are post-stratified: each cell ({unit_sg} × "
            "type) is weighted by listed / answered cooperatives. A cell with fewer than "
            f"{mc} respondents joins the largest cell of its {unit_sg}; {units} with fewer "
            f"than {mc} are pooled, and a pool still below {mc} joins the city's largest cell "
            f"({c(w['cells'])} cells remain). City index weighted {idx_w}, unweighted "
            f"{idx_u}; % satisfied weighted {sat_w}, unweighted {sat_u}. Kish's effective "
            f"sample size {n_eff} of {c(w['respondents'])} respondents (design effect "
            f"{deff}). Standard errors of weighted figures by linearization, stratified by "
            "cell.")
    lines.append(
        "**Sai số của chênh lệch với toàn thành phố:** chênh lệch = chỉ số của đơn vị − chỉ "
        "số toàn thành phố (có gia quyền). Vì đơn vị là một phần của thành phố, phương sai "
        "của chênh lệch = Var(đơn vị) + Var(thành phố) − 2 × w × Var(đơn vị), với w là tỷ "
        "trọng số HTX của đơn vị trong danh sách toàn thành phố (phép xấp xỉ: coi phần đóng "
        "góp của đơn vị vào số liệu toàn thành phố bằng w × số liệu của đơn vị)." if vi else
        "**Error of the difference from the city:** difference = unit − city (weighted). "
        "The unit is part of the city, so Var(difference) = Var(unit) + Var(city) − 2 × w × "
        "Var(unit), w being the unit's share of the city's listed cooperatives (an "
        "approximation: the unit's "
        "contribution to the city figure is taken as w × the unit's figure).")
    tiers = m.get("tiers") or []
    if tiers:
        parts, upper = [], None
        for t in sorted(tiers, key=lambda t: -t["lower"]):
            lo = fmt.number(t["lower"], 0, lang)
            label = nfc(str(t[lang]))
            if upper is None:
                parts.append(f"{label} ≥ {lo}")
            elif t["lower"] <= 0:
                parts.append(f"{label} < {fmt.number(upper, 0, lang)}")
            else:
                parts.append(f"{label} {lo}–<{fmt.number(upper, 0, lang)}")
            upper = t["lower"]
        lines.append(
            f"**Xếp loại** theo chỉ số 0–100 (đã làm tròn như in): {'; '.join(parts)}." if vi
            else f"**Tiers** by the 0–100 index (rounded as printed): {'; '.join(parts)}.")
    lines.append(
        "**Thứ hạng:** thay vì chỉ một con số, báo cáo ghi khoảng thứ hạng có thể: mô phỏng "
        f"{c(m.get('rank_draws', 0))} lần, mỗi lần lấy chỉ số của từng {unit_sg} ngẫu nhiên "
        "theo sai số của nó rồi xếp hạng; khoảng là {level} ở giữa các thứ hạng nhận được "
        "(hạt giống ngẫu nhiên cố định nên kết quả lặp lại được).".replace("{level}", level)
        if vi else
        "**Ranks:** rather than a bare rank the report gives the range a rank could take: "
        f"{c(m.get('rank_draws', 0))} simulations draw each {unit_sg}'s index from its "
        f"sampling distribution and rank them; the range is the central {level} of the "
        "ranks (fixed seed: the same data give the same ranges).")
    if alpha := _alpha_sentence(results, lang):
        lines.append(alpha)
    rse = fmt.percent(m.get("rse_threshold"), 0, lang)
    star = "\\" + fmt.UNRELIABLE  # escaped: "*" would start emphasis in Markdown
    lines.append(
        f"**Dấu {star}:** số liệu có sai số tương đối (sai số chuẩn / giá trị) trên {rse} "
        f"được đánh dấu {star} và cần đọc thận trọng." if vi else
        f"**{star} mark:** figures whose relative standard error (standard error / value) "
        f"exceeds {rse} are marked {star}: read them with care.")
    if len(results.themes):
        lines.append(
            "**Câu hỏi mở:** câu trả lời về khó khăn và kiến nghị được xếp vào chủ đề theo "
            "từ khóa (một câu trả lời có thể thuộc nhiều chủ đề; bộ từ khóa là dữ liệu của "
            f"dự án). Số HTX nêu một chủ đề dưới {min_n} không được công bố. Trích dẫn đã bỏ "
            f"tên người, số điện thoại, email và tên HTX, và không ghi {unit_sg}." if vi else
            "**Open questions:** answers on difficulties and recommendations are put into "
            "themes by keywords (an answer can have several; the keyword list is project "
            f"data). Counts below {min_n} cooperatives are withheld. Quotes have names of "
            "people, phone numbers, e-mails and the cooperative's name removed, and name no "
            f"{unit_sg}.")
    return nfc("\n".join(f"- {x}" for x in lines))


def themes_table_html(results: Results, code: str, lang: str = "vi") -> str:
    """Respondents naming each theme, per open question, for one unit (HTML table).

    ``""`` when the results have no themes. Withheld counts show "—" with the note.
    """
    fmt.check_lang(lang)
    t = results.themes
    if t is None or t.empty:
        return ""
    t = t[t["unit"] == str(code)]
    labels = fmt.theme_labels(results.meta, lang)
    names = {q["id"]: q for q in results.meta.get("open_questions", [])}
    frame = pd.DataFrame({fmt.t("col_theme", lang): list(labels.values())})
    for q in dict.fromkeys(t["question"]):
        rows = t[t["question"] == q].set_index("theme")
        head = nfc(str(names[q][lang])) if q in names else q
        answered = int(rows["answered"].iloc[0]) if len(rows) else 0
        col = (f"{head} ({fmt.count(answered, lang)} HTX có ý kiến)" if lang == "vi" else
               f"{head} ({fmt.count(answered, lang)} answered)")
        cells = []
        for k in labels:
            r = rows.loc[k] if k in rows.index else None
            if r is None or bool(r["suppressed"]):
                cells.append(fmt.SUPPRESSED)
            else:
                cells.append(f"{fmt.count(r['respondents'], lang)} "
                             f"({fmt.percent(r['share'], 1, lang)})")
        frame[col] = cells
    return fmt._table_html(frame, lang, results.meta.get("min_n"), results.meta)


def themes_summary(results: Results, code: str, question: str = "RECOMMENDATIONS",
                   lang: str = "vi", top: int = 3) -> str:
    """The most named themes of an open question in one sentence ("" if none published)."""
    fmt.check_lang(lang)
    t = results.themes
    if t is None or t.empty:
        return ""
    rows = t[(t["unit"] == str(code)) & (t["question"] == question)
             & ~t["suppressed"].astype(bool) & (t["respondents"] > 0)]
    rows = rows[rows["theme"] != (results.meta.get("themes") or {}).get("other")]
    if rows.empty:
        return ""
    labels = fmt.theme_labels(results.meta, lang)
    rows = rows.sort_values("respondents", ascending=False, kind="stable").head(top)
    items = _join([f"**{labels.get(r.theme, r.theme)}** ({fmt.percent(r.share, 1, lang)})"
                   for r in rows.itertuples()], lang)
    n = fmt.count(int(rows["answered"].iloc[0]), lang)
    if lang == "vi":
        return nfc(f"Trong {n} HTX có ý kiến, các chủ đề được nêu nhiều nhất là {items}.")
    return nfc(f"Of the {n} cooperatives who answered, the most named themes are {items}.")


def quotes_markdown(results: Results, question: str = "RECOMMENDATIONS",
                    lang: str = "vi") -> str:
    """Redacted example answers per theme as a Markdown list ("" if none).

    The texts were redacted when the results were computed (:mod:`hailong.numbers.themes`) and
    are escaped here, so they show literally.
    """
    fmt.check_lang(lang)
    q = results.quotes
    if q is None or q.empty:
        return ""
    q = q[q["question"] == question]
    labels = fmt.theme_labels(results.meta, lang)
    lines = []
    for theme, rows in q.groupby("theme", sort=False):
        said = "; ".join(f"“{quote_markdown(text)}”" for text in rows["text"])
        lines.append(f"- **{labels.get(theme, theme)}:** {said}")
    return nfc("\n".join(lines))


_KIND = {"vi": {"roster": "danh sách HTX", "responses": "dữ liệu khảo sát"},
         "en": {"roster": "roster", "responses": "survey export"}}


def data_sources(meta: Mapping, lang: str = "vi") -> str:
    """The input files the results were computed from, in one sentence ("" if unknown).

    Parameters
    ----------
    meta
        ``Results.meta``; ``inputs`` lists ``name``, ``sha256`` (short), ``rows`` and
        ``kind`` of each file (see :func:`hailong.ingest.store.inputs_summary`).
    """
    from hailong.core.safetext import markdown_text

    fmt.check_lang(lang)
    vi = lang == "vi"
    parts = []
    for e in meta.get("inputs") or []:
        kind = _KIND[lang].get(e.get("kind", ""), "")
        rows = (f"{fmt.count(e['rows'], lang)} {'dòng' if vi else 'rows'}; "
                if e.get("rows") is not None else "")
        parts.append(f"{kind + ' ' if kind else ''}{markdown_text(e['name'])} "
                     f"({rows}SHA-256 {e['sha256']})")
    if not parts:
        return ""
    lead = "**Tệp dữ liệu đầu vào:**" if vi else "**Input files:**"
    return nfc(f"{lead} {'; '.join(parts)}.")


# ------------------------------------------------- several rounds: change since the last


def change_sentence(subject: str, change: float, significant: bool, previous_year: int,
                    lang: str = "vi", approximate: bool = False) -> str:
    """How a figure moved since the previous round, in one sentence.

    "tăng / giảm X điểm so với năm 2021 (có ý nghĩa thống kê)" only when the change's
    interval excludes 0 (``significant``); otherwise "không thay đổi đáng kể" with the
    change in brackets, as within the margin of error.

    Parameters
    ----------
    subject
        What moved, as it opens the sentence ("Chỉ số hài lòng chung").
    change
        Index points since ``previous_year`` (``Trend.table["change"]``).
    approximate
        The comparison rests on re-aggregated units (a crosswalk) or another territory.
    """
    fmt.check_lang(lang)
    vi = lang == "vi"
    points = fmt.number(abs(change), 1, lang)
    approx = ("; so sánh gần đúng" if vi else "; an approximate comparison") if approximate \
        else ""
    if significant:
        up = change > 0
        if vi:
            return nfc(f"{subject} {'tăng' if up else 'giảm'} {points} điểm so với năm "
                       f"{previous_year} (có ý nghĩa thống kê{approx}).")
        return nfc(f"{subject} {'rose' if up else 'fell'} {points} points since "
                   f"{previous_year} (statistically significant{approx}).")
    if vi:
        return nfc(f"{subject} không thay đổi đáng kể so với năm {previous_year} "
                   f"({fmt.signed(change, 1, lang)} điểm, trong phạm vi sai số{approx}).")
    return nfc(f"{subject} shows no significant change since {previous_year} "
               f"({fmt.signed(change, 1, lang)} points, within the margin of error{approx}).")


def _last_round(trend, code: str) -> pd.DataFrame:
    """The unit's rows of the newest round lined up (every measure but items)."""
    t = trend.unit(code)
    t = t[t["kind"] != "item"]
    return t[t["round"] == t["round"].max()]


def _previous_rows(trend, code: str, year: int) -> pd.DataFrame:
    t = trend.unit(code)
    return t[(t["round"] == year) & (t["kind"] != "item")].set_index("measure")


def _index_change(trend, code: str, name: str, lang: str) -> str:
    """The sentence on the overall index (or why it cannot be compared); "" when there is
    no earlier round."""
    last = _last_round(trend, code).set_index("measure")
    if INDEX not in last.index or fmt.is_missing(last.loc[INDEX, "previous_round"]):
        return ""
    row = last.loc[INDEX]
    prev = int(row["previous_round"])
    vi = lang == "vi"
    if fmt.is_missing(row["change"]):
        before = _previous_rows(trend, code, prev)
        n = int(before.loc[INDEX, "n"]) if INDEX in before.index else 0
        if n == 0:
            return nfc(f"Năm {prev} chưa có số liệu của {name} để so sánh." if vi else
                       f"There are no {prev} figures for {name} to compare with.")
        return nfc(f"Không so sánh được với năm {prev} vì năm đó có quá ít HTX trả lời."
                   if vi else
                   f"No comparison with {prev} is possible: too few cooperatives answered "
                   "that year.")
    approx = bool(_previous_rows(trend, code, prev)["approximate"].any()) or bool(
        row["approximate"])
    subject = "Chỉ số hài lòng chung" if vi else "The overall satisfaction index"
    return change_sentence(subject, float(row["change"]), bool(row["significant"]), prev,
                           lang, approx)


def has_trend(trend, code: str) -> bool:
    """True when the unit has a published overall index in an earlier round lined up (so
    a trend chart and table say something); False for ``trend`` ``None``."""
    if trend is None:
        return False
    t = trend.unit(code)
    t = t[t["measure"] == INDEX]
    earlier = t[t["round"] < t["round"].max()]
    return bool((~earlier["suppressed"].astype(bool) & earlier["index"].notna()).any())


def _dimension_changes(trend, code: str) -> tuple[pd.DataFrame, int | None]:
    last = _last_round(trend, code)
    dims = last[last["kind"] == "dimension"]
    prev = dims["previous_round"].dropna()
    return dims, (int(prev.iloc[0]) if len(prev) else None)


def _change_counts(trend, code: str, lang: str) -> str:
    """"Có 5 lĩnh vực tăng và 1 lĩnh vực giảm có ý nghĩa thống kê." and its variants."""
    dims, prev = _dimension_changes(trend, code)
    if prev is None or dims["change"].isna().all():
        return ""
    up = int((dims["significant"] & (dims["change"] > 0)).sum())
    down = int((dims["significant"] & (dims["change"] < 0)).sum())
    vi = lang == "vi"
    area = _VERSUS[lang]["area"]
    if vi:
        if up and down:
            return (f"Có {up} lĩnh vực tăng và {down} lĩnh vực giảm có ý nghĩa thống kê.")
        if up:
            return f"Có {up} lĩnh vực tăng có ý nghĩa thống kê, không lĩnh vực nào giảm."
        if down:
            return f"Có {down} lĩnh vực giảm có ý nghĩa thống kê, không lĩnh vực nào tăng."
        return "Không lĩnh vực nào thay đổi đáng kể."
    if up and down:
        return (f"Significant rises in {_plural(up, area, lang)} and falls in "
                f"{_plural(down, area, lang)}.")
    if up:
        return f"Significant rises in {_plural(up, area, lang)}; no area fell."
    if down:
        return f"Significant falls in {_plural(down, area, lang)}; no area rose."
    return "No area changed significantly."


def versus_previous(trend, code: str, measures: pd.DataFrame, name: str,
                    lang: str = "vi") -> str:
    """How the unit moved since the previous round: the overall index, then the
    dimensions that rose or fell significantly (named, with their change) and how many
    did not change significantly. ``""`` when there is no earlier round.

    Parameters
    ----------
    trend
        :func:`hailong.numbers.trend_cache.report_trend` (a :class:`hailong.numbers.rounds.Trend`), or ``None``.
    code
        Unit code (``"city"`` for the whole city).
    measures
        ``Results.measures`` (dimension names).
    name
        The unit as named inside a sentence ("huyện Thuỷ Nguyên").
    """
    fmt.check_lang(lang)
    if trend is None:
        return ""
    first = _index_change(trend, code, name, lang)
    if not first:
        return ""
    dims, prev = _dimension_changes(trend, code)
    vi = lang == "vi"
    pts = " điểm" if vi else " points"
    compared = dims[dims["change"].notna()]
    up = compared[compared["significant"] & (compared["change"] > 0)].sort_values(
        "change", ascending=False, kind="stable")
    down = compared[compared["significant"] & (compared["change"] < 0)].sort_values(
        "change", kind="stable")
    same = len(compared) - len(up) - len(down)

    def items(rows: pd.DataFrame) -> str:
        return _join([f"**{fmt.measure_label(measures, r.measure, lang)}** "
                      f"({fmt.signed(r.change, 1, lang)}{pts})" for r in rows.itertuples()],
                     lang)

    area = _VERSUS[lang]["area"]
    out = [first]
    if len(compared):
        total = len(compared)
        if vi:
            if len(up) == total and total > 1:
                out.append(f"Cả {total} lĩnh vực đều tăng có ý nghĩa thống kê: {items(up)}.")
            elif len(down) == total and total > 1:
                out.append(f"Cả {total} lĩnh vực đều giảm có ý nghĩa thống kê: "
                           f"{items(down)}.")
            elif not len(up) and not len(down):
                out.append(f"Không lĩnh vực nào thay đổi đáng kể so với năm {prev}.")
            else:
                if len(up):
                    out.append(f"Có {len(up)} lĩnh vực tăng có ý nghĩa thống kê: "
                               f"{items(up)}.")
                if len(down):
                    out.append(f"Có {len(down)} lĩnh vực giảm có ý nghĩa thống kê: "
                               f"{items(down)}.")
                if same:
                    out.append("Ở lĩnh vực còn lại, chỉ số không thay đổi đáng kể." if same == 1
                               else f"Ở {same} lĩnh vực còn lại, chỉ số không thay đổi đáng "
                                    "kể.")
        else:
            if len(up) == total and total > 1:
                out.append(f"All {total} areas rose significantly: {items(up)}.")
            elif len(down) == total and total > 1:
                out.append(f"All {total} areas fell significantly: {items(down)}.")
            elif not len(up) and not len(down):
                out.append(f"No area changed significantly since {prev}.")
            else:
                if len(up):
                    out.append(f"Significant rises in {_plural(len(up), area, lang)}: "
                               f"{items(up)}.")
                if len(down):
                    out.append(f"Significant falls in {_plural(len(down), area, lang)}: "
                               f"{items(down)}.")
                if same:
                    out.append("In the other area there is no significant change." if same == 1
                               else f"In the other {_plural(same, area, lang)} there is no "
                                    "significant change.")
    missing = len(dims) - len(compared)
    if missing and len(compared):
        out.append(f"Không so sánh được {missing} lĩnh vực do có quá ít HTX trả lời." if vi
                   else f"Not comparable for lack of answers: {_plural(missing, area, lang)}.")
    return nfc(" ".join(out))


def _versus_city_counts(dims: pd.DataFrame, lang: str) -> str:
    """The dimensions above / similar to / below the city, counted, in one sentence."""
    if "vs_city" not in dims.columns:
        return ""
    d = _published(_dims_of(dims))
    flags = d["vs_city"].value_counts()
    a, s, b = (int(flags.get(k, 0)) for k in ("above", "similar", "below"))
    n = a + s + b
    if n == 0:
        return ""
    vi = lang == "vi"
    if n > 1 and a == n:
        return (f"Cả {n} lĩnh vực đều cao hơn toàn thành phố, vượt ngoài phạm vi sai số."
                if vi else f"All {n} areas are above the city's, beyond the margin of error.")
    if n > 1 and b == n:
        return (f"Cả {n} lĩnh vực đều thấp hơn toàn thành phố, vượt ngoài phạm vi sai số."
                if vi else f"All {n} areas are below the city's, beyond the margin of error.")
    if n > 1 and s == n:
        return (f"Ở cả {n} lĩnh vực, chênh lệch với toàn thành phố nằm trong phạm vi sai số."
                if vi else
                f"In all {n} areas the difference from the city is within the margin of "
                "error.")
    if vi:
        parts = [f"{w} ở {k}" for w, k in (("cao hơn", a), ("tương đương", s),
                                            ("thấp hơn", b)) if k]
        return f"Theo lĩnh vực so với toàn thành phố: {_join(parts, lang)} trong {n} lĩnh vực."
    parts = [f"{w} in {k}" for w, k in (("above", a), ("similar", s), ("below", b)) if k]
    return (f"By area, compared with the city: {_join(parts, lang)} of the "
            f"{_plural(n, 'area', lang)}.")


def key_findings(figures: UnitFigures, dims: pd.DataFrame | None = None,
                 trend=None, lang: str = "vi", spread: str = "") -> str:
    """The key findings at the top of a report (Markdown: a heading and a list).

    The headline (participation, index, % satisfied); its tier and interval; for a unit,
    where it stands against the city (interval-based) and its rank range; the strongest
    and weakest dimensions; for the city, the spread of the units (``spread``, from
    :func:`district_spread`); the change since the previous round when there is one
    (:func:`hailong.numbers.trend_cache.report_trend`): the overall index, "tăng/giảm X điểm ... (có ý nghĩa thống
    kê)" only when significant, and how many dimensions rose or fell. ``""`` when the
    unit's figures are withheld (the report then opens with :func:`summary`).

    Parameters
    ----------
    figures
        :func:`unit_figures` of the unit (or the city).
    dims
        ``Results.estimates(code, "dimension", lang)``.
    trend
        :func:`hailong.numbers.trend_cache.report_trend`, or ``None``.
    spread
        For the citywide report: the sentence on the range of the units' index.
    """
    fmt.check_lang(lang)
    f = figures
    if not f.published:
        return ""
    parts = dict(_precision_parts(f, lang))
    bullets = [summary(f, lang)]
    first = " ".join(p for k in ("tier", "interval") if (p := parts.get(k)))
    if first:
        bullets.append(first)
    if f.code != CITY:
        city = " ".join(p for k in ("vs_city", "rank") if (p := parts.get(k)))
        counts = _versus_city_counts(dims, lang) if dims is not None else ""
        if city or counts:
            bullets.append(" ".join(x for x in (city, counts) if x))
    elif spread:
        bullets.append(spread)
    if dims is not None and (sw := strongest_weakest(dims, lang)):
        bullets.append(sw)
    if trend is not None and (change := _index_change(trend, f.code, f.inline_name, lang)):
        last = _last_round(trend, f.code).set_index("measure")
        compared = not fmt.is_missing(last.loc[INDEX, "change"])
        counts = _change_counts(trend, f.code, lang) if compared else ""
        bullets.append(" ".join(x for x in (change, counts) if x))
    for k in ("weighted", "unreliable"):
        if k in parts:
            bullets.append(parts[k])
    body = "\n".join(f"- {b}" for b in bullets)
    return nfc(f"{heading('sec_findings', lang, level=3)}\n\n{body}")


def trend_notes(trend, code: str, measures: pd.DataFrame, name: str, lang: str = "vi",
                confidence: float | None = None) -> str:
    """How the rounds are compared (Markdown list): same questions, unweighted, the
    significance rule, and — marked "†" — approximate comparisons (units re-aggregated
    from earlier ones; a city whose territory changed)."""
    fmt.check_lang(lang)
    if trend is None:
        return ""
    vi = lang == "vi"
    level = fmt.level(confidence, lang)
    numbers = measures.set_index("measure")["number"]
    left = [str(numbers.get(i, i)) for i in trend.items_left_out]
    if vi:
        out = [("Để so sánh được, mọi năm được tính lại trên cùng các câu hỏi"
                + (f" (không tính câu {_join(left, lang)}, không hỏi ở mọi năm)" if left
                   else "")
                + " và không gia quyền, nên có thể chênh lệch nhỏ so với số liệu ở các phần "
                  "khác của báo cáo."),
               (f"Thay đổi được coi là có ý nghĩa thống kê khi khoảng tin cậy {level} của nó "
                "không chứa 0; phương sai của thay đổi bằng tổng phương sai của hai năm "
                "(cách tính thận trọng, vì phần lớn HTX trả lời cả hai năm).")]
    else:
        out = [("To be comparable, every round is computed again on the same questions"
                + (f" (leaving out question {_join(left, lang)}, not asked every round)"
                   if left else "")
                + " and unweighted, so figures may differ slightly from those elsewhere in "
                  "the report."),
               (f"A change counts as statistically significant when its {level} interval "
                "excludes 0; the variance of a change is the sum of both rounds' variances "
                "(a conservative rule, as most cooperatives answer both rounds).")]
    if trend.notes:
        out.append("Câu hỏi được đối chiếu giữa các phiên bản bảng hỏi theo bảng đối chiếu "
                   "(đổi số thứ tự, diễn đạt lại), không so sánh theo số thứ tự." if vi else
                   "Questions are matched between questionnaire versions through a mapping "
                   "(renumbered or reworded questions), never by their number.")
    rows = trend.unit(code)
    rows = rows[rows["kind"] != "item"]
    last = int(rows["round"].max())
    mark = fmt.APPROXIMATE
    if bool(rows.loc[rows["round"] < last, "approximate"].any()):
        if code == CITY:
            out.append(f"{mark} Gần đúng: địa giới toàn thành phố năm {last} khác các năm "
                       "trước (sau sắp xếp đơn vị hành chính), nên số liệu toàn thành phố các "
                       "năm trước chỉ so sánh được gần đúng." if vi else
                       f"{mark} Approximate: the city's territory in {last} differs from "
                       "earlier rounds' (reorganization of administrative units), so its "
                       "earlier figures compare only approximately.")
        else:
            out.append(f"{mark} Gần đúng: số liệu các năm trước của {name} là số liệu của "
                       "đơn vị cũ mà nay thuộc về đơn vị này (tính cả các HTX của đơn vị cũ), "
                       "nên chỉ so sánh được gần đúng." if vi else
                       f"{mark} Approximate: the earlier figures of {name} are those of the "
                       "former unit(s) it was formed from (all of their cooperatives), so "
                       "they compare only approximately.")
    city = trend.unit(CITY)
    if code != CITY and bool(city.loc[city["round"] < last, "approximate"].any()):
        out.append(f"{mark} Địa giới toàn thành phố năm {last} khác các năm trước (sau sắp "
                   "xếp đơn vị hành chính): số liệu toàn thành phố các năm trước (điểm rỗng "
                   "trên biểu đồ) chỉ so sánh được gần đúng." if vi else
                   f"{mark} The city's territory in {last} differs from earlier rounds' "
                   "(reorganization of administrative units): its earlier figures (hollow "
                   "points in the chart) compare only approximately.")
    return nfc("\n".join(f"- {x}" for x in out))


def trend_table_html(trend, code: str, measures: pd.DataFrame, lang: str = "vi",
                     min_n: int | None = None, meta: Mapping | None = None) -> str:
    """:func:`hailong.present.fmt.trend_frame` as an HTML table with its footnotes ("—", "†")."""
    fmt.check_lang(lang)
    conf = (meta or {}).get("confidence")
    return _trend_html(fmt.trend_frame(trend, code, measures, lang, conf), lang, min_n,
                       confidence=conf)


def trend_units_table_html(trend, names: Mapping[str, str], lang: str = "vi",
                           min_n: int | None = None, meta: Mapping | None = None) -> str:
    """:func:`hailong.present.fmt.trend_units_frame` (every unit's overall index per round and its
    change) as an HTML table with its footnotes."""
    fmt.check_lang(lang)
    conf = (meta or {}).get("confidence")
    return _trend_html(fmt.trend_units_frame(trend, names, lang, conf), lang, min_n,
                       units=True, confidence=conf)


def _trend_html(frame: pd.DataFrame, lang: str, min_n: int | None,
                units: bool = False, confidence: float | None = None) -> str:
    notes = []
    cells = frame.iloc[:, 1:].astype(str)
    if fmt.t("col_trend_reading", lang) in frame.columns:
        notes.append(fmt.t("trend_reading_note", lang, level=fmt.level(confidence, lang)))
    if min_n is not None and bool((cells == fmt.SUPPRESSED).to_numpy().any()):
        notes.append(fmt.t("suppressed_note", lang, min_n=min_n))
    if bool(cells.apply(lambda c: c.str.endswith(fmt.APPROXIMATE)).to_numpy().any()):
        notes.append(fmt.t("approximate_note", lang, why=(
            "xem ghi chú dưới bảng" if lang == "vi" else "see the notes below")))
    note = ". ".join(notes) + "." if notes else None
    reading = fmt.t("col_trend_reading", lang)
    # figures stay on one line; the reading ("≈ không đổi đáng kể") wraps, or it would
    # run past the page's right margin
    keep = [c for c in frame.columns[1:] if c != reading] + ([frame.columns[0]] if units
                                                               else [])
    return fmt.html_table(frame, numeric=[c for c in frame.columns[1:] if c != reading],
                          note=note, nowrap=keep)


def no_map_note(level: str, year: int, lang: str = "vi") -> str:
    """One line saying the round has no map (no boundaries for its units)."""
    return fmt.t("map_none", lang, unit_level=level, year=year)
