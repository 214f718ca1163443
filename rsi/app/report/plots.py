"""The report's PNG plots (matplotlib, Agg backend), drawn from the stage results alone so a
resumed report draws the same pictures.  Each function returns the PNG's bytes (None when
its stage has nothing to draw: no self-replicating nets in the build).  Metadata
(software, dates) is left out, so the same results give the same bytes."""
from __future__ import annotations

import io
from typing import Any

import numpy as np


def _figure(columns: int, width: float = 5.0, height: float = 3.6):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, columns, figsize=(width * columns, height), squeeze=False)
    return figure, axes[0]


def _png(figure: Any) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def _log_curve(ax: Any, ns: list[int], fit: dict[str, Any] | None, label: str, **style: Any) -> None:
    if fit is None:
        return
    grid = np.linspace(min(ns), max(ns), 200)
    ax.plot(grid, fit["a"] + fit["b"] * np.log(grid), label=label, **style)


def chain_plot(chains: dict[str, Any]) -> bytes:
    """Per chain: bytes and lzma size of P_n, |D_n| and the fitted a + b ln n of |D_n|."""
    figure, axes = _figure(len(chains))
    for ax, (name, chain) in zip(axes, chains.items(), strict=False):
        ns = [link["i"] for link in chain["links"]]
        ax.plot(ns, [link["bytes"] for link in chain["links"]], "o-", label="bytes of P_n")
        ax.plot(ns, [link["compressed"]["lzma"] for link in chain["links"]], "s-", label="lzma of P_n")
        described = chain["constructive"]["bytes"]
        ax.plot(range(1, len(described) + 1), described, "^-", label="|D_n| (constructive)")
        fit = chain["fit"]
        _log_curve(ax, ns, fit, f"fit {fit['a']:.1f} + {fit['b']:.2f} ln n" if fit else "", linestyle="--", color="k")
        ax.set(title=name, xlabel="n", ylabel="bytes")
        ax.legend(fontsize=8)
    return _png(figure)


def _flag(last: dict[str, Any]) -> str:
    return " (diverged)" if last["diverged"] else " (zero quine)" if last["zero_quine"] else ""


def quine_curves_plot(runs: dict[str, Any]) -> bytes:
    """Self-replication loss, R² and ‖θ‖ per epoch for each method (zero quines and diverged
    runs marked; the loss and ‖θ‖ axes end a decade above the runs that did not diverge)."""
    figure, axes = _figure(3, width=4.4)
    keys = ("sr_loss", "r2", "norm")
    tops: dict[str, list[float]] = {key: [] for key in keys}
    for method, run in runs.items():
        curve = run["curve"]
        epochs = [point["epoch"] for point in curve]
        for ax, key in zip(axes, keys, strict=False):
            values = [np.nan if point[key] is None else point[key] for point in curve]
            ax.plot(epochs, values, label=method + _flag(curve[-1]))
            if not curve[-1]["diverged"]:
                tops[key].append(np.nanmax(values))
    axes[0].set(title="self-replication loss", xlabel="epoch", yscale="log")
    axes[1].set(title="R² over parameters", xlabel="epoch", ylim=(-1.05, 1.05))
    axes[2].set(title="‖θ‖", xlabel="epoch", yscale="log")
    for ax, key in ((axes[0], "sr_loss"), (axes[2], "norm")):
        if tops[key]:
            ax.set_ylim(top=10 * max(tops[key]))
    axes[0].legend(fontsize=8)
    return _png(figure)


def auxiliary_plot(auxiliary: dict[str, Any]) -> bytes:
    """Held-out accuracy of the auxiliary quine against λ, with the solo classifier."""
    figure, axes = _figure(1)
    lambdas = [run["lambda"] for run in auxiliary["runs"]]
    axes[0].plot(lambdas, [run["final"]["accuracy"] for run in auxiliary["runs"]], "o-", label="auxiliary quine")
    axes[0].axhline(auxiliary["solo"]["final"]["accuracy"], color="k", linestyle="--", label="solo classifier")
    axes[0].set(xscale="log", xlabel="λ", ylabel="held-out accuracy", title="8×8 digits")
    axes[0].legend(fontsize=8)
    return _png(figure)


def weights_plot(result: dict[str, Any]) -> bytes:
    """Per training series: compressed k-bit weights of θ_n against the constructive bound and
    its a + b ln n fit (the weights' fits are in the page's text: through a collapse or a
    divergence they say little)."""
    series = result["series"]
    figure, axes = _figure(len(series), width=5.5, height=4.4)
    for ax, chain in zip(axes, series.values(), strict=True):
        ns = chain["ns"]
        diverged_at = chain["diverged_at"]
        for k in chain["bits"]:
            # From the first non-finite θ_n on, even the float32 bytes (NaN, inf) describe no quine.
            sizes = [np.nan if size is None or (diverged_at is not None and n >= diverged_at) else size
                     for n, size in zip(ns, chain["sizes"][str(k)], strict=True)]
            what = "float32" if k == 32 else f"{k}-bit"
            ax.plot(ns, sizes, "o-", markersize=3, label=f"lzma of {what} weights")
        if diverged_at is not None:
            ax.axvline(diverged_at, color="red", linestyle=":", label=f"θ_n not finite from n = {diverged_at}")
        ax.plot(ns, [bound["total"] for bound in chain["bounds"]], "k-", linewidth=2,
                label="constructive bound |code| + |seed| + digits(n)")
        ax.plot(ns, [bound["compressed"] for bound in chain["bounds"]], "k--", label="constructive bound, lzma")
        fit = chain["fits"]["constructive"]
        if fit is not None:
            _log_curve(ax, ns, fit, f"fit {fit['a']:.0f} + {fit['b']:.2f} ln n", linestyle=":", color="grey")
        ax.set(yscale="log", xscale="log" if ns[-1] > 100 else "linear", xlabel="step n", ylabel="bytes",
               title=f"{chain['process']['process']}, {chain['parameters']} parameters")
        ax.legend(fontsize=6)
    return _png(figure)


def gabor_plot(gabor: dict[str, Any]) -> bytes:
    """Trajectory classes after self-application and self-training, and the share of noisy
    fixpoint copies that are a non-zero fixpoint again, against the noise scale 10^-d."""
    figure, axes = _figure(2)
    modes = ("self_application", "self_training")
    classes = list(gabor[modes[0]]["counts"])
    positions = np.arange(len(classes))
    for offset, mode in zip((-0.2, 0.2), modes, strict=False):
        counts = [gabor[mode]["counts"][name] for name in classes]
        axes[0].bar(positions + offset, counts, width=0.4, label=mode.replace("_", "-"))
    axes[0].set(xticks=positions, xticklabels=classes, ylabel="nets", title="trajectory classes")
    axes[0].legend(fontsize=8)
    levels = gabor["noise"]["levels"]
    ds = [level["d"] for level in levels]
    axes[1].plot(ds, [level["returned"] / level["copies"] for level in levels], "o-", label="returned to a fixpoint")
    axes[1].plot(ds, [level["final"]["fixpoint"] / level["copies"] for level in levels], "s--",
                 label="fixpoint after the last step")
    axes[1].set(xlabel="noise 10^-d: d", ylabel="share of noisy copies", ylim=(-0.05, 1.05),
                title=f"noise robustness of {gabor['noise_of']}")
    axes[1].legend(fontsize=8)
    return _png(figure)
