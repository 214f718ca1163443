"""The warm evaluator's host side: one metered Python program on many inputs t, each with
budget t, in one sandbox launch (Mahoney 2008, section Goals: P(t) for t = 0..T).

`run_python_batch(source, ts, limits)` starts quines_text/_sandbox_evaluator.py in the same
sandbox, with the same rlimits and settings, as quines_text.sandbox.languages.run_python
starts the one-shot bootstrap, for at most CHUNK values of t per launch; there a zygote forks
one child per t and each child runs the program through the one-shot bootstrap's own code
(see that file).  With seccomp notifications the meter's report is the one-shot run's report
call, which the launcher accepts once per process and writes with the pid the kernel gives to
its status pipe, out of every sandboxed process's reach (init -E); the host pairs it with the
pid and wait status the zygote read (waitpid).  A child's result is taken only when it is
unremarkable: the wait status agrees with the meter's report (status ok, crash, step_limit,
compile_error or forbidden), stdout stayed under its cap and the run ended within the wall
clock.  Every other t -- a signal, a memory failure, a wall or output limit, a report the program
disturbed, a changed run folder (later t would not see a fresh one), a listing of the
interpreter's objects (gc), a refused syscall anywhere in the launch, and without a memory
cgroup every crash (the host calls a death near the memory limit "memory" by the peak RSS,
which a child does not report) -- is run again in a process of its own (run_python), so
each result is the one the one-process-per-t path gives.  What a program could still tell
apart, and which no test program does: values that depend on the interpreter's allocation
history (id(), gc.get_count(), sys.getrefcount of shared objects), the descriptor numbers
it inherits, and without seccomp notifications the report pipe's descriptor.
"""
from __future__ import annotations

import marshal
import os
import sys
from dataclasses import replace
from pathlib import Path

from quines_text.run_result import STATUSES, RunResult

from .languages import (
    BOOT,
    PYTHON_STUB,
    _python_boot,
    _python_paths,
    _run_folder,
    _sandboxed,
    run_python,
)
from .layers import isolation
from .limits import SOURCE_NAMES, Limits
from .seccomp import REPORT_MAGIC, REPORT_SYSCALL

EVALUATOR = Path(__file__).parent.parent / "_sandbox_evaluator.py"
BATCH_OUTPUT_CAP = 32 * 2**20  # stdout of one batch; past it the remaining t are rerun
CHUNK = 2000  # runs per launch at most (fewer when limits.cpu_s is small)


def _evaluator_code() -> object:
    return compile(EVALUATOR.read_text(), str(EVALUATOR), "exec")


ACCEPTED = ("ok", "crash", "step_limit", "compile_error", "forbidden")


def _launcher_reports(status: bytes) -> dict[int, tuple[str, int | None, int]]:
    """pid -> (status, steps, exit code) from the launcher's "report PID STATUS_INDEX STEPS
    EXIT" lines (init -E: each process's first report call)."""
    reports = {}
    for line in status.decode("ascii", "replace").splitlines():
        fields = line.split()
        if len(fields) != 5 or fields[0] != "report":
            continue
        try:
            pid, index, steps, code = (int(f) for f in fields[1:])
        except ValueError:
            continue
        if 0 <= index < len(STATUSES):
            reports[pid] = (STATUSES[index], None if steps < 0 else steps, code)
    return reports


def _checked(report: tuple[str, int | None, int] | None,
             wait_status: int) -> tuple[str, int | None, int] | None:
    """The launcher's report of a child when its wait status (the zygote's waitpid) agrees
    with it and it is a status a process of its own would end with; else None (rerun)."""
    if (report is None or not os.WIFEXITED(wait_status)
            or os.WEXITSTATUS(wait_status) != report[2] or report[0] not in ACCEPTED
            or (report[0] == "ok") != (report[2] == 0)):
        return None
    return report


def _parse(stdout: bytes, reports: dict[int, tuple[str, int | None, int]] | None = None
           ) -> dict[int, RunResult | None]:
    """t -> the child's result, or None (rerun) from the evaluator's records; `reports`: the
    launcher's reports by pid, for the "W" records."""
    results: dict[int, RunResult | None] = {}
    at = 0
    while at < len(stdout):
        end = stdout.find(b"\n", at)
        if end < 0:
            break
        fields = stdout[at:end].decode("ascii", "replace").split(" ")
        at = end + 1
        if fields[0] == "U" and len(fields) == 2:
            results[int(fields[1])] = None
            continue
        if fields[0] == "W" and len(fields) == 6:
            t, pid, wait_status, n_out, n_err = (int(f) for f in fields[1:])
            if at + n_out + n_err > len(stdout):
                break
            out, err = stdout[at: at + n_out], stdout[at + n_out: at + n_out + n_err]
            at += n_out + n_err
            report = _checked((reports or {}).get(pid), wait_status)
            results[t] = (None if report is None else
                          RunResult(report[0], out, err, report[2], report[1], 0.0))  # type: ignore[arg-type]
            continue
        if fields[0] != "R" or len(fields) != 7 or fields[2] not in STATUSES:
            break
        t, steps, code, n_out, n_err = (int(fields[1]), None if fields[3] == "-"
                                        else int(fields[3]), int(fields[4]),
                                        int(fields[5]), int(fields[6]))
        if at + n_out + n_err > len(stdout):
            break  # cut short: the batch was killed while writing it
        out, err = stdout[at: at + n_out], stdout[at + n_out: at + n_out + n_err]
        at += n_out + n_err
        results[t] = RunResult(fields[2], out, err, code, steps, 0.0)  # type: ignore[arg-type]
    return results


def _launch_batch(source: bytes, ts: list[int], limits: Limits,
                  expose: bool) -> dict[int, RunResult | None]:
    reads, excluded, ext_dir, extension = _python_paths()
    control_r, control_w = os.pipe()
    from .launch import Plan

    notify = isolation().seccomp_notify
    # with notifications each child's meter makes the report call, which the launcher takes
    # once per process (init -E) and writes with its pid: nothing in the sandbox can forge it
    plan = Plan(files={SOURCE_NAMES["python"]: source} if expose else {}, report_each=notify)
    plan.child_fds.append(control_r)
    folder = _run_folder()
    run_dir = folder[0]
    child = {
        "source": source, "filename": SOURCE_NAMES["python"] if expose else "<prog>",
        "meter": True, "excluded": list(excluded), "ext_dir": ext_dir, "run_dir": run_dir,
        "read_roots": [run_dir, *reads], "argv": [], "statuses": list(STATUSES),
        "report_call": [REPORT_SYSCALL, REPORT_MAGIC] if notify else None,
    }
    config = {
        "boot": _evaluator_code(), "child_boot": marshal.loads(_python_boot()), "child": child,
        "ts": list(ts), "control_fd": control_r,
        "batch_limits": [limits.output_bytes, limits.wall_s, BATCH_OUTPUT_CAP],
    }
    plan.feeds[control_w] = marshal.dumps(config)
    installs = sorted({os.path.realpath(p) for p in (sys.base_prefix, sys.base_exec_prefix)})
    plan.binds += [*installs, str(BOOT), extension]
    # the same rlimits as a process per t (each child inherits them; the zygote's and the
    # supervisor's CPU time stay small with CHUNK runs a launch); the host's wall clock is a
    # safety net, each child has its own
    batch_limits = replace(limits, wall_s=3 * limits.wall_s + 0.2 * len(ts),
                           output_bytes=BATCH_OUTPUT_CAP + 2 * limits.output_bytes + 2**16)
    command = [os.path.realpath(sys.executable), "-P", "-S", "-s", "-c", PYTHON_STUB,
               str(control_r)]
    launched = _sandboxed(command, batch_limits, b"", plan, folder=folder)
    if launched.ending.refused_syscall is not None:
        return {}  # some child made a refused call: which one is unknown, so all are rerun
    return _parse(launched.stdout, _launcher_reports(launched.status))


def run_python_batch(source: str | bytes, ts: list[int], limits: Limits | None = None, *,
                     expose_source: bool = True) -> list[RunResult]:
    """The metered runs of `source` on input t with budget t for each t in `ts` (each t >= 0),
    equal to run_python(source, b"t\\n", limits, expose_source, True, t) for each t."""
    if any(t < 0 for t in ts):
        raise ValueError("run_python_batch needs every t >= 0")
    limits = Limits() if limits is None else limits
    data = source.encode() if isinstance(source, str) else bytes(source)
    found: dict[int, RunResult | None] = {}
    chunk = max(20, min(CHUNK, int(200 * limits.cpu_s)))
    for at in range(0, len(ts), chunk):
        found.update(_launch_batch(data, list(ts[at: at + chunk]), limits, expose_source))
    if not isolation().memory_cgroup:
        # without a memory cgroup a death near the memory limit is "memory" by the peak RSS,
        # which a child does not report: every crash is run again in a process of its own
        found = {t: (None if r is not None and r.status == "crash" else r)
                 for t, r in found.items()}
    results = []
    for t in ts:
        result = found.get(t)
        if result is None:
            result = run_python(data, f"{t}\n".encode(), limits, expose_source, True, t)
        results.append(result)
    return results


__all__ = ["EVALUATOR", "run_python_batch"]
