"""Processes that die with the build: parent-death signal, parent watch, descendant kill.

A build starts processes that start processes (fork server, workers, kernels, the
Playwright driver, Chromium). When the build is killed — ``kill -9`` included, which runs
no handler — none of them may stay. Three means, from the most immediate:

- :func:`die_with_parent`: Linux's parent-death signal (``prctl(PR_SET_PDEATHSIG)``),
  asked for by the child itself (a worker's initializer) or set between ``fork`` and
  ``exec`` (:func:`pdeathsig_preexec`, for the kernels). It fires when the *thread* that
  started the child ends, so it is only set for children started by a main thread;
- :func:`watch_parent`: a daemon thread that notices that the parent (or the build
  process) is gone and calls a handler — the fallback where the signal cannot be used;
- :func:`kill_descendants`: what a worker does then (and on ``SIGTERM``): kill every
  process below it, found through ``/proc`` before any is killed (a killed driver's
  browser is re-parented and could no longer be found), then end itself.

Nothing here is needed off Linux; there the functions do nothing (or what they can).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

#: ``PR_SET_PDEATHSIG`` of ``<linux/prctl.h>``.
PR_SET_PDEATHSIG = 1
#: Seconds between two looks at the parent in :func:`watch_parent`.
WATCH_INTERVAL_S = 0.5


def _prctl():
    """libc's ``prctl``, or ``None`` off Linux."""
    if not os.path.isdir("/proc/self") or not hasattr(os, "getppid"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent ends.

    If the parent is already gone (it died between the fork and this call), the
    signal is sent at once. Returns whether the signal could be set.
    """
    prctl = _prctl()
    if prctl is None:
        return False
    parent = os.getppid()
    if prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        return False
    if parent == 1 or os.getppid() != parent:  # orphaned before the signal was set
        os.kill(os.getpid(), sig)
    return True


def pdeathsig_preexec(sig: int = signal.SIGKILL) -> Callable[[], None] | None:
    """A ``preexec_fn`` for :class:`subprocess.Popen` that sets the parent-death signal
    in the child, or ``None`` where it cannot be set (not Linux; not the main thread,
    whose end would kill the child while this process still runs).

    The libc function is looked up here, in the parent: the child only calls it.
    """
    prctl = _prctl()
    if prctl is None or threading.current_thread() is not threading.main_thread():
        return None
    sig = int(sig)

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)

    return preexec


def _start_time(pid: int) -> str | None:
    """Field 22 of ``/proc/PID/stat`` (start time in ticks), or ``None``."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode("ascii", "replace")
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def alive(pid: int, started: str | None = None) -> bool:
    """Whether process ``pid`` runs (and, given its start time, is still the same one)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if started is not None:
        now = _start_time(pid)
        return now is None or now == started
    return True


def process_mark(pid: int) -> str:
    """``PID:START``: a process named so that a new process with a reused id is not it."""
    return f"{pid}:{_start_time(pid) or ''}"


def watch_parent(on_orphan: Callable[[], None], build: str | None = None,
                 interval: float = WATCH_INTERVAL_S) -> threading.Thread:
    """Call ``on_orphan()`` (in a daemon thread) as soon as this process's parent has
    changed, or the process ``build`` (a :func:`process_mark`) has ended."""
    parent = os.getppid()
    pid, _, started = (build or "").partition(":")
    build_pid = int(pid) if pid.isdigit() else None

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent or (
                    build_pid is not None and not alive(build_pid, started or None)):
                try:
                    on_orphan()
                finally:
                    os._exit(1)

    thread = threading.Thread(target=watch, name="hailong-parent-watch", daemon=True)
    thread.start()
    return thread


def descendants(pid: int | None = None) -> list[int]:
    """Every process below ``pid`` (default this one), read from ``/proc``; empty off
    Linux."""
    root = os.getpid() if pid is None else pid
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode("ascii", "replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1].isdigit():
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.append(child)
                todo.append(child)
    return found


def kill_descendants(pid: int | None = None, sig: int = signal.SIGKILL) -> int:
    """Send ``sig`` to every process below ``pid`` (default this one), all found first;
    the number signalled."""
    count = 0
    for child in descendants(pid):
        try:
            os.kill(child, sig)
            count += 1
        except OSError:
            pass
    return count


class Terminated(KeyboardInterrupt):
    """``SIGTERM`` or ``SIGHUP`` arrived: the process ends as after a Ctrl-C (its
    ``finally`` clauses run: workers, kernels and browsers are closed)."""


@contextlib.contextmanager
def interrupt_on_terminate() -> Iterator[None]:
    """While in the block, ``SIGTERM`` and ``SIGHUP`` raise :class:`Terminated` (a
    :class:`KeyboardInterrupt`) in the main thread instead of ending the process without
    any clean-up; the handlers before are put back after. Does nothing off the main
    thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_terminated(signum, frame):
        raise Terminated(signal.Signals(signum).name)

    before = {}
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            before[sig] = signal.signal(sig, raise_terminated)
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
