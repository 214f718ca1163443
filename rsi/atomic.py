"""Atomic file writes: the new content goes to a temporary file in the target's folder, is
flushed and fsynced, and then moved over the target with `os.replace`, so a reader, a crash or
an interrupt (SIGINT) sees either the old file or the new one, never a half-written one.  On any
exception (KeyboardInterrupt included) the temporary file is removed and the target is left as
it was.

The temporary file is `.<name>.<random><suffix>` beside the target (hidden, in the same folder so
that the rename stays on one file system); it is created with mode 0o644 (not mkstemp's 0o600:
these files are results, for reading), and a writer may change the mode (shutil.copy2 does).

Only the standard library is imported here: `rsi --help` and the quines_text package import
this module, and it must stay cheap.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "write_bytes_atomic", "write_text_atomic"]


@contextmanager
def atomic_path(path: Path | str, *, create_parents: bool = False,
                suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside `path` for a writer that needs a file name (numpy.savez,
    torch.save, matplotlib's savefig, shutil.copy2); when the block ends normally the file is
    fsynced and moved onto `path`, and when it raises the file is removed and `path` keeps its
    old content.

    The temporary name ends in `suffix`, by default `path`'s own suffix, so that a writer that
    picks the format from the name (savefig) or appends one when it is missing (numpy.savez adds
    ".npz") writes exactly the file yielded.  `create_parents`: create `path`'s folder (and its
    parents) when missing; otherwise a missing folder is a FileNotFoundError.
    """
    path = Path(path)
    if create_parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                    suffix=path.suffix if suffix is None else suffix)
    temporary = Path(name)
    try:
        try:
            os.fchmod(handle, 0o644)
        finally:
            os.close(handle)
        yield temporary
        handle = os.open(temporary, os.O_RDONLY)  # fsync covers writes made through any descriptor
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path | str, data: bytes, *, create_parents: bool = False) -> None:
    """Replace the content of `path` by `data` atomically (see `atomic_path`); the temporary
    file ends in ".tmp"."""
    with atomic_path(path, create_parents=create_parents, suffix=".tmp") as temporary, \
            open(temporary, "wb") as file:
        file.write(data)


def write_text_atomic(path: Path | str, text: str, *, encoding: str = "utf-8",
                      create_parents: bool = False) -> None:
    """Replace the content of `path` by `text` (encoded with `encoding`, newlines written as
    given) atomically (see `atomic_path`)."""
    write_bytes_atomic(path, text.encode(encoding), create_parents=create_parents)
