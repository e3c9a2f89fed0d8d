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
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import Codebook
from .errors import InputError, ParameterError
from .geography import CITY, Units

#: Measure id of the satisfaction index (mean of a respondent's dimension scores).
INDEX = "INDEX"
#: Label of :data:`INDEX` (the codebook labels every other measure).
INDEX_LABEL = {"vi": "Chỉ số hài lòng", "en": "Satisfaction index"}
#: The respondent's unit column for each reporting level.
LEVEL_COLUMNS = {"district": "district_code", "commune": "commune_code"}
#: The tables of :class:`Results`, each saved as ``<name>.parquet``.
TABLES = ("respondents", "scores", "distribution", "coverage", "units", "measures")
_RESPONDENT_FIELDS = ("coop_id", "sector", "variant", "member")


@dataclass(eq=False)
class Results:
    """Everything the reports show, one DataFrame per table, each with a ``unit`` column.

    Attributes
    ----------
    respondents
        One row per accepted response: ``coop_id, unit, sector, variant, member``, one
        column per dimension id (respondent's dimension score), ``INDEX``, ``OVERALL``.
    scores
        ``unit, kind, measure, dimension, n, mean, index, satisfied, suppressed`` for
        every unit × measure (``kind``: ``item`` | ``dimension`` | ``index`` |
        ``overall``).
    distribution
        ``unit, measure, value, count, share`` for every unit × item or dimension ×
        scale value (zero counts included; NaN when suppressed).
    coverage
        ``unit, roster_n, answered, share, suppressed``.
    units
        ``unit, level, name, full_name``: the reported units in code order, then the city.
    measures
        ``measure, kind, dimension, order, number, vi, en``: labels of every measure.
    meta
        JSON-safe dict: the caller's ``meta`` plus codebook version, scale, ``min_n``,
        ``level``.
    """

    respondents: pd.DataFrame
    scores: pd.DataFrame
    distribution: pd.DataFrame
    coverage: pd.DataFrame
    units: pd.DataFrame
    measures: pd.DataFrame
    meta: dict = field(default_factory=dict)

    def save(self, directory: str | Path) -> Path:
        """Write one ``<table>.parquet`` per table and ``meta.json`` into ``directory``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            getattr(self, name).to_parquet(directory / f"{name}.parquet", index=False)
        text = json.dumps(_jsonable(self.meta), ensure_ascii=False, indent=2)
        (directory / "meta.json").write_text(text + "\n", encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> Results:
        """Read results written by :meth:`save`.

        Raises
        ------
        InputError
            If a table or ``meta.json`` is missing.
        """
        directory = Path(directory)
        files = [directory / f"{name}.parquet" for name in TABLES] + [directory / "meta.json"]
        for path in files:
            if not path.is_file():
                raise InputError("Stored results are incomplete.", file=path,
                                 hint="Compute them again (hailong build).")
        tables = {name: pd.read_parquet(path) for name, path in zip(TABLES, files)}
        meta = json.loads(files[-1].read_text(encoding="utf-8"))
        return cls(**tables, meta=meta)

    def unit(self, code: str) -> Results:
        """The rows of one unit from each table (``"city"``: every respondent).

        Raises
        ------
        ParameterError
            If ``code`` is not a reported unit, listing the valid ones.
        """
        code = self._check_unit(code)

        def rows(table: pd.DataFrame) -> pd.DataFrame:
            return table[table["unit"] == code].reset_index(drop=True)

        respondents = self.respondents if code == CITY else rows(self.respondents)
        return replace(self, respondents=respondents,
                       scores=rows(self.scores), distribution=rows(self.distribution),
                       coverage=rows(self.coverage), units=rows(self.units),
                       meta=dict(self.meta))

    def dimension_table(self, unit: str, lang: str = "vi") -> pd.DataFrame:
        """One row per dimension (codebook order) of ``unit``.

        Columns ``measure, label, n, mean, index, satisfied, suppressed``.
        """
        code = self._check_unit(unit)
        if lang not in ("vi", "en"):
            raise ParameterError("Unknown language.", found=lang, expected="vi or en")
        s = self.scores
        s = s[(s["unit"] == code) & (s["kind"] == "dimension")]
        labels = self.measures[["measure", "order", lang]].rename(columns={lang: "label"})
        t = s.merge(labels, on="measure").sort_values("order")
        cols = ["measure", "label", "n", "mean", "index", "satisfied", "suppressed"]
        return t[cols].reset_index(drop=True)

    def _check_unit(self, code: str) -> str:
        code = str(code).strip()
        valid = list(self.units["unit"])
        if code not in valid:
            raise ParameterError(f"No results for unit {code!r}.",
                                 expected="one of " + ", ".join(valid),
                                 hint="Use the GSO code of the unit, or 'city'.")
        return code


def compute_results(
    responses: pd.DataFrame,
    roster: pd.DataFrame,
    codebook: Codebook,
    units: Units,
    level: str = "district",
    min_n: int = 5,
    meta: dict | None = None,
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
    the distribution are NaN). Coverage ``share = answered / roster_n``.
    """
    unit_col = _level_column(level)
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or min_n < 0:
        raise ParameterError("min_n must be a whole number of respondents.", found=min_n,
                             expected="an integer >= 0")
    measures = _measures(codebook)
    item_ids = [it.id for it in codebook.scored_items]
    _require(responses, ("coop_id", unit_col, *_RESPONDENT_FIELDS[1:], *item_ids), "responses")
    _require(roster, (unit_col,), "roster")
    unit_table = _units_table(units, level)
    codes = list(unit_table["unit"])

    resp = responses.reset_index(drop=True)
    resp_units = unit_codes(resp[unit_col])
    answers = _answers_long(resp, resp_units, codebook)
    respondents = _respondents(resp, resp_units, answers, codebook)
    scores = _scores(resp, respondents, answers, measures, codes, codebook, min_n)
    outside = int((~resp_units.isin([c for c in codes if c != CITY])).sum())
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
    }
    return Results(
        respondents=respondents,
        scores=scores,
        distribution=_distribution(answers, scores, measures, codes, codebook, min_n),
        coverage=_coverage(unit_codes(roster[unit_col]), resp_units, codes, min_n),
        units=unit_table,
        measures=measures,
        meta=_jsonable(info),
    )


def unit_codes(values: pd.Series) -> pd.Series:
    """Unit codes as strings (``303``, ``303.0`` and ``" 303 "`` -> ``"303"``; blank -> NaN)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        values = values.astype("Int64")
    s = values.astype("str").str.strip()
    return s.where(values.notna() & (s != ""), np.nan).astype("str")


def _level_column(level: str) -> str:
    if level not in LEVEL_COLUMNS:
        raise ParameterError("Unknown reporting level.", found=level,
                             expected=" or ".join(LEVEL_COLUMNS),
                             hint="Set 'unit_level' of the round in data/hailong.yaml.")
    return LEVEL_COLUMNS[level]


def _require(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"The {what} table lacks columns.", found=missing,
                         expected="the canonical columns of docs/design.md",
                         hint="Read the data through hailong's ingest and validate steps.")


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
        raise ParameterError(f"The unit table has no unit of level {level!r}.",
                             file=units.path, hint="Check 'units:' and 'unit_level:'.")
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
        raise InputError(
            "An answer is not a value of the answer scale.",
            file=where.get("source_file"), row=_int_or_none(where.get("source_row")),
            column=first["measure"], found=first["value"],
            expected=", ".join(str(v) for v in codebook.scale.labels),
            hint="Answers must be converted from labels by the validate step.")
    return long


def _int_or_none(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _respondents(resp: pd.DataFrame, resp_units: pd.Series, answers: pd.DataFrame,
                 codebook: Codebook) -> pd.DataFrame:
    """Respondent table: dimension scores (mean of answered items), INDEX, OVERALL."""
    dim_ids = [d.id for d in codebook.dimensions]
    in_dims = answers[answers["dimension"].notna()]
    dims = (in_dims.groupby(["row", "dimension"])["value"].mean().unstack("dimension")
            .reindex(index=range(len(resp)), columns=dim_ids).astype("float64"))
    out = resp[list(_RESPONDENT_FIELDS)].copy()
    out.insert(1, "unit", resp_units.to_numpy())
    out[dim_ids] = dims.to_numpy()
    out[INDEX] = dims.mean(axis=1).to_numpy()
    out[codebook.overall.id] = pd.to_numeric(resp[codebook.overall.id]).astype("float64")
    out.columns.name = None
    return out


def _pooled(answers: pd.DataFrame) -> pd.DataFrame:
    """Answers under their item, again under their dimension, again under INDEX."""
    in_dims = answers[answers["dimension"].notna()]
    return pd.concat([answers, in_dims.assign(measure=in_dims["dimension"]),
                      in_dims.assign(measure=INDEX)], ignore_index=True)


def _scores(resp: pd.DataFrame, respondents: pd.DataFrame, answers: pd.DataFrame,
            measures: pd.DataFrame, codes: list[str], codebook: Codebook,
            min_n: int) -> pd.DataFrame:
    """Unit × measure: n, mean, index, satisfied (pooled), suppressed."""
    item_ids = [it.id for it in codebook.items]
    values = respondents.drop(columns=["coop_id", "sector", "variant", "member"])
    values[item_ids] = resp[item_ids].apply(pd.to_numeric).astype("float64").to_numpy()
    long = values.melt(id_vars="unit", var_name="measure", value_name="value")
    long = long.dropna(subset=["value"])
    grid = pd.MultiIndex.from_product([codes, measures["measure"]], names=["unit", "measure"])
    stats = (_with_city(long).groupby(["unit", "measure"])["value"]
             .agg(n="count", mean="mean").reindex(grid))
    pooled = _with_city(_pooled(answers))
    sat = pooled["value"].isin(codebook.scale.satisfied).astype("float64")
    stats["satisfied"] = sat.groupby([pooled["unit"], pooled["measure"]]).mean().reindex(grid)
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


def _distribution(answers: pd.DataFrame, scores: pd.DataFrame, measures: pd.DataFrame,
                  codes: list[str], codebook: Codebook, min_n: int) -> pd.DataFrame:
    """Unit × item or dimension × scale value: count and share of answers (pooled)."""
    shown = measures.loc[measures["kind"].isin(["dimension", "item", "overall"]), "measure"]
    values = list(codebook.scale.labels)
    grid = pd.MultiIndex.from_product([codes, shown, values], names=["unit", "measure", "value"])
    pooled = _with_city(_pooled(answers))
    counts = (pooled.groupby(["unit", "measure", pooled["value"].astype("int64")]).size()
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


def _jsonable(meta: dict) -> dict:
    """``meta`` as JSON gives it back (dates and times as ISO strings, sets as lists)."""
    def default(obj):
        if isinstance(obj, (dt.date, dt.datetime, dt.time)):
            return obj.isoformat()
        if isinstance(obj, (set, frozenset)):
            return sorted(obj)
        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, Path):
            return str(obj)
        raise TypeError(f"meta value of type {type(obj).__name__} cannot be stored")

    return json.loads(json.dumps(meta, default=default, ensure_ascii=False))
