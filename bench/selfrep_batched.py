"""Self-replicating nets (Gabor et al. 2022), batched versus the reference code's loops.

1. Application of K weightwise nets to K targets: `neural.selfrep.net.apply` (a few batched matrix
   products) versus the reference's per-weight loop (one call of the 4 → 2 → 2 → 1 module per
   weight of each target), timed on a sample of pairs and extrapolated to K; the outputs of
   the sample are checked equal.
2. A soup of 1,000 weightwise particles for 100 generations (attack 0.1, learn-from 0.1 with
   1 step, 1 self-training step per particle and generation, divergent and zero particles
   replaced by fresh ones): `neural.selfrep.soup.run_soup`
   versus a per-particle Python loop (the reference's `Soup.evolve`: particles visited one at
   a time, each interaction on that particle alone, with the same tensor kernels), timed on a
   few generations and extrapolated.  Target: batched ≥ 20×.

Writes the `## selfrep batched` section of bench/RESULTS.md.

Run: .venv/bin/python bench/selfrep_batched.py [--nets 1000] [--sample 20] [--loop-generations 3]
"""
from __future__ import annotations

import argparse
import platform
import random
import time

import torch
from record import record_section
from torch import nn

from neural.population import resolve_device
from neural.selfrep.dynamics import DIVERGENT, ZERO, class_codes, gradient_step
from neural.selfrep.net import SelfRepNet, apply, init_weights, random_weights, weightwise_positions
from neural.selfrep.soup import SoupConfig, run_soup

NET = SelfRepNet()


def module_of(theta: torch.Tensor) -> nn.Sequential:
    layers, start = [], 0
    for out, inp in NET.layer_shapes:
        layer = nn.Linear(inp, out, bias=False)
        with torch.no_grad():
            layer.weight.copy_(theta[start: start + out * inp].view(out, inp))
        layers.append(layer)
        start += out * inp
    return nn.Sequential(*layers)


def per_weight(nets: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The reference's weightwise application: one module call per target weight."""
    positions = weightwise_positions(NET).tolist()
    rows = []
    with torch.no_grad():
        for theta, target in zip(nets, targets, strict=False):
            module = module_of(theta)
            rows.append(torch.tensor([module(torch.tensor([value, *positions[i]])).item()
                                      for i, value in enumerate(target.tolist())]))
    return torch.stack(rows)


def bench_application(nets: int, sample: int, device: torch.device) -> dict[str, float]:
    thetas, targets = init_weights(NET, list(range(nets))), init_weights(NET, list(range(nets, 2 * nets)))
    on_device = thetas.to(device), targets.to(device)
    apply(NET, *on_device)  # warm-up
    repeats = 20
    started = time.perf_counter()
    for _ in range(repeats):
        batched = apply(NET, *on_device)
    _sync(device)
    batched_s = (time.perf_counter() - started) / repeats
    started = time.perf_counter()
    looped = per_weight(thetas[:sample], targets[:sample])
    loop_s = (time.perf_counter() - started) * nets / sample
    assert torch.allclose(looped, batched[:sample].cpu(), atol=1e-5), "per-weight loop disagrees"
    return {"batched_s": batched_s, "loop_s": loop_s}


def loop_generation(theta: list[torch.Tensor], config: SoupConfig, rng: random.Random,
                    generator: torch.Generator) -> None:
    """The reference's `Soup.evolve`, one particle at a time (θ is a list of (1, n) tensors)."""
    size = len(theta)
    for i in range(size):
        if rng.random() < config.attack_rate:
            j = rng.randrange(size)
            theta[j] = apply(NET, theta[i], theta[j]).detach()
        if rng.random() < config.learn_rate:
            teacher = theta[rng.randrange(size)]
            for _ in range(config.learn_severity):
                theta[i] = gradient_step(NET, theta[i], teacher, config.lr)
        for _ in range(config.train):
            theta[i] = gradient_step(NET, theta[i], theta[i], config.lr)
        if class_codes(NET, theta[i], config.eps)[0] in (DIVERGENT, ZERO):
            theta[i] = random_weights(NET, 1, generator).to(theta[i].device)


def bench_soup(size: int, generations: int, loop_generations: int, device: torch.device) -> dict[str, float]:
    config = SoupConfig(size=size, generations=generations, attack_rate=0.1, learn_rate=0.1, learn_severity=1,
                        train=1, remove_divergent=True, remove_zero=True, seed=0)
    batched = run_soup(NET, config, device=device.type)
    theta = list(init_weights(NET, list(range(size))).to(device)[:, None])
    rng, generator = random.Random(0), torch.Generator().manual_seed(0)
    started = time.perf_counter()
    for _ in range(loop_generations):
        loop_generation(theta, config, rng, generator)
    _sync(device)
    loop_s = (time.perf_counter() - started) * generations / loop_generations
    return {"batched_s": batched.wall_s, "loop_s": loop_s, "final": batched.final}


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nets", type=int, default=1000, help="K nets (application) and soup particles")
    parser.add_argument("--generations", type=int, default=100)
    parser.add_argument("--sample", type=int, default=20, help="pairs timed in the per-weight loop")
    parser.add_argument("--loop-generations", type=int, default=3, help="generations timed in the loop soup")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    application = bench_application(args.nets, args.sample, device)
    soup = bench_soup(args.nets, args.generations, args.loop_generations, device)
    body = (
        f"Machine: {platform.processor() or platform.machine()}, torch {torch.__version__}, device {device}, "
        f"{args.threads} thread(s).\n\n"
        "| work | batched (s) | per-item loop (s, extrapolated) | ratio |\n|---|---:|---:|---:|\n"
        f"| apply {args.nets} weightwise nets to {args.nets} targets (loop: per weight, {args.sample} pairs "
        f"timed) | {application['batched_s']:.5f} | {application['loop_s']:.2f} | "
        f"{application['loop_s'] / application['batched_s']:.0f}× |\n"
        f"| soup of {args.nets} particles, {args.generations} generations (loop: per particle, "
        f"{args.loop_generations} generations timed) | {soup['batched_s']:.2f} | {soup['loop_s']:.1f} | "
        f"{soup['loop_s'] / soup['batched_s']:.0f}× |\n\n"
        f"Soup: attack 0.1, learn-from 0.1 (1 step), 1 self-training step per particle and generation, "
        f"divergent and zero particles replaced; "
        f"final classes of the batched run: {soup['final']}.  Target: soup ≥ 20×."
    )
    command = ".venv/bin/python bench/selfrep_batched.py " + " ".join(
        f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items())
    record_section("selfrep batched", command, body)
    print(body)


if __name__ == "__main__":
    main()
