"""The experiment functions a sweep task calls (registered in `rsi.app.sweep.experiments`).

Each one runs an existing job of the toolkit through its Python entry point, not its command
line, and returns a flat JSON-able dict of metrics without wall time or throughput, so that
the same parameters and seed give the same metrics on any executor.  The experiments'
own modules are imported inside the functions (the `rsi` core imports none of them).  Work
inside one task is single-threaded (torch threads, soup engine threads): the sweep's
parallelism is across tasks, and a fixed thread count keeps floating-point sums reproducible.

- `chain`: `quines_text.chain.run_chain` (Mahoney 2008, section Recursive Self Improvement
  and the Theorem);
- `neural`: one net of `neural.population.train` on the CPU (Chang & Lipson 2018);
- `soup`: `quines_text.soup.run.run_soup` (Computational Life, Aguera y Arcas et al. 2024).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any


def _chain_source(lang: str | None, file: str | None, start: int) -> tuple[str, str]:
    """P_1's text and language: the file (language from its extension unless given), or
    the successor template of `lang` (python by default) with marked integer `start`."""
    from quines_text.machines import lang_from_path
    from quines_text.quine import SUCCESSOR_TEMPLATES, make_successor

    if file is not None:
        return Path(file).read_bytes().decode("utf-8"), lang or lang_from_path(file)
    lang = lang or "python"
    if lang not in SUCCESSOR_TEMPLATES:
        raise ValueError(f"no successor template for {lang!r}; templates: "
                         f"{', '.join(sorted(SUCCESSOR_TEMPLATES))} (or give a file)")
    return make_successor(SUCCESSOR_TEMPLATES[lang], lang, start), lang


def check_chain(*, lang: str | None, n: int, file: str | None, start: int, goal: str,
                horizon: int, probe: int) -> None:
    """ValueError for a machine that does not exist or a language without P_1."""
    from quines_text.machines import MACHINE_MODULES, lang_from_path

    if lang is not None and lang not in MACHINE_MODULES:
        raise ValueError(f"unknown machine {lang!r}; machines: {', '.join(sorted(MACHINE_MODULES))}")
    if file is None:
        _chain_source(lang, None, start)
    elif lang is None:
        lang_from_path(file)


def chain(*, lang: str | None, n: int, file: str | None, start: int, goal: str, horizon: int,
          probe: int) -> dict[str, Any]:
    """Run the chain P_1 .. P_n and return its verdicts, sizes and fitted bounds."""
    from quines_text.chain import run_chain
    from rsi.goals import goal_by_name

    source, lang = _chain_source(lang, file, start)
    goal_function = None if goal == "none" else goal_by_name(goal)
    report = run_chain(source, lang, n, goal=goal_function, goal_name=goal, horizon=horizon,
                       probe_t=probe)
    last = report.links[-1]
    return {
        "holds": report.holds,
        "links": len(report.links),
        "all_links_verified": report.all_links_verified,
        "all_improve": report.all_improve if goal_function is not None else None,
        "constructive_verified": report.constructive.verified,
        "stopped": report.stopped,
        "last_bytes": last.complexity.bytes,
        "last_lzma": last.complexity.compressed.get("lzma"),
        "last_probe": last.probe,
        "description_bytes": report.constructive.bytes[-1],
        "fit_a": report.fit.a if report.fit else None,
        "fit_b": report.fit.b if report.fit else None,
        "fit_rms": report.fit.rms if report.fit else None,
    }


def neural_config(*, seed: int = 0, arch: str, task: str, width: int | None, method: str,
                  epochs: int, lr: float, optimizer: str, init: str, batch_size: int,
                  aux_lambda: float) -> Any:
    """The `neural.config.TrainConfig` of one net (population 1); ValueError if invalid."""
    from neural.config import TrainConfig, preset

    return TrainConfig(quine=preset(arch, task, width), method=method, epochs=epochs,
                       population=1, seed=seed, optimizer=optimizer, lr=lr, init=init,
                       batch_size=batch_size, aux_lambda=aux_lambda)


def neural(*, seed: int, **params: Any) -> dict[str, Any]:
    """Train one quine net with `seed` on the CPU (one thread) and return its metrics."""
    import torch

    from neural.population import train

    torch.set_num_threads(1)
    result = train(neural_config(seed=seed, **params), device="cpu")
    metrics = result.nets[0].to_dict()
    metrics.pop("seed")
    return {**metrics, "epochs_done": result.epochs_done}


def soup_config(*, seed: int = 0, programs: int, epochs: int, variant: str, mutation_rate: float,
                max_steps: int, metrics_every: int) -> Any:
    """The `quines_text.soup.pool.SoupConfig` (one engine thread); ValueError if invalid."""
    from quines_text.soup.pool import SoupConfig

    return SoupConfig(programs=programs, max_steps=max_steps, variant=variant,
                      mutation_rate=mutation_rate, seed=seed, threads=1)


def soup(*, seed: int, epochs: int, metrics_every: int, **params: Any) -> dict[str, Any]:
    """Evolve a soup for `epochs` epochs and return its closing measurements."""
    from quines_text.soup.pool import Soup
    from quines_text.soup.run import run_soup

    config = soup_config(seed=seed, epochs=epochs, metrics_every=metrics_every, **params)
    report, _ = run_soup(Soup(config), epochs, metrics_every=metrics_every)
    last, replicator = report.last, report.replicator
    return {
        "epoch": report.epoch,
        "transition_epoch": report.transition_epoch,
        "high_order_entropy": last.high_order_entropy,
        "shannon_entropy": last.shannon_entropy,
        "compressed_bits_per_byte": last.compressed_bits_per_byte,
        "distinct_programs": last.distinct_programs,
        "top_program": last.top_programs[0][0],
        "copy_fraction": replicator.copy_fraction,
        "byte_match": replicator.byte_match,
        "copied_span": replicator.span_length,
        "is_replicator": replicator.is_replicator,
    }
