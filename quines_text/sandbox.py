"""The sandboxed runner: run a program text in python, c (gcc) or js (node) under limits.

DESIGN.md "Runner" and issue 3 item 6.  `run(source, lang, stdin, limits)` -> RunResult.

Every run gets a fresh temporary run folder as its working directory (removed afterwards), a
scrubbed environment (PATH=/usr/local/bin:/usr/bin:/bin, HOME and TMPDIR = the run folder,
LANG=C.UTF-8, PYTHONHASHSEED=0) and its own session.  The program is started by a small C
launcher (quines_text/_launcher.c, compiled once into the cache folder) which, where the kernel
allows it (root here), puts the run into fresh network, mount, PID, IPC and UTS namespaces:
no network but a loopback that is down, every mount read-only except the run folder, a private
/proc, and the program as a child of the namespace's init, so every process of the run dies
when the program ends (a daemonised grandchild included).  It sets the rlimits (CPU with the
soft limit one second below the hard one so SIGXCPU is recognisable, address space -- data
segment for node, whose heap reservations are address space it never uses -- processes (for a
user other than root: on top of the tasks the user already has), file size, open files, no core
files) and drops every capability, so even a root program cannot
remount or raise its limits.  Where a pids cgroup (v1) is writable, the run joins a fresh one
whose pids.max binds root too (RLIMIT_NPROC does not).  `isolation()` says what was achieved.
The parent reads stdout incrementally, kills the whole process group (and cgroup) at the
output cap or the wall-clock limit.

Status of a run (RunResult.status):
- ok: the program ended with exit code 0.
- timeout: the wall-clock limit passed, or the CPU limit (SIGXCPU, or SIGKILL at the hard one).
- step_limit: the metered Python machine's budget ran out (quines_text._opmeter).
- memory: Python raised MemoryError; node reported that it ran out of memory; or a C/JS
  program died (signal or non-zero exit) after its peak resident size reached 80 % of the
  memory limit (malloc returns NULL under the address-space limit, and most programs then
  crash: the best evidence available without instrumenting them).
- output_limit: stdout exceeded limits.output_bytes (stdout is cut there).
- crash: ended by a signal, by a non-zero exit code, or (Python) by an uncaught exception.
- compile_error: a Python SyntaxError (or a null byte in the source), or gcc refused the C text
  (RunResult.stderr holds the compiler's message).
- forbidden: the Python audit hook refused an operation (see quines_text/_sandbox_child.py);
  the run ends at once, so the refusal cannot be caught.
C and JS programs have no audit hook: there the namespaces, the read-only filesystem and the
dropped capabilities are the protection (reads outside the run folder are not refused).

`expose_source=True` writes the source into the run folder (prog.py / prog.c / prog.js) and runs
it from there; `expose_source=False` leaves no copy the program can reach: Python and node read
it from a pipe that is closed before the program starts, and C is compiled in a separate folder.
C is compiled once per source text: binaries are cached under `cache_dir()/c` by sha256 of
compiler version, flags and source; `gcc -O1 -w` first, then `-std=gnu89` when the first attempt
fails (gcc >= 14 rejects the implicit declarations of K&R-style programs such as Mahoney's
Example 6; gcc 12 accepts them under -w); `compile_c` reports which flags were used.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import marshal
import math
import os
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from quines_text.run_result import STATUSES, RunResult
from rsi.atomic import atomic_path

LANGS: tuple[str, ...] = ("python", "c", "js")
SOURCE_NAMES = {"python": "prog.py", "c": "prog.c", "js": "prog.js"}
BASE_PATH = "/usr/local/bin:/usr/bin:/bin"
C_FLAGS: tuple[str, ...] = ("-O1", "-w")
C_FALLBACK_FLAGS: tuple[str, ...] = ("-O1", "-w", "-std=gnu89")
PIDS_CGROUP_ROOT = Path("/sys/fs/cgroup/pids")
MEMORY_EVIDENCE = 0.8  # peak RSS as a fraction of the memory limit that makes a crash "memory"
DRAIN_S = 0.5  # how long to wait for the pipes to close once the program has ended

# The -c program of the Python child: read the bootstrap and its settings from the control
# pipe and run it, keeping no name that refers to them.
PYTHON_STUB = (
    "import marshal,os,sys;"
    "exec(*(lambda c:(c['boot'],{'__name__':'__rsi_boot__','CONFIG':c}))(marshal.loads("
    "b''.join(iter(lambda f=int(sys.argv[1]):os.read(f,1<<20),b'')))))"
)
# The -e program of node for expose_source=False: read the program from the pipe, close it, run
# it as the main CommonJS module would be run.
NODE_STUB = (
    "const fs=require('fs'),fd=Number(process.argv[1]);"
    "const src=fs.readFileSync(fd,'utf8');fs.closeSync(fd);"
    "process.argv.splice(1,1);"
    "const M=require('module'),m=new M('prog.js',null);"
    "m.filename=process.cwd()+'/prog.js';m.paths=[];"
    "m._compile(src,m.filename);"
)


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the program): e.g. the launcher could not be built."""


class ToolchainMissing(SandboxError):
    """A tool the sandbox needs is not installed (gcc for the launcher and C, node for JS)."""


def require_tool(tool: str, needed_for: str) -> None:
    """ToolchainMissing naming `tool` unless it is on PATH."""
    if shutil.which(tool) is None:
        raise ToolchainMissing(f"{tool} is not installed: {needed_for} needs it")


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run.  wall_s: wall-clock seconds; cpu_s: CPU seconds (soft rlimit;
    the hard one is a second later); memory_bytes: address space (data segment for node);
    output_bytes: stdout cap; processes: processes and threads of the run; file_bytes: largest
    file it may write; open_files: file descriptors."""

    wall_s: float = 10.0
    cpu_s: float = 10.0
    memory_bytes: int = 512 * 2**20
    output_bytes: int = 2**20
    processes: int = 32
    file_bytes: int = 16 * 2**20
    open_files: int = 64

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not value > 0:
                raise ValueError(f"Limits.{name} must be positive, got {value!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


COMPILE_LIMITS = Limits(wall_s=60.0, cpu_s=30.0, memory_bytes=2**30, output_bytes=2**20,
                        processes=32, file_bytes=64 * 2**20, open_files=256)


@dataclass(frozen=True)
class Isolation:
    """What the sandbox achieves on this host.  namespaces: network, mount, PID, IPC and UTS
    namespaces with a read-only filesystem and no capabilities; pids_cgroup: the process limit
    also binds root.  note: what is missing, in words."""

    namespaces: bool
    pids_cgroup: bool
    note: str

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


@dataclass(frozen=True)
class CBuild:
    """A compiled C program: binary path in the cache (None when gcc refused the text), the
    flags that worked (or were tried last), gcc's messages, and whether it came from the cache."""

    binary: Path | None
    flags: tuple[str, ...]
    stderr: bytes
    cached: bool

    def to_dict(self) -> dict:
        return {"binary": str(self.binary) if self.binary else None, "flags": list(self.flags),
                "stderr": self.stderr.decode("utf-8", "replace"), "cached": self.cached}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


def cache_dir() -> Path:
    """The toolkit's cache folder: $XDG_CACHE_HOME/rsi-toolkit or ~/.cache/rsi-toolkit."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rsi-toolkit"


def _atomic_copy(source: Path, target: Path) -> None:
    with atomic_path(target, create_parents=True) as temporary:
        shutil.copy2(source, temporary)  # keeps the source's mode (an executable stays one)


@functools.cache
def launcher_path() -> Path:
    """The launcher binary, compiled from quines_text/_launcher.c on first use (cached)."""
    source = Path(__file__).with_name("_launcher.c")
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


@functools.cache
def isolation() -> Isolation:
    """Probe once what this host allows (namespaces, pids cgroup) and remember it."""
    notes = []
    cgroup_ok = _pids_cgroup_available()
    if not cgroup_ok:
        notes.append("no writable pids cgroup: the process limit is RLIMIT_NPROC only "
                     "(ignored for root)")
    namespaces_ok = _launch_probe(isolate=True)
    if not namespaces_ok:
        notes.append("namespaces unavailable (needs root or user namespaces): the network is "
                     "reachable, the filesystem is protected by permissions and the Python "
                     "audit hook only, and a process that leaves the session may survive")
    return Isolation(namespaces_ok, cgroup_ok, "; ".join(notes) or "full isolation")


def _pids_cgroup_available() -> bool:
    try:
        probe = PIDS_CGROUP_ROOT / f"rsi-probe-{os.getpid()}"
        probe.mkdir()
        probe.rmdir()
        return True
    except OSError:
        return False


def _launch_probe(isolate: bool) -> bool:
    with tempfile.TemporaryDirectory(prefix="rsi-probe-") as folder:
        outcome = _launch(["/bin/true"], Path(folder), Limits(wall_s=10.0), b"",
                          isolate=isolate, cgroup=False)
    return outcome.launcher_error is None and outcome.exit_code == 0


@dataclass(frozen=True)
class _Launched:
    """What one launch produced, before it is turned into a RunResult."""

    stdout: bytes
    stderr: bytes
    report: bytes
    ended: str  # "done", "timeout" or "output_limit"
    exit_code: int | None  # negative: killed by that signal
    max_rss_bytes: int
    cpu_s: float
    launcher_error: str | None
    wall_s: float


def _environment(run_dir: Path) -> dict[str, str]:
    return {"PATH": BASE_PATH, "HOME": str(run_dir), "TMPDIR": str(run_dir),
            "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"}


def _tasks_of_this_user() -> int:
    """Processes and threads owned by this user now (RLIMIT_NPROC counts all of them)."""
    uid, count = str(os.getuid()), 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if fields.get("Uid", "").split()[:1] == [uid]:
                count += int(fields.get("Threads", "1"))
    return count


def _limit_spec(limits: Limits, memory_rlimit: str) -> str:
    cpu_soft = max(1, math.ceil(limits.cpu_s))
    memory = limits.memory_bytes
    address_space, data = (memory, 0) if memory_rlimit == "as" else (0, memory)
    # RLIMIT_NPROC counts every task of the user (and binds no one for root): for other users
    # the run may add `processes` to what they already have
    processes = limits.processes if os.getuid() == 0 else _tasks_of_this_user() + limits.processes
    return ",".join(str(v) for v in (cpu_soft, cpu_soft + 1, address_space, data,
                                     processes, limits.file_bytes, limits.open_files))


def _make_cgroup(limits: Limits) -> Path | None:
    folder = PIDS_CGROUP_ROOT / f"rsi-{os.getpid()}-{secrets.token_hex(6)}"
    try:
        folder.mkdir()
        # + 2: the launcher and the namespace's init
        (folder / "pids.max").write_text(f"{limits.processes + 2}\n")
    except OSError:
        return None
    return folder


def _remove_cgroup(folder: Path) -> None:
    for _ in range(200):
        try:
            pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
        except OSError:
            pids = []
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.005)


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _pipe_to_child(data: bytes, feeds: dict[int, bytes], child_fds: list[int]) -> int:
    """A pipe whose read end the child inherits and whose write end is fed `data`."""
    read_end, write_end = os.pipe()
    feeds[write_end] = data
    child_fds.append(read_end)
    return read_end


def _launch(argv: list[str], run_dir: Path, limits: Limits, stdin: bytes, *,
            isolate: bool | None = None, cgroup: bool | None = None,
            memory_rlimit: str = "as", feeds: dict[int, bytes] | None = None,
            child_fds: list[int] | None = None, report_r: int | None = None) -> _Launched:
    """Run argv through the launcher in run_dir.  feeds: write ends of pipes -> bytes to feed;
    child_fds: descriptors the child inherits (closed here once it has started); report_r: the
    read end of the Python report pipe.  All descriptors given are closed before returning."""
    if isolate is None:
        isolate = isolation().namespaces
    if cgroup is None:
        cgroup = isolation().pids_cgroup
    feeds = dict(feeds or {})
    child_fds = list(child_fds or [])
    group = _make_cgroup(limits) if cgroup else None
    status_r, status_w = os.pipe()
    child_fds.append(status_w)
    command = [str(launcher_path())]
    if isolate:
        command.append("-i")
    if group is not None:
        command += ["-g", str(group / "cgroup.procs")]
    command += ["-s", str(status_w), "-d", str(run_dir), "-r", _limit_spec(limits, memory_rlimit),
                "--", *argv]
    start = time.monotonic()
    proc = None
    try:
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, pass_fds=child_fds, cwd=run_dir,
                                env=_environment(run_dir), start_new_session=True)
        for fd in child_fds:
            os.close(fd)
        child_fds = []
        if stdin:
            feeds[os.dup(proc.stdin.fileno())] = stdin
        proc.stdin.close()
        sinks = {proc.stdout.fileno(): "stdout", proc.stderr.fileno(): "stderr",
                 status_r: "status"}
        if report_r is not None:
            sinks[report_r] = "report"
        collected, ended = _pump(proc, feeds, sinks, limits, start)
        proc.wait()
    finally:
        if proc is not None:
            _kill_group(proc)
        if group is not None:
            _remove_cgroup(group)
        own = [*child_fds, *feeds, status_r] + ([report_r] if report_r is not None else [])
        for fd in own:
            with contextlib.suppress(OSError):
                os.close(fd)
        if proc is not None:
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                stream.close()
    wall = time.monotonic() - start
    exit_code, rss, cpu, error = _parse_status(collected["status"].decode("utf-8", "replace"))
    if ended != "done" and exit_code is None:
        exit_code = -signal.SIGKILL
    return _Launched(bytes(collected["stdout"][: limits.output_bytes]), bytes(collected["stderr"]),
                     bytes(collected["report"]), ended, exit_code, rss, cpu, error, wall)


def _pump(proc: subprocess.Popen, feeds: dict[int, bytes], sinks: dict[int, str],
          limits: Limits, start: float) -> tuple[dict[str, bytearray], str]:
    """Feed the input pipes and read the output pipes until they close, the wall-clock limit
    passes or stdout passes its cap; kill the process group in the last two cases."""
    collected = {name: bytearray() for name in ("stdout", "stderr", "status", "report")}
    selector = selectors.DefaultSelector()
    for fd in feeds:
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_WRITE)
    for fd in sinks:
        selector.register(fd, selectors.EVENT_READ)
    deadline = start + limits.wall_s
    ended = "done"
    stop_at = None  # once set: stop reading at this time (after a kill, or the program's end)
    try:
        while selector.get_map():
            now = time.monotonic()
            if stop_at is not None and now >= stop_at:
                break
            if stop_at is None and now >= deadline:
                ended = "timeout"
                _kill_group(proc)
                stop_at = now + DRAIN_S
                continue
            timeout = (stop_at if stop_at is not None else deadline) - now
            for key, _ in selector.select(timeout):
                fd = key.fd
                if fd in feeds:
                    try:
                        sent = os.write(fd, feeds[fd][:65536])
                        feeds[fd] = feeds[fd][sent:]
                    except BlockingIOError:
                        continue
                    except BrokenPipeError:  # the program does not read all of its input
                        feeds[fd] = b""
                    if not feeds[fd]:
                        selector.unregister(fd)
                        os.close(fd)
                        feeds.pop(fd)
                    continue
                chunk = os.read(fd, 65536)
                name = sinks[fd]
                if not chunk:
                    selector.unregister(fd)
                    if name == "status" and stop_at is None:
                        stop_at = time.monotonic() + DRAIN_S  # launcher done: drain, then stop
                    continue
                buffer = collected[name]
                if name == "stderr" and len(buffer) >= limits.output_bytes:
                    continue
                buffer += chunk
                if name == "stdout" and len(buffer) > limits.output_bytes and ended == "done":
                    ended = "output_limit"
                    _kill_group(proc)
                    stop_at = time.monotonic() + DRAIN_S
    finally:
        selector.close()
    return collected, ended


def _parse_status(text: str) -> tuple[int | None, int, float, str | None]:
    """The launcher's status line -> (exit code or -signal, peak RSS bytes, CPU s, error)."""
    exit_code, rss, cpu = None, 0, 0.0
    for line in text.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "error":
            return None, 0, 0.0, rest
        fields = rest.split()
        if kind in ("exit", "signal") and len(fields) == 3:
            code = int(fields[0])
            exit_code = code if kind == "exit" else -code
            rss, cpu = int(fields[1]) * 1024, int(fields[2]) / 1000
    return exit_code, rss, cpu, None


def _status_of(launched: _Launched, limits: Limits) -> str:
    """The status of a run whose program left no Python report (see the module docstring)."""
    if launched.ended != "done":
        return launched.ended
    code = launched.exit_code
    if code == 0:
        return "ok"
    if code == -signal.SIGXCPU:  # the soft CPU limit
        return "timeout"
    if code == -signal.SIGKILL and launched.cpu_s >= math.ceil(limits.cpu_s):  # the hard one
        return "timeout"
    if b"out of memory" in launched.stderr.lower():
        return "memory"
    if launched.max_rss_bytes >= MEMORY_EVIDENCE * limits.memory_bytes:
        return "memory"
    return "crash"


def _result(launched: _Launched, limits: Limits, status: str | None = None,
            steps: int | None = None) -> RunResult:
    if launched.launcher_error is not None:
        raise SandboxError(f"the sandbox launcher failed: {launched.launcher_error}")
    return RunResult(status or _status_of(launched, limits), bytes(launched.stdout),
                     bytes(launched.stderr), launched.exit_code, steps, launched.wall_s)


@functools.cache
def _python_boot() -> bytes:
    path = Path(__file__).with_name("_sandbox_child.py")
    return marshal.dumps(compile(path.read_text(), str(path), "exec"))


@functools.cache
def _python_paths() -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """(read roots, prefixes not metered, folder of the _opmeter extension)."""
    from quines_text import _opmeter

    installs = {os.path.realpath(p) for p in
                (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    boot = str(Path(__file__).with_name("_sandbox_child.py"))  # tracebacks quote it
    reads = tuple(sorted(installs)) + (boot, "/dev/null", "/dev/urandom", "/dev/random",
                                       "/dev/zero")
    stdlib = {os.path.realpath(sysconfig.get_path(k)) for k in ("stdlib", "platstdlib")}
    excluded = tuple(sorted(stdlib)) + ("<frozen ", boot)
    return reads, excluded, str(Path(_opmeter.__file__).parent)




def _run_python(source: bytes, stdin: bytes, limits: Limits, run_dir: Path, expose: bool,
                meter: bool, budget: int | None) -> RunResult:
    reads, excluded, ext_dir = _python_paths()
    if expose:
        (run_dir / SOURCE_NAMES["python"]).write_bytes(source)
    token = secrets.token_hex(16)
    feeds: dict[int, bytes] = {}
    child_fds: list[int] = []
    report_r, report_w = os.pipe()
    child_fds.append(report_w)
    control_r, control_w = os.pipe()
    child_fds.append(control_r)
    config = {
        "boot": marshal.loads(_python_boot()), "source": source,
        "filename": SOURCE_NAMES["python"] if expose else "<prog>",
        "token": token.encode(), "budget": -1 if budget is None else budget, "meter": meter,
        "excluded": list(excluded), "ext_dir": ext_dir, "run_dir": str(run_dir),
        "read_roots": [str(run_dir), *reads], "report_fd": report_w, "control_fd": control_r,
    }
    feeds[control_w] = marshal.dumps(config)
    argv = [sys.executable, "-P", "-S", "-s", "-c", PYTHON_STUB, str(control_r)]
    launched = _launch(argv, run_dir, limits, stdin, feeds=feeds, child_fds=child_fds,
                       report_r=report_r)
    status, steps = None, None
    for line in launched.report.decode("utf-8", "replace").splitlines():
        fields = line.split(" ", 4)
        if len(fields) >= 4 and fields[0] == token:
            status, steps = fields[1], (None if fields[2] == "-" else int(fields[2]))
            break
    if launched.ended != "done" or status not in STATUSES:
        status = None  # decided from how the process ended
    return _result(launched, limits, status, steps if meter else None)


def _c_key(source: bytes, flags: tuple[str, ...]) -> str:
    return hashlib.sha256(_gcc_version() + b"\0" + " ".join(flags).encode() + b"\0"
                          + source).hexdigest()


@functools.cache
def _gcc_version() -> bytes:
    try:
        return subprocess.run(["gcc", "-dumpfullversion"], capture_output=True,
                              timeout=30).stdout.strip()
    except FileNotFoundError:
        raise ToolchainMissing("gcc is not installed: the c language needs it") from None


def compile_c(source: str | bytes) -> CBuild:
    """Compile C source once (inside the sandbox, in a folder of its own) and cache the binary
    by sha256 of gcc's version, the flags and the source.  `gcc -O1 -w` first; when that fails
    (gcc >= 14 rejects the implicit declarations of K&R-style programs), `-std=gnu89`; the
    result records which flags worked.  binary None: gcc refused both; stderr is its message
    for the first attempt."""
    data = source.encode() if isinstance(source, str) else source
    folder = cache_dir() / "c"
    for flags in (C_FLAGS, C_FALLBACK_FLAGS):
        binary = folder / _c_key(data, flags)
        if binary.exists():
            return CBuild(binary, flags, b"", True)
    stderr = b""
    for flags in (C_FLAGS, C_FALLBACK_FLAGS):
        with tempfile.TemporaryDirectory(prefix="rsi-cc-") as work:
            work_dir = Path(work)
            (work_dir / "prog.c").write_bytes(data)
            launched = _launch(["gcc", *flags, "-o", "prog", "prog.c"], work_dir,
                               COMPILE_LIMITS, b"")
            if launched.launcher_error is not None:
                raise SandboxError(f"cannot run gcc: {launched.launcher_error}")
            stderr = stderr or launched.stderr
            if launched.exit_code == 0 and (work_dir / "prog").exists():
                binary = folder / _c_key(data, flags)
                _atomic_copy(work_dir / "prog", binary)
                return CBuild(binary, flags, stderr, False)
    return CBuild(None, flags, stderr, False)


def _run_c(source: bytes, stdin: bytes, limits: Limits, run_dir: Path,
           expose: bool) -> RunResult:
    build = compile_c(source)
    if build.binary is None:
        return RunResult("compile_error", b"", build.stderr, None, None, 0.0)
    if expose:
        (run_dir / SOURCE_NAMES["c"]).write_bytes(source)
    return _result(_launch([str(build.binary)], run_dir, limits, stdin), limits)


def _run_js(source: bytes, stdin: bytes, limits: Limits, run_dir: Path,
            expose: bool) -> RunResult:
    require_tool("node", "the js language")
    heap_mib = max(8, limits.memory_bytes // 2**20)
    argv = ["node", f"--max-old-space-size={heap_mib}", "--stack-size=984"]
    feeds: dict[int, bytes] = {}
    child_fds: list[int] = []
    if expose:
        (run_dir / SOURCE_NAMES["js"]).write_bytes(source)
        argv.append(SOURCE_NAMES["js"])
    else:
        argv += ["-e", NODE_STUB, str(_pipe_to_child(source, feeds, child_fds))]
    launched = _launch(argv, run_dir, limits, stdin, memory_rlimit="data", feeds=feeds,
                       child_fds=child_fds)
    return _result(launched, limits)


def run(source: str | bytes, lang: str, stdin: bytes = b"", limits: Limits = Limits(), *,
        expose_source: bool = True, meter: bool = False,
        step_budget: int | None = None) -> RunResult:
    """Run `source` in `lang` ("python", "c" or "js") on `stdin` under `limits`; see the module
    docstring for the statuses.  Python only: `meter=True` counts executed bytecode instructions
    of the program (RunResult.steps) and `step_budget` stops it with status step_limit once
    that many have run (quines_text._opmeter)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; the sandbox runs {', '.join(LANGS)}")
    if (meter or step_budget is not None) and lang != "python":
        raise ValueError(f"only python is metered, not {lang!r}")
    if step_budget is not None and step_budget < 0:
        raise ValueError(f"step_budget must be >= 0, got {step_budget}")
    data = source.encode() if isinstance(source, str) else bytes(source)
    run_dir = Path(os.path.realpath(tempfile.mkdtemp(prefix="rsi-run-")))
    try:
        if lang == "python":
            return _run_python(data, stdin, limits, run_dir, expose_source,
                               meter or step_budget is not None, step_budget)
        if lang == "c":
            return _run_c(data, stdin, limits, run_dir, expose_source)
        return _run_js(data, stdin, limits, run_dir, expose_source)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
