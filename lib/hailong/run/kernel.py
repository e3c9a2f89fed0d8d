"""Many notebooks, one kernel: papermill's parameters and error marking, a warm kernel.

Starting a kernel and importing pandas, matplotlib and seaborn in it costs more than a
report's own work (~0.6 s + ~0.6 s, and ~0.4 s to shut it down). :class:`WarmKernel`
starts one kernel and runs report after report on it:

- the notebook is prepared as papermill prepares it (``parameterize_notebook``: the
  ``injected-parameters`` cell after the ``parameters`` cell; papermill's metadata) and
  executed by papermill's nbclient client against the kept kernel;
- before each report the kernel is made to look fresh (:func:`reset_kernel_state`, run in
  the kernel): user namespace, ``In``/``Out`` and the execution counter cleared (the first
  cell is ``[1]`` again), open figures closed, matplotlib's rcParams, warning filters,
  ``sys.path``, environment and working folder put back as they were after the imports.
  Imported modules stay in ``sys.modules`` — that is the point: the imports are paid
  once per kernel;
- a failing report is written as papermill writes it (the failing cell marked, an error
  banner first) and :class:`papermill.PapermillExecutionError` is raised; the next report
  runs on a clean namespace. A kernel that dies or hangs is thrown away and a new one is
  started for the next report. Kernel starts are retried (papermill issues 239, 511:
  "Kernel didn't respond", "Address already in use" when several start at once).

Thread-confined: use a :class:`WarmKernel` from the thread that made it (its zmq channels
live on that thread's event loop).
"""

from __future__ import annotations

import ast
import functools
import logging
import os
import signal
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

log = logging.getLogger(__name__)

#: The kernel the reports run on.
KERNEL = "python3"
#: Arguments of the kernel process: its own log only for errors (ipykernel's start-up
#: warnings would fill the build's stderr); history in memory, as nbclient does.
KERNEL_ARGS = ("--log-level=ERROR", "--HistoryManager.hist_file=:memory:")
#: Attempts to start a kernel before giving up.
START_ATTEMPTS = 3
#: Seconds to wait for a kernel to answer after its start.
START_TIMEOUT_S = 60.0
#: Seconds the reset before a report may take.
RESET_TIMEOUT_S = 60.0

# Run silently in the kernel before each report (binds no name in the user namespace).
_RESET = "__import__('hailong.run.kernel', fromlist=['_']).reset_kernel_state({cwd!r}, {preload!r})"


class KernelStartError(RuntimeError):
    """A kernel did not start after :data:`START_ATTEMPTS` attempts."""


class KernelResetError(RuntimeError):
    """The kernel could not be made clean before a report (it is thrown away)."""


class KernelLost(RuntimeError):
    """The kernel died, hung or could not be reset during a report (it is thrown away;
    the next report gets a new one).

    Attributes
    ----------
    cell_index
        The cell that was running, if known.
    """

    def __init__(self, message: str, cell_index: int | None = None):
        super().__init__(message)
        self.cell_index = cell_index


def _running_cell(nb) -> int | None:
    """The last cell papermill started (where a dead kernel stopped)."""
    started = [k for k, cell in enumerate(nb.cells)
               if cell.get("metadata", {}).get("papermill", {}).get("start_time")]
    return started[-1] if started else None


# --------------------------------------------------------------------- kernel side
#: What the kernel looked like after its imports (kept in the kernel process).
_FRESH: dict = {}
#: New objects between two collections of the young generation while a report runs.
_GC_YOUNG = 20_000


def _restore_rc(rc: dict) -> None:
    import matplotlib

    params = matplotlib.rcParams
    if hasattr(params, "_update_raw"):  # what matplotlib.rc_context does
        params._update_raw(rc)
    else:
        dict.update(params, rc)


def _restore_warnings(filters: list) -> None:
    import warnings

    warnings.resetwarnings()  # also forgets which warnings were already shown
    warnings.filters[:] = filters


def reset_kernel_state(cwd: str, preload: Iterable[str] = ()) -> None:
    """Kernel side of :class:`WarmKernel`: make this kernel look freshly started.

    Called (silently) in the kernel before each report. First puts back the state that
    was recorded after the previous imports (rcParams without the backend, warning
    filters, ``sys.path``, environment), closes every figure, clears the user namespace,
    ``In``/``Out`` and the execution counter, and moves to ``cwd``. Then imports the
    ``preload`` modules not imported yet (the report's own imports: their import-time
    effects land on the clean state, as in a fresh kernel) and records the state again.
    """
    import gc
    import importlib
    import warnings

    from IPython import get_ipython

    if _FRESH:
        sys.path[:] = _FRESH["path"]
        if os.environ != _FRESH["environ"]:
            os.environ.clear()
            os.environ.update(_FRESH["environ"])
        _restore_warnings(_FRESH["warnings"])
        if "rc" in _FRESH:
            _restore_rc(_FRESH["rc"])
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)  # namespace, In/Out, execution_count = 1
    os.chdir(cwd)
    for name in preload:
        if name not in sys.modules:
            try:
                importlib.import_module(name)
            except Exception:  # the report itself will fail on it, visibly
                pass
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None and "rc" not in _FRESH:
        # Resolve the backend now, as a fresh kernel's first figure does: the inline
        # backend then turns interactive mode on (part of the state recorded below).
        try:
            plt._get_backend_mod()
        except Exception:
            plt.close(plt.figure())
    _FRESH["path"] = list(sys.path)
    _FRESH["environ"] = dict(os.environ)
    _FRESH["warnings"] = list(warnings.filters)
    if "matplotlib" in sys.modules:
        import matplotlib

        rc = dict(matplotlib.rcParams.copy())
        rc.pop("backend", None)
        _FRESH["rc"] = rc
    # What is alive now (modules, their caches, the results kept between reports) stays:
    # leave it out of the garbage collector's full passes, which otherwise walk every
    # object of pandas, matplotlib and scipy again and again (0.1 s in each reset alone).
    # The previous report's objects that only cycles hold (figures, frames, tracebacks)
    # are collected first: frozen, they would never be freed (~1.9 MB a report). Only
    # what was made since the last freeze is walked.
    gc.collect()
    gc.freeze()
    # A report makes objects by the hundred thousand (figures, frames) and few cycles:
    # the young generation is collected every 20 000 new objects instead of 700 (3–5%
    # less time in a report, measured over the 2022 reports; memory hardly changes).
    gc.set_threshold(_GC_YOUNG, *gc.get_threshold()[1:])


# --------------------------------------------------------------------- client side
def imports_of(notebook: str | Path) -> tuple[str, ...]:
    """The modules a notebook's code cells import at top level (what to preload).

    ``from hailong.present import charts`` gives ``hailong.present`` and
    ``hailong.present.charts`` (a submodule or not: a failed preload is ignored). Cells
    that are not valid Python (magics) are skipped.
    """
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    found: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                found += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append(node.module)
                found += [f"{node.module}.{a.name}" for a in node.names if a.name != "*"]
    if any(m.split(".")[0] in ("matplotlib", "seaborn", "hailong") for m in found):
        found.append("matplotlib.pyplot")
    return tuple(dict.fromkeys(found))


class WarmKernel:
    """One kernel that runs many notebooks, one after another, each as if on a new kernel.

    Parameters
    ----------
    kernel_name
        The Jupyter kernel (default ``python3``).
    cwd
        Working folder of the kernel (default: the notebook's folder, per report).
    timeout
        Seconds a cell may run (default: no limit, as papermill); a cell that runs
        longer fails its report and the kernel is replaced.
    attempts
        Kernel starts tried before :class:`KernelStartError`.

    Attributes
    ----------
    starts
        Kernels started so far (a reused kernel is started once).
    reports
        Notebooks run so far.
    """

    def __init__(self, kernel_name: str = KERNEL, *, timeout: float | None = None,
                 attempts: int = START_ATTEMPTS, start_timeout: float = START_TIMEOUT_S,
                 extra_arguments: Iterable[str] = KERNEL_ARGS):
        self.kernel_name = kernel_name
        self.timeout = timeout
        self.attempts = max(1, int(attempts))
        self.start_timeout = start_timeout
        self.extra_arguments = list(extra_arguments)
        self.starts = 0
        self.reports = 0
        self._km = self._kc = None
        self._cwd: str | None = None
        self._preload: dict[Path, tuple[str, ...]] = {}

    # -- life cycle
    def __enter__(self) -> WarmKernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    @property
    def alive(self) -> bool:
        """Whether a started kernel is running."""
        if self._km is None:
            return False
        from jupyter_core.utils import run_sync

        try:
            return bool(run_sync(self._km.is_alive)())
        except Exception:
            return False

    @property
    def pid(self) -> int | None:
        """The kernel process's id (``None`` when none is running)."""
        provisioner = getattr(self._km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)

    def memory_mb(self) -> float | None:
        """The kernel process's resident memory in MB (``None`` when none runs or it
        cannot be read)."""
        pid = self.pid
        if not pid:
            return None
        try:  # Linux: resident pages, second field
            with open(f"/proc/{pid}/statm", "rb") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        except (OSError, ValueError, IndexError, AttributeError):
            pass
        try:
            import psutil

            return psutil.Process(pid).memory_info().rss / 2**20
        except Exception:
            return None

    def _start_once(self, cwd: str) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        from hailong.core.lifetime import pdeathsig_preexec

        km = AsyncKernelManager(kernel_name=self.kernel_name)
        kc = None
        # The kernel dies with this process (its own parent watch, ipykernel's, looks
        # once a second); a thread's kernel only has that watch (see pdeathsig_preexec).
        preexec = pdeathsig_preexec()
        popen = {"preexec_fn": preexec} if preexec is not None else {}
        try:
            run_sync(km.start_kernel)(extra_arguments=list(self.extra_arguments), cwd=cwd,
                                      **popen)
            kc = km.client()
            kc.start_channels()
            run_sync(kc.wait_for_ready)(timeout=self.start_timeout)
        except BaseException:
            self._discard(km, kc)
            raise
        self._km, self._kc, self._cwd = km, kc, cwd

    def start(self, cwd: str | Path | None = None) -> WarmKernel:
        """Start the kernel (done by :meth:`run` when needed), retrying a failed start.

        Raises
        ------
        KernelStartError
            After :attr:`attempts` failed starts (the last error in the message).
        """
        if self._km is not None:
            return self
        cwd = str(cwd or os.getcwd())
        last: Exception | None = None
        for attempt in range(1, self.attempts + 1):
            try:
                self._start_once(cwd)
                self.starts += 1
                return self
            except Exception as err:  # port race, slow machine, ...
                last = err
                log.warning("kernel start %d/%d failed: %s", attempt, self.attempts, err)
                time.sleep(0.25 * attempt)
        raise KernelStartError(f"the kernel did not start after {self.attempts} attempts: "
                               f"{type(last).__name__}: {last}")

    def warm_up(self, notebook: str | Path) -> WarmKernel:
        """Start the kernel and import what ``notebook`` imports, so that
        the first report on it costs no more than the next ones.

        Done by a worker while the build prepares; the imports happen as in the
        reset before a report (:func:`reset_kernel_state`), so the report that follows
        sees the same state as on a kernel started for it.
        """
        notebook = Path(notebook).resolve()
        if notebook not in self._preload:
            self._preload[notebook] = imports_of(notebook)
        cwd = str(notebook.parent)
        self.start(cwd)
        self._reset(cwd, tuple(self._preload[notebook]))
        return self

    @staticmethod
    def _discard(km, kc) -> None:
        from jupyter_core.utils import run_sync

        try:
            if kc is not None:
                kc.stop_channels()
        except Exception:
            pass
        if km is None:
            return
        try:
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)
        except Exception as err:
            log.debug("kernel shutdown: %s", err)
        try:
            run_sync(km.cleanup_resources)()
        except Exception:
            pass

    def kill(self) -> None:
        """Kill the kernel process (and its process group) at once and forget it; safe
        from any thread (no message is sent: for a worker that must end now)."""
        pid, km = self.pid, self._km
        self._km = self._kc = self._cwd = None
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)  # the kernel leads its own session
            except OSError:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        connection = getattr(km, "connection_file", None)
        if connection:
            Path(connection).unlink(missing_ok=True)

    def shutdown(self) -> None:
        """Stop the kernel; safe to call twice."""
        km, kc = self._km, self._kc
        self._km = self._kc = self._cwd = None
        self._discard(km, kc)

    # -- work
    def _reset(self, cwd: str, preload: tuple[str, ...]) -> None:
        from jupyter_core.utils import run_sync

        reply = run_sync(self._kc.execute_interactive)(
            _RESET.format(cwd=cwd, preload=list(preload)), silent=True, store_history=False,
            timeout=RESET_TIMEOUT_S, output_hook=lambda msg: None)
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise KernelResetError(f"{content.get('ename')}: {content.get('evalue')}")

    def run(self, notebook: str | Path, output: str | Path, parameters: Mapping | None = None,
            cwd: str | Path | None = None, preload: Iterable[str] | None = None):
        """Run ``notebook`` with ``parameters`` on the kept kernel; write it to ``output``.

        As ``papermill.execute_notebook``: the executed notebook is written to ``output``
        whether the run succeeds or not; if a cell raised, the failing cell is marked and
        :class:`papermill.PapermillExecutionError` raised.

        Parameters
        ----------
        notebook, output
            The template and where the executed notebook goes (not atomic: pass a
            temporary name and rename it).
        parameters
            What papermill injects.
        cwd
            Working folder of the run (default: the notebook's folder).
        preload
            Modules to import in the kernel before the report runs (default: the
            notebook's own top-level imports, :func:`imports_of`).

        Returns
        -------
        nbformat.NotebookNode
            The executed notebook.

        Raises
        ------
        papermill.PapermillExecutionError
            A cell raised (``output`` is written).
        KernelStartError
            No kernel could be started.
        KernelLost
            The kernel died, timed out or could not be reset (``output`` holds what ran);
            it is replaced at the next run.
        """
        from papermill.execute import (
            prepare_notebook_metadata,
            raise_for_execution_errors,
            remove_error_markers,
        )
        from papermill.iorw import load_notebook_node, write_ipynb
        from papermill.parameterize import parameterize_notebook

        notebook = Path(notebook).resolve()
        cwd = str(cwd or notebook.parent)
        if preload is None:
            if notebook not in self._preload:
                self._preload[notebook] = imports_of(notebook)
            preload = self._preload[notebook]
        nb = load_notebook_node(str(notebook))
        if parameters:
            nb = parameterize_notebook(nb, dict(parameters), kernel_name=self.kernel_name,
                                       language="python")
        nb = prepare_notebook_metadata(nb, str(notebook), str(output))
        nb = remove_error_markers(nb)
        if self._km is not None and not self.alive:
            self.shutdown()
        self.start(cwd)
        self.reports += 1
        try:
            self._reset(cwd, tuple(preload))
            nb = _warm_engine().execute_notebook(
                nb, self.kernel_name, output_path=None, progress_bar=False,
                km=self._km, kc=self._kc, execution_timeout=self.timeout,
                start_timeout=self.start_timeout)
        except Exception as err:  # dead, hung or not clean: never reuse this kernel
            self.shutdown()
            cell = _running_cell(nb)
            try:  # what ran so far, as papermill's autosave would have left it
                write_ipynb(nb, str(output))
            except Exception:
                pass
            raise KernelLost(f"{type(err).__name__}: {err}".strip(), cell) from err
        except BaseException:  # Ctrl-C
            self.shutdown()
            raise
        raise_for_execution_errors(nb, str(output))  # writes the marked notebook, raises
        write_ipynb(nb, str(output))
        return nb


@functools.lru_cache(maxsize=1)
def _warm_engine():
    """papermill's nbclient engine, run against the kept kernel and client (papermill's
    own engine would start a kernel client per report and never close it)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import Engine
    from papermill.log import logger

    class WarmEngine(Engine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, *, km, kc,
                                     execution_timeout=None, start_timeout=60, **kwargs):
            client = PapermillNotebookClient(nb_man, km=km, kernel_name=kernel_name,
                                             timeout=execution_timeout,
                                             startup_timeout=start_timeout, log=logger)
            client.kc = kc  # owns_km is False: nbclient neither starts nor stops anything
            return client.execute()

    return WarmEngine
