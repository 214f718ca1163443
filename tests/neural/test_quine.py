"""Architectures of neural/quine.py: parameter counts of the papers, and the batched
functional evaluation equals the plain module."""
import pytest
import torch

from neural.config import preset
from neural.quine import BatchedQuine, ParamLayout, QuineNet


@pytest.mark.parametrize("arch, task, n, m", [
    ("chang-lipson", "vanilla", 20_100, 20_100),  # Chang & Lipson: 100·100 + 100·100 + 100, all predicted
    ("blog", "vanilla", 10_000, 10_100),  # the blog: Embedding(10000, 100) → hidden 100×100 predicted
    ("blog", "auxiliary", 4_096, 4_096 + 64 + 640),  # Embedding(4096, 64), class head 64 → 10
])
def test_parameter_counts_match_the_papers(arch, task, n, m):
    layout = ParamLayout.of(QuineNet(preset(arch, task)))
    assert (layout.n_predicted, layout.size) == (n, m)


def test_flatten_and_unflatten_are_inverse():
    net = QuineNet(preset("chang-lipson", "auxiliary", width=8))
    layout = ParamLayout.of(net)
    params = {k: v.detach() for k, v in net.named_parameters()}
    back = layout.unflatten(layout.flatten(params))
    assert all(torch.equal(back[k], params[k]) for k in params)


@pytest.mark.parametrize("arch", ["chang-lipson", "blog"])
def test_batched_predictions_equal_each_plain_module(arch):
    model = BatchedQuine(preset(arch, "auxiliary", width=8 if arch == "chang-lipson" else None))
    theta = model.init([0, 1, 2])
    images = torch.rand(5, 64, generator=torch.Generator().manual_seed(0))
    batched, logits = model.predict_all(theta), model.logits(theta, images)
    for k in range(3):
        net = QuineNet(model.config)
        net.load_state_dict({**model.layout.unflatten(theta[k]), **dict(net.named_buffers())})
        with torch.no_grad():
            assert torch.allclose(batched[k], net(torch.arange(model.n)), atol=1e-6)
            assert torch.allclose(logits[k], net(images, task="classify"), atol=1e-6)


def test_raw_pixel_input_needs_width_64():
    with pytest.raises(ValueError, match="width 64"):
        preset("blog", "auxiliary", width=32)
