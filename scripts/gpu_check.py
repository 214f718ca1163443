"""The prepared GPU check (run by scripts/gpu_check.sh): four timings on a CUDA machine, written
to one JSON file.

1. `population`: 64 vanilla chang-lipson quines of width 100, Adamax steps batched with
   torch.func (one vmap over the stacked θ) against a per-model loop, both on the device
   (bench/neural_population.py's two sides, same weights and batches).
2. `newton`: seconds for our method (neural/newton.py, 50 CG iterations) to bring the full
   chang-lipson quine (20,100 parameters) to R² >= 0.99 with zero_quine false.
3. `weights`: the weights stage of `rsi report`'s full preset (newton on the device, its
   replay too; self-training and regeneration on the CPU), its seconds and per-series results.
4. `phoenix`: one full-size DeepPhoenix iteration (Sheng's defaults, neural/phoenix/), timed
   by its pieces — seconds per training step and to sample C candidates — and extrapolated as
   bench/phoenix_full_size.py does (a whole iteration is about 5,000 steps: not run here).

--dry-run runs every part at CPU sizes (width 8, a few steps, the tiny report preset, the
quick DeepPhoenix preset) in well under a minute, so the script is tested without a GPU.
Every part is timed and guarded: a part that fails records its error and the rest still run.

Run: python scripts/gpu_check.py --out gpu_check.json [--dry-run] [--device auto|cpu|cuda]
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))  # bench/neural_population.py's two sides
sys.path.insert(0, str(ROOT))

NETS = 64
TARGET_R2 = 0.99


def environment(device: str) -> dict[str, Any]:
    import torch

    found: dict[str, Any] = {"python": platform.python_version(), "machine": platform.machine(),
                             "torch": torch.__version__, "cuda_available": torch.cuda.is_available(),
                             "device": device, "threads": torch.get_num_threads()}
    if torch.cuda.is_available():
        found["device_name"] = torch.cuda.get_device_name(0)
        found["cuda"] = torch.version.cuda
    return found


def _sync(device: Any) -> None:
    import torch

    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def population(device: str, dry: bool) -> dict[str, Any]:
    import torch
    from neural_population import batched, looped

    from neural.config import TrainConfig, preset
    from neural.quine import BatchedQuine
    from neural.sampling import coordinate_batches, net_generators

    width, steps, batch_size = (8, 3, 64) if dry else (100, 20, 64)
    config = TrainConfig(quine=preset("chang-lipson", width=width), population=NETS, batch_size=batch_size)
    model = BatchedQuine(config.quine, device)
    generators = net_generators(config.seeds)
    batches: list[torch.Tensor] = []
    while len(batches) < steps + 1:
        batches += coordinate_batches(model.n, batch_size, generators, model.device)
    batches = [b for b in batches if b.shape[1] == batch_size][: steps + 1]
    batched(model, config, batches[:1])  # warm-up: vmap tracing, allocator, kernels
    t_batched, theta_b = batched(model, config, batches[1:])
    t_loop, theta_l = looped(model, config, batches[1:])
    return {"nets": NETS, "width": width, "parameters_per_net": model.n, "steps": steps, "batch_size": batch_size,
            "batched_s": t_batched, "loop_s": t_loop, "loop_over_batched": t_loop / t_batched,
            "same_weights": bool(torch.allclose(theta_b.cpu(), theta_l.cpu(), atol=1e-4))}


def newton(device: str, dry: bool) -> dict[str, Any]:
    from neural.config import TrainConfig, preset
    from neural.population import evaluate, start

    width, max_steps, cg = (8, 4, 5) if dry else (100, 80, 50)
    config = TrainConfig(quine=preset("chang-lipson", width=width), method="newton", cg_iterations=cg)
    model, method, (initial_rms,) = start(config, device)
    began = time.perf_counter()
    trace = []
    for step in range(1, max_steps + 1):
        method.run_epoch()
        (metrics,) = evaluate(model, method.theta.detach(), [initial_rms])
        _sync(device)
        trace.append({"step": step, "seconds": time.perf_counter() - began, "r2": metrics.r2,
                      "zero_quine": metrics.zero_quine})
        if metrics.r2 >= TARGET_R2 and not metrics.zero_quine:
            break
    reached = trace[-1]["r2"] >= TARGET_R2 and not trace[-1]["zero_quine"]
    return {"width": width, "parameters": model.n, "cg_iterations": cg, "target_r2": TARGET_R2,
            "reached": reached, "steps": trace[-1]["step"], "seconds": trace[-1]["seconds"],
            "final_r2": trace[-1]["r2"], "trace": trace}


def weights(device: str, dry: bool) -> dict[str, Any]:
    from rsi.app.report import FULL, TINY
    from rsi.app.report.weights import weights_stage

    sizes = TINY if dry else FULL
    began = time.perf_counter()
    result = weights_stage(sizes, device, lambda label: None)
    seconds = time.perf_counter() - began
    series = {name: {"parameters": chain["parameters"], "steps": chain["generations"],
                     "device": chain["process"]["device"], "final": chain["metrics"][-1],
                     "replay": chain["replay"], "float32_lzma": chain["sizes"]["32"][-1],
                     "bound": chain["bounds"][-1]["total"], "bound_lzma": chain["bounds"][-1]["compressed"]}
              for name, chain in result["series"].items()}
    return {"preset": sizes.name, "seconds": seconds, "series": series, "theorem": result["theorem"]}


def phoenix(device: str, dry: bool) -> dict[str, Any]:
    import math

    import torch

    from neural.phoenix.data import make_dataset
    from neural.phoenix.model import build_model, encode_pairs, generate, train
    from neural.phoenix.records import PhoenixConfig
    from neural.phoenix.sandbox import execute_candidate

    config, steps = (PhoenixConfig.quick(), 1) if dry else (PhoenixConfig(), 5)
    source = config.base.source()
    data = encode_pairs(make_dataset(max(config.batch_size * (steps + 1), 64), 0, config.base.d_model))
    model_config = execute_candidate(source).config
    if model_config is None:
        raise RuntimeError("the base DeepPhoenix model source did not run in the sandbox")
    model = build_model(model_config, 0, torch.device(device))
    train(model, data, steps=1, batch_size=config.batch_size, lr=config.lr, seed=0)  # warm-up
    _sync(device)
    began = time.perf_counter()
    train(model, data, steps=steps, batch_size=config.batch_size, lr=config.lr, seed=0)
    _sync(device)
    step_s = (time.perf_counter() - began) / steps
    began = time.perf_counter()
    generate(model, source, config.candidates, seed=0)
    _sync(device)
    sample_s = time.perf_counter() - began
    few_shot_steps = math.ceil(config.few_shot_samples / config.batch_size)
    iteration_steps = config.train_steps + (1 + config.search_batches * config.candidates) * few_shot_steps
    return {"preset": "quick" if dry else "full size (paper defaults)", "timed_steps": steps, "step_s": step_s,
            "sample_s": sample_s, "iteration_steps": iteration_steps,
            "iteration_s_extrapolated": iteration_steps * step_s + config.search_batches * sample_s,
            "note": "one iteration extrapolated from the timed steps (every candidate valid and distinct)"}


PARTS: dict[str, Callable[[str, bool], dict[str, Any]]] = {
    "population": population, "newton": newton, "weights": weights, "phoenix": phoenix}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("gpu_check.json"))
    parser.add_argument("--dry-run", action="store_true", help="CPU sizes, well under a minute")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated subset of " + ",".join(PARTS))
    args = parser.parse_args(argv)
    try:
        import torch

        from neural.population import resolve_device
    except ImportError as error:  # no torch or no project here: say so in the JSON too
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"dry_run": args.dry_run, "environment": {"error": str(error)}}) + "\n")
        print(f"gpu_check: cannot import what the check needs: {error}", file=sys.stderr)
        return 2

    parts = [part for part in args.parts.split(",") if part]
    unknown = [part for part in parts if part not in PARTS]
    if unknown:
        print(f"gpu_check: unknown part(s) {', '.join(unknown)}; parts: {', '.join(PARTS)}", file=sys.stderr)
        return 2
    try:
        device = str(resolve_device("cpu" if args.dry_run and args.device == "auto" else args.device))
    except ValueError as error:
        print(f"gpu_check: {error}", file=sys.stderr)
        return 2
    torch.set_num_threads(1 if args.dry_run else torch.get_num_threads())
    report: dict[str, Any] = {"dry_run": args.dry_run, "environment": environment(device)}
    began = time.perf_counter()
    for name in parts:
        started = time.perf_counter()
        try:
            report[name] = {"ok": True, **PARTS[name](device, args.dry_run)}
        except Exception as error:  # a failed part is recorded, the rest still run
            report[name] = {"ok": False, "error": f"{type(error).__name__}: {error}",
                            "traceback": traceback.format_exc(limit=5)}
        report[name]["wall_s"] = time.perf_counter() - started
        print(f"gpu_check: {name} {'done' if report[name]['ok'] else 'FAILED'} in {report[name]['wall_s']:.1f} s",
              file=sys.stderr, flush=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({**report, "total_s": time.perf_counter() - began}, indent=2) + "\n")
    return 0 if all(report[name]["ok"] for name in parts) else 1


if __name__ == "__main__":
    sys.exit(main())
