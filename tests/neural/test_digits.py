"""The held-out digits split is fixed (same rows every time) and stratified."""
import torch

from neural.digits import load_split


def test_split_is_the_same_on_every_load():
    first = load_split()
    load_split.cache_clear()
    second = load_split()
    assert torch.equal(first.test_images, second.test_images)
    assert torch.equal(first.train_labels, second.train_labels)


def test_split_is_stratified_and_scaled():
    split = load_split()
    assert len(split.train_labels) + len(split.test_labels) == 1797
    assert len(split.test_labels) == 450
    test_counts = torch.bincount(split.test_labels, minlength=10)
    all_counts = test_counts + torch.bincount(split.train_labels, minlength=10)
    assert ((test_counts - 0.25 * all_counts).abs() <= 1).all()  # each class keeps its share
    assert float(split.train_images.min()) == 0.0 and float(split.train_images.max()) == 1.0
