"""BFF in pure Python: the executable specification of `quines_text.machines.bff`.

The same language and step count as the C engine (Computational Life; papers/NOTES.md), written
for reading rather than speed: the tests use it as an independent oracle for the C engine, and
bench/bff_batch.py uses it as the pure-Python baseline.
"""
from __future__ import annotations


def run_tape_python(program: bytes, max_steps: int, heads_from_tape: bool) -> tuple[bytes, int, int, bool]:
    """Run one BFF tape; returns (final tape, steps, non-no-op steps, halted)."""
    tape = bytearray(program)
    size = len(tape)
    head0, head1, pc = (tape[0] % size, tape[1] % size, 2) if heads_from_tape else (0, 0, 0)
    steps = noops = 0
    while pc < size and steps < max_steps:
        steps += 1
        op = chr(tape[pc])
        if op == "<":
            head0 = (head0 - 1) % size
        elif op == ">":
            head0 = (head0 + 1) % size
        elif op == "{":
            head1 = (head1 - 1) % size
        elif op == "}":
            head1 = (head1 + 1) % size
        elif op == "+":
            tape[head0] = (tape[head0] + 1) % 256
        elif op == "-":
            tape[head0] = (tape[head0] - 1) % 256
        elif op == ".":
            tape[head1] = tape[head0]
        elif op == ",":
            tape[head0] = tape[head1]
        elif op == "[" and tape[head0] == 0:
            pc = _partner(tape, pc, +1)
        elif op == "]" and tape[head0] != 0:
            pc = _partner(tape, pc, -1)
        elif op not in "[]":
            noops += 1
        if pc < 0:  # a backward scan found no partner
            break
        pc += 1
    return bytes(tape), steps, steps - noops, not 0 <= pc < size


def _partner(tape: bytearray, pc: int, direction: int) -> int:
    """Position of the bracket matching the one at pc, scanning in `direction`; off the tape
    (len(tape) forwards, -1 backwards) when there is none."""
    depth, opener = 0, tape[pc]
    while 0 <= pc < len(tape):
        if tape[pc] == opener:
            depth += 1
        elif tape[pc] == ord("[") + ord("]") - opener:
            depth -= 1
            if depth == 0:
                return pc
        pc += direction
    return pc
