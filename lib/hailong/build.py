"""``hailong build``: one report per unit of a round, plus the citywide one.

Three steps, in this order:

1. :func:`plan` checks every parameter (round, units, language, notebooks and the
   parameters they declare) and lists the jobs — before any kernel starts;
2. ``prepare`` (default :func:`hailong.pipeline.load_results`) computes and stores the
   round's results once, so every notebook only reads them;
3. :func:`run_job` runs each notebook with papermill and exports it to HTML; a report
   that fails does not stop the others. Finally the index page lists what was built and,
   if anything failed, :class:`~hailong.errors.BuildError` names each failure.

Outputs: ``<out>/<year>/<unit>.html`` (``city.html`` for the citywide report), executed
notebooks in ``<out>/<year>/notebooks/<unit>.ipynb`` and ``<out>/<year>/index.html``.
Reports in a language other than Vietnamese get a suffix (``311.en.html``).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import PROJECT_ROOT, Config, Round, load_config
from .errors import BuildError, ConfigError, ReportFailure
from .export import IndexEntry, ReportInfo, export_html, write_index
from .fmt import check_lang, t, unit_name
from .geography import CITY, load_units

log = logging.getLogger(__name__)

#: Where the report notebooks are.
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks" / "reports"
#: Default output folder (one sub-folder per round).
OUTPUT_DIR = PROJECT_ROOT / "output"
#: The notebook of each kind of report. A unit report is the same template at every
#: level (district in 2022, commune after 2025): units are data, not code paths.
KIND_NOTEBOOK = {"citywide": "citywide.ipynb", "district": "district.ipynb",
                 "commune": "district.ipynb", "progress": "progress.ipynb"}
#: Unit (and kind) of the survey progress report: ``hailong build --unit progress``.
PROGRESS = "progress"
#: The papermill kernel.
KERNEL = "python3"
#: Arguments of the kernel process: its own log (not the notebook's output) only for
#: errors, so the build's stderr is not filled with ipykernel's start-up warnings.
KERNEL_ARGS = ["--log-level=ERROR"]


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
    """What became of one job: ``failure`` is ``None`` when the report was built."""

    job: ReportJob
    failure: ReportFailure | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass
class BuildSummary:
    """What a build did.

    Attributes
    ----------
    built
        The jobs whose HTML report was written.
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
        The Excel workbook of the round's tables, if written.
    """

    built: list[ReportJob] = field(default_factory=list)
    failures: list[ReportFailure] = field(default_factory=list)
    seconds: float = 0.0
    out_dir: Path | None = None
    index: Path | None = None
    pdf: object | None = None
    workbook: Path | None = None


def round_dir(out: str | Path | None, round_year: int) -> Path:
    """The output folder of a round: ``<out>/<year>`` (default ``output/<year>``)."""
    return Path(out or OUTPUT_DIR).resolve() / str(round_year)


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


# --- survey progress (hailong.coverage, hailong.followup) -------------------------------

def _progress_jobs(config: Config, rnd: Round, units: list | None, folder: Path,
                   out_dir: Path, lang: str) -> list[ReportJob]:
    """The progress report (aggregates only, listed on the index): when every report is
    built and ``folder`` has its notebook, or when ``units`` names it (then the notebook
    must exist)."""
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
                    out: str | Path | None) -> list[ReportFailure]:
    """The INTERNAL follow-up lists (:func:`hailong.followup.write_internal`), once per
    build that plans the progress report: under ``<out>/<year>/internal/``, never linked
    from the index. A failure is returned, not raised: the reports are built."""
    if not any(j.kind == PROGRESS for j in jobs):
        return []
    from .coverage import load_progress
    from .followup import write_internal

    try:
        write_internal(load_progress(rnd.year, config.path), out=out)
    except Exception as err:
        return [ReportFailure(unit="internal", notebook="",
                              error=f"follow-up lists not written: {type(err).__name__}: {err}")]
    return []


def _failure(job: ReportJob, error: str, cell: int | None = None,
             executed: Path | None = None, **extra) -> ReportFailure:
    return ReportFailure(unit=job.unit, notebook=str(job.notebook), cell=cell, error=error,
                         output_notebook=str(executed) if executed else None, extra=extra)


def _execute(job: ReportJob) -> ReportFailure | None:
    """Run the notebook into ``job.executed`` (atomically); the failure, if any."""
    import papermill

    job.executed.parent.mkdir(parents=True, exist_ok=True)
    tmp = job.executed.with_name(f".{job.executed.stem}.{os.getpid()}.tmp.ipynb")
    failure = None
    try:
        papermill.execute_notebook(
            str(job.notebook), str(tmp), parameters=dict(job.parameters),
            kernel_name=KERNEL, progress_bar=False, cwd=str(job.notebook.parent),
            extra_arguments=KERNEL_ARGS)
    except papermill.PapermillExecutionError as err:
        failure = _failure(job, f"{err.ename}: {err.evalue}", err.cell_index, job.executed,
                           exec_count=err.exec_count)
    except Exception as err:  # the kernel died, did not start, timed out, ...
        failure = _failure(job, f"{type(err).__name__}: {err}")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if tmp.exists():
        os.replace(tmp, job.executed)
        if failure is not None and failure.output_notebook is None:
            failure.output_notebook = str(job.executed)
    elif failure is not None:  # nothing ran: an older executed notebook would mislead
        job.executed.unlink(missing_ok=True)
    return failure


def run_job(job: ReportJob) -> JobResult:
    """Build one report: execute its notebook, then export it to HTML.

    Never raises for a report that fails (only for Ctrl-C): the failure is returned, and
    a stale HTML page of the same report from an earlier build is removed so that no
    outdated report stays next to the new ones.
    """
    start = time.perf_counter()
    failure = _execute(job)
    if failure is None:
        try:
            export_html(job.executed, job.html, job.title, job.lang, job.info)
        except Exception as err:
            failure = _failure(job, f"HTML export failed: {type(err).__name__}: {err}",
                               executed=job.executed)
    if failure is not None:
        job.html.unlink(missing_ok=True)
        job.pdf.unlink(missing_ok=True)
    return JobResult(job=job, failure=failure, seconds=time.perf_counter() - start)


def _run_all(jobs: list[ReportJob], progress: bool) -> list[JobResult]:
    """Run the jobs one after another, with a progress bar on stderr."""
    from tqdm import tqdm

    results = []
    with tqdm(total=len(jobs), unit="report", file=sys.stderr, disable=not progress) as bar:
        for job in jobs:
            bar.set_description(job.name)
            result = run_job(job)
            if not result.ok:
                log.info("Report failed: %s", result.failure)
                if progress:
                    bar.write(f"failed: {job.name} ({job.unit}): {result.failure.error}",
                              file=sys.stderr)
            results.append(result)
            bar.update()
    return results


def index_entries(jobs: Iterable[ReportJob], results: object = None) -> list[IndexEntry]:
    """An index entry for every job whose HTML report exists.

    The entry links the report's PDF when it exists and is not older than the page, and,
    given the round's ``results``, carries the unit's satisfaction index (NaN when
    withheld).
    """
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
    from .scoring import INDEX

    scores = getattr(results, "scores", None)
    if scores is None or not hasattr(scores, "columns"):
        return None
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
    org = config.organisation.get(lang, "")
    period = rnd.label.get(lang) or str(rnd.year)
    data_date = _data_date(prepared)
    return [replace(j, info=ReportInfo(organisation=org, period=period, data_date=data_date,
                                       unit="" if j.kind == PROGRESS else j.name))
            for j in jobs]


def _render_pdfs(jobs: list[ReportJob], progress: bool) -> tuple[object, list[ReportFailure]]:
    """The PDF of every built report, with one browser; failures name their report."""
    from .pdf import render_all

    batch = render_all([(j.html, j.pdf) for j in jobs], progress=progress)
    by_html = {j.html: j for j in jobs}
    failures = [_failure(by_html[html], f"PDF not made: {error}")
                for html, error in batch.failed]
    if batch.unavailable:
        log.warning("No PDF made: %s", batch.unavailable)
    return batch, failures


def _write_workbook(prepared: object, out_dir: Path, rnd: Round, lang: str) -> Path | None:
    """The Excel workbook of the round's published tables (only from real results)."""
    from .scoring import Results
    from .workbook import workbook_name, write_workbook

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
    """The default preparation: compute and store the round's results once.

    A round whose files are missing fails here, before any kernel starts, with the list
    of the rounds that have data (:func:`hailong.rounds.check_round_has_data`).
    """
    from .pipeline import load_results
    from .rounds import check_round_has_data

    check_round_has_data(load_config(config_path), round_year)
    return load_results(round_year=round_year, config_path=config_path)


def _failure_message(failures: list[ReportFailure], total: int) -> str:
    names = ", ".join(f"{f.unit} (cell {f.cell})" if f.cell is not None else f.unit
                      for f in failures)
    return f"{len(failures)} of {total} reports failed to build: {names}."


def build(round_year: int | str | None = None, units: Iterable[str | int] | None = None,
          out: str | Path | None = None, config_path: str | Path | None = None,
          lang: str = "vi", prepare: Callable | None = None, progress: bool = True,
          notebooks: str | Path | None = None, pdf: bool = False,
          workbook: bool = True) -> BuildSummary:
    """Build the HTML reports of a round and its index page.

    Parameters
    ----------
    round_year, units, out, lang, notebooks
        As for :func:`plan`.
    config_path
        The configuration file (default ``data/hailong.yaml``).
    prepare
        Called once, before any notebook, as ``prepare(round_year=, config_path=)``;
        default :func:`hailong.pipeline.load_results`.
    progress
        Show a progress bar on stderr.
    pdf
        Also print every report built to PDF (``311.pdf``), with one browser for the
        batch (:mod:`hailong.pdf`; ``hailong build`` does unless ``--no-pdf``). If the
        browser is missing, the HTML reports are still built and ``summary.pdf``
        says what to install. Without it, PDFs of the reports rebuilt are removed (they
        would be older than the pages).
    workbook
        Also write the Excel workbook of the round's tables
        (``bang-so-lieu-<year>.xlsx``, :mod:`hailong.workbook`) when ``prepare`` gives
        the round's results.

    Returns
    -------
    BuildSummary

    Raises
    ------
    ParameterError, ConfigError
        Before anything runs, if a parameter or the configuration is wrong.
    BuildError
        After the index is written, if any report failed (``failures`` lists them; the
        error's ``summary`` is the :class:`BuildSummary`).
    """
    start = time.perf_counter()
    units = list(units) if units else None
    config = load_config(config_path)
    jobs = plan(config, round_year, units, out, lang, notebooks)
    rnd = config.round(round_year)
    prepared = (prepare or _load_results)(round_year=rnd.year, config_path=config.path)
    jobs = _with_info(jobs, config, rnd, lang, prepared)
    results = _run_all(jobs, progress)
    out_dir = round_dir(out, rnd.year)
    built = [r.job for r in results if r.ok]
    failures = [r.failure for r in results if not r.ok]
    failures += _write_followup(jobs, config, rnd, out)
    pdf_batch = None
    if pdf:
        pdf_batch, pdf_failures = _render_pdfs(built, progress)
        failures += pdf_failures
    made = set(pdf_batch.made) if pdf_batch else set()
    for job in built:  # a PDF older than its rebuilt page would mislead
        if job.pdf not in made:
            job.pdf.unlink(missing_ok=True)
    book = None
    if workbook:
        try:
            book = _write_workbook(prepared, out_dir, rnd, lang)
        except Exception as err:  # the reports are built; say what went wrong
            failures.append(ReportFailure(unit="workbook", notebook="",
                                          error=f"{type(err).__name__}: {err}"))
    every = jobs if not units else plan(config, rnd.year, None, out, lang, notebooks)
    index = write_index(out_dir, index_entries(every, prepared),
                        rnd.label.get(lang) or str(rnd.year),
                        config.organisation.get(lang, ""), lang, data_date=_data_date(prepared),
                        filename=output_name("index", lang, "html"),
                        min_n=(getattr(prepared, "meta", None) or {}).get("min_n"),
                        workbook=book.name if book else None,
                        secondary=_secondary(prepared))
    summary = BuildSummary(
        built=built, failures=failures, seconds=time.perf_counter() - start,
        out_dir=out_dir, index=index, pdf=pdf_batch, workbook=book)
    if summary.failures:
        err = BuildError(_failure_message(summary.failures, len(jobs)),
                         failures=summary.failures,
                         hint="Open the executed notebook named for each failed report "
                              "to see where it stopped.")
        err.summary = summary
        raise err
    return summary
