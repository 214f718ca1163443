"""Adamax (Kingma & Ba 2015, §7.1), the optimizer Chang & Lipson 2018 trained their quines with,
for a population's stacked θ (K, m): one large tensor, updated a cache-sized chunk at a time.

`ChunkedAdamax` is `torch.optim.Adamax` (same update, same state, same `state_dict`, so a
checkpoint of one loads into the other) with its element-wise passes — m ← β₁m + (1 − β₁)g,
u ← max(β₂u, |g| + ε), θ ← θ − lr/(1 − β₁ᵗ) · m/u — run chunk by chunk in place, so the
four tensors of a chunk stay in cache across the passes and |g| + ε goes to a kept scratch
buffer instead of a fresh (K, m) tensor every step.  Only the options the training methods
use are offered (no weight decay, maximize, complex parameters).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import Tensor

CHUNK = 1 << 18  # elements per chunk: four float32 chunks of 1 MiB


class ChunkedAdamax(torch.optim.Adamax):
    def __init__(self, params: Iterable[Tensor], lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8):
        super().__init__(params, lr=lr, betas=betas, eps=eps)
        self._scratch: dict[int, Tensor] = {}

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:  # type: ignore[override]
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            (beta1, beta2), lr, eps = group["betas"], float(group["lr"]), group["eps"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                if param.grad.is_sparse or torch.is_complex(param):
                    raise ValueError("ChunkedAdamax takes dense real parameters only")
                state = self.state[param]
                if not state:  # as torch.optim.Adamax initialises it
                    state["step"] = torch.tensor(0.0)
                    state["exp_avg"] = torch.zeros_like(param, memory_format=torch.preserve_format)
                    state["exp_inf"] = torch.zeros_like(param, memory_format=torch.preserve_format)
                state["step"] += 1
                step_size = lr / (1 - beta1 ** state["step"].item())
                scratch = self._scratch.get(id(param))
                if scratch is None or scratch.shape != param.shape:
                    scratch = self._scratch[id(param)] = torch.empty_like(param)
                tensors = (param, param.grad, state["exp_avg"], state["exp_inf"], scratch)
                chunks: Iterable[tuple[Tensor, ...]] = [tensors]
                if all(t.is_contiguous() for t in tensors):
                    chunks = zip(*(t.view(-1).split(CHUNK) for t in tensors), strict=True)
                for p, g, exp_avg, exp_inf, bound in chunks:
                    exp_avg.lerp_(g, 1 - beta1)
                    torch.maximum(exp_inf.mul_(beta2), torch.abs(g, out=bound).add_(eps), out=exp_inf)
                    p.addcdiv_(exp_avg, exp_inf, value=-step_size)
        return loss
