"""Weightwise and aggregating application (Gabor et al. 2022, Reductions 1 and 2): the shapes,
the input encoding on a hand-made case, and the batched application against a per-weight
(per-chunk) reference written from the definitions."""
import pytest
import torch
from torch import nn

from neural.selfrep.net import SelfRepNet, apply, chunk_index, init_weights, weightwise_inputs

PAPER_NET = SelfRepNet()  # 4 → 2 → 2 → 1, linear, no bias


def test_weightwise_net_has_exactly_14_weights():
    assert PAPER_NET.layer_shapes == ((2, 4), (2, 2), (1, 2))
    assert PAPER_NET.n_weights == 4 * 2 + 2 * 2 + 2 * 1 == 14
    assert init_weights(PAPER_NET, [0]).shape == (1, 14)


def test_weightwise_encoding_is_value_layer_cell_position_normalised_to_unit_interval():
    target = torch.arange(14, dtype=torch.float32)[None] / 10
    # By hand: 3 layers (layer/2); layer 0 has 2 cells of 4 inputs, layer 1 2 cells of 2,
    # layer 2 one cell (cell 0 → 0) of 2 inputs; position/(inputs − 1).
    expected = [
        (0.0, 0.0, 0.0), (0.0, 0.0, 1 / 3), (0.0, 0.0, 2 / 3), (0.0, 0.0, 1.0),
        (0.0, 1.0, 0.0), (0.0, 1.0, 1 / 3), (0.0, 1.0, 2 / 3), (0.0, 1.0, 1.0),
        (0.5, 0.0, 0.0), (0.5, 0.0, 1.0), (0.5, 1.0, 0.0), (0.5, 1.0, 1.0),
        (1.0, 0.0, 0.0), (1.0, 0.0, 1.0),
    ]
    inputs = weightwise_inputs(PAPER_NET, target)[0]
    assert torch.equal(inputs[:, 0], target[0])
    assert torch.allclose(inputs[:, 1:], torch.tensor(expected))
    assert inputs.min() >= 0 and inputs[:, 1:].max() <= 1


ACTIVATION_MODULES = {"linear": nn.Identity, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "relu": nn.ReLU}


def _module(net: SelfRepNet, theta: torch.Tensor) -> nn.Sequential:
    """The net as ordinary nn.Linear layers holding θ (row-major (out, in) blocks), each
    followed by the activation (as Keras' Dense(activation=...) of the reference code)."""
    layers, start = [], 0
    for out, inp in net.layer_shapes:
        layer = nn.Linear(inp, out, bias=False)
        with torch.no_grad():
            layer.weight.copy_(theta[start: start + out * inp].view(out, inp))
        layers += [layer, ACTIVATION_MODULES[net.activation]()]
        start += out * inp
    return nn.Sequential(*layers)


def _per_weight(net: SelfRepNet, theta: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Reduction 1 written literally: one call of N per weight of the target."""
    module, out_weights, i = _module(net, theta), [], 0
    shapes = net.layer_shapes
    for layer, (cells, inputs) in enumerate(shapes):
        for cell in range(cells):
            for position in range(inputs):
                x = torch.tensor([target[i].item(), layer / (len(shapes) - 1),
                                  cell / (cells - 1) if cells > 1 else 0.0,
                                  position / (inputs - 1) if inputs > 1 else 0.0])
                out_weights.append(module(x).item())
                i += 1
    return torch.tensor(out_weights)


def _per_chunk(net: SelfRepNet, theta: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Reduction 2 written literally: chunks of ⌊n/a⌋, leftovers to the last, mean, repeat."""
    n, a = net.n_weights, net.aggregates
    size = n // a
    chunks = [list(target[k * size: (k + 1) * size]) for k in range(a)]
    chunks[-1] += list(target[a * size:])
    reduce = (lambda c: sum(c) / len(c)) if net.aggregator == "mean" else max
    mapped = _module(net, theta)(torch.tensor([float(reduce(c)) for c in chunks]))
    return torch.cat([mapped[k].repeat(len(chunk)) for k, chunk in enumerate(chunks)])


@pytest.mark.parametrize("net", [PAPER_NET, SelfRepNet(width=3, depth=1, activation="tanh")])
def test_batched_weightwise_application_equals_per_weight_definition(net):
    nets, targets = init_weights(net, [1, 2, 3, 4]), init_weights(net, [10, 11, 12, 13]) * 3
    batched = apply(net, nets, targets)
    for k in range(4):
        assert torch.allclose(batched[k], _per_weight(net, nets[k], targets[k]), atol=1e-6)
    broadcast = apply(net, nets[:1], targets)
    assert torch.allclose(broadcast[2], _per_weight(net, nets[0], targets[2]), atol=1e-6)


@pytest.mark.parametrize("net", [SelfRepNet(kind="aggregating"),  # 20 weights, 4 chunks of 5
                                 SelfRepNet(kind="aggregating", aggregates=3, aggregator="max")])  # 21: 7+7+7
def test_batched_aggregating_application_equals_per_chunk_definition(net):
    nets, targets = init_weights(net, [5, 6, 7]), init_weights(net, [20, 21, 22])
    batched = apply(net, nets, targets)
    for k in range(3):
        assert torch.allclose(batched[k], _per_chunk(net, nets[k], targets[k]), atol=1e-6)


def test_leftover_weights_join_the_last_chunk():
    assert chunk_index(14, 4).tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]


def test_a_net_in_a_batch_is_the_same_net_started_alone():
    together = init_weights(PAPER_NET, [7, 8, 9])
    assert torch.equal(together[1], init_weights(PAPER_NET, [8])[0])
    assert not torch.equal(together[0], together[1])


@pytest.mark.parametrize("field, value", [("kind", "recurrent"), ("aggregator", "median"),
                                          ("activation", "gelu"), ("width", 0)])
def test_bad_architecture_names_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        SelfRepNet(**{field: value})
