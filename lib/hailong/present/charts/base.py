"""What every chart shares: the theme, palette and sizes, the figure, title and source line.

Every chart is made by :func:`_figure` (the report theme, :func:`set_theme`, applied each
time) and finished by :func:`_finish` (title at the top left, source line with its
footnotes, :func:`_notes`, at the bottom left; the text alternative that states the
chart's figures, :func:`description`); :func:`figure_svg` and :func:`show` turn it into
the SVG the reports embed.

Phone first: a public chart function wrapped by :func:`responsive` can draw itself again
for a phone (:func:`narrow`: :data:`NARROW_WIDTH` wide, no text under
:data:`NARROW_MIN_FONT` points, labels wrapped shorter, legends in fewer columns), and
:func:`show` embeds both drawings; the page shows the narrow one on a small screen.

Text sizes measured by matplotlib are shared by every figure of the process
(:func:`_share_text_metrics`, one cache: :data:`_TEXT_METRICS`).
"""

from __future__ import annotations

import contextvars
import functools
import io
import textwrap
from collections.abc import Callable, Mapping, Sequence

import matplotlib as mpl
import numpy as np
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
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
#: Colours of the tiers, best first: ColorBrewer Blues, one hue, so readers with any
#: colour-vision deficiency tell the tiers apart by lightness (the better, the darker;
#: neighbours differ by a luminance contrast of 1,7:1 or more, tests/test_a11y.py). The
#: ranking and the map use the same.
TIER_COLOURS = ["#08306b", "#2171b5", "#6baed6", "#c6dbef", "#777777", "#999999"]
#: Colour of interval whiskers.
WHISKER_COLOUR = "#333333"
#: Colour-blind-safe palette (seaborn "colorblind"); bars use its first colour.
PALETTE = "colorblind"
#: Colours for the city's mark, the "not yet" part and the neutral answer.
CITY_COLOUR, REST_COLOUR, NEUTRAL_COLOUR = "#222222", "#d0d0d0", "#ebebeb"
#: The five answers, from "Rất không hài lòng" to "Rất hài lòng": ColorBrewer RdBu made
#: darker at the ends and lighter in the middle, so that neighbours differ in lightness
#: too (luminance contrast ≥ 1,9:1; told apart under protanopia, deuteranopia and
#: tritanopia: tests/test_a11y.py).
SCALE_COLOURS = ("#a50f15", "#f08a6c", NEUTRAL_COLOUR, "#74b3de", "#1c4f8f")


def luminance(colour) -> float:
    """WCAG relative luminance of a matplotlib colour (0 black – 1 white)."""
    rgb = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
           for c in mpl.colors.to_rgb(colour)]
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


def contrast(a, b) -> float:
    """WCAG contrast ratio of two colours (1–21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour(background) -> str:
    """White or black text, whichever contrasts more with ``background`` (4,58:1 at
    least, whatever the background)."""
    return "white" if contrast("white", background) >= contrast("black", background) \
        else "black"
#: Dimension names longer than this are wrapped on two lines.
WRAP = 34
_SOURCE_SIZE = 8

#: The phone variant of a chart: its width in inches (drawn at 100 px an inch, it fills
#: the 350 CSS px a 390 px wide phone gives it, so 1 point of text is 1,39 px), the
#: smallest text in it in points (8 pt: 11 px at 390 px, 10 px at 360 px), and how
#: long its wrapped labels, titles and source lines may be (characters).
NARROW_WIDTH, NARROW_MIN_FONT = 3.5, 8.0
NARROW_WRAP, NARROW_TITLE_WRAP, NARROW_SOURCE_WRAP = 22, 30, 50
#: The MIME type under which :func:`show` hands the phone variant to the HTML export.
NARROW_MIME = "application/vnd.hailong.narrow-svg+xml"
#: When the page shows the phone variant (the ``media`` of its ``<source>``).
NARROW_MEDIA = "screen and (max-width: 640px)"
_NARROW: contextvars.ContextVar[bool] = contextvars.ContextVar("hailong_narrow", default=False)


def narrow() -> bool:
    """Whether the chart being drawn is the phone variant (see :func:`responsive`)."""
    return _NARROW.get()


def responsive(fn: Callable[..., Figure]) -> Callable[..., Figure]:
    """Let the figures ``fn`` returns draw themselves again for a phone.

    The figure gets a ``hailong_narrow`` attribute: a function that calls ``fn`` again,
    with the same arguments, while :func:`narrow` is true; :func:`show` calls it only
    when the report is written, so making a chart costs nothing more.
    """
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        fig = fn(*args, **kwargs)
        if isinstance(fig, Figure) and not _NARROW.get():
            fig.hailong_narrow = functools.partial(_drawn_narrow, fn, args, kwargs)
        return fig

    return wrapper


def _drawn_narrow(fn: Callable[..., Figure], args: tuple, kwargs: dict) -> Figure:
    token = _NARROW.set(True)
    try:
        return fn(*args, **kwargs)
    finally:
        _NARROW.reset(token)
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
    from matplotlib import cbook
    from matplotlib.backends.backend_mixed import MixedModeRenderer
    from matplotlib.backends.backend_svg import RendererSVG

    # What ``fig.savefig(format="svg")`` does, in one pass instead of two: savefig first
    # draws the whole figure without output to lay it out, then draws it again. Here the
    # one draw lays the figure out with the renderer that writes it (the figure's
    # ``_get_renderer``, which the layout asks for its text sizes) and writes it: the
    # same bytes (tests/test_charts.py), 40–50% less time, which pays for the phone
    # variant of every chart.
    buffer = io.StringIO()
    dpi = mpl.rcParams["savefig.dpi"]
    dpi = fig.dpi if dpi == "figure" else dpi
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "hailong"}), \
            cbook._setattr_cm(fig, dpi=72):
        width, height = fig.get_size_inches()
        svg = RendererSVG(width * 72, height * 72, buffer, image_dpi=dpi,
                          metadata={"Date": None})
        svg._get_font_height_metrics = _font_heights  # what Text asks for every label
        renderer = MixedModeRenderer(fig, width, height, dpi, svg)
        fig._get_renderer = lambda: renderer
        try:
            fig.draw(renderer)
        finally:
            del fig._get_renderer
        renderer.finalize()
    return buffer.getvalue().replace(_SVG_FONT, _SVG_FONTS)


#: Ascent, descent and line gap of fonts (by font properties), at 72 dpi: what
#: :func:`_font_heights` has worked out.
_FONT_HEIGHTS: dict = {}


def _font_heights(prop) -> tuple[float, float, float] | tuple[None, None, None]:
    """The ascent, descent and line gap of the font ``prop`` at 72 dpi, from its
    ``OS/2`` or ``hhea`` table, as :meth:`matplotlib.text.Text._get_layout` works them
    out for every label it lays out (finding the font file and copying two of its tables
    each time: 7% of a chart's time). Given to the SVG renderer of :func:`figure_svg`
    under the name matplotlib asks a renderer for (``_get_font_height_metrics``), so
    the same numbers are found once per font; ``(None, None, None)`` lets matplotlib
    measure instead, as it does for a font without those tables."""
    from matplotlib.font_manager import fontManager, get_font

    key = prop.copy()
    try:
        return _FONT_HEIGHTS[key]
    except KeyError:
        pass
    value: tuple = (None, None, None)
    font = get_font(fontManager._find_fonts_by_props(prop))
    for table_name, gap, ascent, descent in (
            ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
            ("hhea", "lineGap", "ascent", "descent")):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        scale = prop.get_size_in_points() / font.get_sfnt_table("head")["unitsPerEm"]
        value = (table[ascent] * scale, -table[descent] * scale, table[gap] * scale)
        break
    if len(_FONT_HEIGHTS) > 1000:
        _FONT_HEIGHTS.clear()
    _FONT_HEIGHTS[key] = value
    return value


def description(fig: Figure) -> str:
    """The text alternative of ``fig``: its title and the figures it shows, as the chart
    function wrote them from the data it drew (the title alone for a figure made
    elsewhere)."""
    return getattr(fig, "hailong_alt", None) or nfc(fig.get_suptitle())


def show(fig: Figure, alt: str | None = None) -> None:
    """Display ``fig`` in the notebook as an SVG image (the HTML export embeds it), with
    its text alternative (:func:`description`, or ``alt``) and, for a chart made by a
    :func:`responsive` function, its phone variant (MIME type :data:`NARROW_MIME`)."""
    from IPython.display import display

    mime = "image/svg+xml"
    data = {mime: figure_svg(fig)}
    metadata = {mime: {"alt": alt or description(fig), "width": int(fig.get_figwidth() * 100),
                       "described": alt is None and getattr(fig, "hailong_alt", None)
                       not in (None, nfc(fig.get_suptitle()))}}
    remake = getattr(fig, "hailong_narrow", None)
    if remake is not None:
        small = remake()
        data[NARROW_MIME] = figure_svg(small)
        metadata[NARROW_MIME] = {"width": int(small.get_figwidth() * 100),
                                 "media": NARROW_MEDIA}
    display(data, raw=True, metadata=metadata)


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
    if narrow():
        width, height = NARROW_WIDTH, height * _NARROW_HEIGHT.get(kind, 1.0)
    return Figure(figsize=(width, height), layout="constrained")


#: How much taller (or shorter) than the desktop figure a phone variant is, by kind.
_NARROW_HEIGHT = {"profile": 1.25, "distribution": 1.15, "coverage": 0.85,
                  "comparison": 1.0, "heatmap": 1.1, "themes": 1.1, "trend": 0.95}


def _finish(fig: Figure, title: str, source: str, facts: Sequence[str] = ()) -> Figure:
    """Title at the top left, source line at the bottom left of the figure; ``facts``
    (the figures the chart shows, as phrases) make its text alternative
    (:func:`description`): "title: fact; fact; …".

    Title, legend (above the axes) and source line all take part in the constrained
    layout, so none of them overlaps another. The phone variant wraps the title and the
    source line shorter and raises every text to :data:`NARROW_MIN_FONT` at least.
    """
    title, source = nfc(title), nfc(source)
    shown_title, shown_source = title, source
    if narrow():
        shown_title = textwrap.fill(title, NARROW_TITLE_WRAP)
        shown_source = "\n".join(textwrap.fill(line, NARROW_SOURCE_WRAP)
                                 for line in source.split("\n"))
    fig.suptitle(shown_title, x=0.01, ha="left", fontsize=13, fontweight="bold")
    fig.supxlabel(shown_source, x=0.01, ha="left", fontsize=_SOURCE_SIZE, color="#555555")
    facts = [nfc(str(f)) for f in facts if f]
    fig.hailong_alt = f"{title}: {'; '.join(facts)}." if facts else title
    if narrow():
        for ax in fig.axes:  # axis titles as long as the narrow figure is wide
            ax.set_xlabel(textwrap.fill(ax.get_xlabel(), NARROW_SOURCE_WRAP - 10))
        _raise_small_text(fig)
    return fig


def _raise_small_text(fig: Figure, least: float = NARROW_MIN_FONT) -> None:
    """Every text written on ``fig`` or its axes at ``least`` points at least (tick labels,
    legends and axis titles take the theme's sizes, which are larger already)."""
    texts = [*fig.texts, *(t for ax in fig.axes for t in ax.texts)]
    texts += [t for ax in fig.axes if ax.get_legend() is not None
              for t in ax.get_legend().get_texts()]
    for text in texts:
        if isinstance(text, Text) and text.get_text() and text.get_fontsize() < least:
            text.set_fontsize(least)


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
    if narrow():
        labels = [h.get_label() for h in handles] if handles is not None else \
            ax.get_legend_handles_labels()[1]
        ncols = min(ncols, 2 if max((len(x) for x in labels), default=0) <= 16 else 1)
        kw["labels"] = [textwrap.fill(x, NARROW_SOURCE_WRAP - 16) for x in labels]
        if handles is None:
            kw["handles"] = ax.get_legend_handles_labels()[0]
    ax.legend(**kw, loc="lower left", bbox_to_anchor=(0, 1.01), ncols=ncols, frameon=False,
              borderaxespad=0, handlelength=1.2, columnspacing=1.2)


def _wrap(label: str) -> str:
    return textwrap.fill(nfc(str(label)), NARROW_WRAP if narrow() else WRAP)


def _number_axis(axis, lang: str, decimals: int = 0) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.number(v, decimals, lang)))


def _dash(ax, y: float, x: float = 1.0) -> None:
    """Write "—" where a withheld bar would be."""
    ax.text(x, y, fmt.SUPPRESSED, va="center", ha="left", color="#555555", fontsize=10)


def _whiskers(ax, rows: Sequence[tuple[float, float, float, float]]) -> None:
    """Interval whiskers, one per ``(y, value, low, high)`` row, all in one artist (one
    ``errorbar`` per whisker cost 8 ms each); none for no rows."""
    if not rows:
        return
    ys, values, lows, highs = np.asarray(rows, dtype=float).T
    ax.errorbar(values, ys, xerr=[values - lows, highs - values], fmt="none",
                ecolor=WHISKER_COLOUR, elinewidth=1, capsize=3, zorder=4)


def _whisker_handle(lang: str, confidence: float | None) -> Line2D:
    return Line2D([], [], color=WHISKER_COLOUR, marker="|", markersize=8, linewidth=1,
                  label=fmt.t("legend_interval", lang, level=fmt.level(confidence, lang)))
