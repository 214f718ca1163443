"""Training methods of Chang & Lipson 2018 §4 for a batch of K quines.

- ``gradient``: Adam/Adamax on the self-replication MSE with live targets (plus λ · cross
  entropy on digits for the auxiliary quine; cross entropy only for the solo classifier);
  the MSE's gradient comes from the hand-written batched backward of `neural.fused`.
- ``regeneration``: a gradient epoch, then every predicted weight is replaced by its
  prediction (θ_i ← f_θ(i)), as in the paper's regeneration + Adamax.
- ``evolution``: a simple evolution strategy (antithetic Gaussian perturbations, the
  finite-difference gradient estimate fed to the same optimizer).  Chosen over CMA-ES because
  CMA-ES keeps an m × m covariance (20,100² ≈ 4·10⁸ entries for ``chang-lipson``).
- ``newton`` (our own, `neural.newton`): damped Gauss–Newton on 1 − R².

One *epoch* is one pass over the n coordinates in batches of ``batch_size`` for every method
but newton, for which it is one damped step on all coordinates.  Element-wise optimizers on
the stacked (K, m) θ are exactly K independent optimizers, so a batch trains like K runs
(Adamax: `neural.adamax.ChunkedAdamax`, torch's update done in cache-sized chunks).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import torch
from torch import Tensor

from neural.adamax import ChunkedAdamax
from neural.config import TrainConfig
from neural.digits import DigitsSplit
from neural.fused import fused_replication_mse
from neural.objectives import classification_loss, replication_mse
from neural.quine import BatchedQuine
from neural.sampling import coordinate_batches, sample_indices, sample_normal


class Method(ABC):
    """Trains θ (K, m) in place, one epoch at a time; its state goes into checkpoints."""

    def __init__(self, model: BatchedQuine, config: TrainConfig, theta: Tensor,
                 generators: list[torch.Generator], digits: DigitsSplit | None):
        self.model, self.config, self.generators, self.digits = model, config, generators, digits
        self.theta = theta.detach().clone().requires_grad_(True)

    @abstractmethod
    def run_epoch(self) -> None:
        """One epoch of training; updates `self.theta` in place."""

    @abstractmethod
    def state_dict(self) -> dict[str, Any]:
        """What a checkpoint must hold to resume exactly (besides θ and the generators)."""

    @abstractmethod
    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what `state_dict` returned."""

    def _image_batch(self) -> tuple[Tensor, Tensor]:
        assert self.digits is not None
        idx = sample_indices(len(self.digits.train_labels), self.config.image_batch,
                             self.generators, self.model.device)
        return self.digits.train_images[idx], self.digits.train_labels[idx]

    def _batches(self) -> list[Tensor]:
        return coordinate_batches(self.model.n, self.config.batch_size, self.generators, self.model.device)


class _Optimized(Method):
    """A method that feeds a gradient (exact or estimated) to Adam or Adamax."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        opt = ChunkedAdamax if self.config.optimizer == "adamax" else torch.optim.Adam
        self.optimizer: torch.optim.Optimizer = opt([self.theta], lr=self.config.lr)

    def state_dict(self) -> dict[str, Any]:
        return {"optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.optimizer.load_state_dict(state["optimizer"])


class Gradient(_Optimized):
    def loss(self, coords: Tensor) -> Tensor:
        task = self.model.config.task
        total = self.theta.new_zeros(self.theta.shape[0])
        if task != "solo":
            total = total + fused_replication_mse(self.model, self.theta, coords)
        if task != "vanilla":
            weight = 1.0 if task == "solo" else self.config.aux_lambda
            total = total + weight * classification_loss(self.model, self.theta, *self._image_batch())
        return total

    def run_epoch(self) -> None:
        for coords in self._batches():
            self.optimizer.zero_grad(set_to_none=True)
            self.loss(coords).sum().backward()
            self.optimizer.step()


class Regeneration(Gradient):
    def run_epoch(self) -> None:
        super().run_epoch()
        with torch.no_grad():
            self.theta[:, : self.model.n] = self.model.predict_all(self.theta)


class Evolution(_Optimized):
    def run_epoch(self) -> None:
        pairs, sigma = self.config.es_pairs, self.config.es_sigma
        k, m = self.theta.shape
        for coords in self._batches():
            with torch.no_grad():
                noise = sample_normal((pairs, m), self.generators, self.model.device)  # (K, P, m)
                candidates = torch.cat([self.theta[:, None] + sigma * noise,
                                        self.theta[:, None] - sigma * noise], dim=1)
                shared = coords.repeat_interleave(2 * pairs, dim=0)
                losses = replication_mse(self.model, candidates.reshape(-1, m), shared).view(k, 2 * pairs)
                diff = losses[:, :pairs] - losses[:, pairs:]  # (K, P)
                estimate = (diff[..., None] * noise).sum(1) / (2 * pairs * sigma)
            self.optimizer.zero_grad(set_to_none=True)
            self.theta.grad = estimate
            self.optimizer.step()

