"""Time for our method (Jacobi-preconditioned Levenberg–Marquardt on 1 − R², neural/newton.py) to bring the
`chang-lipson` quine (20,100 predicted parameters) to R² ≥ 0.99, zero_quine false, on this
machine's CPU.  Writes the `## neural newton` section of bench/RESULTS.md.

Run: .venv/bin/python bench/neural_newton.py [--max-epochs N] [--cg-iterations I] [--threads T] [--device auto|cpu|cuda]
"""
from __future__ import annotations

import argparse
import platform
import time

import torch
from record import record_section

from neural.config import TrainConfig, preset
from neural.newton import PROBES
from neural.population import evaluate, resolve_device, start

TARGET_R2 = 0.99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-epochs", type=int, default=400)
    parser.add_argument("--cg-iterations", type=int, default=50)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    config = TrainConfig(quine=preset("chang-lipson"), method="newton", cg_iterations=args.cg_iterations)
    model, method, (initial_rms,) = start(config, device)
    started = time.perf_counter()
    trace = []
    refused = 0
    for epoch in range(1, args.max_epochs + 1):
        previous = method.theta.detach().clone()
        method.run_epoch()
        refused += int(torch.equal(previous, method.theta.detach()))
        (m,) = evaluate(model, method.theta.detach(), [initial_rms])
        elapsed = time.perf_counter() - started
        trace.append((epoch, elapsed, m.r2))
        print(f"epoch {epoch:4d}  {elapsed:8.1f} s  r2={m.r2:.5f}  rms={m.rms:.4f}  zero_quine={m.zero_quine}",
              flush=True)
        if m.r2 >= TARGET_R2:
            break
    reached = m.r2 >= TARGET_R2 and not m.zero_quine
    milestones = [next(((e, t) for e, t, r in trace if r >= level), None) for level in (0.5, 0.9, 0.99)]
    command = (f".venv/bin/python bench/neural_newton.py --cg-iterations {args.cg_iterations} "
               f"--device {args.device} --threads {args.threads}")
    lines = [
        f"Machine: {platform.processor() or platform.machine()}, device {device}, torch {torch.__version__}, "
        f"{args.threads} thread(s)",
        "",
        f"- chang-lipson, 20,100 parameters, seed 0, He init, {args.cg_iterations} preconditioned CG iterations "
        f"per step ({args.cg_iterations} J·v and {args.cg_iterations + PROBES + 1} Jᵀ·u products), "
        f"{refused} step(s) refused",
        f"- reached R² ≥ {TARGET_R2} with zero_quine false: **{reached}** after {epoch} steps, "
        f"{elapsed:.0f} s wall",
        f"- final: R² = {m.r2:.5f}, sr_loss = {m.sr_loss:.4g}, loss/Σθ² = {m.relative_loss:.4g}, "
        f"rms = {m.rms:.4f} (initial {initial_rms:.4f}), MAE = {m.mae:.4g}",
    ]
    for level, hit in zip((0.5, 0.9, 0.99), milestones, strict=False):
        if hit is not None:
            lines.append(f"- R² ≥ {level}: step {hit[0]}, {hit[1]:.0f} s")
    record_section("neural newton", command, "\n".join(lines))


if __name__ == "__main__":
    main()
