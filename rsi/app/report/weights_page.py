"""The weights section of index.html (stage `weights`, `rsi.app.report.weights`): a part per
training series — what it shows, its replay, its table of both bounds at every recorded n, the
fits — and the section "What the theorem says about these nets".  Numbers appear as
`page.fmt` of numbers in results.json."""
from __future__ import annotations

import html
from typing import Any

from rsi.app.report.page import _fit, _image, _p, _table, fmt


def _header(bits: list[int]) -> list[str]:
    return (["n"] + [f"lzma {k}-bit" if k != 32 else "lzma float32" for k in bits]
            + ["constructive bound", "constructive, lzma", "tighter for float32", "R²", "rms θ", "zero quine",
               "diverged"])


def _series(chain: dict[str, Any]) -> str:
    bits = chain["bits"]
    rows = []
    for i, (n, bound, metrics) in enumerate(zip(chain["ns"], chain["bounds"], chain["metrics"], strict=True)):
        floats = chain["sizes"]["32"][i] if "32" in chain["sizes"] else None
        tighter = None if floats is None else ("constructive" if floats > bound["compressed"] else "compression")
        rows.append([n] + [chain["sizes"][str(k)][i] for k in bits]
                    + [bound["total"], bound["compressed"], tighter, metrics["r2"], metrics["rms"],
                       metrics["zero_quine"], metrics["diverged"]])
    replay = chain["replay"]
    first = chain["bounds"][0]
    process = chain["process"]
    fits = "; ".join(f"{name}: {_fit(fit)}" for name, fit in chain["fits"].items())
    ns = chain["ns"]
    recorded = (f"every n = 1..{chain['generations']}" if len(ns) == chain["generations"]
                else f"{len(ns)} n from 1 to {chain['generations']} (log-spaced, with the replayed n)")
    return "".join([
        f"<h3>{html.escape(chain['title'])}</h3>",
        _p(f"θ_(n+1) = F(θ_n), {chain['parameters']} parameters"
           + (f" ({chain['note']})" if chain.get("note") else "")
           + f", seed {first_seed(process)}, on {process['device']}; recorded at {recorded}. "
           f"What it shows: {chain['shows']}."),
        _p(f"Constructive bound |D_n| + |training code| = {first['description_bytes']} + "
           f"{first['code_bytes']} bytes at n = {ns[0]} (modules: {', '.join(first['modules'])})."),
        _p("Deterministic replay: D_n run afresh for n = " + ", ".join(map(str, replay["checked"])) + ": "
           + ("bit for bit identical every time." if replay["verified"] else
              f"NOT identical for n = {', '.join(map(str, replay['failed']))}; largest difference "
              f"{fmt(max(d for d in replay['difference'] if d is not None))}.")),
        _p(chain["statement"]),
        _p(f"Fits a + b ln n: {fits}."),
        _table(_header(bits), rows),
    ])


def first_seed(process: dict[str, Any]) -> Any:
    """The seed of a series' process description (quine training keeps it in its config)."""
    return process["config"]["seed"] if "config" in process else process["seed"]


def render_weights(result: dict[str, Any], png: bytes | None) -> str:
    """The weights section: the plot, each series, then what the theorem says about them."""
    parts = [_p("Three deterministic training processes θ_(n+1) = F(θ_n), each like the chain "
                "P_(n+1) = P_n(-1) of Mahoney's Theorem. For each recorded n: compressed k-bit weights "
                "(an upper bound on K(θ_n) up to the compressor's constant), the constructive bound (the "
                "theorem's program: training code, seed and n, run and checked to print θ_n), and the quine "
                "metrics of θ_n. 'tighter for float32' says which upper bound on K(θ_n) is smaller, both at "
                "the lzma constant."),
             _image(png, "theory against weights")]
    parts += [_series(chain) for chain in result["series"].values()]
    parts.append("<h3>What the theorem says about these nets</h3>")
    parts += [_p(sentence) for sentence in result["theorem"]]
    return "".join(parts)
