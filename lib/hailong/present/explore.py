"""The common questions analysts ask of a round, one call each.

Work on the respondent frame of :func:`hailong.numbers.rounds.load_round` (``data.respondents``:
one row per cooperative that answered, its unit, sector, member status, a score per
dimension, ``INDEX``, ``OVERALL`` and every item). Every function returns a
:class:`hailong.present.display.Table`: figures with the respondents behind each, shown in
JupyterLab with Vietnamese number formats and ``—`` where fewer cooperatives answered
than the threshold ``min_n`` of the ``meta`` given (``data.results.meta``; default
:data:`hailong.present.display.DEFAULT_META`); ``.frame`` gives the plain DataFrame.

A unit's figure here is the mean of its respondents' values on the 0–100 index,
``(mean - min) / (max - min) × 100`` — the same figure as the reports
(:mod:`hailong.numbers.scoring`).

Examples
--------
>>> from hailong.numbers import rounds                                  # doctest: +SKIP
>>> from hailong.present import explore                                  # doctest: +SKIP
>>> data = rounds.load_round(2022)
>>> r = data.respondents
>>> explore.crosstab(r, rows="unit_name", columns="member", measure="INDEX",
...                  meta=data.results.meta)
>>> explore.crosstab(explore.select(r, unit="311"), rows="sector_name", measure="D08")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from hailong.core.errors import ParameterError
from hailong.numbers.scoring import to_index
from hailong.present.display import DEFAULT_META, Table

#: Readable column names of the respondent frame (for captions and headers).
GROUP_LABELS = {"unit": "Đơn vị", "unit_name": "Đơn vị", "district_code": "Quận, huyện",
                "commune_code": "Xã, phường", "sector": "Ngành nghề",
                "sector_name": "Ngành nghề", "variant": "Nhóm HTX",
                "member": "Thành viên Liên minh", "legal_form": "Loại hình",
                "size_class": "Quy mô"}
_MEMBER = {True: "Thành viên", False: "Chưa là thành viên"}


def _check(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c is not None and c not in frame.columns]
    if missing:
        raise ParameterError("err.respondent_frame_such_column", found=missing,
                             expected="exp.one_of", valid=", ".join(map(str, frame.columns)),
                             hint="hint.use_data_respondents_hailong")


def select(frame: pd.DataFrame, **equal) -> pd.DataFrame:
    """The rows whose columns equal the given values (a list means any of them).

    Examples
    --------
    >>> r = pd.DataFrame({"unit": ["311", "303"], "member": [True, False]})
    >>> select(r, unit="311")["unit"].tolist()
    ['311']
    >>> len(select(r, unit=["311", "303"], member=True))
    1
    """
    _check(frame, list(equal))
    keep = pd.Series(True, index=frame.index)
    for col, value in equal.items():
        values = value if isinstance(value, (list, tuple, set)) else [value]
        keep &= frame[col].isin([str(v) if frame[col].dtype == object and not isinstance(
            v, bool) else v for v in values])
    return frame[keep]


def _labels(series: pd.Series) -> pd.Series:
    if series.dtype == bool:
        return series.map(_MEMBER)
    return series.astype(str)


def crosstab(frame: pd.DataFrame, rows: str, columns: str | None = None,
             measure: str = "INDEX", stat: str = "index", meta: Mapping | None = None,
             scale: tuple[float, float] = (1, 5), total: bool = True) -> Table:
    """A measure by one or two groupings (unit, sector, member status, ...).

    Parameters
    ----------
    frame
        Respondents (``data.respondents``), possibly filtered with :func:`select`.
    rows, columns
        Columns of ``frame`` to group by (``columns`` optional).
    measure
        A dimension id (``"D08"``), an item id (``"D08_1"``), ``"INDEX"`` or ``"OVERALL"``.
    stat
        ``"index"`` (0–100, default), ``"mean"`` (on the answer scale) or ``"n"``.
    meta
        ``Results.meta`` of the round (``data.results.meta``): figures resting on fewer
        respondents than its ``min_n`` are shown as ``—`` (default
        :data:`~hailong.present.display.DEFAULT_META`).
    scale
        The answer scale's ends (min, max) for the index.
    total
        Add a row (and column) "Tất cả" over everyone in ``frame``.

    Returns
    -------
    Table

    Examples
    --------
    >>> r = pd.DataFrame({"sector_name": ["A"] * 5 + ["B"] * 2,
    ...                   "D08": [4, 4, 4, 5, 3, 2, 2]})
    >>> crosstab(r, "sector_name", measure="D08").frame.round(1)["D08"].tolist()
    [75.0, nan, 64.3]
    """
    _check(frame, [rows, columns, measure])
    if stat not in ("index", "mean", "n"):
        raise ParameterError("err.unknown_statistic", found=stat, expected="exp.index_mean_n")
    data = frame.assign(_v=pd.to_numeric(frame[measure], errors="coerce"))
    data = data.dropna(subset=["_v"])
    data = data.assign(_r=_labels(data[rows]))
    keys = ["_r"]
    if columns is not None:
        data = data.assign(_c=_labels(data[columns]))
        keys.append("_c")
    g = data.groupby(keys)["_v"].agg(["mean", "count"])
    if columns is None:
        mean = g["mean"].to_frame(measure)
        n = g["count"].to_frame(measure)
    else:
        mean, n = g["mean"].unstack("_c"), g["count"].unstack("_c").fillna(0)
    if total:
        everyone = "Tất cả"
        if columns is not None:
            by_row = data.groupby("_r")["_v"].agg(["mean", "count"])
            mean[everyone], n[everyone] = by_row["mean"], by_row["count"]
            by_col = data.groupby("_c")["_v"].agg(["mean", "count"])
            mean.loc[everyone] = list(by_col["mean"].reindex(mean.columns[:-1])) + [
                data["_v"].mean()]
            n.loc[everyone] = list(by_col["count"].reindex(n.columns[:-1])) + [len(data)]
        else:
            mean.loc[everyone], n.loc[everyone] = data["_v"].mean(), len(data)
    lo, hi = scale
    values = {"index": mean.apply(lambda c: to_index(c, lo, hi)), "mean": mean, "n": n}[stat]
    for t in (values, n):
        t.index.name = GROUP_LABELS.get(rows, rows)
        t.columns.name = GROUP_LABELS.get(columns, columns) if columns else None
    return Table(values=values, n=n, kind=stat, meta=_primary(meta),
                 title=f"{measure} theo {GROUP_LABELS.get(rows, rows).lower()}"
                       + (f" và {GROUP_LABELS.get(columns, columns).lower()}" if columns else ""))


def _primary(meta: Mapping | None) -> Mapping:
    """The rule a table of this module applies: fewer respondents than ``min_n`` only
    (what its note on "—" says)."""
    return {"min_n": int((meta if meta is not None else DEFAULT_META)["min_n"])}


def compare(frames: dict[int, pd.DataFrame], rows: str, measure: str = "INDEX",
            meta: Mapping | None = None, scale: tuple[float, float] = (1, 5)) -> Table:
    """A measure by a grouping in several rounds side by side, with the last change.

    Parameters
    ----------
    frames
        ``{round: respondents}``, comparable across rounds: use
        :func:`hailong.numbers.rounds.comparable_respondents` so that items changed between
        codebook versions are matched through the mapping.
    rows
        The grouping (e.g. ``"sector_name"``).
    meta
        ``Results.meta`` carrying the threshold ``min_n`` (as :func:`crosstab`).

    Returns
    -------
    Table
        One column per round (index 0–100, ``—`` below ``min_n``) and "Thay đổi": the
        last round minus the one before, shown only when both are published.
    """
    years = sorted(frames)
    parts = {y: crosstab(frames[y], rows, measure=measure, stat="index", meta=meta,
                         scale=scale) for y in years}
    values = pd.concat({str(y): p.values[measure] for y, p in parts.items()}, axis=1)
    n = pd.concat({str(y): p.n[measure] for y, p in parts.items()}, axis=1).fillna(0)
    rule = _primary(meta)
    shown = (n >= rule["min_n"])
    if len(years) >= 2:
        a, b = str(years[-2]), str(years[-1])
        values["Thay đổi"] = (values[b] - values[a]).where(shown[a] & shown[b])
    return Table(values=values, n=n, kind="index", meta=rule,
                 title=f"{measure} theo {GROUP_LABELS.get(rows, rows).lower()}",
                 note="Thay đổi: điểm chỉ số so với vòng trước.")


def lowest(table: Table, column: str | None = None) -> list[str]:
    """The row label(s) with the lowest published figure of ``column`` (default the first),
    leaving out the total row and withheld figures (ties: all of them).

    Examples
    --------
    >>> t = Table(pd.DataFrame({"2022": [62.5, 66.1, 62.5, 40.0, 65.6]},
    ...           index=["CN", "NN", "TM", "VT", "Tất cả"]),
    ...           n=pd.DataFrame({"2022": [5, 50, 6, 2, 63]},
    ...           index=["CN", "NN", "TM", "VT", "Tất cả"]))
    >>> lowest(t, "2022")
    ['CN', 'TM']
    """
    column = table.values.columns[0] if column is None else column
    shown = table.frame[column].drop(index="Tất cả", errors="ignore").dropna()
    return [str(i) for i in shown.index[shown == shown.min()]]
