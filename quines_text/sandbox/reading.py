"""Reading a started process tree's pipes under caps, and its status lines (DESIGN.md "Runner").

`_pump` feeds a run's input pipes and reads its output pipes (quines_text.sandbox.launch) with
the caps enforced by the host, and kills the process group at the deadline or when stdout
passes its cap; `_parse_status` and `_parse_report_line` read the launcher's status pipe
(quines_text/_launcher.c).
"""
from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time

from quines_text.run_result import STATUSES

from .limits import REPORT_CAP, Limits

# bytes of the launcher's status pipe kept: a few lines, and with init -E one report line per
# process (a warm evaluator's launch of up to 2000 children)
STATUS_CAP = 64 * REPORT_CAP

DRAIN_S = 0.5  # how long to read the pipes once the program has ended or been killed


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)


def _pump(proc: subprocess.Popen, feeds: dict[int, bytes], sinks: dict[int, str],
          limits: Limits, deadline: float) -> tuple[dict[str, bytearray], str]:
    """Feed the input pipes and read the output pipes until they close, the deadline passes or
    stdout passes its cap; kill the process group in the last two cases."""
    collected = {name: bytearray() for name in ("stdout", "stderr", "status", "report")}
    caps = {"stdout": limits.output_bytes + 1, "stderr": limits.output_bytes,
            "status": STATUS_CAP, "report": REPORT_CAP}
    selector = selectors.DefaultSelector()
    for fd in feeds:
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_WRITE)
    for fd in sinks:
        selector.register(fd, selectors.EVENT_READ)
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
                room = caps[name] - len(buffer)
                if room > 0:
                    buffer += chunk[:room]
                if name == "stdout" and len(buffer) > limits.output_bytes and ended == "done":
                    ended = "output_limit"
                    _kill_group(proc)
                    stop_at = time.monotonic() + DRAIN_S
    finally:
        selector.close()
    return collected, ended


def _parse_status(text: str) -> tuple[int | None, int, float, str | None, int | None]:
    """The launcher's status lines -> (exit code or -signal, peak RSS bytes, CPU s, error,
    first refused syscall)."""
    exit_code, rss, cpu, refused = None, 0, 0.0, None
    for line in text.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "error":
            return None, 0, 0.0, rest, refused
        fields = rest.split()
        if kind == "forbidden" and len(fields) == 1 and fields[0].isdigit():
            refused = int(fields[0])
        if kind in ("exit", "signal") and len(fields) == 3 and all(f.isdigit() for f in fields):
            code = int(fields[0])
            exit_code = code if kind == "exit" else -code
            rss, cpu = int(fields[1]) * 1024, int(fields[2]) / 1000
    return exit_code, rss, cpu, None, refused


def _parse_report_line(text: str) -> tuple[str, int | None, int] | None:
    """The report call the launcher saw ("report STATUS_INDEX STEPS EXIT") -> (status, steps,
    exit code); None without one."""
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[0] == "report":
            try:
                index, steps, code = (int(f) for f in fields[1:])
            except ValueError:
                return None
            if 0 <= index < len(STATUSES):
                return STATUSES[index], (None if steps < 0 else steps), code
    return None
