"""The metered JavaScript machine `js-wasm`: Mahoney's P(t) computed exactly for JavaScript.

Mahoney 2008, section Goals: P(t) is the positive natural number printed by P on input t "after
t time steps" of a fixed machine L. Here L is the QuickJS interpreter (version 2021-03-27, from
the `quickjs` source distribution on PyPI, vendored byte for byte in
quickjs/quickjs-1.19.4.tar.gz) compiled once to wasm32-wasi by zig with the driver
quickjs/qjs_main.c, and run by wasmtime exactly as the metered C machine runs a module
(quines_text.machines.c_wasm.run_module): **one step is one unit of wasmtime fuel of the
interpreter**, counted from instantiation to the end of `_start`. The count therefore includes
the interpreter's start-up (the runtime, the context and its built-in objects) and the prelude
(together 2,868,577 units before an empty program ends), and the parse of the program, not only
the program's own work; so P(t) = 0 for every t below that start-up cost. That is the honest
reading of "t steps of a fixed machine": the machine is the interpreter, and nothing is
subtracted. The count depends only on the program and its input (same program and input, same
count, run after run).

I/O is the toolkit's JavaScript convention (the node machine's): the program reads its stdin
with `require('fs').readFileSync(0, 'utf8')` and writes with `process.stdout.write(s)`; a
prelude (quickjs/prelude.js, compiled into the module) provides these, `console.log` with
util.format's specifiers, `print`, `process.exit` and `process.argv`, and nothing else of node
(`require` knows only 'fs', and fs only stdin). The module's own stdin carries a line with the
program's length in bytes, the program, then the program's stdin; it reaches nothing but its
streams and WASI's clock and random source (no folder, no network): Date.now() and
Math.random() work and differ between runs, as on node.

WebAssembly has one floating-point rounding mode, which QuickJS's number formatting needs more
of; quickjs/qjs_wasi.h and the driver supply the directed roundings, so toFixed, toPrecision and
toExponential round exact ties away from zero as ECMA-262 says (a test compares with node).
Known differences from node: recursion is shallow -- QuickJS's limit stops plain JS recursion
about 390 calls deep with a catchable InternalError "stack overflow" (node: a RangeError after
about 13,900 calls), and a path that uses more native stack per level ends in a wasm
stack-overflow trap (status crash); only the prelude's part of node exists.
"""
from __future__ import annotations

import atexit
import contextlib
import fcntl
import functools
import gc
import hashlib
import importlib.metadata
import json
import os
import shutil
import signal
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quines_text import sandbox
from quines_text.machines import outcome_from_run, stdin_for
from quines_text.machines.c_wasm import DEFAULT_STEP_CAP, run_module
from quines_text.machines.c_wasm import _engine as c_wasm_engine
from quines_text.machines.c_wasm import _linker as c_wasm_linker
from quines_text.machines.wasm_build import (
    TARGET,
    prepare,
    require_toolchain,
    toolchain_missing,
    zig_version,
)
from quines_text.run_result import RunResult
from quines_text.sandbox import ToolchainMissing, cache_dir
from rsi.atomic import atomic_path
from rsi.programs import Outcome

STEP_UNIT = "wasmtime fuel unit of the QuickJS interpreter (start-up included)"
SOURCES = Path(__file__).with_name("quickjs")
SDIST = SOURCES / "quickjs-1.19.4.tar.gz"
SDIST_SHA256 = "1205953abc24ff757f4a795304d5d61e4bf1e555c9ef6ec96a132d4b95535484"
UPSTREAM = "quickjs-1.19.4/upstream-quickjs/"
C_FILES = ("qjs_main.c", "quickjs.c", "libregexp.c", "libunicode.c", "cutils.c", "libbf.c")
OWN_FILES = ("qjs_main.c", "qjs_wasi.h", "prelude.js")
FLAGS: tuple[str, ...] = (
    "-O2", "-s", "-w", "-Wno-incompatible-function-pointer-types", "-include", "qjs_wasi.h",
    '-DCONFIG_VERSION="2021-03-27"', "-DCONFIG_BIGNUM", "-D_GNU_SOURCE",
    "-Wl,-z,stack-size=1048576",
)
# measured on 2 shared cores: 25-36 s of CPU for QuickJS alone (zig's WASI libc: wasm_build.prepare)
BUILD_WALL_S = 1800.0


@functools.cache
def _sdist_digest(path: Path, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sources_missing() -> str | None:
    """Why the vendored QuickJS sources cannot be used (None: they can)."""
    if not SDIST.exists() or not all((SOURCES / name).exists() for name in OWN_FILES):
        return f"the QuickJS sources are missing from {SOURCES}"
    stat = SDIST.stat()
    if _sdist_digest(SDIST, stat.st_size, stat.st_mtime_ns) != SDIST_SHA256:
        return f"{SDIST.name} is not the quickjs 1.19.4 sdist (sha256 differs)"
    return None


def js_toolchain_missing() -> str | None:
    """Why js-wasm cannot run here (zig, wasmtime or the vendored sources), or None."""
    return toolchain_missing() or sources_missing()


def _key() -> str:
    digest = hashlib.sha256(f"{zig_version()}\0{TARGET}\0{' '.join(FLAGS)}\0{SDIST_SHA256}\0".encode())
    for name in OWN_FILES:
        digest.update((SOURCES / name).read_bytes())
    return digest.hexdigest()


def module_path() -> Path:
    """Where the compiled interpreter lives in the cache (it may not be built yet)."""
    return cache_dir() / "js-wasm" / f"qjs-{_key()[:32]}.wasm"


def built_module() -> Path | None:
    """The compiled interpreter if it is in the cache, else None (nothing is built)."""
    if js_toolchain_missing() is not None:
        return None
    path = module_path()
    return path if path.exists() else None


@contextlib.contextmanager
def _build_lock(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second builder waits, then finds the module
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _extract(work: Path) -> None:
    with tarfile.open(SDIST) as archive:
        for member in archive.getmembers():
            name = member.name.removeprefix(UPSTREAM)
            if member.isfile() and name != member.name and "/" not in name:
                data = archive.extractfile(member)
                if data is not None:
                    (work / name).write_bytes(data.read())
    for name in OWN_FILES:
        shutil.copyfile(SOURCES / name, work / name)
    (work / "qjs_prelude.h").write_text(c_string_definition("PRELUDE_JS", (SOURCES / "prelude.js").read_text()))


def c_string_definition(name: str, text: str) -> str:
    """`static const char name[] = "...";` holding `text` line by line (printable ASCII, tab and
    newline, whose JSON escapes are C's)."""
    if not all(c in "\n\t" or " " <= c <= "~" for c in text):
        raise ValueError(f"{name}: the text must be printable ASCII, tabs and newlines")
    lines = text.splitlines(keepends=True)
    quoted = [json.dumps(line) for line in lines]
    return f"static const char {name}[] =\n" + "\n".join(f"    {q}" for q in quoted or ['""']) + ";\n"


def build_interpreter() -> Path:
    """Compile QuickJS and the driver to a wasm32-wasi module once and cache it by the hash of
    zig's version, the flags, the sdist and the driver; later calls return the cached path.
    The sources are the toolkit's own (hash-checked), so zig runs as a plain subprocess in its
    own session with a private global cache (a copy of wasm_build's prepared cache, so zig's
    WASI libc is built once for both machines) that is removed afterwards."""
    zig = require_toolchain()
    missing = sources_missing()
    if missing is not None:
        raise ToolchainMissing(f"{missing}: the js-wasm machine needs them")
    path = module_path()
    if path.exists():
        return path
    with _build_lock(path.parent):
        if path.exists():
            return path
        with tempfile.TemporaryDirectory(prefix="rsi-qjs-") as temporary:
            work = Path(temporary)
            _extract(work)
            # zig's WASI libc comes from the cache the c-wasm machine prepared (built there once)
            shutil.copytree(prepare(), work / "zig-global", symlinks=True)
            env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": temporary, "TMPDIR": temporary,
                   "LANG": "C.UTF-8", "ZIG_GLOBAL_CACHE_DIR": str(work / "zig-global"),
                   "ZIG_LOCAL_CACHE_DIR": str(work / "zig-local")}
            argv = [str(zig), "cc", f"--target={TARGET}", *FLAGS, "-o", "qjs.wasm", *C_FILES]
            proc = subprocess.Popen(argv, cwd=work, env=env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
            try:
                _, stderr = proc.communicate(timeout=BUILD_WALL_S)
            except subprocess.TimeoutExpired:
                stderr = f"the QuickJS build took more than {BUILD_WALL_S:.0f} s".encode()
            finally:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            built = work / "qjs.wasm"
            if proc.returncode != 0 or not built.exists():
                message = stderr.decode("utf-8", "replace").strip().splitlines()
                raise ToolchainMissing(f"zig could not build QuickJS for {TARGET}: "
                                       f"{message[-1] if message else 'no message'}")
            with atomic_path(path, create_parents=True) as target:
                shutil.copyfile(built, target)
    return path


def framed_stdin(source: str, stdin: bytes) -> bytes:
    """The module's stdin: the program's length in bytes, a newline, the program, its stdin."""
    code = source.encode("utf-8")
    return f"{len(code)}\n".encode() + code + stdin


def _interpreter() -> Any:
    """The compiled interpreter as a wasmtime InstancePre, one per process and module."""
    return _native(str(build_interpreter()))


@functools.cache
def _native(path: str) -> Any:
    """Cranelift takes seconds to compile the 0.8 MB interpreter (5.8 s measured under load),
    so its machine code is kept beside the module (`.cwasm`, wasmtime's serialized form, about
    3 MB) and loaded in a millisecond.  wasmtime refuses a file made by another version or
    engine configuration; then the module is compiled afresh and the file replaced.  Like the
    module itself, the file is trusted as the user's own cache."""
    import wasmtime

    engine = c_wasm_engine()
    native = Path(path).with_suffix(f".wasmtime-{importlib.metadata.version('wasmtime')}.cwasm")
    module = None
    if native.exists():
        with contextlib.suppress(wasmtime.WasmtimeError):
            module = wasmtime.Module.deserialize_file(engine, str(native))
    if module is None:
        module = wasmtime.Module.from_file(engine, path)
        with atomic_path(native) as temporary:
            Path(temporary).write_bytes(module.serialize())
    atexit.register(_drop_native)  # registered after c_wasm's shut-down, so it runs before it
    return c_wasm_linker().instantiate_pre(module)


def _drop_native() -> None:
    """Free the InstancePres while wasmtime is still loaded (else their finalizers fail at exit)."""
    _native.cache_clear()
    gc.collect()


@dataclass(frozen=True)
class JsWasmMachine:
    """JavaScript on QuickJS on WebAssembly with exact fuel counts (module docstring).
    run(..., step_budget=None) runs with c_wasm.DEFAULT_STEP_CAP; value(source, t) runs on
    input t with a budget of t steps; values(source, horizon) is P(0..horizon), one fresh
    instance of the one compiled interpreter per t."""

    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    name: str = "js-wasm"
    metered: bool = True
    step_unit: str = STEP_UNIT
    in_process: bool = True  # wasmtime runs the interpreter here

    def run(self, source: str, stdin: bytes = b"", step_budget: int | None = None) -> RunResult:
        budget = DEFAULT_STEP_CAP if step_budget is None else step_budget
        if budget < 0:
            raise ValueError(f"step_budget must be >= 0, got {budget}")
        require_toolchain()  # ToolchainMissing naming zig or wasmtime, even for a cached module
        return run_module(_interpreter(), framed_stdin(source, stdin), budget, self.limits)

    def value(self, source: str, t: int) -> Outcome:
        if t < 0:
            raise ValueError(f"P(t) needs t >= 0, got t={t}")
        return outcome_from_run(self.run(source, stdin_for(t), t))

    def values(self, source: str, horizon: int) -> list[Outcome]:
        """P(0), ..., P(horizon), each exactly what value(source, t) gives."""
        if horizon < 0:
            raise ValueError(f"horizon must be >= 0, got {horizon}")
        return [self.value(source, t) for t in range(horizon + 1)]


MACHINES = {"js-wasm": JsWasmMachine()}

if __name__ == "__main__":  # python -m quines_text.machines.js_wasm: build (or find) the interpreter
    print(build_interpreter())
