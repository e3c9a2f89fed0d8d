"""Map of the units by index (choropleth), drawn with matplotlib from a GeoJSON file.

:func:`boundaries_for` reads a round's boundaries (``maps.yaml`` beside its unit table,
:func:`load_boundaries`) and :func:`choropleth` colours the units by tier or quartile.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from hailong.core.text import nfc
from hailong.present import fmt
from hailong.present.charts.base import (
    NARROW_WIDTH,
    SIZES,
    TIER_COLOURS,
    _finish,
    _notes,
    narrow,
    responsive,
    set_theme,
)
from hailong.present.charts.units import _by_unit, _index_rows, _tier_colours

SIZES.update({"map": (9.0, 5.6)})
#: The phone variant of the map: the map on top, the key and the inset under it.
_NARROW_MAP_HEIGHT = 6.4
#: Withheld units of a map are light grey and hatched (classes: :data:`TIER_COLOURS`).
WITHHELD_COLOUR, WITHHELD_EDGE = "#f0f0f0", "#9a9a9a"
#: Name of the file, beside a round's unit table, listing the boundary files.
MAPS_FILE = "maps.yaml"


@dataclass(frozen=True)
class Boundaries:
    """Unit boundaries for a map.

    Attributes
    ----------
    level
        The reporting level the shapes draw (``"district"``).
    shapes
        ``{unit code: [ring, ...]}``; a ring is an ``(n, 2)`` array of longitude, latitude.
    attribution
        ``{lang: text}`` quoted in the map's source line (the data's licence).
    label_offsets
        ``{unit code: (east, north)}`` in degrees: labels moved off a unit too small to
        hold them, joined to it by a line.
    """

    level: str
    shapes: dict[str, list[np.ndarray]]
    attribution: dict[str, str] = field(default_factory=dict)
    label_offsets: dict[str, tuple[float, float]] = field(default_factory=dict)
    path: Path | None = None


def load_boundaries(path: str | Path, key: str = "code", level: str = "district",
                    attribution: Mapping[str, str] | None = None,
                    label_offsets: Mapping[str, Sequence[float]] | None = None) -> Boundaries:
    """Read a GeoJSON FeatureCollection of (Multi)Polygons, keyed by the property ``key``.

    Raises
    ------
    ConfigError
        The file is missing, not GeoJSON, or a feature lacks ``key``.
    """
    import json

    from hailong.core.errors import ConfigError

    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        shapes: dict[str, list[np.ndarray]] = {}
        for k, feature in enumerate(data["features"], start=1):
            props, geom = feature.get("properties") or {}, feature["geometry"]
            if key not in props:
                raise ConfigError("err.boundary_unit_code", file=path, row=k,
                                  expected="exp.property_gso_code", key_=key)
            polygons = (geom["coordinates"] if geom["type"] == "MultiPolygon"
                        else [geom["coordinates"]])
            shapes[str(props[key])] = [np.asarray(ring, dtype=float)[:, :2]
                                       for poly in polygons for ring in poly]
    except FileNotFoundError:
        raise ConfigError("err.boundary_file_does_exist", file=path) from None
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise ConfigError("err.boundary_file_valid_geojson", file=path,
                          expected="exp.featurecollection_polygon_multipolygon_features",
                          exc=exc) from None
    return Boundaries(level=level, shapes=shapes, attribution=dict(attribution or {}),
                      label_offsets={str(c): (float(v[0]), float(v[1]))
                                     for c, v in (label_offsets or {}).items()},
                      path=path)


def boundaries_for(round_year: int | str | None = None,
                   config_path: str | Path | None = None) -> Boundaries | None:
    """The boundaries of a round's reporting units, or ``None`` when there are none.

    Looks up ``maps.yaml`` beside the round's unit table (``data/reference/``) for an
    entry with the round's unit table and level. The 2025 communes have none: their
    reports skip the map with a note (:func:`hailong.present.narrative.no_map_note`).

    Raises
    ------
    ConfigError
        A malformed ``maps.yaml`` or boundary file.
    """
    from hailong.core.errors import ConfigError
    from hailong.core.yamlfile import read_yaml
    from hailong.reference.config import load_config

    rnd = load_config(config_path).round(round_year)
    catalogue = Path(rnd.units).parent / MAPS_FILE
    if not catalogue.is_file():
        return None
    entries = read_yaml(catalogue, "what.boundary_list").get("maps") or []
    try:
        for e in entries:
            if e["units"] == Path(rnd.units).name and e["level"] == rnd.unit_level:
                return load_boundaries(catalogue.parent / e["file"], e.get("key", "code"),
                                       e["level"], e.get("attribution"),
                                       e.get("label_offsets"))
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigError("err.list_boundary_files_valid", file=catalogue, expected="exp.maps_list",
                          exc=exc) from None
    return None


def _ring_area_centroid(ring: np.ndarray) -> tuple[float, float, float]:
    """Area (absolute) and centroid of a closed ring (shoelace formula)."""
    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    if abs(area) < 1e-15:
        return 0.0, float(x.mean()), float(y.mean())
    cx = ((x + np.roll(x, -1)) * cross).sum() / (6 * area)
    cy = ((y + np.roll(y, -1)) * cross).sum() / (6 * area)
    return abs(float(area)), float(cx), float(cy)


def _anchor(rings: list[np.ndarray]) -> tuple[float, float]:
    """Where a unit's label goes: the centroid of its largest ring."""
    best = max((_ring_area_centroid(r) for r in rings), key=lambda a: a[0])
    return best[1], best[2]


def _remote(shapes: Mapping[str, list[np.ndarray]]) -> list[str]:
    """Units far from all the others (an island district): drawn in an inset."""
    if len(shapes) < 3:
        return []
    anchors = {c: np.array(_anchor(r)) for c, r in shapes.items()}
    middle = np.median(np.array(list(anchors.values())), axis=0)
    dist = {c: float(np.hypot(*(a - middle))) for c, a in anchors.items()}
    typical = float(np.median(list(dist.values())))
    return [c for c, d in dist.items() if d > max(4 * typical, 0.3)]


def _unit_patch(rings: list[np.ndarray], code: str, **style):
    """One patch for all rings of a unit (``gid`` = the unit's code)."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    # each ring closed on its first point, as arrays (a tenth of the time of lists)
    verts = np.concatenate([np.vstack([ring, ring[:1]]) for ring in rings]).astype(float)
    codes = np.concatenate([
        np.concatenate([[MplPath.MOVETO], np.full(len(ring) - 1, MplPath.LINETO),
                        [MplPath.CLOSEPOLY]]) for ring in rings]).astype(MplPath.code_type)
    patch = PathPatch(MplPath(verts, codes), **style)
    patch.set_gid(code)
    return patch


def _tier_bins(meta: Mapping, lang: str) -> list[tuple[str, float, str]]:
    """``(tier id, lower bound, legend label)`` best first: "Khá (65–<80)"."""
    tiers = sorted(meta.get("tiers") or [], key=lambda t: -float(t["lower"]))
    out, upper = [], None
    for t in tiers:
        lo = fmt.number(t["lower"], 0, lang)
        name = nfc(str(t[lang]))
        if upper is None:
            span = f"≥ {lo}"
        elif float(t["lower"]) <= 0:
            span = f"< {fmt.number(upper, 0, lang)}"
        else:
            span = f"{lo}–<{fmt.number(upper, 0, lang)}"
        out.append((t["id"], float(t["lower"]), f"{name} ({span})"))
        upper = t["lower"]
    return out


def _classes(t: pd.DataFrame, meta: Mapping | None, how: str, lang: str
             ) -> tuple[pd.Series, list[tuple[str, str]]]:
    """Each unit's class and the legend ``[(class, label), ...]`` from low to high."""
    shown = t["value"].dropna()
    if how == "tier" and meta and meta.get("tiers"):
        bins = _tier_bins(meta, lang)

        def tier_of(row) -> object:
            if fmt.is_missing(row["value"]):
                return None
            if "tier" in row and not fmt.is_missing(row["tier"]) and row["tier"]:
                return row["tier"]
            printed = float(fmt.rounded(row["value"], 1))
            return next((i for i, lower, _ in bins if printed >= lower), bins[-1][0])

        cls = t.apply(tier_of, axis=1)
        return cls, [(i, label) for i, _, label in reversed(bins)]
    if how not in ("tier", "quartile"):
        raise ValueError(f"classes must be 'tier' or 'quartile', not {how!r}")
    k = min(4, shown.nunique()) or 1
    ranks = shown.rank(method="min")  # equal values always share a class
    group = np.ceil(ranks * k / len(shown)).astype(int) if len(shown) else ranks
    legend = []
    for g in range(1, k + 1):
        members = shown[group == g]
        if len(members):
            legend.append((f"q{g}", f"{fmt.number(members.min(), 1, lang)}–"
                                    f"{fmt.number(members.max(), 1, lang)}"))
    return group.map(lambda g: f"q{g}").reindex(t.index), legend


@responsive
def choropleth(
    scores: pd.DataFrame,
    boundaries: Boundaries,
    names: Mapping[str, str],
    *,
    source: str,
    meta: Mapping | None = None,
    lang: str = "vi",
    title: str | None = None,
    classes: str = "tier",
) -> Figure:
    """The units coloured by their satisfaction index, each labelled with its value.

    Units far from the others (the island district Bạch Long Vĩ) are drawn in an inset
    beside the map. A withheld unit is light grey, hatched and labelled "—", with its
    own legend entry. The source line quotes the boundaries' attribution.

    Parameters
    ----------
    scores
        ``Results.scores`` (the ``INDEX`` rows: ``index``, ``suppressed``, ``tier``).
    boundaries
        :func:`boundaries_for` / :func:`load_boundaries`; units are matched by code.
    names
        ``{unit code: short name}`` of the units to draw.
    classes
        ``"tier"`` (the tiers of ``meta``, same as the tables) or ``"quartile"`` (four
        groups of equal size).
    """
    import matplotlib.patheffects as pe

    fmt.check_lang(lang)
    rows = _index_rows(scores)
    rows = rows[rows["measure"] == "INDEX"] if "measure" in rows.columns else rows
    t = _by_unit(rows, names)
    t["value"] = t["index"].where(~t["suppressed"].astype(bool))
    t = t.set_index(t["unit"].astype(str))
    how = "tier" if classes == "tier" and meta and meta.get("tiers") else classes
    if how == "tier" and not (meta and meta.get("tiers")):
        how = "quartile"
    cls, legend = _classes(t, meta, how, lang)
    if how == "tier":  # the tiers' colours of the ranking chart
        colour_of = _tier_colours(meta)
    else:              # low to high: the same sequence, lightest first
        colour_of = {c: TIER_COLOURS[len(legend) - 1 - k] for k, (c, _) in enumerate(legend)}
    shapes = {c: boundaries.shapes[c] for c in names if c in boundaries.shapes}
    remote = _remote(shapes)
    set_theme()
    small = narrow()
    fig = Figure(figsize=(NARROW_WIDTH, _NARROW_MAP_HEIGHT) if small else SIZES["map"],
                 layout="constrained")
    if small:  # a phone: the map across the width, the key and the inset under it
        grid = fig.add_gridspec(2, 1, height_ratios=[3.2, 1.5])
        ax = fig.add_subplot(grid[0, 0])
        side = grid[1, 0].subgridspec(1, 2, width_ratios=[1.6, 1])
        key_ax = fig.add_subplot(side[0] if remote else side[:, :])
    else:
        grid = fig.add_gridspec(1, 2, width_ratios=[3.3, 1])
        ax = fig.add_subplot(grid[0, 0])
        side = grid[0, 1].subgridspec(2, 1, height_ratios=[2.2, 1])
        key_ax = fig.add_subplot(side[0] if remote else side[:, 0])
    key_ax.axis("off")
    halo = [pe.withStroke(linewidth=2.2, foreground="white")]
    withheld = False

    def draw(axis, code: str) -> None:
        nonlocal withheld
        value = t.loc[code, "value"] if code in t.index else np.nan
        if fmt.is_missing(value):
            withheld = True
            style = {"facecolor": WITHHELD_COLOUR, "edgecolor": WITHHELD_EDGE,
                     "hatch": "////", "linewidth": 0.5}
        else:
            style = {"facecolor": colour_of[cls[code]], "edgecolor": "white",
                     "linewidth": 0.7}
        # add_artist, not add_patch: the limits are set from the shapes below, and
        # add_patch would walk every vertex of the boundaries again to update them
        axis.add_artist(_unit_patch(shapes[code], code, **style))

    def label(axis, code: str, x: float, y: float, dx: float = 0.0, dy: float = 0.0) -> None:
        value = t.loc[code, "value"] if code in t.index else np.nan
        # a phone: the value alone (the names are in the chart's figures under it)
        text = (fmt.number(value, 1, lang) if small
                else f"{names[code]}\n{fmt.number(value, 1, lang)}")
        if dx or dy:
            axis.annotate(text, (x, y), xytext=(x + dx, y + dy), va="center",
                          ha="left" if dx > 0 else "right" if dx < 0 else "center",
                          fontsize=7.5, path_effects=halo, zorder=5,
                          arrowprops={"arrowstyle": "-", "color": "#555555",
                                      "linewidth": 0.6, "shrinkA": 0, "shrinkB": 2})
        else:
            axis.text(x, y, text, ha="center", va="center", fontsize=7.5,
                      path_effects=halo, zorder=5)

    main = [c for c in shapes if c not in remote]
    for code in main:
        draw(ax, code)
    points = np.concatenate([r for c in main for r in shapes[c]]) if main else np.zeros((1, 2))
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    for code in main:
        x, y = _anchor(shapes[code])
        dx, dy = boundaries.label_offsets.get(code, (0.0, 0.0))
        label(ax, code, x, y, dx, dy)
        x0, x1 = min(x0, x + dx - 0.08), max(x1, x + dx + 0.08)
        y0, y1 = min(y0, y + dy - 0.02), max(y1, y + dy + 0.02)
    pad = 0.02 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect(1 / np.cos(np.radians((y0 + y1) / 2)))
    ax.axis("off")
    for code in remote[:1]:  # one inset (the sample has one island)
        inset = fig.add_subplot(side[1])
        draw(inset, code)
        pts = np.concatenate(shapes[code])
        (a0, b0), (a1, b1) = pts.min(axis=0), pts.max(axis=0)
        span = max(a1 - a0, b1 - b0) * 1.6 + 1e-3
        cx, cy = (a0 + a1) / 2, (b0 + b1) / 2
        inset.set_xlim(cx - span, cx + span)
        inset.set_ylim(cy - span * 1.3, cy + span)
        inset.set_aspect(1 / np.cos(np.radians(cy)))
        inset.set_xticks([])
        inset.set_yticks([])
        for spine in inset.spines.values():
            spine.set_edgecolor("#999999")
        value = t.loc[code, "value"] if code in t.index else np.nan
        inset.text(0.5, 0.04, f"{names[code]}: {fmt.number(value, 1, lang)}",
                   transform=inset.transAxes, ha="center", va="bottom", fontsize=7.5)
    handles = [Patch(facecolor=colour_of[c], edgecolor="white", label=text)
               for c, text in reversed(legend)]
    if withheld:
        handles.append(Patch(facecolor=WITHHELD_COLOUR, edgecolor=WITHHELD_EDGE,
                             hatch="////", label=fmt.t("map_withheld", lang)))
    key_title = fmt.t("map_legend_title" if how == "tier" else "map_legend_quartile", lang)
    key_ax.legend(handles=handles, loc="upper left", frameon=False, title=key_title,
                  alignment="left", title_fontsize=9, handlelength=1.6, handleheight=1.1,
                  borderaxespad=0)
    attribution = boundaries.attribution.get(lang, "")
    line = f"{source}. {attribution}" if attribution else source
    line = _notes(line, lang, withheld, meta)
    labels = dict(legend)
    facts = [f"{names[c]} {fmt.number(t.loc[c, 'value'], 1, lang)}"
             + (f" ({labels[cls[c]].split(' (')[0]})" if cls.get(c) in labels else "")
             for c in names if c in t.index]
    return _finish(fig, title or fmt.t("map_title", lang, unit_level=boundaries.level), line,
                   facts)
