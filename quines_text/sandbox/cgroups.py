"""Whole-run limits through cgroups, and a clean-up that never raises (DESIGN.md "Runner").

A run gets a fresh memory cgroup (limit = Limits.memory_bytes for every process of the run
together, swap included where the kernel accounts it) and a fresh pids cgroup (limit =
Limits.processes), under the cgroups this process is in.  cgroup v1 (separate memory and pids
hierarchies) and v2 (one unified hierarchy) are both handled.  After the run the host reads the
memory cgroup's OOM-kill counter, kills whatever is left in the cgroups and removes them.
Without a writable cgroup the limits fall back to per-process rlimits (`isolation()` says so).

`remove_tree` removes a folder without recursion (a program may leave 1,500 nested folders),
making folders writable on the way, and never raises.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import signal
import stat
import time
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class RunCgroups:
    """The cgroups of one run: folders, and the cgroup.procs files the launcher joins."""

    memory: Path | None
    pids: Path | None
    version: int

    @property
    def procs_files(self) -> list[str]:
        folders = {p for p in (self.memory, self.pids) if p is not None}
        return [str(p / "cgroup.procs") for p in sorted(folders)]


def _own_cgroup(controller: str) -> tuple[Path, int] | None:
    """(folder of this process's cgroup for `controller`, cgroup version), or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            folder = CGROUP_ROOT / controller / path.lstrip("/")
            if folder.is_dir():
                return folder, 1
    for line in lines:
        if line.startswith("0::"):
            unified = CGROUP_ROOT / line[3:].lstrip("/")
            subtree = unified.parent / "cgroup.subtree_control"
            with contextlib.suppress(OSError):
                if controller in subtree.read_text().split():
                    return unified.parent, 2
    return None


def _make(controller: str, writes: dict[str, str], tag: str) -> tuple[Path, int] | None:
    own = _own_cgroup(controller)
    if own is None:
        return None
    folder = own[0] / tag
    try:
        folder.mkdir()
    except OSError:
        return None
    try:
        for name, value in writes.items():
            target = folder / name
            if target.exists():
                target.write_text(value)
    except OSError:
        remove_cgroup(folder)
        return None
    return folder, own[1]


def make_cgroups(memory_bytes: int, processes: int) -> RunCgroups:
    """Fresh memory and pids cgroups for one run (either may be None: not available)."""
    tag = f"rsi-{os.getpid()}-{secrets.token_hex(6)}"
    # + 3: the launcher's stage, bubblewrap and its init
    pids = _make("pids", {"pids.max": f"{processes + 3}\n"}, tag)
    memory = _make("memory", {"memory.limit_in_bytes": f"{memory_bytes}\n",
                              "memory.memsw.limit_in_bytes": f"{memory_bytes}\n",
                              "memory.max": f"{memory_bytes}\n",
                              "memory.swap.max": "0\n"}, tag)
    version = (memory or pids or (None, 1))[1]
    return RunCgroups(memory[0] if memory else None, pids[0] if pids else None, version)


def oom_kills(folder: Path | None) -> int | None:
    """OOM kills in a memory cgroup so far (v1 memory.oom_control, v2 memory.events)."""
    if folder is None:
        return None
    for name in ("memory.oom_control", "memory.events"):
        with contextlib.suppress(OSError, ValueError):
            for line in (folder / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
    return 0


def remove_cgroup(folder: Path) -> None:
    """Kill every process left in the cgroup and remove it; never raises."""
    for _ in range(400):
        try:
            pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            pids = []
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.005)


def remove_cgroups(groups: RunCgroups) -> None:
    for folder in (groups.memory, groups.pids):
        if folder is not None:
            remove_cgroup(folder)


def remove_tree(top: Path) -> None:
    """Remove `top` and everything under it, iteratively (no recursion limit); never raises."""
    stack: list[tuple[str, bool]] = [(str(top), False)]
    while stack:
        folder, emptied = stack.pop()
        if emptied:
            with contextlib.suppress(OSError):
                os.rmdir(folder)
            continue
        stack.append((folder, True))
        with contextlib.suppress(OSError):
            os.chmod(folder, stat.S_IRWXU)
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((entry.path, False))
                    else:
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)
        except OSError:
            continue
