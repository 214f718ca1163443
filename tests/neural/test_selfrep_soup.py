"""Soups of self-replicating nets (Gabor et al. 2022 §3.4–3.5): the batched attack rule, learn-from
producing non-trivial fixpoints, determinism, checkpoint and resume, and the command line."""
import json

import pytest
import torch

from neural.population import CheckpointMismatch
from neural.selfrep.net import SelfRepNet, apply, init_weights
from neural.selfrep.soup import SoupConfig, generation, run_soup
from rsi.app.cli import main

NET = SelfRepNet()


def same(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Bit-for-bit equal, NaN equal to NaN (divergent particles)."""
    return torch.allclose(a, b, rtol=0, atol=0, equal_nan=True)


def test_attack_writes_the_highest_attackers_output_into_each_target():
    config = SoupConfig(size=6, attack_rate=1.0, learn_rate=0.0)
    theta = init_weights(NET, list(range(6)))
    after = generation(NET, config, theta, torch.Generator().manual_seed(3))
    replay = torch.Generator().manual_seed(3)
    torch.rand(6, generator=replay)  # every particle attacks (rate 1)
    targets = torch.randint(6, (6,), generator=replay).tolist()
    for j in range(6):
        attackers = [i for i in range(6) if targets[i] == j]
        expected = apply(NET, theta[max(attackers)][None], theta[j][None])[0] if attackers else theta[j]
        assert torch.allclose(after[j], expected)


def test_particles_meet_only_their_own_soup():
    config = SoupConfig(size=3, soups=2, attack_rate=1.0, learn_rate=0.0)
    theta = init_weights(NET, list(range(6)))
    theta[3:] = torch.nan  # the second soup is divergent; the first must stay finite
    after = generation(NET, config, theta, torch.Generator().manual_seed(0))
    assert torch.isfinite(after[:3]).all()


def test_learning_from_others_makes_most_particles_non_trivial_fixpoints():
    config = SoupConfig(size=10, generations=30, attack_rate=0.0, learn_rate=0.5, learn_severity=40, seed=2)
    result = run_soup(NET, config, device="cpu")
    assert result.final["fixpoint"] >= 7
    assert result.final["zero"] == result.final["divergent"] == 0


def test_removal_replaces_divergent_particles():
    config = SoupConfig(size=8, generations=20, attack_rate=0.5, learn_rate=0.0, remove_divergent=True, seed=1)
    assert all(counts["divergent"] == 0 for counts in run_soup(NET, config, device="cpu").counts)


def test_a_soup_is_deterministic_under_its_seed():
    config = SoupConfig(size=8, generations=5, learn_severity=3, train=1, seed=5)
    first, again = run_soup(NET, config, device="cpu"), run_soup(NET, config, device="cpu")
    assert first.counts == again.counts and same(first.theta, again.theta)
    other = run_soup(NET, SoupConfig(size=8, generations=5, learn_severity=3, train=1, seed=6), device="cpu")
    assert not same(first.theta, other.theta)


def test_resume_from_a_checkpoint_equals_an_uninterrupted_run(tmp_path):
    config = SoupConfig(size=6, generations=6, attack_rate=0.3, learn_rate=0.3, learn_severity=2, seed=9)
    whole = run_soup(NET, config, device="cpu")
    path = tmp_path / "soup.pt"
    half = SoupConfig(**{**config.to_dict(), "generations": 3})
    run_soup(NET, half, device="cpu", checkpoint=path)
    resumed = run_soup(NET, config, device="cpu", checkpoint=path, resume=True)
    assert resumed.counts == whole.counts and same(resumed.theta, whole.theta)
    with pytest.raises(CheckpointMismatch):
        run_soup(NET, SoupConfig(**{**config.to_dict(), "seed": 10}), device="cpu", checkpoint=path, resume=True)


def cli(capsys, *args):
    with pytest.raises(SystemExit) as done:
        main(["neural", "selfrep", *args])
    out, err = capsys.readouterr()
    return done.value.code, out, err


def test_cli_apply_counts_every_run(capsys):
    code, out, _ = cli(capsys, "apply", "--runs", "6", "--device", "cpu", "--json")
    data = json.loads(out)
    assert code == 0 and sum(data["counts"].values()) == 6 and len(data["runs"]) == 6


def test_cli_soup_reports_counts_per_generation(capsys):
    code, out, _ = cli(capsys, "soup", "--size", "4", "--generations", "3", "--device", "cpu", "--json")
    data = json.loads(out)
    assert code == 0 and len(data["counts"]) == 3 and sum(data["final"].values()) == 4


def test_cli_noise_on_the_identity_fixpoint(capsys):
    code, out, _ = cli(capsys, "noise", "--trials", "2", "--levels", "2", "--steps", "3", "--json")
    data = json.loads(out)
    assert code == 0 and [level["d"] for level in data["levels"]] == [0, 1]


@pytest.mark.parametrize("args, message", [
    (["apply", "--net", "recurrent"], "kind must be one of"),
    (["train", "--runs", "0"], "at least 1"),
    (["soup", "--attack-rate", "2"], "attack_rate must be in [0, 1]"),
    (["soup", "--resume"], "--resume needs --checkpoint"),
    (["noise", "--levels", "0"], "--levels"),
])
def test_cli_bad_input_exits_2_with_one_line(capsys, args, message):
    code, out, err = cli(capsys, *args, "--json")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err


@pytest.mark.slow
def test_reproduction_learn_from_soup_ends_mostly_non_trivial():
    config = SoupConfig(size=10, soups=10, generations=100, attack_rate=0.0, learn_rate=0.1, learn_severity=100)
    result = run_soup(NET, config, device="cpu")
    assert result.final["fixpoint"] >= 80
