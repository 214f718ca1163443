"""The population's Adamax (neural/adamax.py) is torch.optim.Adamax: same steps, same state."""
import pytest
import torch

from neural.adamax import CHUNK, ChunkedAdamax


def _steps(optimizer_class, start, grads, **options):
    param = start.clone().requires_grad_(True)
    optimizer = optimizer_class([param], lr=3e-3, **options)
    for grad in grads:
        param.grad = grad.clone()
        optimizer.step()
    return param.detach(), optimizer


@pytest.mark.parametrize("shape", [(3, CHUNK + 37), (5, 7)], ids=["several chunks", "one chunk"])
def test_chunked_adamax_takes_torchs_adamax_steps_exactly(shape):
    generator = torch.Generator().manual_seed(0)
    start = torch.randn(shape, generator=generator)
    grads = [torch.randn(shape, generator=generator) * scale for scale in (1.0, 1e-3, 10.0, 0.0)]
    ours, chunked = _steps(ChunkedAdamax, start, grads, betas=(0.8, 0.99), eps=1e-6)
    theirs, reference = _steps(torch.optim.Adamax, start, grads, betas=(0.8, 0.99), eps=1e-6)
    assert not torch.equal(ours, start)
    assert torch.equal(ours, theirs)
    for key in ("exp_avg", "exp_inf", "step"):
        assert torch.equal(chunked.state_dict()["state"][0][key], reference.state_dict()["state"][0][key])
    assert chunked.state_dict()["param_groups"] == reference.state_dict()["param_groups"]


def test_a_torch_adamax_checkpoint_resumes_in_chunked_adamax():
    generator = torch.Generator().manual_seed(1)
    start = torch.randn(4, 9, generator=generator)
    grads = [torch.randn(4, 9, generator=generator) for _ in range(4)]
    straight, _ = _steps(torch.optim.Adamax, start, grads)
    halfway, reference = _steps(torch.optim.Adamax, start, grads[:2])
    param = halfway.clone().requires_grad_(True)
    resumed = ChunkedAdamax([param], lr=3e-3)
    resumed.load_state_dict(reference.state_dict())
    for grad in grads[2:]:
        param.grad = grad.clone()
        resumed.step()
    assert torch.equal(param.detach(), straight)


def test_chunked_adamax_steps_a_non_contiguous_parameter_like_torch():
    generator = torch.Generator().manual_seed(2)
    base = torch.randn(6, 8, generator=generator)
    grads = [torch.randn(8, 6, generator=generator).t() for _ in range(3)]  # transposed: not contiguous
    results = []
    for optimizer_class in (ChunkedAdamax, torch.optim.Adamax):
        param = base.t().clone().t().requires_grad_(True)  # a column-major leaf
        optimizer = optimizer_class([param], lr=1e-2)
        for grad in grads:
            param.grad = grad.clone()  # keeps the transposed strides
            optimizer.step()
        results.append(param.detach())
    assert torch.equal(results[0], results[1])
    assert not torch.equal(results[0], base)
