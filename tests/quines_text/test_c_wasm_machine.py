"""The metered C machine c-wasm: exact fuel counts (Example 6's P_1 on input 5 takes 2,088
units and prints 6), the budget is exact even where wasmtime checks fuel late, the batch P(0..T)
equals the one-run-per-t values, and hostile programs end with named statuses and reach nothing."""
from pathlib import Path

import pytest

from quines_text.machines.wasm_build import toolchain_missing

MISSING = toolchain_missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=f"c-wasm toolchain: {MISSING}")

EXAMPLE6 = (Path(__file__).parents[2] / "rsi" / "data" / "mahoney_example6.c").read_text()
HOSTILE = Path(__file__).parents[1] / "hostile"


@pytest.fixture(scope="module")
def machine():
    from quines_text.machines.c_wasm import CWasmMachine

    return CWasmMachine()


def test_example6_on_input_5_takes_exactly_2088_steps_and_prints_6(machine):
    first = machine.run(EXAMPLE6, b"5\n", 10**6)
    again = machine.run(EXAMPLE6, b"5\n", 10**6)
    assert (first.status, first.stdout, first.steps) == ("ok", b"6", 2088)
    assert again.steps == first.steps


def test_budget_is_exact_where_wasmtime_checks_fuel_late(machine):
    # wasmtime checks fuel only at function entries and loop headers: with one unit too few the
    # raw run still finishes; the machine must call it a step_limit
    assert machine.run(EXAMPLE6, b"5\n", 2088).status == "ok"
    short = machine.run(EXAMPLE6, b"5\n", 2087)
    assert (short.status, short.steps) == ("step_limit", 2087)
    assert machine.run(EXAMPLE6, b"5\n", 100).status == "step_limit"


def test_p_of_t_is_zero_until_the_program_has_had_its_steps(machine):
    steps = machine.run(EXAMPLE6, b"9999\n", 10**6).steps
    assert steps is not None and 1000 < steps < 9999
    assert machine.value(EXAMPLE6, 9999).value == 10000
    assert machine.value(EXAMPLE6, 1000).value == 0
    assert machine.value(EXAMPLE6, 1000).note == "step_limit"


def test_batch_values_equal_one_run_per_t(machine):
    horizon = 2320
    batch = machine.values(EXAMPLE6, horizon)
    assert len(batch) == horizon + 1
    for t in (0, 1, 999, 1000, 2087, 2088, 2200, 2306, 2307, 2308, 2320):
        single = machine.value(EXAMPLE6, t)
        assert (batch[t].value, batch[t].steps, batch[t].note) == (single.value, single.steps, single.note)
    first = next(t for t in range(horizon + 1) if batch[t].value)
    assert all(batch[t].value == t + 1 for t in range(first, horizon + 1))


def test_successor_of_example6_sets_n_to_2(machine):
    result = machine.run(EXAMPLE6, b"-1\n")
    assert result.status == "ok"
    assert "int t,n=2;" in result.text


@pytest.mark.parametrize("body, status", [
    ("for(;;);", "step_limit"),
    ("for(;;) printf(\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\");", "output_limit"),
    ("long s=0; for(;;){char*p=malloc(1<<20); if(!p) return 3; p[0]=1; s+=(long)p; if(s==7) printf(\"%ld\",s);}",
     "memory"),
    ("return f(100000000);", "crash"),
    ("return *(volatile int*)((int*)0 + 100000000);", "crash"),
    ("return 4;", "crash"),
])
def test_hostile_bodies_end_with_named_statuses(machine, body, status):
    source = ("#include <stdio.h>\n#include <stdlib.h>\nint f(int n){return n ? f(n-1)+1 : 0;}\n"
              f"int main(void){{ {body} return 0; }}\n")
    result = machine.run(source, b"", 10**8)
    assert result.status == status, result.stderr


def test_compile_error_is_named(machine):
    result = machine.run((HOSTILE / "c_compile_error.c").read_text(), b"", 1000)
    assert result.status == "compile_error"
    assert result.stderr


def test_wall_clock_guard_ends_a_long_run():
    import dataclasses

    from quines_text.machines.c_wasm import CWasmMachine
    from quines_text.sandbox import Limits

    source = "int main(void){for(;;);}\n"
    # compiled first with the default wall clock: the compile counts against the machine's
    assert CWasmMachine().run(source, b"", 1000).status == "step_limit"
    quick = dataclasses.replace(CWasmMachine(), limits=Limits(wall_s=0.3))
    result = quick.run(source, b"", 10**15)
    assert result.status == "timeout"
    assert result.wall_s < 5


def test_the_module_reaches_no_file(machine, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("host data")
    target = tmp_path / "written.txt"
    source = ('#include <stdio.h>\nint main(void){\n'
              f'  FILE *r = fopen("{secret}", "r"); FILE *w = fopen("{target}", "w");\n'
              '  printf("%s %s", r ? "read" : "no-read", w ? "write" : "no-write");\n'
              '  if (w) fputs("escaped", w);\n  return 0;\n}\n')
    result = machine.run(source, b"", 10**7)
    assert (result.status, result.text) == ("ok", "no-read no-write")
    assert not target.exists()


@pytest.mark.parametrize("name", sorted(p.name for p in HOSTILE.glob("c_*.c")))
def test_hostile_c_programs_end_and_leave_the_host_alone(machine, name):
    from quines_text.run_result import STATUSES

    marker = f"rsi-wasm-{name}"
    source = (HOSTILE / name).read_text(errors="replace").replace("@MARKER@", marker)
    result = machine.run(source, b"", 10**8)
    assert result.status in STATUSES
    assert not Path("/tmp", marker).exists()


def test_example6_on_the_metered_machine_is_zero_then_t_plus_n_and_still_improves():
    from quines_text.paper_examples.example6_metered import example6_on_machine

    result = example6_on_machine(programs=2, horizon=2600)
    assert result.first_output_t == (2307, 2307)
    assert result.values.kind == "holds_up_to"
    assert result.improving.kind == "holds_up_to"
    assert result.agrees
