"""DIR/results.jsonl: one row per finished task, appended atomically.

How a row is written: the whole line (JSON + newline) in one `os.write` on a descriptor
opened with O_APPEND, then `fsync`, while this process holds an exclusive `flock` on the file
for the whole sweep.  Appending keeps each write proportional to one row (rewriting the file
through a temporary copy would cost the whole table per row) and never touches rows already
written; the lock keeps a second sweep off the same folder.  A kill can at worst cut the last
line short (a write interrupted part-way, or a crash before the data reached the disk); such
a torn last line has no newline or is not JSON, so `open` drops it (truncating the file back
to the last complete row) and the task is simply run again.  A bad line before the last one
is not a torn write: the file is reported as corrupt instead of being silently repaired.

Rows are never rewritten: a task that failed and is run again on `--resume` gets a new row,
and the latest row of a task id is its result (`latest`).
"""
from __future__ import annotations

import fcntl
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rsi.app.sweep.experiments import SpecError
from rsi.records import to_json

RESULTS = "results.jsonl"


@dataclass(frozen=True)
class Row:
    """A task's result: what ran (experiment, params, seed), the outcome (status "ok" or
    "failed", metrics, error of the last attempt), attempts made, wall time of the last
    attempt, the host that ran it and the executor."""

    task_id: str
    experiment: str
    params: dict[str, Any]
    seed: int | None
    status: str
    metrics: dict[str, Any] | None
    error: str
    attempts: int
    wall_s: float
    host: str
    executor: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return to_json(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Row:
        return cls(**data)


class ResultsStore:
    """The results file of folder `directory`, locked while open (a context manager)."""

    def __init__(self, directory: Path):
        self.path = directory / RESULTS
        self._fd: int | None = None
        self.rows: list[Row] = []
        self.dropped_torn_line = False

    def __enter__(self) -> ResultsStore:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as error:  # the folder is a file, or not writable
            raise SpecError(f"cannot open {self.path}: {error.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise SpecError(f"another sweep is writing to {self.path}") from None
        self._fd = fd
        try:
            self._load()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # also releases the lock
            self._fd = None

    def _load(self) -> None:
        assert self._fd is not None
        data = self.path.read_bytes()
        lines = data.split(b"\n")
        complete, tail = lines[:-1], lines[-1]  # tail: bytes after the last newline
        rows, good = [], 0
        for number, line in enumerate(complete, start=1):
            try:
                rows.append(Row.from_dict(json.loads(line)))
            except (ValueError, TypeError) as error:
                if number == len(complete) and not tail:  # the last line: a torn write
                    tail = line
                    break
                raise SpecError(f"{self.path} line {number} is not a result row ({error}); "
                                "the file is corrupt") from None
            good += len(line) + 1
        if tail:
            os.ftruncate(self._fd, good)
            os.fsync(self._fd)
            self.dropped_torn_line = True
        self.rows = rows

    def append(self, row: Row) -> None:
        """Write `row` as one complete line, durably."""
        assert self._fd is not None, "the store is not open"
        data = (row.to_json() + "\n").encode("utf-8")
        written = 0
        while written < len(data):  # one write() in practice; a short write is continued
            written += os.write(self._fd, data[written:])
        os.fsync(self._fd)
        self.rows.append(row)

    def latest(self) -> dict[str, Row]:
        """The latest row of every task id."""
        return {row.task_id: row for row in self.rows}
