"""Where report jobs run: in this process, in a pool of local processes, or on Dask.

One small interface, :class:`Executor` — ``map_unordered(fn, items)`` yields
``(position, result)`` as jobs finish (``result`` is the exception if the job itself could
not run) — and three ways to run it, none of them a job system of its own:

- :class:`LocalExecutor` with one worker runs the jobs here, one after another;
- :class:`LocalExecutor` with N workers: a :class:`concurrent.futures.ProcessPoolExecutor`
  of N processes (``forkserver``: each worker is forked from a clean server that has
  imported the build's modules once);
- :class:`DaskExecutor`: the jobs go to a ``dask.distributed`` cluster (a scheduler
  address ``tcp://HOST:PORT``, or a ``LocalCluster`` in tests).

Each worker (each thread of a worker) keeps what is slow to start for the jobs that come
after (:func:`worker_state`): one :class:`hailong.run.kernel.WarmKernel` and at most one
browser (:class:`hailong.publish.pdf.PdfRenderer`). They are closed when the worker ends (or,
in this process, when the executor closes).

No process outlives the build, whatever ends it (:mod:`hailong.core.lifetime`): a local
worker asks for ``SIGTERM`` when its parent (the fork server, which ends with the build)
ends, watches the build process besides, and on ``SIGTERM`` or when the build is gone
kills every process below it (kernel, browser driver, browser) and ends; it ignores
``SIGINT`` (a Ctrl-C reaches the whole terminal's process group: the build decides). An
executor left by an exception (Ctrl-C, ``SIGTERM``) ends its workers instead of waiting
for them. Kernels get the parent-death signal too (:mod:`hailong.run.kernel`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

#: Modules a local worker needs, imported once by the forkserver before it forks workers
#: (plus the ``preload`` the caller names: the module whose jobs the workers run).
WORKER_MODULES = ("hailong.run.kernel", "hailong.publish.export", "hailong.publish.pdf",
                  "papermill.engines", "papermill.execute", "nbclient",
                  "jupyter_client.manager", "playwright.sync_api")
#: The executors ``hailong build --executor`` knows.
KINDS = ("local", "dask")
#: Reports a worker's kernel runs before it is replaced by a new one (0: never), and the
#: resident memory (MB) above which it is replaced after its report (0: no ceiling) —
#: a guard, as Dask's and Gunicorn's workers have, against whatever a report might
#: still leave behind (a kernel holds ~300 MB once warm; a new one costs ~1.5 s).
KERNEL_MAX_REPORTS = 500
KERNEL_MAX_MB = 1024.0
#: Environment variables that change them on a machine (inherited by local workers; a
#: Dask worker reads its own).
ENV_MAX_REPORTS = "HAILONG_KERNEL_MAX_REPORTS"
ENV_MAX_MB = "HAILONG_KERNEL_MAX_MB"


def default_workers() -> int:
    """The cores this process may use (``os.sched_getaffinity``), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# ------------------------------------------------------------------ worker side
@dataclass(frozen=True)
class RecyclePolicy:
    """When a worker's warm kernel is replaced by a new one (checked after each report).

    Attributes
    ----------
    reports
        Reports a kernel runs at most (0: no limit).
    memory_mb
        Resident memory (MB) above which the kernel is replaced (0: no ceiling).
    """

    reports: int = KERNEL_MAX_REPORTS
    memory_mb: float = KERNEL_MAX_MB

    @classmethod
    def from_env(cls, environ: dict | None = None) -> RecyclePolicy:
        """The policy with :data:`ENV_MAX_REPORTS` and :data:`ENV_MAX_MB` applied.

        Raises
        ------
        ParameterError
            If either is not a number of at least 0.
        """
        from hailong.core.errors import ParameterError

        environ = os.environ if environ is None else environ
        values: dict[str, float] = {}
        for name, key, kind, default in ((ENV_MAX_REPORTS, "reports", int, cls.reports),
                                          (ENV_MAX_MB, "memory_mb", float, cls.memory_mb)):
            raw = environ.get(name, "").strip()
            try:
                value = kind(raw) if raw else default
            except ValueError:
                value = -1
            if value < 0:
                raise ParameterError("err.environment_variable_allowed", found=raw,
                                     expected="exp.reports_at_least_0" if kind is int
                                     else "exp.megabytes_at_least_0",
                                     name=name)
            values[key] = value
        return cls(**values)

    def due(self, kernel) -> str | None:
        """Why ``kernel`` (a :class:`~hailong.run.kernel.WarmKernel`) is to be replaced
        now, or ``None``."""
        if self.reports and kernel.reports >= self.reports:
            return f"{kernel.reports} reports run"
        if self.memory_mb:
            rss = kernel.memory_mb()
            if rss is not None and rss > self.memory_mb:
                return f"{rss:.0f} MB resident, above {self.memory_mb:g} MB"
        return None


@dataclass
class WorkerState:
    """What one worker thread keeps between jobs.

    Attributes
    ----------
    kernel
        The warm kernel (started at the first job).
    code
        The library fingerprint the kernel was started with (a job for other code gets a
        new kernel).
    renderer
        The browser printing PDFs (opened at the first PDF).
    pdf_unavailable
        Why this worker cannot print PDFs (then no browser start is tried again).
    jobs
        Jobs run so far.
    """

    kernel: object | None = None
    code: str | None = None
    renderer: object | None = None
    pdf_unavailable: str | None = None
    jobs: int = 0
    extra: dict = field(default_factory=dict)
    recycle: RecyclePolicy | None = None
    recycled: int = 0

    def recycle_kernel(self) -> str | None:
        """Shut the kernel down if :class:`RecyclePolicy` says so (the next report
        starts a new one); why, or ``None``. The policy is read from the environment
        at the first call."""
        if self.kernel is None:
            return None
        if self.recycle is None:
            from hailong.core.errors import ParameterError

            try:
                self.recycle = RecyclePolicy.from_env()
            except ParameterError as err:  # a local build has refused it already
                log.warning("%s: the defaults are used", err)
                self.recycle = RecyclePolicy()
        why = self.recycle.due(self.kernel)
        if why is not None:
            log.info("replacing the warm kernel of %s: %s", worker_name(), why)
            kernel, self.kernel = self.kernel, None
            kernel.shutdown()
            self.recycled += 1
        return why

    def warm_kernel(self, code: str | None = None):
        """The worker's :class:`~hailong.run.kernel.WarmKernel`, new if ``code`` changed."""
        from hailong.run.kernel import WarmKernel

        if self.kernel is not None and code is not None and code != self.code:
            self.kernel.shutdown()
            self.kernel = None
        if self.kernel is None:
            self.kernel, self.code = WarmKernel(), code
        return self.kernel

    def pdf_renderer(self):
        """The worker's browser, opened now if needed.

        Raises
        ------
        hailong.publish.pdf.PdfUnavailable
            If no browser can run here (remembered: later calls raise at once).
        """
        from hailong.publish.pdf import PdfRenderer, PdfUnavailable

        if self.pdf_unavailable:
            raise PdfUnavailable(self.pdf_unavailable)
        if self.renderer is None:
            renderer = PdfRenderer()
            try:
                renderer.open()
            except PdfUnavailable as err:
                self.pdf_unavailable = str(err)
                raise
            self.renderer = renderer
        return self.renderer

    def close_renderer(self) -> None:
        """Close the worker's browser (after a failure: the next report opens a new one)."""
        if self.renderer is not None:
            self.renderer.close()
            self.renderer = None

    def kill(self) -> None:
        """Kill the kernel at once (its process group) and forget it and the browser;
        for a worker that must end now, from any thread (nothing waits for an answer)."""
        kernel, self.kernel, self.renderer = self.kernel, None, None
        if kernel is not None and hasattr(kernel, "kill"):
            kernel.kill()

    def close(self) -> None:
        """Stop the kernel and the browser; safe to call twice."""
        kernel, renderer = self.kernel, self.renderer
        self.kernel = self.renderer = None
        for thing in (kernel, renderer):
            if thing is None:
                continue
            try:
                thing.shutdown() if hasattr(thing, "shutdown") else thing.close()
            except Exception as err:  # already gone
                log.debug("closing %s: %s", type(thing).__name__, err)


_LOCAL = threading.local()
_ALL: list[WorkerState] = []
_ALL_LOCK = threading.Lock()


def worker_state() -> WorkerState:
    """This thread's :class:`WorkerState` (made on first use; closed at exit)."""
    state = getattr(_LOCAL, "state", None)
    if state is None:
        state = _LOCAL.state = WorkerState()
        with _ALL_LOCK:
            if not _ALL:
                _register_exit()
            _ALL.append(state)
    return state


def close_worker_states() -> None:
    """Close every :class:`WorkerState` of this process (kernels, browsers)."""
    with _ALL_LOCK:
        states = list(_ALL)
        _ALL.clear()
    for state in states:
        state.close()
    _LOCAL.__dict__.pop("state", None)


def _register_exit() -> None:
    import atexit
    from multiprocessing import util

    atexit.register(close_worker_states)
    # A pool's worker process ends without running atexit handlers, but with these.
    util.Finalize(None, close_worker_states, exitpriority=10)


def kill_worker_states() -> None:
    """Kill every kernel of this process at once (:meth:`WorkerState.kill`)."""
    with _ALL_LOCK:
        states = list(_ALL)
        _ALL.clear()
    for state in states:
        try:
            state.kill()
        except Exception as err:  # already gone
            log.debug("killing a kernel: %s", err)


def _end_worker(code: int = 1) -> None:
    """End this worker now: its kernels and every process below it (browser driver,
    browser) killed first."""
    from hailong.core.lifetime import kill_descendants

    try:
        kill_worker_states()
    finally:
        kill_descendants()
        os._exit(code)


def _terminated(signum, frame) -> None:  # SIGTERM in a worker
    _end_worker(128 + signum)


def init_worker(build: str | None = None) -> None:
    """Initializer of a local worker process: it dies with the build.

    The parent-death signal (``SIGTERM`` when the fork server ends, which it does when
    the build ends), a ``SIGTERM`` handler that kills what the worker started and ends
    it, a watch on the build process ``build`` (a :func:`hailong.core.lifetime.process_mark`)
    as fallback, and ``SIGINT`` ignored (the build decides what a Ctrl-C ends).
    """
    from hailong.core.lifetime import die_with_parent, watch_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _terminated)
    die_with_parent(signal.SIGTERM)
    watch_parent(_end_worker, build)


def _forget_after_fork() -> None:  # a forked child must not use its parent's kernels
    _LOCAL.__dict__.pop("state", None)
    _ALL.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def worker_name() -> str:
    """``host:pid`` of this worker (and the thread, if not the main one)."""
    name = f"{socket.gethostname()}:{os.getpid()}"
    thread = threading.current_thread()
    return name if thread is threading.main_thread() else f"{name}/{thread.name}"


# ------------------------------------------------------------------ executors
class Executor:
    """Runs ``fn(item)`` for many items somewhere; subclasses say where.

    Use as a context manager; :meth:`map_unordered` yields ``(position, result)`` in the
    order jobs finish. A job that raises (or whose worker died) yields the exception.
    """

    kind = "base"
    workers = 1

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def map_unordered(self, fn: Callable, items: Iterable) -> Iterator[tuple[int, object]]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the workers (kernels and browsers with them)."""

    def describe(self) -> str:
        return f"{self.kind}, {self.workers} worker{'s' if self.workers != 1 else ''}"


class LocalExecutor(Executor):
    """Jobs on this machine: here (``workers=1``) or in ``workers`` processes.

    Parameters
    ----------
    workers
        Processes to run (default :func:`default_workers`). With one, the jobs run in
        this process.
    start_method
        How worker processes start (default ``forkserver`` where there is one, else
        ``spawn``).
    preload
        Modules the fork server imports besides :data:`WORKER_MODULES` (the module of
        the jobs' function).
    """

    kind = "local"

    def __init__(self, workers: int | None = None, start_method: str | None = None,
                 preload: Iterable[str] = ()):
        RecyclePolicy.from_env()  # a wrong setting stops the build before it starts
        self.preload = tuple(preload)
        self.workers = max(1, int(workers or default_workers()))
        self.start_method = start_method or ("forkserver" if "forkserver" in
                                             multiprocessing.get_all_start_methods()
                                             else "spawn")
        self._pool = None
        self._interrupted = False

    def _context(self):
        ctx = multiprocessing.get_context(self.start_method)
        if self.start_method == "forkserver":
            ctx.set_forkserver_preload([*WORKER_MODULES, *self.preload])
        return ctx

    def warm_up(self) -> None:
        """Start the fork server now (it imports :data:`WORKER_MODULES` in the
        background, while the build plans and prepares), if workers will be forked."""
        if self.workers > 1 and self.start_method == "forkserver":
            from multiprocessing import forkserver

            self._context()
            forkserver.ensure_running()

    def prestart(self, fn: Callable, count: int | None = None) -> None:
        """Start the worker processes now and run ``fn()`` once in each (e.g. start its
        kernel and browser) while this process goes on planning; jobs queue behind.
        Nothing happens with one worker (the jobs run here). A failing ``fn`` is only
        logged: the first job starts what is missing, as it would have anyway."""
        if self.workers == 1:
            return
        if self._pool is None:
            self._pool = self._make_pool()
        for _ in range(min(self.workers, count or self.workers)):
            self._pool.submit(fn).add_done_callback(_log_failed_warm_up)

    def _make_pool(self):
        from concurrent.futures import ProcessPoolExecutor

        from hailong.core.lifetime import process_mark

        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self._context(),
                                   initializer=init_worker,
                                   initargs=(process_mark(os.getpid()),))

    def map_unordered(self, fn: Callable, items: Iterable) -> Iterator[tuple[int, object]]:
        items = list(items)
        if self.workers == 1:
            for k, item in enumerate(items):
                try:
                    yield k, fn(item)
                except Exception as err:
                    yield k, err
            return
        if self._pool is None:
            self._pool = self._make_pool()
        futures = {self._pool.submit(fn, item): k for k, item in enumerate(items)}
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    err = fut.exception()
                    yield futures[fut], err if err is not None else fut.result()
        except BaseException as err:  # Ctrl-C or the caller stopped: drop what has not started
            for fut in pending:
                fut.cancel()
            if not isinstance(err, GeneratorExit):
                self._interrupted = True
            raise

    def close(self) -> None:
        """Release the workers: wait for them after a normal end; after an interruption
        (Ctrl-C, ``SIGTERM``) end them at once (each kills its kernel and browser)."""
        ending = sys.exc_info()[1]  # closed while an exception goes up (a finally clause)
        if ending is not None and not isinstance(ending, Exception):
            self._interrupted = True  # KeyboardInterrupt, SystemExit
        if self._pool is not None:
            pool, self._pool = self._pool, None
            if self._interrupted:
                self.terminate(pool)
            pool.shutdown(wait=True, cancel_futures=True)
        if self.workers == 1:
            close_worker_states()

    @staticmethod
    def terminate(pool) -> None:
        """Send ``SIGTERM`` to every worker process of ``pool`` (see :func:`init_worker`)."""
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            try:
                process.terminate()
            except Exception:  # already gone
                pass


def _log_failed_warm_up(future) -> None:
    err = None if future.cancelled() else future.exception()
    if err is not None:
        log.warning("warming up a worker failed: %s", err)


class DaskExecutor(Executor):
    """Jobs on a ``dask.distributed`` cluster.

    Parameters
    ----------
    scheduler
        The scheduler's address (``tcp://HOST:PORT``), a ``LocalCluster`` or a
        ``Client``. Every worker needs hailong (same version) and the round's data and
        notebooks at the same paths as here (e.g. a shared filesystem).
    return_outputs
        Let workers write into a temporary folder of their own and send the files back,
        to be written here (default): the output folder need not be shared.

    Raises
    ------
    ParameterError
        If the scheduler cannot be reached.
    """

    kind = "dask"

    def __init__(self, scheduler, return_outputs: bool = True, timeout: float = 20.0):
        from dask.distributed import Client

        from hailong.core.errors import ParameterError

        self.return_outputs = return_outputs
        self._own = not isinstance(scheduler, Client)
        try:
            self.client = scheduler if not self._own else Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError) as err:
            raise ParameterError("err.dask_scheduler_reached", found=str(scheduler),
                                 expected="exp.tcp_host_port_running",
                                 hint="hint.start_dask_scheduler_then", err=err) from None
        info = self.client.scheduler_info()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def map_unordered(self, fn: Callable, items: Iterable) -> Iterator[tuple[int, object]]:
        from dask.distributed import as_completed

        items = list(items)
        futures = self.client.map(fn, items, pure=False)
        position = {f.key: k for k, f in enumerate(futures)}
        try:
            for fut in as_completed(futures):
                try:
                    yield position[fut.key], fut.result()
                except Exception as err:  # the worker died, or the job raised
                    yield position[fut.key], err
        except BaseException:
            self.client.cancel(futures)
            raise

    def close(self) -> None:
        if self._own:
            self.client.close()

    def describe(self) -> str:
        return f"dask at {self.client.scheduler.address}, {self.workers} worker threads"


def open_executor(kind: str = "local", workers: int | None = None,
                  scheduler: str | None = None, preload: Iterable[str] = ()) -> Executor:
    """The executor ``hailong build --executor KIND`` uses.

    Raises
    ------
    ParameterError
        Unknown kind, or ``dask`` without a scheduler address.
    """
    from hailong.core.catalogue import either
    from hailong.core.errors import ParameterError

    if kind == "local":
        return LocalExecutor(workers, preload=preload)
    if kind == "dask":
        if not scheduler:
            raise ParameterError("err.dask_executor_needs_scheduler",
                                 expected="exp.scheduler_tcp_host_port",
                                 hint="hint.start_one_dask_scheduler")
        return DaskExecutor(scheduler)
    raise ParameterError("err.unknown_executor", found=kind, expected=either(KINDS))

