"""One report on a worker: run its notebook on the warm kernel, export the page, print it.

:func:`run_job` never raises for a report that fails (only for Ctrl-C): the failure is
returned in its :class:`JobResult`. :func:`warm_worker` readies a worker (kernel with the
notebook's imports, browser) while the build plans.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from hailong.core.errors import ReportFailure
from hailong.core.files import commit
from hailong.run.plan import ReportJob


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


def job_failure(job: ReportJob, error: str, cell: int | None = None,
             executed: Path | None = None, **extra) -> ReportFailure:
    return ReportFailure(unit=job.unit, notebook=str(job.notebook), cell=cell, error=error,
                         output_notebook=str(executed) if executed else None, extra=extra)


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
        failure = job_failure(job, f"{err.ename}: {err.evalue}", err.cell_index, job.executed,
                           exec_count=err.exec_count)
    except KernelLost as err:  # the kernel died or hung; the worker starts a new one
        failure = job_failure(job, str(err), err.cell_index)
    except Exception as err:  # the kernel did not start, ...
        failure = job_failure(job, f"{type(err).__name__}: {err}")
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


def first_line(err: BaseException) -> str:
    return f"{type(err).__name__}: {(str(err).strip().splitlines() or [''])[0]}"


def _write_outputs(result: JobResult, job: ReportJob, state, pdf: bool,
                   paths: dict[str, Path]) -> ReportFailure | None:
    """Run the report writers (:func:`hailong.publish.writers.report_writers`: the page,
    then the PDF when asked) on the executed notebook. A writer that fails fails the
    report, unless it is optional (the PDF): then its outcome goes into ``result``
    (``pdf``: ``"failed"`` or ``"unavailable"``, ``pdf_error``) and its file is removed."""
    from hailong.core.errors import OutputUnavailable
    from hailong.publish.writers import report_writers

    seconds: dict[str, float] = {}
    for writer in report_writers(pdf):
        mark = time.perf_counter()
        target = paths[writer.name]
        try:
            writer.write(paths[writer.source], target, job, state)
            status, error = "made", None
        except OutputUnavailable as err:
            status, error = "unavailable", str(err)
        except Exception as err:  # timeout, crash, disk full, a bad notebook
            status, error = "failed", (first_line(err) if writer.optional
                                       else f"{type(err).__name__}: {err}")
        seconds[writer.name] = time.perf_counter() - mark
        if status != "made":
            target.unlink(missing_ok=True)
        if writer.name == "pdf":
            result.pdf, result.pdf_error = status, error
        if status != "made" and not writer.optional:
            result.html_s = seconds.get("html", 0.0)
            return job_failure(job, f"{writer.name.upper()} export failed: {error}",
                               executed=job.executed)
    result.html_s, result.pdf_s = seconds.get("html", 0.0), seconds.get("pdf", 0.0)
    return None


def warm_worker(notebook: str | Path, pdf: bool = False, code: str | None = None) -> str:
    """Make this worker ready for jobs: its kernel started with ``notebook``'s imports
    done, and its browser open when PDFs are wanted. Run by each local worker while the
    build plans (:meth:`hailong.run.executors.LocalExecutor.prestart`); a worker that is
    already warm does nothing. Returns the worker's name."""
    from hailong.publish.pdf import PdfUnavailable
    from hailong.run.executors import worker_name, worker_state

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
        result.failure = job_failure(job, "this worker runs another version of hailong than "
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
            failure = _write_outputs(result, job, state, pdf, {
                "ipynb": executed, "html": html, "pdf": pdf_path})
        if failure is not None:
            html.unlink(missing_ok=True)
        if result.pdf != "made":
            pdf_path.unlink(missing_ok=True)
        if stage:
            result.files = {name: path.read_bytes() for name, path in
                            (("executed", executed), ("html", html), ("pdf", pdf_path))
                            if path.is_file()}
    state.jobs += 1
    state.recycle_kernel()  # a kernel that ran its share or grew too big: a new one next
    result.failure = failure
    result.seconds = time.perf_counter() - start
    result.finished = time.time()
    return result


def place_files(result: JobResult) -> None:
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
