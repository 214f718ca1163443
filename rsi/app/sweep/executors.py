"""Where sweep tasks run: a local process pool, or a Ray cluster.

Both executors submit the same function, `rsi.app.sweep.worker.run_task`, and hand back a
`concurrent.futures.Future` of its `Attempt`, so the sweep's loop (`rsi.app.sweep.runner`) does
not know which one it drives.

- `LocalExecutor`: `concurrent.futures.ProcessPoolExecutor` with the "spawn" start method:
  every worker is a fresh interpreter, as a Ray worker is (no state or threads inherited
  from the parent by fork).  A worker that dies (killed, out of memory) breaks the pool: the
  attempts in flight fail with that error and the next submission starts a new pool.
- `RayExecutor`: `ray.remote(run_task)` with one CPU per task, on the cluster at `address`,
  or on a local single-machine cluster it starts (listening on the loopback address only)
  and shuts down at the end.  An address on 127.0.0.1 stays on the loopback address, and
  one where nothing listens is refused at once.  If Ray is already initialised in this
  process (a test, a notebook) that cluster is used and left running.  Ray is imported only
  here, and only for this executor: `pip install 'rsi-toolkit[dist]'` provides it.  Workers
  on a remote cluster must have the toolkit installed; a cluster with token authentication
  needs `RAY_AUTH_MODE=token` and its token in the environment, as Ray requires.
"""
from __future__ import annotations

import multiprocessing
import os
import socket
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from rsi.app.sweep.experiments import SpecError
from rsi.app.sweep.spec import Task
from rsi.app.sweep.worker import Attempt, one_line, run_task

EXECUTORS = ("local", "ray")


class Executor(Protocol):
    name: str

    def submit(self, task: Task) -> Future[Attempt]: ...

    def close(self) -> None: ...


class LocalExecutor:
    """A pool of `workers` processes on this machine (default: one per CPU)."""

    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))

    def submit(self, task: Task) -> Future[Attempt]:
        if self._pool is None:
            self._pool = self._new_pool()
        try:
            return self._pool.submit(run_task, task)
        except BrokenProcessPool:  # a worker died earlier: start a fresh pool
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            return self._pool.submit(run_task, task)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class RayExecutor:
    """Tasks on the Ray cluster at `address`, or on a local one of `workers` CPUs."""

    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None):
        if address is None or _loopback(address):
            # Read by Ray at import: without it Ray moves a local cluster, and an address on
            # 127.0.0.1, to the machine's network address.
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        if address is not None:
            _check_reachable(address)
        try:
            import ray
        except ImportError:
            raise SpecError("the ray executor needs ray: pip install 'rsi-toolkit[dist]'") from None
        self._ray = ray
        self._started = not ray.is_initialized()
        if self._started:
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address is None:  # "local": a new cluster, even if one is already running here
                options["num_cpus"] = workers or os.cpu_count() or 1
            try:
                ray.init(address=address or "local", **options)
            except (ConnectionError, ValueError, RuntimeError) as error:
                where = f"a Ray cluster at {address}" if address else "a local Ray cluster"
                raise SpecError(f"cannot start or reach {where}: {one_line(error)}") from None
        self._remote = ray.remote(num_cpus=1, max_retries=0)(run_task)

    def submit(self, task: Task) -> Future[Attempt]:
        return self._remote.remote(task).future()

    def close(self) -> None:
        if self._started:
            self._ray.shutdown()


def _host_port(address: str) -> tuple[str, int] | None:
    """(host, port) of "host:port" or "ray://host:port"; None for "auto" and the like."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    return (host.strip("[]"), int(port)) if host and port.isdigit() else None


def _loopback(address: str) -> bool:
    where = _host_port(address)
    return where is not None and (where[0] in ("localhost", "::1") or where[0].startswith("127."))


def _check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """SpecError when nothing listens at the address (Ray itself would retry for minutes)."""
    where = _host_port(address)
    if where is None:
        return
    try:
        socket.create_connection(where, timeout=timeout_s).close()
    except OSError as error:
        raise SpecError(f"cannot reach a Ray cluster at {address}: {error.strerror or error}") from None


def make_executor(name: str, address: str | None = None, workers: int | None = None) -> Executor:
    """The executor `name` ("local" or "ray"); `address` is for Ray only."""
    if name not in EXECUTORS:
        raise SpecError(f"unknown executor {name!r}; executors: {', '.join(EXECUTORS)}")
    if workers is not None and workers < 1:
        raise SpecError(f"workers must be >= 1, got {workers}")
    if name == "local":
        if address is not None:
            raise SpecError("--address is for the ray executor")
        return LocalExecutor(workers)
    return RayExecutor(address, workers)
