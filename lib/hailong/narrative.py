"""The sentences of the reports, written from the numbers (Vietnamese; English via ``lang``).

Each function returns Markdown. Numbers are formatted with :mod:`hailong.fmt` and
compared as the reader sees them (rounded to one decimal), so the text never contradicts
the tables. A withheld figure is never described.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from . import fmt
from .codebook import nfc
from .scoring import INDEX, Results

#: Differences from the city smaller than this many index points are called "similar"
#: ("tương đương"). A documented reporting convention, not a statistical test: it is
#: quoted in every methodology section and will give way to intervals when they exist.
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


def heading(key: str, lang: str = "vi", level: int = 2) -> str:
    """A Markdown heading from the phrase catalogue: ``"## Phương pháp tính"``."""
    return f"{'#' * level} {fmt.t(key, lang)}"


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


def too_few(unit_name: str, n: int, roster_n: int, min_n: int, lang: str = "vi") -> str:
    """Why a unit's report shows no figures (fewer than ``min_n`` respondents).

    Parameters
    ----------
    unit_name
        The unit as named inside a sentence ("huyện Bạch Long Vĩ").
    n, roster_n
        Cooperatives that answered / on the roster.
    min_n
        The smallest number of respondents behind a published figure.
    """
    fmt.check_lang(lang)
    vi = lang == "vi"
    c = lambda k: fmt.count(k, lang)  # noqa: E731
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

    A dimension is "higher" ("lower") when the unit's index, rounded as shown, exceeds
    (falls short of) the city's by at least ``threshold_points``; otherwise "similar".
    This is a reporting convention (:data:`SIMILAR_POINTS`), not a significance test.

    Parameters
    ----------
    dim_table_unit, dim_table_city
        ``Results.dimension_table`` of the unit and of ``"city"``.
    """
    fmt.check_lang(lang)
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


def _dims_of(dim_table: pd.DataFrame) -> pd.DataFrame:
    return dim_table[dim_table["kind"] == "dimension"] if "kind" in dim_table else dim_table


def district_spread(index_rows: pd.DataFrame, names: Mapping[str, str], min_n: int,
                    lang: str = "vi") -> str:
    """The range of the districts' index and which districts are withheld.

    Parameters
    ----------
    index_rows
        ``Results.scores`` (rows with ``measure == "INDEX"`` are used).
    names
        ``{code: short name}`` of the districts.
    """
    fmt.check_lang(lang)
    vi = lang == "vi"
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
        out.append(f"Chỉ số hài lòng chung của các quận, huyện dao động từ "
                   f"{fmt.number(lo, 1, lang)} ({bottom}) đến {fmt.number(hi, 1, lang)} "
                   f"({top})." if vi else
                   f"The districts' satisfaction index ranges from {fmt.number(lo, 1, lang)} "
                   f"({bottom}) to {fmt.number(hi, 1, lang)} ({top}).")
    if len(withheld):
        listed = _join(list(withheld["name"]), lang)
        out.append(f"Không công bố chỉ số của {listed} vì có dưới {fmt.count(min_n, lang)} "
                   f"HTX trả lời." if vi else
                   f"No index is published for {listed}: fewer than "
                   f"{fmt.count(min_n, lang)} cooperatives answered.")
    return nfc(" ".join(out))


# ------------------------------------------------------------------ from the Results


@dataclass(frozen=True)
class UnitFigures:
    """The headline numbers of one unit, read from :class:`~hailong.scoring.Results`.

    ``published`` is False when the satisfaction index is withheld (fewer than ``min_n``
    respondents): the report then shows :func:`too_few` instead of figures.
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
    return UnitFigures(
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
    )


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
        return too_few(f.inline_name, f.answered, f.roster_n, f.min_n, lang)
    return headline(f.inline_name, f.index, f.satisfied, f.answered, f.roster_n, lang, f.year)


def key_figures(unit: UnitFigures, city: UnitFigures | None = None, lang: str = "vi") -> str:
    """An HTML table of the headline numbers, with the city's beside them if given."""
    def column(f: UnitFigures) -> list[str]:
        pub = f.published
        return [f"{fmt.count(f.answered, lang)}/{fmt.count(f.roster_n, lang)}",
                fmt.percent(f.coverage, 1, lang),
                fmt.number(f.index if pub else None, 1, lang),
                fmt.percent(f.satisfied if pub else None, 1, lang),
                fmt.number(f.overall_index, 1, lang),
                fmt.percent(f.overall_satisfied, 1, lang)]

    keys = ["kf_answered", "kf_coverage", "kf_index", "kf_satisfied", "kf_overall",
            "kf_overall_satisfied"]
    frame = pd.DataFrame({fmt.t("col_figure", lang):
                          [fmt.t(k, lang, number=unit.overall_number) for k in keys],
                          unit.name: column(unit)})
    numeric = [unit.name]
    if city is not None and city.code != unit.code:
        frame[fmt.t("col_city", lang)] = column(city)
        numeric.append(fmt.t("col_city", lang))
    return fmt.html_table(frame, numeric=numeric)


# ----------------------------------------------------------------------- methodology


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
            f"**So sánh với toàn thành phố:** chênh lệch dưới {thr} điểm được coi là tương "
            "đương. Ngưỡng này là quy ước của báo cáo, chưa tính đến sai số thống kê.",
            f"**Bảo vệ bí mật:** không công bố số liệu nào dựa trên dưới {min_n} HTX trả "
            f"lời; ô không công bố ghi “{fmt.SUPPRESSED}”.",
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
            f"**Comparison with the city:** differences under {thr} points are called "
            "similar. This threshold is a reporting convention; it does not yet account for "
            "statistical uncertainty.",
            f"**Confidentiality:** no figure based on fewer than {min_n} cooperatives is "
            f"published; withheld cells show “{fmt.SUPPRESSED}”.",
        ]
        if when is not None:
            lines.append(f"**Data** as of {fmt.date(when, lang)}.")
        if version:
            lines.append(f"**Questionnaire:** version {version}.")
    return nfc("\n".join(f"- {x}" for x in lines))
