"""The result of one sandboxed or metered run (DESIGN.md, quines_text.sandbox)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rsi.records import JsonRecord

Status = Literal[
    "ok", "timeout", "step_limit", "memory", "output_limit", "crash", "compile_error", "forbidden"
]
STATUSES: tuple[str, ...] = (
    "ok", "timeout", "step_limit", "memory", "output_limit", "crash", "compile_error", "forbidden"
)


@dataclass(frozen=True)
class RunResult(JsonRecord):
    """status: one of STATUSES.  stdout/stderr: raw bytes (stdout capped by the output limit).
    exit_code: the child's exit code, negative for a signal, None if it never ran.
    steps: exact steps used on a metered machine, None on an unmetered one.  wall_s: seconds."""

    status: Status
    stdout: bytes
    stderr: bytes
    exit_code: int | None
    steps: int | None
    wall_s: float

    @property
    def text(self) -> str:
        """stdout decoded as UTF-8 with invalid bytes replaced."""
        return self.stdout.decode("utf-8", errors="replace")

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "stdout": self.text,
            "stderr": self.stderr.decode("utf-8", errors="replace"),
            "exit_code": self.exit_code,
            "steps": self.steps,
            "wall_s": self.wall_s,
        }

