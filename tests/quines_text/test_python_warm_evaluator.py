"""The warm evaluator (quines_text.sandbox.evaluator) gives, for every t, the run that one
sandboxed process per t gives: the same status, stdout, stderr, exit code and step count
(Mahoney's P(t) with its time steps), on ordinary programs -- where the batch itself must
produce every result, not the per-t fallback -- and on every hostile Python program of
tests/hostile."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from quines_text.machines import TextProgram, get_machine
from quines_text.run_result import STATUSES, RunResult
from quines_text.sandbox import Limits, compile_c, languages
from quines_text.sandbox.evaluator import (
    _checked,
    _launch_batch,
    _launcher_reports,
    _parse,
    run_python_batch,
)
from quines_text.sandbox.languages import run_python
from quines_text.sandbox.launch import Plan
from quines_text.sandbox.layers import isolation
from quines_text.sandbox.seccomp import REPORT_MAGIC, REPORT_SYSCALL

HOSTILE = Path(__file__).parent.parent / "hostile"
LIMITS = Limits(wall_s=3.0, cpu_s=2.0, memory_bytes=256 * 2**20)

PROGRAMS = {
    "echo": "print(input())\n",
    "loop": "n = int(input())\ntotal = 0\nfor i in range(n % 7 * 3):\n    total += i\n"
            "print(total + 1)\n",
    "successor": "n = int(input())\nprint(n + 4)\n",
    "raises": "n = int(input())\nif n % 2:\n    raise KeyError(n)\nprint(n + 1)\n",
    "infinite": "while True:\n    pass\n",
    "exit_code": "import sys\nn = int(input())\nsys.exit(n % 3)\n",
    "functions": "def f(k):\n    return k if k < 2 else f(k - 1) + f(k - 2)\n"
                 "print(f(int(input()) % 12) + 1)\n",
    # 250 KB at t = 5000: more than a pipe holds, read while the child runs
    "big_output": "n = int(input())\nprint('x' * (n * 50))\n",
}
TS = [0, 1, 2, 3, 10, 19, 20, 21, 60, 500, 5000]


def _fields(result: RunResult | None) -> tuple:
    assert result is not None
    return result.status, result.stdout, result.stderr, result.exit_code, result.steps


def _per_t(source: str, t: int, limits: Limits | None = None) -> RunResult:
    return run_python(source.encode(), f"{t}\n".encode(), limits or Limits(), True, True, t)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_batch_equals_one_process_per_t(name: str) -> None:
    source = PROGRAMS[name]
    found = _launch_batch(source.encode(), TS, Limits(), True)
    # the batch itself gave every result (no fallback hides a difference)
    assert sorted(found) == TS and all(found[t] is not None for t in TS)
    for t in TS:
        assert _fields(found[t]) == _fields(_per_t(source, t)), (name, t)


def test_statuses_cover_the_cases() -> None:
    found = _launch_batch(PROGRAMS["raises"].encode(), [41, 40], Limits(), True)
    (odd_status, _, odd_err, _, _), (even_status, *_) = _fields(found[41]), _fields(found[40])
    assert (odd_status, even_status) == ("crash", "ok")
    assert b"KeyError: 41" in odd_err
    loop = _launch_batch(PROGRAMS["infinite"].encode(), [0, 777], Limits(), True)
    assert [_fields(loop[t])[0] for t in (0, 777)] == ["step_limit", "step_limit"]
    assert [_fields(loop[t])[4] for t in (0, 777)] == [0, 777]


def test_values_upto_uses_the_batch_and_agrees() -> None:
    program = TextProgram(PROGRAMS["successor"], "python")
    values = program.values_upto(40)
    machine = get_machine("python")
    assert list(values) == [machine.value(PROGRAMS["successor"], t).value for t in range(41)]
    assert values[0] == 0 and values[40] == 44  # halting needs its steps: P(0) = 0
    outcomes = machine.values(PROGRAMS["loop"], 30)  # type: ignore[attr-defined]
    assert [o.steps for o in outcomes] == [machine.value(PROGRAMS["loop"], t).steps
                                           for t in (range(31))]


def _folderless(result: RunResult) -> tuple:
    """The fields with the run folder's name (random per launch) replaced."""
    return tuple(re.sub(rb"/tmp/rsi-run-[0-9a-f]+", b"RUN", f) if isinstance(f, bytes) else f
                 for f in _fields(result))


def _hostile_sources(tmp_path: Path) -> list[tuple[str, str]]:
    secret = tmp_path / "secret"
    secret.write_text("warm-secret\n")
    secret.chmod(0o600)
    programs = sorted(HOSTILE.glob("py_*.py")) + sorted((HOSTILE / "boundary").glob("py_*.py"))
    return [(path.name, path.read_text().replace("@MARKER@", "rsi-warm-marker")
             .replace("@HOME@", str(Path.home())).replace("@SECRET@", str(secret))
             .replace("@SOCKET@", "/tmp/rsi-warm-absent.sock")) for path in programs]


def test_hostile_programs_batch_equals_per_t(tmp_path: Path) -> None:
    ts = [0, 1, 3, 400, 100000, 3000000]
    checked = 0
    for name, source in _hostile_sources(tmp_path):
        batch = run_python_batch(source, ts, LIMITS)
        for t, result in zip(ts, batch, strict=True):
            assert _folderless(result) == _folderless(_per_t(source, t, LIMITS)), (name, t)
            checked += 1
    assert checked >= 6 * 30


def test_a_program_that_lists_the_interpreters_objects_is_rerun() -> None:
    source = "import gc\nprint(len(gc.get_objects()))\n"
    assert _launch_batch(source.encode(), [10**6], Limits(), True)[10**6] is None
    assert _fields(run_python_batch(source, [10**6])[0]) == _fields(_per_t(source, 10**6))


def test_a_program_that_writes_in_its_folder_is_rerun_from_there() -> None:
    source = "import os\nn = int(input())\nopen(f'f{n}', 'w').close()\nprint(len(os.listdir('.')))\n"
    found = _launch_batch(source.encode(), [500, 501, 502], Limits(), True)
    assert found[500] is None and found[501] is None and found[502] is None
    batch = run_python_batch(source, [500, 501, 502])
    assert [r.stdout for r in batch] == [b"2\n"] * 3  # each run sees a fresh folder


def test_a_childs_result_is_the_launchers_report_for_its_pid() -> None:
    status = b"started\nreport 7 0 12 0\nreport 8 2 5 1\nreport 9 x 1 1\nexit 0 1 1\n"
    reports = _launcher_reports(status)
    assert reports == {7: ("ok", 12, 0), 8: (STATUSES[2], 5, 1)}
    assert _checked(reports[7], 0) == ("ok", 12, 0)
    assert _checked(reports[7], 1 << 8) is None  # exit 1 against a report of exit 0
    assert _checked(reports[7], 9) is None  # killed by a signal
    assert _checked(None, 0) is None
    records = b"W 3 7 0 2 0\nhiW 4 99 0 0 0\n"  # pid 99 made no report call
    found = _parse(records, reports)
    assert found[4] is None and found[3] is not None
    assert (found[3].status, found[3].stdout, found[3].steps) == ("ok", b"hi", 12)


def test_report_lines_the_program_writes_do_not_count() -> None:
    # a would-be forged "ok" report on every descriptor, then a loop past any budget
    source = ("import os\nfor fd in range(64):\n    try:\n"
              "        os.write(fd, b'report 1 0 5 0\\nW 9 1 0 0 0\\n')\n"
              "    except OSError:\n        pass\nwhile True:\n    pass\n")
    found = _launch_batch(source.encode(), [3000, 3001], Limits(), True)
    for t in (3000, 3001):
        assert _fields(found[t]) == _fields(_per_t(source, t))
        assert _fields(found[t])[0] == "step_limit" and _fields(found[t])[4] == t


@pytest.mark.skipif(not isolation().seccomp_notify, reason="the kernel has no seccomp "
                    "notifications: the children report through the token pipe")
def test_the_launcher_takes_the_first_report_call_of_each_process() -> None:
    call = f"syscall({REPORT_SYSCALL}, {REPORT_MAGIC}UL, {{index}}L, {{steps}}L, 1L);"
    body = ("pid_t pid = fork(); if (pid == 0) {" + call.format(index=2, steps=7)
            + "_exit(1);} waitpid(pid, 0, 0);" + call.format(index=0, steps=9)
            + call.format(index=0, steps=5) + "return 0;")
    build = compile_c("#include <unistd.h>\n#include <sys/syscall.h>\n#include <sys/wait.h>\n"
                      f"int main(void){{{body}}}")
    launched = languages._sandboxed([str(build.binary)], LIMITS, b"",
                                    Plan(binds=[str(build.binary)], report_each=True))
    reports = sorted(_launcher_reports(launched.status).values())
    # one report per process, with its own pid; the parent's second call is refused
    assert reports == [("ok", 9, 1), (STATUSES[2], 7, 1)]
    assert launched.ending.refused_syscall == REPORT_SYSCALL
