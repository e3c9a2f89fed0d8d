"""A unit's headline numbers: the title, the opening paragraph, the key-figures table.

:func:`unit_figures` reads a unit's :class:`UnitFigures` from the results; :func:`title`,
:func:`summary` (:func:`headline`, or :func:`too_few` when withheld), :func:`precision`
and :func:`key_figures` write them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from hailong.core.text import nfc
from hailong.numbers.scoring import INDEX, Results
from hailong.present import fmt
from hailong.present.narrative.base import _cap, _level_words
from hailong.reference.geography import CITY


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
    coops_satisfied: float = math.nan
    coops_satisfied_low: float = math.nan
    coops_satisfied_high: float = math.nan
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
            **{k: float(est[k]) for k in ("coops_satisfied", "coops_satisfied_low",
                                          "coops_satisfied_high") if k in est.index},
            tier=None if fmt.is_missing(est["tier"]) else str(est["tier"]),
            tier_label=("" if fmt.is_missing(est["tier"])
                        else fmt.tier_label(est["tier"], results.meta, lang,
                                            est.get("tier_low"), est.get("tier_high"))),
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
        coops_satisfied=(float(s.loc[INDEX, "coops_satisfied"])
                         if "coops_satisfied" in s.columns else math.nan),
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
    period = label or fmt.t("period_year", lang, year=figures.year)
    org = (results.meta.get("organisation") or {}).get(lang, "")
    sub = fmt.t("report_subtitle", lang) + (f" · {org}" if org else "")
    return nfc(f"# {fmt.t('report_title', lang, unit=figures.name, period=period)}\n\n*{sub}*")


def headline(unit_name: str, index: float, satisfied: float, n: int, roster_n: int,
             lang: str = "vi", year: int | None = None) -> str:
    """Participation, index and % satisfied of a unit in two sentences.

    Parameters
    ----------
    unit_name
        The unit as named inside a sentence (``fmt.unit_name(..., form="inline")``).
    index, satisfied
        The unit's satisfaction index (0–100) and the share (0–1) of its cooperatives
        satisfied (their own index at "Hài lòng" or above).
    n, roster_n
        Cooperatives that answered / on the roster.
    year
        The survey year, opening the paragraph ("Năm 2022, ...") when given.
    """
    fmt.check_lang(lang)
    share = f" ({fmt.percent(n / roster_n, 1, lang)})" if roster_n else ""
    text = fmt.t("headline", lang, n=fmt.count(n, lang), roster=fmt.count(roster_n, lang),
                 unit=unit_name, share=share, index=fmt.number(index, 1, lang),
                 satisfied=fmt.percent(satisfied, 1, lang))
    if year is not None:
        text = fmt.t("headline_in_year", lang, year=year, text=text)
    return nfc(_cap(text))


def too_few(unit_name: str, n: int, roster_n: int, meta: Mapping, lang: str = "vi",
            reason: str = "primary", unit_level: str | None = None) -> str:
    """Why a unit's report shows no figures (fewer than ``meta["min_n"]`` respondents).

    Parameters
    ----------
    unit_name
        The unit as named inside a sentence ("huyện Bạch Long Vĩ").
    n, roster_n
        Cooperatives that answered / on the roster.
    meta
        ``Results.meta``: its ``min_n`` (the fewest respondents behind a published
        figure) is quoted.
    reason
        ``"secondary"`` when enough answered but the figures are withheld to protect
        another unit's (secondary suppression).
    unit_level
        The round's reporting level (how the other unit is called; default district).
    """
    fmt.check_lang(lang)
    c = lambda k: fmt.count(k, lang)  # noqa: E731
    min_n = int(meta["min_n"])
    fields = dict(n=c(n), roster=c(roster_n), unit=unit_name, min_n=c(min_n))
    if reason == "secondary" and n >= min_n:
        return fmt.t("too_few_secondary", lang, unit_level=unit_level, **fields)
    if roster_n == 0:
        return fmt.t("too_few_no_roster", lang, **fields)
    if n == 0:
        return fmt.t("too_few_none", lang, **fields)
    privacy = fmt.t("too_few_privacy", lang, **fields)
    if n >= min_n:  # enough answered, but too few gave a scored answer
        return fmt.t("too_few_unscored", lang, privacy=privacy, **fields)
    if n == roster_n:
        first = fmt.t("too_few_all_one" if n == 1 else "too_few_all", lang, **fields)
    else:
        first = fmt.t("too_few_some", lang, **fields)
    return nfc(f"{first} {privacy}")


def summary(figures: UnitFigures, lang: str = "vi") -> str:
    """The opening paragraph: :func:`headline`, or :func:`too_few` when withheld."""
    f = figures
    if not f.published:
        return too_few(f.inline_name, f.answered, f.roster_n, {"min_n": f.min_n}, lang,
                       reason=f.withheld or "primary", unit_level=f.level)
    return headline(f.inline_name, f.index, f.coops_satisfied, f.answered, f.roster_n, lang,
                    f.year)


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
    level = fmt.level(f.confidence, lang)
    # every interval has a width (model-based variance, hailong.numbers.scoring.VARIANCE),
    # a census of the roster included
    out = [("interval", fmt.t(
        "precision_interval", lang, level=level,
        idx=fmt.interval(f.index_low, f.index_high, 1, lang),
        sat=fmt.interval(f.coops_satisfied_low, f.coops_satisfied_high, 1, lang,
                         percent_=True)))]
    if f.tier_label:
        out.append(("tier", fmt.t("precision_tier", lang, tier=f.tier_label)))
    if f.code != CITY and f.vs_city in ("above", "below", "similar"):
        out.append(("vs_city", fmt.t(f"precision_{f.vs_city}", lang,
                                     city=fmt.number(f.city_index, 1, lang))))
    if f.code != CITY and f.rank is not None and f.ranked > 1:
        key = "precision_rank" if f.rank_low == f.rank_high else "precision_rank_range"
        out.append(("rank", fmt.t(key, lang, unit_level=f.level, rank=f.rank,
                                  k=fmt.count(f.ranked, lang), low=f.rank_low,
                                  high=f.rank_high)))
    if f.weighted:
        out.append(("weighted", fmt.t("precision_weighted", lang)))
    if f.unreliable:
        out.append(("unreliable", fmt.t("precision_unreliable", lang)))
    return [(k, nfc(v)) for k, v in out]


def key_figures(unit: UnitFigures, city: UnitFigures | None = None, lang: str = "vi") -> str:
    """An HTML table of the headline numbers, with the city's beside them if given."""
    detail = not math.isnan(unit.index_low) or unit.tier is not None or (
        city is not None and not math.isnan(city.index_low))

    def column(f: UnitFigures) -> list[str]:
        pub = f.published
        cells = [f"{fmt.count(f.answered, lang)}/{fmt.count(f.roster_n, lang)}",
                 fmt.percent(f.coverage, 1, lang),
                 fmt.number(f.index if pub else None, 1, lang),
                 fmt.percent(f.coops_satisfied if pub else None, 1, lang),
                 fmt.percent(f.satisfied if pub else None, 1, lang),
                 fmt.number(f.overall_index, 1, lang),
                 fmt.percent(f.overall_satisfied, 1, lang)]
        if detail:
            cells[3:3] = [fmt.interval(f.index_low, f.index_high, 1, lang) if pub
                          else fmt.SUPPRESSED]
            cells[5:5] = [fmt.interval(f.coops_satisfied_low, f.coops_satisfied_high, 1, lang,
                                       percent_=True) if pub else fmt.SUPPRESSED]
            cells[7:7] = [f.tier_label if pub and f.tier_label else fmt.SUPPRESSED]
            if unit.code != CITY:
                cells.append(fmt.rank_range(f.rank, f.rank_low, f.rank_high, lang)
                             if pub and f.code != CITY else "")
        return cells

    keys = ["kf_answered", "kf_coverage", "kf_index", "kf_coops_satisfied", "kf_satisfied",
            "kf_overall", "kf_overall_satisfied"]
    if detail:
        keys = ["kf_answered", "kf_coverage", "kf_index", "kf_index_interval",
                "kf_coops_satisfied", "kf_satisfied_interval", "kf_satisfied", "kf_tier",
                "kf_overall", "kf_overall_satisfied"]
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
