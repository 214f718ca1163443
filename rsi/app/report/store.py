"""Atomic files of a report folder (`rsi.atomic`): every file is written to a temporary name
beside it and moved into place with os.replace, so an interrupted run (SIGINT) leaves either the
old file or the new one, never a half-written one; under `rsi report` a SIGINT waits for the write
to end (`interrupt.deferred`).  Stage results live in DIR/stages/<name>.json."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rsi.app.report import interrupt
from rsi.atomic import write_bytes_atomic


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (`rsi.atomic`), creating the folder when missing; a
    SIGINT meanwhile is raised once the write is done (`interrupt.deferred`)."""
    with interrupt.deferred():
        write_bytes_atomic(path, data, create_parents=True)


def write_json_atomic(path: Path, data: Any) -> None:
    """`data` as indented JSON (no NaN or infinity: they are not JSON), written atomically."""
    write_atomic(path, (json.dumps(data, indent=2, allow_nan=False) + "\n").encode("utf-8"))


class StageStore:
    """DIR/stages/<name>.json: one finished stage each."""

    def __init__(self, out: Path):
        self.folder = Path(out) / "stages"

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def load(self, name: str) -> dict[str, Any] | None:
        """The saved record of stage `name`, or None when there is none or it is unreadable."""
        try:
            return json.loads(self.path(name).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def save(self, name: str, record: dict[str, Any]) -> None:
        write_json_atomic(self.path(name), record)
