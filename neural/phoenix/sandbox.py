"""Executing a DeepPhoenix candidate source, only ever in the sandbox (Sheng, Algorithm 1).

Sheng's Algorithm 1 executes each refined source "to check for program validity" and builds
the model it defines.  Here the candidate text runs in `quines_text.sandbox` (fresh folder,
read-only filesystem, no network, audit hook, time and memory limits); the host never executes
it.  Its stdout must be one JSON object with exactly the keys of `CONFIG_BOUNDS`, each an
integer inside its bounds: that validated dictionary is all the host uses to build the model.
The bounds keep a candidate from asking for an arbitrarily large model; depths and heads are
those of the paper's dataset, the widths are generous.

A candidate is `valid` or is discarded with a status: a sandbox status other than `ok`
(`forbidden`, `crash`, `compile_error`, `timeout`, ...) or `invalid_config` (it ran, but its
output is not an acceptable configuration).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from quines_text.sandbox import Limits, run

CONFIG_BOUNDS: dict[str, tuple[int, int]] = {
    "d_model": (8, 1024),
    "num_layers": (1, 8),
    "num_decoder_layers": (1, 8),
    "num_heads": (1, 16),
    "d_ff": (1, 8192),
    "d_kv": (1, 1024),
}
CANDIDATE_LIMITS = Limits(wall_s=10.0, cpu_s=5.0, memory_bytes=256 * 2**20, output_bytes=4096,
                          processes=4, file_bytes=2**20)


class InvalidConfig(ValueError):
    """A candidate's output is not an acceptable model configuration."""


def parse_config(stdout: bytes) -> dict[str, int]:
    """The configuration a candidate printed, validated against CONFIG_BOUNDS."""
    try:
        config = json.loads(stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidConfig("the output is not one JSON object") from None
    if not isinstance(config, dict):
        raise InvalidConfig(f"the output is a JSON {type(config).__name__}, not an object")
    if set(config) != set(CONFIG_BOUNDS):
        missing = sorted(set(CONFIG_BOUNDS) - set(config))
        extra = sorted(set(config) - set(CONFIG_BOUNDS))
        raise InvalidConfig(f"the keys differ: missing {missing}, unexpected {extra}")
    for key, (low, high) in CONFIG_BOUNDS.items():
        value = config[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidConfig(f"{key} must be an integer in {low}..{high}, got {value!r}")
    return {key: config[key] for key in CONFIG_BOUNDS}


@dataclass(frozen=True)
class Execution:
    """What running one candidate source gave: status "valid" with its config, or the reason
    it was discarded (`status`: the sandbox status or "invalid_config"; `detail`: one line)."""

    status: str
    detail: str
    config: dict[str, int] | None
    wall_s: float

    def to_dict(self) -> dict:
        return {"status": self.status, "detail": self.detail, "config": self.config,
                "wall_s": self.wall_s}


def execute_candidate(source: str, limits: Limits = CANDIDATE_LIMITS) -> Execution:
    """Run `source` in the sandbox and validate what it prints."""
    result = run(source, "python", limits=limits)
    if result.status != "ok":
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        return Execution(result.status, lines[-1] if lines else "", None, result.wall_s)
    try:
        config = parse_config(result.stdout)
    except InvalidConfig as error:
        return Execution("invalid_config", str(error), None, result.wall_s)
    return Execution("valid", "", config, result.wall_s)
