"""How often DeepPhoenix's sampled candidates are valid, per decoding and training length, at the
`--quick` sizes (Sheng, section 3: "randomly generates 8 refined source code candidates").

For each (learning rate, training steps) the quick preset's base model is trained on the quick
dataset; then, for each decoding, C = 8 candidates of its own source are generated with each
of `--seeds` seeds, run in the sandbox (`neural.phoenix.sandbox.execute_candidate`), and
counted: valid, and valid + distinct + different from the query (the ones a search can use).
The baseline row is the preset's former setting (40 steps at lr 3e-3, temperature 1.0).
"""
from __future__ import annotations

import argparse
import time
from dataclasses import replace

import torch
from record import record_section

from neural.phoenix.data import make_dataset
from neural.phoenix.model import build_model, encode_pairs, generate, train
from neural.phoenix.records import PhoenixConfig
from neural.phoenix.sandbox import execute_candidate

DECODINGS = {"T 1.0": dict(temperature=1.0), "T 0.7": dict(temperature=0.7),
             "T 0.5": dict(temperature=0.5), "T 0.3": dict(temperature=0.3),
             "T 1.0, top-k 5": dict(temperature=1.0, top_k=5),
             "T 1.0, top-p 0.9": dict(temperature=1.0, top_p=0.9)}
CANDIDATES = 8


def count(model, source: str, decoding: dict, seeds: int) -> tuple[int, int]:
    """(valid, usable) among seeds * CANDIDATES samples; usable: valid, distinct, not the query."""
    valid, usable = 0, set()
    for seed in range(seeds):
        for text in generate(model, source, CANDIDATES, seed, **decoding):
            if execute_candidate(text).status == "valid":
                valid += 1
                if text != source:
                    usable.add(text)
    return valid, len(usable)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    quick = PhoenixConfig.quick()
    source = quick.base.source()
    settings = [(3e-3, 40), (3e-3, 150), (1e-2, 100), (1e-2, 150)]
    n = args.seeds * CANDIDATES
    with open("/proc/loadavg") as loadavg:
        load = loadavg.read().split()[0]
    lines = [f"{torch.get_num_threads()} torch thread(s), CPU; load average "
             f"{load}.  Cells: valid / usable (valid, "
             f"distinct, not the query) of {n} candidates ({args.seeds} seeds x {CANDIDATES}).", "",
             "| lr | steps | held-out loss | train s | " + " | ".join(DECODINGS) + " |",
             "|---|---|---|---|" + "---|" * len(DECODINGS)]
    for lr, steps in settings:
        config = replace(quick, lr=lr, train_steps=steps)
        data = encode_pairs(make_dataset(config.dataset_size, config.seed, config.base.d_model))
        heldout = encode_pairs(make_dataset(config.heldout_size, config.seed + 1, config.base.d_model))
        model = build_model(execute_candidate(source).config, config.seed, torch.device("cpu"))
        start = time.perf_counter()
        run = train(model, data, steps=steps, batch_size=config.batch_size, lr=lr,
                    seed=config.seed, heldout=heldout, budgets=[steps])
        seconds = time.perf_counter() - start
        cells = [f"{v} / {u}" for v, u in (count(model, source, d, args.seeds)
                                          for d in DECODINGS.values())]
        lines.append(f"| {lr:g} | {steps} | {run.heldout_losses[-1]:.3f} | {seconds:.1f} | "
                     + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    lines += ["", f"Baseline: the first row (the former --quick). The preset now trains "
              f"{quick.train_steps} steps at lr {quick.lr:g} and samples at temperature "
              f"{quick.temperature}."]
    body = "\n".join(lines)
    print(body)
    record_section("phoenix_decoding",
                   f"python bench/phoenix_decoding.py --seeds {args.seeds} --threads {args.threads}",
                   body)


if __name__ == "__main__":
    main()
