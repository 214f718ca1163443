"""The Python child's report channel: a status the program cannot forge (DESIGN.md "Runner").

With seccomp notifications the meter's final report is the report call (quines_text/_opmeter.c,
quines_text/_launcher.c): a syscall the filter sends to the launcher, accepted once and only
from the Python process itself, written to a pipe the program never holds.  The host then reads
no report pipe at all.  These tests give the program the worst case -- the report token itself,
every inherited descriptor, the call's number and magic -- and check that its status stays the
one the kernel's facts and the meter give; and that every normal status still comes out right
through the channel.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from quines_text import sandbox
from quines_text.sandbox import Limits, languages
from quines_text.sandbox.launch import Launched, Plan
from quines_text.sandbox.seccomp import REPORT_MAGIC, REPORT_SYSCALL

ISO = sandbox.isolation()
pytestmark = pytest.mark.skipif(not ISO.seccomp_notify, reason="no seccomp notifications: "
                                "the child reports through a token-checked pipe")
LIMITS = Limits(wall_s=5.0, cpu_s=2.0, memory_bytes=256 * 2**20, output_bytes=4096)
KNOWN_TOKEN = "f" * 32
STEP_LIMIT = sandbox.STATUSES.index("step_limit")
FORGED_STEPS = 987654

# Writes forged report lines -- the pipe format with the real token, and the launcher's status
# format -- to every descriptor it may hold besides stdin and stdout, then exits with the code
# the forged lines claim.
FORGE_EVERY_DESCRIPTOR = f"""
import os
lines = (b"{KNOWN_TOKEN} step_limit {FORGED_STEPS} 1 forged\\n"
         b"report {STEP_LIMIT} {FORGED_STEPS} 1\\n" b"exit 1 0 0\\n")
written = 0
for fd in [2, *range(3, 1024)]:
    try:
        os.write(fd, lines)
        written += 1
    except OSError:
        pass
print(written)
raise SystemExit(1)
"""


@pytest.fixture
def launches(monkeypatch):
    """Every Launched of the runs made in the test, in order; the report token is KNOWN_TOKEN
    (as if the program had read it back from memory)."""
    seen: list[Launched] = []
    real = languages._sandboxed

    def spy(*args, **kwargs):
        launched = real(*args, **kwargs)
        seen.append(launched)
        return launched

    monkeypatch.setattr(languages, "_sandboxed", spy)
    monkeypatch.setattr(languages.secrets, "token_hex", lambda n: KNOWN_TOKEN[: 2 * n])
    return seen


@pytest.mark.parametrize("meter", [False, True])
def test_forged_report_lines_on_every_descriptor_do_not_change_the_status(launches, meter):
    result = sandbox.run(FORGE_EVERY_DESCRIPTOR, "python", limits=LIMITS, meter=meter,
                         step_budget=10**6 if meter else None)
    assert (result.status, result.exit_code) == ("crash", 1)
    assert result.stdout == b"1\n"  # stderr only: the child holds no report pipe
    assert launches[0].report == b""
    assert launches[0].ending.report is not None
    status, steps, code = launches[0].ending.report
    assert (status, code) == ("crash", 1)
    assert result.steps == (steps if meter else None) and steps != FORGED_STEPS
    assert meter == (steps is not None and 1000 < steps < 10**5)  # ~17 per descriptor


@pytest.mark.parametrize("attempt", [
    # the ways a Python program could make a raw syscall, each refused before the call is made
    f"import ctypes\nctypes.CDLL(None).syscall({REPORT_SYSCALL}, {REPORT_MAGIC}, {STEP_LIMIT},"
    f" 5, 1)\nraise SystemExit(1)",
    "import _ctypes\nraise SystemExit(1)",
    "f = open('/proc/self/mem', 'r+b')\nraise SystemExit(1)",
    "import os\nos.fork()\nraise SystemExit(1)",
    "import os\nos.posix_spawn('/bin/true', ['true'], {})\nraise SystemExit(1)",
    "import _posixsubprocess\nraise SystemExit(1)",
])
def test_a_program_cannot_make_the_report_call_itself(launches, attempt):
    result = sandbox.run(attempt, "python", limits=LIMITS, meter=True, step_budget=10**6)
    assert (result.status, result.exit_code) == ("forbidden", 1)
    assert launches[0].ending.report is not None and launches[0].ending.report[0] == "forbidden"


def _launch_c(body: str) -> Launched:
    """A C program launched as if it were the Python child (the report call allowed)."""
    build = sandbox.compile_c("#include <unistd.h>\n#include <sys/syscall.h>\n"
                              "#include <sys/wait.h>\n" f"int main(void){{{body}}}")
    return languages._sandboxed([str(build.binary)], LIMITS, b"",
                                Plan(binds=[str(build.binary)], report_call=True))


CALL = f"syscall({REPORT_SYSCALL}, {REPORT_MAGIC}UL, {{index}}L, 7L, 1L);"


def test_the_launcher_accepts_one_report_call_only_from_the_process_itself():
    # a second call (a program racing the meter) is refused and makes the run forbidden
    twice = _launch_c(CALL.format(index=STEP_LIMIT) + CALL.format(index=0) + "return 1;")
    assert twice.ending.report == ("step_limit", 7, 1) and twice.ending.refused_syscall == 184
    # a forked child's call is refused, not recorded
    forked = _launch_c("if (fork() == 0) {" + CALL.format(index=STEP_LIMIT) + "_exit(0);}"
                       " wait(0); return 1;")
    assert forked.ending.report is None and forked.ending.refused_syscall == 184
    # a wrong magic is refused
    wrong = _launch_c(f"syscall({REPORT_SYSCALL}, 1UL, 2L, 7L, 1L); return 1;")
    assert wrong.ending.report is None and wrong.ending.refused_syscall == 184


@pytest.mark.parametrize(("source", "meter", "budget", "limits", "status", "code"), [
    ("print(1)", False, None, LIMITS, "ok", 0),
    ("print(sum(range(10)))", True, 10**5, LIMITS, "ok", 0),
    ("while True:\n    pass", True, 1000, LIMITS, "step_limit", 1),
    ("import socket", True, 10**5, LIMITS, "forbidden", 1),
    ("x = (", True, 10**5, LIMITS, "compile_error", 1),
    ("raise KeyError(3)", False, None, LIMITS, "crash", 1),
    ("b = bytearray(1 << 40)", False, None, LIMITS, "memory", 1),
    ("while True:\n    pass", False, None, Limits(wall_s=5.0, cpu_s=1.0), "timeout", None),
])
def test_every_status_comes_through_the_report_call(launches, source, meter, budget, limits,
                                                     status, code):
    result = sandbox.run(source, "python", limits=limits, meter=meter, step_budget=budget)
    assert result.status == status
    launched = launches[0]
    assert launched.report == b""
    if code is None:  # killed by the kernel's CPU limit: no report at all
        assert launched.ending.report is None
        return
    assert result.exit_code == code
    assert launched.ending.report is not None and launched.ending.report[0] == status
    if status == "step_limit":
        assert result.steps == budget
    elif status == "compile_error":
        assert result.steps == (0 if meter else None)
    elif meter:
        assert result.steps is not None and 0 < result.steps < budget


def test_without_the_report_call_the_token_pipe_reports(monkeypatch):
    # as on a kernel without seccomp notifications: the child writes a token-carrying line
    monkeypatch.setattr(languages, "isolation", lambda: replace(ISO, seccomp_notify=False))
    limited = sandbox.run("while True:\n    pass", "python", limits=LIMITS, step_budget=1000)
    assert (limited.status, limited.steps) == ("step_limit", 1000)
    # a program that does not know the token cannot forge a line
    forged = sandbox.run(FORGE_EVERY_DESCRIPTOR, "python", limits=LIMITS, meter=True)
    assert (forged.status, forged.exit_code) == ("crash", 1) and forged.steps != FORGED_STEPS
