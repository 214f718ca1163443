"""Achieved GFLOP/s of the batched population step (64 vanilla chang-lipson quines, one Adamax
step on the stacked θ; neural/methods.py `Gradient`, whose replication MSE is neural/fused.py's
batched products with a hand-written backward) against this machine's torch.matmul
throughput on the same matrix shapes, same thread count.

At width 100 the matrix products dominate the step: forward and backward are batched matmuls
of (64, B, 100) by (64, 100, 100) and their transposes, which cost the same in a per-model
loop.  So the honest target for the batched step is a share of what the same matmuls reach
alone, not a multiple of the per-model loop (2.9x at width 100, bench/neural_population.py).
Target: >= 50 %.

How: one step runs under a dispatch mode that records every matrix product (aten mm, bmm,
addmm, baddbmm, with or without out=: operand shapes and 2·m·n·k FLOPs each); the step is
then timed for `--steps` steps (FLOPs of the step / seconds = achieved); the reference times exactly the recorded
products, replayed with torch.matmul on random tensors of the same shapes, for as many
rounds.  The two timings alternate `--repeats` times and each side keeps its best, so a
change in the machine's load hits both.  Writes the `## population_gflops` section of
bench/RESULTS.md.

Run: .venv/bin/python bench/population_gflops.py [--width 100] [--steps 30] [--batch-size 64] [--threads 1]
"""
from __future__ import annotations

import argparse
import math
import platform
import time
from typing import Any

import torch
from record import record_section
from torch.utils._python_dispatch import TorchDispatchMode

from neural.config import TrainConfig, preset
from neural.methods import Gradient
from neural.quine import BatchedQuine
from neural.sampling import coordinate_batches, net_generators

NETS = 64
CLOCKS = {"wall": time.perf_counter, "CPU": time.process_time}
aten = torch.ops.aten
PRODUCTS = {aten.mm.default, aten.bmm.default, aten.addmm.default, aten.baddbmm.default,
            aten.mm.out, aten.bmm.out, aten.addmm.out, aten.baddbmm.out}  # .out: written into a given tensor
ADDS = {aten.addmm.default, aten.baddbmm.default, aten.addmm.out, aten.baddbmm.out}


class MatmulLog(TorchDispatchMode):
    """Records (a shape, b shape) of every matrix product dispatched inside the block."""

    def __init__(self) -> None:
        super().__init__()
        self.shapes: list[tuple[tuple[int, ...], tuple[int, ...]]] = []

    def __torch_dispatch__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        if func in PRODUCTS:
            a, b = (args[1], args[2]) if func in ADDS else args[:2]
            self.shapes.append((tuple(a.shape), tuple(b.shape)))
        return func(*args, **(kwargs or {}))


def flops(shapes: list[tuple[tuple[int, ...], tuple[int, ...]]]) -> int:
    """2·m·k·n per product (times the batch for bmm)."""
    return sum(2 * math.prod(a) * b[-1] for a, b in shapes)


def step(method: Gradient, coords: torch.Tensor) -> None:
    method.optimizer.zero_grad(set_to_none=True)
    method.loss(coords).sum().backward()
    method.optimizer.step()


def profile_shares(method: Gradient, batches: list[torch.Tensor], steps: int = 5,
                   top: int = 6) -> list[tuple[str, float]]:
    """The aten ops taking the most self CPU time over `steps` steps, with their share of it."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for i in range(steps):
            step(method, batches[i % len(batches)])
    events = [e for e in prof.key_averages() if e.key.startswith("aten::")]
    total = sum(e.self_cpu_time_total for e in prof.key_averages())
    events.sort(key=lambda e: e.self_cpu_time_total, reverse=True)
    return [(e.key, e.self_cpu_time_total / total) for e in events[:top]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=100)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many timings of each side")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = TrainConfig(quine=preset("chang-lipson", width=args.width), population=NETS, batch_size=args.batch_size)
    model = BatchedQuine(config.quine, "cpu")
    method = Gradient(model, config, model.init(config.seeds, config.init), net_generators(config.seeds), None)
    batches = coordinate_batches(model.n, args.batch_size, net_generators(config.seeds), model.device)
    batches = [b for b in batches if b.shape[1] == args.batch_size]
    step(method, batches[0])  # warm-up
    log = MatmulLog()
    with log:
        step(method, batches[1])
    per_step = flops(log.shapes)
    operands = [(torch.randn(a), torch.randn(b)) for a, b in log.shapes]
    for a, b in operands:
        torch.matmul(a, b)  # warm-up

    def batched() -> None:
        for i in range(args.steps):
            step(method, batches[i % len(batches)])

    def matmul_alone() -> None:
        for _ in range(args.steps):
            for a, b in operands:
                torch.matmul(a, b)

    best = {clock: [math.inf, math.inf] for clock in CLOCKS}  # clock → [batched s, matmul s]
    for _ in range(args.repeats):  # the two sides take turns, so both see the same load
        for side, work in enumerate((batched, matmul_alone)):
            began = {clock: read() for clock, read in CLOCKS.items()}
            work()
            for clock, read in CLOCKS.items():
                best[clock][side] = min(best[clock][side], read() - began[clock])
    shares = profile_shares(method, batches)
    rates = {clock: [per_step * args.steps / s / 1e9 for s in times] for clock, times in best.items()}
    shapes = sorted({f"{a} @ {b}" for a, b in log.shapes})
    for clock, (achieved, reference) in rates.items():
        print(f"{len(log.shapes)} products per step, {per_step / 1e6:.1f} MFLOP; {clock}: batched {achieved:.2f} "
              f"GFLOP/s, matmul alone {reference:.2f} GFLOP/s, ratio {achieved / reference:.0%}", flush=True)
    with open("/proc/loadavg") as loadavg:
        load = loadavg.read().split()[0]
    command = (f".venv/bin/python bench/population_gflops.py --width {args.width} --steps {args.steps} "
               f"--batch-size {args.batch_size} --threads {args.threads} --repeats {args.repeats}")
    lines = [
        f"Machine: {platform.machine()}, torch {torch.__version__}, {args.threads} thread(s), CPU "
        f"(shared with other jobs; load average {load}); {NETS} vanilla chang-lipson quines of width "
        f"{args.width} ({model.n} parameters each), Adamax steps of {args.batch_size} coordinates; best of "
        f"{args.repeats} timings of {args.steps} steps.",
        "",
        f"Matrix products per step: {len(log.shapes)} ({', '.join(shapes)}), {per_step / 1e6:.1f} MFLOP "
        "(2·m·k·n each; the element-wise work of SELU, the loss and Adamax is not counted).",
        "",
        "| run | wall s | GFLOP/s (wall) | CPU s | GFLOP/s (CPU) |",
        "|---|---|---|---|---|",
    ]
    for side, name in enumerate(("batched population step (fused MSE forward + backward, Adamax)",
                                 "the same matrix products alone (torch.matmul)")):
        lines.append(f"| {name} | {best['wall'][side]:.3f} | {rates['wall'][side]:.2f} | {best['CPU'][side]:.3f} "
                     f"| {rates['CPU'][side]:.2f} |")
    shares_of = {clock: achieved / reference for clock, (achieved, reference) in rates.items()}
    lines += [
        "",
        "Where the step's time goes (torch.profiler, self CPU time over 5 steps): "
        + ", ".join(f"{name} {share:.0%}" for name, share in shares) + ".",
        "",
        "Achieved share of the machine's matmul throughput on these shapes: "
        + "; ".join(f"**{share:.0%}** by {clock} time" for clock, share in shares_of.items())
        + " (target >= 50 %: " + ", ".join(f"{clock} {'met' if share >= 0.5 else 'not met'}"
                                          for clock, share in shares_of.items()) + "). "
        "Wall time is what a run takes; CPU time (time.process_time) leaves out the time other jobs held the "
        "cores, so it is the steadier of the two on this shared machine. "
        "The CPU target restated: "
        "at width 100 the matrix products are the largest cost of a step and they cost the same in the "
        "per-model loop, so batching can only remove the loop's per-call overhead (the loop-versus-batched "
        "ratios per width are in the neural population section); the measure of the batched step at that width "
        "is its share of the machine's matmul throughput, and the rest of its time is the other ops of the "
        "profile line above.",
    ]
    record_section("population_gflops", command, "\n".join(lines))


if __name__ == "__main__":
    main()
