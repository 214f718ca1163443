"""Honest metrics of a neural quine (Chang & Lipson 2018 §3, self-replication loss; NOTES.md).

A low self-replication loss alone says little: the all-zero net predicts itself exactly (the
*zero quine*), and nets drift toward it.  So every result carries, over the n predicted
parameters θ and their predictions p:

- ``sr_loss`` = Σ (p − θ)²  (Chang & Lipson's self-replication loss), ``mse`` = sr_loss / n,
  ``mae`` = mean |p − θ|;
- ``r2`` = 1 − Σ (p − θ)² / Σ (θ − mean θ)²: the share of the parameters' variation the
  predictions explain (1 for an exact non-constant quine, ≤ 0 for no better than a constant);
- ``relative_loss`` = sr_loss / Σ θ² (loss against the "predict zero" baseline),
  ``norm`` = ‖θ‖, ``rms`` = ‖θ‖ / √n.

**Zero quine** (`ZeroQuineRule`): a result is flagged ``zero_quine`` when

1. its weights are numerically at the trivial fixed point: ``rms < rms_floor`` (1e-3), or
2. its predictions explain little (``r2 < r2_min``, 0.5) while its weights have shrunk to at
   most ``shrink`` (0.5) of their initial rms — the loss fell because the weights went to
   zero, not because the predictions track them.

A diverged net (NaN or infinite weights or predictions) is flagged ``diverged``, never
``zero_quine``.  Clause 2 needs the initial rms; without it only clause 1 applies.  A non-trivial quine
therefore has r2 ≥ 0.5, or r2 < 0.5 without having shrunk (a poor quine, not a zero one).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import Tensor


@dataclass(frozen=True)
class ZeroQuineRule:
    rms_floor: float = 1e-3
    r2_min: float = 0.5
    shrink: float = 0.5

    def flags(self, rms: float, r2: float, initial_rms: float | None) -> bool:
        if not math.isfinite(rms):
            return False  # diverged: not a quine of any kind
        if rms < self.rms_floor:
            return True
        shrunk = initial_rms is not None and rms <= self.shrink * initial_rms
        return bool(shrunk and not r2 >= self.r2_min)


ZERO_QUINE = ZeroQuineRule()


@dataclass(frozen=True)
class QuineMetrics:
    n: int
    sr_loss: float
    mse: float
    mae: float
    r2: float
    relative_loss: float
    norm: float
    rms: float
    initial_rms: float | None
    zero_quine: bool
    diverged: bool  # θ or its predictions are NaN or infinite
    accuracy: float | None = None  # held-out digit accuracy (auxiliary and solo)

    def to_dict(self) -> dict[str, Any]:
        """Plain data; NaN and infinities become None so the JSON is strict."""
        return finite_or_none(asdict(self))


def finite_or_none(values: dict[str, Any]) -> dict[str, Any]:
    """`values` with every non-finite float (JSON has no inf or NaN) replaced by None."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in values.items()}


def _ratio(num: float, den: float) -> float:
    """num / den; NaN when den is 0 (R² of constant weights is undefined, not 1)."""
    return num / den if den > 0 else math.nan


def quine_metrics(theta: Tensor, pred: Tensor, initial_rms: float | None = None,
                  accuracy: float | None = None, rule: ZeroQuineRule = ZERO_QUINE) -> QuineMetrics:
    """Metrics of one net: `theta` its n predicted parameters, `pred` its predictions of them."""
    theta = theta.detach().double().reshape(-1)
    pred = pred.detach().double().reshape(-1)
    if theta.shape != pred.shape:
        raise ValueError(f"theta and pred differ in shape: {tuple(theta.shape)} vs {tuple(pred.shape)}")
    n = theta.numel()
    residual = pred - theta
    sr_loss = float((residual ** 2).sum())
    total = float(((theta - theta.mean()) ** 2).sum())
    sum_sq = float((theta ** 2).sum())
    norm = math.sqrt(sum_sq)
    rms = norm / math.sqrt(n)
    r2 = 1.0 - _ratio(sr_loss, total)
    return QuineMetrics(
        n=n, sr_loss=sr_loss, mse=sr_loss / n, mae=float(residual.abs().mean()), r2=r2,
        relative_loss=_ratio(sr_loss, sum_sq), norm=norm, rms=rms, initial_rms=initial_rms,
        zero_quine=rule.flags(rms, r2, initial_rms),
        diverged=not bool(torch.isfinite(theta).all() and torch.isfinite(pred).all()), accuracy=accuracy,
    )


def rms_of(theta: Tensor) -> list[float]:
    """rms ‖θ‖/√n of each row of a (K, n) batch."""
    return [float(v) for v in theta.detach().double().pow(2).mean(-1).sqrt()]


def accuracy_of(logits: Tensor, labels: Tensor) -> list[float]:
    """Accuracy of each net in a (K, B, classes) batch of logits."""
    return [float(v) for v in (logits.argmax(-1) == labels).double().mean(-1)]

