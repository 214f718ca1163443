"""The metered Python machine: exact, deterministic step counts and Mahoney's P(t) (Mahoney 2008).

One step is one executed bytecode instruction of the program's own code (CPython 3.11; RESUME
and CACHE entries are not executed instructions).  The expected counts below were counted by
hand from `dis.dis` of each program.
"""
import os

import pytest

from quines_text.machines import get_machine, stdin_for

PYTHON = get_machine("python")

# print(1): PUSH_NULL, LOAD_NAME print, LOAD_CONST 1, PRECALL, CALL, POP_TOP,
# LOAD_CONST None, RETURN_VALUE -> 8.
PRINT_ONE = ("print(1)", 8)
# for i in range(3): pass -> PUSH_NULL, LOAD_NAME range, LOAD_CONST 3, PRECALL, CALL, GET_ITER
# (6); three rounds of FOR_ITER, STORE_NAME i, JUMP_BACKWARD (9); the last FOR_ITER (1);
# LOAD_CONST None, RETURN_VALUE (2) -> 18.
LOOP_THREE = ("for i in range(3): pass", 18)
# def f(): return 1 / f() -> module: LOAD_CONST code, MAKE_FUNCTION, STORE_NAME f, PUSH_NULL,
# LOAD_NAME f, PRECALL, CALL, POP_TOP, LOAD_CONST None, RETURN_VALUE (10); f: LOAD_CONST 1,
# RETURN_VALUE (2) -> 12.
CALL_ONE = ("def f(): return 1\nf()", 12)
# print(int(input())): three PUSH_NULL/LOAD_NAME pairs (6), three PRECALL/CALL pairs (6),
# POP_TOP, LOAD_CONST None, RETURN_VALUE (3) -> 15 whatever t is.
PRINT_T = ("print(int(input()))", 15)


@pytest.mark.parametrize("program", [PRINT_ONE, LOOP_THREE, CALL_ONE, PRINT_T])
def test_step_count_matches_hand_count(program):
    source, steps = program
    result = PYTHON.run(source, stdin_for(7))
    assert (result.status, result.steps) == ("ok", steps)


def test_budget_is_inclusive_exactly_at_the_count():
    source, steps = LOOP_THREE
    assert PYTHON.run(source, step_budget=steps).status == "ok"
    cut = PYTHON.run(source, step_budget=steps - 1)
    assert (cut.status, cut.steps) == ("step_limit", steps - 1)


def test_p_of_t_is_zero_before_the_program_finishes_and_t_after():
    source, steps = PRINT_T
    assert PYTHON.value(source, steps - 1).value == 0
    assert not PYTHON.value(source, steps - 1).halted
    assert PYTHON.value(source, steps).value == steps
    assert PYTHON.value(source, 1000).value == 1000


def test_count_is_deterministic_run_to_run():
    # string hashing decides set order and so the loop's work: the hash seed is fixed
    source = ("s = {str(i) * 3 for i in range(200)}\n"
              "n = 0\nfor x in s:\n    if x < '5':\n        n += 1\nprint(n)")
    counts = {PYTHON.run(source).steps for _ in range(3)}
    assert len(counts) == 1


def test_code_compiled_at_run_time_is_counted_library_code_is_not():
    short = PYTHON.run('exec("pass")').steps
    long = PYTHON.run('exec("for i in range(100): pass")').steps
    # exec'd "pass": LOAD_CONST None, RETURN_VALUE (2); the loop: 6 set-up + 3 * 100 rounds
    # + the last FOR_ITER + 2 (309), as in LOOP_THREE
    assert long - short == 309 - 2
    small = PYTHON.run("import json\njson.dumps([1])").steps
    large = PYTHON.run("import json\njson.dumps(list(range(500)))").steps
    # json does far more work for 500 items, none of it counted; the argument costs
    # LOAD_CONST 1, BUILD_LIST (2) versus PUSH_NULL, LOAD_NAME list, PUSH_NULL, LOAD_NAME range,
    # LOAD_CONST 500, PRECALL, CALL, PRECALL, CALL (9)
    assert large - small == 9 - 2


def test_infinite_loop_stops_at_the_budget_and_leaves_no_process():
    result = PYTHON.run("while True:\n    pass", step_budget=10_000)
    assert (result.status, result.steps) == ("step_limit", 10_000)
    assert not _children_of_this_process()


def test_budget_cannot_be_caught_by_the_program():
    source = ("try:\n    while True:\n        pass\nexcept BaseException:\n    print('caught')")
    result = PYTHON.run(source, step_budget=500)
    assert result.status == "step_limit" and b"caught" not in result.stdout


@pytest.mark.parametrize("source", [
    "import sys\nsys.settrace(None)",
    "import threading\nthreading.Thread(target=print).start()",
])
def test_switching_the_meter_off_is_forbidden(source):
    assert PYTHON.run(source).status == "forbidden"


def test_unbudgeted_run_still_counts():
    assert PYTHON.run(PRINT_ONE[0], step_budget=None).steps == PRINT_ONE[1]


def _children_of_this_process() -> list[int]:
    """Children of this process, less the pre-started trees of the next runs
    (quines_text.sandbox.prestart)."""
    from quines_text.sandbox import prestart

    me, found, ready = os.getpid(), [], prestart.ready_pids()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me and int(entry) not in ready:
                found.append(int(entry))
    return found
