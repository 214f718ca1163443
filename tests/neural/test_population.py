"""Populations (neural/population.py): deterministic under a seed on the CPU, a batched member
equals its seed trained alone, checkpoints resume exactly, devices resolve as documented."""
from dataclasses import replace

import pytest
import torch

from neural.config import TrainConfig, preset
from neural.population import CheckpointMismatch, resolve_device, train

TINY = TrainConfig(quine=preset("chang-lipson", width=8), method="gradient", epochs=4, population=3,
                   batch_size=32, lr=3e-3)


@pytest.mark.parametrize("method", ["gradient", "regeneration", "evolution", "newton"])
def test_same_seed_gives_identical_weights(method):
    config = replace(TINY, method=method, init="")
    assert torch.equal(train(config, device="cpu").theta, train(config, device="cpu").theta)


def test_a_population_member_equals_its_seed_trained_alone():
    together = train(TINY, device="cpu").theta
    alone = train(replace(TINY, seed=TINY.seed + 2, population=1), device="cpu").theta
    assert torch.allclose(together[2], alone[0], atol=1e-6)


@pytest.mark.parametrize("method", ["gradient", "evolution", "newton"])
def test_resume_from_a_checkpoint_equals_an_uninterrupted_run(tmp_path, method):
    config = replace(TINY, method=method, init="")
    straight = train(config, device="cpu").theta
    path = tmp_path / "run.pt"
    train(replace(config, epochs=2), device="cpu", checkpoint=path)
    resumed = train(config, device="cpu", checkpoint=path, resume=True)
    assert resumed.epochs_done == config.epochs
    assert torch.equal(resumed.theta, straight)
    assert [p.name for p in tmp_path.iterdir()] == ["run.pt"]  # no temporary file left behind


def test_resume_refuses_a_checkpoint_of_another_configuration(tmp_path):
    path = tmp_path / "run.pt"
    train(replace(TINY, epochs=1), device="cpu", checkpoint=path)
    with pytest.raises(CheckpointMismatch, match="different configuration"):
        train(replace(TINY, lr=0.5), device="cpu", checkpoint=path, resume=True)


def test_auto_device_is_cuda_exactly_when_cuda_is_available():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    with pytest.raises(ValueError, match="device must be"):
        resolve_device("tpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_cuda_population_matches_the_cpu_run():
    on_cpu = train(TINY, device="cpu")
    on_gpu = train(TINY, device="cuda")
    assert on_gpu.device.startswith("cuda")
    assert torch.allclose(on_gpu.theta, on_cpu.theta, atol=1e-4)
