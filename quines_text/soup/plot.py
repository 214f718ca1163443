"""Plots of a soup run for the report (Computational Life, the figures of high-order entropy
and activity over epochs): high-order entropy and ops per interaction against the epoch, with
the detected transition marked."""
from __future__ import annotations

from pathlib import Path

from quines_text.soup.run import History


def plot_history(history: History, path: Path, transition: int | None = None) -> Path:
    """Write the two-panel figure to `path` (PNG or any format matplotlib knows by suffix)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(7, 5))
    top.plot([s.epoch for s in history.snapshots], [s.high_order_entropy for s in history.snapshots])
    top.set_ylabel("high-order entropy (bits/byte)")
    bottom.plot([e.epoch for e in history.epochs], [e.ops_per_interaction for e in history.epochs],
                linewidth=0.6)
    bottom.set_ylabel("ops per interaction")
    bottom.set_xlabel("epoch")
    if transition is not None:
        for axis in (top, bottom):
            axis.axvline(transition, color="red", linestyle="--", label=f"transition ({transition})")
        top.legend(loc="upper left")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path
