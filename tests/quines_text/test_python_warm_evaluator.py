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
from quines_text.run_result import RunResult
from quines_text.sandbox import Limits
from quines_text.sandbox.evaluator import _launch_batch, run_python_batch
from quines_text.sandbox.languages import run_python

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
