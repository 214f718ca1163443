"""Pre-started sandboxes: the next run's process tree started ahead of time (DESIGN.md "Runner").

A run of a Python program pays for its cgroups, the launcher's stage, bubblewrap, the
launcher's init and the interpreter's start-up before a byte of the program matters.  This
pool starts that whole tree for the *next* run ahead of time -- the interpreter blocked reading
its control pipe, before any program byte exists -- one tree per future run, never reused.  A
run whose key (isolation and limits: everything the tree's command line depends on) matches
takes the ready tree (or waits up to WAIT_S for one whose start is under way), hands it the
program through the control pipe and is timed from that moment; otherwise it starts cold.
Either way a replacement for its key is started in the background, so back-to-back runs
overlap the next start with the current run.

What the program can observe does not change (argv, environment, run folder, limits; the CPU
rlimit counts the interpreter's start-up in both), only the timing.  A tree that waits longer
than IDLE_S, the trees of a pool that is closed, and those left at interpreter exit (atexit;
bubblewrap's --die-with-parent if even that does not run) are killed and their cgroups
removed.  The trees are started by one long-lived daemon thread: a process started with
PR_SET_PDEATHSIG (--die-with-parent) dies when the *thread* that forked it ends (prctl(2)).
The pool is thread-safe, and a forked child drops its parent's trees (os.register_at_fork,
and a check of os.getpid()): it closes their pipes, which would otherwise hold a tree's
control pipe open and the parent's run would wait for it until the deadline.

RSI_SANDBOX_PRESTART=0 turns the pool off (every run starts cold); `used_by_last_run()` says
whether the last sandboxed launch of this thread took a pre-started tree (`rsi run --json`
shows it as isolation.prestarted).
"""
from __future__ import annotations

import atexit
import contextlib
import os
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Protocol

IDLE_S = 30.0  # a tree that waited this long is killed
MAX_KEYS = 4  # ready trees kept at once (one per key), the least recently used dropped
WAIT_S = 0.5  # how long a run waits for a tree of its key whose start is under way


class Tree(Protocol):
    """A started process tree waiting for its program."""

    def alive(self) -> bool: ...

    def pid(self) -> int: ...

    def discard(self) -> None: ...

    def close_in_child(self) -> None: ...


def enabled() -> bool:
    """Whether runs take pre-started trees (RSI_SANDBOX_PRESTART=0 turns it off)."""
    return os.environ.get("RSI_SANDBOX_PRESTART", "1") != "0"


class Pool:
    """Ready trees by key, and the thread that starts them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)  # a start ended, or the pool closed
        self.ready: OrderedDict[Hashable, tuple[Tree, float]] = OrderedDict()
        self.pending: set[Hashable] = set()
        self.jobs: queue.SimpleQueue[tuple[Hashable, Callable[[], Tree]] | None] = (
            queue.SimpleQueue())
        self.worker: threading.Thread | None = None
        self.pid = os.getpid()
        self.closed = False
        self.started = 0  # trees started, for tests and the benchmark

    def take(self, key: Hashable, factory: Callable[[], Tree]) -> Tree | None:
        """The ready tree for `key` (removed from the pool: used at most once) or None; either
        way `factory` is queued to start the next one unless one is ready or being started."""
        with self.lock:
            entry = self.ready.pop(key, None)
            if entry is None and key in self.pending:
                # its start is under way (the host's part of it: the tree then starts on its
                # own): sooner than a cold start
                self.changed.wait_for(lambda: key in self.ready or key not in self.pending
                                      or self.closed, timeout=WAIT_S)
                entry = self.ready.pop(key, None)
            if not self.closed and key not in self.ready and key not in self.pending:
                self.pending.add(key)
                self.jobs.put((key, factory))
                if self.worker is None:
                    self.worker = threading.Thread(target=self._work, daemon=True,
                                                   name="rsi-sandbox-prestart")
                    self.worker.start()
        if entry is None:
            return None
        if not entry[0].alive():
            entry[0].discard()
            return None
        return entry[0]

    def _work(self) -> None:
        while True:
            try:
                job = self.jobs.get(timeout=self._expire())
            except queue.Empty:
                continue
            if job is None:
                return
            key, factory = job
            try:
                tree: Tree | None = factory()
            except Exception:  # noqa: BLE001 -- the run that needs it starts cold and says why
                tree = None
            with self.lock:
                self.pending.discard(key)
                keep = tree is not None and not self.closed and self.pid == os.getpid()
                if keep and tree is not None:
                    self.ready[key] = (tree, time.monotonic())
                    self.ready.move_to_end(key)
                    self.started += 1
                    evicted = ([self.ready.popitem(last=False)[1][0]]
                               if len(self.ready) > MAX_KEYS else [])
                self.changed.notify_all()
            if tree is not None and not keep:
                tree.discard()
            elif keep:
                for old in evicted:
                    old.discard()

    def _expire(self) -> float:
        """Discard the trees that waited IDLE_S; seconds until the next one would expire."""
        now = time.monotonic()
        with self.lock:
            old = [k for k, (_, since) in self.ready.items() if now - since >= IDLE_S]
            expired = [self.ready.pop(k)[0] for k in old]
            waits = [since + IDLE_S - now for _, since in self.ready.values()]
        for tree in expired:
            tree.discard()
        return max(0.05, min(waits, default=IDLE_S))

    def close(self) -> None:
        """Stop the worker and kill every ready tree; never raises."""
        with self.lock:
            self.closed = True
            self.changed.notify_all()
            trees = [tree for tree, _ in self.ready.values()]
            self.ready.clear()
            worker = self.worker
        self.jobs.put(None)
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout=10)
        for tree in trees:
            with contextlib.suppress(Exception):
                tree.discard()

    def forget_in_child(self) -> None:
        """In a forked child: close the parent's trees' descriptors (their processes are the
        parent's) and drop them."""
        for tree, _ in self.ready.values():
            with contextlib.suppress(Exception):
                tree.close_in_child()
        self.ready.clear()


_pool = Pool()
_local = threading.local()


def pool() -> Pool:
    """This process's pool (a fresh one in a forked child)."""
    global _pool
    if _pool.pid != os.getpid():
        old, _pool = _pool, Pool()
        old.forget_in_child()
    return _pool


def take(key: Hashable, factory: Callable[[], Tree]) -> Tree | None:
    """Pool.take on this process's pool."""
    return pool().take(key, factory)


def ready_pids(timeout: float = 10.0) -> set[int]:
    """The host pids of the ready trees (each the root of its tree), once no tree is being
    started (at most `timeout` s): what a check for leftover processes leaves out."""
    current, end = pool(), time.monotonic() + timeout
    while True:
        with current.lock:
            if not current.pending or time.monotonic() > end:
                return {tree.pid() for tree, _ in current.ready.values()}
        time.sleep(0.01)


def note(used: bool) -> None:
    """Record whether this thread's sandboxed launch took a pre-started tree."""
    _local.used = used


def used_by_last_run() -> bool | None:
    """Whether the last sandboxed launch of this thread (any language) took a pre-started
    tree (None: no launch yet)."""
    return getattr(_local, "used", None)


def close() -> None:
    """Kill every ready tree of this process and start afresh (tests; at exit)."""
    global _pool
    if _pool.pid != os.getpid():
        pool()
        return
    old, _pool = _pool, Pool()
    old.close()


def _after_fork_in_child() -> None:
    global _pool
    old, _pool = _pool, Pool()
    old.forget_in_child()


atexit.register(close)
os.register_at_fork(after_in_child=_after_fork_in_child)
