"""The BF machine: exact step counts (hand-counted), documented edge semantics, Mahoney's P(t)
before and after the program finishes, and a known quine."""
import pytest

from quines_text.machines import Machine, get_machine, outcome_from_run, stdin_for
from quines_text.machines.bf import BfMachine

BF = BfMachine()
# Echoes the first line of stdin: reads a byte, stops at "\n" (10), else prints it.
ECHO_LINE = ",----------[++++++++++.,----------]"
# Erik Bosman's quine (esolangs.org); it prints its own text exactly.
BOSMAN_QUINE = (
    "-->+++>+>+>+>+++++>++>++>->+++>++>+>>>>>>>>>>>>>>>>->++++>>>>->+++>+++>+++>+++>+++>+++>+>+"
    ">>>->->>++++>+>>>>->>++++>+>+>>->->++>++>++>++++>+>++>->++>++++>+>+>++>++>->->++>++>++++>+"
    ">+>>>>>->>->>++++>++>++>++++>>>>>->>>>>+++>->++++>->->->+++>>>+>+>+++>+>++++>>+++>->>>>>->"
    ">>++++>++>++>+>+++>->++++>>->->+++>+>+++>+>++++>>>+++>->++++>>->->++>++++>++>++++>>++[-[->"
    ">+[>]++[<]<]>>+[>]<--[++>++++>]+[<]<<++]>>>[>]++++>++++[--[+>+>++++<<[-->>--<<[->-<[--->>+"
    "<<[+>+++<[+>>++<<]]]]]]>+++[>+++++++++++++++<-]>--.<<<]"
)


def echo_steps(t: int) -> int:
    """Hand count for ECHO_LINE on "t\\n": `,` + 10 `-` + `[` = 12, then per digit 10 `+`,
    `.`, `,`, 10 `-` and `]` = 23 (the `]` after the last digit sees 0 and falls through)."""
    return 12 + 23 * len(str(t))


@pytest.mark.parametrize(
    "source, steps",
    [
        ("+++", 3),
        ("a+b+c+ comments are free", 3),
        ("[+]", 1),  # cell 0 is 0: the `[` jumps past `]`, one step
        ("+[-]", 4),  # + [ - ]: the `]` sees 0 and falls through
        ("++[-]", 7),  # + + [ (- ]) (- ]): the first `]` jumps back, the second does not
        ("+>++<[->+<]", 5 + 1 + 5),  # + > + + <, then `[`, then one pass - > + < ] that ends at 0
    ],
)
def test_step_count_is_the_number_of_executed_instructions(source, steps):
    result = BF.run(source, b"", 1000)
    assert (result.status, result.steps) == ("ok", steps)


def test_budget_allows_exactly_that_many_instructions():
    assert BF.run("+++", b"", 3).status == "ok"
    short = BF.run("+++", b"", 2)
    assert (short.status, short.steps) == ("step_limit", 2)


def test_cells_wrap_at_a_byte():
    assert BF.run("-.", b"", 10).stdout == b"\xff"
    assert BF.run("-+.", b"", 10).stdout == b"\x00"


def test_read_at_end_of_input_leaves_the_cell_unchanged():
    assert BF.run("+,.,.", b"A", 100).stdout == b"AA"
    assert BF.run("+,.", b"", 100).stdout == b"\x01"


def test_moving_left_of_cell_0_crashes():
    result = BF.run("+<", b"", 100)
    assert (result.status, result.steps) == ("crash", 2)
    assert b"left of cell 0" in result.stderr


def test_moving_right_of_the_last_cell_crashes():
    assert BfMachine(cells=3).run(">>", b"", 100).status == "ok"
    assert BfMachine(cells=3).run(">>>", b"", 100).status == "crash"


@pytest.mark.parametrize("source, offset", [("+[", 1), ("]", 0), ("[[]", 0), ("[]]", 2)])
def test_unmatched_bracket_is_a_compile_error(source, offset):
    result = BF.run(source, b"", 100)
    assert (result.status, result.steps) == ("compile_error", 0)
    assert f"at byte {offset}".encode() in result.stderr


def test_output_past_the_limit_stops_the_run():
    result = BfMachine(output_limit=3).run("+[.]", b"", 1000)
    assert (result.status, result.stdout) == ("output_limit", b"\x01" * 3)


def test_no_budget_means_the_default_cap():
    result = BfMachine(default_step_cap=100).run("+[]", b"")
    assert (result.status, result.steps) == ("step_limit", 100)


def test_hello_world():
    source = (
        "++++++++[>++++[>++>+++>+++>+<<<<-]>+>+>->>+[<]<-]>>.>---.+++++++..+++.>>.<-.<.+++."
        "------.--------.>>+.>++."
    )
    assert BF.run(source, b"", 10_000).stdout == b"Hello World!\n"


@pytest.mark.parametrize("t", [0, 7, 42, 123, 2**20])
def test_echo_program_takes_the_hand_counted_steps(t):
    result = BF.run(ECHO_LINE, stdin_for(t), 10**6)
    assert (result.status, result.stdout, result.steps) == ("ok", str(t).encode(), echo_steps(t))


@pytest.mark.parametrize("t", [5, 123, 99999])
def test_value_is_0_before_the_program_finishes_and_t_after(t):
    needed = echo_steps(t)
    before = outcome_from_run(BF.run(ECHO_LINE, stdin_for(t), needed - 1))
    after = outcome_from_run(BF.run(ECHO_LINE, stdin_for(t), needed))
    assert (before.value, before.halted, before.note) == (0, False, "step_limit")
    assert (after.value, after.halted, after.steps) == (t, True, needed)


def test_mahoney_value_with_budget_t_starts_at_the_first_t_that_pays_for_its_digits():
    # P(t) = t exactly when t >= 12 + 23 * digits(t): never for one digit, from 58 for two.
    values = {t: BF.value(ECHO_LINE, t).value for t in range(0, 120)}
    assert [t for t, v in values.items() if v] == list(range(58, 120))
    assert all(values[t] == t for t in range(58, 120))


def test_bosman_quine_prints_itself():
    result = BF.run(BOSMAN_QUINE, b"", 10**8)
    assert result.status == "ok"
    assert result.stdout.decode() == BOSMAN_QUINE


def test_bf_is_a_metered_machine_in_the_registry():
    machine = get_machine("bf")
    assert isinstance(machine, Machine)
    assert machine.metered and machine.name == "bf"
