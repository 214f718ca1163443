"""Losses of a batch of K quines (Chang & Lipson 2018 §3; NOTES.md for the scale-invariant one).

Targets are *live*: the predicted parameters θ[:, :n] enter every loss with their gradient,
as in Chang & Lipson (the net chases its own moving weights, not a frozen copy).
"""
from __future__ import annotations

from torch import Tensor, nn

from neural.quine import BatchedQuine


def replication_mse(model: BatchedQuine, theta: Tensor, coords: Tensor) -> Tensor:
    """(K,) mean of (f_θ(i) − θ_i)² over coords (K, B): an unbiased estimate of sr_loss / n."""
    targets = model.predicted(theta).gather(-1, coords)
    return (model.predict(theta, coords) - targets).pow(2).mean(-1)


def replication_loss(model: BatchedQuine, theta: Tensor) -> Tensor:
    """(K,) Chang & Lipson's self-replication loss Σ_i (f_θ(i) − θ_i)² over all coordinates."""
    return (model.predict_all(theta) - model.predicted(theta)).pow(2).sum(-1)


def scale_invariant_residual(model: BatchedQuine, theta: Tensor) -> Tensor:
    """(K, n) residual (f_θ − θ) / ‖θ − mean θ‖, whose squared norm is 1 − R².

    Shrinking the weights does not lower it, so it does not pull toward the zero quine.
    """
    weights = model.predicted(theta)
    spread = (weights - weights.mean(-1, keepdim=True)).norm(dim=-1, keepdim=True)
    return (model.predict_all(theta) - weights) / spread


def classification_loss(model: BatchedQuine, theta: Tensor, images: Tensor, labels: Tensor) -> Tensor:
    """(K,) mean cross-entropy of each net on its images (K, B, 64) with labels (K, B)."""
    logits = model.logits(theta, images)
    per_image = nn.functional.cross_entropy(logits.flatten(0, 1), labels.flatten(), reduction="none")
    return per_image.view(labels.shape).mean(-1)
