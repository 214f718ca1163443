"""The honest metrics of neural/metrics.py, against independent numpy computations."""
import math

import numpy as np
import pytest
import torch

from neural.metrics import ZERO_QUINE, quine_metrics


def test_metrics_match_numpy_definitions():
    rng = np.random.default_rng(0)
    theta = rng.normal(size=500)
    pred = theta + rng.normal(scale=0.1, size=500)
    m = quine_metrics(torch.tensor(theta), torch.tensor(pred))
    residual = pred - theta
    assert m.sr_loss == pytest.approx(np.sum(residual ** 2))
    assert m.mse == pytest.approx(np.mean(residual ** 2))
    assert m.mae == pytest.approx(np.mean(np.abs(residual)))
    assert m.r2 == pytest.approx(1 - np.sum(residual ** 2) / np.sum((theta - theta.mean()) ** 2))
    assert m.relative_loss == pytest.approx(np.sum(residual ** 2) / np.sum(theta ** 2))
    assert m.norm == pytest.approx(np.linalg.norm(theta))
    assert m.rms == pytest.approx(np.linalg.norm(theta) / math.sqrt(500))


def test_tiny_mae_on_near_zero_weights_is_flagged_as_the_zero_quine():
    # The blog's regeneration result: MAE 6.5e-8 on weights that are all nearly zero.
    theta = torch.randn(1000, generator=torch.Generator().manual_seed(1)) * 1e-7
    pred = theta * 0.5
    m = quine_metrics(theta, pred)
    assert m.mae < 1e-7
    assert m.zero_quine


def test_weights_that_shrank_while_predictions_explain_little_are_the_zero_quine():
    theta = torch.randn(1000, generator=torch.Generator().manual_seed(2)) * 0.01
    pred = torch.zeros(1000)  # predicts nothing: R² = 0 (up to the mean)
    shrunk = quine_metrics(theta, pred, initial_rms=0.1)
    assert shrunk.r2 < ZERO_QUINE.r2_min and shrunk.zero_quine
    not_shrunk = quine_metrics(theta, pred, initial_rms=0.015)
    assert not not_shrunk.zero_quine  # a poor quine, but not one that collapsed


def test_an_accurate_quine_on_large_weights_is_non_trivial():
    theta = torch.randn(1000, generator=torch.Generator().manual_seed(3)) * 0.3
    pred = theta + 0.01 * torch.randn(1000, generator=torch.Generator().manual_seed(4))
    m = quine_metrics(theta, pred, initial_rms=0.14)
    assert m.r2 > 0.99
    assert not m.zero_quine and not m.diverged


def test_nan_weights_are_diverged_not_zero():
    theta = torch.tensor([float("nan"), 1.0, 2.0])
    m = quine_metrics(theta, torch.zeros(3), initial_rms=1.0)
    assert m.diverged and not m.zero_quine


def test_shape_mismatch_is_refused_with_both_shapes():
    with pytest.raises(ValueError, match=r"\(3,\) vs \(4,\)"):
        quine_metrics(torch.zeros(3), torch.zeros(4))


def test_all_zero_weights_have_undefined_r2_and_are_the_zero_quine():
    m = quine_metrics(torch.zeros(10), torch.zeros(10), initial_rms=0.1)
    assert math.isnan(m.r2) and m.zero_quine
    assert m.to_dict()["r2"] is None  # strict JSON
