"""index.html of a report: one self-contained page (plots embedded as base64 PNG) with a
section per stage.  Every number shown is `fmt` of a number in results.json, so the page and
the JSON can be checked against each other."""
from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from typing import Any

from rsi.app.report.stages import STAGES

STYLE = """body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:90%}td,th{border:1px solid #bbb;padding:.2em .5em;
text-align:left;vertical-align:top}th{background:#eee}.no{color:#b00;font-weight:bold}img{max-width:100%}
.note{color:#555}"""


def fmt(value: Any) -> str:
    """How every number appears on the page: integers whole, floats to 4 significant digits
    (those of 10^4 and more rounded to a whole number instead), None as "-", booleans as
    yes / no."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.0f}" if 1e4 <= abs(value) < 1e15 else f"{value:.4g}"
    return str(value)


def _cell(value: Any) -> str:
    text = html.escape(fmt(value))
    return f'<td class="no">{text}</td>' if value is False else f"<td>{text}</td>"


def _table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _image(png: bytes | None, name: str) -> str:
    if png is None:
        return ""
    encoded = base64.b64encode(png).decode("ascii")
    return f'<p><img alt="{name}" src="data:image/png;base64,{encoded}"></p>'


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _fit(fit: dict[str, Any] | None) -> str:
    if fit is None:
        return "-"
    sign = "-" if fit["b"] < 0 else "+"
    return f"{fmt(fit['a'])} {sign} {fmt(abs(fit['b']))} ln n (rms residual {fmt(fit['residual'])})"


def _examples(result: dict[str, Any]) -> str:
    rows = []
    for example in result["examples"]:
        for label, verdict in example["verdicts"].items():
            detail = verdict.get("reason") or verdict.get("argument") or f"up to t = {verdict.get('horizon')}"
            rows.append((example["number"], label, example["expected"][label], verdict["kind"], detail,
                         example["agreement"][label]))
    agree = sum(example["agrees"] for example in result["examples"])
    return (_table(("example", "claim checked", "paper", "verdict", "evidence", "agrees"), rows)
            + _p(f"{agree} of {len(result['examples'])} examples agree with the paper.")
            + _metered_example6(result.get("metered_example6")))


def _metered_example6(six: dict[str, Any] | None) -> str:
    if six is None:
        return ""
    head = "<h3>Example 6 on the metered C machine</h3>"
    if "skipped" in six:
        return head + _p(f"Not run: {six['skipped']}.")
    rows = [(n, six["machine"], six["step_unit"], first, six["values"]["kind"], six["improving"]["kind"],
             six["horizon"], six["agrees"])
            for n, first in enumerate(six["first_output_t"], start=1)]
    scan = ", ".join(map(str, six["output_time_scan"]))
    return (head + _p("P_n(t) is what P_n prints within t steps of the machine, so P_n(t) = 0 until the run "
                      "has had its steps and t + n from there on; the improving-sequence verdict is on "
                      "P_1 .. P_n for the identity goal up to the horizon.")
            + _table(("n", "machine", "step unit", "first t with P_n(t) > 0", "P_n(t) = 0, then t + n",
                      f"P_1 .. P_{six['programs']} improving", "horizon", "agrees"), rows)
            + _p(f"Horizon from the data: the output time of P_1, found by the scan t = {scan} (t_0 = 0, "
                 f"t_(k+1) = the steps the run on input t_k takes), plus {six['margin']}; computed in "
                 f"{fmt(six['seconds'])} s."))


def _chains(result: dict[str, Any], png: bytes | None) -> str:
    parts = [_p("P_{n+1} = P_n(-1), each link verified; |D_n| is the length of the constructive "
                "description of the Theorem's proof (P_1, n and a fixed control program), run and "
                "checked to print P_n, so it is a verified upper bound on K(P_n).")]
    for name, chain in result["chains"].items():
        described = chain["constructive"]["bytes"]
        rows = [(link["i"], link["bytes"], link["compressed"].get("lzma"), link["compressed"].get("zlib"),
                 described[link["i"] - 1], link["probe"],
                 link["improves_prev"]["kind"] if link["improves_prev"] else None, link["verified"])
                for link in chain["links"]]
        parts.append(f"<h3>{html.escape(name)}</h3>")
        parts.append(_table(("n", "bytes", "lzma", "zlib", "|D_n|", f"P_n({chain['probe_t']})",
                             "improves on P_(n-1)", "verified"), rows))
        checked = chain["constructive"]
        parts.append(_p(f"|D_n| ≈ {_fit(chain['fit'])}; bytes of P_n ≈ {_fit(chain['fit_bytes'])}. "
                        f"D_n was run for {len(checked['checked'])} n: "
                        + ("every one printed P_n." if checked["verified"] else f"failed for {checked['failed']}.")
                        + (f" Chain stopped early: {chain['stopped']}" if chain["stopped"] else "")))
    parts.append(_image(png, "chain complexity"))
    return "".join(parts)


def _proofs(result: dict[str, Any]) -> str:
    rows = [(o["law"], o["definitions"], o["method"], o["expect"], o.get("outcome", o["status"]), o["cases"])
            for o in result["obligations"]]
    verdict = "All obligations met." if result["ok"] else "NOT met: " + "; ".join(result["failures"])
    return _table(("law", "definitions", "method", "expected", "result", "cases"), rows) + _p(verdict)


def _quine_curves(result: dict[str, Any], png: bytes | None) -> str:
    rows = []
    for method, run in result["runs"].items():
        last = run["curve"][-1]
        rows.append((method, last["epoch"], last["sr_loss"], last["mae"], last["r2"], last["relative_loss"],
                     last["norm"], last["diverged"], last["zero_quine"]))
    return (_p(f"Vanilla chang-lipson quines on {result['device']}; the zero-quine flag is neural.metrics' rule "
               "(weights near zero, or R² < 0.5 after shrinking to half their initial size).")
            + _table(("method", "epochs", "self-replication loss", "MAE", "R²", "loss/Σθ²", "‖θ‖", "diverged",
                      "zero quine"), rows) + _image(png, "quine curves"))


def _auxiliary(result: dict[str, Any], png: bytes | None) -> str:
    rows = [(run["lambda"], run["final"]["accuracy"], run["final"]["r2"], run["final"]["zero_quine"])
            for run in result["runs"]]
    return (_table(("λ", "held-out accuracy", "R²", "zero quine"), rows)
            + _p(f"Solo classifier (no replication): held-out accuracy {fmt(result['solo']['final']['accuracy'])}.")
            + _image(png, "auxiliary accuracy"))


def _gabor(result: dict[str, Any], png: bytes | None) -> str:
    modes = ("self_application", "self_training")
    classes = list(result[modes[0]]["counts"])
    counts = [(mode.replace("_", "-"), result[mode]["budget"]) + tuple(result[mode]["counts"][c] for c in classes)
              for mode in modes]
    noise = result["noise"]
    levels = [(level["d"], level["scale"], level["copies"], level["returned"], level["mean_steps_to_return"],
               level["final"]["fixpoint"]) for level in noise["levels"]]
    net = result["self_application"]["net"]
    return "".join([
        _p(f"The {net['kind']} net of Gabor et al. ({net['activation']}, width {net['width']}, depth "
           f"{net['depth']}); {len(result['self_application']['runs'])} random nets each way, classes with "
           f"eps = {fmt(result['self_application']['eps'])}."),
        _table(("mode", "steps or epochs") + tuple(classes), counts),
        _p(f"Noise robustness of {result['noise_of']}: {noise['trials']} noisy copies each per level, "
           f"{noise['steps']} self-application steps."),
        _table(("d", "noise scale", "copies", "returned to a fixpoint", "mean steps to return",
                "fixpoint at the end"), levels),
        _image(png, "self-replicating nets"),
    ])


def _weights(result: dict[str, Any], png: bytes | None) -> str:
    from rsi.app.report.weights_page import render_weights  # it imports this module's helpers

    return render_weights(result, png)


_RENDERERS = {
    "examples": lambda result, png: _examples(result),
    "chains": _chains,
    "proofs": lambda result, png: _proofs(result),
    "quine_curves": _quine_curves,
    "auxiliary": _auxiliary,
    "gabor": _gabor,
    "weights": _weights,
}


def render(results: dict[str, Any], plots: dict[str, bytes]) -> str:
    """The page for `results` (what results.json holds) and the PNG bytes by plot name."""
    stages = results["stages"]
    body = []
    for stage in STAGES:
        name = stage.name
        content = _RENDERERS[name](stages[name]["result"], plots.get(name))
        seconds = stages[name]["seconds"]
        body.append(f'<section id="{name}"><h2>{html.escape(stage.title)}</h2>'
                    f'<p class="note">stage {name}: {fmt(seconds)} s</p>{content}</section>')
    sizes = results["sizes"]
    intro = _p(f"Report of the rsi-toolkit: sizes {sizes['name']}, seed {sizes['seed']}, device "
               f"{results['device']}. Mahoney 2008's Theorem bounds K(P_n) of an RSI chain by O(log n); "
               "the sections below set it beside text chains and trained quines.")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>rsi report</title>'
            f"<style>{STYLE}</style></head><body><h1>rsi report</h1>{intro}{''.join(body)}</body></html>\n")
