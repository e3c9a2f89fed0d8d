"""Several survey rounds: load one in a call, line up their results through time.

- :func:`load_round` — a round's validated data and results in one call (for analysts).
- :func:`available_rounds` / :func:`check_round_has_data` — which rounds have their files.
- :func:`load_item_mapping` / :func:`find_mapping` — which question of one codebook version
  is which question of another (``data/reference/codebook/mapping-*.yaml``).
- :func:`line_up` (pure) and :func:`trend` (from the configuration) — figures of every
  round per unit and measure, on the items every round asked, with the change since the
  round before.

Comparability rules (quoted by the reports)
------------------------------------------
- Items are matched through the mapping between codebook versions, never by id or number
  alone; an item not asked in every round lined up is left out of every round's figures,
  so a dimension is compared on the same questions throughout (``Trend.items_left_out``).
- When the geography changed (e.g. 2022 districts -> 2025 communes), the earlier rounds'
  respondents are placed into the new units by the round's crosswalk
  (:meth:`hailong.reference.geography.Crosswalk.carry`): merged units take their respondents
  together; a split unit goes by its rule and the figure is marked ``approximate``.
- ``change = index(round) - index(previous round lined up)``, withheld when either figure
  is withheld (fewer than ``min_n`` respondents). Its interval is paired: the cooperatives
  that answered both rounds (same ``coop_id``, in the same unit after the crosswalk) make
  the two figures correlated, ``Var(change) = Var(now) + Var(before) − 2 Cov``
  (:func:`hailong.numbers.stats.paired_change_interval`), model-based like every interval
  of the reports (``scoring.VARIANCE``: no finite population correction).
- The city's figures are the weighted ones of the reports' headline (``Results.weighted``,
  recomputed on the common questions) when the rounds come with their rosters; the units'
  figures are unweighted, as in ``Results.scores``.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hailong.core.errors import ConfigError, ParameterError
from hailong.core.text import nfc
from hailong.core.views import html_view
from hailong.core.yamlfile import read_yaml
from hailong.numbers import disclosure
from hailong.numbers import stats as st
from hailong.numbers.scoring import INDEX, LEVEL_COLUMNS, Results, compute_results
from hailong.reference.codebook import Codebook, Dimension, load_codebook
from hailong.reference.config import Config, Round, StatsSettings, load_config
from hailong.reference.geography import CITY, Crosswalk, Units, load_crosswalk, load_units

__all__ = ["RoundData", "load_round", "available_rounds", "check_round_has_data",
           "ItemMapping", "load_item_mapping", "find_mapping", "RoundInput", "Trend",
           "line_up", "trend", "comparable_respondents", "analyst_frame"]

#: Roster columns an analyst's respondent frame carries (no personal data).
_ROSTER_INFO = ["legal_form", "size_class", "founded_year"]
#: File name pattern of item mappings in the codebook folder.
MAPPING_GLOB = "mapping-*.yaml"


# --------------------------------------------------------------------------- one round

def _inputs(rnd: Round) -> list[Path]:
    return [rnd.roster, *rnd.responses]


def available_rounds(config_path: str | Path | None = None,
                     config: Config | None = None) -> list[int]:
    """The configured rounds whose roster and survey export(s) all exist, oldest first.

    Examples
    --------
    >>> available_rounds()                      # doctest: +SKIP
    [2021, 2022, 2023, 2025]
    """
    config = config or load_config(config_path)
    return [y for y, r in sorted(config.rounds.items()) if all(p.is_file() for p in _inputs(r))]


def check_round_has_data(config: Config, round_year: int | str | None = None) -> Round:
    """The round, or :class:`ParameterError` if it is unknown or its files are missing.

    The message names the missing file and lists the rounds that have data.
    """
    rnd = config.round(round_year)
    missing = [p for p in _inputs(rnd) if not p.is_file()]
    if missing:
        have = ", ".join(str(y) for y in available_rounds(config=config)) or "none"
        raise ParameterError("err.round_data_file_needs", file=missing[0],
                             expected="exp.round_data", hint="hint.put_round_s_files",
                             year=rnd.year, have=have, name=config.path.name)
    return rnd


@dataclass(eq=False)
class RoundData:
    """A round's validated data and results, as :func:`load_round` returns them.

    Attributes
    ----------
    config, round, codebook, units
        The configuration, the round, its questionnaire and its geography.
    roster, responses, ledger
        The validated frames of ``docs/design.md`` (internal: ``roster`` and
        ``responses`` hold contact data; use :attr:`respondents` for analysis).
    results
        The round's :class:`~hailong.numbers.scoring.Results` (what the reports show).
    """

    config: Config
    round: Round
    codebook: Codebook
    units: Units
    roster: pd.DataFrame
    responses: pd.DataFrame
    ledger: pd.DataFrame
    results: Results

    @property
    def year(self) -> int:
        return self.round.year

    @property
    def level(self) -> str:
        """The reporting level: ``"district"`` or ``"commune"``."""
        return self.round.unit_level

    @property
    def min_n(self) -> int:
        return self.config.min_n

    @property
    def previous_year(self) -> int | None:
        """The round this one is compared with (``None`` for the first)."""
        return self.config.previous_round(self.year)

    @property
    def respondents(self) -> pd.DataFrame:
        """One row per accepted response, ready for cross-tabs; no personal data.

        Columns: ``coop_id, unit`` (code at the round's level), ``unit_name``,
        ``district_code, commune_code, sector, sector_name, variant, member`` and the
        roster's ``legal_form, size_class, founded_year``; one column per dimension
        (respondent's score), ``INDEX``, ``OVERALL``, then one column per item (answer
        value; NaN = no answer).
        """
        return analyst_frame(self.responses, self.results.respondents, self.roster,
                             self.codebook, self.units, self.level)

    def label(self, measure: str, lang: str = "vi") -> str:
        """The reader's name of a measure (dimension, item, ``INDEX`` or ``OVERALL``)."""
        m = self.results.measures.set_index("measure")
        if measure not in m.index:
            raise ParameterError("err.unknown_measure", found=measure,
                                 expected="exp.one_of", valid=", ".join(m.index))
        return str(m.at[measure, lang])

    def _repr_html_(self) -> str:
        c = self.ledger["status"].value_counts()
        rows = [("Vòng khảo sát", self.round.label.get("vi", str(self.year))),
                ("Bảng hỏi", self.codebook.version),
                ("Cấp báo cáo", {"district": "quận, huyện", "commune": "xã, phường"}
                 .get(self.level, self.level)),
                ("HTX trong danh sách", f"{len(self.roster):,}".replace(",", ".")),
                ("Phiếu nhận / hợp lệ", f"{len(self.ledger)} / {int(c.get('accepted', 0))}"),
                ("So sánh với vòng", str(self.previous_year or "—"))]
        body = "".join(f"<tr><th style='text-align:left;padding:2px 12px 2px 0'>"
                       f"{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                       for k, v in rows)
        return nfc(f"<table>{body}</table><p style='color:#555;font-size:0.9em'>"
                   "Dùng <code>.respondents</code> để phân tích, <code>.results</code> cho số "
                   "liệu báo cáo.</p>")

    def __repr__(self) -> str:
        return (f"RoundData({self.year}, level={self.level!r}, roster={len(self.roster)}, "
                f"responses={len(self.responses)})")


def analyst_frame(responses: pd.DataFrame, scored: pd.DataFrame, roster: pd.DataFrame,
                  codebook: Codebook, units: Units, level: str) -> pd.DataFrame:
    """The respondent frame of :attr:`RoundData.respondents` from its parts.

    ``scored`` is ``Results.respondents`` of the same responses (dimension scores, INDEX,
    OVERALL by coop_id).
    """
    r = responses.reset_index(drop=True)
    unit = r[LEVEL_COLUMNS[level]].astype(str)
    names = units.table["name"].to_dict()
    out = pd.DataFrame({
        "coop_id": r["coop_id"], "unit": unit, "unit_name": unit.map(names),
        "district_code": r["district_code"], "commune_code": r["commune_code"],
        "sector": r["sector"],
        "sector_name": r["sector"].map(lambda s: codebook.sectors[s]["vi"]),
        "variant": r["variant"], "member": r["member"].astype(bool)})
    info = roster.drop_duplicates("coop_id").set_index("coop_id")
    out = out.join(info[[c for c in _ROSTER_INFO if c in info.columns]], on="coop_id")
    measures = [d.id for d in codebook.dimensions] + [INDEX, codebook.overall.id]
    out = out.join(scored.drop_duplicates("coop_id").set_index("coop_id")[measures],
                   on="coop_id")
    items = [it.id for it in codebook.items]
    out[items] = r[items].to_numpy(dtype="float64")
    return out


def load_round(round_year: int | str | None = None, config_path: str | Path | None = None,
               *, force: bool = False) -> RoundData:
    """A round's validated data and results in one call.

    The round is validated and scored once and stored under ``data/processed/<year>/``
    (:func:`hailong.numbers.pipeline.load_results`); later calls read what is stored.

    Parameters
    ----------
    round_year
        The survey round (default: ``current_round`` of the configuration).
    config_path
        The configuration (default: ``data/hailong.yaml``).
    force
        Validate and score again even if the stored data are up to date.

    Raises
    ------
    ParameterError
        Unknown round, or a round whose files are missing (lists the rounds with data).

    Examples
    --------
    >>> data = load_round(2022)                                    # doctest: +SKIP
    >>> r = data.respondents
    >>> r[r["unit"] == "311"].groupby("sector_name")["D08"].mean()   # doctest: +SKIP
    """
    from hailong.ingest import store
    from hailong.numbers import pipeline

    config = load_config(config_path)
    rnd = check_round_has_data(config, round_year)
    results = pipeline.load_results(rnd.year, config.path, force=force)
    ctx = pipeline.open_round(rnd.year, config.path)
    validated = store.read_processed(ctx.processed_dir)
    return RoundData(config=config, round=rnd, codebook=ctx.codebook, units=ctx.units,
                     roster=validated.roster, responses=validated.responses,
                     ledger=validated.ledger, results=results)


# --------------------------------------------------------------------------- item mappings

@dataclass(frozen=True)
class ItemMapping:
    """Which scored item of an older codebook version is which of a newer one.

    Attributes
    ----------
    items
        ``{old item id: new item id or None}`` for every scored item of the older version
        (``None``: no comparable question).
    notes
        ``{old item id: note}`` for the items whose mapping has a note.
    added
        Items of the newer version without a counterpart.
    """

    from_version: str
    to_version: str
    items: dict[str, str | None]
    notes: dict[str, str] = field(default_factory=dict)
    added: tuple[str, ...] = ()
    path: Path | None = None

    def inverse(self) -> ItemMapping:
        """The same mapping read from the newer version to the older one."""
        back = {new: old for old, new in self.items.items() if new is not None}
        back.update(dict.fromkeys(self.added))
        return ItemMapping(self.to_version, self.from_version, back, {}, tuple(
            old for old, new in self.items.items() if new is None), self.path)

    @classmethod
    def identity(cls, codebook: Codebook) -> ItemMapping:
        """Every item is itself (two rounds with the same codebook version)."""
        ids = {it.id: it.id for it in codebook.scored_items}
        return cls(codebook.version, codebook.version, ids)


def load_item_mapping(path: str | Path, old: Codebook | None = None,
                      new: Codebook | None = None) -> ItemMapping:
    """Read a mapping file; with the codebooks, check it against them.

    Raises
    ------
    ConfigError
        Missing file or keys; with ``old``/``new``: versions that differ from the file's,
        an item of the older version not listed, a target that is not an item of the newer
        version, or two items mapped to the same one.
    """
    path = Path(path)
    raw = read_yaml(path, "what.item_mapping_file")
    try:
        items, notes = {}, {}
        for old_id, target in (raw["items"] or {}).items():
            if isinstance(target, dict):
                if "note" in target:
                    notes[str(old_id)] = nfc(str(target["note"]))
                target = target.get("to")
            items[str(old_id)] = None if target is None else str(target)
        mapping = ItemMapping(str(raw["from"]), str(raw["to"]), items, notes,
                              tuple(str(x) for x in raw.get("added") or ()), path)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigError("err.item_mapping_valid", file=path, expected="exp.keys_from_items_see",
                          exc=exc) from None
    if old is not None and new is not None:
        _check_mapping(mapping, old, new)
    return mapping


def _check_mapping(m: ItemMapping, old: Codebook, new: Codebook) -> None:
    if (m.from_version, m.to_version) != (old.version, new.version):
        raise ConfigError("err.item_mapping_other_codebook", file=m.path,
                          found=f"{m.from_version} -> {m.to_version}",
                          expected="exp.mapping_versions", version=old.version,
                          version2=new.version)
    old_ids = [it.id for it in old.scored_items]
    new_ids = {it.id for it in new.scored_items}
    unlisted = [i for i in old_ids if i not in m.items]
    if unlisted:
        raise ConfigError("err.item_mapping_does_list", file=m.path, found=unlisted,
                          hint="hint.map_each_item_newer")
    unknown = [t for t in m.items.values() if t is not None and t not in new_ids]
    if unknown:
        raise ConfigError("err.item_mapping_names_items", file=m.path, found=unknown,
                          expected=", ".join(sorted(new_ids)))
    targets = [t for t in m.items.values() if t is not None]
    twice = sorted({t for t in targets if targets.count(t) > 1})
    if twice:
        raise ConfigError("err.two_items_older_version", file=m.path, found=twice)


def find_mapping(old: Codebook, new: Codebook, folder: str | Path | None = None) -> ItemMapping:
    """The item mapping from codebook ``old`` to ``new``.

    The same version gives the identity; otherwise a ``mapping-*.yaml`` in ``folder``
    (default: the folder of ``new``) whose ``from``/``to`` are the two versions, read in
    either direction.

    Raises
    ------
    ConfigError
        If there is no such file (items must never be compared blindly).
    """
    if old.version == new.version:
        return ItemMapping.identity(new)
    folder = Path(folder or new.path.parent)
    for path in sorted(folder.glob(MAPPING_GLOB)):
        raw = read_yaml(path, "what.item_mapping_file")
        pair = (str(raw.get("from")), str(raw.get("to")))
        if pair == (old.version, new.version):
            return load_item_mapping(path, old, new)
        if pair == (new.version, old.version):
            return load_item_mapping(path, new, old).inverse()
    raise ConfigError("err.item_mapping_between_codebook", file=folder, expected="exp.file_from",
                      hint="hint.write_one_see_mapping", version=old.version,
                      version2=new.version, mapping_glob=MAPPING_GLOB)


# --------------------------------------------------------------------------- trends

@dataclass(frozen=True)
class RoundInput:
    """One round to line up: its canonical responses and what they are coded by.

    Attributes
    ----------
    year
        The round.
    responses
        Canonical responses (``docs/design.md``): unit codes, ``sector``, ``variant``,
        ``member``, item columns by ``codebook``'s ids.
    codebook
        The round's questionnaire.
    same_geography
        ``True`` when the responses' unit codes are those of the target units (no
        crosswalk needed).
    roster
        The round's roster: with it (and :func:`line_up`'s ``stats``) the city's figures
        are weighted as the round's headline (``Results.weighted``); without it they are
        unweighted.
    units, level
        The round's own geography, for its weights when ``same_geography`` is False
        (default: the target's).
    """

    year: int
    responses: pd.DataFrame
    codebook: Codebook
    same_geography: bool = True
    roster: pd.DataFrame | None = None
    units: Units | None = None
    level: str | None = None


@dataclass(frozen=True)
class Trend:
    """Figures of several rounds per unit and measure (see :func:`line_up`).

    Attributes
    ----------
    table
        ``unit, round, kind, measure, n, mean, index, index_se, satisfied, suppressed,
        approximate, sources, previous_round, change, change_low, change_high,
        significant``, sorted by unit (target units' order, city last), measure (codebook
        order) and round. The city's ``mean, index, index_se, satisfied`` are weighted
        when the rounds came with rosters. ``sources``: the earlier units a figure was
        built from (empty when the unit is the same); ``change``: index points since
        ``previous_round``; ``change_low``, ``change_high``: its paired interval;
        ``significant``: the interval excludes 0.
    rounds
        The rounds lined up, oldest first.
    items
        The items every round asked (ids of the target codebook).
    items_left_out
        Items of the target codebook left out because some round did not ask them.
    notes
        Notes of the item mappings used (``{item id: note}``).
    """

    table: pd.DataFrame
    rounds: tuple[int, ...]
    items: tuple[str, ...]
    items_left_out: tuple[str, ...]
    notes: dict[str, str] = field(default_factory=dict)
    min_n: int = 5

    def unit(self, code: str) -> pd.DataFrame:
        """The rows of one unit (``"city"`` for the whole city)."""
        return self.table[self.table["unit"] == str(code)].reset_index(drop=True)

    def wide(self, unit: str = CITY, value: str = "index") -> pd.DataFrame:
        """One row per measure, one column per round (``value`` of each), for a unit."""
        t = self.unit(unit)
        figures = ("mean", "index", "satisfied")
        v = t[value].where(~t["suppressed"]) if value in figures else t[value]
        return (t.assign(v=v).pivot(index="measure", columns="round", values="v")
                .reindex(pd.unique(t["measure"])))

    def _repr_html_(self) -> str | None:
        """In a notebook: the city's trend (the view registered by
        :mod:`hailong.present.display`)."""
        return html_view(self)


def _common_codebook(target: Codebook, keep: set[str]) -> Codebook:
    """``target`` restricted to the items in ``keep`` (dimensions left empty are dropped)."""
    dims = []
    for d in target.dimensions:
        items = tuple(i for i in d.items if i.id in keep)
        if items:
            dims.append(Dimension(id=d.id, vi=d.vi, en=d.en, items=items))
    return dataclasses.replace(target, dimensions=tuple(dims))


def _renamed(inp: RoundInput, mapping: ItemMapping, keep: list[str]) -> pd.DataFrame:
    """The round's responses with item columns renamed to the target ids in ``keep``."""
    back = {new: old for old, new in mapping.items.items() if new is not None}
    r = inp.responses.reset_index(drop=True).copy()
    for item in keep:
        r[f"__{item}"] = r[back[item]].astype("float64")
    r = r.drop(columns=[c for c in r.columns if c in set(mapping.items) | set(keep)])
    return r.rename(columns={f"__{i}": i for i in keep})


def _placed(resp: pd.DataFrame, inp: RoundInput, unit_col: str, crosswalk: Crosswalk | None,
            from_level: str, rule: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Responses with ``unit_col`` set to target unit codes (several rows per respondent
    under the ``pool`` rule) and the per-unit basis (``unit, sources, approximate``)."""
    if inp.same_geography:
        return resp, pd.DataFrame(columns=["unit", "sources", "approximate"])
    if crosswalk is None:
        raise ConfigError("err.round_other_units_than", hint="hint.add_crosswalk_target_round",
                          year=inp.year)
    placed = crosswalk.carry(resp[LEVEL_COLUMNS[from_level]].astype(str), rule)
    placed = placed.dropna(subset=["unit"])
    out = resp.loc[placed["record"].to_numpy()].copy()
    out[unit_col] = placed["unit"].to_numpy()
    basis = (placed.groupby("unit")
             .agg(sources=("from_code", lambda s: ";".join(sorted(set(s)))),
                  approximate=("approximate", "any")).reset_index())
    return out.reset_index(drop=True), basis


def _values(res: Results, placed: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Every respondent's value per unit (and the city) and measure: ``unit, measure,
    coop_id, value`` (scale units; no answer left out)."""
    measures = [d.id for d in codebook.dimensions] + [INDEX, codebook.overall.id]
    resp = res.respondents
    long = resp.melt(id_vars=["unit", "coop_id"], value_vars=measures, var_name="measure")
    items = [it.id for it in codebook.items]
    long_items = placed.assign(unit=resp["unit"].to_numpy(),
                               coop_id=resp["coop_id"].to_numpy()).melt(
        id_vars=["unit", "coop_id"], value_vars=items, var_name="measure")
    long = pd.concat([long, long_items], ignore_index=True).dropna(subset=["value"])
    return pd.concat([long, long.assign(unit=CITY)], ignore_index=True)


def _index_se(values: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Standard error of the 0–100 index per unit (and city) and measure.

    ``se(index) = s / √n × 100 / (max - min)`` over the respondents' ``values``
    (:func:`_values`), model-based as every interval of the reports
    (``scoring.VARIANCE``: no finite population correction); where every value is alike
    (``s = 0``) ``s`` is taken as ``1/√n``, as in ``Results.scores``, so that no interval
    has zero width.
    """
    g = values.groupby(["unit", "measure"])["value"]
    sd, n = g.std(ddof=1), g.size().astype("float64")
    sd = sd.where(sd != 0, 1 / np.sqrt(n))
    scale = 100 / (codebook.scale.max - codebook.scale.min)
    return (sd / np.sqrt(n) * scale).rename("index_se").reset_index()


def _overlap(now: pd.DataFrame, before: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Covariance (index points²) of two rounds' figures per unit and measure, from the
    cooperatives in both (:func:`hailong.numbers.stats.overlap_covariance`): ``unit,
    measure, cov``. ``now``, ``before``: :func:`_values` of each round."""
    key = ["unit", "measure"]
    known = [v[v["coop_id"].notna() & (v["coop_id"].astype(str) != "")]
             .drop_duplicates([*key, "coop_id"], keep=False) for v in (now, before)]
    pairs = known[0].merge(known[1], on=[*key, "coop_id"], suffixes=("_1", "_2"))
    pairs = pairs.assign(xy=pairs["value_1"] * pairs["value_2"])
    g = pairs.groupby(key)
    m = g.size().astype("float64")
    sx, sy, sxy = g["value_1"].sum(), g["value_2"].sum(), g["xy"].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        s12 = (sxy - sx * sy / m) / (m - 1)
    n1 = now.groupby(key).size().reindex(m.index)
    n2 = before.groupby(key).size().reindex(m.index)
    scale = 100 / (codebook.scale.max - codebook.scale.min)
    cov = st.overlap_covariance(s12, m, n1, n2) * scale ** 2
    return pd.DataFrame({"cov": cov}, index=m.index).reset_index()


def _weighted_city(inp: RoundInput, resp: pd.DataFrame, codebook: Codebook, units: Units,
                   level: str, min_n: int, stats: StatsSettings | None) -> pd.DataFrame | None:
    """The round's weighted city figures on the common questions (``Results.weighted``
    of the round's responses and roster, in the round's own geography): ``measure,
    w_mean, w_index, w_se, w_satisfied``; ``None`` without a roster."""
    if inp.roster is None:
        return None
    own_units, own_level = ((units, level) if inp.same_geography else
                            (units if inp.units is None else inp.units,
                             inp.level or level))
    settings = dataclasses.replace(stats or StatsSettings(), secondary_suppression=False,
                                   ranked=())
    w = compute_results(resp, inp.roster, codebook, own_units, level=own_level, min_n=min_n,
                        stats=settings).weighted
    if not len(w):
        return None
    return w[["measure", "mean", "index", "se", "satisfied"]].rename(columns={
        "mean": "w_mean", "index": "w_index", "se": "w_se", "satisfied": "w_satisfied"})


def line_up(rounds: Sequence[RoundInput], codebook: Codebook, units: Units,
            level: str = "district", min_n: int = 5, mappings: dict | None = None,
            crosswalk: Crosswalk | None = None, from_level: str = "district",
            rule: str = "assign", withheld: Mapping[int, Collection[str]] | None = None,
            stats: StatsSettings | None = None) -> Trend:
    """Figures of several rounds on the same items and units, with the change between them.

    Parameters
    ----------
    rounds
        The rounds, any order (sorted by year here).
    codebook, units, level
        The target round's questionnaire, geography and reporting level: every round's
        figures are given for these units and in this codebook's ids.
    min_n
        Figures resting on fewer respondents are withheld (and so is their change).
    mappings
        ``{round year: ItemMapping}`` from that round's codebook to ``codebook``; rounds
        not listed use :func:`find_mapping`.
    crosswalk, from_level, rule
        For rounds with ``same_geography=False``: their ``from_level`` unit codes are
        placed into ``units`` by ``crosswalk.carry(..., rule)``.
    withheld
        ``{round year: unit codes}`` that the round's published reports withhold: they
        are withheld in the trend too. Each round's table is also protected on its own
        (:func:`hailong.numbers.disclosure.complements`, the city as its total), so no
        withheld figure can be worked out from the trend table.
    stats
        The weighting settings (``statistics:``) for the city's weighted figures of the
        rounds given with their roster.

    Notes
    -----
    The change's interval is paired (:func:`_changes`): ``Var(change) = se_now² +
    se_before² − 2 Cov`` with ``Cov = s₁₂ n₁₂ / (n_now n_before)`` over the ``n₁₂``
    cooperatives in both rounds and the same unit (Kish 1965 §12.4). For the weighted
    city the covariance is scaled by both rounds' ``se_weighted / se_unweighted`` (the
    weighting is taken to leave the correlation between rounds unchanged).

    Returns
    -------
    Trend

    Examples
    --------
    Two rounds of one district, item ``D08_1`` renamed between versions via the mapping:
    see ``tests/test_rounds.py``.
    """
    rounds = sorted(rounds, key=lambda r: r.year)
    mappings = {**{r.year: find_mapping(r.codebook, codebook) for r in rounds
                   if r.year not in (mappings or {})}, **(mappings or {})}
    scored = [it.id for it in codebook.scored_items]
    asked = [{v for v in mappings[r.year].items.values() if v is not None} for r in rounds]
    keep = [i for i in scored if all(i in a for a in asked)]
    if codebook.overall.id not in keep:
        raise ConfigError("err.overall_question_asked_every",
                          found=[r.year for r, a in zip(rounds, asked)
                                 if codebook.overall.id not in a])
    common = _common_codebook(codebook, set(keep))
    unit_col = LEVEL_COLUMNS[level]
    # the rounds' own rule for a cooperative's index, without the reports' other settings
    plain = StatsSettings(secondary_suppression=False,
                          min_index_share=(stats or StatsSettings()).min_index_share)
    frames, values = [], []
    for inp in rounds:
        resp = _renamed(inp, mappings[inp.year], keep)
        placed, basis = _placed(resp, inp, unit_col, crosswalk, from_level, rule)
        res = compute_results(placed, placed, common, units, level=level, min_n=min_n,
                              stats=plain)
        s, vals = res.scores, _values(res, placed, common)
        if len(placed) != len(resp):  # pooled or dropped: the city is every respondent
            whole = resp.assign(**{unit_col: "__"})
            city = compute_results(whole, whole, common, units, level=level, min_n=min_n,
                                   stats=plain)
            s = pd.concat([s[s["unit"] != CITY], city.scores[city.scores["unit"] == CITY]])
            city_vals = _values(city, whole, common)
            vals = pd.concat([vals[vals["unit"] != CITY], city_vals[city_vals["unit"] == CITY]])
        values.append(vals)
        s = s.merge(_index_se(vals, common), on=["unit", "measure"], how="left")
        s["_root"] = 1.0
        w = _weighted_city(inp, resp, common, units, level, min_n, stats)
        if w is not None:  # the city as the headline: weighted
            s = s.merge(w, on="measure", how="left")
            is_city = (s["unit"] == CITY) & s["w_index"].notna()
            with np.errstate(divide="ignore", invalid="ignore"):
                s.loc[is_city, "_root"] = s["w_se"] / s["index_se"]
            for col in ("mean", "index", "index_se", "satisfied"):
                s.loc[is_city, col] = s.loc[is_city, f"w_{col.replace('index_', '')}"]
            s = s.drop(columns=["w_mean", "w_index", "w_se", "w_satisfied"])
        s = _protected(s, list(res.units["unit"].astype(str)), min_n,
                       (withheld or {}).get(inp.year, ()))
        s = s.merge(basis, on="unit", how="left")
        # A round on other units: its city had another territory too (e.g. before a merger).
        s["approximate"] = s["approximate"].eq(True) | ((s["unit"] == CITY)
                                                        & (not inp.same_geography))
        s["sources"] = s["sources"].fillna("").astype(str)
        frames.append(s.assign(round=inp.year))
    t = pd.concat(frames, ignore_index=True)
    order = {m: k for k, m in enumerate(res.measures["measure"])}
    unit_order = {u: k for k, u in enumerate(res.units["unit"])}
    t = t.assign(_u=t["unit"].map(unit_order), _m=t["measure"].map(order))
    cov = pd.concat([_overlap(values[k], values[k - 1], common).assign(round=r.year)
                     for k, r in enumerate(rounds) if k > 0]
                    or [pd.DataFrame(columns=["unit", "measure", "cov", "round"])])
    t = t.merge(cov, on=["unit", "measure", "round"], how="left")
    t = t.sort_values(["_u", "_m", "round"]).drop(columns=["_u", "_m"]).reset_index(drop=True)
    t = _changes(t, 100 / (common.scale.max - common.scale.min))
    cols = ["unit", "round", "kind", "measure", "n", "mean", "index", "index_se",
            "satisfied", "suppressed", "approximate", "sources", "previous_round", "change",
            "change_low", "change_high", "significant"]
    notes = {}
    for inp in rounds:
        m = mappings[inp.year]
        notes.update({m.items[k]: v for k, v in m.notes.items() if m.items.get(k) in keep})
    return Trend(table=t[cols], rounds=tuple(r.year for r in rounds), items=tuple(keep),
                 items_left_out=tuple(i for i in scored if i not in keep), notes=notes,
                 min_n=min_n)


def comparable_respondents(rounds: Sequence[RoundData],
                           codebook: Codebook | None = None) -> dict[int, pd.DataFrame]:
    """Each round's respondent frame scored on the items every round asked.

    Items carry the ids of ``codebook`` (default: the newest round's), matched through the
    item mappings; dimension scores and ``INDEX`` are recomputed on the common items, so a
    dimension means the same questions in every frame. Units stay each round's own.

    Returns
    -------
    dict
        ``{round: frame}`` with the columns of :attr:`RoundData.respondents`.

    Examples
    --------
    >>> frames = comparable_respondents([load_round(2021), load_round(2022)])  # doctest: +SKIP
    >>> explore.compare(frames, rows="sector_name", measure="D08")            # doctest: +SKIP
    """
    rounds = sorted(rounds, key=lambda d: d.year)
    codebook = codebook or rounds[-1].codebook
    mappings = {d.year: find_mapping(d.codebook, codebook) for d in rounds}
    asked = [{v for v in mappings[d.year].items.values() if v is not None} for d in rounds]
    keep = [it.id for it in codebook.scored_items if all(it.id in a for a in asked)]
    common = _common_codebook(codebook, set(keep))
    out = {}
    for d in rounds:
        resp = _renamed(RoundInput(d.year, d.responses, d.codebook), mappings[d.year], keep)
        res = compute_results(resp, resp, common, d.units, level=d.level, min_n=d.min_n)
        out[d.year] = analyst_frame(resp, res.respondents, d.roster, common, d.units, d.level)
    return out


#: The figures of a trend row that a withheld row does not show.
_TREND_FIGURES = ("mean", "index", "satisfied", "index_se")


def _protected(scores: pd.DataFrame, codes: list[str], min_n: int,
               withheld: Collection[str]) -> pd.DataFrame:
    """One round's trend rows with the units its reports withhold and the complements
    of its own table withheld (figures blanked)."""
    t = disclosure.withhold_units(scores, withheld, _TREND_FIGURES)
    newly = disclosure.complements(t, codes, min_n)
    t.loc[newly, "suppressed"] = True
    t.loc[t["suppressed"].astype(bool), list(_TREND_FIGURES)] = np.nan
    return t


def _changes(t: pd.DataFrame, step: float) -> pd.DataFrame:
    """``previous_round``, ``change`` (index points) and its paired interval per unit ×
    measure (:func:`hailong.numbers.stats.paired_change_interval`).

    ``t`` carries ``cov`` (index points², from the cooperatives in both rounds, NaN for
    none) and ``_root`` (``se_weighted / se_unweighted`` of a weighted city figure, else
    1), which scales the covariance. ``step``: one answer step in index points, for the
    floor ``step / √(n_now · n_before)`` of the change's se (no zero-width interval).
    """
    g = t.groupby(["unit", "measure"], sort=False)
    t["previous_round"] = g["round"].shift(1).astype("Int64")
    prev_index = g["index"].shift(1)
    prev_sup = g["suppressed"].shift(1).eq(True)
    shown = ~t["suppressed"] & ~prev_sup
    t["change"] = (t["index"] - prev_index).where(shown)
    cov = t["cov"].astype("float64").fillna(0.0) * t["_root"] * g["_root"].shift(1)
    n_now, n_before = t["n"].astype("float64"), g["n"].shift(1).astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        floor = step / np.sqrt(n_now * n_before)
    _, low, high, sig, _ = st.paired_change_interval(
        t["index"], t["index_se"], prev_index, g["index_se"].shift(1), cov, floor)
    t["change_low"] = pd.Series(low, index=t.index).where(shown)
    t["change_high"] = pd.Series(high, index=t.index).where(shown)
    t["significant"] = pd.Series(sig, index=t.index) & shown
    return t.drop(columns=["cov", "_root"])


def trend(round_year: int | str | None = None, config_path: str | Path | None = None, *,
          years: Sequence[int] | None = None) -> Trend:
    """Every round up to ``round_year`` lined up on that round's units and items.

    Parameters
    ----------
    round_year
        The target round (default: the current round): its codebook, units and level.
    config_path
        The configuration (default: ``data/hailong.yaml``).
    years
        The rounds to line up (default: every round up to ``round_year`` that has data).

    Raises
    ------
    ParameterError
        An unknown round or one without data.
    ConfigError
        No item mapping between two codebook versions, or a geography change without a
        crosswalk.

    Examples
    --------
    >>> tr = trend(2022)                                            # doctest: +SKIP
    >>> tr.wide("311").loc["D08"]       # land access in Thuỷ Nguyên, 2021 and 2022
    """
    config = load_config(config_path)
    target = check_round_has_data(config, round_year)
    have = set(available_rounds(config=config))
    years = sorted(years) if years else [y for y in config.rounds_until(target.year)
                                         if y in have]
    if target.year not in years:
        years.append(target.year)
    codebook = load_codebook(target.codebook)
    units = load_units(target.units, target.geography_date)
    inputs, withheld = [], {}
    for y in years:
        data = load_round(y, config.path)
        same = (data.round.units == target.units and data.level == target.unit_level)
        inputs.append(RoundInput(y, data.responses, data.codebook, same, roster=data.roster,
                                 units=data.units, level=data.level))
        if same:  # what the round's own reports withhold stays withheld in the trend
            withheld[y] = withheld_units(data.results)
    # a unit the target round withholds shows no trend at all: none of its rounds
    for y in years:
        withheld[y] = set(withheld.get(y, ())) | set(withheld.get(target.year, ()))
    spec = target.crosswalk
    cw = load_crosswalk(spec.file) if spec else None
    return line_up(inputs, codebook, units, target.unit_level, config.min_n,
                   crosswalk=cw, from_level=spec.from_level if spec else "district",
                   rule=spec.rule if spec else "assign", withheld=withheld,
                   stats=config.stats)


def withheld_units(results: Results) -> set[str]:
    """The units whose overall index a round's published results withhold (primary or
    secondary): every figure of theirs is withheld."""
    s = results.scores
    rows = s[(s["measure"] == INDEX) & (s["unit"] != CITY) & s["suppressed"].astype(bool)]
    return set(rows["unit"].astype(str))
