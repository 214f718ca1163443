"""neural.complexity and neural.selfmaps: k-bit weight descriptions, the constructive bound of
Mahoney 2008's Theorem for training processes θ_{n+1} = F(θ_n) (regeneration, newton, Gabor
et al.'s self-training), and its verification by deterministic replay on the CPU."""
import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from neural import complexity
from neural.config import TrainConfig, preset
from neural.selfmaps import QuineTraining, SelfTraining
from rsi.complexity import compressed_length

torch = pytest.importorskip("torch")
torch.set_num_threads(1)


def regeneration(width: int, seed: int = 0, method: str = "regeneration") -> QuineTraining:
    return QuineTraining(TrainConfig(quine=preset("chang-lipson", width=width), method=method, seed=seed,
                                     cg_iterations=5))


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
    process = regeneration(width=48, seed=2)  # a seed whose weights stay finite for ten generations
    states, _ = complexity.chain_states(process, 10, range(11))
    check = complexity.replay_check(process, states, range(1, 11))
    assert check.checked == tuple(range(1, 11))
    assert check.verified and check.difference == (0.0,) * 10
    assert len(set(states.values())) == 11  # every generation moved the weights
    assert all(complexity.is_finite(np.frombuffer(state, "<f4")) for state in states.values())


@pytest.mark.parametrize("process", [regeneration(width=8, method="newton"), SelfTraining(seed=3)],
                         ids=["newton", "self-training"])
def test_replay_is_bit_for_bit_for_newton_and_self_training(process):
    states, _ = complexity.chain_states(process, 6, range(7))
    check = complexity.replay_check(process, states, [1, 3, 6])
    assert check.verified and len(set(states.values())) == 7


def test_replay_check_reports_a_state_that_is_not_what_d_n_prints():
    process = regeneration(width=8)
    states, _ = complexity.chain_states(process, 2, range(3))
    changed = np.frombuffer(states[2], "<f4").copy()
    changed[0] += 0.5
    check = complexity.replay_check(process, {**states, 2: changed.tobytes()}, [1, 2])
    assert check.identical == (True, False) and not check.verified and check.failed == (2,)
    assert check.difference[1] == pytest.approx(0.5, rel=1e-3)


@pytest.mark.parametrize("process", [regeneration(width=8, seed=7), SelfTraining(seed=7)],
                         ids=["regeneration", "self-training"])
def test_constructive_bound_grows_only_by_the_digits_of_n(process):
    bounds = {n: complexity.constructive_bound(process, n) for n in (1, 9, 10, 99, 100)}
    assert bounds[9].total == bounds[1].total and bounds[10].total == bounds[9].total + 1
    assert bounds[100].total == bounds[99].total + 1
    bound = bounds[10]
    assert bound.total == bound.description_bytes + bound.code_bytes
    assert bound.seed_digits == 1 and bound.n_digits == 2
    assert bound.description_bytes == len(complexity.description(process, 10).encode())


def test_constructive_description_ignores_the_epoch_budget_but_not_the_seed():
    process = regeneration(width=8)
    text = complexity.description(process, 3)
    assert text == complexity.description(QuineTraining(replace(process.config, epochs=99)), 3)
    assert text != complexity.description(QuineTraining(replace(process.config, seed=1)), 3)


@pytest.mark.parametrize("process", [regeneration(width=8), regeneration(width=8, method="newton"),
                                     SelfTraining()], ids=["regeneration", "newton", "self-training"])
def test_code_closure_is_the_neural_modules_that_running_d_n_imports(process):
    script = (complexity.description(process, 1) + "\nimport json, sys\n"
              "print(json.dumps(sorted(m for m in sys.modules if m == 'neural' or m.startswith('neural.'))))")
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert tuple(json.loads(loaded.stdout.splitlines()[-1])) == complexity.code_closure(process.control)


def test_compressed_float32_weights_exceed_the_bound_only_for_a_net_larger_than_its_code():
    large = complexity.weight_chain(regeneration(width=64), 2, bits=(8, 32), replay_ns=[1])
    small = complexity.weight_chain(regeneration(width=8), 2, bits=(8, 32), replay_ns=[1])
    assert large.sizes[32][0] > large.bounds[0].compressed and 1 in large.exceeds[32]
    assert small.exceeds == {8: (), 32: ()}
    assert large.replay.verified and small.replay.verified
    assert json.loads(json.dumps(large.to_dict(), allow_nan=False))["exceeds"]["32"][0] == 1


def test_self_training_reaches_a_non_zero_fixpoint_and_its_chain_records_the_replayed_n():
    chain = complexity.weight_chain(SelfTraining(seed=0), 1000, bits=(8, 32),
                                    record=complexity.log_spaced(1000, 8), replay_ns=[1, 64, 1000])
    assert {1, 64, 1000} <= set(chain.ns) and chain.replay.verified
    last = chain.metrics[-1]
    assert last["class"] == "fixpoint" and not last["zero_quine"] and last["r2"] > 0.999
    assert chain.parameters == 14 and chain.exceeds == {8: (), 32: ()}  # 14 weights: compression is tighter


def test_log_spaced_starts_at_1_ends_at_the_last_and_is_increasing():
    grid = complexity.log_spaced(2000, 24)
    assert grid[0] == 1 and grid[-1] == 2000 and list(grid) == sorted(set(grid)) and len(grid) <= 24


@pytest.mark.parametrize("change", [dict(method="gradient"), dict(population=2)])
def test_quine_training_chain_refuses_other_training(change):
    with pytest.raises(ValueError, match="regeneration or newton"):
        QuineTraining(replace(regeneration(width=8).config, **change))
