"""Generate the README's neural-quine reproduction table: the numbers of Chang & Lipson
2018 and of the seed blog (papers/NOTES.md) beside ours, measured here on the CPU, with R²,
loss/Σθ² and the zero-quine flag beside every loss.

Run: .venv/bin/python scripts/reproduction_table.py [--epochs 30] [--generations 10] [--seed 0]
Prints a markdown table on stdout (progress on stderr).
"""
from __future__ import annotations

import argparse
import sys
import time

import torch

from neural.config import TrainConfig, preset
from neural.metrics import QuineMetrics
from neural.population import train

LAMBDAS = (0.01, 0.1, 1.0)


def experiments(epochs: int, generations: int, seed: int) -> list[tuple[str, str, TrainConfig]]:
    """(row label, the reference's number, configuration) for every row of the table."""
    cl, blog = preset("chang-lipson"), preset("blog")
    rows = [
        ("Chang & Lipson vanilla, Adamax", "loss 32.10 (from 90.16)",
         TrainConfig(quine=cl, method="gradient", epochs=epochs, seed=seed)),
        ("Chang & Lipson vanilla, regeneration + Adamax", "loss 0.86",
         TrainConfig(quine=cl, method="regeneration", epochs=generations, seed=seed)),
        ("blog vanilla, gradient", "MAE 0.012, MSE 0.0005",
         TrainConfig(quine=blog, method="gradient", epochs=epochs, seed=seed)),
        ("blog vanilla, regeneration", "MAE 6.5e-8, MSE 6.6e-15 (zero quine)",
         TrainConfig(quine=blog, method="regeneration", epochs=generations, seed=seed)),
    ]
    blog_accuracies = ("0.8648", "0.847", "0.8455")  # the blog's three (unstated) λ, in its order
    for lam, accuracy in zip(LAMBDAS, blog_accuracies, strict=False):
        rows.append((f"blog auxiliary, λ = {lam}", f"accuracy {accuracy}",
                     TrainConfig(quine=preset("blog", "auxiliary"), epochs=epochs, aux_lambda=lam, seed=seed)))
    rows.append(("blog solo classifier", "accuracy 0.9382",
                 TrainConfig(quine=preset("blog", "solo"), epochs=epochs, seed=seed)))
    return rows


def row(label: str, reference: str, m: QuineMetrics) -> str:
    flag = "diverged" if m.diverged else ("**yes**" if m.zero_quine else "no")
    accuracy = "—" if m.accuracy is None else f"{m.accuracy:.4f}"
    return (f"| {label} | {reference} | {m.sr_loss:.4g} | {m.mae:.3g} | {m.mse:.3g} | {m.r2:.4f} | "
            f"{m.relative_loss:.3g} | {m.rms:.3g} | {flag} | {accuracy} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--generations", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    lines = [
        f"Measured on the CPU (1 thread), seed {args.seed}, {args.epochs} epochs "
        f"({args.generations} regeneration generations); command: "
        f"`.venv/bin/python scripts/reproduction_table.py --epochs {args.epochs} "
        f"--generations {args.generations} --seed {args.seed}`.",
        "",
        "| experiment | reference | sr_loss | MAE | MSE | R² | loss/Σθ² | rms ‖θ‖/√n | zero quine | test accuracy |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, reference, config in experiments(args.epochs, args.generations, args.seed):
        started = time.perf_counter()
        result = train(config, device="cpu")
        print(f"{label}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        lines.append(row(label, reference, result.nets[0].metrics))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
