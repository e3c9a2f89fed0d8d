"""What every chart shares: the theme, palette and sizes, the figure, title and source line.

Every chart is made by :func:`_figure` (the report theme, :func:`set_theme`, applied each
time) and finished by :func:`_finish` (title at the top left, source line with its
footnotes, :func:`_notes`, at the bottom left); :func:`figure_svg` and :func:`show` turn
it into the SVG the reports embed. Text sizes measured by matplotlib are shared by every
figure of the process (:func:`_share_text_metrics`, one cache: :data:`_TEXT_METRICS`).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping

import matplotlib as mpl
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from hailong.core.text import nfc
from hailong.present import fmt

#: Font that covers every Vietnamese letter (matplotlib ships it). A list: matplotlib
#: 3.11 rejects a bare family string in ``FontProperties``.
FONT = ["DejaVu Sans"]
#: How SVG charts name their font: the one matplotlib measured the text with, then
#: look-alikes for a reader's machine that lacks it.
_SVG_FONT = f"font-family: '{FONT[0]}'"
_SVG_FONTS = f"font-family: '{FONT[0]}', 'Noto Sans', Verdana, 'Segoe UI', Arial, sans-serif"
#: Figure sizes in inches (width, height), one per chart kind.
SIZES = {
    "profile": (8.0, 6.2),
    "distribution": (9.0, 6.8),
    "coverage": (6.0, 4.2),
    "coverage_by_district": (8.0, 6.2),
    "comparison": (8.0, 6.2),
    "heatmap": (11.0, 7.4),
    "themes": (8.0, 5.6),
}
#: Colours of the tiers, best first: ColorBrewer YlGnBu, a sequential palette safe for
#: colour-blind readers (the better, the darker). The ranking and the map use the same.
TIER_COLOURS = ["#24419a", "#1f80b8", "#40b5c4", "#97d6b9", "#777777", "#999999"]
#: Colour of interval whiskers.
WHISKER_COLOUR = "#333333"
#: Colour-blind-safe palette (seaborn "colorblind"); bars use its first colour.
PALETTE = "colorblind"
#: Colours for the city's mark, the "not yet" part and the neutral answer.
CITY_COLOUR, REST_COLOUR, NEUTRAL_COLOUR = "#222222", "#d0d0d0", "#cccccc"
#: Dimension names longer than this are wrapped on two lines.
WRAP = 34
_SOURCE_SIZE = 8
# White box behind value labels, so a reference line never runs through the digits.
_LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 1.0, "alpha": 0.9}


#: Text sizes measured so far, shared by every figure of the process (see
#: :func:`_share_text_metrics`); emptied when it grows beyond this many entries.
_TEXT_METRICS: dict = {}
_TEXT_METRICS_MAX = 50_000


def _share_text_metrics() -> None:
    """Let every figure reuse the text sizes other figures measured.

    matplotlib measures each label with FreeType and caches the size per renderer, i.e.
    per ``savefig``; the reports draw the same question labels, tick labels and titles
    in every figure of every report, so a third of a chart's time went into measuring
    them again. The shared cache is keyed by everything the size depends on (renderer
    kind, text, font, mathtext, dpi and the text rcParams), so a chart comes out byte
    for byte the same (``tests/test_charts_speed.py``).
    """
    import matplotlib.text as mtext

    measure = mtext._get_text_metrics_with_cache
    if getattr(measure, "hailong_shared", False):
        return

    def shared(renderer, text, fontprop, ismath, dpi):
        rc = mpl.rcParams
        key = (type(renderer), text, fontprop.copy(), ismath, dpi, rc["text.hinting"],
               rc["text.hinting_factor"], rc["text.kerning_factor"])
        try:
            return _TEXT_METRICS[key]
        except KeyError:
            if len(_TEXT_METRICS) >= _TEXT_METRICS_MAX:
                _TEXT_METRICS.clear()
            value = _TEXT_METRICS[key] = measure(renderer, text, fontprop, ismath, dpi)
            return value

    shared.hailong_shared = True
    shared.original = measure
    mtext._get_text_metrics_with_cache = shared


def set_theme() -> None:
    """Apply the one report theme (whitegrid, colour-blind palette, DejaVu Sans)."""
    _share_text_metrics()
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, rc={
        "font.family": FONT,
        "font.sans-serif": FONT,
        "axes.titlesize": 13,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "svg.fonttype": "none",
    })


def figure_svg(fig: Figure) -> str:
    """``fig`` as SVG text: text kept as text (a tenth of a PNG's size, sharp in print,
    drawn in about half the time), fonts named with fallbacks, and the same bytes for
    the same figure (no date, fixed ids)."""
    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "hailong"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue().replace(_SVG_FONT, _SVG_FONTS)


def show(fig: Figure, alt: str | None = None) -> None:
    """Display ``fig`` in the notebook as an SVG image (the HTML export embeds it)."""
    from IPython.display import display

    mime = "image/svg+xml"
    display({mime: figure_svg(fig)}, raw=True,
            metadata={mime: {"alt": alt or fig.get_suptitle(),
                             "width": int(fig.get_figwidth() * 100)}})


#: Charts with one row per unit grow by this many inches per row beyond :data:`ROWS_FIT`
#: rows (a commune round has more than a hundred units).
ROW_HEIGHT, ROWS_FIT = 0.22, 16


def _figure(kind: str, rows: int = 0) -> Figure:
    """A new figure of ``kind``'s size in the report theme (applied every time, so a chart
    looks the same whatever the caller did to matplotlib's settings); a chart of more
    than :data:`ROWS_FIT` rows is made taller so that every row stays readable."""
    set_theme()
    width, height = SIZES[kind]
    if rows > ROWS_FIT:
        height += ROW_HEIGHT * (rows - ROWS_FIT)
    return Figure(figsize=(width, height), layout="constrained")


def _finish(fig: Figure, title: str, source: str) -> Figure:
    """Title at the top left, source line at the bottom left of the figure.

    Title, legend (above the axes) and source line all take part in the constrained
    layout, so none of them overlaps another.
    """
    fig.suptitle(nfc(title), x=0.01, ha="left", fontsize=13, fontweight="bold")
    fig.supxlabel(nfc(source), x=0.01, ha="left", fontsize=_SOURCE_SIZE, color="#555555")
    return fig


def _notes(source: str, lang: str, withheld: bool, meta: Mapping | None,
           unreliable: bool = False) -> str:
    """``source`` with the footnotes of "—" (withheld: :func:`~hailong.present.fmt.withheld_note`,
    given ``meta``) and "*" (unreliable) above it."""
    notes = []
    if withheld and meta is not None:
        notes.append(fmt.withheld_note(meta, lang))
    if unreliable and meta:
        notes.append(fmt.t("unreliable_note", lang,
                           rse=fmt.percent(meta.get("rse_threshold"), 0, lang)))
    return ". ".join(notes) + f"\n{source}" if notes else source


def _legend_above(ax, ncols: int, handles: list | None = None) -> None:
    """A one-line legend between the title and the plot, aligned left."""
    kw = {"handles": handles} if handles is not None else {}
    ax.legend(**kw, loc="lower left", bbox_to_anchor=(0, 1.01), ncols=ncols, frameon=False,
              borderaxespad=0, handlelength=1.2, columnspacing=1.2)


def _wrap(label: str) -> str:
    return textwrap.fill(nfc(str(label)), WRAP)


def _number_axis(axis, lang: str, decimals: int = 0) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.number(v, decimals, lang)))


def _dash(ax, y: float, x: float = 1.0) -> None:
    """Write "—" where a withheld bar would be."""
    ax.text(x, y, fmt.SUPPRESSED, va="center", ha="left", color="#555555", fontsize=10)


def _whisker(ax, y: float, value: float, low: float, high: float) -> None:
    """An interval whisker from ``low`` to ``high`` at height ``y``."""
    ax.errorbar(value, y, xerr=[[value - low], [high - value]], fmt="none",
                ecolor=WHISKER_COLOUR, elinewidth=1, capsize=3, zorder=4)


def _whisker_handle(lang: str, confidence: float | None) -> Line2D:
    return Line2D([], [], color=WHISKER_COLOUR, marker="|", markersize=8, linewidth=1,
                  label=fmt.t("legend_interval", lang, level=fmt.level(confidence, lang)))
