"""Limits of a run, the sandbox's errors, and how the host decides a run's status.

DESIGN.md "Runner".  The status of a run is decided here, by the host, from facts the kernel
gives it: how the program's process ended (exit code, or the signal that killed it), the CPU
time the kernel accounted to it, the memory cgroup's OOM-kill counter, and the host's own
clock and output counters.  What the program prints plays no part: a program that writes
"out of memory" gets `crash`, one that sends itself SIGXCPU `forbidden` (or `crash` without the
seccomp filter).

Status of a run (RunResult.status):
- ok: the program ended with exit code 0.
- timeout: the host's wall clock passed limits.wall_s, or the kernel's CPU limit ended the
  program: SIGXCPU at the soft limit where the seccomp filter refuses every self-sent SIGXCPU
  (so only the kernel can send it); otherwise SIGXCPU, or SIGKILL at the hard limit, with at
  least 90 % of the soft limit of CPU time in rusage.
- step_limit: the metered Python machine's budget ran out (quines_text._opmeter).
- memory: the run's memory cgroup OOM-killed a process of the run; or Python's allocator
  failed (MemoryError, reported by the child); or, without a memory cgroup, a death after the
  peak resident size reached 80 % of the limit.
- output_limit: stdout passed limits.output_bytes (counted by the host's reader).
- crash: any other signal or non-zero exit code.
- compile_error: a Python SyntaxError (or a null byte in the source), or gcc refused the C text.
- forbidden: the seccomp filter refused a syscall of the run (the kernel notified the
  launcher: quines_text.sandbox.seccomp), or the Python audit hook refused an operation
  (quines_text._sandbox_child).

step_limit, forbidden (by the audit hook), compile_error and Python's memory are known only to
the Python child's meter: it tells them to the host through the report call, a syscall that
the seccomp filter turns into a notification for the launcher, which accepts one, only from
the Python process itself, and writes it to its status pipe, which the program never holds
(quines_text/_launcher.c).  Only where the kernel has no seccomp notifications does the child
write a token-carrying line to a report pipe instead.  Either way a report counts only when
the exit code the kernel gives agrees with it.
"""
from __future__ import annotations

import math
import os
import shutil
import signal
from dataclasses import asdict, dataclass
from pathlib import Path

from quines_text.languages import LANGUAGES, SANDBOX_LANGS, LanguageNames
from rsi.records import JsonRecord

# The languages the sandbox runs, and the file name of a program in each (prog + its first
# extension): read from the one registry, quines_text.languages.
LANGS: LanguageNames = SANDBOX_LANGS
SOURCE_NAMES: dict[str, str] = {lang.name: "prog" + lang.extensions[0]
                                for lang in LANGUAGES.values() if lang.sandbox_lang == lang.name}
MEMORY_EVIDENCE = 0.8  # without a memory cgroup: peak RSS fraction that makes a death "memory"
CPU_SLACK = 0.9  # fraction of the CPU limit the kernel's accounting must show for "timeout"
REPORT_CAP = 4096  # bytes of the Python report pipe and of the launcher's status pipe kept
# statuses that only the Python child's meter and audit hook can know
REPORTED_STATUSES = frozenset({"step_limit", "forbidden", "compile_error", "memory"})


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the program): e.g. the launcher could not be built."""


class ToolchainMissing(SandboxError):
    """A tool the sandbox needs is not installed (gcc for the launcher and C, node for JS)."""


def require_tool(tool: str, needed_for: str) -> None:
    """ToolchainMissing naming `tool` unless it is on PATH."""
    if shutil.which(tool) is None:
        raise ToolchainMissing(f"{tool} is not installed: {needed_for} needs it")


def cache_dir() -> Path:
    """The toolkit's cache folder: $XDG_CACHE_HOME/rsi-toolkit or ~/.cache/rsi-toolkit."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rsi-toolkit"


@dataclass(frozen=True)
class Limits(JsonRecord):
    """Resource limits of one run.  wall_s: wall-clock seconds (the C compile counts);
    cpu_s: CPU seconds (soft rlimit; the hard one is a second later); memory_bytes: memory of
    the whole run (memory cgroup; address-space rlimit per process without one); output_bytes:
    stdout cap; processes: processes and threads of the whole run (pids cgroup); file_bytes:
    largest file it may write; open_files: file descriptors; disk_bytes and inodes: size and
    inode count of the run folder's tmpfs."""

    wall_s: float = 10.0
    cpu_s: float = 10.0
    memory_bytes: int = 512 * 2**20
    output_bytes: int = 2**20
    processes: int = 32
    file_bytes: int = 16 * 2**20
    open_files: int = 64
    disk_bytes: int = 64 * 2**20
    inodes: int = 4096

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not value > 0:
                raise ValueError(f"Limits.{name} must be positive, got {value!r}")

    def to_dict(self) -> dict:
        return asdict(self)



COMPILE_LIMITS = Limits(wall_s=60.0, cpu_s=30.0, memory_bytes=2**30, output_bytes=2**20,
                        processes=32, file_bytes=64 * 2**20, open_files=256,
                        disk_bytes=256 * 2**20)


@dataclass(frozen=True)
class Ending:
    """How one launch ended, as the host saw it.  ended: "done", "timeout" (the host's clock)
    or "output_limit" (the host's reader); exit_code: the code, or -signal; cpu_s and
    max_rss_bytes: the kernel's accounting of the program; oom_kills: OOM kills in the run's
    memory cgroup (None without one); report: (status, steps, exit code) of the Python child's
    report, None without one; refused_syscall: the first syscall the seccomp filter refused
    (the kernel's notification to the launcher), None when there was none;
    sigxcpu_from_kernel: the seccomp filter refused every way the program has to send SIGXCPU
    (quines_text.sandbox.seccomp), so a death by SIGXCPU is the kernel's CPU limit."""

    ended: str
    exit_code: int | None
    cpu_s: float
    max_rss_bytes: int
    oom_kills: int | None
    report: tuple[str, int | None, int] | None = None
    refused_syscall: int | None = None
    sigxcpu_from_kernel: bool = False


def status_of(ending: Ending, limits: Limits) -> str:
    """The status of a run from the kernel's and the host's facts (module docstring)."""
    if ending.refused_syscall is not None:
        return "forbidden"
    if ending.ended != "done":
        return ending.ended
    if ending.oom_kills:
        return "memory"
    code = ending.exit_code
    if code == -signal.SIGXCPU and ending.sigxcpu_from_kernel:
        return "timeout"
    # the kernel checks RLIMIT_CPU on its own (tick-sampled) clock, which on a loaded machine
    # can run well ahead of rusage's exact time; without the filter's guard this is the evidence
    cpu_limited = ending.cpu_s >= CPU_SLACK * math.ceil(limits.cpu_s)
    if code in (-signal.SIGXCPU, -signal.SIGKILL) and cpu_limited:
        return "timeout"
    report = ending.report
    if report is not None and code is not None and code >= 0 and code == report[2]:
        status = report[0]
        if status in REPORTED_STATUSES:
            return status
    if code == 0:
        return "ok"
    if ending.oom_kills is None and ending.max_rss_bytes >= MEMORY_EVIDENCE * limits.memory_bytes:
        return "memory"
    return "crash"
