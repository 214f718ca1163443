"""How big each experiment of `rsi report` is: one frozen record per preset.

`QUICK` is what `make demo` runs (`rsi report --quick`: a few minutes on 2 CPU cores), `FULL`
the default, and `TINY` the smallest sizes that still exercise every stage through the same
code (the report's own tests; `rsi report --sizes tiny`).  Every experiment is seeded by
`seed`, so a preset fixes the whole report.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ReportSizes:
    name: str
    seed: int = 0
    chain_links: int = 12  # P_1 .. P_n of the Example 6 C chain and the Python chain
    chain_horizon: int = 12  # improvement of the C chain checked for t = 0 .. horizon
    prove_examples: int = 60  # cases per property law of the proof obligations
    quine_width: int = 32  # chang-lipson width of the quine-curve and auxiliary nets
    quine_epochs: int = 20  # epochs per method for the training curves
    methods: tuple[str, ...] = ("gradient", "regeneration", "evolution", "newton")
    aux_lambdas: tuple[float, ...] = (0.001, 0.01, 0.1, 1.0)
    aux_epochs: int = 10
    weight_width: int = 64  # chang-lipson width of the regeneration chain (8,256 parameters)
    generations: int = 20  # regeneration generations n = 1 .. N
    replay_all_up_to: int = 12  # D_n replayed for every n up to this, then a sample
    newton_width: int = 100  # chang-lipson width of the newton chain (width 100: 20,100 parameters)
    newton_steps: int = 40  # newton steps n = 1 .. N of the weights stage
    newton_cg_iterations: int = 50  # conjugate-gradient iterations per newton step
    newton_replay_all_up_to: int = 2  # newton D_n replayed for n up to this, the powers of two and N
    selfrep_points: int = 24  # recorded n of the self-training chain (log-spaced in 1 .. selfrep_epochs)
    bits: tuple[int, ...] = (4, 8, 16, 32)
    selfrep_runs: int = 50  # random weightwise nets self-applied, and as many self-trained
    selfrep_steps: int = 100  # self-application steps (and steps after each noise)
    selfrep_epochs: int = 2000  # self-training gradient steps
    noise_trials: int = 20  # noisy copies of each fixpoint per noise level 10^-d, d = 0..9

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


FULL = ReportSizes("full", chain_links=32, chain_horizon=16, prove_examples=200, quine_width=100,
                   quine_epochs=30, aux_epochs=30, weight_width=100, generations=40,
                   noise_trials=100)
# Width 100 for the weights: at width 64 this seed's regeneration diverges (non-finite weights
# from n = 8); at 100 it collapses to the zero quine, the behaviour the papers report.
# Newton at width 48 (4,656 parameters) in the quick preset: at width 100 a step takes about 4 s on
# one CPU thread (bench/RESULTS.md, neural newton), and the replay repeats the steps.
QUICK = ReportSizes("quick", chain_links=20, prove_examples=100, quine_width=48, quine_epochs=80, aux_epochs=80,
                    weight_width=100, generations=40, newton_width=48, newton_steps=30, newton_cg_iterations=30)
TINY = ReportSizes("tiny", chain_links=3, chain_horizon=6, prove_examples=5, quine_width=8,
                   quine_epochs=3, aux_lambdas=(0.01, 1.0), aux_epochs=2, weight_width=16,
                   generations=10, replay_all_up_to=10, bits=(8, 32), selfrep_runs=5, selfrep_steps=20,
                   selfrep_epochs=200, noise_trials=2, newton_width=8, newton_steps=4, newton_cg_iterations=5,
                   newton_replay_all_up_to=4, selfrep_points=6)
PRESETS: dict[str, ReportSizes] = {sizes.name: sizes for sizes in (TINY, QUICK, FULL)}
