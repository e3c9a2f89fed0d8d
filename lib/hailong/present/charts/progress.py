"""Survey progress (:mod:`hailong.numbers.coverage`): aggregates only, no cooperative is named.

:func:`progress_by_district` (every unit's coverage against the target),
:func:`coverage_by_group` (members / non-members, variants) and :func:`cumulative_curve`
(answers day by day, with the target and the deadline).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from hailong.present import fmt
from hailong.present.charts.base import (
    _LABEL_BOX,
    CITY_COLOUR,
    NARROW_WIDTH,
    PALETTE,
    SIZES,
    _figure,
    _finish,
    _number_axis,
    narrow,
    responsive,
    set_theme,
)
from hailong.present.charts.units import _by_unit, _city_line, _ranked_bars, _sorted_desc

SIZES.update({"progress_by_district": (8.0, 6.2), "cumulative": (9.0, 4.8),
              "coverage_by_group": (8.0, 3.2)})


def _target_line(ax, target: float, lang: str) -> None:
    """A dashed vertical line at the target share (0–1), labelled above the axes."""
    _city_line(ax, 100 * target, lang,
               fmt.t("target_value", lang, value=fmt.percent(target, 0, lang)))


def _share_bars(ax, t: pd.DataFrame, lang: str) -> None:
    """Ranked bars of ``t["share"]`` labelled "91,1% (72/79)", x axis 0–100%."""
    t = t.assign(value=100 * t["share"])
    text = [f"{fmt.percent(r.share, 1, lang)} ({fmt.count(r.answered, lang)}/"
            f"{fmt.count(r.roster_n, lang)})" for r in t.itertuples()]
    _ranked_bars(ax, t, text, lang)
    ax.set_xlim(0, 124)
    ax.set_xticks(range(0, 101, 20))
    _number_axis(ax.xaxis, lang)
    ax.set_xlabel(fmt.t("axis_coverage", lang))


@responsive
def progress_by_district(
    coverage: pd.DataFrame,
    names: Mapping[str, str],
    *,
    target: float,
    source: str,
    lang: str = "vi",
    title: str | None = None,
    unit_level: str | None = None,
) -> Figure:
    """Coverage of every unit on one day, highest first, with the target line.

    Parameters
    ----------
    coverage
        :func:`hailong.numbers.coverage.coverage` (``unit, roster_n, answered, share``).
    names
        ``{unit code: label}`` of the districts to show.
    target
        The round's target share (0–1), drawn as a dashed line.
    """
    t = _by_unit(coverage, names).assign(value=lambda d: d["share"])
    t = _sorted_desc(t)
    fig = _figure("progress_by_district", len(t))
    ax = fig.add_subplot()
    _share_bars(ax, t, lang)
    _target_line(ax, target, lang)
    return _finish(fig, title or fmt.t("progress_by_district_title", lang,
                                       unit_level=unit_level), source, _share_facts(t, lang))


def _share_facts(t: pd.DataFrame, lang: str) -> list[str]:
    """"Name 91,1% (72/79)" per row of ``t``."""
    return [f"{r.name} {fmt.percent(r.share, 1, lang)} ({fmt.count(r.answered, lang)}/"
            f"{fmt.count(r.roster_n, lang)})" for r in t.itertuples()]


@responsive
def coverage_by_group(
    coverage: pd.DataFrame,
    names: Mapping[str, str],
    *,
    target: float | None = None,
    source: str,
    lang: str = "vi",
    title: str | None = None,
) -> Figure:
    """Coverage of a few groups (members / non-members, variants) in the order given.

    Parameters
    ----------
    coverage
        :func:`hailong.numbers.coverage.coverage` by ``"member"`` or ``"variant"``.
    names
        ``{group key: label}`` in the order to show (``"city"`` may be included).
    target
        If given, drawn as a dashed line.
    """
    t = _by_unit(coverage, names)
    t = t.set_index("unit").loc[[u for u in names if u in set(t["unit"])]].reset_index()
    size = SIZES["coverage_by_group"]
    set_theme()
    width = NARROW_WIDTH if narrow() else size[0]
    fig = Figure(figsize=(width, size[1] + 0.35 * max(len(t) - 3, 0)), layout="constrained")
    ax = fig.add_subplot()
    _share_bars(ax, t, lang)
    if target is not None:
        _target_line(ax, target, lang)
    return _finish(fig, title or fmt.t("groups_title", lang), source, _share_facts(t, lang))


def _day_axis(axis, lang: str) -> None:
    """Dates on an axis as "16/05" (vi) or "16 May" (en)."""
    import matplotlib.dates as mdates

    axis.set_major_locator(mdates.AutoDateLocator(maxticks=9))

    def label(value, _pos):
        d = mdates.num2date(value)
        return f"{d.day:02d}/{d.month:02d}" if lang == "vi" else f"{d.day} {d:%b}"

    axis.set_major_formatter(FuncFormatter(label))


@responsive
def cumulative_curve(
    curve: pd.DataFrame,
    *,
    target: float,
    deadline=None,
    source: str,
    lang: str = "vi",
    title: str | None = None,
) -> Figure:
    """Cooperatives that answered, day by day (a step line), with the target and deadline.

    Parameters
    ----------
    curve
        :func:`hailong.numbers.coverage.cumulative` rows of one unit (``date, roster_n,
        answered``), in date order.
    target
        The target share (0–1): a dashed horizontal line at ``ceil(target × roster_n)``.
    deadline
        The last day of the round (a date), drawn as a dotted vertical line; the x axis
        runs to it.
    """
    from hailong.numbers.coverage import target_count

    t = curve.sort_values("date")
    days = pd.to_datetime(t["date"])
    roster_n = int(t["roster_n"].iloc[-1]) if len(t) else 0
    fig = _figure("cumulative")
    ax = fig.add_subplot()
    colour = sns.color_palette(PALETTE)[0]
    ax.step(days, t["answered"], where="post", color=colour, linewidth=2,
            label=fmt.t("legend_answered", lang))
    ax.fill_between(days, t["answered"], step="post", color=colour, alpha=0.12)
    if len(t):
        last = t.iloc[-1]
        ax.annotate(f"{fmt.count(last['answered'], lang)} ({fmt.percent(last['share'], 1, lang)})",
                    (days.iloc[-1], last["answered"]), xytext=(-4, 8),
                    textcoords="offset points", ha="right", fontsize=9, bbox=_LABEL_BOX)
    goal = target_count(roster_n, target)
    ax.axhline(goal, color=CITY_COLOUR, linestyle="--", linewidth=1)
    ax.text(0.0, goal, " " + fmt.t("target_value", lang, value=(
        f"{fmt.percent(target, 0, lang)} = {fmt.count(goal, lang)}")),
        transform=ax.get_yaxis_transform(), ha="left", va="bottom", fontsize=8,
        color=CITY_COLOUR)
    right = days.iloc[-1] if len(t) else None
    if deadline is not None:
        when = pd.Timestamp(deadline)
        ax.axvline(when, color=CITY_COLOUR, linestyle=":", linewidth=1.2)
        ax.text(when, 1.0, " " + fmt.t("deadline_value", lang, day=fmt.date(deadline, lang)),
                transform=ax.get_xaxis_transform(), ha="right", va="bottom", fontsize=8,
                color=CITY_COLOUR)
        right = max(right, when) if right is not None else when
    if right is not None and len(t):
        ax.set_xlim(days.iloc[0], right + pd.Timedelta(days=1))
    ax.set_ylim(0, max(goal, roster_n) * 1.08 or 1)
    _number_axis(ax.yaxis, lang)
    ax.set_ylabel(fmt.t("axis_answered_n", lang))
    _day_axis(ax.xaxis, lang)
    ax.grid(axis="x", visible=False)
    facts = []
    if len(t):
        last = t.iloc[-1]
        facts.append(f"{fmt.t('legend_answered', lang)} {fmt.count(last['answered'], lang)}"
                     f" ({fmt.percent(last['share'], 1, lang)}), "
                     f"{fmt.date(days.iloc[-1], lang)}")
    facts.append(fmt.t("target_value", lang, value=f"{fmt.percent(target, 0, lang)} = "
                                                   f"{fmt.count(goal, lang)}"))
    return _finish(fig, title or fmt.t("cumulative_title", lang), source, facts)
