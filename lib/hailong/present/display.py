"""How hailong's objects look in a notebook: tables with units and suppression marks.

:class:`Table` wraps figures with the number of respondents behind each; in JupyterLab it
shows as an HTML table in the reports' formats (``76,1``; ``—`` for a figure withheld
because fewer than ``meta["min_n"]`` cooperatives answered), with what the numbers are in
its caption and what "—" means (:func:`hailong.present.fmt.withheld_note`) under it.
``Table.frame`` is the plain DataFrame for further work.

:func:`results_html` and :func:`trend_html` give the HTML summary of a
:class:`~hailong.numbers.scoring.Results` and a :class:`~hailong.numbers.rounds.Trend`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd

from hailong.core.text import nfc
from hailong.core.views import register_html
from hailong.present import fmt
from hailong.reference.geography import CITY

#: Kinds of table values; the caption says what they are (message ``kind_<kind>``).
KINDS = ("index", "mean", "change", "n", "share")
#: The column of changes in :func:`trend_table`, in each report language.
_CHANGE_COLUMNS = tuple(fmt.t("col_change_rounds", lang) for lang in fmt.LANGS)
#: The disclosure settings of a :class:`Table` given none: the configuration's default
#: threshold (``min_n: 5`` in ``data/hailong.yaml``).
DEFAULT_META: Mapping = MappingProxyType({"min_n": 5})


@dataclass
class Table:
    """Figures with the respondents behind each, that display themselves in a notebook.

    Attributes
    ----------
    values
        The figures (rows × columns).
    n
        Respondents behind each figure (same shape); a figure with
        ``n < meta["min_n"]`` is shown as ``—`` (``None``: nothing is withheld).
    kind
        ``"index"``, ``"mean"``, ``"change"``, ``"n"`` or ``"share"``: how values are
        formatted and what the caption says.
    title
        The caption's first line.
    meta
        ``Results.meta`` (or any mapping with ``min_n``): the disclosure threshold and
        settings the note on "—" names (default :data:`DEFAULT_META`).
    show_n
        Also show ``n`` in small type under each figure.
    note
        A line under the table.

    Examples
    --------
    >>> t = Table(pd.DataFrame({"2022": [76.1, 80.0]}, index=["Nông nghiệp", "Vận tải"]),
    ...           n=pd.DataFrame({"2022": [50, 3]}, index=["Nông nghiệp", "Vận tải"]))
    >>> t.text().loc["Vận tải", "2022"]
    '—'
    """

    values: pd.DataFrame
    n: pd.DataFrame | None = None
    kind: str = "index"
    title: str = ""
    meta: Mapping | None = None
    show_n: bool = True
    note: str = ""
    lang: str = "vi"
    #: Columns that hold changes: shown with a sign (``+10,7``).
    signed: tuple[str, ...] = _CHANGE_COLUMNS

    @property
    def settings(self) -> Mapping:
        """The disclosure settings in force: :attr:`meta`, or :data:`DEFAULT_META`."""
        return self.meta if self.meta is not None else DEFAULT_META

    @property
    def withheld(self) -> pd.DataFrame:
        """``True`` where the figure rests on fewer than ``settings["min_n"]`` respondents
        (or none)."""
        threshold = int(self.settings["min_n"])
        out = pd.DataFrame(False, index=self.values.index, columns=self.values.columns)
        if self.n is None:
            return out
        for c in self.values.columns:  # a column without counts (e.g. a change) is kept
            if c in self.n.columns:
                n = pd.to_numeric(self.n[c], errors="coerce").fillna(0).to_numpy()
                out[c] = n < threshold
        return out

    @property
    def frame(self) -> pd.DataFrame:
        """The values with withheld figures set to NaN (what may be used further)."""
        return self.values.where(~self.withheld)

    def _cell(self, value, withheld: bool, column: object = None) -> str:
        if withheld or fmt.is_missing(value):
            return fmt.SUPPRESSED
        if self.kind == "n":
            return fmt.count(value, self.lang)
        if self.kind == "share":
            return fmt.percent(value, 1, self.lang)
        text = fmt.number(value, 1, self.lang)
        if (self.kind == "change" or column in self.signed) and float(
                fmt.rounded(value, 1)) > 0:
            text = "+" + text
        return text

    def text(self) -> pd.DataFrame:
        """The figures as the table prints them (strings)."""
        w = self.withheld
        out = self.values.copy().astype(object)
        for c in self.values.columns:
            out[c] = [self._cell(v, bool(h), c) for v, h in zip(self.values[c], w[c])]
        return out

    def caption(self) -> str:
        what = fmt.t(f"kind_{self.kind}", self.lang) if self.kind in KINDS else ""
        return nfc(" — ".join(x for x in (self.title, what) if x))

    def _repr_html_(self) -> str:
        import html

        text, w = self.text(), self.withheld
        head = "".join(f"<th style='text-align:right;padding:3px 10px'>{html.escape(str(c))}"
                       "</th>" for c in text.columns)
        rows = []
        for i, label in enumerate(text.index):
            cells = []
            for c in text.columns:
                cell = html.escape(text.at[label, c])
                grey = "color:#888;" if cell == fmt.SUPPRESSED else ""
                if self.show_n and self.n is not None and c in self.n.columns:
                    n = self.n[c].iloc[i]
                    if not fmt.is_missing(n):
                        cell += (f"<br><span style='font-size:0.75em;color:#777'>n = "
                                 f"{fmt.count(n, self.lang)}</span>")
                cells.append(f"<td style='text-align:right;padding:3px 10px;{grey}'>{cell}</td>")
            rows.append(f"<tr><th style='text-align:left;padding:3px 10px'>"
                        f"{html.escape(str(label))}</th>{''.join(cells)}</tr>")
        notes = [self.note] if self.note else []
        if bool(w.to_numpy().any()):
            notes.append(fmt.withheld_note(self.settings, self.lang))
        foot = "".join(f"<p style='font-size:0.85em;color:#555;margin:2px 0'>"
                       f"{html.escape(x)}</p>" for x in notes)
        return nfc(f"<table style='border-collapse:collapse'><caption style='text-align:left;"
                   f"font-weight:bold'>{html.escape(self.caption())}</caption><thead><tr>"
                   f"<th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{foot}")

    def plot(self, column: object = None, title: str | None = None):
        """A horizontal bar chart of one column (default the first); withheld bars are left
        out and named in the footnote. Returns the matplotlib Figure.

        Examples
        --------
        >>> explore.crosstab(r, "unit_name").plot()        # doctest: +SKIP
        """
        import matplotlib.pyplot as plt

        from hailong.present import charts

        charts.set_theme()
        column = self.values.columns[0] if column is None else column
        shown = self.frame[column].dropna()
        fig, ax = plt.subplots(figsize=(7.5, 0.35 * len(shown) + 1.2))
        ax.barh([str(i) for i in shown.index][::-1], shown.to_numpy()[::-1], color="#2a6f97")
        for y, v in enumerate(shown.to_numpy()[::-1]):
            ax.text(v, y, " " + self._cell(v, False), va="center", fontsize=9)
        if self.kind == "index":
            ax.set_xlim(0, 100)
        ax.set_title(title or self.caption(), loc="left", fontsize=11)
        hidden = [str(i) for i in self.values.index if i not in shown.index]
        if hidden:
            fig.text(0.01, 0.01, fmt.withheld_note(self.settings, self.lang)
                     + ": " + ", ".join(hidden), fontsize=8, color="#555")
        fig.tight_layout(rect=(0, 0.04 if hidden else 0, 1, 1))
        return fig

    def __repr__(self) -> str:
        return f"{self.caption()}\n{self.text().to_string()}"


def results_html(results, lang: str = "vi") -> str:
    """A short HTML summary of :class:`~hailong.numbers.scoring.Results`: the index of
    every unit."""
    s = results.scores[results.scores["measure"] == "INDEX"].set_index("unit")
    u = results.units.set_index("unit")
    order = list(u.index)
    table = Table(pd.DataFrame({"index": s["index"].reindex(order).to_numpy()},
                               index=[fmt.unit_name(results, c, lang, "short")
                                      for c in order]),
                  n=pd.DataFrame({"index": s["n"].reindex(order).to_numpy()},
                                 index=[fmt.unit_name(results, c, lang, "short")
                                        for c in order]),
                  kind="index", meta=results.meta, lang=lang,
                  title=f"{results.meta.get('round', '')}")
    return table._repr_html_()


def trend_table(trend, unit: str = CITY, measures=None, lang: str = "vi") -> Table:
    """One unit's figures per round (columns), with the last change, as a :class:`Table`.

    Parameters
    ----------
    trend
        A :class:`~hailong.numbers.rounds.Trend`.
    unit
        Unit code (default the city).
    measures
        The measures to show (default: dimensions, INDEX, OVERALL).
    """
    t = trend.unit(unit)
    if measures is None:
        measures = list(t.loc[t["kind"] != "item", "measure"].drop_duplicates())
    t = t[t["measure"].isin(measures)]
    values = t.pivot(index="measure", columns="round", values="index").reindex(measures)
    n = t.pivot(index="measure", columns="round", values="n").reindex(measures)
    last = t.groupby("measure")[["change", "round"]].last().reindex(measures)
    values.columns = [str(c) for c in values.columns]
    n.columns = [str(c) for c in n.columns]
    values[fmt.t("col_change_rounds", lang)] = last["change"].to_numpy()
    note = fmt.t("crosswalk_note", lang) if bool(t["approximate"].any()) else ""
    return Table(values, n=n, kind="index", meta={"min_n": trend.min_n},
                 lang=lang, title=str(unit), note=note)


def trend_html(trend, unit: str = CITY, lang: str = "vi") -> str:
    """HTML of :func:`trend_table` (how a Trend shows itself in a notebook)."""
    return trend_table(trend, unit, lang=lang)._repr_html_()


register_html("Results", results_html)
register_html("Trend", trend_html)
