"""The metered Python machine's meter cannot be evaded (quines_text._opmeter).

One step is one executed bytecode instruction of the program's own code (Mahoney 2008, section
Goals: P(t) after t steps of a fixed machine); library code is code equal to its genuine file's
code, so it is free wherever it is called from, and code that only borrows a library file name
ends the run `forbidden`.  The raw API (arm, start(budget), stop, steps, report, finish) is
checked in a child interpreter, as the sandbox's bootstrap uses it.
"""
import os
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from pathlib import Path

import pytest

from quines_text import _opmeter
from quines_text.machines.python_metered import MeteredPython

MACHINE = MeteredPython()
LOOP = "n = 0\nfor i in range(1000):\n    n += i\nprint(n)\n"


def steps_of(source: str) -> int:
    result = MACHINE.run(source)
    assert result.status == "ok", result.stderr
    assert result.steps is not None
    return result.steps


def test_library_code_costs_nothing_wherever_it_runs():
    # the same call shape; json.dumps runs Python encoder code, json.loads mostly C
    dumps = steps_of("import json\nx = '[1]'\njson.dumps(x)\n")
    loads = steps_of("import json\nx = '[1]'\njson.loads(x)\n")
    assert dumps == loads


def test_library_code_called_back_from_the_program_is_counted_as_the_program():
    program = ("import functools\ndef f(x, y):\n    return x + y\n"
               "functools.reduce(f, range({}))\n")
    # ten more calls of f, four instructions each (LOAD_FAST, LOAD_FAST, BINARY_OP,
    # RETURN_VALUE; RESUME is not counted); reduce itself is C and free
    assert steps_of(program.format(20)) - steps_of(program.format(10)) == 40


@pytest.mark.parametrize("name", ["<frozen os>", "<frozen importlib._bootstrap>", "os.__file__",
                                  "json.__file__"])
def test_code_under_a_library_file_name_is_forbidden(name):
    label = name if name.startswith("<") else None
    prelude = "" if label else f"import os, json\nlabel = {name}\n"
    target = repr(label) if label else "label"
    result = MACHINE.run(f"{prelude}exec(compile({LOOP!r}, {target}, 'exec'))\n")
    assert (result.status, result.stdout) == ("forbidden", b"")
    assert b"is not its code" in result.stderr


def test_a_library_code_object_with_other_constants_is_forbidden():
    source = ("import textwrap, types\ng = textwrap.dedent.__code__\n"
              "types.FunctionType(g.replace(co_consts=g.co_consts + (object(),)), {})(' x')\n")
    assert MACHINE.run(source).status == "forbidden"


def test_genuine_frozen_code_run_by_the_program_is_library_code():
    genuine = steps_of("import _imp\nexec(_imp.get_frozen_object('stat'), {})\n")
    renamed = steps_of("import _imp\n"
                       "exec(_imp.get_frozen_object('stat').replace(co_filename='mine'), {})\n")
    # the renamed module body is the program's: its many instructions count (the call of
    # replace adds five of the program's own)
    assert renamed - genuine - 5 > 100


CHILD = """
import sys
sys.path.insert(0, {ext!r})
import _opmeter
def loop(k):
    n = 0
    for i in range(k):
        n += i
    return n
def helper():
    _opmeter.start(-1)
def main():
    _opmeter.arm(b"TOKEN", {fd}, True, {library!r}, {run_dir!r}, ({run_dir!r},))
{body}
main()
"""


def child(body: str) -> list[list[str]]:
    """Report lines (fields after the token) of a child interpreter that arms the meter in
    main() and then runs `body` there."""
    read_end, write_end = os.pipe()
    library = tuple(sorted({os.path.realpath(sysconfig.get_path(k))
                            for k in ("stdlib", "platstdlib")}))
    with tempfile.TemporaryDirectory() as run_dir:
        script = CHILD.format(ext=str(Path(_opmeter.__file__).parent), fd=write_end,
                              library=library, run_dir=os.path.realpath(run_dir),
                              body=textwrap.indent(textwrap.dedent(body), "    "))
        subprocess.run([sys.executable, "-P", "-S", "-s", "-c", script], pass_fds=[write_end],
                       cwd=run_dir, timeout=60, capture_output=True)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as lines:
        return [line.split()[1:] for line in lines.read().decode().splitlines()
                if line.startswith("TOKEN ")]


def test_start_resets_the_count_so_each_run_has_the_same_steps():
    lines = child("""
        for k in (100, 100, 200):
            _opmeter.start(-1)
            loop(k)
            _opmeter.report("ok", str(_opmeter.stop()), 0)
        _opmeter.finish("ok", "", 0)
    """)
    counts = [int(fields[3]) for fields in lines[:3]]
    assert counts[0] == counts[1] > 0 and counts[2] > counts[1]
    assert lines[3][:1] == ["ok"]


def test_each_run_has_its_own_budget():
    lines = child("""
        _opmeter.start(10**6)
        loop(100)
        _opmeter.report("ok", str(_opmeter.stop()), 0)
        _opmeter.start(50)
        loop(100)
        _opmeter.finish("ok", "", 0)
    """)
    assert [fields[0] for fields in lines] == ["ok", "step_limit"]
    assert lines[1][1] == "50"


@pytest.mark.parametrize("body", [
    "helper()",  # start from another frame
    "_opmeter.start(-1)\n(lambda: _opmeter.finish('ok', '', 0))()",
    "_opmeter.start(-1)\n[_opmeter.stop() for _ in range(1)]",
    "_opmeter.start(-1)\n_opmeter.start(-1)",  # a second start during a run
])
def test_control_calls_from_any_other_frame_are_forbidden(body):
    lines = child(body)
    assert [fields[0] for fields in lines] == ["forbidden"]


def test_switching_opcode_tracing_off_during_a_run_is_forbidden():
    lines = child("""
        _opmeter.start(-1)
        sys._getframe().f_trace_opcodes = False
        _opmeter.finish("ok", "", 0)
    """)
    assert [fields[0] for fields in lines] == ["forbidden"]
