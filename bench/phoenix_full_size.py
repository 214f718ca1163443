"""How long a full-size DeepPhoenix run (Sheng's defaults: I = 10, C = 8, B = 8, M = 1024, the
2 + 2-layer d_ff 1024 T5 at codet5-small's width 512) takes on this machine, extrapolated from
measured pieces, beside the `--quick` preset measured in the same run (the baseline).

Measured: seconds per AdamW step of the training stage and of the few-shot evaluation (the
same step at batch 16), and seconds to sample C candidates.  Extrapolated: one iteration =
train_steps steps + (1 + B·C)·ceil(M / batch) few-shot steps (every candidate valid and
distinct: the upper bound; invalid or repeated candidates cost only a sandbox run) + B
samplings; the run = I iterations + the final training stage.  Candidates change the model
size, so the per-step time of the base model is an estimate of theirs.
"""
from __future__ import annotations

import argparse
import math
import platform
import time

import torch
from record import record_section

from neural.phoenix.data import make_dataset
from neural.phoenix.model import build_model, encode_pairs, generate, train
from neural.phoenix.records import PhoenixConfig
from neural.phoenix.sandbox import execute_candidate


def measure(config: PhoenixConfig, steps: int) -> dict:
    source = config.base.source()
    model_config = execute_candidate(source).config
    data = encode_pairs(make_dataset(max(config.batch_size * (steps + 1), 64), 0, config.base.d_model))
    model = build_model(model_config, 0, torch.device("cpu"))
    train(model, data, steps=1, batch_size=config.batch_size, lr=config.lr, seed=0)  # warm-up
    start = time.perf_counter()
    train(model, data, steps=steps, batch_size=config.batch_size, lr=config.lr, seed=0)
    step_s = (time.perf_counter() - start) / steps
    start = time.perf_counter()
    generate(model, source, config.candidates, seed=0)
    sample_s = time.perf_counter() - start
    few_shot_steps = math.ceil(config.few_shot_samples / config.batch_size)
    per_iteration = (config.train_steps * step_s
                     + (1 + config.search_batches * config.candidates) * few_shot_steps * step_s
                     + config.search_batches * sample_s)
    total = config.iterations * per_iteration + config.train_steps * step_s
    return {"step_s": step_s, "sample_s": sample_s, "iteration_s": per_iteration, "run_s": total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3, help="timed steps per preset")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = {"full size (paper defaults)": PhoenixConfig(), "--quick": PhoenixConfig.quick()}
    measured = {name: measure(config, args.steps) for name, config in rows.items()}
    with open("/proc/loadavg") as loadavg:
        load = loadavg.read().split()[0]
    lines = [f"Machine: {platform.machine()}, {torch.get_num_threads()} torch threads, CPU only "
             f"(shared with other jobs; load average {load}).",
             "", "| preset | s/step | s to sample C | one iteration (extrapolated) | "
             "whole run (extrapolated) |", "|---|---|---|---|---|"]
    for name, m in measured.items():
        lines.append(f"| {name} | {m['step_s']:.3f} | {m['sample_s']:.2f} | "
                     f"{m['iteration_s'] / 3600:.2f} h | {m['run_s'] / 3600:.2f} h |")
    full, quick = measured["full size (paper defaults)"], measured["--quick"]
    lines += ["", f"Ratio of step times (full / quick): **{full['step_s'] / quick['step_s']:.0f}x**. "
              "The full-size figures are extrapolations from the timed steps (every candidate "
              "assumed valid and distinct), not a completed run."]
    body = "\n".join(lines)
    print(body)
    record_section("phoenix_full_size",
                   f"python bench/phoenix_full_size.py --steps {args.steps} --threads {args.threads}",
                   body)


if __name__ == "__main__":
    main()
