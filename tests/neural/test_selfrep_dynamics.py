"""Fixpoint classes, self-application, self-training and noise robustness (Gabor et al. 2022 §3)."""
import math

import pytest
import torch

from neural.selfrep.dynamics import classify, identity_fixpoint, noise_robustness, run_self_replication, self_apply
from neural.selfrep.net import SelfRepNet, apply

NET = SelfRepNet()

# The identity fixpoint built by hand: weights 1 on the path value → cell 0 → cell 0 → output.
HAND_FIXPOINT = torch.tensor([1., 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0])


def test_classes_of_constructed_states():
    states = torch.stack([
        torch.full((14,), math.nan),  # NaN → divergent
        torch.tensor([math.inf] + [0.0] * 13),  # Inf → divergent
        torch.full((14,), 1e-7),  # every |w| < ε → zero
        HAND_FIXPOINT,  # N ⊙ θ = θ exactly, not zero → fixpoint
        HAND_FIXPOINT * 0.5,  # N is 1/8 · identity on the value: not a fixpoint
    ])
    assert classify(NET, states) == ("divergent", "divergent", "zero", "fixpoint", "other")


def test_hand_built_fixpoint_is_exact_and_matches_identity_fixpoint():
    assert torch.equal(identity_fixpoint(NET), HAND_FIXPOINT)
    assert torch.equal(apply(NET, HAND_FIXPOINT[None], HAND_FIXPOINT[None])[0], HAND_FIXPOINT)


def test_epsilon_decides_zero_and_fixpoint():
    tiny = torch.full((1, 14), 1e-4)
    assert classify(NET, tiny, eps=1e-5) == ("other",)  # 1e-4 ≥ ε, and N ⊙ θ ≈ 0 differs by 1e-4
    assert classify(NET, tiny, eps=1e-3) == ("zero",)


def test_self_application_of_large_weights_diverges_and_of_small_weights_dies():
    # All weights 3: N multiplies by 108 per step (3³ · 2 · 2); all weights 0.1: by 0.004.
    final, taken = self_apply(NET, torch.stack([torch.full((14,), 3.0), torch.full((14,), 0.1)]), 100)
    assert classify(NET, final) == ("divergent", "zero")
    assert taken.tolist()[0] < 10 and taken.tolist()[1] < 10


def test_self_application_stops_at_a_fixpoint():
    final, taken = self_apply(NET, HAND_FIXPOINT[None], 100)
    assert taken.tolist() == [0] and torch.equal(final[0], HAND_FIXPOINT)


def test_self_application_of_random_nets_finds_no_non_trivial_fixpoint():
    result = run_self_replication(NET, "self-application", runs=20, budget=100, seed=0)
    assert result.counts["fixpoint"] == 0
    assert result.counts["zero"] + result.counts["divergent"] == 20


def test_self_training_reaches_a_non_trivial_fixpoint_from_a_fixed_seed():
    result = run_self_replication(NET, "self-training", runs=1, budget=1000, seed=0, lr=0.1)
    assert result.classes == ("fixpoint",)
    metrics = result.metrics[0]
    assert metrics.rms > 0.1 and metrics.r2 > 0.999 and not metrics.zero_quine


def test_runs_are_deterministic_under_a_seed():
    first = run_self_replication(NET, "self-training", runs=3, budget=50, seed=4)
    again = run_self_replication(NET, "self-training", runs=3, budget=50, seed=4)
    other = run_self_replication(NET, "self-training", runs=3, budget=50, seed=5)
    assert torch.equal(first.theta, again.theta) and first.to_dict() == again.to_dict()
    assert not torch.equal(first.theta, other.theta)


def test_small_noise_stays_a_fixpoint_longer_than_large_noise():
    result = noise_robustness(NET, HAND_FIXPOINT[None], trials=20, levels=range(0, 10, 3), steps=60, seed=1)
    by_d = {level.d: level for level in result.levels}
    assert by_d[9].returned == by_d[9].copies == 20  # 1e-9 is far below ε: a fixpoint again at once
    assert by_d[0].returned == 0
    assert by_d[9].mean_steps_as_fixpoint > by_d[3].mean_steps_as_fixpoint
    assert by_d[9].mean_steps_to_vergence > by_d[0].mean_steps_to_vergence
    assert noise_robustness(NET, HAND_FIXPOINT[None], 20, range(0, 10, 3), 60, seed=1) == result


@pytest.mark.parametrize("kwargs, message", [
    ({"mode": "self-play"}, "mode must be"), ({"runs": 0}, "at least 1"), ({"eps": 0.0}, "positive"),
])
def test_bad_run_arguments_are_named(kwargs, message):
    args = {"mode": "self-application", "runs": 2, "budget": 2, **kwargs}
    with pytest.raises(ValueError, match=message):
        run_self_replication(NET, **args)


@pytest.mark.slow
def test_reproduction_self_application_and_self_training_of_50_nets():
    applied = run_self_replication(NET, "self-application", runs=50, budget=100, seed=0)
    assert applied.counts["fixpoint"] == 0
    trained = run_self_replication(NET, "self-training", runs=50, budget=2000, seed=0, lr=0.1)
    assert trained.counts["fixpoint"] >= 45
