"""Where report jobs run: one kernel reused for many reports, local worker processes, Dask.

Each kernel start costs ~1.5 s: the notebooks here are tiny (made in the test), and the
tests that need a kernel share as few as they can.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from _config import write_config
from hailong.reference.config import PROJECT_ROOT
from hailong.run.build import build
from hailong.run.kernel import KernelLost, KernelStartError, WarmKernel, imports_of

TEST_NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"


def notebook(path: Path, *cells: str, parameters: str = 'unit = "303"') -> Path:
    """A notebook with a ``parameters`` cell and code cells."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(parameters),
                                         *map(nbformat.v4.new_code_cell, cells)])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, str(path))
    return path


def comparable(nb: nbformat.NotebookNode) -> list[tuple]:
    """What a reader or an analyst sees of each cell: type, source, execution count and
    outputs (without papermill's timings, the random cell ids and the kernel's process
    id, which warnings name: ``/tmp/ipykernel_4242/...``; two new kernels differ there too)."""
    def same(output):
        return json.loads(re.sub(r"ipykernel_\d+", "ipykernel_PID", json.dumps(output)))

    return [(c.cell_type, c.source, c.get("execution_count"), c.get("metadata", {}).get("tags"),
             [same(o) for o in c.get("outputs", [])]) for c in nb.cells]


# A report that leaves every kind of state behind, and prints what it found first.
LITTERING = '''\
import os, sys, warnings
import matplotlib
import matplotlib.pyplot as plt
found = {
    "leftover": "LEFTOVER" in globals(),
    "history": len(In),
    "rc": matplotlib.rcParams["lines.linewidth"],
    "env": os.environ.get("HAILONG_TEST_LEFTOVER"),
    "cwd": os.getcwd(),
    "figures": len(plt.get_fignums()),
    "path": "/nowhere" in sys.path,
    "ignored": any(f[0] == "ignore" and f[2] is UserWarning for f in warnings.filters),
}
print(found)
'''
LITTER = '''\
LEFTOVER = 1
matplotlib.rcParams["lines.linewidth"] = 9.0
os.environ["HAILONG_TEST_LEFTOVER"] = "yes"
sys.path.append("/nowhere")
warnings.simplefilter("ignore", UserWarning)
plt.figure()
os.chdir("/")
'''
# The same outputs as a fresh kernel: a chart, Markdown, stdout, a warning, a result.
OUTPUTS = '''\
from IPython.display import Markdown, display
fig, ax = plt.subplots(figsize=(2, 1))
ax.plot([1, 2, 3], [3, 1, 2])
plt.show()
display(Markdown(f"**{unit}**"))
warnings.warn("shown once per location")
unit * 2
'''


@pytest.fixture(scope="module")
def kernel():
    with WarmKernel() as k:
        yield k


def test_a_reused_kernel_looks_fresh_to_every_report(kernel, tmp_path):
    nb = notebook(tmp_path / "r.ipynb", LITTERING, LITTER)
    kernel.run(nb, tmp_path / "a.ipynb", {"unit": "303"})
    second = kernel.run(nb, tmp_path / "b.ipynb", {"unit": "304"})
    found = eval(second.cells[2].outputs[0]["text"])  # noqa: S307 - our own repr
    assert found == {"leftover": False, "history": 4,  # In[0] = "" then cells 1..3
                     "rc": 1.5, "env": None, "cwd": str(tmp_path), "figures": 0,
                     "path": False, "ignored": False}
    assert [c.execution_count for c in second.cells if c.cell_type == "code"] == [1, 2, 3, 4]


def test_a_reused_kernel_gives_what_a_fresh_kernel_gives(kernel, tmp_path):
    nb = notebook(tmp_path / "r.ipynb", LITTERING, OUTPUTS, LITTER)
    kernel.run(nb, tmp_path / "first.ipynb", {"unit": "311"})
    warm = kernel.run(nb, tmp_path / "warm.ipynb", {"unit": "318"})
    fresh = papermill.execute_notebook(str(nb), str(tmp_path / "fresh.ipynb"),
                                       parameters={"unit": "318"}, progress_bar=False,
                                       kernel_name="python3", cwd=str(tmp_path))
    assert comparable(warm) == comparable(fresh)
    outputs = warm.cells[3].outputs
    kinds = [o["output_type"] for o in outputs]
    assert kinds == ["display_data", "display_data", "stream", "execute_result"]
    assert "image/png" in outputs[0]["data"]
    assert "shown once per location" in outputs[2]["text"]  # again: as in a new kernel
    assert warm.cells[4].outputs[0]["data"]["text/plain"] == "<Figure size 640x480 with 0 Axes>"


def test_the_real_district_report_on_a_reused_kernel_equals_a_fresh_run(kernel, tmp_path):
    district = PROJECT_ROOT / "notebooks" / "reports" / "district.ipynb"
    params = {"round_year": 2022, "lang": "vi",
              "config_path": str(PROJECT_ROOT / "data" / "hailong.yaml")}
    kernel.run(district, tmp_path / "311.ipynb", {**params, "unit": "311"})
    warm = kernel.run(district, tmp_path / "313.ipynb", {**params, "unit": "313"})
    fresh = papermill.execute_notebook(str(district), str(tmp_path / "fresh.ipynb"),
                                       parameters={**params, "unit": "313"},
                                       progress_bar=False, kernel_name="python3",
                                       cwd=str(district.parent))
    assert comparable(warm) == comparable(fresh)
    images = [o for c in warm.cells for o in c.get("outputs", [])
              if "image/svg+xml" in o.get("data", {})]
    assert len(images) >= 2  # charts, byte for byte as a fresh kernel draws them


def test_a_failing_report_is_marked_and_does_not_poison_the_next(kernel, tmp_path):
    nb = notebook(tmp_path / "r.ipynb",
                  'SECRET = "from the failing report"',
                  'if unit == "305":\n    raise ValueError(f"no data for unit {unit}")',
                  'print("SECRET" in globals(), unit)')
    with pytest.raises(papermill.PapermillExecutionError) as info:
        kernel.run(nb, tmp_path / "305.ipynb", {"unit": "305"})
    assert (info.value.ename, info.value.evalue) == ("ValueError", "no data for unit 305")
    failed = nbformat.read(str(tmp_path / "305.ipynb"), as_version=4)
    marks = [c for c in failed.cells if "papermill-error-cell-tag" in c.metadata.get("tags", [])]
    assert len(marks) == 2  # papermill's banner at the top and its anchor before the cell
    nb2 = nbformat.read(str(nb), as_version=4)
    nb2.cells[1].source = ""  # the next report does not define SECRET itself
    nbformat.write(nb2, str(tmp_path / "r2.ipynb"))
    after = kernel.run(tmp_path / "r2.ipynb", tmp_path / "303.ipynb", {"unit": "303"})
    assert after.cells[-1].outputs[0]["text"] == "False 303\n"


def test_a_dead_kernel_fails_its_report_and_the_next_gets_a_new_one(tmp_path):
    nb = notebook(tmp_path / "r.ipynb", "import os",
                  'if unit == "305":\n    os._exit(1)', "print(unit)")
    with WarmKernel() as k:
        with pytest.raises(KernelLost) as info:
            k.run(nb, tmp_path / "305.ipynb", {"unit": "305"})
        assert info.value.cell_index == 3  # parameters, injected, import, the exit
        assert (tmp_path / "305.ipynb").is_file()  # what ran, for the analyst
        after = k.run(nb, tmp_path / "303.ipynb", {"unit": "303"})
        assert after.cells[-1].outputs[0]["text"] == "303\n"
        assert k.starts == 2 and k.reports == 2


def test_a_kernel_that_fails_to_start_is_retried(monkeypatch, tmp_path):
    calls = []
    real = WarmKernel._start_once

    def flaky(self, cwd):
        calls.append(cwd)
        if len(calls) == 1:
            raise RuntimeError("Kernel didn't respond in 60 seconds")
        return real(self, cwd)

    monkeypatch.setattr(WarmKernel, "_start_once", flaky)
    nb = notebook(tmp_path / "r.ipynb", "print(unit)")
    with WarmKernel() as k:
        out = k.run(nb, tmp_path / "out.ipynb", {"unit": "303"})
        assert out.cells[-1].outputs[0]["text"] == "303\n"
        assert len(calls) == 2 and k.starts == 1


def test_a_kernel_that_never_starts_says_so_after_the_last_attempt(monkeypatch, tmp_path):
    def broken(self, cwd):
        raise OSError("Address already in use")

    monkeypatch.setattr(WarmKernel, "_start_once", broken)
    with pytest.raises(KernelStartError, match="after 2 attempts: OSError: Address already"):
        WarmKernel(attempts=2).start(tmp_path)


def test_imports_of_lists_what_the_report_notebooks_import():
    found = imports_of(PROJECT_ROOT / "notebooks" / "reports" / "district.ipynb")
    assert {"IPython.display", "hailong.present", "hailong.present.charts",
            "hailong.numbers.pipeline", "matplotlib.pyplot"} <= set(found)


# --- workers ----------------------------------------------------------------------------

_config = write_config


class Prepare:
    meta = {"data_date": "2023-05-16"}

    def __call__(self, **kwargs):
        return self


UNITS = ["303", "304", "305", "306", "307", "city"]


def test_local_workers_each_keep_one_kernel_and_a_failure_stays_with_its_report(tmp_path):
    from hailong.core.errors import BuildError

    with pytest.raises(BuildError) as info:
        build(units=UNITS, out=tmp_path / "out", config_path=_config(tmp_path),
              prepare=Prepare(), notebooks=TEST_NOTEBOOKS, progress=False, workers=2)
    summary = info.value.summary
    assert [f.unit for f in summary.failures] == ["305"]  # the test notebook fails for 305
    assert summary.failures[0].cell == 5
    assert [j.unit for j in summary.built] == ["city", "303", "304", "306", "307"]
    # jobs run in the pool's processes, never here; with reports this small one warm
    # worker may take them all while the other is still starting (a kernel start that
    # hit a taken port is retried), so the count of workers used is 1 or 2
    workers = {r.worker for r in summary.jobs}
    assert 1 <= len(workers) <= 2 and str(os.getpid()) not in " ".join(workers)
    assert summary.executor == "local, 2 workers"
    # one kernel per worker, started while the build planned, reused by every job
    assert sum(r.kernel_starts for r in summary.jobs) == 0
    assert {r.worker_kernels for r in summary.jobs} == {1}
    for unit in ("303", "304", "306", "307", "city"):
        assert (tmp_path / "out" / "2022" / f"{unit}.html").is_file()


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def test_dask_runs_the_same_jobs_on_two_workers_and_sends_the_files_back(dask_cluster,
                                                                         tmp_path):
    from hailong.run.executors import DaskExecutor

    executor = DaskExecutor(dask_cluster)
    assert executor.workers == 2
    summary = build(units=["303", "304", "306", "city"], out=tmp_path / "out",
                    config_path=_config(tmp_path), prepare=Prepare(),
                    notebooks=TEST_NOTEBOOKS, progress=False, executor=executor)
    assert summary.failures == []
    assert [j.unit for j in summary.built] == ["city", "303", "304", "306"]
    assert len({r.worker for r in summary.jobs}) == 2
    assert summary.executor.startswith("dask at tcp://127.0.0.1:")
    out = tmp_path / "out" / "2022"
    assert sorted(p.name for p in out.glob("*.html")) == ["303.html", "304.html",
                                                          "306.html", "city.html", "index.html"]
    page = (out / "306.html").read_text(encoding="utf-8")
    assert "Báo cáo đơn vị 306 – năm 2022" in page  # the worker's page, written here
    assert all(r.files is None for r in summary.jobs)  # placed, not kept in memory
    assert (out / "notebooks" / "306.ipynb").is_file()


def test_dask_needs_a_scheduler_address():
    from hailong.core.errors import ParameterError
    from hailong.run.executors import open_executor

    with pytest.raises(ParameterError, match="scheduler"):
        open_executor("dask")


def test_the_cli_passes_the_build_options(monkeypatch, capsys):
    import hailong.run.build
    from hailong.cli import main
    from hailong.run.build import BuildSummary

    seen = {}

    def fake_build(**kw):
        seen.update(kw)
        return BuildSummary(index=Path("index.html"), up_to_date=["city", "303"])

    monkeypatch.setattr(hailong.run.build, "build", fake_build)
    assert main(["build", "--no-progress", "--workers", "3", "--force", "--executor", "dask",
                 "--scheduler", "tcp://127.0.0.1:8786"]) == 0
    assert (seen["workers"], seen["force"], seen["executor"], seen["scheduler"]) == (
        3, True, "dask", "tcp://127.0.0.1:8786")
    assert "Built 0 reports in 0.0 s (2 up to date) → index.html" in capsys.readouterr().out
    assert main(["build", "--workers", "0"]) == 2


def test_hailong_starts_without_importing_pandas():
    import subprocess

    code = ("import sys; from hailong.cli import parser; parser(); "
            "print('pandas' in sys.modules, 'nbformat' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False False"


# A report whose data only a reference cycle holds once its namespace is cleared (as a
# figure, a frame or a traceback is held): 64 MB, touched so that it is resident.
CYCLE = '''\
class Node:
    pass
node = Node()
node.me = node
node.data = bytearray(64 * 1024 * 1024)
node.data[::4096] = b"x" * len(node.data[::4096])
'''


def test_what_only_cycles_hold_is_freed_between_reports(kernel, tmp_path):
    nb = notebook(tmp_path / "c.ipynb", CYCLE)
    kernel.run(nb, tmp_path / "c0.ipynb", {"unit": "303"})
    kernel.run(nb, tmp_path / "c1.ipynb", {"unit": "303"})
    first = kernel.memory_mb()
    for k in range(2, 6):
        kernel.run(nb, tmp_path / f"c{k}.ipynb", {"unit": "303"})
    # frozen out of the collector, each report's 64 MB would stay: +256 MB after four
    assert kernel.memory_mb() - first < 32


def test_the_kernel_is_replaced_after_its_share_of_reports(tmp_path):
    from hailong.run.executors import RecyclePolicy, WorkerState

    nb = notebook(tmp_path / "r.ipynb", "x = 1")
    state = WorkerState(recycle=RecyclePolicy(reports=2, memory_mb=0))
    try:
        kernel = state.warm_kernel()
        kernel.run(nb, tmp_path / "a.ipynb", {"unit": "303"})
        assert state.recycle_kernel() is None and state.kernel is kernel
        kernel.run(nb, tmp_path / "b.ipynb", {"unit": "303"})
        pid = kernel.pid
        assert state.recycle_kernel() == "2 reports run"
        assert state.kernel is None and state.recycled == 1 and kernel.pid is None
        assert not os.path.exists(f"/proc/{pid}") or \
            open(f"/proc/{pid}/stat").read().split(") ")[1][0] == "Z"
        ceiling = RecyclePolicy(reports=0, memory_mb=1)  # every kernel is above 1 MB
        assert "above 1 MB" in ceiling.due(state.warm_kernel().start())
    finally:
        state.close()


def test_the_recycling_settings_come_from_the_environment_and_are_checked():
    from hailong.core.errors import ParameterError
    from hailong.run.executors import (
        ENV_MAX_MB,
        ENV_MAX_REPORTS,
        KERNEL_MAX_MB,
        KERNEL_MAX_REPORTS,
        LocalExecutor,
        RecyclePolicy,
    )

    assert RecyclePolicy.from_env({}) == RecyclePolicy(KERNEL_MAX_REPORTS, KERNEL_MAX_MB)
    assert RecyclePolicy.from_env({ENV_MAX_REPORTS: "50", ENV_MAX_MB: "0"}) == \
        RecyclePolicy(50, 0.0)
    for bad in ({ENV_MAX_REPORTS: "many"}, {ENV_MAX_REPORTS: "-1"}, {ENV_MAX_MB: "2.5GB"}):
        with pytest.raises(ParameterError, match="HAILONG_KERNEL_MAX"):
            RecyclePolicy.from_env(bad)
    os.environ[ENV_MAX_MB] = "lots"
    try:
        with pytest.raises(ParameterError):
            LocalExecutor(workers=2)  # refused before any worker starts
    finally:
        del os.environ[ENV_MAX_MB]
