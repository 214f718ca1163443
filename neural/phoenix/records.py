"""What a DeepPhoenix run records (Sheng, Algorithm 1): its configuration, the
training stage of every source, the greedy search of every iteration, and, derived from them,
the audit of each step with Mahoney's "improves" (`neural.phoenix.audit`) and the complexity
of each source (`rsi.complexity`).  Frozen values with to_dict()/from_dict(); the whole run is
one JSON document, which is also the checkpoint that `--resume` reads.  Non-finite losses are
written as null and read back as nan.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from neural.phoenix.audit import AuditStep, audit_step, disagreements, program_from_losses
from neural.phoenix.data import ModelSpec
from rsi.atomic import write_text_atomic
from rsi.complexity import complexity_bounds
from rsi.programs import ObservedProgram
from rsi.records import to_json

CHECKPOINT = "phoenix.json"  # the file a run is saved to in its folder


def _json_number(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _number(value: float | None) -> float:
    return math.nan if value is None else float(value)


@dataclass(frozen=True)
class PhoenixConfig:
    """Sizes of a run.  Defaults marked (paper) are Sheng's; the others are ours."""

    iterations: int = 10  # I: training + reprogramming iterations (paper)
    candidates: int = 8  # C: candidates generated per search batch (paper)
    few_shot_samples: int = 1024  # M: the few-shot evaluation trains on the first M samples (paper)
    search_batches: int = 8  # B: batches of the greedy search (paper)
    base: ModelSpec = ModelSpec()  # the default source: 2 + 2 layers, d_ff 1024 (paper)
    dataset_size: int = 4096  # refinement pairs for training
    heldout_size: int = 256  # refinement pairs (another seed) for the audit's held-out loss
    train_steps: int = 1024  # steps of each training stage
    budget_points: int = 17  # audited budgets, evenly spaced in 0..train_steps
    batch_size: int = 16
    lr: float = 1e-3
    temperature: float = 0.3  # sampling temperature of the candidates (ours: the paper samples
    # at a temperature it does not give; for the --quick model 0.3 gave 13 of 16 valid, all
    # distinct, 0.5 gave 10, 0.7 gave 8 and 1.0 none: bench/phoenix_decoding.py)
    top_k: int = 0  # sample from the top_k most likely bytes only (0: all bytes)
    top_p: float = 1.0  # nucleus: the smallest set of bytes with probability >= top_p (1.0: all)
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("iterations", "candidates", "few_shot_samples", "search_batches",
                     "dataset_size", "heldout_size", "train_steps", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 2 <= self.budget_points <= self.train_steps + 1:
            raise ValueError(f"budget_points must be in 2..train_steps + 1, got {self.budget_points}")
        if self.few_shot_samples > self.dataset_size:
            raise ValueError("few_shot_samples cannot exceed dataset_size")
        if not (self.lr > 0 and self.temperature > 0):
            raise ValueError("lr and temperature must be positive")
        if self.top_k < 0 or not 0 < self.top_p <= 1:
            raise ValueError(f"top_k must be >= 0 and top_p in (0, 1], got {self.top_k}, {self.top_p}")

    @classmethod
    def quick(cls, **changes: Any) -> PhoenixConfig:
        """Sizes for tests and the report: a tiny model, 2 iterations of 2 batches of 3.  The
        shortest training that makes the model write valid sources: 150 steps at lr 1e-2 (at
        40 steps and 3e-3, and even at 150 or 200 steps and 3e-3, every candidate of every decoding
        tried was a syntax error; see bench/phoenix_decoding.py)."""
        sizes = dict(iterations=2, candidates=3, few_shot_samples=32, search_batches=2,
                     base=ModelSpec(d_model=32, num_heads=4, d_ff=128), dataset_size=256,
                     heldout_size=16, train_steps=150, budget_points=9, batch_size=8, lr=1e-2)
        return cls(**{**sizes, **changes})

    @property
    def budgets(self) -> tuple[int, ...]:
        span = self.budget_points - 1
        return tuple(round(k * self.train_steps / span) for k in range(self.budget_points))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> PhoenixConfig:
        return cls(**{**data, "base": ModelSpec(**data["base"])})


@dataclass(frozen=True)
class Training:
    """The training stage of one source: its config (from the sandbox), every step's training
    loss (the paper's Figure 1) and the held-out loss at each audited budget."""

    source: str
    config: dict
    train_losses: tuple[float, ...]
    budgets: tuple[int, ...]
    heldout_losses: tuple[float, ...]
    wall_s: float

    def program(self, name: str) -> ObservedProgram:
        return program_from_losses(self.budgets, self.heldout_losses, name)

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("train_losses", "heldout_losses"):
            data[key] = [_json_number(x) for x in data[key]]
        data["budgets"] = list(self.budgets)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Training:
        return cls(data["source"], data["config"], tuple(_number(x) for x in data["train_losses"]),
                   tuple(data["budgets"]), tuple(_number(x) for x in data["heldout_losses"]),
                   data["wall_s"])


@dataclass(frozen=True)
class Candidate:
    """One candidate source of a search batch.  origin: "model" (generated) or "injected";
    status: "valid" or why it was discarded (sandbox status, "invalid_config", "diverged");
    few_shot_loss: mean training loss of one epoch on the first M samples (nan when not run)."""

    batch: int
    origin: str
    source: str
    status: str
    detail: str
    config: dict | None
    few_shot_loss: float
    wall_s: float

    def to_dict(self) -> dict:
        return {**asdict(self), "few_shot_loss": _json_number(self.few_shot_loss)}

    @classmethod
    def from_dict(cls, data: dict) -> Candidate:
        return cls(**{**data, "few_shot_loss": _number(data["few_shot_loss"])})


@dataclass(frozen=True)
class Search:
    """The reprogramming stage: the greedy search over B batches of C candidates, starting
    from the iteration's own source (few-shot loss `query_loss`), keeping `kept_source`."""

    query_loss: float
    candidates: tuple[Candidate, ...]
    kept_source: str
    kept_loss: float
    wall_s: float

    def to_dict(self) -> dict:
        return {"query_loss": _json_number(self.query_loss),
                "candidates": [c.to_dict() for c in self.candidates],
                "kept_source": self.kept_source, "kept_loss": _json_number(self.kept_loss),
                "wall_s": self.wall_s}

    @classmethod
    def from_dict(cls, data: dict) -> Search:
        return cls(_number(data["query_loss"]),
                   tuple(Candidate.from_dict(c) for c in data["candidates"]),
                   data["kept_source"], _number(data["kept_loss"]), data["wall_s"])


@dataclass(frozen=True)
class PhoenixRun:
    """A run so far: trainings[i] is the training stage of P_i (the source of iteration i;
    trainings[I] that of the last kept source), searches[i] the reprogramming of iteration i."""

    config: PhoenixConfig
    trainings: tuple[Training, ...]
    searches: tuple[Search, ...]

    def audits(self) -> tuple[AuditStep, ...]:
        """Step i -> i+1 for every i whose successor has been trained."""
        return tuple(
            audit_step(i, self.trainings[i].program(f"P_{i}"),
                       self.trainings[i + 1].program(f"P_{i + 1}"),
                       self.searches[i].kept_source != self.trainings[i].source)
            for i in range(min(len(self.searches), len(self.trainings) - 1)))

    def to_dict(self) -> dict:
        audits = self.audits()
        iterations = []
        for i, search in enumerate(self.searches):
            iterations.append({
                "index": i, "source": self.trainings[i].source,
                "training": self.trainings[i].to_dict(), "search": search.to_dict(),
                "kept_source": search.kept_source,
                "audit": audits[i].to_dict() if i < len(audits) else None,
            })
        final = self.trainings[len(self.searches):]
        complexity = [{"i": i, **complexity_bounds(t.source.encode()).to_dict()}
                      for i, t in enumerate(self.trainings)]
        statuses: dict[str, int] = {}
        for search in self.searches:
            for candidate in search.candidates:
                statuses[candidate.status] = statuses.get(candidate.status, 0) + 1
        return {"config": self.config.to_dict(), "iterations": iterations,
                "final_training": final[0].to_dict() if final else None,
                "disagreements": disagreements(audits), "candidate_statuses": statuses,
                "complexity": complexity,
                "wall_s": sum(t.wall_s for t in self.trainings) + sum(s.wall_s for s in self.searches)}

    def to_json(self) -> str:
        return to_json(self.to_dict(), indent=1)

    @classmethod
    def from_dict(cls, data: dict) -> PhoenixRun:
        expected = {f.name for f in fields(PhoenixConfig)}
        if set(data.get("config", {})) != expected:
            raise ValueError("not a DeepPhoenix checkpoint (its config has other fields)")
        trainings = [Training.from_dict(it["training"]) for it in data["iterations"]]
        if data.get("final_training"):
            trainings.append(Training.from_dict(data["final_training"]))
        return cls(PhoenixConfig.from_dict(data["config"]), tuple(trainings),
                   tuple(Search.from_dict(it["search"]) for it in data["iterations"]))

    def save(self, folder: Path) -> Path:
        """Write the run's JSON to folder/phoenix.json atomically (`rsi.atomic`), creating the
        folder when missing."""
        write_text_atomic(folder / CHECKPOINT, self.to_json(), create_parents=True)
        return folder / CHECKPOINT

    @classmethod
    def load(cls, folder: Path) -> PhoenixRun:
        """The run saved in folder; ValueError when there is none or it is not readable."""
        path = folder / CHECKPOINT
        try:
            return cls.from_dict(json.loads(path.read_text()))
        except FileNotFoundError:
            raise ValueError(f"no DeepPhoenix checkpoint in {folder}") from None
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(f"unreadable checkpoint {path}: {error}") from None
