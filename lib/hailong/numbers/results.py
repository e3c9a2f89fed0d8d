"""The results of a round: the tables every report and analysis reads.

:class:`Results` holds them (one DataFrame per table of :data:`TABLES`, every one with a
``unit`` column, and ``meta``), saves and loads them, and selects a unit's rows;
:func:`hailong.numbers.scoring.compute_results` makes them. The columns of each table are
described in ``docs/design.md``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from hailong.core.errors import InputError, ParameterError
from hailong.core.views import html_view
from hailong.numbers.themes import COUNT_COLUMNS, QUOTE_COLUMNS
from hailong.reference.geography import CITY

#: Measure id of the satisfaction index (mean of a respondent's dimension scores).
INDEX = "INDEX"


#: Label of :data:`INDEX` (the codebook labels every other measure).
INDEX_LABEL = {"vi": "Chỉ số hài lòng", "en": "Satisfaction index"}


#: The respondent's unit column for each reporting level.
LEVEL_COLUMNS = {"district": "district_code", "commune": "commune_code"}


#: The tables of :class:`Results`, each saved as ``<name>.parquet``.
TABLES = ("respondents", "scores", "distribution", "coverage", "units", "measures",
          "weighted", "reliability", "cells", "nonresponse", "themes", "quotes")


#: Columns ``scores`` has after the original nine (see :func:`compute_results`).
SCORE_DETAIL = ["suppression", "se", "low", "high", "satisfied_se", "satisfied_low",
                "satisfied_high", "rse", "satisfied_rse", "coops_satisfied",
                "coops_satisfied_low", "coops_satisfied_high", "unreliable", "tier", "tier_low",
                "tier_high", "vs_city", "diff", "diff_low", "diff_high", "p_adjusted",
                "rank", "rank_low", "rank_high"]


#: Columns of ``Results.weighted`` (the citywide weighted figures: raked, trimmed).
WEIGHTED_COLUMNS = ["unit", "kind", "measure", "dimension", "n", "n_eff", "mean", "index",
                    "se", "low", "high", "satisfied", "satisfied_se", "satisfied_low",
                    "satisfied_high", "rse", "satisfied_rse", "coops_satisfied",
                    "coops_satisfied_low", "coops_satisfied_high", "unreliable", "tier",
                    "suppressed"]


#: Columns of ``Results.reliability``.
#: ``alpha`` holds the coefficient named by ``coefficient``: ``"alpha"`` (Cronbach, three
#: items or more) or ``"spearman_brown"`` (two items); ``n`` = respondents with every item.
RELIABILITY_COLUMNS = ["unit", "measure", "items", "n", "alpha", "low", "high", "coefficient"]


#: Columns of ``Results.cells`` (post-strata).
CELL_COLUMNS = ["unit", "group", "roster_n", "respondents", "cell", "rule", "cell_roster_n",
                "cell_respondents", "weight"]


#: Columns of ``Results.nonresponse``: respondents against the roster on each known
#: attribute, for the units under :data:`NONRESPONSE_BELOW` coverage and the city.
NONRESPONSE_COLUMNS = ["unit", "attribute", "category", "roster_n", "respondents",
                       "roster_share", "respondent_share"]


#: Coverage below which a unit gets a non-response table (``Results.nonresponse``).
NONRESPONSE_BELOW = 0.8


_EMPTY = {"weighted": WEIGHTED_COLUMNS, "reliability": RELIABILITY_COLUMNS,
          "cells": CELL_COLUMNS, "nonresponse": NONRESPONSE_COLUMNS,
          "themes": COUNT_COLUMNS, "quotes": QUOTE_COLUMNS}


def empty_table(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in _EMPTY[name]})


RESPONDENT_FIELDS = ("coop_id", "sector", "variant", "member")


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
        ``level`` and the statistical settings.
    weighted
        The city's weighted (raked) figures per measure (:data:`WEIGHTED_COLUMNS`).
    reliability
        Cronbach's alpha of each dimension with Feldt's interval
        (:data:`RELIABILITY_COLUMNS`).
    cells
        The post-strata: original cell, the cell it was collapsed into, its weight
        (:data:`CELL_COLUMNS`); the collapsed cells are the first margin of the raking.
    nonresponse
        Respondents against the roster on every known attribute, for each published unit
        under :data:`NONRESPONSE_BELOW` coverage and the city (:data:`NONRESPONSE_COLUMNS`).
    themes
        Respondents per theme of each open question, per unit and the city
        (:data:`hailong.numbers.themes.COUNT_COLUMNS`).
    quotes
        Redacted example sentences per theme (:data:`hailong.numbers.themes.QUOTE_COLUMNS`).
    """

    respondents: pd.DataFrame
    scores: pd.DataFrame
    distribution: pd.DataFrame
    coverage: pd.DataFrame
    units: pd.DataFrame
    measures: pd.DataFrame
    meta: dict = field(default_factory=dict)
    weighted: pd.DataFrame = field(default_factory=lambda: empty_table("weighted"))
    reliability: pd.DataFrame = field(default_factory=lambda: empty_table("reliability"))
    cells: pd.DataFrame = field(default_factory=lambda: empty_table("cells"))
    nonresponse: pd.DataFrame = field(default_factory=lambda: empty_table("nonresponse"))
    themes: pd.DataFrame = field(default_factory=lambda: empty_table("themes"))
    quotes: pd.DataFrame = field(default_factory=lambda: empty_table("quotes"))

    def __repr__(self) -> str:
        m = self.meta
        units = int((self.units["unit"] != CITY).sum())
        return (f"Results(round {m.get('round', '?')}: {units} units of level "
                f"{m.get('level', '?')} and the city, {len(self.respondents)} respondents, "
                f"min_n {m.get('min_n', '?')}; tables: {', '.join(TABLES)})")

    def _repr_html_(self) -> str | None:
        """In a notebook: every unit's satisfaction index (the view registered by
        :mod:`hailong.present.display`: :func:`hailong.core.views.html_view`)."""
        return html_view(self)

    def save(self, directory: str | Path) -> Path:
        """Write one ``<table>.parquet`` per table and ``meta.json`` into ``directory``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            getattr(self, name).to_parquet(directory / f"{name}.parquet", index=False)
        text = json.dumps(jsonable(self.meta), ensure_ascii=False, indent=2)
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
                raise InputError("err.stored_results_incomplete", file=path,
                                 hint="hint.compute_them_again_hailong")
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
                       weighted=rows(self.weighted), reliability=rows(self.reliability),
                       cells=rows(self.cells), nonresponse=rows(self.nonresponse),
                       themes=rows(self.themes),
                       quotes=rows(self.quotes), meta=dict(self.meta))

    def dimension_table(self, unit: str, lang: str = "vi") -> pd.DataFrame:
        """One row per dimension (codebook order) of ``unit``.

        Columns ``measure, label, n, mean, index, satisfied, suppressed``.
        """
        code = self._check_unit(unit)
        if lang not in ("vi", "en"):
            raise ParameterError("err.unknown_language", found=lang, expected="exp.vi_en")
        s = self.scores
        s = s[(s["unit"] == code) & (s["kind"] == "dimension")]
        labels = self.measures[["measure", "order", lang]].rename(columns={lang: "label"})
        t = s.merge(labels, on="measure").sort_values("order")
        cols = ["measure", "label", "n", "mean", "index", "satisfied", "suppressed"]
        return t[cols].reset_index(drop=True)

    def estimates(self, unit: str, kind: str = "dimension", lang: str = "vi",
                  weighted: bool = True) -> pd.DataFrame:
        """The measures of one ``kind`` of ``unit`` with everything that qualifies them.

        For ``"city"`` (and ``weighted``) the figures are the weighted (raked) ones of
        :attr:`weighted`; for a unit, those of :attr:`scores` (intervals, tier,
        ``vs_city``, rank range). Rows in codebook order.

        Columns ``measure, label, n, index, se, low, high, satisfied, satisfied_low,
        satisfied_high, unreliable, tier, vs_city, diff, diff_low, diff_high, rank,
        rank_low, rank_high, suppressed, suppression`` (``n_eff`` too for the city).
        """
        code = self._check_unit(unit)
        if lang not in ("vi", "en"):
            raise ParameterError("err.unknown_language", found=lang, expected="exp.vi_en")
        s = self.scores
        s = s[(s["unit"] == code) & (s["kind"] == kind)]
        if code == CITY and weighted and len(self.weighted):
            w = self.weighted[self.weighted["kind"] == kind].drop(
                columns=["unit", "kind", "dimension", "suppressed"])
            keep = [c for c in s.columns if c not in w.columns or c == "measure"]
            s = s[keep].merge(w, on="measure", how="left")
        labels = self.measures[["measure", "order", lang]].rename(columns={lang: "label"})
        t = s.merge(labels, on="measure").sort_values("order")
        cols = ["measure", "label", "n", "n_eff", "mean", "index", "se", "low", "high",
                "satisfied", "satisfied_se", "satisfied_low", "satisfied_high", "rse",
                "satisfied_rse", "coops_satisfied", "coops_satisfied_low",
                "coops_satisfied_high", "unreliable", "tier", "tier_low", "tier_high",
                "vs_city", "diff", "diff_low", "diff_high", "p_adjusted", "rank", "rank_low",
                "rank_high", "suppressed", "suppression"]
        return t[[c for c in cols if c in t.columns]].reset_index(drop=True)

    def _check_unit(self, code: str) -> str:
        code = str(code).strip()
        valid = list(self.units["unit"])
        if code not in valid:
            raise ParameterError("err.results_unit", expected="exp.one_of", valid=", ".join(valid),
                                 hint="hint.use_gso_code_unit", code=code)
        return code


def jsonable(meta: dict) -> dict:
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
