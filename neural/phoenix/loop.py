"""The DeepPhoenix loop (Sheng, Algorithm 1 and section 3), with every source run in the sandbox.

For i = 0 .. I-1: execute source_i in the sandbox to get its configuration; build that T5 and
train it on the refinement dataset (the training stage; its per-step losses are Figure 1, its
held-out losses at the audited budgets are P_i(t)); then the reprogramming stage, a greedy
search: query the trained model with the current best source for C candidates, execute each
in the sandbox (a failure is discarded with its status), train each valid one for one epoch on
the first M samples and keep the lowest mean loss if it beats the current best (else the
current best stays); after B batches the best source is source_{i+1}.  Finally source_I is
trained too, so that every step i -> i+1 can be audited (`neural.phoenix.audit`).

Every training starts from the same seed and sees the same batches, so a run is a
deterministic function of its configuration (up to floating-point nondeterminism of the
device): the checkpoint (`PhoenixRun.save`: the run's JSON, written atomically after every iteration) holds
records only, and `resume` retrains the source of the next iteration instead of loading
weights.  A source's few-shot loss and sandbox result are computed once per run and reused
when the same text comes back.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import torch

from neural.phoenix.data import make_dataset
from neural.phoenix.model import EncodedPairs, build_model, choose_device, encode_pairs, few_shot_loss, generate, train
from neural.phoenix.records import Candidate, PhoenixConfig, PhoenixRun, Search, Training
from neural.phoenix.sandbox import execute_candidate

Progress = Callable[[str], None]


def work_units(config: PhoenixConfig) -> int:
    """Progress units of a whole run: each training stage and each search batch."""
    return config.iterations * (1 + config.search_batches) + 1


class _Stage:
    """Data, device and the per-run cache of candidate results shared by the stages."""

    def __init__(self, config: PhoenixConfig, device: torch.device, known: Sequence[Candidate]):
        self.config, self.device = config, device
        d_model = config.base.d_model
        self.data = encode_pairs(make_dataset(config.dataset_size, config.seed, d_model))
        self.heldout = encode_pairs(make_dataset(config.heldout_size, config.seed + 1, d_model))
        m = config.few_shot_samples
        self.few_shot = EncodedPairs(self.data.input_ids[:m], self.data.attention_mask[:m],
                                     self.data.labels[:m])
        self.cache = {c.source: c for c in known}

    def evaluate(self, source: str, batch: int, origin: str) -> Candidate:
        """Sandbox the source, then (if valid) its few-shot loss; cached by text."""
        known = self.cache.get(source)
        if known is not None:
            return Candidate(batch, origin, source, known.status, known.detail, known.config,
                             known.few_shot_loss, 0.0)
        start = time.monotonic()
        execution = execute_candidate(source)
        status, loss = execution.status, float("nan")
        if status == "valid" and execution.config is not None:  # a valid execution carries its config
            c = self.config
            loss = few_shot_loss(execution.config, self.few_shot, batch_size=c.batch_size,
                                 lr=c.lr, seed=c.seed, device=self.device)
            if math.isnan(loss):
                status = "diverged"
        candidate = Candidate(batch, origin, source, status, execution.detail, execution.config,
                              loss, time.monotonic() - start)
        self.cache[source] = candidate
        return candidate

    def train_source(self, source: str) -> tuple[Training, object]:
        """The training stage of `source` (which must be valid); returns the trained model."""
        start = time.monotonic()
        execution = execute_candidate(source)
        if execution.status != "valid" or execution.config is None:
            raise ValueError(f"the source to train is not valid ({execution.status}: "
                             f"{execution.detail})")
        c = self.config
        model = build_model(execution.config, c.seed, self.device)
        run = train(model, self.data, steps=c.train_steps, batch_size=c.batch_size, lr=c.lr,
                    seed=c.seed, heldout=self.heldout, budgets=c.budgets)
        heldout = run.heldout_losses + (float("inf"),) * (len(c.budgets) - len(run.heldout_losses))
        training = Training(source, execution.config, run.train_losses, c.budgets, heldout,
                            time.monotonic() - start)
        return training, model

    def search(self, model, iteration: int, source: str, inject: Sequence[str],
               progress: Progress) -> Search:
        """The greedy search of section 3 from `source` with the trained `model`."""
        start = time.monotonic()
        c = self.config
        best = self.evaluate(source, -1, "query")
        query_loss = best.few_shot_loss
        candidates = []
        for b in range(c.search_batches):
            seed = c.seed + 1000 * iteration + b
            texts = [(t, "model") for t in generate(model, best.source, c.candidates, seed,
                                                    c.temperature, c.top_k, c.top_p)]
            texts += [(t, "injected") for t in (inject if b == 0 else ())]
            batch = [self.evaluate(text, b, origin) for text, origin in texts]
            candidates += batch
            valid = [x for x in batch if x.status == "valid"]
            winner = min(valid, key=lambda x: x.few_shot_loss, default=None)
            if winner is not None and winner.few_shot_loss < best.few_shot_loss:
                best = winner
            progress(f"iteration {iteration}: search batch {b + 1}/{c.search_batches}")
        return Search(query_loss, tuple(candidates), best.source, best.few_shot_loss,
                      time.monotonic() - start)


def run_phoenix(config: PhoenixConfig, *, out: Path | None = None,
                resume_from: PhoenixRun | None = None, device: str = "auto",
                inject: Sequence[str] = (), progress: Progress | None = None) -> PhoenixRun:
    """Run (or continue `resume_from`, up to config.iterations) the DeepPhoenix loop;
    `inject`: extra candidate sources added to the first search batch of every iteration
    (e.g. a hostile one, to see the sandbox discard it); checkpoints to out/phoenix.json."""
    progress = progress or (lambda message: None)
    run = resume_from or PhoenixRun(config, (), ())
    if replace(run.config, iterations=config.iterations) != config:
        raise ValueError("the configuration differs from the checkpoint's (only iterations may)")
    if len(run.searches) > config.iterations:
        raise ValueError(f"the checkpoint has {len(run.searches)} iterations, more than "
                         f"{config.iterations}")
    known = [x for s in run.searches for x in s.candidates]
    stage = _Stage(config, choose_device(device), known)
    trainings, searches = list(run.trainings), list(run.searches)
    for i in range(len(searches), config.iterations):
        source = searches[-1].kept_source if searches else config.base.source()
        training, model = stage.train_source(source)
        trainings[i:i + 1] = [training]
        progress(f"iteration {i}: trained")
        searches.append(stage.search(model, i, source, inject, progress))
        run = PhoenixRun(config, tuple(trainings), tuple(searches))
        if out is not None:
            run.save(out)
    if len(trainings) == len(searches):
        trainings.append(stage.train_source(searches[-1].kept_source)[0])
        progress("final source: trained")
        run = PhoenixRun(config, tuple(trainings), tuple(searches))
        if out is not None:
            run.save(out)
    return run
