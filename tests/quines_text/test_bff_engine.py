"""The BFF engine (Computational Life; papers/NOTES.md): hand-derived golden runs for both
variants, each instruction, head wrap-around, unmatched brackets, the step limit; the batch
API equals single runs, and the C engine equals the pure-Python specification."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from quines_text.machines import get_machine
from quines_text.machines.bff import (
    TAPE_LEN,
    VARIANTS,
    BffMachine,
    run_batch,
    run_pairs,
    run_tape,
)
from quines_text.machines.bff_reference import run_tape_python


def tape(prefix: bytes) -> bytes:
    return prefix.ljust(TAPE_LEN, b"\0")


# (variant, tape prefix, max_steps, final prefix, steps, ops, halted), derived by hand.
# Zero bytes are no-ops, so a run that falls off the end takes one step per remaining byte.
GOLDEN = [
    # noheads: heads and pc start at 0.
    ("bff_noheads", b"+", 9999, b",", 128, 1, True),  # tape[0] = '+' + 1 = ','
    ("bff_noheads", b"-", 9999, b",", 128, 1, True),  # '-' - 1 = ','
    ("bff_noheads", b">+", 9999, b">,", 128, 2, True),
    ("bff_noheads", b"}.", 9999, b"}}", 128, 2, True),  # tape[head1 = 1] = tape[head0 = 0]
    ("bff_noheads", b">,", 9999, b">>", 128, 2, True),  # tape[head0 = 1] = tape[head1 = 0]
    # "{.": head1 wraps to 127 and gets '{', which the pc then meets and runs: 3 ops.
    ("bff_noheads", b"{.", 9999, b"{.", 128, 3, True),
    ("bff_noheads", b"<[", 9999, b"<[", 2, 2, True),  # tape[127] = 0: no ] to jump to
    ("bff_noheads", b"<[]", 9999, b"<[]", 127, 2, True),  # jump lands on ], then 125 no-ops
    ("bff_noheads", b"]", 9999, b"]", 1, 1, True),  # tape[0] != 0: no [ to jump back to
    ("bff_noheads", b"[]", 10, b"[]", 10, 10, False),  # [ then ] jumping back forever
    ("bff_noheads", b"<+++[-]", 9999, b"<+++[-]", 132, 11, True),  # < +++ [ (- ])x3, 121 no-ops
    # bff: head0 = tape[0] % 128, head1 = tape[1] % 128, pc starts at 2.
    ("bff", b"++", 9999, b"++", 126, 0, True),  # tape[0], tape[1] are heads, never run
    ("bff", bytes([4, 5]) + b"+.A", 9999, bytes([4, 5]) + b"+.BB", 126, 2, True),
    ("bff", bytes([130, 0]) + b"+", 9999, bytes([130, 0]) + b",", 126, 1, True),  # 130 % 128
    ("bff", bytes([0, 0]) + b"<-", 9999, bytes([0, 0]) + b"<-", 126, 2, True),  # see below
    ("bff", bytes([4, 0]) + b"[]", 9999, bytes([4, 0]) + b"[]", 1 + 124, 1, True),  # [ skips ]
    ("bff", bytes([2, 0]) + b"[]", 7, bytes([2, 0]) + b"[]", 7, 7, False),  # head0 on the [
]


@pytest.mark.parametrize("variant, prefix, max_steps, final, steps, ops, halted", GOLDEN)
def test_golden_run(variant, prefix, max_steps, final, steps, ops, halted):
    result = run_tape(tape(prefix), max_steps, variant)
    assert result.tape[: len(final)] == final
    assert (result.steps, result.ops, result.halted) == (steps, ops, halted)


def test_heads_wrap_below_zero_onto_the_last_byte():
    # noheads "{.": head1 wraps to 127 and receives tape[0]; bff "<-": head0 wraps to 127.
    assert run_tape(tape(b"{."), 9999, "bff_noheads").tape[127] == ord("{")
    assert run_tape(tape(bytes([0, 0]) + b"<-"), 9999, "bff").tape[127] == 255


def test_heads_wrap_past_the_end_onto_byte_0():
    # bff: head0 = 127, '>' wraps it to 0, '+' increments tape[0].
    result = run_tape(tape(bytes([127, 0]) + b">+"), 9999, "bff")
    assert result.tape[0] == 128


def test_matched_loop_runs_until_the_cell_is_zero():
    # bff: head0 = 5 holds 3; [-] takes 1 + 2 * 3 steps, bytes 5..127 are 123 no-ops.
    result = run_tape(tape(bytes([5, 0]) + b"[-]" + bytes([3])), 9999, "bff")
    assert (result.tape[5], result.steps, result.ops) == (0, 1 + 2 * 3 + 123, 1 + 2 * 3)


def test_step_limit_zero_runs_nothing():
    result = run_tape(tape(b"+"), 0, "bff_noheads")
    assert (result.tape, result.steps, result.halted) == (tape(b"+"), 0, False)


def test_run_tape_leaves_its_input_alone():
    original = tape(b"+")
    run_tape(original, 9999, "bff_noheads")
    assert original == tape(b"+")


# 90, 92 and 94 sit next to the brackets, so + and - can create and destroy brackets.
INSTRUCTIONS = list(b"<>{}+-.,[]") + [0, 1, 90, 92, 94, 127, 255]
tapes_st = st.lists(st.sampled_from(INSTRUCTIONS) | st.integers(0, 255), min_size=2, max_size=48)


@given(tapes_st, st.integers(0, 600), st.sampled_from(sorted(VARIANTS)))
def test_c_engine_equals_the_python_specification(data, max_steps, variant):
    expected = run_tape_python(bytes(data), max_steps, VARIANTS[variant].heads_from_tape)
    result = run_tape(bytes(data), max_steps, variant)
    assert (result.tape, result.steps, result.ops, result.halted) == expected


@given(
    st.integers(1, 40).flatmap(lambda n: st.lists(st.binary(min_size=24, max_size=24), min_size=n, max_size=n)),
    st.integers(0, 3000),
    st.sampled_from(sorted(VARIANTS)),
    st.integers(1, 3),
)
def test_batch_equals_single_runs(rows, max_steps, variant, threads):
    tapes = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), 24)
    ops = np.zeros(len(rows), dtype=np.int64)
    out, steps = run_batch(tapes, max_steps, variant, threads=threads, ops_out=ops)
    singles = [run_tape(row, max_steps, variant) for row in rows]
    assert [bytes(r) for r in out] == [s.tape for s in singles]
    assert steps.tolist() == [s.steps for s in singles]
    assert ops.tolist() == [s.ops for s in singles]


def test_batch_of_many_soup_tapes_does_not_depend_on_threads():
    rng = np.random.default_rng(1)
    tapes = rng.integers(0, 256, size=(5000, TAPE_LEN), dtype=np.uint8)
    tapes[:, 2:40:3] = np.frombuffer(b"[]+-.,<>{}[]+", dtype=np.uint8)
    one, steps_one = run_batch(tapes, 8192, "bff", threads=1)
    two, steps_two = run_batch(tapes, 8192, "bff", threads=2)
    assert np.array_equal(one, two) and np.array_equal(steps_one, steps_two)


@given(
    st.integers(0, 2**32), st.integers(0, 3000), st.sampled_from(sorted(VARIANTS)),
    st.integers(1, 3),
)
def test_pairs_equal_the_batch_of_gathered_tapes(seed, max_steps, variant, threads):
    rng = np.random.default_rng(seed)
    programs = rng.choice(np.array(INSTRUCTIONS, dtype=np.uint8), size=(200, 16))
    order = rng.permutation(200)
    ops_batch, ops_pairs = np.zeros(100, dtype=np.int64), np.zeros(100, dtype=np.int64)
    gathered = programs[order].reshape(100, 32)
    tapes, steps = run_batch(gathered, max_steps, variant, ops_out=ops_batch)
    expected = programs.copy()
    expected[order] = tapes.reshape(200, 16)
    pair_steps = run_pairs(programs, order, max_steps, variant, threads=threads, ops_out=ops_pairs)
    assert np.array_equal(programs, expected)
    assert np.array_equal(pair_steps, steps) and np.array_equal(ops_pairs, ops_batch)


@pytest.mark.parametrize("order", [[0, 1, 1, 2], [0, 1, 2, 4], [0, 1, 2]])
def test_pairs_need_a_permutation(order):
    with pytest.raises(ValueError, match="permutation|one int64 per program"):
        run_pairs(np.zeros((4, 8), dtype=np.uint8), np.array(order), 10)


def test_batch_copies_unless_asked_to_work_in_place():
    tapes = np.frombuffer(tape(b"+") * 3, dtype=np.uint8).reshape(3, TAPE_LEN).copy()
    out, _ = run_batch(tapes, 9999, "bff_noheads")
    assert tapes[0, 0] == ord("+") and out[0, 0] == ord(",")
    same, _ = run_batch(tapes, 9999, "bff_noheads", inplace=True)
    assert same is tapes and tapes[0, 0] == ord(",")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(tapes=np.zeros((2, 8), dtype=np.int32)), "uint8"),
        (dict(tapes=np.zeros((2, 1), dtype=np.uint8)), "at least 2 bytes"),
        (dict(tapes=np.zeros((2, 8), dtype=np.uint8), variant="bf"), "unknown BFF variant"),
        (dict(tapes=np.zeros((2, 8), dtype=np.uint8), max_steps=-1), "max_steps"),
        (dict(tapes=np.zeros((2, 8), dtype=np.uint8), threads=0), "threads"),
    ],
)
def test_batch_rejects_bad_arguments_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_batch(**{"max_steps": 10, **kwargs})


def test_machine_runs_the_source_as_a_padded_tape():
    machine = get_machine("bff")
    assert isinstance(machine, BffMachine) and machine.metered
    result = BffMachine(variant="bff_noheads").run("+")
    assert (result.status, result.steps, result.stdout) == ("ok", 128, tape(b","))
    limited = BffMachine(variant="bff_noheads").run("[]", b"", 5)
    assert (limited.status, limited.steps) == ("step_limit", 5)


@pytest.mark.parametrize("source", ["x" * (TAPE_LEN + 1), "snowman \u2603"])
def test_machine_refuses_sources_that_are_not_a_tape(source):
    result = BffMachine().run(source)
    assert (result.status, result.steps) == ("compile_error", 0)


def test_machine_value_is_0_for_a_tape_that_is_not_a_number():
    outcome = BffMachine().value("++", 200)
    assert (outcome.value, outcome.halted, outcome.steps) == (0, True, 126)
