"""The three languages of the sandbox: python, c (gcc) and js (node) (DESIGN.md "Runner").

`expose_source=True` writes the source into the run folder (prog.py / prog.c / prog.js) and runs
it from there; `expose_source=False` leaves no copy the program can reach: Python and node read
it from a pipe that is closed before the program starts, and C is compiled in a separate run.
C is compiled once per source text, inside the sandbox and under the run's wall clock: binaries
are cached under `cache_dir()/c` by sha256 of compiler version, flags and source; `gcc -O1 -w`
first, then `-std=gnu89` when the first attempt fails (gcc >= 14 rejects the implicit
declarations of K&R-style programs such as Mahoney's Example 6); `compile_c` reports which flags
were used.

The Python child (quines_text/_sandbox_child.py) is started as `python -P -S -s -c STUB FD`:
the stub reads the bootstrap and its settings (a marshal'ed dict) from the control pipe FD.
Extra files for it (`extra_files`, e.g. a module the evaluator imports) are created in the run
folder (the child starts with -P -S: `sys.path.insert(0, ".")` to import them); `argv`
becomes the program's sys.argv[1:].  By default the child's whole process tree is started
ahead of the run and waits at that pipe (quines_text.sandbox.prestart: RSI_SANDBOX_PRESTART=0
turns it off); the child then writes the run folder's files itself, byte-exact and 0644 as
bubblewrap's --file would, before anything of the program runs.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import marshal
import os
import secrets
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from quines_text.run_result import STATUSES, RunResult
from rsi.records import JsonRecord

from . import prestart
from .cgroups import remove_tree
from .launch import (
    Launched,
    Plan,
    Started,
    discard,
    finish,
    launch,
    python_executable,
    run_folder_name,
    start,
)
from .layers import Isolation, _atomic_copy, isolation
from .limits import (
    COMPILE_LIMITS,
    SOURCE_NAMES,
    Ending,
    Limits,
    SandboxError,
    ToolchainMissing,
    cache_dir,
    require_tool,
    status_of,
)
from .seccomp import REPORT_MAGIC, REPORT_SYSCALL

C_FLAGS: tuple[str, ...] = ("-O1", "-w")
C_FALLBACK_FLAGS: tuple[str, ...] = ("-O1", "-w", "-std=gnu89")
BOOT = Path(__file__).parent.parent / "_sandbox_child.py"

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


@dataclass(frozen=True)
class CBuild(JsonRecord):
    """A compiled C program: binary path in the cache (None when gcc refused the text or ran
    out of time), the flags that worked (or were tried last), gcc's messages, whether it came
    from the cache, and whether the compile ran out of the wall clock."""

    binary: Path | None
    flags: tuple[str, ...]
    stderr: bytes
    cached: bool
    timed_out: bool = False

    def to_dict(self) -> dict:
        return {"binary": str(self.binary) if self.binary else None, "flags": list(self.flags),
                "stderr": self.stderr.decode("utf-8", "replace"), "cached": self.cached,
                "timed_out": self.timed_out}


def _run_folder(iso: Isolation | None = None) -> tuple[str, Path | None]:
    """(the run folder's path inside the sandbox, the host folder behind it or None)."""
    iso = iso or isolation()
    if iso.namespaces:
        return run_folder_name(), None
    host_dir = Path(os.path.realpath(tempfile.mkdtemp(prefix="rsi-run-")))
    if iso.unprivileged_uid is not None:
        os.chown(host_dir, iso.unprivileged_uid, iso.unprivileged_uid)
    return str(host_dir), host_dir


def _sandboxed(argv: list[str], limits: Limits, stdin: bytes, plan: Plan, *,
               deadline: float | None = None, memory_rlimit: str = "as",
               folder: tuple[str, Path | None] | None = None,
               ready: Started | None = None) -> Launched:
    """launch() with the host's isolation; without bubblewrap in a host folder of its own.
    ready: a pre-started tree (quines_text.sandbox.prestart) for argv and `folder`, fed
    plan.feeds and stdin from now on (the files of `plan` are written into a host folder
    here; with bubblewrap the child writes them)."""
    run_dir, host_dir = folder or _run_folder()
    prestart.note(ready is not None)
    try:
        if ready is not None:
            begin = time.monotonic()
            feeds, plan.feeds = plan.feeds, {}
            try:
                for name, data in plan.files.items():
                    assert host_dir is not None  # with bubblewrap the child writes them
                    (host_dir / name).write_bytes(data)
            except BaseException:
                discard(ready)
                for fd in feeds:
                    os.close(fd)
                raise
            return finish(ready, limits, stdin, feeds,
                          begin + limits.wall_s if deadline is None else deadline, begin)
        return launch(isolation(), argv, limits, stdin, plan, run_dir=run_dir,
                      host_dir=host_dir, deadline=deadline, memory_rlimit=memory_rlimit)
    finally:
        if host_dir is not None:
            remove_tree(host_dir)


def _result(launched: Launched, limits: Limits, steps: int | None = None) -> RunResult:
    return RunResult(status_of(launched.ending, limits), launched.stdout,  # type: ignore[arg-type]
                     launched.stderr, launched.ending.exit_code, steps, launched.wall_s)


@functools.cache
def _python_boot() -> bytes:
    return marshal.dumps(compile(BOOT.read_text(), str(BOOT), "exec"))


@functools.cache
def _python_paths() -> tuple[tuple[str, ...], tuple[str, ...], str, str]:
    """(read roots, prefixes not metered, folder of the _opmeter extension, its file)."""
    _opmeter = importlib.import_module("quines_text._opmeter")
    installs = {os.path.realpath(p) for p in
                (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    boot = str(BOOT)  # tracebacks quote it
    reads = tuple(sorted(installs)) + (boot, "/dev/null", "/dev/urandom", "/dev/random",
                                       "/dev/zero")
    stdlib = {os.path.realpath(sysconfig.get_path(k)) for k in ("stdlib", "platstdlib")}
    excluded = tuple(sorted(stdlib)) + ("<frozen ", boot)
    extension = os.path.realpath(str(_opmeter.__file__))
    return reads, excluded, str(Path(extension).parent), extension


def parse_report(report: bytes, token: str) -> tuple[str, int | None, int] | None:
    """(status, steps, exit code) from the child's report line carrying `token`, or None;
    lines that do not parse are ignored."""
    for line in report.decode("utf-8", "replace").splitlines():
        fields = line.split(" ", 4)
        if len(fields) < 4 or fields[0] != token:
            continue
        try:
            steps = None if fields[2] == "-" else int(fields[2])
            return fields[1], steps, int(fields[3])
        except ValueError:
            continue
    return None


@dataclass
class PythonTree:
    """A Python child's process tree started ahead of its program (quines_text.sandbox.prestart):
    the command, the run folder, the control pipe's write end and the descriptor numbers the
    child holds (control pipe, report pipe or -1)."""

    started: Started
    command: list[str]
    folder: tuple[str, Path | None]
    control_w: int
    control_fd: int
    report_fd: int

    def alive(self) -> bool:
        return self.started.alive()

    def pid(self) -> int:
        return self.started.proc.pid

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.control_w)
        discard(self.started)
        if self.folder[1] is not None:
            remove_tree(self.folder[1])

    def close_in_child(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.control_w)
        self.started.close_in_child()


def _python_plan(iso: Isolation, files: dict[str, bytes]) -> tuple[Plan, list[str], int, int, int]:
    """(plan, command, control pipe's write end, its read end, report pipe's write end or -1)
    of a Python child; the plan binds the installation, the bootstrap and the extension."""
    _, _, _, extension = _python_paths()
    plan = Plan(files=files, report_call=True)
    report_w = -1
    if not iso.seccomp_notify:
        plan.report_r, report_w = os.pipe()
        plan.child_fds.append(report_w)
    control_r, control_w = os.pipe()
    plan.child_fds.append(control_r)
    installs = sorted({os.path.realpath(p) for p in (sys.base_prefix, sys.base_exec_prefix)})
    plan.binds += [*installs, str(BOOT), extension]
    command = [python_executable(), "-P", "-S", "-s", "-c", PYTHON_STUB, str(control_r)]
    return plan, command, control_w, control_r, report_w


def _python_tree(iso: Isolation, limits: Limits) -> PythonTree:
    """Start a Python child that waits for its settings (the pool's factory)."""
    plan, command, control_w, control_r, report_w = _python_plan(iso, {})
    folder = _run_folder(iso)
    try:
        started = start(iso, command, limits, plan, run_dir=folder[0], host_dir=folder[1])
    except BaseException:
        os.close(control_w)
        if folder[1] is not None:
            remove_tree(folder[1])
        raise
    return PythonTree(started, command, folder, control_w, control_r, report_w)


def run_python(source: bytes, stdin: bytes, limits: Limits, expose: bool, meter: bool,
               budget: int | None, *, extra_files: dict[str, bytes] | None = None,
               argv: list[str] | None = None) -> RunResult:
    reads, excluded, ext_dir, _ = _python_paths()
    files = dict(extra_files or {})
    if expose:
        files[SOURCE_NAMES["python"]] = source
    iso = isolation()
    tree = None
    if prestart.enabled():
        found = prestart.take((iso, limits), functools.partial(_python_tree, iso, limits))
        assert found is None or isinstance(found, PythonTree)
        tree = found
    # the report call (quines_text/_launcher.c, answer()): syscall(nr, magic, index of the
    # status in STATUSES, steps or -1, exit code), then _exit(exit code); a seccomp
    # notification that only the launcher sees.  With it there is no report pipe at all;
    # without notifications the child writes a token-carrying line to a pipe instead.
    report_call = [REPORT_SYSCALL, REPORT_MAGIC] if iso.seccomp_notify else None
    token = secrets.token_hex(16)
    child_files: dict[str, bytes] = {}  # written by the child: a pre-started bubblewrap tree
    if tree is None:
        plan, command, control_w, control_r, report_w = _python_plan(iso, files)
        folder = _run_folder(iso)
    else:
        plan = Plan(files=files if tree.folder[1] is not None else {}, report_call=True)
        plan.report_r = tree.started.report_r
        command, folder, control_w = tree.command, tree.folder, tree.control_w
        control_r, report_w = tree.control_fd, tree.report_fd
        child_files = files if tree.folder[1] is None else {}
    run_dir = folder[0]
    config = {
        "boot": marshal.loads(_python_boot()), "source": source,
        "filename": SOURCE_NAMES["python"] if expose else "<prog>",
        "token": token.encode(), "budget": -1 if budget is None else budget, "meter": meter,
        "excluded": list(excluded), "ext_dir": ext_dir, "run_dir": run_dir,
        "read_roots": [run_dir, *reads], "report_fd": report_w, "control_fd": control_r,
        "argv": list(argv or []), "report_call": report_call, "statuses": list(STATUSES),
        "files": child_files,
    }
    try:
        plan.feeds[control_w] = marshal.dumps(config)
    except BaseException:
        if tree is not None:  # taken: nobody else will kill it
            tree.discard()
        raise
    launched = _sandboxed(command, limits, stdin, plan, folder=folder,
                          ready=None if tree is None else tree.started)
    # with the report call only the launcher's record of it counts (launched.report is empty:
    # there is no pipe); the token-checked pipe only where the kernel has no notifications
    report = (launched.ending.report if report_call is not None
              else parse_report(launched.report, token))
    ending = replace(launched.ending, report=report)
    steps = report[1] if (report and meter) else None
    return _result(replace(launched, ending=ending), limits, steps)


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


def compile_c(source: str | bytes, limits: Limits = COMPILE_LIMITS,
              deadline: float | None = None) -> CBuild:
    """Compile C source once (inside the sandbox, under `limits` and the wall clock that ends
    at `deadline`, time.monotonic(); default now + limits.wall_s) and cache the binary by
    sha256 of gcc's version, the flags and the source.  `gcc -O1 -w` first; when that fails
    (gcc >= 14 rejects the implicit declarations of K&R-style programs), `-std=gnu89`; the
    result records which flags worked.  binary None: gcc refused both (stderr is its message
    for the first attempt) or the wall clock ran out (timed_out)."""
    data = source.encode() if isinstance(source, str) else source
    folder = cache_dir() / "c"
    for flags in (C_FLAGS, C_FALLBACK_FLAGS):
        binary = folder / _c_key(data, flags)
        if binary.exists():
            return CBuild(binary, flags, b"", True)
    deadline = time.monotonic() + limits.wall_s if deadline is None else deadline
    stderr = b""
    for flags in (C_FLAGS, C_FALLBACK_FLAGS):
        out = Path(os.path.realpath(tempfile.mkdtemp(prefix="rsi-cc-")))
        try:
            uid = isolation().unprivileged_uid
            if uid is not None:
                os.chown(out, uid, uid)
            inside = "/tmp/rsi-cc-out" if isolation().namespaces else str(out)
            plan = Plan(files={"prog.c": data}, writable={str(out): inside})
            argv = ["gcc", *flags, "-o", f"{inside}/prog", "prog.c"]
            launched = _sandboxed(argv, limits, b"", plan, deadline=deadline)
            stderr = stderr or launched.stderr
            if launched.ending.ended == "timeout":
                return CBuild(None, flags, stderr, False, timed_out=True)
            if launched.ending.exit_code == 0 and (out / "prog").is_file():
                binary = folder / _c_key(data, flags)
                _atomic_copy(out / "prog", binary)
                os.chmod(binary, 0o755)
                return CBuild(binary, flags, stderr, False)
        finally:
            remove_tree(out)
    return CBuild(None, flags, stderr, False)


def run_c(source: bytes, stdin: bytes, limits: Limits, expose: bool) -> RunResult:
    start = time.monotonic()
    deadline = start + limits.wall_s
    compile_limits = replace(limits, output_bytes=max(limits.output_bytes, 2**20),
                             memory_bytes=max(limits.memory_bytes, 512 * 2**20),
                             file_bytes=max(limits.file_bytes, 64 * 2**20),
                             disk_bytes=max(limits.disk_bytes, 256 * 2**20),
                             open_files=max(limits.open_files, 256))
    build = compile_c(source, compile_limits, deadline)
    if build.timed_out:
        ending = Ending("timeout", -9, 0.0, 0, None)
        return RunResult(status_of(ending, limits), b"", build.stderr,  # type: ignore[arg-type]
                         None, None, time.monotonic() - start)
    if build.binary is None:
        return RunResult("compile_error", b"", build.stderr, None, None,
                         time.monotonic() - start)
    if time.monotonic() >= deadline:
        return RunResult("timeout", b"", b"", None, None, time.monotonic() - start)
    plan = Plan(binds=[str(build.binary)])
    if expose:
        plan.files[SOURCE_NAMES["c"]] = source
    launched = _sandboxed([str(build.binary)], limits, stdin, plan, deadline=deadline)
    return _result(replace(launched, wall_s=time.monotonic() - start), limits)


def run_js(source: bytes, stdin: bytes, limits: Limits, expose: bool) -> RunResult:
    require_tool("node", "the js language")
    cgroup = isolation().memory_cgroup
    # with a memory cgroup the kernel's OOM kill (a fact the host reads) must come before V8's
    # own heap limit (a message the program could print); without one, V8's limit applies
    heap_mib = max(8, limits.memory_bytes // 2**20) * (4 if cgroup else 1)
    argv = ["node", f"--max-old-space-size={heap_mib}", "--stack-size=984"]
    plan = Plan()
    if expose:
        plan.files[SOURCE_NAMES["js"]] = source
        argv.append(SOURCE_NAMES["js"])
    else:
        argv += ["-e", NODE_STUB, str(plan.pipe_to_child(source))]
    launched = _sandboxed(argv, limits, stdin, plan, memory_rlimit="none" if cgroup else "data")
    return _result(launched, limits)


__all__ = ["C_FALLBACK_FLAGS", "C_FLAGS", "CBuild", "SandboxError", "compile_c",
           "parse_report", "run_c", "run_js", "run_python"]
