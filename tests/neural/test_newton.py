"""Our method (neural/newton.py): preconditioned CG solves the Gauss–Newton system, and the
method brings quines to R² ≥ 0.99 without shrinking toward the zero quine."""
import pytest
import torch

from neural.config import TrainConfig, preset
from neural.newton import conjugate_gradient
from neural.population import train


def _spd_systems(k: int, size: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    factor = torch.randn(k, size, size, generator=generator, dtype=torch.float64)
    scales = torch.logspace(0, 3, size, dtype=torch.float64)  # badly scaled, as JᵀJ is
    matrices = scales[:, None] * (factor @ factor.mT + size * torch.eye(size, dtype=torch.float64)) * scales
    return matrices, torch.randn(k, size, generator=generator, dtype=torch.float64)


@pytest.mark.parametrize("jacobi", [False, True])
def test_conjugate_gradient_solves_each_row_system_within_its_dimension(jacobi):
    matrices, rhs = _spd_systems(k=3, size=12, seed=1)
    diagonal = torch.diagonal(matrices, dim1=-2, dim2=-1)
    precondition = (lambda v: v / diagonal) if jacobi else (lambda v: v)
    x = conjugate_gradient(lambda v: (matrices @ v[..., None])[..., 0], rhs, 12 if jacobi else 40, precondition)
    exact = torch.linalg.solve(matrices, rhs)
    assert torch.allclose(x, exact, rtol=1e-6, atol=1e-9)


def test_jacobi_preconditioning_converges_faster_on_badly_scaled_systems():
    matrices, rhs = _spd_systems(k=1, size=40, seed=2)
    diagonal = torch.diagonal(matrices, dim1=-2, dim2=-1)
    exact = torch.linalg.solve(matrices, rhs)

    def error(precondition):
        x = conjugate_gradient(lambda v: (matrices @ v[..., None])[..., 0], rhs, 8, precondition)
        return float((x - exact).norm() / exact.norm())

    assert error(lambda v: v / diagonal) < 0.1 * error(lambda v: v)


def test_newton_reaches_r2_099_on_a_small_net_without_shrinking():
    config = TrainConfig(quine=preset("chang-lipson", width=16), method="newton", epochs=40, population=2,
                         cg_iterations=30)
    for net in train(config, device="cpu").nets:
        assert net.metrics.r2 >= 0.99
        assert not net.metrics.zero_quine
        assert net.metrics.rms >= net.metrics.initial_rms


@pytest.mark.slow
def test_newton_reaches_r2_099_on_the_full_chang_lipson_net():
    config = TrainConfig(quine=preset("chang-lipson"), method="newton", epochs=40, cg_iterations=50)
    net = train(config, device="cpu").nets[0]
    assert net.metrics.n == 20_100
    assert net.metrics.r2 >= 0.99
    assert not net.metrics.zero_quine
    assert net.metrics.rms >= net.metrics.initial_rms
