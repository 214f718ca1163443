"""Example 6 on a metered machine: the horizon comes from the data, the output time that the
step scan t_0 = 0, t_(k+1) = s(t_k) finds (quines_text.paper_examples.example6_metered)."""
import pytest

from quines_text.machines.wasm_build import toolchain_missing
from quines_text.paper_examples import example6_metered
from quines_text.paper_examples.example6_metered import output_time
from rsi.examples import example6_source

MISSING = toolchain_missing()


def test_the_scan_finds_the_first_halting_t_of_print_t_on_metered_python():
    # print(input()) takes 11 bytecode instructions whatever t is (tests/quines_text/
    # test_example2_metered.py): s(0) = 11 > 0, s(11) = 11 <= 11.
    assert output_time("print(input())\n", "python") == (11, (0, 11))


def test_a_scan_that_does_not_settle_is_a_value_error(monkeypatch):
    monkeypatch.setattr(example6_metered, "SCAN_LIMIT", 3)
    loop = "t = int(input())\nfor _ in range(t + 1):\n    pass\nprint(t)\n"  # s(t) > t for every t
    with pytest.raises(ValueError, match="no t with s\\(t\\) <= t within 3 runs"):
        output_time(loop, "python")


def test_a_failing_run_is_a_value_error():
    with pytest.raises(ValueError, match="the run on input 0 ended crash"):
        output_time("raise SystemExit(3)\n", "python")


@pytest.mark.skipif(MISSING is not None, reason=f"c-wasm toolchain: {MISSING}")
def test_example6_on_c_wasm_has_its_steps_at_t_2307_and_the_derived_horizon_decides_it():
    # s(0) = 2088 (the fuel of P_1 on a one-digit input), s(2088) = s(2307) = 2307
    assert output_time(example6_source()) == (2307, (0, 2088, 2307))
    result = example6_metered.example6_on_machine(programs=2)
    assert result.horizon == 2307 + example6_metered.MARGIN
    assert result.first_output_t == (2307, 2307) and result.agrees
