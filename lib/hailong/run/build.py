"""``hailong build``: one report per unit of a round, plus the citywide one.

Steps, in this order:

1. :func:`hailong.run.plan.plan` checks every parameter (round, units, language, notebooks and the
   parameters they declare) and lists the jobs — before any kernel starts;
2. ``prepare`` (default :func:`hailong.numbers.pipeline.load_results`) computes and stores the
   round's results once, so every notebook only reads them;
3. the jobs whose outputs are stale (:mod:`hailong.run.buildstate`: what each report reads
   of the results, its notebook, the library) go to an executor
   (:mod:`hailong.run.executors`: this process, ``--workers N`` local processes, or a Dask
   cluster); :func:`hailong.run.jobs.run_job` runs each notebook on the worker's warm kernel
   (:class:`hailong.run.kernel.WarmKernel`), exports it to HTML and prints it to PDF with the
   worker's one browser; a report that fails does not stop the others;
4. the round's other outputs (:mod:`hailong.publish.writers`: the Excel workbook, the
   open data, the follow-up lists, the manifest) and the index page, if what they show
   changed.
   If anything failed, :class:`~hailong.core.errors.BuildError` names each failure.

A build with nothing changed is decided before anything heavy is imported
(:func:`quick_key`): it starts no kernel and reads no results.

Outputs: ``<out>/<year>/<unit>.html`` and ``.pdf`` (``city.html`` for the citywide
report), executed notebooks in ``<out>/<year>/notebooks/<unit>.ipynb``,
``<out>/<year>/index.html``; what was built from what in
``<out>/<year>/internal/build-state.json``. Every file is written under a temporary name
and renamed, so a build killed at any moment leaves each earlier report whole, and the
next build finishes the job. Reports in a language other than Vietnamese get a suffix
(``311.en.html``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import hailong.run.plan as planning
from hailong.core.catalogue import Msg, render
from hailong.core.errors import BuildError, ParameterError, ReportFailure
from hailong.publish.paths import round_dir
from hailong.reference.config import Config, Round, check_reference_files, load_config
from hailong.run.jobs import JobResult, first_line, job_failure, place_files, run_job, warm_worker
from hailong.run.losses import check as check_losses
from hailong.run.plan import KIND_NOTEBOOK, PROGRESS, ReportJob, output_name, plan

if TYPE_CHECKING:  # pragma: no cover - imported when needed (they pull in pandas)
    from hailong.publish.export import IndexEntry
    from hailong.run.executors import Executor


log = logging.getLogger(__name__)


@dataclass
class BuildSummary:
    """What a build did.

    Attributes
    ----------
    built
        The jobs whose HTML report was written by this build (in report order).
    failures
        Why the other jobs failed.
    seconds
        Wall-clock time of the whole build, preparation included.
    out_dir
        The round's output folder (``<out>/<year>``).
    index
        The index page.
    pdf
        What the PDF step did (``None`` when PDFs were not asked for); its
        ``unavailable`` says what to install when no PDF could be made.
    workbook
        The Excel workbook of the round's tables, if there is one.
    outputs
        The files of each round writer (``"workbook"``, ``"opendata"``, ``"followup"``,
        ``"manifest"``: :mod:`hailong.publish.writers`) there are after this build.
    up_to_date
        The units whose report was already up to date (not rebuilt).
    jobs
        Every job's :class:`JobResult` (timings, worker) in report order.
    executor
        Where the jobs ran (e.g. ``"local, 2 workers"``); ``""`` when none ran.
    steps
        Seconds of each step of the build (``check``, ``plan``, ``prepare``, ``jobs``,
        ``index``, ...).
    losses
        What the round's processed data set aside (rows, answers, shares, the
        threshold; ``over``: above it, published because asked to), or ``None``.
    """

    built: list[ReportJob] = field(default_factory=list)
    failures: list[ReportFailure] = field(default_factory=list)
    seconds: float = 0.0
    out_dir: Path | None = None
    index: Path | None = None
    pdf: object | None = None
    workbook: Path | None = None
    outputs: dict[str, list[Path]] = field(default_factory=dict)
    up_to_date: list[str] = field(default_factory=list)
    jobs: list[JobResult] = field(default_factory=list)
    executor: str = ""
    steps: dict[str, float] = field(default_factory=dict)
    #: What the round's processed data set aside (:func:`hailong.run.losses.set_aside`).
    losses: dict | None = None
    #: The reports (unit codes, ``city``) of this build without the Alliance's
    #: "Kết luận và kiến nghị" file (``document.conclusions`` in the configuration).
    no_conclusions: list[str] = field(default_factory=list)


def index_entries(jobs: Iterable[ReportJob], results: object = None) -> list[IndexEntry]:
    """An index entry for every job whose HTML report exists.

    The entry links the report's PDF when it exists and is not older than the page, and,
    given the round's ``results``, carries the unit's satisfaction index (NaN when
    withheld).
    """
    from hailong.publish.export import IndexEntry

    out = []
    for job in jobs:
        if job.html.is_file():
            updated = dt.datetime.fromtimestamp(job.html.stat().st_mtime)
            pdf = job.pdf.is_file() and job.pdf.stat().st_mtime >= job.html.stat().st_mtime
            out.append(IndexEntry(unit=job.unit, name=job.name, href=job.html.name,
                                  updated=updated, pdf_href=job.pdf.name if pdf else None,
                                  headline=_headline(results, job.unit)))
    return out


def _headline(results: object, unit: str) -> float | None:
    """The unit's published satisfaction index; NaN when withheld; None when unknown."""
    scores = getattr(results, "scores", None)
    if scores is None or not hasattr(scores, "columns"):
        return None
    from hailong.numbers.scoring import INDEX

    rows = scores[(scores["unit"] == unit) & (scores["measure"] == INDEX)]
    if rows.empty:  # not a unit of the results (e.g. the progress report)
        return None
    if bool(rows["suppressed"].iloc[0]):
        return math.nan
    if hasattr(results, "estimates"):  # as the report prints it (the city: weighted)
        rows = results.estimates(unit, "index")
    return float(rows["index"].iloc[0])


def _with_info(jobs: list[ReportJob], config: Config, rnd: Round, lang: str,
               prepared: object) -> list[ReportJob]:
    """The jobs with what their title block says (the data date is known only now)."""
    from hailong.publish.export import ReportInfo

    org = config.organisation.get(lang, "")
    period = rnd.label.get(lang) or str(rnd.year)
    data_date = _data_date(prepared)
    return [replace(j, info=ReportInfo(organisation=org, period=period, data_date=data_date,
                                       unit="" if j.kind == PROGRESS else j.name))
            for j in jobs]


def _data_date(prepared: object) -> dt.date | None:
    """The date of the newest data, if the prepared results say (``meta['data_date']``)."""
    value = (getattr(prepared, "meta", None) or {}).get("data_date")
    if not value:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _load_results(round_year: int, config_path: Path) -> object:
    """The default preparation: compute and store the round's results once, and the
    rounds lined up for the trend sections (:func:`hailong.numbers.trend_cache.report_trend`), so
    that no report computes them (two workers would both do it).

    A round whose files are missing fails here, before any kernel starts, with the list
    of the rounds that have data (:func:`hailong.numbers.rounds.check_round_has_data`).
    """
    from hailong.numbers.pipeline import load_results
    from hailong.numbers.rounds import check_round_has_data
    from hailong.numbers.trend_cache import report_trend

    check_round_has_data(load_config(config_path), round_year)
    results = load_results(round_year=round_year, config_path=config_path)
    report_trend(round_year, config_path)
    return results


class _failure_names:
    """The failed reports as ``311 (cell 4), 312``, in the language of the moment."""

    def __init__(self, failures: list[ReportFailure]) -> None:
        self.failures = failures

    def render(self, lang: str | None = None) -> str:
        return ", ".join(f"{f.unit} " + render("err.label.cell", lang, cell=f.cell)
                         if f.cell is not None else f.unit for f in self.failures)


def quick_key(config: Config, rnd: Round, units: list | None, out_dir: Path, lang: str,
              notebooks: str | Path | None, pdf: bool, off: tuple[str, ...] = (),
              accept_losses: bool = False) -> str | None:
    """A key of everything a build's outcome depends on that can be read without
    loading data: the arguments, the configuration, every input file of the round, the
    notebooks, the library's code and templates, the rendering packages and the browser.
    A build that published in spite of its losses (``accept_losses``) never stands for
    one that did not ask to: that one checks the losses again.

    When it equals the key recorded by the last complete build and every file that build
    wrote is untouched, the build has nothing to do. ``None`` if it cannot be made (a
    missing input: the full build then says what is wrong).
    """
    from hailong.core.errors import HailongError
    from hailong.core.files import code_fingerprint, files_digest, json_digest
    from hailong.numbers.pipeline import fingerprint_files
    from hailong.run.buildstate import KEY_VERSION, package_versions

    folder = Path(notebooks or planning.NOTEBOOK_DIR).resolve()
    try:
        inputs = files_digest([*fingerprint_files(config, rnd),
                               *config.conclusions_files(rnd.year)])
    except HailongError:
        return None
    browser = None
    if pdf:
        from hailong.publish.pdf import ENV_VAR, find_chromium

        browser = [os.environ.get(ENV_VAR), str(find_chromium())]
    return json_digest("build", KEY_VERSION, rnd.year, sorted(str(u).strip() for u in units or ()),
                  lang, bool(pdf), list(off), bool(accept_losses), str(folder), str(out_dir),
                  inputs,
                  files_digest(folder / n for n in sorted(set(KIND_NOTEBOOK.values()))),
                  code_fingerprint(), package_versions(), browser)


def _report_keys(jobs: list[ReportJob], prepared: object, config: Config, rnd: Round,
                 pdf: bool) -> dict[str, str | None]:
    """html name -> key of what the report is made from (None: always rebuild, when the
    prepared results are not :class:`~hailong.numbers.scoring.Results`)."""
    from hailong.core.files import code_fingerprint, files_digest, json_digest
    from hailong.numbers.pipeline import fingerprint_files
    from hailong.numbers.scoring import Results
    from hailong.reference.geography import CITY
    from hailong.run.buildstate import KEY_VERSION, package_versions, report_digests

    if not isinstance(prepared, Results):
        return {j.html.name: None for j in jobs}
    reads = report_digests(prepared)
    inputs = files_digest(fingerprint_files(config, rnd))
    common = (KEY_VERSION, code_fingerprint(), package_versions(), bool(pdf))
    keys = {}
    for job in jobs:
        part = (inputs if job.kind == PROGRESS else
                reads[CITY] if job.unit == CITY else reads.get(job.unit, reads["*"]))
        said = (config.conclusions_path(rnd.year, job.unit, job.lang)
                if job.kind != PROGRESS else None)
        keys[job.html.name] = json_digest("report", common, job.kind, job.unit, job.lang,
                                     job.title, job.parameters, job.info,
                                     files_digest([job.notebook]), part,
                                     files_digest([said]) if said is not None else None)
    return keys


#: What the folder of the processed data is, for :func:`_out_ready`'s message.
_PROCESSED = ("what.processed_folder", "hint.processed_folder")
#: Why a build is refused the processed data's lock.
_SAME_CONFIG = "hint.same_config"


def _out_ready(out_dir: Path, what: str = "what.output_folder",
               hint: str = "hint.choose_other_out") -> Path:
    """``out_dir``, created if needed, once it is certain the build can write there
    (checked before any data is read).

    Raises
    ------
    ParameterError
        If ``--out`` names a file, or a folder that cannot be created or written to.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        if not os.access(out_dir, os.W_OK | os.X_OK):
            raise PermissionError(13, "Permission denied")
    except OSError as exc:
        blocker = next((p for p in (out_dir, *out_dir.parents) if p.exists()), None)
        why = (Msg("what.file_in_the_way") if blocker is not None and not blocker.is_dir()
               else exc.strerror or type(exc).__name__)
        raise ParameterError("err.output_folder_unusable", file=out_dir,
                             found=str(blocker) if blocker is not None else None,
                             expected="exp.folder_exists_created_written", hint=hint,
                             what=Msg(what), why=why) from None
    return out_dir


@contextlib.contextmanager
def _locked(out_dir: Path, hint: str = "hint.wait_or_other_out") -> Iterator[None]:
    """Only one build writes into ``out_dir`` at a time (a lock on the folder itself).

    Raises
    ------
    BuildError
        If another build holds it.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    fd = os.open(out_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BuildError("err.another_build_writing", hint=hint, out_dir=out_dir) from None
        yield
    finally:
        os.close(fd)  # releases the lock


#: Temporary files of outputs being written (core.files.atomic_write, the executed notebook,
#: the PDF); a build killed while writing leaves them, the next one removes them.
_TEMPORARY = (".tmp", ".tmp.ipynb")


def _remove_leftovers(out_dir: Path) -> None:
    for folder in (out_dir, out_dir / "notebooks", out_dir / "internal"):
        if folder.is_dir():
            for path in folder.iterdir():
                if path.name.startswith(".") and path.name.endswith(_TEMPORARY) \
                        and path.is_file():
                    path.unlink(missing_ok=True)


def _executor(executor: str | Executor, workers: int | None,
              scheduler: str | None) -> tuple[Executor, bool]:
    """The executor to use, and whether this build made it (and closes it). A local one
    starts its fork server at once, so that it imports the worker's modules while the
    build plans and prepares."""
    from hailong.run.executors import Executor, LocalExecutor, open_executor

    if isinstance(executor, Executor):
        return executor, False
    if executor == "local":
        ex = LocalExecutor(workers, preload=(__name__,))
        ex.warm_up()
        return ex, True
    return open_executor(executor, workers, scheduler, preload=(__name__,)), True


#: Reports that take longest go first, so that no worker is left with one at the end.
_FIRST = {"citywide": 0, PROGRESS: 1}


def _run(jobs: list[ReportJob], fn: Callable, executor: Executor,
         progress: bool | Callable) -> Iterator[JobResult]:
    """Run ``fn`` on every job with ``executor``; results as they come, with a progress
    bar on stderr. A job whose worker died becomes a failure of that job."""
    from tqdm import tqdm

    with tqdm(total=len(jobs), unit="report", file=sys.stderr, disable=not progress) as bar:
        for k, outcome in executor.map_unordered(fn, jobs):
            job = jobs[k]
            if isinstance(outcome, BaseException):
                outcome = JobResult(job=job, failure=job_failure(
                    job, f"the worker running it stopped: {first_line(outcome)}"))
            if not outcome.ok:
                log.info("Report failed: %s", outcome.failure)
                if progress:
                    bar.write(f"failed: {job.name} ({job.unit}): {outcome.failure.error}",
                              file=sys.stderr)
            bar.set_description(job.name)
            bar.update()
            if callable(progress):  # e.g. the staff page's build worker (hailong.serve)
                progress(bar.n, len(jobs), outcome)
            yield outcome


def _switched_off(workbook: bool, open_data: bool) -> tuple[str, ...]:
    """The round writers' options turned off (:attr:`hailong.publish.base.RoundWriter.option`)."""
    return tuple(name for name, on in (("workbook", workbook), ("open_data", open_data))
                 if not on)


def _audited(fn: Callable) -> Callable:
    """:func:`build` that, given ``who=`` (the login, or ``"local"`` for the command line),
    records its start and outcome in the round's audit log (:mod:`hailong.core.audit`)."""
    import inspect

    from hailong.core import audit
    from hailong.core.errors import HailongError

    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(*args, who: str | None = None, **kw):
        if who is None:
            return fn(*args, **kw)
        given = signature.bind_partial(*args, **kw).arguments
        try:
            config = load_config(given.get("config_path"))
            year = config.round(given.get("round_year")).year
        except HailongError:
            return fn(*args, **kw)  # the build says what is wrong; there is no round to log
        units = [str(u) for u in given.get("units") or []]

        def note(what: str, **fields) -> None:
            audit.record(config.data_dir, year, who, what, units=units,
                         lang=given.get("lang", "vi"), **fields)

        note("build_start")
        try:
            summary = fn(*args, **kw)
        except (HailongError, KeyboardInterrupt) as err:
            done = getattr(err, "summary", None)
            note("build_failed", error=str(err).splitlines()[0] if str(err) else
                 type(err).__name__,
                 failures=[f"{f.unit}: {f.error}" for f in getattr(err, "failures", None) or []],
                 built=[j.unit for j in getattr(done, "built", None) or []])
            raise
        note("build_done", built=[j.unit for j in summary.built],
             up_to_date=len(summary.up_to_date), seconds=round(summary.seconds, 1))
        return summary

    return wrapper


@_audited
def build(round_year: int | str | None = None, units: Iterable[str | int] | None = None,
          out: str | Path | None = None, config_path: str | Path | None = None,
          lang: str = "vi", prepare: Callable | None = None,
          progress: bool | Callable = True,
          notebooks: str | Path | None = None, pdf: bool = False,
          workbook: bool = True, *, workers: int | None = None, force: bool = False,
          executor: str | Executor = "local", scheduler: str | None = None,
          open_data: bool = True, accept_losses: bool = False) -> BuildSummary:
    """Build the reports of a round that are not up to date, and the index page.

    Parameters
    ----------
    round_year, units, out, lang, notebooks
        As for :func:`hailong.run.plan.plan`.
    config_path
        The configuration file (default ``data/hailong.yaml``).
    prepare
        Called once, before any notebook, as ``prepare(round_year=, config_path=)``;
        default :func:`hailong.numbers.pipeline.load_results`. What it returns decides what is
        up to date only when it is the round's :class:`~hailong.numbers.scoring.Results`
        (otherwise every report is rebuilt).
    progress
        Show a progress bar on stderr; a callable is also called as
        ``progress(done, total, job_result)`` after each report.
    who
        (keyword) Who asked: the build's start and outcome go to the round's audit log
        (:mod:`hailong.core.audit`); ``None`` (default): not recorded.
    pdf
        Also print every report built to PDF (``311.pdf``), with one browser per worker
        (:mod:`hailong.publish.pdf`; ``hailong build`` does unless ``--no-pdf``). If the
        browser is missing, the HTML reports are still built and ``summary.pdf``
        says what to install. Without it, PDFs of the reports rebuilt are removed (they
        would be older than the pages).
    workbook
        Also write the Excel workbook of the round's tables
        (``bang-so-lieu-<year>.xlsx``, :mod:`hailong.publish.workbook`) when ``prepare`` gives
        the round's results.
    open_data
        Also write the open data (the same tables as CSV and JSON, with a data
        dictionary, under ``data/``: :mod:`hailong.publish.opendata`) when ``prepare``
        gives the round's results. The other round outputs (follow-up lists, manifest)
        are always written: :mod:`hailong.publish.writers` lists them all.
    workers
        Local worker processes (default: the cores this process may use; never more
        than the reports to build). Each keeps one kernel and one browser.
    force
        Rebuild every report, even those that are up to date.
    executor
        ``"local"`` (default), ``"dask"`` (with ``scheduler``), or an
        :class:`~hailong.run.executors.Executor`.
    scheduler
        The Dask scheduler's address, ``tcp://HOST:PORT``.
    accept_losses
        Publish even when more than ``max_set_aside`` of the survey rows or answers were
        set aside (``--publish-anyway``; :mod:`hailong.run.losses`).

    Returns
    -------
    BuildSummary

    Raises
    ------
    ParameterError, ConfigError
        Before anything runs, if a parameter, the output folder or the configuration is
        wrong.
    LossesTooHigh
        Before any report is built, if more than ``max_set_aside`` of the rows or
        answers were set aside and ``accept_losses`` is false (exit status 3).
    BuildError
        After the index is written, if any report failed (``failures`` lists them; the
        error's ``summary`` is the :class:`BuildSummary`), or if another build is
        writing into the same folder.
    """
    start = time.perf_counter()
    steps: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        steps[name] = steps.get(name, 0.0) + now - since
        return now

    units = list(units) if units else None
    config = load_config(config_path)
    rnd = check_reference_files(config, round_year)
    out_dir = round_dir(out, rnd.year)
    quick = None
    if prepare is None:  # what is up to date is known only from the round's own results
        from hailong.run.buildstate import BuildState

        quick = quick_key(config, rnd, units, out_dir, lang, notebooks, pdf,
                          _switched_off(workbook, open_data), accept_losses)
        hit = BuildState.load(out_dir).fast_hit(quick) if quick and not force else None
        if hit is not None:  # its losses were checked (or accepted) by the build recorded
            mark = lap("check", start)
            book = hit.get("workbook")
            return BuildSummary(out_dir=out_dir, index=out_dir / hit.get("index", "index.html"),
                                workbook=out_dir / book if book else None,
                                up_to_date=list(hit.get("reports", [])),
                                seconds=mark - start, steps=steps)
    mark = lap("check", start)
    ex, own = _executor(executor, workers, scheduler)
    try:
        jobs = plan(config, round_year, units, out, lang, notebooks)  # a wrong unit stops here
        if prepare is None:  # a round without data stops here too, having written nothing
            from hailong.numbers.rounds import check_round_has_data

            check_round_has_data(config, rnd.year)
        # the output folder and the processed data are locked before anything is written
        with _locked(_out_ready(out_dir)), \
                _locked(_out_ready(config.processed_dir, *_PROCESSED), hint=_SAME_CONFIG):
            if own and getattr(ex, "kind", "") == "local" and jobs:
                # workers warm up while this process prepares and checks what is stale
                from collections import Counter

                from hailong.core.files import code_fingerprint

                common = Counter(j.notebook for j in jobs).most_common(1)[0][0]
                ex.prestart(functools.partial(warm_worker, common, pdf=bool(pdf),
                                              code=code_fingerprint()), len(jobs))
            mark = lap("plan", mark)
            prepared = (prepare or _load_results)(round_year=rnd.year, config_path=config.path)
            losses = check_losses(config, rnd, accept=accept_losses, lang=lang)
            jobs = _with_info(jobs, config, rnd, lang, prepared)
            mark = lap("prepare", mark)
            summary = _build_locked(jobs, prepared, config, rnd, out, out_dir, units, lang,
                                    notebooks, pdf, _switched_off(workbook, open_data),
                                    progress, force, ex, quick, steps, mark)
            summary.losses = losses
    finally:
        if own:
            ex.close()
    summary.seconds = time.perf_counter() - start
    if summary.failures:
        err = BuildError("err.reports_failed", failures=summary.failures,
                         hint="hint.open_executed_notebook_named", n=len(summary.failures),
                         total=len(jobs), names=_failure_names(summary.failures))
        err.summary = summary
        raise err
    return summary


def _round_outputs(off: tuple[str, ...], prepared: object, progress_jobs: list[ReportJob],
                   stale: list[ReportJob], keys: dict, whole: str | None, lang: str,
                   state, force: bool) -> list[tuple[object, str | None, bool]]:
    """The round writers this build has (:func:`hailong.publish.writers.round_writers`),
    each with the key of what its files are made from and whether to write them now."""
    from hailong.core.files import code_fingerprint, json_digest
    from hailong.numbers.scoring import Results
    from hailong.publish.writers import round_writers

    out = []
    for writer in round_writers(off):
        if writer.needs_results and not isinstance(prepared, Results):
            continue
        if writer.stale_when == "progress":
            if not progress_jobs:
                continue
            key = keys[progress_jobs[0].html.name]
            due = key is None or force or progress_jobs[0] in stale \
                or not state.fresh(writer.name, key)
        elif writer.stale_when == "results":
            key = json_digest(writer.name, whole, lang, code_fingerprint()) if whole else None
            due = key is None or force or not state.fresh(writer.name, key)
        else:  # "always"
            key, due = None, True
        out.append((writer, key, due))
    return out


def _build_locked(jobs, prepared, config, rnd, out, out_dir, units, lang, notebooks, pdf,
                  off, progress, force, ex, quick, steps, mark) -> BuildSummary:
    """:func:`build` once the output folder is locked: the stale jobs (while the round's
    other outputs are written beside them), then the index."""
    from concurrent.futures import ThreadPoolExecutor

    from hailong.core.files import code_fingerprint, json_digest
    from hailong.numbers.scoring import Results
    from hailong.publish.base import RoundOutput
    from hailong.publish.pdf import PdfBatch, missing
    from hailong.run.buildstate import BuildState, report_digests

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        steps[name] = steps.get(name, 0.0) + now - since
        return now

    _remove_leftovers(out_dir)
    state = BuildState.load(out_dir)
    unavailable = missing() if pdf else None
    printing = bool(pdf) and unavailable is None
    keys = _report_keys(jobs, prepared, config, rnd, printing)
    stale = [j for j in jobs if force or keys[j.html.name] is None
             or not state.fresh(j.html.name, keys[j.html.name])]
    current = [j for j in jobs if j not in stale]
    whole = report_digests(prepared)["city"] if isinstance(prepared, Results) else None
    progress_jobs = [j for j in jobs if j.kind == PROGRESS]
    outputs = _round_outputs(off, prepared, progress_jobs, stale, keys, whole, lang, state,
                             force)
    given = RoundOutput(results=prepared if isinstance(prepared, Results) else None,
                        config=config, round=rnd, out_dir=out_dir, lang=lang)
    mark = lap("check", mark)

    def beside() -> tuple[dict[str, list[Path]], list[ReportFailure]]:
        """The round's other outputs that are due (written while the reports are built)."""
        written, failed = {}, []
        for writer, _key, due in outputs:
            if not due:
                continue
            try:
                written[writer.name] = list(writer.write(given))
            except Exception as err:  # the reports are built; say what went wrong
                failed.append(ReportFailure(unit=writer.name, notebook="",
                                            error=f"{writer.name} not written: "
                                                  f"{type(err).__name__}: {err}"))
        return written, failed

    by_job: dict[str, JobResult] = {}
    described = ""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hailong-beside") as side:
        aside = side.submit(beside)
        if stale:
            if getattr(ex, "kind", "") == "local" and ex.workers > len(stale):
                ex.workers = len(stale)  # a local pool: no more processes than reports
            described = ex.describe()
            stage = bool(getattr(ex, "return_outputs", False))
            fn = functools.partial(run_job, pdf=printing, stage=stage,
                                   code=code_fingerprint())
            order = sorted(stale, key=lambda j: _FIRST.get(j.kind, 2))
            try:
                for result in _run(order, fn, ex, progress):
                    job = result.job
                    if result.files is not None:
                        place_files(result)
                    by_job[job.html.name] = result
                    key = keys[job.html.name]
                    if result.ok and key is not None and (result.pdf == "made"
                                                          or not printing):
                        outputs_of_job = [job.html, job.executed] + (
                            [job.pdf] if result.pdf == "made" else [])
                        state.record(job.html.name, key, outputs_of_job)
                    else:
                        state.forget(job.html.name)
                    state.save(force=False)
            finally:
                state.save()
        written, round_failures = aside.result()
    mark = lap("jobs", mark)
    results = [by_job[j.html.name] for j in stale]
    built = [r.job for r in results if r.ok]
    failures = [r.failure for r in results if not r.ok]
    pdf_batch = None
    if pdf:
        pdf_batch = PdfBatch(made=[r.job.pdf for r in results if r.pdf == "made"],
                             failed=[(r.job.html, r.pdf_error) for r in results
                                     if r.pdf == "failed"],
                             unavailable=unavailable or next(
                                 (r.pdf_error for r in results if r.pdf == "unavailable"),
                                 None),
                             seconds=sum(r.pdf_s for r in results))
        failures += [job_failure(r.job, f"PDF not made: {r.pdf_error}")
                     for r in results if r.pdf == "failed"]
        if pdf_batch.unavailable:
            log.warning("No PDF made: %s", pdf_batch.unavailable)
    failures += round_failures
    files: dict[str, list[Path]] = {}
    downloads: list[tuple[str, str]] = []
    for writer, key, due in outputs:
        if due:
            made = written.get(writer.name, [])
            if key is not None and made:
                state.record(writer.name, key, made)
            else:
                state.forget(writer.name)
        else:
            made = [out_dir / name for name in state.entries[writer.name]["files"]]
        if made:
            files[writer.name] = made
            if writer.link is not None and not writer.internal:
                downloads.append(writer.link(rnd.year, lang))
    book = files["workbook"][0] if files.get("workbook") else None

    every = jobs if not units else plan(config, rnd.year, None, out, lang, notebooks)
    index_name = output_name("index", lang, "html")
    listed = [(j.html.name, j.html.is_file(), j.pdf.is_file()) for j in every]
    index_key = (json_digest("index", whole, lang, listed, downloads) if whole else None)
    index = out_dir / index_name
    if index_key is None or force or built or failures or not state.fresh(index_name,
                                                                          index_key):
        from hailong.publish.export import write_index

        index = write_index(out_dir, index_entries(every, prepared),
                            rnd.label.get(lang) or str(rnd.year),
                            config.organisation.get(lang, ""), lang,
                            data_date=_data_date(prepared), filename=index_name,
                            meta=getattr(prepared, "meta", None), downloads=downloads)
        if index_key is not None:
            state.record(index_name, index_key, [index])
    mark = lap("index", mark)

    complete = (quick is not None and not failures and index_key is not None
                and (not pdf or printing))
    if complete:
        names = [j.html.name for j in jobs] + [index_name]
        names += [w.name for w, key, _due in outputs if key is not None
                  and w.name in state.entries]
        state.set_fast(quick, names, {"reports": [j.unit for j in jobs], "index": index_name,
                                      "workbook": book.name if book else None})
    else:
        state.set_fast(None)
    if index_key is not None or state.entries:
        state.save()
    lap("index", mark)
    said = {j.unit: config.conclusions_path(rnd.year, j.unit, j.lang) for j in jobs
            if j.kind != PROGRESS}
    no_conclusions = [u for u, path in said.items() if path is None or not path.is_file()]
    return BuildSummary(built=built, failures=failures, out_dir=out_dir, index=index,
                        pdf=pdf_batch, workbook=book, outputs=files,
                        up_to_date=[j.unit for j in current], jobs=results,
                        executor=described, steps=steps, no_conclusions=no_conclusions)
