"""The method appendix ("Phụ lục: Phương pháp", after the signature): scale and formulas,
statistics, reliability, data sources and the generator's version — the exact method
for specialists, kept out of the body, which speaks plainly ("khoảng sai số").

:func:`methodology` (every report) and :func:`methodology_details` (intervals, weighting,
tiers, ranks, Cronbach's alpha: :func:`reliability_table_html`), closed by
:func:`data_sources` (the input files and the code's version).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from hailong.core.text import nfc
from hailong.numbers.scoring import INDEX, Results
from hailong.present import fmt
from hailong.present.narrative.base import SIMILAR_POINTS, _join, _points
from hailong.reference.config import StatsSettings
from hailong.reference.geography import CITY


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
    labels = fmt.scale_labels(meta, lang)
    lo, hi = fmt.number(meta["scale_min"], 0, lang), fmt.number(meta["scale_max"], 0, lang)
    scale = ", ".join(f"{lb} = {v}" for v, lb in labels.items())
    sat = _join([f"“{labels[int(v)]}”" for v in meta["satisfied_values"]], lang, "or")
    level = fmt.level(meta.get("confidence"), lang)
    when = data_date if data_date is not None else meta.get("data_date")
    version = meta.get("codebook_version")
    lines = [
        fmt.t("method_scale", lang, k=len(labels), scale=scale),
        fmt.t("method_scores", lang),
        fmt.t("method_index", lang, lo=lo, hi=hi),
        fmt.t("method_satisfied", lang, sat=sat,
              first=f"“{labels[int(min(meta['satisfied_values']))]}”"),
        (fmt.t("method_vs_city_intervals", lang, level=level) if "confidence" in meta else
         fmt.t("method_vs_city_threshold", lang, thr=_points(threshold_points, lang))),
        fmt.t("method_privacy_secondary" if meta.get("secondary_suppression")
              else "method_privacy", lang, unit_level=meta.get("level"),
              min_n=fmt.count(meta["min_n"], lang),
              group_n=fmt.count(meta.get("group_n", StatsSettings.group_n), lang)),
    ]
    if when is not None:
        lines.append(fmt.t("method_data_date", lang, day=fmt.date(when, lang)))
    if version:
        lines.append(fmt.t("method_questionnaire", lang, version=version))
    if aside := set_aside(meta, lang):
        lines.append(aside)
    if sources := data_sources(meta, lang):
        lines.append(sources)
    return nfc("\n".join(f"- {x}" for x in lines))


def set_aside(meta: Mapping, lang: str = "vi") -> str:
    """How many survey rows and answers were set aside, in one sentence; "" if unknown.

    Parameters
    ----------
    meta
        ``Results.meta``; ``set_aside`` has ``rows_read``, ``rows_set_aside``,
        ``answers_read`` and ``answers_set_aside`` (answers ``None`` when not counted:
        :func:`hailong.ingest.store.set_aside_counts`).
    """
    fmt.check_lang(lang)
    counts = meta.get("set_aside") or {}
    if counts.get("rows_read") is None:
        return ""
    rows = {"rows": fmt.count(counts.get("rows_set_aside") or 0, lang),
            "rows_read": fmt.count(counts["rows_read"], lang)}
    if counts.get("answers_read") is None:
        return fmt.t("method_set_aside_rows", lang, **rows)
    return fmt.t("method_set_aside", lang, **rows,
                 answers=fmt.count(counts.get("answers_set_aside") or 0, lang),
                 answers_read=fmt.count(counts["answers_read"], lang))


#: Kinds of input file named by :func:`data_sources` (message ``input_<kind>``).
_INPUT_KINDS = ("roster", "responses")


def data_sources(meta: Mapping, lang: str = "vi") -> str:
    """The input files the results were computed from, in one sentence, and the code's
    version (:func:`hailong.core.provenance.code_label`: the git commit); "" if unknown.

    Parameters
    ----------
    meta
        ``Results.meta``; ``inputs`` lists ``name``, ``sha256`` (short), ``rows`` and
        ``kind`` of each file (see :func:`hailong.ingest.store.inputs_summary`).
    """
    from hailong.core.provenance import code_label
    from hailong.core.safetext import html_text, markdown_text

    fmt.check_lang(lang)
    parts = []
    for e in meta.get("inputs") or []:
        kind = (fmt.t(f"input_{e['kind']}", lang) if e.get("kind") in _INPUT_KINDS else "")
        rows = (fmt.t("input_rows", lang, n=fmt.count(e["rows"], lang)) + "; "
                if e.get("rows") is not None else "")
        parts.append(f"{kind + ' ' if kind else ''}{markdown_text(e['name'])} "
                     f"({rows}SHA-256 {e['sha256']})")
    if not parts:
        return ""
    # the code's version (git commit): marked, so that comparisons of figures can skip it
    code = f'<span class="provenance">{html_text(code_label())}</span>'
    return (fmt.t("input_files", lang, files="; ".join(parts)) + " "
            + fmt.t("code_version", lang, code=code))


def reliability_table_html(results: Results, lang: str = "vi") -> str:
    """The reliability of every dimension: its coefficient (Cronbach's alpha, or
    Spearman–Brown for two questions), interval and respondents — numbers without a
    verdict word (HTML table)."""
    fmt.check_lang(lang)
    r = results.reliability
    if r is None or r.empty:
        return ""
    labels = results.measures.set_index("measure")[lang]
    level = fmt.level(results.meta.get("confidence"), lang)
    how = r["coefficient"] if "coefficient" in r.columns else pd.Series("alpha", index=r.index)
    frame = pd.DataFrame({
        fmt.t("col_dimension", lang): [nfc(str(labels.get(m, m))) for m in r["measure"]],
        fmt.t("col_items", lang): [fmt.count(k, lang) for k in r["items"]],
        fmt.t("col_n", lang): [fmt.count(k, lang) for k in r["n"]],
        fmt.t("col_coefficient", lang): [fmt.t(f"coef_{c}", lang) for c in how],
        fmt.t("col_alpha", lang): [fmt.number(a, 2, lang) for a in r["alpha"]],
        fmt.t("col_interval", lang, level=level): [
            fmt.interval(lo, hi, 2, lang) for lo, hi in zip(r["low"], r["high"])],
    })
    return fmt.html_table(frame, numeric=[frame.columns[i] for i in (1, 2, 4, 5)])


def _alpha_sentence(results: Results, lang: str) -> str:
    r = results.reliability
    if r is None or r.empty or r["alpha"].isna().all():
        return ""
    lo, hi = r["alpha"].min(), r["alpha"].max()
    span = (fmt.number(lo, 2, lang) if fmt.number(lo, 2, lang) == fmt.number(hi, 2, lang)
            else fmt.t("range_to", lang, low=fmt.number(lo, 2, lang),
                       high=fmt.number(hi, 2, lang)))
    return fmt.t("alpha_note", lang, intro=fmt.t("alpha_intro", lang, span=span))


def methodology_details(results: Results, code: str, lang: str = "vi") -> str:
    """The statistical part of the method section (Markdown list), for any report.

    Number of respondents and coverage of the unit; intervals and the finite population
    correction; how to read intervals; the citywide weighting (raking to the roster's
    margins, the trimming rule, weighted and unweighted figures, Kish's design effect and
    effective n, the cell-collapsing rule); the comparison with the city
    and its approximation; tiers; rank ranges; Cronbach's alpha with a plain reading;
    the suppression rule (primary and secondary); the "*" flag; the open answers.
    """
    fmt.check_lang(lang)
    m = results.meta
    if "confidence" not in m:
        return ""
    one = results.unit(str(code).strip())
    code = str(one.units["unit"].iloc[0])
    cov = one.coverage.iloc[0]
    c = lambda k: fmt.count(k, lang)  # noqa: E731
    level = fmt.level(m.get("confidence"), lang)

    def t(key: str, **kw: object) -> str:  # the round's units named as in its level
        return fmt.t(key, lang, unit_level=m.get("level"), **kw)

    n_index = int(one.scores.loc[one.scores["measure"] == INDEX, "n"].iloc[0])
    lines = [
        t("details_respondents", answered=c(cov["answered"]), roster=c(cov["roster_n"]),
          unit=fmt.unit_name(one, code, lang, form="inline"),
          share=fmt.percent(cov["share"], 1, lang), n_index=c(n_index)),
        t("details_intervals", level=level),
        t("details_reading_intervals"),
    ]
    w = m.get("weighting")
    wt = results.weighted.set_index("measure") if len(results.weighted) else None
    city = results.scores[(results.scores["unit"] == CITY)].set_index("measure")
    if w and wt is not None and not bool(wt.loc[INDEX, "suppressed"]):
        trim = w.get("trimming") or {}
        names = [t(f"weighting_margin_{x['name']}") for x in w.get("margins", [])
                 if x["name"] in ("member", "size_class")]
        lines.append(t(
            "details_weighting", min_cell=c(w["min_cell"]), cells=c(w["cells"]),
            margins=t("weighting_also", names=t("weighting_and").join(names)) if names else "",
            factor=fmt.number(trim.get("factor"), 1, lang), trimmed=c(trim.get("trimmed")),
            w_min=fmt.number(w["weight_min"], 2, lang),
            w_max=fmt.number(w["weight_max"], 2, lang),
            index_w=fmt.number(wt.loc[INDEX, "index"], 1, lang),
            index_u=fmt.number(city.loc[INDEX, "index"], 1, lang),
            sat_w=fmt.percent(wt.loc[INDEX, "satisfied"], 1, lang),
            sat_u=fmt.percent(city.loc[INDEX, "satisfied"], 1, lang),
            n_eff=fmt.number(w["n_eff"], 0, lang), respondents=c(w["respondents"]),
            deff=fmt.number(w["design_effect"], 2, lang)))
    lines.append(t("details_difference"))
    tiers = m.get("tiers") or []
    if tiers:
        parts, upper = [], None
        for tier in sorted(tiers, key=lambda x: -x["lower"]):
            lo = fmt.number(tier["lower"], 0, lang)
            label = nfc(str(tier[lang]))
            if upper is None:
                parts.append(f"{label} ≥ {lo}")
            elif tier["lower"] <= 0:
                parts.append(f"{label} < {fmt.number(upper, 0, lang)}")
            else:
                parts.append(f"{label} {lo}–<{fmt.number(upper, 0, lang)}")
            upper = tier["lower"]
        lines.append(t("details_tiers", tiers="; ".join(parts)))
    lines.append(t("details_ranks", level=level))
    if alpha := _alpha_sentence(results, lang):
        lines.append(alpha)
    star = "\\" + fmt.UNRELIABLE  # escaped: "*" would start emphasis in Markdown
    lines.append(t("details_unreliable", star=star,
                   rse=fmt.percent(m.get("rse_threshold"), 0, lang)))
    if len(results.themes):
        lines.append(t("details_open_questions", min_n=c(m["min_n"])))
    return nfc("\n".join(f"- {x}" for x in lines))
