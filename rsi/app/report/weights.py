"""The report's "theory against weights" stage: Mahoney 2008's Theorem (K(P_n) in O(log n) for
an RSI chain, by the program that holds P_1 and n) set beside three deterministic training
processes θ_{n+1} = F(θ_n) (`neural.selfmaps`), each with both upper bounds on K(θ_n)
(`neural.complexity`: compressed k-bit weights, and the constructive bound verified by replay):

- `newton`: our damped Gauss-Newton method on a chang-lipson quine (Chang & Lipson 2018),
  which reaches R² near 1 with growing weights: a non-trivial trained quine;
- `self-training`: Gabor et al. 2022's weightwise net trained on its own weights, which
  settles on a non-zero fixpoint;
- `regeneration`: Chang & Lipson's regeneration, which collapses to the zero quine (the
  contrast: there θ_n is simple because it is zero).

What the page says about each series, and the section "What the theorem says about these
nets", are sentences computed from the stage's numbers (`series_statement`,
`theorem_statements`).  torch and `neural` are imported inside the functions.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rsi.app.report.sizes import ReportSizes

Tick = Callable[[str], None]
NON_TRIVIAL_R2 = 0.9  # the R² a series must end with to count as a non-trivial quine here

PROCESSES = {
    "newton": "one damped Gauss-Newton step on 1 - R² per n (our method, neural/newton.py)",
    "self-training": "one full-batch gradient step of the net on its own weights per n (Gabor et al. 2022, "
                     "self-training)",
    "regeneration": "a gradient epoch, then every weight replaced by its prediction, per n (Chang & Lipson "
                    "2018, regeneration)",
}
FULL_WIDTH = 100  # the chang-lipson preset's width
TITLES = {"newton": "Newton's method on a chang-lipson quine",
          "self-training": "Self-training of a weightwise net (Gabor et al. 2022)",
          "regeneration": "Regeneration of a chang-lipson quine (contrast)"}


def weights_stage(sizes: ReportSizes, device: str, tick: Tick) -> dict[str, Any]:
    """The three series at `sizes`; newton on `device` (its replay too), the others on the CPU."""
    from neural.complexity import log_spaced, replay_sample, weight_chain
    from neural.config import TrainConfig, preset
    from neural.selfmaps import QuineTraining, SelfTraining
    from rsi.app.report.neural_stages import one_cpu_thread

    newton = QuineTraining(TrainConfig(quine=preset("chang-lipson", width=sizes.newton_width), method="newton",
                                       seed=sizes.seed, cg_iterations=sizes.newton_cg_iterations), device)
    regeneration = QuineTraining(TrainConfig(quine=preset("chang-lipson", width=sizes.weight_width),
                                             method="regeneration", seed=sizes.seed))
    self_training = SelfTraining(seed=sizes.seed)
    runs = (
        (newton, sizes.newton_steps, None, replay_sample(sizes.newton_steps, sizes.newton_replay_all_up_to)),
        (self_training, sizes.selfrep_epochs, log_spaced(sizes.selfrep_epochs, sizes.selfrep_points),
         replay_sample(sizes.selfrep_epochs, sizes.replay_all_up_to)),
        (regeneration, sizes.generations, None, replay_sample(sizes.generations, sizes.replay_all_up_to)),
    )
    series = {}
    with one_cpu_thread():
        for process, steps, record, replay_ns in runs:
            chain = weight_chain(process, steps, sizes.bits, record, replay_ns, tick).to_dict()
            series[process.name] = {**chain, "title": TITLES[process.name], "shows": series_shows(process.name, chain),
                                    "statement": series_statement(chain)}
    width = sizes.newton_width
    series["newton"]["note"] = (f"chang-lipson width {width}" + ("" if width == FULL_WIDTH else
                                f", narrower than the full net (width {FULL_WIDTH}) to fit this preset's CPU time"))
    return {"series": series, "theorem": theorem_statements(series)}


def series_shows(name: str, chain: dict[str, Any]) -> str:
    """What the series is (its F) and what it ended as, from its metrics."""
    last, first = chain["metrics"][-1], chain["initial"]
    zero = next((m for m in chain["metrics"] if m["zero_quine"]), None)
    growth = f"rms of θ from {_fmt(first['rms'])} at n = 0 to {_fmt(last['rms'])} at n = {chain['ns'][-1]}"
    if last["zero_quine"]:
        outcome = (f"it collapses to the zero quine (flagged from n = {zero['step'] if zero else '-'}; {growth}): "
                   "the contrast, whose weights become simple because they vanish, not because of the "
                   "process that made them")
    elif _non_trivial(chain):
        outcome = (f"it ends as a non-trivial quine (R² {_fmt(last['r2'])}, zero-quine flag no, {growth}): "
                   "weights that really predict themselves, the case the theorem's bound is about")
    else:
        outcome = f"it ends neither as a non-trivial quine nor as the zero quine (R² {_fmt(last['r2'])}, {growth})"
    return f"F is {PROCESSES[name]}; {outcome}"


def _what(k: int) -> str:
    return "float32" if k == 32 else f"{k}-bit"


def _fmt(value: Any) -> str:
    from rsi.app.report.page import fmt

    return fmt(value)


def series_statement(chain: dict[str, Any]) -> str:
    """At which n each bound is the tighter one for each k, and what the series ended as."""
    ns, bounds = chain["ns"], chain["bounds"]
    lzma = [bound["compressed"] for bound in bounds]
    parts = []
    for k in chain["bits"]:
        over = chain["exceeds"][str(k)]
        if not over:
            parts.append(f"{_what(k)} weights compress below it at every recorded n, so compression is the "
                         "tighter bound")
        elif len(over) == len(ns):
            parts.append(f"{_what(k)} weights compress to more than it at every recorded n, so the "
                         "constructive bound is the tighter one")
        else:
            parts.append(f"{_what(k)} weights exceed it (the constructive bound is tighter) at n = "
                         f"{', '.join(map(str, over))} and compression is tighter elsewhere")
    sentence = (f"The constructive bound at the compressor's constant (lzma of D_n and the code) is "
                f"{min(lzma)}-{max(lzma)} bytes; " + "; ".join(parts) + ". ")
    if chain["diverged_at"] is not None:
        sentence += (f"The weights are not finite from n = {chain['diverged_at']} on, so from there only the "
                     "float32 bytes describe them. ")
    zero = next((m for m in chain["metrics"] if m["zero_quine"]), None)
    if zero is not None:
        sentence += (f"From n = {zero['step']} on θ_n is flagged as the zero quine (rms {_fmt(zero['rms'])} "
                     f"against {_fmt(zero['initial_rms'])} at the start)")
        exact = next((m["step"] for m in chain["metrics"] if m["norm"] == 0), None)
        if exact is not None:
            sentence += (f"; from n = {exact} every weight is exactly 0 and the compressed size is the "
                         "compressor's overhead: θ = 0 is the simplest fixpoint")
        sentence += ". "
    last = chain["metrics"][-1]
    sentence += (f"At n = {ns[-1]}: R² {_fmt(last['r2'])}, rms {_fmt(last['rms'])}, zero quine "
                 f"{_fmt(last['zero_quine'])}.")
    return sentence


def _bytes(count: int) -> str:
    return f"{count} byte" if count == 1 else f"{count} bytes"


def _signed(gap: int) -> str:
    return f"{gap} bytes more than" if gap > 0 else f"{-gap} bytes fewer than"


def _non_trivial(chain: dict[str, Any]) -> bool:
    last = chain["metrics"][-1]
    return last["r2"] is not None and last["r2"] >= NON_TRIVIAL_R2 and not last["zero_quine"] \
        and not last["diverged"]


def theorem_statements(series: dict[str, dict[str, Any]]) -> list[str]:
    """Plain sentences on what the Theorem's bound says about each series, from its numbers."""
    sentences = []
    good = [name for name, chain in series.items() if _non_trivial(chain)]
    bad = [name for name in series if name not in good]
    sentences.append(
        f"{len(good)} of the {len(series)} series end as non-trivial quines (R² at least {NON_TRIVIAL_R2}, "
        f"not the zero quine, finite): {', '.join(good) or 'none'}"
        + (f"; {', '.join(bad)} do{'es' if len(bad) == 1 else ''} not." if bad else "."))
    for name, chain in series.items():
        first, last = chain["bounds"][0], chain["bounds"][-1]
        n_first, n_last = chain["ns"][0], chain["ns"][-1]
        replay = chain["replay"]
        checked = replay["checked"]
        if not replay["verified"]:
            sentences.append(f"{name}: the replay of D_n did not reproduce θ_n (n = "
                             f"{', '.join(map(str, replay['failed']))}), so the constructive bound is not "
                             "verified for this series and nothing below rests on it.")
            continue
        floats = chain["sizes"]["32"][-1]
        gap = floats - last["compressed"]
        text = (f"{name} ({chain['parameters']} weights, {chain['metrics'][-1]['step']} steps): the theorem's "
                f"program — the training code, the seed and n — printed θ_n bit for bit for n = "
                f"{', '.join(map(str, checked))}, so K(θ_n) is at most {last['total']} bytes at n = {n_last} "
                f"({last['compressed']} compressed). From n = {n_first} to n = {n_last} that bound grows by "
                f"{_bytes(last['total'] - first['total'])}, the digits of n: beyond the code and the seed that "
                f"made them, the weights carry at most {_bytes(last['n_digits'])} of information (plus a "
                f"constant), O(log n), however long the training runs. ")
        zero = next((m for m in chain["metrics"] if m["zero_quine"]), None)
        if chain["metrics"][-1]["zero_quine"]:
            text += (f"The compressed float32 weights take {floats} bytes ({_signed(gap)} the compressed "
                     "bound) only because the weights are at or near zero: the zero quine is simple "
                     "whatever made it, so this series says nothing about trained quines.")
        elif gap > 0:
            text += (f"The compressed float32 weights take {floats} bytes, {gap} more than the compressed "
                     f"bound ({_fmt(floats / last['compressed'])} times it): the compressor sees the weights as "
                     "data and misses the structure the training process gave them.")
        else:
            text += (f"The compressed float32 weights take only {floats} bytes, {-gap} fewer than the "
                     "compressed bound: the net is smaller than the code that trains it, so here the "
                     "bound holds but its constant (the code) dominates and compression is the better "
                     "estimate.")
        fit = chain["fits"]["k=32"]
        if fit is not None:
            text += (f" Fitted to a + b ln n, the compressed float32 size has b = {_fmt(fit['b'])} bytes "
                     f"per unit of ln n against {_fmt(chain['fits']['constructive']['b'])} for the bound.")
        if zero is not None:
            text += f" It is flagged as the zero quine from n = {zero['step']} on."
        sentences.append(text)
    return sentences
