"""What a writer is: the interface every output format implements.

:class:`ReportWriter` writes one file of a report, :class:`RoundWriter` some of a round's
other outputs (given a :class:`RoundOutput`). The registry of the writers is
:mod:`hailong.publish.writers`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from hailong.reference.config import Config, Round


@dataclass(frozen=True)
class ReportWriter:
    """Writes one file of a report from the file the writer before it wrote.

    Attributes
    ----------
    name
        The file's extension and the output's name (``"html"``, ``"pdf"``).
    source
        The name of what it reads: ``"ipynb"`` (the executed notebook) or an earlier
        writer's ``name``.
    optional
        Its failure does not fail the report (the PDF: the page is still published,
        and the build names what is missing).
    write
        ``write(source, target, job, worker)``: ``job`` is the report
        (:class:`hailong.run.plan.ReportJob`), ``worker`` what the worker keeps between
        reports (its browser).
    """

    name: str
    source: str
    optional: bool
    write: Callable[[Path, Path, object, object], None]


@dataclass(frozen=True)
class RoundOutput:
    """What a round writer is given.

    Attributes
    ----------
    results
        The round's :class:`~hailong.numbers.scoring.Results` (``None`` when the build
        was prepared with something else, e.g. in tests).
    config, round
        The configuration and the round.
    out_dir
        The round's output folder (``<out>/<year>``).
    lang
        The language of the build.
    """

    results: object
    config: Config
    round: Round
    out_dir: Path
    lang: str


@dataclass(frozen=True)
class RoundWriter:
    """Writes some of a round's outputs, once per build.

    Attributes
    ----------
    name
        The output's name (in the build's state and in failures: ``"workbook"``).
    write
        ``write(output) -> [paths]``: the files written (``[]`` when nothing applies).
    stale_when
        What makes its files stale: ``"results"`` (the round's results, the language or
        the code changed), ``"progress"`` (the survey's progress: written whenever the
        progress report is), ``"always"`` (every build that builds anything).
    needs_results
        Skipped when the build has no real results.
    internal
        Its files are internal (under ``internal/``), never linked from the index.
    link
        ``link(year, lang) -> (text, href)``: the index's download link (public writers;
        ``href`` relative to the round's folder), or ``None``.
    option
        The :func:`hailong.run.build.build` flag that turns it off (``"workbook"``), or
        ``None`` when it is always written.
    """

    name: str
    write: Callable[[RoundOutput], list[Path]]
    stale_when: str = "results"
    needs_results: bool = True
    internal: bool = False
    link: Callable[[int, str], tuple[str, str]] | None = None
    option: str | None = None
