"""The metered C machine `c-wasm`: Mahoney's P(t) computed exactly for C programs.

Mahoney 2008, section Goals: P(t) is the positive natural number printed by P on input t
"after t time steps" of a fixed machine L, else 0; Example 6 picks C for L.  Here L is C
compiled to wasm32-wasi by zig (quines_text.machines.wasm_build, once per source text, inside
the sandbox and under the machine's `limits.wall_s`; a compile past it is a timeout) and run
in this process by wasmtime with fuel metering: **one step is one unit of wasmtime fuel**, by
wasmtime's default costs one executed WebAssembly instruction (nop, drop, block, loop, end,
else and unreachable cost nothing), counted from instantiation to the end of `_start`, the
module's libc start-up included; the WASI calls themselves (read, write) cost nothing.  The
count depends only on the module and its input: the same program and input give the same count
on every run.

The module can reach nothing but its streams: stdin is served from memory by the machine's own
WASI fd_read, stdout and stderr are captured, there is no preopened folder, no argument, no
environment variable and no network.
Each run gets a fresh store and instance; its linear memory is capped by `limits.memory_bytes`
(memory.grow fails beyond it, so malloc returns NULL), stdout by `limits.output_bytes` (stderr
is cut there too, without a status), wall
time by `limits.wall_s` (epoch interruption).  Statuses: ok (exit 0), step_limit (the budget
ran out), timeout (the wall clock), memory (a trap or non-zero exit once the memory reached 80 %
of the limit), output_limit, crash (any other trap, e.g. out-of-bounds or stack overflow, or a
non-zero exit), compile_error (RunResult.stderr is the compiler's message).

Exactness: wasmtime checks the fuel only at function entries and loop headers, so a run may
end normally having used a few units more than it had.  When a run ends with no fuel left the
machine runs it once more with `OVERDRAFT_CHECK` extra units and reads the true count, so a
program that needs t + 1 steps is a step_limit at budget t, never ok.
"""
from __future__ import annotations

import atexit
import errno
import functools
import gc
import struct
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from quines_text import sandbox
from quines_text.machines import outcome_from_run, stdin_for
from quines_text.machines.wasm_build import ZIG_LIMITS, compile_wasm, require_toolchain
from quines_text.run_result import RunResult
from rsi.programs import Outcome

STEP_UNIT = "wasmtime fuel unit (one WebAssembly instruction, default costs)"
DEFAULT_STEP_CAP = 10**10  # budget of a run without one (the successor, t = -1)
OVERDRAFT_CHECK = 10**6  # extra fuel of the re-run that settles a run that ended on 0 fuel
EPOCH_TICK_S = 0.05
MEMORY_EVIDENCE = 0.8
PAGE = 65536


_STOP = threading.Event()


@functools.cache
def _engine() -> Any:
    import wasmtime

    config = wasmtime.Config()
    config.consume_fuel = True
    config.epoch_interruption = True
    engine = wasmtime.Engine(config)
    ticker = threading.Thread(target=_tick, args=(engine,), name="c-wasm-epoch", daemon=True)
    ticker.start()
    atexit.register(_shut_down, ticker)
    return engine


def _tick(engine: Any) -> None:
    while not _STOP.wait(EPOCH_TICK_S):
        engine.increment_epoch()


def _shut_down(ticker: threading.Thread) -> None:
    """Stop the epoch ticker and drop the wasmtime objects before the interpreter goes away
    (a tick during shutdown aborts the process)."""
    _STOP.set()
    ticker.join()
    _module.cache_clear()
    _linker.cache_clear()
    _engine.cache_clear()
    gc.collect()


_INPUT = threading.local()  # the stdin of the run on this thread: bytes `data`, offset `pos`
WASI = "wasi_snapshot_preview1"
ERRNO_BADF, ERRNO_FAULT = 8, 21  # WASI errno values


def _fd_read(caller: Any, fd: int, iovs: int, iovs_len: int, nread: int) -> int:
    """WASI fd_read: stdin served from memory (fd 0); every other descriptor is EBADF."""
    if fd != 0:
        return ERRNO_BADF
    memory = caller.get("memory")
    if memory is None:
        return ERRNO_FAULT
    try:
        vectors = memory.read(caller, iovs, iovs + 8 * iovs_len)
        if len(vectors) != 8 * iovs_len:
            return ERRNO_FAULT
        total = 0
        for buffer, length in struct.iter_unpack("<II", bytes(vectors)):
            chunk = _INPUT.data[_INPUT.pos: _INPUT.pos + length]
            if chunk:
                memory.write(caller, chunk, buffer)
            _INPUT.pos += len(chunk)
            total += len(chunk)
            if len(chunk) < length:
                break
        memory.write(caller, struct.pack("<I", total), nread)
    except IndexError:
        return ERRNO_FAULT
    return 0


@functools.cache
def _linker() -> Any:
    import wasmtime

    linker = wasmtime.Linker(_engine())
    linker.define_wasi()
    linker.allow_shadowing = True
    i32 = wasmtime.ValType.i32()
    linker.define_func(WASI, "fd_read", wasmtime.FuncType([i32] * 4, [i32]), _fd_read, access_caller=True)
    return linker


@functools.lru_cache(maxsize=256)
def _module(path: str) -> Any:
    """The module at `path`, compiled by wasmtime and with its imports resolved (InstancePre)."""
    import wasmtime

    return _linker().instantiate_pre(wasmtime.Module.from_file(_engine(), path))


@dataclass
class _Capture:
    cap: int
    data: bytearray = field(default_factory=bytearray)
    overflow: bool = False

    def write(self, chunk: bytes) -> int:
        room = self.cap - len(self.data)
        if len(chunk) > room:
            self.data += chunk[: max(room, 0)]
            self.overflow = True
            return -errno.EIO
        self.data += chunk
        return len(chunk)


@dataclass(frozen=True)
class _Raw:
    ended: str  # "exit", "fuel", "epoch", "trap"
    exit_code: int | None
    used: int
    stdout: bytes
    stderr: bytes
    overflow: bool
    memory_bytes: int
    detail: str


def _execute(module: Any, stdin: bytes, fuel: int, limits: sandbox.Limits) -> _Raw:
    """One fresh store and instance of `module` (an InstancePre) run to the end of `_start` with `fuel`."""
    import wasmtime

    store = wasmtime.Store(_engine())
    wasi = wasmtime.WasiConfig()
    _INPUT.data, _INPUT.pos = stdin, 0
    try:
        out, err = _Capture(limits.output_bytes), _Capture(limits.output_bytes)
        wasi.stdout_custom = out.write
        wasi.stderr_custom = err.write
        store.set_wasi(wasi)
        store.set_limits(memory_size=limits.memory_bytes)
        store.set_fuel(fuel)
        store.set_epoch_deadline(max(1, int(limits.wall_s / EPOCH_TICK_S) + 1))
        ended, detail, instance = "exit", "", None
        code: int | None = 0
        try:
            instance = module.instantiate(store)
            exports = instance.exports(store)
            exports["_start"](store)
        except wasmtime.ExitTrap as done:
            code = done.code
        except wasmtime.Trap as trap:
            kind = trap.trap_code
            ended = {wasmtime.TrapCode.OUT_OF_FUEL: "fuel",
                     wasmtime.TrapCode.INTERRUPT: "epoch"}.get(kind, "trap") if kind else "trap"
            code, detail = None, str(kind.name if kind else trap.message)
        except wasmtime.WasmtimeError as error:
            lines = [line for line in str(error).splitlines() if line.strip()]
            ended, code, detail = "trap", None, (lines[-1] if lines else "error")[:300]
        memory = 0
        if instance is not None and not (ended == "exit" and code == 0):
            exported = instance.exports(store).get("memory")
            if isinstance(exported, wasmtime.Memory):
                memory = exported.size(store) * PAGE
        used = fuel - store.get_fuel()
    finally:
        _INPUT.data = b""
    return _Raw(ended, code, used, bytes(out.data), bytes(err.data), out.overflow, memory, detail)


def _status(raw: _Raw, limits: sandbox.Limits) -> str:
    if raw.overflow:  # first: a program that goes on after a refused write ends later
        return "output_limit"
    if raw.ended == "fuel":
        return "step_limit"
    if raw.ended == "epoch":
        return "timeout"
    if raw.ended == "exit" and raw.exit_code == 0:
        return "ok"
    if raw.memory_bytes >= MEMORY_EVIDENCE * limits.memory_bytes:
        return "memory"
    return "crash"


def run_module(module: Any, stdin: bytes, budget: int, limits: sandbox.Limits) -> RunResult:
    """Run a compiled module on `stdin` with a budget of exactly `budget` steps (module docstring)."""
    start = time.perf_counter()
    raw = _execute(module, stdin, budget, limits)
    if raw.ended == "exit" and raw.used >= budget:
        # ended on 0 fuel: the count may have gone past the budget between two checks
        settled = _execute(module, stdin, budget + OVERDRAFT_CHECK, limits)
        if settled.ended != "exit" or settled.used > budget:
            raw = _Raw("fuel", None, budget, raw.stdout, raw.stderr, raw.overflow, raw.memory_bytes, "")
    status = _status(raw, limits)
    steps = budget if status == "step_limit" else raw.used
    stderr = raw.stderr if not raw.detail else raw.stderr + f"wasm trap: {raw.detail}\n".encode()
    return RunResult(status, raw.stdout, stderr, raw.exit_code, steps,  # type: ignore[arg-type]
                     time.perf_counter() - start)


@dataclass(frozen=True)
class CWasmMachine:
    """C on WebAssembly with exact fuel counts (see the module docstring).  run(...,
    step_budget=None) runs with DEFAULT_STEP_CAP; value(source, t) runs on input t with a budget
    of t steps; values(source, horizon) is P(0..horizon) from one compiled module."""

    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    name: str = "c-wasm"
    metered: bool = True
    step_unit: str = STEP_UNIT
    in_process: bool = True  # wasmtime runs the module here; the compiler runs in the sandbox

    def _module(self, source: str) -> Any | RunResult:
        require_toolchain()  # ToolchainMissing naming zig or wasmtime, even for a cached module
        build = compile_wasm(source, replace(ZIG_LIMITS, wall_s=self.limits.wall_s))
        if build.timed_out:  # the sandboxed compile ran past its wall clock
            return RunResult("timeout", b"", build.stderr, None, None, 0.0)
        if build.module is None:
            return RunResult("compile_error", b"", build.stderr, None, None, 0.0)
        return _module(str(build.module))

    def run(self, source: str, stdin: bytes = b"", step_budget: int | None = None) -> RunResult:
        budget = DEFAULT_STEP_CAP if step_budget is None else step_budget
        if budget < 0:
            raise ValueError(f"step_budget must be >= 0, got {budget}")
        module = self._module(source)
        if isinstance(module, RunResult):
            return module
        return run_module(module, stdin, budget, self.limits)

    def value(self, source: str, t: int) -> Outcome:
        if t < 0:
            raise ValueError(f"P(t) needs t >= 0, got t={t}")
        return outcome_from_run(self.run(source, stdin_for(t), t))

    def values(self, source: str, horizon: int) -> list[Outcome]:
        """P(0), ..., P(horizon): the module is compiled (or found) once and instantiated afresh
        for every t, so each value is exactly what value(source, t) gives."""
        if horizon < 0:
            raise ValueError(f"horizon must be >= 0, got {horizon}")
        module = self._module(source)
        if isinstance(module, RunResult):
            return [outcome_from_run(module)] * (horizon + 1)
        return [outcome_from_run(run_module(module, stdin_for(t), t, self.limits))
                for t in range(horizon + 1)]


MACHINES = {"c-wasm": CWasmMachine()}
