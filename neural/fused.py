"""The self-replication MSE of K quine nets with a hand-written backward (Chang & Lipson 2018 §3).

`fused_replication_mse(model, θ, coords)` computes the same (K,) loss as
`neural.objectives.replication_mse` — the mean of (f_θ(i) − θ_i)² over each net's
coordinates, with live targets θ_i — but on the stacked θ directly: every layer is one
batched product (`torch.bmm`) of the activations with the nets' weight views of θ, the
activations are applied in place, and the backward writes the whole (K, m) gradient once,
from the saved post-activations (SELU's, ReLU's and tanh's derivatives are functions of
their outputs, the forms autograd uses for the in-place activations).  The target term
−2(f_θ(i) − θ_i)/B is added to the same buffer with one scatter.  The vmap route through
`torch.func` (`BatchedQuine.predict`) stays the reference: the tests compare this gradient
with autograd through it.  Only the first derivative is hand-written (no double backward).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn
from torch.autograd.function import once_differentiable

from neural.quine import BatchedQuine

_aten = torch.ops.aten
# torch.nn.functional.selu's constants (Klambauer et al. 2017), as ATen's selu uses them.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946

# activation name → (in-place forward, derivative applied to a gradient given the output)
_ACTIVATIONS: dict[str, tuple[Callable[[Tensor], Tensor], Callable[[Tensor, Tensor], Tensor]]] = {
    "selu": (torch.selu_, lambda grad, out: _aten.elu_backward(grad, _SELU_ALPHA, _SELU_SCALE, 1.0, True, out)),
    "relu": (torch.relu_, lambda grad, out: _aten.threshold_backward(grad, out, 0)),
    "tanh": (torch.tanh_, lambda grad, out: _aten.tanh_backward(grad, out)),
    "linear": (lambda x: x, lambda grad, out: grad),
}


def _inputs(model: BatchedQuine, coords: Tensor) -> Tensor:
    """(K, B, width): the coordinate map's rows, zero-padded as `QuineNet.forward` pads them."""
    config = model.config
    x = nn.functional.embedding(coords, model.net.coordinate_map)
    if config.coordinate_units < config.width:
        x = torch.cat([x, x.new_zeros(*x.shape[:-1], config.width - config.coordinate_units)], -1)
    return x


class _ReplicationMSE(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, theta: Tensor, coords: Tensor, model: BatchedQuine) -> Tensor:
        layout, act = model.layout, _ACTIVATIONS[model.config.activation][0]
        weights = layout.unflatten(theta)
        hidden = [weights[f"hidden.{i}.weight"] for i in range(model.config.hidden_layers)]
        outputs = [_inputs(model, coords)]
        for weight in hidden:
            outputs.append(act(torch.bmm(outputs[-1], weight.mT)))
        prediction = torch.bmm(outputs[-1], weights["output.weight"].mT).squeeze(-1)
        error = prediction - theta.gather(-1, coords)
        ctx.save_for_backward(theta, coords, error, *outputs)
        ctx.model = model
        return error.pow(2).mean(-1)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad_loss: Tensor) -> tuple[Tensor, None, None]:
        theta, coords, error, *outputs = ctx.saved_tensors
        model: BatchedQuine = ctx.model
        derivative = _ACTIVATIONS[model.config.activation][1]
        weights = model.layout.unflatten(theta)
        grad = torch.empty_like(theta)
        grads = model.layout.unflatten(grad)
        d = error * (grad_loss[:, None] * (2.0 / error.shape[-1]))  # ∂loss/∂prediction, (K, B)
        grads["output.weight"].copy_(torch.bmm(d.unsqueeze(1), outputs[-1]))
        upstream = torch.bmm(d.unsqueeze(-1), weights["output.weight"])  # ∂loss/∂(last layer's output)
        for i in reversed(range(model.config.hidden_layers)):
            local = derivative(upstream, outputs[i + 1])
            torch.bmm(local.mT, outputs[i], out=grads[f"hidden.{i}.weight"])
            if i:
                upstream = torch.bmm(local, weights[f"hidden.{i}.weight"])
        if "class_output.weight" in grads:
            grads["class_output.weight"].zero_()
        grad.scatter_add_(-1, coords, -d)  # the live targets θ_i
        return grad, None, None


def fused_replication_mse(model: BatchedQuine, theta: Tensor, coords: Tensor) -> Tensor:
    """(K,) mean of (f_θ(i) − θ_i)² over coords (K, B), differentiable in θ (K, m)."""
    if theta.dim() != 2 or coords.dim() != 2 or coords.shape[0] != theta.shape[0]:
        raise ValueError(f"need θ (K, m) and coords (K, B), got {tuple(theta.shape)} and {tuple(coords.shape)}")
    loss: Tensor = _ReplicationMSE.apply(theta, coords, model)
    return loss

