"""Start one sandboxed process tree and read what it leaves (DESIGN.md "Runner").

`launch` builds the command -- the launcher's stage mode (root only: cgroups, staging binds,
uid 65534), bubblewrap (quines_text.sandbox.layers), the launcher's init mode (rlimits,
seccomp, the status line) and the program -- starts it in a session of its own, feeds its input
pipes and reads its output pipes with caps enforced here: stdout up to limits.output_bytes
(then the run is killed: output_limit), stderr up to limits.output_bytes (the rest is read and
dropped), the Python report pipe and the launcher's status pipe up to REPORT_CAP.  At the
deadline (the host's clock) it kills the process group and the cgroups.  The run folder lives
on a tmpfs inside the sandbox and disappears with it; without bubblewrap it is a host folder
removed by cgroups.remove_tree.  `launch` is `start` (the whole tree, waiting on its input
pipes) then `finish` (feed, read, kill, clean up): quines_text.sandbox.prestart starts trees
ahead of their runs with the first half.  The reading itself is quines_text.sandbox.reading.
"""
from __future__ import annotations

import contextlib
import functools
import math
import os
import secrets
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from .cgroups import RunCgroups, make_cgroups, oom_kills, remove_cgroups, remove_tree
from .limits import Ending, Limits, SandboxError
from .reading import _kill_group, _parse_report_line, _parse_status, _pump
from .seccomp import filter_pipe

if TYPE_CHECKING:
    from .layers import Isolation

BASE_PATH = "/usr/local/bin:/usr/bin:/bin"
SYSTEM_LINKS = ("/bin", "/lib", "/lib64", "/lib32", "/libx32", "/sbin")
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/passwd",
             "/etc/group", "/etc/nsswitch.conf", "/etc/hostname", "/etc/hosts")


@dataclass
class Plan:
    """What one launch needs besides the program: read-only host paths (mirrored at the same
    path inside), a writable host folder (host path -> path inside), files to create in the run
    folder (name -> bytes), pipes to feed (write end -> bytes) and descriptors the program
    inherits (closed here once it has started), and the Python report pipe's read end."""

    binds: list[str] = field(default_factory=list)
    writable: dict[str, str] = field(default_factory=dict)
    # host folder -> path inside: an overlay whose writes go to a tmpfs that vanishes with the
    # run (bubblewrap's --tmp-overlay; the host folder is never written; namespaces only)
    overlays: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    feeds: dict[int, bytes] = field(default_factory=dict)
    child_fds: list[int] = field(default_factory=list)
    report_r: int | None = None
    report_call: bool = False  # the program may make the report call (the Python child)
    # every process may make it once, written with its pid (the warm evaluator's children)
    report_each: bool = False

    def pipe_to_child(self, data: bytes) -> int:
        """A pipe whose read end the program inherits and whose write end is fed `data`."""
        read_end, write_end = os.pipe()
        self.feeds[write_end] = data
        self.child_fds.append(read_end)
        return read_end


@dataclass(frozen=True)
class Launched:
    """What one launch produced: output, the Python report, and the host's view of the end."""

    stdout: bytes
    stderr: bytes
    report: bytes
    ending: Ending
    wall_s: float
    status: bytes = b""  # the launcher's status lines (the warm evaluator reads its reports)


def run_folder_name() -> str:
    return f"/tmp/rsi-run-{secrets.token_hex(8)}"


def _environment(run_dir: str) -> dict[str, str]:
    return {"PATH": BASE_PATH, "HOME": run_dir, "TMPDIR": run_dir,
            "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"}


def _limit_spec(limits: Limits, memory_rlimit: str, memory_cgroup: bool) -> str:
    cpu_soft = max(1, math.ceil(limits.cpu_s))
    # with a memory cgroup the whole run is limited there; the rlimit is only a backstop
    memory = limits.memory_bytes * (4 if memory_cgroup else 1)
    address_space, data = (memory, 0) if memory_rlimit == "as" else (0, memory)
    if memory_rlimit == "none":
        address_space, data = 0, 0
    processes = 0 if os.geteuid() == 0 else limits.processes * 8  # the pids cgroup binds
    return ",".join(str(v) for v in (cpu_soft, cpu_soft + 1, address_space, data,
                                     processes, limits.file_bytes, limits.open_files))


@functools.cache
def _system_binds() -> tuple[str, ...]:
    """bwrap options for /usr, the top-level links into it and the /etc files kept."""
    options = ["--ro-bind", "/usr", "/usr"]
    for path in SYSTEM_LINKS:
        if os.path.islink(path):
            options += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            options += ["--ro-bind", path, path]
    for path in ETC_FILES:
        if os.path.exists(path):
            options += ["--ro-bind", os.path.realpath(path), path]
    return tuple(options)


def _command(iso: Isolation, argv: list[str], limits: Limits, plan: Plan, run_dir: str,
             groups: RunCgroups, status_w: int, bpf_r: int | None, memory_rlimit: str,
             stage_dir: str | None) -> tuple[list[str], list[int]]:
    """(command line, extra descriptors to pass) for one launch; stage_dir: an empty host
    folder for the stage's mounts (root only)."""
    from .layers import launcher_path, reachable_by_others

    launcher = str(launcher_path())
    init = [launcher, "init", "-s", str(status_w), "-d", run_dir,
            "-r", _limit_spec(limits, memory_rlimit, groups.memory is not None)]
    if bpf_r is not None:
        init += ["-f", str(bpf_r)] + (["-n"] if iso.seccomp_notify else [])
        if iso.seccomp_notify and plan.report_call:
            init.append("-R")
        if iso.seccomp_notify and plan.report_each:
            init.append("-E")
    extra: list[int] = []
    stage_sources: list[str] = []

    def source(path: str) -> str:
        if iso.unprivileged_uid is None or reachable_by_others(path, os.path.getmtime(path)):
            return path
        stage_sources.append(path)
        return f"{stage_dir}/{len(stage_sources) - 1}"

    if iso.namespaces:
        assert iso.bubblewrap is not None
        # the seccomp filter refuses new user namespaces; without it bubblewrap does
        nested = [] if iso.seccomp else ["--disable-userns"]
        command = [iso.bubblewrap, "--unshare-all", "--unshare-user", *nested,
                   "--uid", "65534", "--gid", "65534", "--hostname", "rsi-sandbox",
                   "--die-with-parent", "--new-session", "--as-pid-1", "--cap-drop", "ALL",
                   *_system_binds(), "--dev", "/dev", "--proc", "/proc",
                   "--size", str(2**20), "--tmpfs", "/tmp"]
        if iso.unprivileged_uid is not None:
            command += ["--bind", f"{stage_dir}/run", run_dir]
        else:
            command += ["--size", str(limits.disk_bytes), "--tmpfs", run_dir]
        for path in sorted({launcher, *plan.binds}):
            command += ["--ro-bind", source(path), path]
        for host, inside in plan.writable.items():
            command += ["--bind", source(host), inside]
        for host, inside in plan.overlays.items():
            command += ["--overlay-src", source(host), "--tmp-overlay", inside]
        for name, data in plan.files.items():
            fd = plan.pipe_to_child(data)
            plan.child_fds.remove(fd)
            extra.append(fd)
            command += ["--perms", "0644", "--file", str(fd), f"{run_dir}/{name}"]
        # /tmp itself read-only: only the run folder (and a compile's output) is writable
        command += ["--remount-ro", "/tmp", "--remount-ro", "/", "--chdir", run_dir,
                    "--", *init, "-1", "--", *argv]
    else:
        command = [*init, "--", *argv]
    if iso.unprivileged_uid is not None:
        stage = [launcher, "stage", "-u", str(iso.unprivileged_uid)]
        for procs in groups.procs_files:
            stage += ["-g", procs]
        if iso.namespaces:
            stage += ["-m", str(stage_dir), "-t", f"{limits.disk_bytes}:{limits.inodes}"]
            for path in stage_sources:
                stage += ["-b", path]
        else:
            stage += _covers(launcher, plan, run_dir)
        command = [*stage, "--", *command]
    elif groups.procs_files:
        command = [launcher, "stage", *[a for p in groups.procs_files for a in ("-g", p)],
                   "--", *command]
    return command, extra


def _covers(launcher: str, plan: Plan, run_dir: str) -> list[str]:
    """The stage's options without bubblewrap (root only): cover with an empty tmpfs the
    folder holding the run folder (the other runs' folders, the host's sockets in /tmp) and
    the highest folder the unprivileged uid cannot search above each path the run reads (a
    Python under /root), then bind back at its own path each of those paths (read-only), the
    run folder and the writable folders."""
    from .layers import reachable_by_others

    readable = sorted({launcher, *plan.binds})
    covers = {os.path.dirname(os.path.abspath(run_dir))}
    for path in readable:
        if not reachable_by_others(path, os.path.getmtime(path)):
            above = [a for a in reversed(Path(os.path.abspath(path)).parents) if a != a.parent]
            blocked = next((a for a in above if not a.stat().st_mode & stat.S_IXOTH), None)
            if blocked is not None:
                covers.add(str(blocked))
    covers = {c for c in covers
              if not any(PurePath(c).is_relative_to(other) for other in covers if other != c)}
    places = [(path, "-i") for path in readable
              if any(PurePath(path).is_relative_to(c) for c in covers)]
    places += [(path, "-w") for path in (run_dir, *plan.writable)]
    options = [arg for cover in sorted(covers) for arg in ("-c", cover)]
    kept: list[str] = []
    for path, flag in sorted(places):
        if not any(PurePath(path).is_relative_to(parent) for parent in kept):  # seen through it
            kept.append(path)
            options += [flag, path]
    return options


@dataclass
class Started:
    """A process tree started by `start` and not yet fed: the first half of a launch.  feeds:
    pipes it reads before the program runs (bubblewrap's --file sources); stdin_w: the write
    end of the program's stdin; pid: the host process that started it (a forked child must
    not use its parent's trees)."""

    proc: subprocess.Popen
    groups: RunCgroups
    status_r: int
    stdin_w: int
    report_r: int | None
    stage_dir: str | None
    run_dir: str
    feeds: dict[int, bytes]
    signals_guarded: bool = False  # the seccomp filter refuses a self-sent SIGXCPU
    pid: int = field(default_factory=os.getpid)

    def alive(self) -> bool:
        return self.pid == os.getpid() and self.proc.poll() is None

    def close_in_child(self) -> None:
        """In a forked child: close this tree's descriptors, leave the parent's processes."""
        for fd in self._descriptors():
            with contextlib.suppress(OSError):
                os.close(fd)
        for stream in (self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()

    def _descriptors(self) -> list[int]:
        own = [*self.feeds, self.status_r, self.stdin_w]
        return [fd for fd in own + [-1 if self.report_r is None else self.report_r] if fd >= 0]


def launch(iso: Isolation, argv: list[str], limits: Limits, stdin: bytes, plan: Plan, *,
           run_dir: str | None = None, host_dir: Path | None = None,
           deadline: float | None = None, memory_rlimit: str = "as") -> Launched:
    """Run argv in the sandbox described by `iso`; every descriptor in `plan` is closed before
    this returns.  run_dir: the run folder's path inside (default: a fresh name); host_dir:
    the run folder without bubblewrap (made and removed by the caller).  deadline:
    time.monotonic() at which the run is killed (default: now + limits.wall_s)."""
    begin = time.monotonic()
    deadline = begin + limits.wall_s if deadline is None else deadline
    feeds = plan.feeds
    plan.feeds = {}
    try:
        started = start(iso, argv, limits, plan, run_dir=run_dir, host_dir=host_dir,
                        memory_rlimit=memory_rlimit)
    except BaseException:
        for fd in feeds:
            with contextlib.suppress(OSError):
                os.close(fd)
        raise
    return finish(started, limits, stdin, feeds, deadline, begin)


def start(iso: Isolation, argv: list[str], limits: Limits, plan: Plan, *,
          run_dir: str | None = None, host_dir: Path | None = None,
          memory_rlimit: str = "as") -> Started:
    """Start the whole process tree of one run (cgroups, the stage, bubblewrap, the launcher's
    init, the program) without feeding it anything: it waits on its input pipes.  The files of
    `plan` are written into host_dir (without bubblewrap) or given to bubblewrap, whose pipes
    `finish` feeds; plan.feeds must be empty (give them to `finish`).  Every descriptor in
    `plan` is closed or owned by the result when this returns."""
    assert not plan.feeds, "start() feeds nothing: give the feeds to finish()"
    groups = make_cgroups(limits.memory_bytes, limits.processes) if (
        iso.memory_cgroup or iso.pids_cgroup) else RunCgroups(None, None, 1)
    status_r, status_w = os.pipe()
    plan.child_fds.append(status_w)
    if run_dir is None:
        run_dir = str(host_dir) if host_dir is not None else run_folder_name()
    stage_dir = None
    proc = None
    try:
        bpf_r = filter_pipe(iso.seccomp_notify) if iso.seccomp else None
        if bpf_r is not None:
            plan.child_fds.append(bpf_r)
        if host_dir is not None:
            for name, data in plan.files.items():
                (host_dir / name).write_bytes(data)
        if iso.unprivileged_uid is not None and iso.namespaces:
            stage_dir = tempfile.mkdtemp(prefix="rsi-stage-")
            os.chmod(stage_dir, 0o755)
        command, extra = _command(iso, argv, limits, plan, run_dir, groups, status_w, bpf_r,
                                  memory_rlimit, stage_dir)
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, pass_fds=[*plan.child_fds, *extra],
                                cwd="/", env=_environment(run_dir), start_new_session=True)
        for fd in [*plan.child_fds, *extra]:
            os.close(fd)
        plan.child_fds = []
        assert proc.stdin is not None
        stdin_w = os.dup(proc.stdin.fileno())
        proc.stdin.close()
    except BaseException:
        if proc is not None:
            _kill_group(proc)
            _reap(proc)
        remove_cgroups(groups)
        if stage_dir is not None:
            remove_tree(Path(stage_dir))
        for fd in [*plan.child_fds, *plan.feeds, status_r] + (
                [] if plan.report_r is None else [plan.report_r]):
            with contextlib.suppress(OSError):
                os.close(fd)
        plan.child_fds, plan.feeds = [], {}
        raise
    feeds, plan.feeds = plan.feeds, {}
    return Started(proc, groups, status_r, stdin_w, plan.report_r, stage_dir, run_dir, feeds,
                   signals_guarded=iso.seccomp)


def finish(started: Started, limits: Limits, stdin: bytes, feeds: dict[int, bytes],
           deadline: float, begin: float) -> Launched:
    """Feed a started tree (its own feeds, `feeds`: write end -> bytes, and the program's
    stdin), read its output under the caps until it ends or `deadline` (time.monotonic())
    passes, then kill what is left and remove its cgroups and stage folder.  Launched.wall_s
    counts from `begin`.  Every descriptor of `started` and `feeds` is closed on return."""
    all_feeds = {**started.feeds, **feeds}
    started.feeds = {}
    if stdin:
        all_feeds[started.stdin_w] = stdin
    else:
        os.close(started.stdin_w)
    started.stdin_w = -1
    proc = started.proc
    assert proc.stdout is not None and proc.stderr is not None
    sinks = {proc.stdout.fileno(): "stdout", proc.stderr.fileno(): "stderr",
             started.status_r: "status"}
    if started.report_r is not None:
        sinks[started.report_r] = "report"
    collected: dict[str, bytearray] = {}
    ended = "done"
    try:
        collected, ended = _pump(proc, all_feeds, sinks, limits, deadline)
        kills = oom_kills(started.groups.memory)
    finally:
        started.feeds = all_feeds
        discard(started)
    wall = time.monotonic() - begin
    status_text = collected["status"].decode("utf-8", "replace")
    exit_code, rss, cpu, error, refused = _parse_status(status_text)
    report = _parse_report_line(status_text)
    if (error is not None or "started" not in status_text.split("\n")) and ended == "done":
        message = error or collected["stderr"].decode("utf-8", "replace")[-300:]
        raise SandboxError(f"the sandbox did not start the program: {message.strip()}")
    if ended != "done" and exit_code is None:
        exit_code = -signal.SIGKILL
    if exit_code is None:  # the supervisor was killed (possible without a PID namespace)
        exit_code = -signal.SIGKILL
    ending = Ending(ended, exit_code, cpu, rss, kills, report=report, refused_syscall=refused,
                    sigxcpu_from_kernel=started.signals_guarded)
    return Launched(bytes(collected["stdout"][: limits.output_bytes]),
                    bytes(collected["stderr"][: limits.output_bytes]),
                    bytes(collected["report"]), ending, wall, bytes(collected["status"]))


def discard(started: Started) -> None:
    """Kill a started tree, remove its cgroups and stage folder, close its descriptors and
    reap it; never raises (a tree that waited too long, or at exit)."""
    proc = started.proc
    _kill_group(proc)
    remove_cgroups(started.groups)
    if started.stage_dir is not None:
        remove_tree(Path(started.stage_dir))
    for fd in started._descriptors():
        with contextlib.suppress(OSError):
            os.close(fd)
    started.feeds, started.stdin_w, started.status_r, started.report_r = {}, -1, -1, None
    _reap(proc)


def _reap(proc: subprocess.Popen) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def probe_launch(iso: Isolation) -> str | None:
    """None when /bin/true runs through the sandbox described by `iso`, else the error."""
    host_dir = None if iso.namespaces else Path(tempfile.mkdtemp(prefix="rsi-probe-"))
    try:
        if host_dir is not None and iso.unprivileged_uid is not None:
            os.chown(host_dir, iso.unprivileged_uid, iso.unprivileged_uid)
        done = launch(iso, ["/bin/true"], Limits(wall_s=10.0), b"", Plan(), host_dir=host_dir)
    except (SandboxError, OSError) as error:
        return str(error)
    finally:
        if host_dir is not None:
            remove_tree(host_dir)
    if done.ending.exit_code != 0:
        return f"/bin/true ended with {done.ending.exit_code}: {done.stderr[-200:]!r}"
    return None


def python_executable() -> str:
    """The real interpreter behind sys.executable (a virtual environment's link resolved)."""
    return os.path.realpath(sys.executable)
