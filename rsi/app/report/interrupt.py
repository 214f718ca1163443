"""SIGINT during `rsi report`: stop soon, exit 130, and leave no half-written file.

Python's own SIGINT handler raises KeyboardInterrupt wherever the main thread happens to be,
and two such places break the report's promise:

- a KeyboardInterrupt that leaves exec() or eval() of a string (dataclasses and namedtuple build
  their methods that way, e.g. while torch imports torch._dynamo on the first optimizer of the
  neural stages) sets CPython's "unhandled KeyboardInterrupt" flag for good: `python -m rsi`
  then ends by killing itself with SIGINT (return code -2) even though the command caught the
  exception and chose exit 130.  The flag is set for KeyboardInterrupt itself only, so the
  handler here raises `Interrupted`, a subclass that `except KeyboardInterrupt` still catches;
- an exception raised inside a garbage-collector callback (hypothesis installs one), a __del__
  method or a weakref callback is printed as "Exception ignored" and dropped, and the report
  went on to the end (exit 0).  The handler also records the signal, and `check()` raises
  `Interrupted` at the report's safe points (before each stage, at each progress tick, before
  the plots) when a raised one was lost.

Inside `deferred()` (every atomic write of the report folder) the handler only records the
signal and the block's end raises, so a write is never cut between its temporary file and the
rename.  The handler is installed by `sigint_caught()` (the `rsi report` command); library
callers of `build_report` keep Python's own handler, and `check()` then never raises.
"""
from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["Interrupted", "check", "deferred", "sigint_caught"]


class Interrupted(KeyboardInterrupt):
    """SIGINT during `rsi report` (a KeyboardInterrupt; why a subclass: the module docstring)."""


_received = False  # a SIGINT came since sigint_caught() installed the handler
_deferring = 0  # depth of deferred() blocks now running


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    """The SIGINT handler: record the signal, and raise `Interrupted` unless deferred."""
    global _received
    _received = True
    if not _deferring:
        raise Interrupted


def check() -> None:
    """Raise `Interrupted` when a SIGINT came (its exception may have been lost)."""
    if _received:
        raise Interrupted


@contextmanager
def sigint_caught() -> Iterator[None]:
    """SIGINT raises `Interrupted` (and is recorded for `check()`) during the block; afterwards
    the previous handler is back and nothing is recorded.  Main thread only (Python's rule)."""
    global _received
    previous = signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        _received = False


@contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT back during the block: it is only recorded, and `Interrupted` is raised when
    the block has ended normally."""
    global _deferring
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
    check()
