"""BF engine speed: steps/s of quines_text._bfengine versus a plain C interpreter.

The baseline is bench/bf_reference.c, compiled here with `gcc -O2`: a switch-based
interpreter with precomputed jumps and the same exact step count.  Both run the same
long-running program (nested counting loops with cell copies, about 5.4e8 steps); each side
is timed on its interpretation loop only, best of REPEATS runs.  Target: ratio >= 0.5.

Usage: python bench/bf_speed.py [--repeats N]
"""
from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from record import record_section

from quines_text.machines.bf import BfMachine

HERE = Path(__file__).parent
# 5 x 255 x 255 x 255 inner iterations of a copy loop: cells wrap, no input, one output byte.
PROGRAM = "+++++[>-[>-[>-[>+>+<<-]>[-<+>]<<-]<-]<-]>>>>>."


def reference_run(binary: Path, program: Path) -> tuple[int, float, bytes]:
    done = subprocess.run([str(binary), str(program)], capture_output=True, check=True)
    steps, seconds = done.stderr.split()
    return int(steps), float(seconds), done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    machine = BfMachine()
    with tempfile.TemporaryDirectory() as tmp:
        binary, program = Path(tmp) / "bf_reference", Path(tmp) / "program.b"
        program.write_text(PROGRAM)
        subprocess.run(["gcc", "-O2", "-o", str(binary), str(HERE / "bf_reference.c")], check=True)
        ref = [reference_run(binary, program) for _ in range(args.repeats)]
    ours = [machine.run(PROGRAM, b"", 10**12) for _ in range(args.repeats)]
    ref_steps, ref_s, ref_out = min(ref, key=lambda run: run[1])
    best = min(ours, key=lambda run: run.wall_s)
    if best.status != "ok" or best.steps != ref_steps or best.stdout != ref_out:
        sys.exit(f"engines disagree: ours {best.status} {best.steps} {best.stdout!r}, "
                 f"reference {ref_steps} {ref_out!r}")
    ref_rate, our_rate = ref_steps / ref_s, best.steps / best.wall_s
    ratio = our_rate / ref_rate
    body = (
        f"Machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}; best of {args.repeats} runs each.\n\n"
        f"| engine | steps | seconds | steps/s |\n|---|---|---|---|\n"
        f"| bench/bf_reference.c (gcc -O2) | {ref_steps} | {ref_s:.3f} | {ref_rate:.3e} |\n"
        f"| quines_text._bfengine | {best.steps} | {best.wall_s:.3f} | {our_rate:.3e} |\n\n"
        f"Ratio (ours / reference): **{ratio:.2f}** (target >= 0.5). Same step count and output."
    )
    record_section("bf_speed", f"python bench/bf_speed.py --repeats {args.repeats}", body)
    print(body)


if __name__ == "__main__":
    main()
