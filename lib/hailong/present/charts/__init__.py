"""The report charts: one seaborn theme, a title, axis units and a source line on each.

Every function takes plain DataFrames (rows of :class:`hailong.numbers.scoring.Results` tables,
or of a :class:`hailong.numbers.rounds.Trend`) and ``lang``, and returns a
:class:`matplotlib.figure.Figure` made without pyplot (no global figure state; nothing is
shown until :func:`show`); :func:`item_charts` returns several, each fitting an A4 page.
A withheld value (NaN: withheld by :mod:`hailong.numbers.disclosure`) is never drawn as 0:
its bar is left out and "—" is written in its place (a withheld unit of a map is grey and
hatched); given ``meta`` (``Results.meta``), the note under the chart says what "—" means
(:func:`hailong.present.fmt.withheld_note`).

Charts, by the report section they serve (one module each):

- :mod:`~hailong.present.charts.scores`: :func:`dimension_profile` (a unit against the
  city), :func:`district_comparison` (ranking with intervals, tiers, rank ranges),
  :func:`heatmap`;
- :mod:`~hailong.present.charts.distribution`: :func:`answer_distribution` (answers per
  dimension), :func:`item_distribution` / :func:`item_charts` (answers to each question,
  diverging bars);
- :mod:`~hailong.present.charts.coverage`: :func:`coverage_chart` (donut),
  :func:`coverage_by_district`;
- :mod:`~hailong.present.charts.themes`: :func:`theme_bars`;
- :mod:`~hailong.present.charts.maps`: :func:`choropleth` (map of the units from a
  GeoJSON file: :func:`boundaries_for`);
- :mod:`~hailong.present.charts.trend`: :func:`trend_chart` (index over the rounds);
- :mod:`~hailong.present.charts.progress`: the survey-progress charts.

They rest on :mod:`~hailong.present.charts.base` (theme, palette, figure, title and source
line, SVG output; each chart's phone variant, :func:`responsive`, and text alternative,
:func:`description`) and :mod:`~hailong.present.charts.units` (charts with one row per unit).

The charts with one row per unit have a ``*_pages`` form (:func:`coverage_pages`,
:func:`ranking_pages`, :func:`heatmap_pages`) returning a list of figures of at most
:data:`UNITS_PER_FIGURE` units each, titled "(1/4)", "(2/4)", ...: one figure for the 15
districts, four for the 114 communes of 2025. Titles name the units of the round's level
(``unit_level``, :func:`hailong.present.fmt.unit_words`).
"""

from __future__ import annotations

from hailong.present.charts.base import _TEXT_METRICS as _TEXT_METRICS
from hailong.present.charts.base import (
    CITY_COLOUR,
    FONT,
    NARROW_MEDIA,
    NARROW_MIME,
    NARROW_MIN_FONT,
    NARROW_WIDTH,
    NEUTRAL_COLOUR,
    PALETTE,
    REST_COLOUR,
    ROW_HEIGHT,
    ROWS_FIT,
    SCALE_COLOURS,
    SIZES,
    TIER_COLOURS,
    WHISKER_COLOUR,
    WRAP,
    contrast,
    description,
    figure_svg,
    luminance,
    narrow,
    responsive,
    set_theme,
    show,
    text_colour,
)
from hailong.present.charts.base import _share_text_metrics as _share_text_metrics
from hailong.present.charts.coverage import coverage_by_district, coverage_chart, coverage_pages
from hailong.present.charts.distribution import (
    ITEM_FRAME,
    ITEM_MAX,
    ITEM_ROW,
    ITEM_WRAP,
    answer_distribution,
    diverging_colours,
    item_charts,
    item_distribution,
    item_groups,
)
from hailong.present.charts.maps import (
    MAPS_FILE,
    WITHHELD_COLOUR,
    WITHHELD_EDGE,
    Boundaries,
    boundaries_for,
    choropleth,
    load_boundaries,
)
from hailong.present.charts.progress import (
    coverage_by_group,
    cumulative_curve,
    progress_by_district,
)
from hailong.present.charts.scores import (
    HEATMAP_CMAP,
    HEATMAP_COLUMNS,
    dimension_profile,
    district_comparison,
    heatmap,
    heatmap_pages,
    ranking_pages,
)
from hailong.present.charts.themes import theme_bars
from hailong.present.charts.trend import trend_chart
from hailong.present.charts.units import UNITS_PER_FIGURE, split_units

__all__ = [
    # theme, figures, SVG
    "FONT", "SIZES", "PALETTE", "TIER_COLOURS", "WHISKER_COLOUR", "CITY_COLOUR", "REST_COLOUR",
    "NEUTRAL_COLOUR", "WRAP", "ROW_HEIGHT", "ROWS_FIT", "set_theme", "figure_svg", "show",
    # phone variants, text alternatives, colours readers can tell apart
    "NARROW_WIDTH", "NARROW_MIN_FONT", "NARROW_MIME", "NARROW_MEDIA", "narrow", "responsive",
    "description", "SCALE_COLOURS", "luminance", "contrast", "text_colour",
    # one row per unit
    "UNITS_PER_FIGURE", "split_units",
    # index, dimensions, ranking, heatmap
    "HEATMAP_CMAP", "HEATMAP_COLUMNS", "dimension_profile", "district_comparison",
    "ranking_pages", "heatmap", "heatmap_pages",
    # answers
    "ITEM_ROW", "ITEM_FRAME", "ITEM_WRAP", "ITEM_MAX", "diverging_colours",
    "answer_distribution", "item_groups", "item_distribution", "item_charts",
    # coverage, open answers
    "coverage_chart", "coverage_by_district", "coverage_pages", "theme_bars",
    # survey progress
    "progress_by_district", "coverage_by_group", "cumulative_curve",
    # maps
    "WITHHELD_COLOUR", "WITHHELD_EDGE", "MAPS_FILE", "Boundaries", "load_boundaries",
    "boundaries_for", "choropleth",
    # several rounds
    "trend_chart",
]
# Also here, not public: ``_TEXT_METRICS`` and ``_share_text_metrics`` (the process-wide
# text-size cache of :mod:`hailong.present.charts.base`), for the tests and the benchmarks.
