"""Every training method on a tiny net (width 8: 136 predicted parameters), and what each
reaches: regeneration alone collapses to the zero quine (or diverges), ours does not."""
import pytest

from neural.config import TrainConfig, preset
from neural.objectives import replication_loss
from neural.population import train
from neural.quine import BatchedQuine

TINY = preset("chang-lipson", width=8)


@pytest.mark.parametrize("method", ["gradient", "evolution"])
def test_gradient_and_evolution_lower_the_self_replication_loss(method):
    config = TrainConfig(quine=TINY, method=method, epochs=20, population=2, batch_size=34, lr=3e-3)
    model = BatchedQuine(TINY)
    before = replication_loss(model, model.init(config.seeds, config.init))
    result = train(config, device="cpu")
    after = replication_loss(model, result.theta)
    assert (after < before).all()


def test_regeneration_alone_collapses_to_the_zero_quine_and_is_flagged():
    config = TrainConfig(quine=TINY, method="regeneration", epochs=20, population=4, batch_size=32)
    nets = train(config, device="cpu").nets
    assert not any(n.metrics.r2 >= 0.5 and not n.metrics.zero_quine for n in nets)  # nothing non-trivial
    collapsed = [n for n in nets if not n.metrics.diverged]
    assert collapsed and all(n.metrics.zero_quine and n.metrics.rms < 1e-3 for n in collapsed)


def test_newton_reaches_a_non_trivial_quine_on_a_tiny_net():
    result = train(TrainConfig(quine=TINY, method="newton", epochs=30, population=2), device="cpu")
    for net in result.nets:
        assert net.metrics.r2 >= 0.95
        assert not net.metrics.zero_quine
        assert net.metrics.rms >= net.metrics.initial_rms  # it did not get there by shrinking


@pytest.mark.parametrize("task", ["auxiliary", "solo"])
def test_classifiers_learn_digits_above_chance(task):
    config = TrainConfig(quine=preset("blog", task), epochs=3, aux_lambda=1.0, batch_size=128)
    result = train(config, device="cpu")
    assert result.nets[0].metrics.accuracy > 0.5  # chance is 0.1
