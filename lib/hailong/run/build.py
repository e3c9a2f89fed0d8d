"""``hailong build``: one report per unit of a round, plus the citywide one.

Steps, in this order:

1. :func:`plan` checks every parameter (round, units, language, notebooks and the
   parameters they declare) and lists the jobs — before any kernel starts;
2. ``prepare`` (default :func:`hailong.numbers.pipeline.load_results`) computes and stores the
   round's results once, so every notebook only reads them;
3. the jobs whose outputs are stale (:mod:`hailong.run.buildstate`: what each report reads
   of the results, its notebook, the library) go to an executor
   (:mod:`hailong.run.executors`: this process, ``--workers N`` local processes, or a Dask
   cluster); :func:`run_job` runs each notebook on the worker's warm kernel
   (:class:`hailong.run.kernel.WarmKernel`), exports it to HTML and prints it to PDF with the
   worker's one browser; a report that fails does not stop the others;
4. the follow-up lists, the Excel workbook and the index page, if what they show changed.
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
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from hailong.reference.config import PROJECT_ROOT, Config, Round, load_config
from hailong.core.errors import BuildError, ConfigError, ReportFailure
from hailong.core.files import commit
from hailong.publish.paths import round_dir

if TYPE_CHECKING:  # pragma: no cover - imported when needed (they pull in pandas)
    from hailong.run.executors import Executor
    from hailong.publish.export import IndexEntry, ReportInfo

log = logging.getLogger(__name__)

#: Where the report notebooks are.
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks" / "reports"
#: Default output folder (one sub-folder per round).
#: The notebook of each kind of report. A unit report is the same template at every
#: level (district in 2022, commune after 2025): units are data, not code paths.
KIND_NOTEBOOK = {"citywide": "citywide.ipynb", "district": "district.ipynb",
                 "commune": "district.ipynb", "progress": "progress.ipynb"}
#: Unit (and kind) of the survey progress report: ``hailong build --unit progress``.
PROGRESS = "progress"
#: The kernel the reports run on (see :mod:`hailong.run.kernel`).
KERNEL = "python3"


@dataclass(frozen=True)
class ReportJob:
    """One report to build: a notebook, its parameters and where its outputs go.

    Attributes
    ----------
    round_year, unit, kind, lang
        What the report is: ``unit`` is a unit code or ``"city"``; ``kind`` is
        ``"citywide"`` or the round's unit level (``"district"``).
    name
        The unit as a reader names it ("Huyện Thuỷ Nguyên").
    title
        The page title of the HTML report.
    notebook
        The report template that is run.
    parameters
        What papermill injects.
    html, executed
        The HTML page and the executed notebook.
    info
        What the title block / PDF cover says (organisation, unit, round, data date);
        filled by :func:`build` once the round's results are prepared.
    """

    round_year: int
    unit: str
    kind: str
    lang: str
    name: str
    title: str
    notebook: Path
    parameters: dict
    html: Path
    executed: Path
    info: ReportInfo | None = None

    @property
    def pdf(self) -> Path:
        """The report's PDF, beside its HTML page (``311.pdf``, ``311.en.pdf``)."""
        return self.html.with_suffix(".pdf")


@dataclass
class JobResult:
    """What became of one job: ``failure`` is ``None`` when the report was built.

    Attributes
    ----------
    seconds, execute_s, html_s, pdf_s
        Time of the whole job and of its steps (notebook, HTML page, PDF).
    pdf
        ``"made"``, ``"failed"``, ``"unavailable"`` (no browser here) or ``""`` (not
        asked, or the report failed); ``pdf_error`` says why.
    worker
        ``host:pid`` of the process that ran it.
    started, finished
        When it ran (``time.time()`` of the worker).
    kernel_starts
        Kernels started for this job (0 when the worker's kernel was reused, or started
        by :func:`warm_worker` before the first job).
    worker_kernels
        Kernels the worker has started so far, this job's included (1 for a worker that
        kept its kernel).
    files
        The outputs' bytes (``executed``, ``html``, ``pdf``) when the worker wrote them
        in a folder of its own (Dask); the build writes them into place.
    """

    job: ReportJob
    failure: ReportFailure | None = None
    seconds: float = 0.0
    execute_s: float = 0.0
    html_s: float = 0.0
    pdf_s: float = 0.0
    pdf: str = ""
    pdf_error: str | None = None
    worker: str = ""
    kernel_starts: int = 0
    worker_kernels: int = 0
    files: dict[str, bytes] | None = None
    started: float = 0.0
    finished: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failure is None


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
    up_to_date
        The units whose report was already up to date (not rebuilt).
    jobs
        Every job's :class:`JobResult` (timings, worker) in report order.
    executor
        Where the jobs ran (e.g. ``"local, 2 workers"``); ``""`` when none ran.
    steps
        Seconds of each step of the build (``check``, ``plan``, ``prepare``, ``jobs``,
        ``index``, ...).
    """

    built: list[ReportJob] = field(default_factory=list)
    failures: list[ReportFailure] = field(default_factory=list)
    seconds: float = 0.0
    out_dir: Path | None = None
    index: Path | None = None
    pdf: object | None = None
    workbook: Path | None = None
    up_to_date: list[str] = field(default_factory=list)
    jobs: list[JobResult] = field(default_factory=list)
    executor: str = ""
    steps: dict[str, float] = field(default_factory=dict)


def output_name(unit: str, lang: str, ext: str) -> str:
    """``311.html``; ``311.en.html`` for a report in English."""
    suffix = "" if lang == "vi" else f".{lang}"
    return f"{unit}{suffix}.{ext}"


#: Every parameter a report notebook receives, and its meaning (``hailong build --help``
#: lists them; the notebooks' parameters cells say the same for ``papermill --help-notebook``).
REPORT_PARAMETERS = {
    "round_year": "survey round (year), e.g. 2022; its data, questionnaire and geography "
                  "come from data/hailong.yaml",
    "unit": "GSO code of the unit the report is about: a district (e.g. 311 = Thuỷ Nguyên) "
            "in rounds up to 2024, a commune (e.g. 11560) from 2025; not passed to the "
            "citywide report",
    "lang": "language of the report: vi (Vietnamese) or en (English)",
    "config_path": "the configuration file the build used (None in a notebook = "
                   "data/hailong.yaml)",
}


def _parameters(kind: str, rnd: Round, unit: str, lang: str, config: Config) -> dict:
    params = {"round_year": rnd.year, "unit": unit, "lang": lang,
              "config_path": str(config.path)}
    if kind in ("citywide", PROGRESS):
        del params["unit"]
    return params


def _notebook(kind: str, notebooks: Path) -> Path:
    """The template of ``kind``, or ConfigError if it is missing."""
    name = KIND_NOTEBOOK.get(kind)
    if name is None:
        raise ConfigError(f"There is no report notebook for units of level {kind!r}.",
                          expected=", ".join(sorted(KIND_NOTEBOOK)),
                          hint="Check 'unit_level' of the round in the configuration.")
    path = notebooks / name
    if not path.is_file():
        raise ConfigError("The report notebook does not exist.", file=path,
                          hint="Restore it from git, or pass the folder of the notebooks.")
    return path


def declared_parameters(notebook: Path) -> set[str]:
    """The names assigned in the notebook's cell tagged ``parameters``.

    Raises
    ------
    ConfigError
        If the file is not a notebook.
    """
    import nbformat
    from papermill.translators import PythonTranslator

    try:
        nb = nbformat.read(str(notebook), as_version=4)
    except Exception as exc:  # invalid JSON or not a notebook
        raise ConfigError(f"The report notebook cannot be read: {exc}", file=notebook) from None
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    return {p.name for p in PythonTranslator.inspect(cells[0])} if cells else set()


def check_notebook_parameters(notebook: Path, names: Iterable[str]) -> None:
    """Raise ConfigError unless ``notebook``'s parameters cell declares every name.

    papermill injects unknown parameters with only a warning, so a notebook that does
    not use ``lang`` would silently build the wrong report.
    """
    names = list(names)
    declared = declared_parameters(notebook)
    missing = [n for n in names if n not in declared]
    if missing:
        raise ConfigError(
            "The report notebook does not declare parameters the build passes.",
            file=notebook, found=missing,
            expected=f"a cell tagged 'parameters' assigning {', '.join(names)}",
            hint="Add them to the notebook's parameters cell.")


def plan(config: Config, round_year: int | str | None = None,
         units: Iterable[str | int] | None = None, out: str | Path | None = None,
         lang: str = "vi", notebooks: str | Path | None = None) -> list[ReportJob]:
    """The reports of a round: the citywide one, then every unit of the round's level.

    Parameters
    ----------
    config
        The project configuration.
    round_year
        The round (default: the configuration's current round).
    units
        Only these unit codes (``"city"`` = the citywide report); default all.
    out
        Output folder; reports go to ``<out>/<year>/`` (default ``output/<year>/``).
    lang
        ``"vi"`` or ``"en"``.
    notebooks
        Folder of the report notebooks (default ``notebooks/reports``).

    Raises
    ------
    ParameterError
        Unknown round (lists the valid ones), unknown unit (lists the valid codes and
        their names) or unknown language.
    ConfigError
        A report notebook is missing or lacks a parameter.
    """
    from hailong.present.fmt import check_lang, t, unit_name
    from hailong.reference.geography import CITY, load_units

    check_lang(lang)
    rnd = config.round(round_year)
    geo = load_units(rnd.units, rnd.geography_date)
    level = rnd.unit_level
    every = [CITY, *geo.codes(level)]
    units = list(units) if units else None
    asked = [u for u in units or () if str(u).strip() != PROGRESS]  # PROGRESS: see below
    wanted = set(geo.check(asked, level)) if asked else set() if units else set(every)
    folder = Path(notebooks or NOTEBOOK_DIR).resolve()
    out_dir = round_dir(out, rnd.year)
    period = rnd.label.get(lang) or str(rnd.year)
    jobs, checked = [], set()
    for code in (c for c in every if c in wanted):
        kind = "citywide" if code == CITY else level
        nb = _notebook(kind, folder)
        params = _parameters(kind, rnd, code, lang, config)
        if nb not in checked:
            check_notebook_parameters(nb, list(params))
            checked.add(nb)
        name = unit_name(geo, code, lang)
        jobs.append(ReportJob(
            round_year=rnd.year, unit=code, kind=kind, lang=lang, name=name,
            title=t("report_title", lang, unit=name, period=period), notebook=nb,
            parameters=params, html=out_dir / output_name(code, lang, "html"),
            executed=out_dir / "notebooks" / output_name(code, lang, "ipynb")))
    return jobs + _progress_jobs(config, rnd, units, folder, out_dir, lang)


# --- survey progress (hailong.numbers.coverage, hailong.publish.followup) -------------------------------

def _progress_jobs(config: Config, rnd: Round, units: list | None, folder: Path,
                   out_dir: Path, lang: str) -> list[ReportJob]:
    """The progress report (aggregates only, listed on the index): when every report is
    built and ``folder`` has its notebook, or when ``units`` names it (then the notebook
    must exist)."""
    from hailong.present.fmt import t

    named = any(str(u).strip() == PROGRESS for u in units or ())
    if not named and (units or not (folder / KIND_NOTEBOOK[PROGRESS]).is_file()):
        return []
    nb = _notebook(PROGRESS, folder)
    params = _parameters(PROGRESS, rnd, PROGRESS, lang, config)
    check_notebook_parameters(nb, list(params))
    period = rnd.label.get(lang) or str(rnd.year)
    return [ReportJob(
        round_year=rnd.year, unit=PROGRESS, kind=PROGRESS, lang=lang,
        name=t("progress_name", lang), title=t("progress_page_title", lang, period=period),
        notebook=nb, parameters=params, html=out_dir / output_name(PROGRESS, lang, "html"),
        executed=out_dir / "notebooks" / output_name(PROGRESS, lang, "ipynb"))]


def _write_followup(jobs: list[ReportJob], config: Config, rnd: Round,
                    out: str | Path | None) -> tuple[list[ReportFailure], list[Path]]:
    """The INTERNAL follow-up lists (:func:`hailong.publish.followup.write_internal`), once per
    build that plans the progress report: under ``<out>/<year>/internal/``, never linked
    from the index. A failure is returned, not raised: the reports are built. Returns
    the failures and the files written."""
    if not any(j.kind == PROGRESS for j in jobs):
        return [], []
    from hailong.numbers.coverage import load_progress
    from hailong.publish.followup import write_internal

    try:
        written = write_internal(load_progress(rnd.year, config.path), out=out)
    except Exception as err:
        return [ReportFailure(unit="internal", notebook="",
                              error=f"follow-up lists not written: {type(err).__name__}: {err}")
                ], []
    return [], [Path(p) for p in (written or {}).values()]


def _failure(job: ReportJob, error: str, cell: int | None = None,
             executed: Path | None = None, **extra) -> ReportFailure:
    return ReportFailure(unit=job.unit, notebook=str(job.notebook), cell=cell, error=error,
                         output_notebook=str(executed) if executed else None, extra=extra)


# --- one job, on a worker ---------------------------------------------------------------

def _execute(job: ReportJob, executed: Path, kernel) -> ReportFailure | None:
    """Run the notebook on ``kernel`` into ``executed`` (atomically); the failure, if any.

    Failures name ``job.executed`` (where the build puts the executed notebook)."""
    from papermill import PapermillExecutionError

    from hailong.run.kernel import KernelLost

    executed.parent.mkdir(parents=True, exist_ok=True)
    tmp = executed.with_name(f".{executed.stem}.{os.getpid()}.tmp.ipynb")
    failure = None
    try:
        kernel.run(job.notebook, tmp, job.parameters, cwd=job.notebook.parent)
    except PapermillExecutionError as err:
        failure = _failure(job, f"{err.ename}: {err.evalue}", err.cell_index, job.executed,
                           exec_count=err.exec_count)
    except KernelLost as err:  # the kernel died or hung; the worker starts a new one
        failure = _failure(job, str(err), err.cell_index)
    except Exception as err:  # the kernel did not start, ...
        failure = _failure(job, f"{type(err).__name__}: {err}")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if tmp.exists():
        commit(tmp, executed)
        if failure is not None and failure.output_notebook is None:
            failure.output_notebook = str(job.executed)
    elif failure is not None:  # nothing ran: an older executed notebook would mislead
        executed.unlink(missing_ok=True)
    return failure


@functools.lru_cache(maxsize=1)
def _loaded_code() -> str:
    """The fingerprint of the library this process runs (taken at its first job)."""
    from hailong.core.files import code_fingerprint

    return code_fingerprint()


def _first_line(err: BaseException) -> str:
    return f"{type(err).__name__}: {(str(err).strip().splitlines() or [''])[0]}"


def _print_pdf(job_result: JobResult, state, html: Path, pdf: Path) -> None:
    """Print ``html`` to ``pdf`` with the worker's browser; the outcome goes into
    ``job_result`` (a browser that failed is closed: the next job opens a new one)."""
    from hailong.publish.pdf import PdfUnavailable

    start = time.perf_counter()
    try:
        state.pdf_renderer().render(html, pdf)
        job_result.pdf = "made"
    except PdfUnavailable as err:
        job_result.pdf, job_result.pdf_error = "unavailable", str(err)
    except Exception as err:  # timeout, crash, disk full
        job_result.pdf, job_result.pdf_error = "failed", _first_line(err)
        pdf.unlink(missing_ok=True)
        if state.renderer is not None:
            state.renderer.close()
            state.renderer = None
    job_result.pdf_s = time.perf_counter() - start


def warm_worker(notebook: str | Path, pdf: bool = False, code: str | None = None) -> str:
    """Make this worker ready for jobs: its kernel started with ``notebook``'s imports
    done, and its browser open when PDFs are wanted. Run by each local worker while the
    build plans (:meth:`hailong.run.executors.LocalExecutor.prestart`); a worker that is
    already warm does nothing. Returns the worker's name."""
    from hailong.run.executors import worker_name, worker_state
    from hailong.publish.pdf import PdfUnavailable

    state = worker_state()
    kernel = state.warm_kernel(code)
    if kernel.starts == 0:
        kernel.warm_up(notebook)
    if pdf:
        try:
            state.pdf_renderer()
        except PdfUnavailable:  # the jobs report it
            pass
    return worker_name()


def run_job(job: ReportJob, pdf: bool = False, stage: bool = False,
            code: str | None = None) -> JobResult:
    """Build one report on this worker: run its notebook, export it to HTML, print it.

    The notebook runs on the worker's warm kernel (:func:`hailong.run.executors.worker_state`),
    the PDF on the worker's browser. Never raises for a report that fails (only for
    Ctrl-C): the failure is returned, and a stale HTML page and PDF of the same report
    from an earlier build are removed so that no outdated report stays next to the new
    ones. Without ``pdf`` (or when it could not be made), an earlier PDF of the report is
    removed too (it would be older than the page).

    Parameters
    ----------
    job
        The report.
    pdf
        Also print the page to PDF.
    stage
        Write the outputs in a temporary folder of this worker and return their bytes
        in :attr:`JobResult.files` (for workers that do not share the output folder).
    code
        The library fingerprint the build runs; a worker running other code refuses the
        job (its modules and kernel would build another report).
    """
    from hailong.run.executors import worker_name, worker_state

    start = time.perf_counter()
    result = JobResult(job=job, worker=worker_name(), started=time.time())
    if code is not None and code != _loaded_code():
        result.failure = _failure(job, "this worker runs another version of hailong than "
                                       "the build: restart it")
        return result
    state = worker_state()
    with contextlib.ExitStack() as stack:
        if stage:
            folder = Path(tempfile.mkdtemp(prefix="hailong-job-"))
            stack.callback(shutil.rmtree, folder, True)
            executed, html, pdf_path = (folder / job.executed.name, folder / job.html.name,
                                        folder / job.pdf.name)
        else:
            executed, html, pdf_path = job.executed, job.html, job.pdf
        kernel = state.warm_kernel(code)
        starts = kernel.starts
        failure = _execute(job, executed, kernel)
        result.kernel_starts = kernel.starts - starts
        result.worker_kernels = kernel.starts
        result.execute_s = time.perf_counter() - start
        if failure is None:
            from hailong.publish.export import export_html

            mark = time.perf_counter()
            try:
                export_html(executed, html, job.title, job.lang, job.info)
            except Exception as err:
                failure = _failure(job, f"HTML export failed: {type(err).__name__}: {err}",
                                   executed=job.executed)
            result.html_s = time.perf_counter() - mark
        if failure is None and pdf:
            _print_pdf(result, state, html, pdf_path)
        if failure is not None:
            html.unlink(missing_ok=True)
        if result.pdf != "made":
            pdf_path.unlink(missing_ok=True)
        if stage:
            result.files = {name: path.read_bytes() for name, path in
                            (("executed", executed), ("html", html), ("pdf", pdf_path))
                            if path.is_file()}
    state.jobs += 1
    result.failure = failure
    result.seconds = time.perf_counter() - start
    result.finished = time.time()
    return result


def _place_files(result: JobResult) -> None:
    """Write the outputs a worker sent back (:attr:`JobResult.files`) into place: the
    executed notebook, the page, then the PDF (so the PDF is never older than its page);
    what the job did not make is removed, as :func:`run_job` does."""
    from hailong.core.files import atomic_write

    job, files = result.job, result.files or {}
    for name, path in (("executed", job.executed), ("html", job.html), ("pdf", job.pdf)):
        if name in files:
            atomic_write(path, files[name])
        elif name != "executed" or result.failure is None:
            path.unlink(missing_ok=True)
    result.files = None


# --- the index --------------------------------------------------------------------------

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


def _secondary(results: object) -> bool:
    """Whether some index is withheld only to protect others (secondary suppression)."""
    scores = getattr(results, "scores", None)
    if scores is None or not hasattr(scores, "columns") or "suppression" not in scores:
        return False
    index = scores[scores["measure"] == "INDEX"]
    return bool((index["suppression"] == "secondary").any())


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


def _write_workbook(prepared: object, out_dir: Path, rnd: Round, lang: str) -> Path | None:
    """The Excel workbook of the round's published tables (only from real results)."""
    from hailong.numbers.scoring import Results
    from hailong.publish.workbook import workbook_name, write_workbook

    if not isinstance(prepared, Results):
        return None
    return write_workbook(prepared, out_dir / workbook_name(rnd.year, lang), lang)


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
    from hailong.numbers.trend_cache import report_trend
    from hailong.numbers.pipeline import load_results
    from hailong.numbers.rounds import check_round_has_data

    check_round_has_data(load_config(config_path), round_year)
    results = load_results(round_year=round_year, config_path=config_path)
    report_trend(round_year, config_path)
    return results


def _failure_message(failures: list[ReportFailure], total: int) -> str:
    names = ", ".join(f"{f.unit} (cell {f.cell})" if f.cell is not None else f.unit
                      for f in failures)
    return f"{len(failures)} of {total} reports failed to build: {names}."


# --- incremental builds (hailong.run.buildstate) --------------------------------------------

def quick_key(config: Config, rnd: Round, units: list | None, out_dir: Path, lang: str,
              notebooks: str | Path | None, pdf: bool, workbook: bool) -> str | None:
    """A key of everything a build's outcome depends on that can be read without
    loading data: the arguments, the configuration, every input file of the round, the
    notebooks, the library's code and templates, the rendering packages and the browser.

    When it equals the key recorded by the last complete build and every file that build
    wrote is untouched, the build has nothing to do. ``None`` if it cannot be made (a
    missing input: the full build then says what is wrong).
    """
    from hailong.core.files import code_fingerprint, files_digest, json_digest
    from hailong.run.buildstate import KEY_VERSION, package_versions
    from hailong.core.errors import HailongError
    from hailong.numbers.pipeline import fingerprint_files

    folder = Path(notebooks or NOTEBOOK_DIR).resolve()
    try:
        inputs = files_digest(fingerprint_files(config, rnd))
    except HailongError:
        return None
    browser = None
    if pdf:
        from hailong.publish.pdf import ENV_VAR, find_chromium

        browser = [os.environ.get(ENV_VAR), str(find_chromium())]
    return json_digest("build", KEY_VERSION, rnd.year, sorted(str(u).strip() for u in units or ()),
                  lang, bool(pdf), bool(workbook), str(folder), str(out_dir), inputs,
                  files_digest(folder / n for n in sorted(set(KIND_NOTEBOOK.values()))),
                  code_fingerprint(), package_versions(), browser)


def _report_keys(jobs: list[ReportJob], prepared: object, config: Config, rnd: Round,
                 pdf: bool) -> dict[str, str | None]:
    """html name -> key of what the report is made from (None: always rebuild, when the
    prepared results are not :class:`~hailong.numbers.scoring.Results`)."""
    from hailong.core.files import code_fingerprint, files_digest, json_digest
    from hailong.run.buildstate import KEY_VERSION, package_versions, report_digests
    from hailong.reference.geography import CITY
    from hailong.numbers.pipeline import fingerprint_files
    from hailong.numbers.scoring import Results

    if not isinstance(prepared, Results):
        return {j.html.name: None for j in jobs}
    reads = report_digests(prepared)
    inputs = files_digest(fingerprint_files(config, rnd))
    common = (KEY_VERSION, code_fingerprint(), package_versions(), bool(pdf))
    keys = {}
    for job in jobs:
        part = (inputs if job.kind == PROGRESS else
                reads[CITY] if job.unit == CITY else reads.get(job.unit, reads["*"]))
        keys[job.html.name] = json_digest("report", common, job.kind, job.unit, job.lang,
                                     job.title, job.parameters, job.info,
                                     files_digest([job.notebook]), part)
    return keys


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
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
            raise BuildError(f"Another build is writing to {out_dir}.",
                             hint="Wait for it to finish, or build into another folder "
                                  "(--out).") from None
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
         progress: bool) -> Iterator[JobResult]:
    """Run ``fn`` on every job with ``executor``; results as they come, with a progress
    bar on stderr. A job whose worker died becomes a failure of that job."""
    from tqdm import tqdm

    with tqdm(total=len(jobs), unit="report", file=sys.stderr, disable=not progress) as bar:
        for k, outcome in executor.map_unordered(fn, jobs):
            job = jobs[k]
            if isinstance(outcome, BaseException):
                outcome = JobResult(job=job, failure=_failure(
                    job, f"the worker running it stopped: {_first_line(outcome)}"))
            if not outcome.ok:
                log.info("Report failed: %s", outcome.failure)
                if progress:
                    bar.write(f"failed: {job.name} ({job.unit}): {outcome.failure.error}",
                              file=sys.stderr)
            bar.set_description(job.name)
            bar.update()
            yield outcome


def build(round_year: int | str | None = None, units: Iterable[str | int] | None = None,
          out: str | Path | None = None, config_path: str | Path | None = None,
          lang: str = "vi", prepare: Callable | None = None, progress: bool = True,
          notebooks: str | Path | None = None, pdf: bool = False,
          workbook: bool = True, *, workers: int | None = None, force: bool = False,
          executor: str | Executor = "local", scheduler: str | None = None) -> BuildSummary:
    """Build the reports of a round that are not up to date, and the index page.

    Parameters
    ----------
    round_year, units, out, lang, notebooks
        As for :func:`plan`.
    config_path
        The configuration file (default ``data/hailong.yaml``).
    prepare
        Called once, before any notebook, as ``prepare(round_year=, config_path=)``;
        default :func:`hailong.numbers.pipeline.load_results`. What it returns decides what is
        up to date only when it is the round's :class:`~hailong.numbers.scoring.Results`
        (otherwise every report is rebuilt).
    progress
        Show a progress bar on stderr.
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

    Returns
    -------
    BuildSummary

    Raises
    ------
    ParameterError, ConfigError
        Before anything runs, if a parameter or the configuration is wrong.
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
    rnd = config.round(round_year)
    out_dir = round_dir(out, rnd.year)
    quick = None
    if prepare is None:  # what is up to date is known only from the round's own results
        from hailong.run.buildstate import BuildState

        quick = quick_key(config, rnd, units, out_dir, lang, notebooks, pdf, workbook)
        hit = BuildState.load(out_dir).fast_hit(quick) if quick and not force else None
        if hit is not None:
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
        if own and getattr(ex, "kind", "") == "local" and jobs:
            # workers warm up while this process prepares and checks what is stale
            from hailong.core.files import code_fingerprint

            from collections import Counter

            common = Counter(j.notebook for j in jobs).most_common(1)[0][0]  # most reports'
            ex.prestart(functools.partial(warm_worker, common, pdf=bool(pdf),
                                          code=code_fingerprint()), len(jobs))
        mark = lap("plan", mark)
        prepared = (prepare or _load_results)(round_year=rnd.year, config_path=config.path)
        jobs = _with_info(jobs, config, rnd, lang, prepared)
        mark = lap("prepare", mark)
        out_dir.mkdir(parents=True, exist_ok=True)
        with _locked(out_dir):
            summary = _build_locked(jobs, prepared, config, rnd, out, out_dir, units, lang,
                                    notebooks, pdf, workbook, progress, force, ex, quick,
                                    steps, mark)
    finally:
        if own:
            ex.close()
    summary.seconds = time.perf_counter() - start
    if summary.failures:
        err = BuildError(_failure_message(summary.failures, len(jobs)),
                         failures=summary.failures,
                         hint="Open the executed notebook named for each failed report "
                              "to see where it stopped.")
        err.summary = summary
        raise err
    return summary


def _build_locked(jobs, prepared, config, rnd, out, out_dir, units, lang, notebooks, pdf,
                  workbook, progress, force, ex, quick, steps, mark) -> BuildSummary:
    """:func:`build` once the output folder is locked: the stale jobs (while the
    follow-up lists and the workbook are written beside them), then the index."""
    from concurrent.futures import ThreadPoolExecutor

    from hailong.core.files import code_fingerprint, json_digest
    from hailong.run.buildstate import BuildState, report_digests
    from hailong.publish.pdf import PdfBatch, missing
    from hailong.numbers.scoring import Results

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
    follow_key = keys[progress_jobs[0].html.name] if progress_jobs else None
    write_followup = bool(progress_jobs) and (follow_key is None or force
                                              or progress_jobs[0] in stale
                                              or not state.fresh("followup", follow_key))
    book_key = json_digest("workbook", whole, lang, code_fingerprint()) if whole else None
    book = None
    if workbook:
        from hailong.publish.workbook import workbook_name

        if book_key is not None and not force and state.fresh("workbook", book_key):
            book = out_dir / workbook_name(rnd.year, lang)
    write_book = workbook and book is None
    mark = lap("check", mark)

    def beside() -> tuple[list[ReportFailure], list[Path], Path | None, list[ReportFailure]]:
        """The follow-up lists and the workbook (run while the reports are built)."""
        follow, written = _write_followup(jobs, config, rnd, out) if write_followup else \
            ([], [])
        made, book_failures = None, []
        if write_book:
            try:
                made = _write_workbook(prepared, out_dir, rnd, lang)
            except Exception as err:  # the reports are built; say what went wrong
                book_failures.append(ReportFailure(unit="workbook", notebook="",
                                                   error=f"{type(err).__name__}: {err}"))
        return follow, written, made, book_failures

    by_job: dict[str, JobResult] = {}
    described = ""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hailong-beside") as side:
        aside = side.submit(beside)
        if stale:
            if getattr(ex, "kind", "") == "local" and ex.workers > len(stale):
                ex.workers = len(stale)  # a local pool: no more processes than reports
            described = ex.describe()
            stage = bool(getattr(ex, "return_outputs", False))
            from hailong.core.files import code_fingerprint

            fn = functools.partial(run_job, pdf=printing, stage=stage,
                                   code=code_fingerprint())
            order = sorted(stale, key=lambda j: _FIRST.get(j.kind, 2))
            try:
                for result in _run(order, fn, ex, progress):
                    job = result.job
                    if result.files is not None:
                        _place_files(result)
                    by_job[job.html.name] = result
                    key = keys[job.html.name]
                    if result.ok and key is not None and (result.pdf == "made"
                                                          or not printing):
                        outputs = [job.html, job.executed] + (
                            [job.pdf] if result.pdf == "made" else [])
                        state.record(job.html.name, key, outputs)
                    else:
                        state.forget(job.html.name)
                    state.save(force=False)
            finally:
                state.save()
        follow_failures, written, made, book_failures = aside.result()
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
        failures += [_failure(r.job, f"PDF not made: {r.pdf_error}")
                     for r in results if r.pdf == "failed"]
        if pdf_batch.unavailable:
            log.warning("No PDF made: %s", pdf_batch.unavailable)
    failures += follow_failures + book_failures
    if write_followup:
        if follow_key is not None and written:
            state.record("followup", follow_key, written)
        else:
            state.forget("followup")
    if write_book:
        book = made
        if made is not None and book_key is not None:
            state.record("workbook", book_key, [made])
        else:
            state.forget("workbook")

    every = jobs if not units else plan(config, rnd.year, None, out, lang, notebooks)
    index_name = output_name("index", lang, "html")
    listed = [(j.html.name, j.html.is_file(), j.pdf.is_file()) for j in every]
    index_key = (json_digest("index", whole, lang, listed, book.name if book else None)
                 if whole else None)
    index = out_dir / index_name
    if index_key is None or force or built or failures or not state.fresh(index_name,
                                                                          index_key):
        from hailong.publish.export import write_index

        index = write_index(out_dir, index_entries(every, prepared),
                            rnd.label.get(lang) or str(rnd.year),
                            config.organisation.get(lang, ""), lang,
                            data_date=_data_date(prepared), filename=index_name,
                            min_n=(getattr(prepared, "meta", None) or {}).get("min_n"),
                            workbook=book.name if book else None,
                            secondary=_secondary(prepared))
        if index_key is not None:
            state.record(index_name, index_key, [index])
    mark = lap("index", mark)

    complete = (quick is not None and not failures and index_key is not None
                and (not pdf or printing))
    if complete:
        names = [j.html.name for j in jobs] + [index_name]
        names += [n for n in ("workbook", "followup") if n in state.entries
                  and ((n == "workbook" and workbook) or (n == "followup" and progress_jobs))]
        state.set_fast(quick, names, {"reports": [j.unit for j in jobs], "index": index_name,
                                      "workbook": book.name if book else None})
    else:
        state.set_fast(None)
    if index_key is not None or state.entries:
        state.save()
    lap("index", mark)
    return BuildSummary(built=built, failures=failures, out_dir=out_dir, index=index,
                        pdf=pdf_batch, workbook=book,
                        up_to_date=[j.unit for j in current], jobs=results,
                        executor=described, steps=steps)
