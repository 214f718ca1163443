"""Plots of a DeepPhoenix run: the training loss of every iteration's model (Sheng, Figure 1,
first 3 steps left out as in the paper), the audited P_i(t) over the budget grid, and each step's
greedy decision beside Mahoney's "improves" verdicts (`neural.phoenix.audit`)."""
from __future__ import annotations

from pathlib import Path

from neural.phoenix.records import PhoenixRun
from rsi.atomic import atomic_path

SKIPPED_STEPS = 3  # the paper omits the first 3 steps of each curve
KIND_COLOURS = {"proven": "tab:green", "holds_up_to": "tab:olive", "unknown": "tab:grey",
                "refuted": "tab:red"}


def plot_run(run: PhoenixRun, path: Path) -> Path:
    """Save the three panels as a PNG at `path`, atomically (`rsi.atomic`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (losses, values, verdicts) = plt.subplots(1, 3, figsize=(16, 4.5))
    for i, training in enumerate(run.trainings):
        curve = training.train_losses[SKIPPED_STEPS:]
        losses.plot(range(SKIPPED_STEPS, SKIPPED_STEPS + len(curve)), curve, label=f"model {i}")
        values.plot(range(len(training.budgets)), training.program(f"P_{i}").values, marker=".",
                    label=f"P_{i}")
    losses.set(title="training loss per iteration (Figure 1)", xlabel="step",
               ylabel="cross-entropy per byte")
    values.set(title="P_i(t) = floor(1e6 exp(-held-out loss))", xlabel="t (index of the budget)",
               ylabel="P_i(t)")
    for axis in (losses, values):
        axis.legend(fontsize="small")

    rows = ("greedy kept new", "improves (1-4)", "improves (3-4)")
    for step in run.audits():
        kept = "tab:blue" if step.greedy_kept_new else "white"
        verdicts.scatter(step.index, 2, s=250, c=kept, edgecolors="black")
        for row, verdict in ((1, step.verdict), (0, step.verdict_3_4)):
            verdicts.scatter(step.index, row, s=250, c=KIND_COLOURS[verdict.kind],
                             edgecolors="black")
    for kind, colour in KIND_COLOURS.items():
        verdicts.scatter([], [], c=colour, edgecolors="black", label=kind)
    steps = max(1, len(run.trainings) - 1)
    verdicts.set_yticks(range(3), rows[::-1])
    verdicts.set_xticks(range(steps))
    verdicts.set(title="step i -> i+1: greedy rule vs Mahoney", xlabel="i", ylim=(-0.6, 2.6),
                 xlim=(-0.5, steps - 0.5))
    verdicts.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=4)
    figure.tight_layout()

    try:
        with atomic_path(path, create_parents=True, suffix=".png") as temporary:
            figure.savefig(temporary, dpi=100)
    finally:
        plt.close(figure)
    return path
