"""The auxiliary task's data: sklearn's 8×8 digits (`load_digits`, shipped offline), with a
fixed stratified held-out split (the blog's 8×8 stand-in for MNIST)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch
from torch import Tensor

TEST_FRACTION = 0.25
SPLIT_SEED = 0


@dataclass(frozen=True)
class DigitsSplit:
    train_images: Tensor  # (N, 64), pixels scaled to [0, 1]
    train_labels: Tensor  # (N,)
    test_images: Tensor
    test_labels: Tensor

    def to(self, device: torch.device | str) -> DigitsSplit:
        return DigitsSplit(*(t.to(device) for t in (self.train_images, self.train_labels,
                                                      self.test_images, self.test_labels)))


@lru_cache(maxsize=1)
def load_split() -> DigitsSplit:
    """1,797 digits → 1,347 train / 450 test, stratified, always the same split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=TEST_FRACTION, random_state=SPLIT_SEED, stratify=data.target)
    as_images = lambda x: torch.tensor(x, dtype=torch.float32) / 16.0  # noqa: E731
    as_labels = lambda y: torch.tensor(y, dtype=torch.long)  # noqa: E731
    return DigitsSplit(as_images(x_train), as_labels(y_train), as_images(x_test), as_labels(y_test))
