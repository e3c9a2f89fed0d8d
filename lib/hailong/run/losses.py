"""Losses are loud: how much of a round's data a build set aside, and whether it may publish.

A build that set aside more than ``max_set_aside`` (the configuration; default 0.02 = 2%)
of the survey rows, or of the answers, stops before any report is built, with a summary
(what share, from which files, where the data-quality report is) and exit status 3
(:class:`LossesTooHigh`), unless the user asks to publish anyway (``--publish-anyway``).
The counts come from the processed store's manifest
(:func:`hailong.ingest.store.set_aside_summary`), so a build whose results were already
stored is checked the same way.
"""

from __future__ import annotations

from pathlib import Path

from hailong.core.errors import HailongError, InputError
from hailong.core.messages import message
from hailong.reference.config import Config, Round

#: The command-line flag that publishes in spite of the losses.
FLAG = "--publish-anyway"


class LossesTooHigh(HailongError):
    """More of the round's data was set aside than the configuration allows; nothing was
    published. ``summary`` is what :func:`set_aside` found."""

    exit_code = 3

    def __init__(self, message: str, summary: dict | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.summary = summary or {}


def shares(summary: dict) -> tuple[float, float | None]:
    """(share of survey rows set aside, share of answers set aside or ``None``)."""
    rows = summary["rows_set_aside"] / summary["rows_read"] if summary["rows_read"] else 0.0
    read, aside = summary.get("answers_read"), summary.get("answers_set_aside")
    answers = aside / read if read and aside is not None else (0.0 if read == 0 else None)
    return rows, answers


def set_aside(config: Config, rnd: Round) -> dict | None:
    """What the round's processed data set aside, with ``row_share``, ``answer_share``,
    ``threshold`` and ``over`` (above the threshold); ``None`` if the round was not
    processed (a build given its own ``prepare``)."""
    from hailong.ingest.store import set_aside_summary

    try:
        summary = set_aside_summary(config.processed_dir / str(rnd.year))
    except (InputError, OSError, ValueError, KeyError):
        return None
    rows, answers = shares(summary)
    threshold = config.max_set_aside
    over = rows > threshold or (answers is not None and answers > threshold)
    return {**summary, "row_share": rows, "answer_share": answers, "threshold": threshold,
            "over": over, "config": str(config.path)}


def describe(losses: dict, lang: str = "vi") -> str:
    """The summary of what was set aside, in ``lang``: shares, files, the report's path."""
    from hailong.present import fmt

    def pct(x: float) -> str:
        return fmt.percent(x, 1, lang)

    answers = ""
    if losses.get("answer_share") is not None:
        answers = message("losses_answers", lang,
                          answers=fmt.count(losses["answers_set_aside"], lang),
                          answers_read=fmt.count(losses["answers_read"], lang),
                          answer_share=pct(losses["answer_share"]))
    files = "; ".join(message("losses_file", lang, name=f["name"],
                              n=fmt.count(f.get("rows_set_aside") or 0, lang),
                              answers=fmt.count(f.get("answers_set_aside") or 0, lang))
                      for f in losses.get("files", [])) or "—"
    return message("losses_summary", lang, rows=fmt.count(losses["rows_set_aside"], lang),
                   rows_read=fmt.count(losses["rows_read"], lang),
                   row_share=pct(losses["row_share"]), answers=answers,
                   threshold=pct(losses["threshold"]), config=_shown(losses["config"]), files=files,
                   report=_shown(losses["data_quality"]))


def check(config: Config, rnd: Round, *, accept: bool = False, lang: str = "vi") -> dict | None:
    """:func:`set_aside`, refused when over the threshold unless ``accept`` (then its
    ``text`` says what was set aside and that the reports were published all the same).

    Raises
    ------
    LossesTooHigh
        Exit status 3: more than ``max_set_aside`` of the rows or answers set aside, and
        ``accept`` is false. Its message says what share, from which files, and where
        the data-quality report is.
    """
    losses = set_aside(config, rnd)
    if losses is None or not losses["over"]:
        return losses
    if not accept:
        raise LossesTooHigh(describe(losses, lang) + " "
                            + message("losses_refused", lang, flag=FLAG), summary=losses)
    losses["text"] = describe(losses, lang) + " " + message("losses_published", lang, flag=FLAG)
    return losses


def _shown(path: str | Path) -> str:
    import os

    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
