"""The metered C machine c-wasm: P(0..T) in one batch against one process per t, and the
metered step rate against the same program compiled natively (gcc -O2) and run unmetered.

1. P(0..T) of Mahoney's Example 6 P_1 (T = 10^4 by default) by `CWasmMachine.values`: one
   compiled module, a fresh store and instance per t.  Against it: one fresh process per t
   that loads the cached module and runs that one t on the same machine (what a caller that
   starts the machine per value pays); `--sample` such processes are timed and the total for
   T + 1 is extrapolated.  The values of the sample are checked equal to the batch's.
   Targets: ratio >= 50 and the batch under 10 s.
2. A CPU-bound C program (the Collatz steps of 1..N: data-dependent branches, no closed form)
   on c-wasm with an unlimited budget against the same source built with gcc -O2 and run
   natively: steps per second of the metered machine and the wall-time ratio (the cost of
   exact step counting; both in the same run).

Usage: python bench/c_wasm.py [--horizon T] [--sample S] [--n N]
"""
from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from record import record_section

from quines_text.machines.c_wasm import CWasmMachine
from rsi.examples import example6_source

ONE_RUN = (
    "import sys\n"
    "from quines_text.machines.c_wasm import CWasmMachine\n"
    "from rsi.examples import example6_source\n"
    "o = CWasmMachine().value(example6_source(), int(sys.argv[1]))\n"
    "print(o.value, o.steps)\n"
)
LOOP = r"""#include <stdio.h>
int main(void) {
    long long n, i, total = 0;
    if (scanf("%lld", &n) != 1) return 1;
    for (i = 1; i <= n; i++) {
        long long x = i;
        while (x != 1) { x = (x & 1) ? 3 * x + 1 : x >> 1; total++; }
    }
    printf("%lld", total);
    return 0;
}
"""


def batch_against_processes(horizon: int, sample: int) -> tuple[str, bool]:
    machine, source = CWasmMachine(), example6_source()
    machine.value(source, 0)  # compile (or find) the module once, outside the timing
    start = time.perf_counter()
    batch = machine.values(source, horizon)
    batch_s = time.perf_counter() - start
    ts = [round(k * horizon / max(sample - 1, 1)) for k in range(sample)]
    root = Path(__file__).resolve().parents[1]
    start = time.perf_counter()
    same = True
    for t in ts:
        done = subprocess.run([sys.executable, "-c", ONE_RUN, str(t)], capture_output=True, text=True,
                              cwd=root, check=True)
        value, steps = done.stdout.split()
        same &= (int(value), int(steps)) == (batch[t].value, batch[t].steps)
    per_process = (time.perf_counter() - start) / len(ts)
    separate_s = per_process * (horizon + 1)
    ratio = separate_s / batch_s
    first = next((t for t in range(horizon + 1) if batch[t].value), None)
    line = (f"- P(0..{horizon}) of Example 6's P_1 on c-wasm: batch {batch_s:.2f} s "
            f"({1e3 * batch_s / (horizon + 1):.2f} ms per t); one process per t {1e3 * per_process:.0f} ms "
            f"(mean of {len(ts)} timed, extrapolated to {horizon + 1}: {separate_s:.0f} s); "
            f"ratio {ratio:.0f}x (target >= 50x, batch < 10 s: "
            f"{'met' if ratio >= 50 and batch_s < 10 else 'NOT met'}); sampled values and steps "
            f"equal: {same}; first t with P_1(t) > 0: {first}")
    return line, same


def step_rate(n: int) -> str:
    machine = CWasmMachine()
    stdin = f"{n}\n".encode()
    machine.run(LOOP, b"1\n", None)  # compile outside the timing
    start = time.perf_counter()
    metered = machine.run(LOOP, stdin, None)
    wasm_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        binary = Path(folder) / "loop"
        source = Path(folder) / "loop.c"
        source.write_text(LOOP)
        subprocess.run(["gcc", "-O2", "-o", str(binary), str(source)], check=True)
        start = time.perf_counter()
        native = subprocess.run([str(binary)], input=stdin, capture_output=True, check=True)
        native_s = time.perf_counter() - start
    agree = native.stdout == metered.stdout
    steps = metered.steps or 0
    return (f"- Collatz steps of 1..{n}: c-wasm {steps} steps in {wasm_s:.3f} s "
            f"({steps / wasm_s / 1e6:.0f} M steps/s, status {metered.status}); gcc -O2 native "
            f"{native_s:.3f} s (process included); metered / native wall time "
            f"{wasm_s / native_s:.1f}x; outputs equal: {agree}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--horizon", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    batch_line, _ = batch_against_processes(args.horizon, args.sample)
    rate_line = step_rate(args.n)
    body = "\n".join([batch_line, rate_line, f"- host: {platform.processor() or platform.machine()}, "
                      f"Python {platform.python_version()}; 2 CPU cores shared with other work"])
    print(body)
    record_section("c_wasm", f"python bench/c_wasm.py --horizon {args.horizon} --sample {args.sample} "
                   f"--n {args.n}", body)


if __name__ == "__main__":
    main()
