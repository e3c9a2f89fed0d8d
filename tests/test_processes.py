"""No process outlives a build, whatever ends it (issue 14, finding 3).

``hailong build`` (two reports, two workers, PDFs) runs on a copy of the 2022 sample, in
its own session, and is killed with SIGKILL at moments read from its process tree: while it
plans and reads the data (the fork server is up, no kernel yet), while the kernels start, and while
reports are printed (a page is written and a browser runs). Every process seen below it,
and every process carrying the run's environment marker (found even if it started after
the last look), must be gone 5 s later. SIGTERM must end it the same way, with no
process left either.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

from _config import write_config
from hailong.core import lifetime
from hailong.reference.config import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "data" / "sample" / "2022"
MARKER = "HAILONG_TEST_PROCESS_MARK"
#: Seconds every descendant has to end after the build is killed.
GRACE_S = 5.0


def _kind(proc: psutil.Process) -> str:
    try:
        line = " ".join(proc.cmdline())
    except psutil.Error:
        return "gone"
    for word, kind in (("ipykernel", "kernel"), ("forkserver", "fork server"),
                       ("multiprocessing", "worker"), ("run-driver", "driver"),
                       ("chrom", "browser")):
        if word in line:
            return kind
    return "other"


class BuildRun:
    """A ``hailong build`` subprocess in its own session, with its process tree watched."""

    def __init__(self, tmp_path: Path):
        for name in ("roster.csv", "responses.csv"):
            shutil.copy(SAMPLE / name, tmp_path / name)
        config = write_config(tmp_path)
        self.out = tmp_path / "out"
        self.mark = uuid.uuid4().hex
        self.log = (tmp_path / "build.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hailong", "build", "--config", str(config),
             "--unit", "311", "--unit", "318", "--out", str(self.out),
             "--workers", "2", "--no-progress"],
            env={**os.environ, MARKER: self.mark}, stdin=subprocess.DEVNULL,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.seen: dict[int, tuple[float, str]] = {}  # pid -> (create time, kind)

    def look(self) -> dict[str, int]:
        """Record the build's descendants; how many of each kind run now."""
        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            return {}
        now: dict[str, int] = {}
        for child in children:
            try:
                # read again each time: a process just started still shows its
                # parent's command line (a kernel looks like a worker until its exec)
                kind = _kind(child)
                if kind == "gone":
                    kind = self.seen.get(child.pid, (0, "gone"))[1]
                if kind == "fork server" and child.ppid() != self.proc.pid:
                    kind = "worker"  # forked from the fork server: same command line
                key = (child.create_time(), kind)
            except psutil.Error:
                continue
            self.seen[child.pid] = key
            now[key[1]] = now.get(key[1], 0) + 1
        return now

    def wait_for(self, condition, limit: float = 90.0) -> dict[str, int]:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            now = self.look()
            if condition(now):
                return now
            if self.proc.poll() is not None:
                pytest.fail(f"the build ended (status {self.proc.returncode}) before the "
                            f"moment sought; saw {sorted(k for _, k in self.seen.values())}")
            time.sleep(0.05)
        pytest.fail("the moment sought never came")

    def survivors(self) -> list[str]:
        """Processes of this run still running (zombies waiting to be reaped are ended)."""
        left = {}
        for pid, (created, kind) in self.seen.items():
            try:
                proc = psutil.Process(pid)
                if proc.create_time() == created and proc.status() != psutil.STATUS_ZOMBIE:
                    left[pid] = kind
            except psutil.Error:
                pass
        for proc in psutil.process_iter():
            if proc.pid in left or proc.pid == os.getpid():
                continue
            try:
                if proc.environ().get(MARKER) == self.mark \
                        and proc.status() != psutil.STATUS_ZOMBIE:
                    left[proc.pid] = _kind(proc)
            except psutil.Error:
                pass
        return [f"{pid} ({kind})" for pid, kind in sorted(left.items())]

    def ended_within(self, seconds: float) -> list[str]:
        """Survivors after waiting up to ``seconds`` for them to end."""
        deadline = time.monotonic() + seconds
        while True:
            left = self.survivors()
            if not left or time.monotonic() >= deadline:
                return left
            time.sleep(0.1)

    def clean_up(self) -> None:
        """Kill whatever a failed test left (so that it harms no later test)."""
        for pid, (created, _) in self.seen.items():
            try:
                proc = psutil.Process(pid)
                if proc.create_time() == created:
                    proc.kill()
            except psutil.Error:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()


def _planning(now):  # the fork server is up; no worker or kernel yet
    return "fork server" in now and "kernel" not in now


def _kernels(now):
    return "kernel" in now


@pytest.mark.parametrize("moment", ["planning", "kernels", "printing"])
def test_sigkill_of_the_build_leaves_no_process(tmp_path, moment):
    run = BuildRun(tmp_path)
    try:
        if moment == "printing":
            run.wait_for(lambda now: now.get("browser", 0) >= 1 and any(
                (run.out / "2022").glob("*.html")))
        else:
            run.wait_for(_planning if moment == "planning" else _kernels)
        run.look()
        assert run.seen, "the build started no process"
        run.proc.send_signal(signal.SIGKILL)  # the build process alone, as kill -9
        run.proc.wait()
        left = run.ended_within(GRACE_S)
        assert left == [], f"still running {GRACE_S:g} s after kill -9 ({moment}): {left}"
    finally:
        run.clean_up()


def test_sigterm_ends_the_build_and_everything_it_started(tmp_path):
    run = BuildRun(tmp_path)
    try:
        run.wait_for(lambda now: now.get("kernel", 0) >= 2)
        run.proc.send_signal(signal.SIGTERM)
        status = run.proc.wait(timeout=30)
        assert status == 130
        assert run.ended_within(GRACE_S) == []
    finally:
        run.clean_up()


def test_descendants_are_found_through_proc_and_killed(tmp_path):
    child = subprocess.Popen([sys.executable, "-c",
                              "import subprocess, sys, time;"
                              "subprocess.Popen([sys.executable, '-c', 'import time; "
                              "time.sleep(60)']); time.sleep(60)"])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(lifetime.descendants(child.pid)) < 1:
            time.sleep(0.05)
        below = lifetime.descendants(child.pid)
        expected = [p.pid for p in psutil.Process(child.pid).children(recursive=True)]
        assert len(below) == 1 and below == expected
        assert {child.pid, *below} <= set(lifetime.descendants())
        assert lifetime.kill_descendants(child.pid) == 1
        grandchild = psutil.Process(below[0])
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and grandchild.status() != psutil.STATUS_ZOMBIE:
            time.sleep(0.05)
        assert grandchild.status() == psutil.STATUS_ZOMBIE  # killed, its parent not told yet
    finally:
        child.kill()
        child.wait()


def test_a_child_started_with_the_preexec_dies_with_its_parent():
    # parent: starts a sleeping grandchild with the parent-death signal, prints its pid,
    # then is killed; the grandchild must be gone at once (not after its 60 s)
    code = ("import subprocess, sys, time\n"
            "from hailong.core.lifetime import pdeathsig_preexec\n"
            "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'],"
            " preexec_fn=pdeathsig_preexec())\n"
            "print(p.pid, flush=True)\ntime.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    grandchild = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        try:
            if psutil.Process(grandchild).status() == psutil.STATUS_ZOMBIE:
                break
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    else:
        psutil.Process(grandchild).kill()
        pytest.fail("the child outlived its parent")


def test_sigterm_raises_terminated_inside_the_block_only():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(lifetime.Terminated):
        with lifetime.interrupt_on_terminate():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
    assert signal.getsignal(signal.SIGTERM) == before
    assert issubclass(lifetime.Terminated, KeyboardInterrupt)
