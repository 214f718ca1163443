"""neural.complexity: k-bit weight descriptions, the constructive bound of Mahoney 2008's
Theorem for regeneration, and its verification by deterministic replay on the CPU."""
import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from neural import complexity
from neural.config import TrainConfig, preset
from rsi.complexity import compressed_length

torch = pytest.importorskip("torch")
torch.set_num_threads(1)


def regeneration(width: int, seed: int = 0) -> TrainConfig:
    return TrainConfig(quine=preset("chang-lipson", width=width), method="regeneration", seed=seed)


@pytest.mark.parametrize("bits", [2, 4, 8, 12, 16])
def test_quantised_weights_are_within_half_a_step_of_the_weights(bits):
    weights = np.random.default_rng(bits).normal(size=1000).astype(np.float32)
    data = complexity.quantize(weights, bits)
    step = np.abs(weights).max() / (2 ** (bits - 1) - 1)
    error = np.abs(complexity.dequantize(data, weights.size) - weights)
    assert error.max() <= step / 2 * (1 + 1e-9)
    assert len(data) == 10 + -(-weights.size * bits // 8)  # header + packed codes


def test_weight_complexity_of_float32_is_the_compressed_float_bytes():
    weights = np.linspace(-1, 1, 300, dtype=np.float32)
    found = complexity.weight_complexity(weights, 32)
    assert found.raw_bytes == 1200 and found.max_error == 0.0
    assert found.compressed == compressed_length(weights.astype("<f4").tobytes(), "lzma")


def test_fewer_bits_never_describe_random_weights_in_more_compressed_bytes():
    weights = np.random.default_rng(0).normal(size=4000).astype(np.float32)
    sizes = [complexity.weight_complexity(weights, k).compressed for k in (4, 8, 16, 32)]
    assert sizes == sorted(sizes)


@pytest.mark.parametrize("bits", [0, 1, 17, 31, True])
def test_quantize_rejects_bit_counts_it_cannot_pack(bits):
    with pytest.raises(ValueError, match="bits"):
        complexity.quantize(np.zeros(4), bits)


def test_quantize_refuses_non_finite_weights_below_32_bits():
    with pytest.raises(ValueError, match="non-finite"):
        complexity.quantize(np.array([1.0, np.nan]), 8)
    assert len(complexity.quantize(np.array([1.0, np.nan]), 32)) == 8


def test_replay_of_the_constructive_description_is_bit_for_bit_for_ten_generations():
    config = regeneration(width=48, seed=2)  # a seed whose weights stay finite for ten generations
    states, _ = complexity.regeneration_states(config, 10)
    check = complexity.replay_check(config, states, range(1, 11))
    assert check.checked == tuple(range(1, 11))
    assert check.verified and check.max_abs_diff == (0.0,) * 10
    assert len(set(states)) == 11  # every generation moved the weights
    assert all(complexity.is_finite(np.frombuffer(state, "<f4")) for state in states)


def test_replay_check_reports_a_state_that_is_not_what_d_n_prints():
    config = regeneration(width=8)
    states, _ = complexity.regeneration_states(config, 2)
    changed = np.frombuffer(states[2], "<f4").copy()
    changed[0] += 0.5
    check = complexity.replay_check(config, [states[0], states[1], changed.tobytes()], [1, 2])
    assert check.identical == (True, False) and not check.verified
    assert check.max_abs_diff[1] == pytest.approx(0.5, rel=1e-3)


def test_constructive_bound_grows_only_by_the_digits_of_n():
    config = regeneration(width=8, seed=7)
    bounds = {n: complexity.constructive_bound(config, n) for n in (1, 9, 10, 99, 100)}
    assert bounds[9].total == bounds[1].total and bounds[10].total == bounds[9].total + 1
    assert bounds[100].total == bounds[99].total + 1
    bound = bounds[10]
    assert bound.total == bound.description_bytes + bound.code_bytes
    assert bound.seed_digits == 1 and bound.n_digits == 2
    assert bound.description_bytes == len(complexity.constructive_description(config, 10).encode())


def test_constructive_description_ignores_the_epoch_budget_but_not_the_seed():
    config = regeneration(width=8)
    text = complexity.constructive_description(config, 3)
    assert text == complexity.constructive_description(replace(config, epochs=99), 3)
    assert text != complexity.constructive_description(replace(config, seed=1), 3)


def test_code_closure_is_the_neural_modules_that_running_the_driver_imports():
    config = regeneration(width=8)
    description = complexity.constructive_description(config, 1)
    script = (description + "\nimport json, sys\n"
              "print(json.dumps(sorted(m for m in sys.modules if m == 'neural' or m.startswith('neural.'))))")
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert tuple(json.loads(loaded.stdout.splitlines()[-1])) == complexity.code_closure(complexity.DRIVER)


def test_compressed_float32_weights_exceed_the_bound_only_for_a_net_larger_than_its_code():
    large = complexity.weight_chain(regeneration(width=64), 2, bits=(8, 32), replay_ns=[1])
    small = complexity.weight_chain(regeneration(width=8), 2, bits=(8, 32), replay_ns=[1])
    assert large.sizes[32][0] > large.bounds[0].total and 1 in large.exceeds[32]
    assert small.exceeds == {8: (), 32: ()}
    assert large.replay.verified and small.replay.verified
    assert json.loads(json.dumps(large.to_dict(), allow_nan=False))["exceeds"]["32"][0] == 1


@pytest.mark.parametrize("change", [dict(method="gradient"), dict(population=2)])
def test_regeneration_chain_refuses_other_training(change):
    with pytest.raises(ValueError, match="regeneration"):
        complexity.constructive_description(replace(regeneration(width=8), **change), 1)
