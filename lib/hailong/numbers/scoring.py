"""Scores of the survey for every reporting unit and the city, in one vectorized pass.

:func:`compute_results` turns the canonical ``responses`` and ``roster`` frames (see
``docs/design.md``) into :class:`Results`: respondent scores, aggregates per unit and
for the whole city, answer distributions and coverage. All aggregates come from
``groupby`` over long frames in which the city is one more group (every answer is
counted once under its own unit and once under ``"city"``).

Formulas (quoted by the reports' methodology section)
-----------------------------------------------------
Let ``x[r, i]`` be respondent ``r``'s answer to item ``i`` on the scale ``min..max``
(no opinion, blank and "not asked" are missing, never a score).

- Dimension score of a respondent: ``D[r, d] = mean of x[r, i] over the answered items i
  of dimension d`` (missing when none is answered).
- Satisfaction index of a respondent: ``INDEX[r] = mean of D[r, d] over the dimensions
  d with a score`` (equal weights; the overall item is not part of it).
- For a unit and a measure (item, dimension, ``INDEX`` or ``OVERALL``):
  ``n`` = respondents of the unit with a value; ``mean`` = mean of those values;
  ``index = (mean - min) / (max - min) * 100`` (0 = everyone at the bottom of the scale,
  100 = everyone at the top); ``satisfied`` = share (0–1) of answers whose value is in
  the scale's satisfied set, pooled over all item answers of the dimension (for a
  dimension) or of all dimensions (for ``INDEX``).
- Disclosure control: when ``n < min_n`` the mean, index, satisfied share and the
  answer distribution are withheld (NaN); ``n`` itself is kept.
- Coverage: ``share = answered / roster_n`` (accepted responses over cooperatives of
  the roster in the unit).

With a :class:`~hailong.reference.config.StatsSettings` (the pipeline always passes one) every
figure is also qualified (formulas in :mod:`hailong.numbers.stats`), with one variance
convention (:data:`VARIANCE`: model-based, no finite population correction):

- Intervals per unit and measure: t interval of the mean (shown on the 0–100 scale),
  Wilson interval of the satisfied share (for a dimension or the index, where a
  respondent gives several answers, Wilson on the effective number of answers from the
  ratio estimator's variance, the respondent being the sampled unit). ``rse`` = standard
  error / estimate; ``unreliable`` when either figure's rse exceeds the threshold.
- Citywide weighted figures (table ``weighted``): raking (:func:`_calibrate`) to the
  roster's cells unit × ``weight_cells`` (collapsed by
  :func:`hailong.numbers.stats.poststratify`'s rule), Alliance membership and size class
  (:data:`RAKE_BY`), weights trimmed at 3.5 × the median and re-raked; weighted means and
  shares with standard errors linearized and stratified by the cells, Kish's design effect
  and effective n. The unweighted city figures stay in ``scores``; the non-response table
  (``nonresponse``) sets respondents against the roster where coverage is under 80%.
- Tier of every published index and of its interval's ends; ``vs_city`` from the
  difference of each unit from the rest of the city
  (:func:`hailong.numbers.stats.compare_with_rest`), its p-value adjusted over the round's
  table (:data:`ADJUST`); joint rank ranges (:func:`hailong.numbers.stats.rank_ranges`).
- Secondary suppression (``secondary_suppression``): the units × measures table of
  respondent counts is protected with the city as its total row
  (:func:`hailong.numbers.stats.suppress_table`): first on the index, and a unit withheld there
  is withheld in every measure (its index is nearly the mean of its dimensions, so
  partial figures would let a reader rebuild it); then measure by measure. Withheld
  rows have ``suppression`` ``"primary"`` (fewer than ``min_n``), ``"group"`` (fewer than
  ``group_n`` who all gave the same answer) or ``"secondary"``.
- Reliability per dimension (table ``reliability``) over all respondents: Spearman–Brown
  for two items, Cronbach's alpha (pairwise covariances) for more; intervals on the
  respondents who answered every item.
- Open answers (with a :class:`~hailong.numbers.themes.ThemeBook`): theme counts per unit
  (table ``themes``, withheld below ``min_n``) and redacted example quotes (``quotes``)
  from units whose figures are published.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hailong.core.catalogue import either
from hailong.core.errors import InputError, ParameterError
from hailong.numbers import disclosure
from hailong.numbers import stats as st
from hailong.numbers.results import (  # noqa: F401 - the results' names, also from here
    CELL_COLUMNS,
    INDEX,
    INDEX_LABEL,
    LEVEL_COLUMNS,
    NONRESPONSE_BELOW,
    NONRESPONSE_COLUMNS,
    RELIABILITY_COLUMNS,
    RESPONDENT_FIELDS,
    SCORE_DETAIL,
    TABLES,
    WEIGHTED_COLUMNS,
    Results,
    empty_table,
    jsonable,
)
from hailong.numbers.themes import ThemeBook, example_quotes, shared_redactor, theme_counts
from hailong.reference.codebook import Codebook
from hailong.reference.config import StatsSettings
from hailong.reference.geography import CITY, Units


def compute_results(
    responses: pd.DataFrame,
    roster: pd.DataFrame,
    codebook: Codebook,
    units: Units,
    level: str = "district",
    min_n: int = 5,
    meta: dict | None = None,
    stats: StatsSettings | None = None,
    themes: ThemeBook | None = None,
) -> Results:
    """Compute every table of :class:`Results` for all units of ``level`` and the city.

    Parameters
    ----------
    responses, roster
        Canonical frames (``docs/design.md``); item columns are floats, NaN = no answer.
    codebook
        The questionnaire: dimensions, items, overall item, answer scale.
    units
        The administrative units; every unit of ``level`` is reported, even without
        respondents, plus ``"city"`` (all respondents, all of the roster).
    level
        ``"district"`` (unit = ``district_code``) or ``"commune"`` (``commune_code``).
    min_n
        Figures resting on fewer respondents than this are withheld.
    meta
        Extra facts to keep with the results (round, input hashes, built_at ...).
    stats
        Confidence level, RSE threshold, tiers, post-strata, rank simulation and
        whether to apply secondary suppression (``data/hailong.yaml`` ``statistics:``).
        Without it the defaults of :class:`~hailong.reference.config.StatsSettings` apply, except
        that only primary suppression is done.
    themes
        The open answers' theme dictionary; without it ``themes`` and ``quotes`` are
        empty.

    Returns
    -------
    Results

    Raises
    ------
    InputError
        If a frame lacks a column or an answer is not a value of the scale.
    ParameterError
        If ``level`` or ``min_n`` is not valid.

    Notes
    -----
    Respondent ``r``, item answers ``x[r, i]`` (missing = no opinion / not asked):
    ``D[r, d] = mean_i x[r, i]`` over answered items of dimension ``d``;
    ``INDEX[r] = mean_d D[r, d]`` over dimensions with a score (equal weights);
    ``OVERALL[r]`` = the overall item. Per unit and measure: ``n`` = respondents with a
    value, ``mean`` = their mean, ``index = (mean - min) / (max - min) * 100``,
    ``satisfied`` = answers in the satisfied set / answers (pooled over items for
    dimensions and INDEX), ``suppressed = n < min_n`` (then mean, index, satisfied and
    the distribution are NaN). Coverage ``share = answered / roster_n``. Intervals,
    weights, tiers, comparisons, ranks, secondary suppression, reliability and themes:
    see the module docstring.
    """
    unit_col = _level_column(level)
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or min_n < 0:
        raise ParameterError("err.min_n_whole_number", found=min_n, expected="exp.integer_0")
    measures = _measures(codebook)
    item_ids = [it.id for it in codebook.scored_items]
    _require(responses, ("coop_id", unit_col, *RESPONDENT_FIELDS[1:], *item_ids), "responses")
    _require(roster, (unit_col,), "roster")
    unit_table = _units_table(units, level)
    codes = list(unit_table["unit"])

    resp = responses.reset_index(drop=True)
    resp_units = unit_codes(resp[unit_col])
    answers = _answers_long(resp, resp_units, codebook)
    settings = stats if stats is not None else StatsSettings(secondary_suppression=False)
    respondents = _respondents(resp, resp_units, answers, codebook, settings.min_index_share)
    # the long tables several stages read, made once
    values = _values_long(resp, respondents, codebook)
    pooled = _pooled(answers)
    scores = _scores(values, pooled, measures, codes, codebook, min_n)
    coverage = _coverage(unit_codes(roster[unit_col]), resp_units, codes, min_n)
    outside = int((~resp_units.isin([c for c in codes if c != CITY])).sum())
    scores = _intervals(scores, values, pooled, codebook, settings)
    if settings.secondary_suppression:
        spans = _spans(pooled, scores)
        scores = _secondary(_same_answer(scores, spans, settings.group_n), codes, min_n,
                            spans, settings.group_n)
    distribution = _distribution(pooled, scores, measures, codes, codebook, min_n)
    distribution.loc[distribution.merge(scores[["unit", "measure", "suppressed"]],
                                        on=["unit", "measure"], how="left")["suppressed"]
                     .fillna(False).to_numpy(dtype=bool), ["count", "share"]] = np.nan
    strata = _poststrata(resp, resp_units, roster, unit_col, settings)
    raking = _calibrate(resp, roster, strata, settings)
    weighted = _weighted(resp, respondents, answers, strata, raking, scores, measures,
                         codebook, settings)
    rest = _rest(resp, respondents, strata, raking, measures, codebook)
    scores = _qualify(scores, rest, settings)
    reliability = _reliability(resp, codebook, settings)
    themes_t, quotes = _open_answers(resp, resp_units, roster, codebook, themes, scores,
                                     codes, min_n, settings)
    info = {
        **(meta or {}),
        "codebook_version": codebook.version,
        "level": level,
        "min_n": int(min_n),
        "scale_min": codebook.scale.min,
        "scale_max": codebook.scale.max,
        "satisfied_values": sorted(codebook.scale.satisfied),
        "scale_labels": [{"value": v, **lb} for v, lb in codebook.scale.labels.items()],
        "respondents_outside_units": outside,
        **_stats_meta(settings, strata, raking, weighted, themes, codebook),
    }
    return Results(
        respondents=respondents,
        scores=scores,
        distribution=distribution,
        coverage=coverage,
        units=unit_table,
        measures=measures,
        meta=jsonable(info),
        weighted=weighted,
        reliability=reliability,
        cells=_cells_table(strata),
        nonresponse=_nonresponse(resp, resp_units, roster, unit_col, coverage, scores),
        themes=themes_t,
        quotes=quotes,
    )


def unit_codes(values: pd.Series) -> pd.Series:
    """Unit codes as strings (``303``, ``303.0`` and ``" 303 "`` -> ``"303"``; blank -> NaN)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        values = values.astype("Int64")
    s = values.astype("str").str.strip()
    return s.where(values.notna() & (s != ""), np.nan).astype("str")


def _level_column(level: str) -> str:
    if level not in LEVEL_COLUMNS:
        raise ParameterError("err.unknown_reporting_level", found=level,
                             expected=either(LEVEL_COLUMNS),
                             hint="hint.set_unit_level_round")
    return LEVEL_COLUMNS[level]


def _require(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError("err.table_lacks_columns", found=missing,
                         expected="exp.canonical_columns_docs_design",
                         hint="hint.read_data_through_hailong", what=what)


def _by_unit_and_city(frame: pd.DataFrame, by: list[str], column: str, how):
    """``frame[column]`` aggregated (``how``: a function name, or a list of them for a
    DataFrame) by ``unit`` and ``by``, and by ``by`` alone for the city: what
    :func:`_with_city` then a groupby gives, without copying the long frame."""
    units = frame.groupby(["unit", *by])[column].agg(how)
    city = frame.groupby(by)[column].agg(how)
    city.index = pd.MultiIndex.from_frame(city.index.to_frame(index=False)
                                          .assign(unit=CITY)[["unit", *by]])
    return pd.concat([units, city])


def _with_city(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` twice: as is, and with every row's unit set to ``"city"``."""
    return pd.concat([frame, frame.assign(unit=CITY)], ignore_index=True)


def _measures(codebook: Codebook) -> pd.DataFrame:
    """Labels of every measure: dimensions each followed by its items, OVERALL, INDEX."""
    rows = []
    for d in codebook.dimensions:
        rows.append(("dimension", d.id, d.id, None, d.vi, d.en))
        rows += [("item", i.id, d.id, i.number, i.vi, i.en) for i in d.items]
    o = codebook.overall
    rows.append(("overall", o.id, None, o.number, o.vi, o.en))
    rows.append(("index", INDEX, None, None, INDEX_LABEL["vi"], INDEX_LABEL["en"]))
    t = pd.DataFrame(rows, columns=["kind", "measure", "dimension", "number", "vi", "en"])
    t.insert(3, "order", np.arange(len(t), dtype="int64"))
    t = t[["measure", "kind", "dimension", "order", "number", "vi", "en"]]
    return t.astype({c: "str" for c in ("measure", "kind", "dimension", "number", "vi", "en")})


def _units_table(units: Units, level: str) -> pd.DataFrame:
    """The units of ``level`` in code order, then the city (named after the province)."""
    t = units.of_level(level)
    if t.empty:
        raise ParameterError("err.unit_table_unit_level", file=units.path,
                             hint="hint.check_units_unit_level", level=level)
    province = units.province
    city = pd.DataFrame({"code": [CITY], "level": [province["level"]],
                         "name": [province["name"]], "full_name": [province["full_name"]]})
    t = pd.concat([t[["code", "level", "name", "full_name"]], city], ignore_index=True)
    return t.rename(columns={"code": "unit"}).astype("str")


def _answers_long(resp: pd.DataFrame, resp_units: pd.Series, codebook: Codebook) -> pd.DataFrame:
    """One row per answered scored item: ``row, unit, measure, dimension, value``.

    Raises
    ------
    InputError
        If an answer is not a value of the scale.
    """
    dim_of = {it.id: it.dimension for it in codebook.items}
    ids = [it.id for it in codebook.scored_items]
    wide = resp[ids].apply(pd.to_numeric, errors="coerce").astype("float64")
    wide = wide.assign(row=np.arange(len(resp)), unit=resp_units.to_numpy())
    long = wide.melt(id_vars=["row", "unit"], var_name="measure", value_name="value")
    long = long.dropna(subset=["value"]).reset_index(drop=True)
    long["dimension"] = long["measure"].map(dim_of).astype("str")
    bad = ~long["value"].isin(list(codebook.scale.labels))
    if bad.any():
        first = long[bad].iloc[0]
        where = resp.iloc[int(first["row"])]
        raise InputError("err.answer_value_answer_scale", file=where.get("source_file"),
                         row=_int_or_none(where.get("source_row")),
                         column=first["measure"], found=first["value"],
                         expected=", ".join(str(v) for v in codebook.scale.labels),
                         hint="hint.answers_converted_from_labels")
    return long


def _int_or_none(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _respondents(resp: pd.DataFrame, resp_units: pd.Series, answers: pd.DataFrame,
                 codebook: Codebook, min_share: float) -> pd.DataFrame:
    """Respondent table: dimension scores (mean of answered items), INDEX (of a cooperative
    that rated at least ``min_share`` of the areas it was asked), OVERALL."""
    dim_ids = [d.id for d in codebook.dimensions]
    in_dims = answers[answers["dimension"].notna()]
    dims = (in_dims.groupby(["row", "dimension"])["value"].mean().unstack("dimension")
            .reindex(index=range(len(resp)), columns=dim_ids).astype("float64"))
    out = resp[list(RESPONDENT_FIELDS)].copy()
    out.insert(1, "unit", resp_units.to_numpy())
    out[dim_ids] = dims.to_numpy()
    # a cooperative's own index needs answers in at least min_share of the areas it
    # was asked about (its variant's); with fewer it says too little about it
    asked = pd.DataFrame({d.id: resp["variant"].astype(str).isin(
        {v for it in d.items for v in it.variants}).to_numpy() if "variant" in resp.columns
        else np.ones(len(resp), dtype=bool) for d in codebook.dimensions})
    rated = dims.notna().to_numpy().sum(axis=1)
    enough = rated >= np.ceil(min_share * np.maximum(asked.to_numpy().sum(axis=1), 1) - 1e-9)
    out[INDEX] = np.where(enough & (rated > 0), dims.mean(axis=1).to_numpy(), np.nan)
    out[codebook.overall.id] = pd.to_numeric(resp[codebook.overall.id]).astype("float64")
    out.columns.name = None
    return out


def _pooled(answers: pd.DataFrame) -> pd.DataFrame:
    """Answers under their item, again under their dimension, again under INDEX."""
    in_dims = answers[answers["dimension"].notna()]
    return pd.concat([answers, in_dims.assign(measure=in_dims["dimension"]),
                      in_dims.assign(measure=INDEX)], ignore_index=True)


def _scores(values: pd.DataFrame, pooled: pd.DataFrame, measures: pd.DataFrame,
            codes: list[str], codebook: Codebook, min_n: int) -> pd.DataFrame:
    """Unit × measure: n, mean, index, satisfied (pooled), suppressed.

    ``values``: :func:`_values_long`; ``pooled``: :func:`_pooled`.
    """
    grid = pd.MultiIndex.from_product([codes, measures["measure"]], names=["unit", "measure"])
    stats = (_by_unit_and_city(values, ["measure"], "value", ["count", "mean"])
             .rename(columns={"count": "n"}).reindex(grid))
    sat = pooled.assign(value=pooled["value"].isin(codebook.scale.satisfied)
                        .astype("float64"))
    stats["satisfied"] = _by_unit_and_city(sat, ["measure"], "value", "mean").reindex(grid)
    t = stats.reset_index()
    t["n"] = t["n"].fillna(0).astype("int64")
    lo, hi = codebook.scale.min, codebook.scale.max
    t["index"] = (t["mean"] - lo) / (hi - lo) * 100
    t["suppressed"] = t["n"] < min_n
    t.loc[t["suppressed"], ["mean", "index", "satisfied"]] = np.nan
    t = t.merge(measures[["measure", "kind", "dimension"]], on="measure", how="left")
    cols = ["unit", "kind", "measure", "dimension", "n", "mean", "index", "satisfied",
            "suppressed"]
    return t[cols]


def _values_long(resp: pd.DataFrame, respondents: pd.DataFrame,
                 codebook: Codebook) -> pd.DataFrame:
    """Every respondent value of every measure: ``row, unit, measure, value`` (no NaN)."""
    item_ids = [it.id for it in codebook.items]
    values = respondents.drop(columns=["coop_id", "sector", "variant", "member"])
    values[item_ids] = resp[item_ids].apply(pd.to_numeric).astype("float64").to_numpy()
    values.insert(0, "row", np.arange(len(values)))
    long = values.melt(id_vars=["row", "unit"], var_name="measure", value_name="value")
    return long.dropna(subset=["value"]).reset_index(drop=True)


def _distribution(pooled: pd.DataFrame, scores: pd.DataFrame, measures: pd.DataFrame,
                  codes: list[str], codebook: Codebook, min_n: int) -> pd.DataFrame:
    """Unit × item or dimension × scale value: count and share of answers (pooled;
    ``pooled`` = :func:`_pooled`)."""
    shown = measures.loc[measures["kind"].isin(["dimension", "item", "overall"]), "measure"]
    values = list(codebook.scale.labels)
    grid = pd.MultiIndex.from_product([codes, shown, values], names=["unit", "measure", "value"])
    counts = (_by_unit_and_city(pooled.assign(value=pooled["value"].astype("int64")),
                                ["measure", "value"], "value", "size")
              .reindex(grid, fill_value=0).astype("float64"))
    answered = counts.groupby(level=["unit", "measure"]).transform("sum")
    t = pd.DataFrame({"count": counts, "share": counts / answered}).reset_index()
    t = t.merge(scores[["unit", "measure", "n"]], on=["unit", "measure"], how="left")
    t.loc[t["n"] < min_n, ["count", "share"]] = np.nan
    t = t.drop(columns="n")
    return t.astype({"unit": "str", "measure": "str", "value": "int64"})


def _coverage(roster_units: pd.Series, resp_units: pd.Series, codes: list[str],
              min_n: int) -> pd.DataFrame:
    """Unit: cooperatives in the roster, accepted responses, their ratio."""
    def count(units: pd.Series) -> pd.Series:
        frame = _with_city(pd.DataFrame({"unit": units.to_numpy()}))
        return frame.groupby("unit").size().reindex(codes, fill_value=0).astype("int64")

    t = pd.DataFrame({"roster_n": count(roster_units), "answered": count(resp_units)})
    t["share"] = t["answered"] / t["roster_n"].where(t["roster_n"] > 0)
    t["suppressed"] = t["answered"] < min_n
    return t.rename_axis("unit").reset_index().astype({"unit": "str"})


def to_index(x, scale_min: float, scale_max: float):
    """A mean on the answer scale as the 0–100 index: ``(x - min) / (max - min) * 100``.

    >>> float(to_index(4.0, 1, 5))
    75.0
    """
    return (np.asarray(x, dtype="float64") - scale_min) / (scale_max - scale_min) * 100


def _to_index(x, codebook: Codebook):
    """A value on the 0–100 scale of ``codebook``'s answer scale."""
    return to_index(x, codebook.scale.min, codebook.scale.max)


def _per_respondent_satisfied(pooled: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per respondent (``row``) and measure: satisfied answers ``s`` and answers ``a``
    (pooled over items for dimensions and INDEX: ``pooled`` = :func:`_pooled`), with
    ``unit``."""
    pooled = pooled.assign(s=pooled["value"].isin(codebook.scale.satisfied).astype("float64"))
    return (pooled.groupby(["unit", "measure", "row"])["s"].agg(s="sum", a="size")
            .reset_index().astype({"a": "float64"}))


def _intervals(scores: pd.DataFrame, values: pd.DataFrame, pooled: pd.DataFrame,
               codebook: Codebook, settings: StatsSettings) -> pd.DataFrame:
    """Add standard errors, intervals, RSE and the unreliable flag to ``scores``.

    Model-based variance (no finite population correction, :data:`VARIANCE`): the
    figures describe how a unit's authorities support cooperatives, of which the roster
    is one draw, so no interval shrinks to nothing when every cooperative answered.
    ``values``: :func:`_values_long`; ``pooled``: :func:`_pooled`.
    """
    conf = settings.confidence
    z = st.z_value(conf)
    span = codebook.scale.max - codebook.scale.min
    key = ["unit", "measure"]
    # means: t interval
    g = _by_unit_and_city(values, ["measure"], "value", ["std"]).rename(columns={"std": "sd"})
    t = scores.merge(g.reset_index(), on=key, how="left")
    n = t["n"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        # all answers alike (s = 0): s is taken as if one answer were a step away,
        # 1/√n, so that no interval has zero width
        sd = t["sd"].to_numpy()
        sd = np.where(sd == 0, 1 / np.sqrt(n), sd)
        se_mean = sd / np.sqrt(n)
    se_mean = np.where(n > 0, se_mean, np.nan)
    low, high = st.t_bounds(t["mean"], se_mean, n - 1, conf)
    t["se"] = se_mean / span * 100
    t["low"], t["high"] = _to_index(low, codebook), _to_index(high, codebook)
    # satisfied: Wilson for one answer per respondent; for pooled
    # answers Wilson on the effective n from the ratio estimator's variance
    per = _per_respondent_satisfied(pooled, codebook)
    parts = []
    for by, unit in ((key, None), (["measure"], CITY)):  # each unit, then the city
        grouped = per.groupby(by)
        ratio = grouped["s"].transform("sum") / grouped["a"].transform("sum")
        dev2 = (per["s"] - ratio * per["a"]) ** 2
        part = grouped.agg(m=("a", "size"), S=("s", "sum"), A=("a", "sum"))
        part["ss"] = dev2.groupby([per[c] for c in by]).sum()
        part = part.reset_index()
        parts.append(part if unit is None else part.assign(unit=unit))
    t = t.merge(pd.concat(parts, ignore_index=True)[key + ["m", "S", "A", "ss"]], on=key,
                how="left")
    m = t["m"].to_numpy(dtype="float64")
    p = (t["S"] / t["A"]).to_numpy(dtype="float64")
    single = t["kind"].isin(["item", "overall"]).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        abar = (t["A"] / t["m"]).to_numpy(dtype="float64")
        v_ratio = np.where(m < 2, np.nan, t["ss"].to_numpy() / (m * abar ** 2 * (m - 1)))
        se_single = np.sqrt(p * (1 - p) / m)
    w_low, w_high = st._wilson(p, m, np.full(len(t), z * z))
    r_low, r_high = st.wilson_from_se(p, np.sqrt(v_ratio), conf)
    # every answer in one class (variance 0): Wilson on the respondents, as if each
    # gave one answer, rather than an interval of zero width
    alike = (v_ratio == 0) & (m > 0)
    a_low, a_high = st._wilson(p, np.where(alike, m, np.nan), z * z)
    r_low, r_high = np.where(alike, a_low, r_low), np.where(alike, a_high, r_high)
    t["satisfied_se"] = np.where(single, se_single, np.sqrt(v_ratio))
    t["satisfied_low"] = np.where(single, w_low, r_low)
    t["satisfied_high"] = np.where(single, w_high, r_high)
    t["rse"] = st.relative_se(t["se"], t["index"])
    t["satisfied_rse"] = st.relative_se(t["satisfied_se"], t["satisfied"])
    t["unreliable"] = (st.unreliable(t["se"], t["index"], settings.rse_threshold)
                       | st.unreliable(t["satisfied_se"], t["satisfied"], settings.rse_threshold))
    t = _coops_satisfied(t, values, codebook, conf)
    t["suppression"] = np.where(t["suppressed"], st.PRIMARY, "")
    t = t.drop(columns=["sd", "m", "S", "A", "ss"])
    return _blank_withheld(t)


def _coops_satisfied(t: pd.DataFrame, values: pd.DataFrame, codebook: Codebook,
                     conf: float) -> pd.DataFrame:
    """The share of *cooperatives* satisfied (their own index at least the scale's lowest
    satisfied answer, e.g. 4 "Hài lòng"), with its Wilson interval, on the INDEX rows:
    the headline "% HTX hài lòng" (the share of answers stays in ``satisfied``)."""
    idx = values[values["measure"] == INDEX]
    ok = (idx["value"] >= min(codebook.scale.satisfied)).astype("float64")
    share = (_by_unit_and_city(idx.assign(value=ok), ["measure"], "value", ["sum", "count"])
             .droplevel("measure"))
    k = t["unit"].map(share["sum"]).where(t["measure"] == INDEX)
    n = t["unit"].map(share["count"]).where(t["measure"] == INDEX)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = (k / n).to_numpy(dtype="float64")
    low, high = st._wilson(p, n.to_numpy(dtype="float64"), np.full(len(t), st.z_value(conf) ** 2))
    t["coops_satisfied"] = p
    t["coops_satisfied_low"] = np.where(np.isnan(p), np.nan, low)
    t["coops_satisfied_high"] = np.where(np.isnan(p), np.nan, high)
    return t


_QUALIFIERS = ["se", "low", "high", "satisfied_se", "satisfied_low", "satisfied_high", "rse",
               "satisfied_rse", "coops_satisfied", "coops_satisfied_low",
               "coops_satisfied_high"]


def _blank_withheld(t: pd.DataFrame) -> pd.DataFrame:
    """NaN every figure of a withheld row (the flags False / empty)."""
    hidden = t["suppressed"].astype(bool)
    cols = ["mean", "index", "satisfied"] + [c for c in _QUALIFIERS if c in t.columns]
    t.loc[hidden, cols] = np.nan
    if "unreliable" in t.columns:
        t["unreliable"] = t["unreliable"].astype(bool) & ~hidden
    return t


def _spans(pooled: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Unit × measure: ``n`` (respondents, from ``scores``) and the lowest and highest
    answer behind the figure (``lo``, ``hi``; ``pooled`` = :func:`_pooled`)."""
    span = _by_unit_and_city(pooled, ["measure"], "value", ["min", "max"])
    span = span.rename(columns={"min": "lo", "max": "hi"})
    return scores[["unit", "measure", "n"]].join(span, on=["unit", "measure"])


def _same_answer(scores: pd.DataFrame, spans: pd.DataFrame, group_n: int) -> pd.DataFrame:
    """Withhold the figures of small groups whose members all gave the same answer
    (:func:`hailong.numbers.disclosure.same_answer`)."""
    t = scores.copy()
    alike = disclosure.same_answer(spans, group_n).to_numpy() & ~t["suppressed"].astype(bool)
    t.loc[alike, "suppressed"] = True
    t.loc[alike, "suppression"] = disclosure.GROUP
    return _blank_withheld(t)


def _secondary(scores: pd.DataFrame, codes: list[str], min_n: int, spans: pd.DataFrame,
               group_n: int) -> pd.DataFrame:
    """Withhold complementary units so that no withheld figure follows from the city's
    (:func:`hailong.numbers.disclosure.complements`), nor the withheld units' answers
    pooled together (:func:`hailong.numbers.disclosure.protect_rest`), nor a question
    from its dimension (:func:`hailong.numbers.disclosure.protect_parts`); until none
    adds anything."""
    t = scores.copy()
    while True:
        newly = disclosure.complements(t, codes, min_n)
        t.loc[newly, "suppressed"] = True
        t.loc[newly, "suppression"] = st.SECONDARY
        rest = (disclosure.protect_rest(t, spans, codes, min_n, group_n)
                | disclosure.protect_parts(t, spans, min_n, group_n))
        if not rest.any():
            break
        t.loc[rest, "suppressed"] = True
        t.loc[rest, "suppression"] = st.SECONDARY
    return _blank_withheld(t)


def _poststrata(resp: pd.DataFrame, resp_units: pd.Series, roster: pd.DataFrame,
                unit_col: str, settings: StatsSettings) -> st.PostStrata | None:
    """Post-strata unit × ``weight_cells`` (or unit alone when that column is absent)."""
    if not len(resp):
        return None
    col = settings.weight_cells
    both = col in resp.columns and col in roster.columns

    def frame(units: pd.Series, source: pd.DataFrame) -> pd.DataFrame:
        group = source[col].astype("str").to_numpy() if both else np.full(len(source), "")
        return pd.DataFrame({"unit": units.to_numpy(), "group": group})

    return st.poststratify(frame(resp_units, resp), frame(unit_codes(roster[unit_col]), roster),
                           by=["unit", "group"], min_cell=settings.min_cell)


def _cells_table(strata: st.PostStrata | None) -> pd.DataFrame:
    if strata is None:
        return empty_table("cells")
    t = strata.cells.rename(columns={"population": "roster_n",
                                     "cell_population": "cell_roster_n"})
    return t[CELL_COLUMNS].astype({"unit": "str", "group": "str", "cell": "str",
                                   "rule": "str"})


#: Roster attributes the city's weights are raked to beside the cells, when the roster has
#: them: Alliance membership (members answered far more often than non-members) and size
#: class.
RAKE_BY = ("member", "size_class")

#: Roster attributes of the non-response table (``Results.nonresponse``).
NONRESPONSE_BY = ("variant", "member", "sector", "size_class")


def _labels(values: pd.Series) -> pd.Series:
    """Categories as text (``True`` -> ``"True"``; missing -> ``""``)."""
    v = values.astype("object")
    return v.where(v.notna(), "").astype("str").str.strip()


def _attribute(resp: pd.DataFrame, roster: pd.DataFrame, col: str) -> pd.Series:
    """Each respondent's roster attribute ``col`` as text: the responses' own column where
    it has a value, else the roster's row of the cooperative (``coop_id``)."""
    own = (resp[col].astype("object") if col in resp.columns
           else pd.Series(None, index=resp.index, dtype="object"))
    if "coop_id" in roster.columns and "coop_id" in resp.columns:
        lookup = roster.drop_duplicates("coop_id").set_index("coop_id")[col]
        own = own.where(own.notna(), resp["coop_id"].map(lookup).astype("object"))
    return _labels(own)


def _calibrate(resp: pd.DataFrame, roster: pd.DataFrame, strata: st.PostStrata | None,
               settings: StatsSettings) -> tuple[st.Calibration, dict] | None:
    """The respondents' raked and trimmed weights (:func:`hailong.numbers.stats.calibrate`)
    and what they were raked to (``{"margins": [...], "dropped": [...]}``).

    Margins, from the roster: the collapsed cells of ``strata`` (so sparse cells stay
    pooled), then each attribute of :data:`RAKE_BY` the roster has (a respondent's value
    from :func:`_attribute`). An attribute's categories with fewer than ``min_cell``
    respondents are merged into its category with the most respondents; an attribute left
    with one category adds nothing and is dropped, and so is the last attribute when the
    raking cannot meet every margin. Trimming: ``w ≤ max(3.5 × median, largest N_c / n_c)``
    (:func:`hailong.numbers.stats.calibrate`), re-raked.
    """
    if strata is None:
        return None
    first = strata.cells.drop_duplicates("cell").set_index("cell")["cell_population"]
    sample = pd.DataFrame({"cell": strata.cell.astype("str").to_numpy()}, index=resp.index)
    margins = {"cell": first.rename(index=str).astype("float64")}
    used = [{"name": "cell", "by": settings.weight_cells,
             "categories": sorted(margins["cell"].index), "merged": {}}]
    dropped = []
    for col in RAKE_BY:
        if col not in roster.columns:
            continue
        pop = _labels(roster[col])
        if not (pop != "").any():
            dropped.append({"name": col, "reason": "empty in the roster"})
            continue
        own = _attribute(resp, roster, col)
        n = own.value_counts().reindex(sorted(set(pop) | set(own)), fill_value=0)
        big = n[n >= settings.min_cell]
        if len(big) < 2:
            dropped.append({"name": col, "reason": f"fewer than two categories with "
                                                   f"{settings.min_cell} respondents"})
            continue
        into = big.sort_values(ascending=False, kind="stable").index[0]
        merged = {k: into for k in n.index if k not in big.index}
        sample[col] = own.replace(merged).to_numpy()
        margins[col] = pop.replace(merged).value_counts().astype("float64")
        used.append({"name": col, "categories": sorted(big.index), "merged": merged})
    while True:
        try:
            # the cap never goes below a cell's own weight N_c / n_c: trimming must not
            # undo the cells (the collapsing rule already bounds those)
            c = st.calibrate(sample[list(margins)], margins,
                             min_cap=float(strata.weights.max()))
            break
        except ParameterError as err:
            if len(margins) == 1:
                raise
            last = used.pop()
            del margins[last["name"]]
            dropped.append({"name": last["name"], "reason": err.message})
    return c, {"margins": used, "dropped": dropped}


def _nonresponse(resp: pd.DataFrame, resp_units: pd.Series, roster: pd.DataFrame,
                 unit_col: str, coverage: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Respondents against the roster on each attribute of :data:`NONRESPONSE_BY`
    (:data:`NONRESPONSE_COLUMNS`), for every unit under :data:`NONRESPONSE_BELOW` coverage
    whose index is published, and the city. A unit whose index is withheld is left out:
    its counts by attribute would describe small groups."""
    attrs = [a for a in NONRESPONSE_BY if a in roster.columns]
    if not attrs or not len(roster):
        return empty_table("nonresponse")
    idx = scores[scores["measure"] == INDEX]
    published = set(idx.loc[~idx["suppressed"].astype(bool), "unit"])
    low = coverage[(coverage["share"] < NONRESPONSE_BELOW) & (coverage["unit"] != CITY)]
    units = [u for u in low["unit"] if u in published] + [CITY]
    r_units = unit_codes(roster[unit_col]).to_numpy()
    parts = []
    for a in attrs:
        def count(units_of, labels) -> pd.Series:
            f = pd.DataFrame({"unit": units_of, "category": labels.to_numpy()})
            return _with_city(f).groupby(["unit", "category"]).size()

        t = pd.DataFrame({"roster_n": count(r_units, _labels(roster[a])),
                          "respondents": count(resp_units.to_numpy(),
                                               _attribute(resp, roster, a))})
        t = t.fillna(0).astype("int64").reset_index()
        t = t[t["unit"].isin(units)]
        for col, share in (("roster_n", "roster_share"), ("respondents", "respondent_share")):
            total = t.groupby("unit")[col].transform("sum")
            t[share] = t[col] / total.where(total > 0)
        parts.append(t.assign(attribute=a))
    t = pd.concat(parts, ignore_index=True)
    t["_u"] = t["unit"].map({u: k for k, u in enumerate(units)})
    t["_a"] = t["attribute"].map({a: k for k, a in enumerate(attrs)})
    t = t.sort_values(["_u", "_a", "category"]).reset_index(drop=True)
    return t[NONRESPONSE_COLUMNS].astype({"unit": "str", "attribute": "str",
                                          "category": "str", "roster_n": "int64",
                                          "respondents": "int64"})


def _weighted(resp: pd.DataFrame, respondents: pd.DataFrame, answers: pd.DataFrame,
              strata: st.PostStrata | None, raking: tuple[st.Calibration, dict] | None,
              scores: pd.DataFrame, measures: pd.DataFrame, codebook: Codebook,
              settings: StatsSettings) -> pd.DataFrame:
    """The city's weighted figures for every measure (:data:`WEIGHTED_COLUMNS`): raked
    weights (:func:`_calibrate`), variance stratified by the collapsed cells."""
    if strata is None or raking is None:
        return empty_table("weighted")
    conf = settings.confidence
    span = codebook.scale.max - codebook.scale.min
    w = raking[0].weights.to_numpy()
    h = pd.factorize(strata.cell.to_numpy())[0]  # codes: one grouping for every estimate
    sizes = None  # model-based variance, as every figure (VARIANCE)
    values = _respondent_values(resp, respondents, codebook)
    per = _satisfied_by_row(answers, codebook, len(w))
    none = (np.zeros(len(w)), np.zeros(len(w)))
    city = scores[scores["unit"] == CITY].set_index("measure")
    rows = []
    for m in measures.itertuples():
        est = st.weighted_mean(values[m.measure].to_numpy(), w, h, sizes, conf)
        s, a = per.get(m.measure, none)
        sat = st.weighted_proportion(s, w, a, h, sizes, conf)
        hidden = bool(city.loc[m.measure, "suppressed"]) if m.measure in city.index else True
        rows.append({
            "unit": CITY, "kind": m.kind, "measure": m.measure,
            "dimension": m.dimension if m.dimension != "None" else None,
            "n": est.n, "n_eff": est.n_eff, "mean": est.estimate,
            "index": _to_index(est.estimate, codebook).item(), "se": est.se / span * 100,
            "low": _to_index(est.low, codebook).item(),
            "high": _to_index(est.high, codebook).item(),
            "satisfied": sat.estimate, "satisfied_se": sat.se,
            "satisfied_low": sat.low, "satisfied_high": sat.high, "suppressed": hidden})
        if m.measure == INDEX:  # the share of cooperatives satisfied, weighted
            own = values[INDEX].to_numpy()
            ok = ~np.isnan(own)
            coops = st.weighted_proportion(
                np.where(ok, own >= min(codebook.scale.satisfied), False).astype("float64"),
                w, ok.astype("float64"), h, sizes, conf)
            rows[-1].update(coops_satisfied=coops.estimate, coops_satisfied_low=coops.low,
                            coops_satisfied_high=coops.high)
    t = pd.DataFrame(rows)
    t["dimension"] = t["dimension"].where(t["dimension"].notna(), None)
    t["rse"] = st.relative_se(t["se"], t["index"])
    t["satisfied_rse"] = st.relative_se(t["satisfied_se"], t["satisfied"])
    t["unreliable"] = (st.unreliable(t["se"], t["index"], settings.rse_threshold)
                       | st.unreliable(t["satisfied_se"], t["satisfied"], settings.rse_threshold))
    t.loc[t["suppressed"], ["n_eff"]] = np.nan
    t = _blank_withheld(t)
    t["tier"] = st.tier_of(t["index"], settings.tiers)
    t["n"] = t["n"].astype("int64")
    return t[WEIGHTED_COLUMNS].astype({"unit": "str", "kind": "str", "measure": "str"})


def _satisfied_by_row(answers: pd.DataFrame, codebook: Codebook,
                      rows: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{measure: (s, a)}``: satisfied answers ``s`` and answers ``a`` of each respondent
    (arrays over ``range(rows)``, 0 for none), pooled as in
    :func:`_per_respondent_satisfied` (items; a dimension's items; all dimensions' items
    for INDEX; answers without a unit left out), counted with ``bincount``."""
    ok = answers["unit"].notna().to_numpy()
    row = answers["row"].to_numpy()[ok]
    sat = answers["value"].isin(codebook.scale.satisfied).to_numpy(dtype="float64")[ok]
    out = {}
    for col in ("measure", "dimension"):
        code, names = pd.factorize(answers[col].to_numpy()[ok])  # NaN dimension: -1
        key = code.astype("int64") * rows + row
        keep = code >= 0
        s = np.bincount(key[keep], sat[keep], len(names) * rows).reshape(len(names), rows)
        a = np.bincount(key[keep], None, len(names) * rows).reshape(len(names), rows)
        out.update({str(m): (s[k], a[k].astype("float64")) for k, m in enumerate(names)})
    dims = pd.notna(answers["dimension"].to_numpy()[ok])
    out[INDEX] = (np.bincount(row[dims], sat[dims], rows),
                  np.bincount(row[dims], None, rows).astype("float64"))
    return out


#: The variance of every published interval, comparison, tier and rank: model-based
#: (superpopulation), without the finite population correction — a census of 7
#: cooperatives is still a noisy measure of how their authorities support them.
VARIANCE = "model"

#: How the verdicts "higher / lower than the rest of the city" are adjusted for being
#: many (:func:`hailong.numbers.stats.adjust_p`), per kind of measure, over the round's
#: whole table (so a figure reads the same in every report, and every report's verdicts
#: are a part of a controlled family): Holm for the index, the dimensions and the overall
#: question (a verdict word is given); Benjamini–Hochberg for the questions, which get a
#: verdict only where it holds after adjustment.
ADJUST = {"index": "holm", "dimension": "holm", "overall": "holm", "item": "bh"}


def _respondent_values(resp: pd.DataFrame, respondents: pd.DataFrame,
                       codebook: Codebook) -> pd.DataFrame:
    """Every measure's value per respondent (items from ``resp``; dimensions, INDEX from
    ``respondents``), one column per measure."""
    item_ids = [it.id for it in codebook.items]
    values = respondents.drop(columns=["coop_id", "unit", "sector", "variant", "member"])
    values[item_ids] = resp[item_ids].apply(pd.to_numeric).astype("float64").to_numpy()
    return values


def _rest(resp: pd.DataFrame, respondents: pd.DataFrame, strata: st.PostStrata | None,
          raking: tuple[st.Calibration, dict] | None, measures: pd.DataFrame,
          codebook: Codebook) -> pd.DataFrame:
    """The rest of the city beside each unit, weighted as the city's figures are:
    ``unit, measure, rest_index, rest_se`` (:func:`hailong.numbers.stats.rest_means`)."""
    cols = ["unit", "measure", "rest_index", "rest_se"]
    if strata is None or raking is None:
        return pd.DataFrame(columns=cols)
    span = codebook.scale.max - codebook.scale.min
    values = _respondent_values(resp, respondents, codebook)
    w = raking[0].weights.to_numpy()
    h = pd.factorize(strata.cell.to_numpy())[0]
    units = respondents["unit"].astype(str).to_numpy()
    parts = []
    for m in measures["measure"]:
        r = st.rest_means(values[m].to_numpy(), w, h, units)
        parts.append(pd.DataFrame({"unit": r.index, "measure": m,
                                   "rest_index": _to_index(r["estimate"], codebook),
                                   "rest_se": r["se"].to_numpy() / span * 100}))
    return pd.concat(parts, ignore_index=True)[cols]


def _qualify(scores: pd.DataFrame, rest: pd.DataFrame, settings: StatsSettings) -> pd.DataFrame:
    """Tier (and the tiers of the interval's ends), comparison with the rest of the city
    (adjusted, :data:`ADJUST`) and joint rank range of every published row."""
    t = scores.copy()
    t["tier"] = st.tier_of(t["index"], settings.tiers)
    low_t, high_t = st.tier_span(t["low"], t["high"], settings.tiers)
    t["tier_low"] = np.where(t["index"].isna(), None, low_t)
    t["tier_high"] = np.where(t["index"].isna(), None, high_t)
    r = t[["unit", "measure"]].merge(rest, on=["unit", "measure"], how="left")
    diff, low, high, p = st.compare_with_rest(t["index"], t["se"], r["rest_index"],
                                              r["rest_se"], settings.confidence)
    is_unit = (t["unit"] != CITY).to_numpy()
    p = np.where(is_unit & ~t["suppressed"].astype(bool).to_numpy(), p, np.nan)
    adjusted = np.full(len(t), np.nan)
    flag = np.full(len(t), "", dtype=object)
    level = 1 - settings.confidence
    for method in dict.fromkeys(ADJUST.values()):
        kinds = [k for k, v in ADJUST.items() if v == method]
        sel = t["kind"].isin(kinds).to_numpy()
        adjusted[sel] = st.adjust_p(p[sel], method)
        neutral = st.SIMILAR if method == "holm" else ""
        flag[sel] = st.verdicts(diff[sel], adjusted[sel], level, neutral)
    t["vs_city"] = np.where(is_unit, flag, "")
    t["diff"] = np.where(is_unit, diff, np.nan)
    t["diff_low"] = np.where(is_unit, low, np.nan)
    t["diff_high"] = np.where(is_unit, high, np.nan)
    t["p_adjusted"] = adjusted
    for col in ("rank", "rank_low", "rank_high"):
        t[col] = pd.array([pd.NA] * len(t), dtype="Int64")
    ranked = t[is_unit & t["kind"].isin(settings.ranked).to_numpy()]
    for _measure, rows in ranked.groupby("measure", sort=False):
        rr = st.rank_ranges(rows["index"], rows["se"], settings.confidence)
        t.loc[rows.index, ["rank", "rank_low", "rank_high"]] = rr.to_numpy()
    t["unreliable"] = t["unreliable"].astype(bool)
    base = ["unit", "kind", "measure", "dimension", "n", "mean", "index", "satisfied",
            "suppressed"]
    return t[base + SCORE_DETAIL]


def _reliability(resp: pd.DataFrame, codebook: Codebook,
                 settings: StatsSettings) -> pd.DataFrame:
    """Reliability of each dimension, citywide: Spearman–Brown for two items, Cronbach's
    alpha (pairwise covariances) for more, with Feldt's interval on the respondents who
    answered every item (``n``)."""
    rows = []
    for d in codebook.dimensions:
        ids = [i.id for i in d.items if i.id in resp.columns]
        items = resp[ids].apply(pd.to_numeric, errors="coerce")
        complete = int(items.notna().all(axis=1).sum())
        if len(ids) == 2:
            value, (low, high), _n = st.spearman_brown(items, settings.confidence)
            how = "spearman_brown"
        else:
            value, (low, high) = st.cronbach_alpha(items, "pairwise", settings.confidence)
            how = "alpha"
        rows.append((CITY, d.id, len(ids), complete, value, low, high, how))
    return pd.DataFrame(rows, columns=RELIABILITY_COLUMNS).astype(
        {"items": "int64", "n": "int64", "alpha": "float64", "low": "float64",
         "high": "float64"})


def _open_answers(resp: pd.DataFrame, resp_units: pd.Series, roster: pd.DataFrame,
                  codebook: Codebook, book: ThemeBook | None, scores: pd.DataFrame,
                  codes: list[str], min_n: int,
                  settings: StatsSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Theme counts per unit and redacted quotes from units whose index is published."""
    questions = [q.id for q in codebook.open_questions if q.id in resp.columns]
    if book is None or not questions:
        return empty_table("themes"), empty_table("quotes")
    answers = resp[questions].assign(unit=resp_units.to_numpy())
    counts = theme_counts(answers, questions, book, codes, min_n, city=CITY)
    people = [x for col in ("respondent_name",) if col in resp.columns
              for x in resp[col].tolist()]
    people += [x for col in ("director_name",) if col in roster.columns
               for x in roster[col].tolist()]
    orgs = [x for frame in (roster, resp) if "coop_name" in frame.columns
            for x in frame["coop_name"].tolist()]
    # the same names at every level: the redactor (and what it redacted) is reused
    redactor = shared_redactor(book, [p for p in people if isinstance(p, str)],
                               [o for o in orgs if isinstance(o, str)])
    s = scores[(scores["measure"] == INDEX) & (scores["unit"] != CITY)]
    published = set(s.loc[~s["suppressed"].astype(bool), "unit"])
    eligible = answers[answers["unit"].isin(published)]
    quotes = example_quotes(eligible, questions, book, redactor, settings.quotes_per_theme,
                            city=CITY)
    return counts, quotes


def _stats_meta(settings: StatsSettings, strata: st.PostStrata | None,
                raking: tuple[st.Calibration, dict] | None, weighted: pd.DataFrame,
                book: ThemeBook | None, codebook: Codebook) -> dict:
    """The statistical settings and the weighting summary kept in ``Results.meta``."""
    info = {
        "confidence": settings.confidence,
        "rse_threshold": settings.rse_threshold,
        "tiers": [{"id": t.id, "lower": t.lower, "vi": t.vi, "en": t.en}
                  for t in settings.tiers],
        "secondary_suppression": settings.secondary_suppression,
        "group_n": settings.group_n,
        "variance": VARIANCE,
        "adjust": dict(ADJUST),
        "ranked": list(settings.ranked),
        "open_questions": [{"id": q.id, "number": q.number, "vi": q.vi, "en": q.en}
                           for q in codebook.open_questions],
        # names of the roster's groups, for the tables that show them (vi / en)
        "groups": {**{k: dict(v) for k, v in codebook.variants.items()},
                   **{k: {"vi": v.get("vi", k), "en": v.get("en", v.get("vi", k))}
                      for k, v in codebook.sectors.items()}},
    }
    if strata is not None and raking is not None:
        c, how = raking
        w = c.weights
        row = weighted.set_index("measure").loc[INDEX] if len(weighted) else None
        info["weighting"] = {
            "method": "raking",
            "cells_by": settings.weight_cells, "min_cell": settings.min_cell,
            "cells": int(strata.cells["cell"].nunique()),
            "collapsed": int((strata.cells["rule"] != "own").sum()),
            "margins": how["margins"], "dropped": how["dropped"],
            "trimming": {"rule": f"w <= max({st.TRIM_FACTOR:g} x median weight, largest "
                                 "cell weight N_c/n_c), re-raked",
                         "factor": st.TRIM_FACTOR, "cap": c.cap, "trimmed": c.trimmed},
            "margin_gap": c.gap,
            "respondents": int(len(w)), "n_eff": c.n_eff,
            "design_effect": c.design_effect,
            "weight_min": float(w.min()), "weight_max": float(w.max()),
            "cell_weight_min": float(strata.weights.min()),
            "cell_weight_max": float(strata.weights.max()),
            "index_n_eff": None if row is None else float(row["n_eff"]),
        }
    if book is not None:
        info["themes"] = {"file": str(book.path) if book.path else None,
                          "other": book.other.id,
                          "labels": {t.id: {"vi": t.vi, "en": t.en}
                                     for t in (*book.themes, book.other)}}
    return info
