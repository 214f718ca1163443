"""The population's replication MSE with a hand-written backward (neural/fused.py) against the
reference route (vmap over the plain module, autograd): same loss, same gradient, same training."""
from dataclasses import replace

import pytest
import torch

from neural.config import QuineConfig, TrainConfig, preset
from neural.fused import fused_replication_mse
from neural.methods import Gradient
from neural.objectives import replication_mse
from neural.quine import BatchedQuine
from neural.sampling import net_generators

CONFIGS = [
    preset("chang-lipson", "vanilla", width=8),  # SELU, everything predicted
    preset("chang-lipson", "auxiliary", width=8),  # zero-padded coordinate input, class head not predicted
    preset("blog", "vanilla", width=16),  # ReLU, one hidden layer, output head not predicted
    QuineConfig(width=6, hidden_layers=3, activation="tanh"),
    QuineConfig(width=6, hidden_layers=1, activation="linear"),
]


def _coords(model: BatchedQuine, nets: int, batch: int, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.stack([torch.randperm(model.n, generator=generator)[:batch] for _ in range(nets)])


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.arch}-{c.task}-{c.activation}-{c.hidden_layers}")
def test_fused_loss_and_gradient_equal_autograd_through_the_reference(config):
    model = BatchedQuine(config)
    model.net.double()
    theta = model.init([0, 1, 2], "he").double().requires_grad_(True)
    coords = _coords(model, 3, 5)
    upstream = torch.tensor([0.5, -2.0, 3.0], dtype=torch.float64)  # unequal weights per net
    reference = replication_mse(model, theta, coords)
    (expected,) = torch.autograd.grad((reference * upstream).sum(), theta)
    fused = fused_replication_mse(model, theta, coords)
    (got,) = torch.autograd.grad((fused * upstream).sum(), theta)
    assert torch.allclose(fused, reference, rtol=1e-12, atol=0)
    assert torch.allclose(got, expected, rtol=1e-10, atol=1e-14)
    assert expected.abs().max() > 0.01  # the comparison is not between two zero gradients


def test_fused_gradient_passes_gradcheck():
    model = BatchedQuine(preset("chang-lipson", "vanilla", width=3))
    model.net.double()
    theta = model.init([0, 1]).double().requires_grad_(True)
    coords = _coords(model, 2, 4)
    assert torch.autograd.gradcheck(lambda t: fused_replication_mse(model, t, coords), (theta,))


def test_fused_loss_refuses_coordinates_not_one_row_per_net():
    model = BatchedQuine(preset("chang-lipson", width=4))
    theta = model.init([0, 1])
    with pytest.raises(ValueError, match="coords"):
        fused_replication_mse(model, theta, torch.arange(5))


class _ReferenceGradient(Gradient):
    """Gradient with the replication MSE differentiated by autograd through vmap."""

    def loss(self, coords: torch.Tensor) -> torch.Tensor:
        return replication_mse(self.model, self.theta, coords)


def test_a_gradient_epoch_trains_the_population_as_the_reference_route_does():
    config = TrainConfig(quine=preset("chang-lipson", width=16), population=4, batch_size=32, lr=3e-3)
    model = BatchedQuine(config.quine)
    runs = []
    for method in (Gradient, _ReferenceGradient):
        trainer = method(model, config, model.init(config.seeds), net_generators(config.seeds), None)
        for _ in range(2):
            trainer.run_epoch()
        runs.append(trainer.theta.detach())
    start = model.init(config.seeds)
    assert (runs[0] - start).abs().max() > 10 * config.lr  # 34 Adamax steps moved the weights
    assert torch.allclose(runs[0], runs[1], atol=1e-5)


def test_a_gradient_run_without_the_fused_loss_would_differ_from_a_wrong_one():
    """Guard of the comparison above: dropping the live-target term changes the weights."""
    config = TrainConfig(quine=preset("chang-lipson", width=16), population=2, batch_size=32, lr=3e-3)
    model = BatchedQuine(config.quine)

    class FrozenTargets(Gradient):
        def loss(self, coords: torch.Tensor) -> torch.Tensor:
            targets = model.predicted(self.theta).detach().gather(-1, coords)
            return (model.predict(self.theta, coords) - targets).pow(2).mean(-1)

    runs = []
    for method in (Gradient, FrozenTargets):
        trainer = method(model, replace(config), model.init(config.seeds), net_generators(config.seeds), None)
        trainer.run_epoch()
        runs.append(trainer.theta.detach())
    assert not torch.allclose(runs[0], runs[1], atol=1e-5)
