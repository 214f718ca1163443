"""Per-net random streams for a population: each net k draws its coordinate order, image
batches and noise from its own `torch.Generator` (on the CPU, so a run is reproducible and a
population member equals the same seed trained alone)."""
from __future__ import annotations

import torch
from torch import Tensor


def net_generators(seeds: list[int]) -> list[torch.Generator]:
    # Offset from the init seed so the data order is not the init's random stream.
    return [torch.Generator().manual_seed(1_000_003 * (s + 1)) for s in seeds]


def coordinate_batches(n: int, batch_size: int, generators: list[torch.Generator],
                       device: torch.device) -> list[Tensor]:
    """One epoch: a fresh permutation of the n coordinates per net, cut into (K, B) batches."""
    orders = torch.stack([torch.randperm(n, generator=g) for g in generators]).to(device)
    return list(orders.split(batch_size, dim=1))


def sample_indices(size: int, count: int, generators: list[torch.Generator],
                   device: torch.device) -> Tensor:
    """(K, count) indices drawn with replacement from range(size), one row per net."""
    return torch.stack([torch.randint(size, (count,), generator=g) for g in generators]).to(device)


def sample_normal(shape: tuple[int, ...], generators: list[torch.Generator],
                  device: torch.device) -> Tensor:
    """(K, *shape) standard normal noise, one block per net."""
    return torch.stack([torch.randn(shape, generator=g) for g in generators]).to(device)
