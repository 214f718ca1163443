"""What every command shares: exit codes, bad-input errors, JSON or rich output."""
from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

HOLDS = 0  # the property holds / the job succeeded
DOES_NOT_HOLD = 1  # checked, and it does not hold
BAD_INPUT = 2  # bad input: one line on stderr, no traceback


class BadInput(Exception):
    """An error the user can act on; the command line prints it as one line and exits 2."""


def read_text_file(path: Path, what: str = "file") -> str:
    """The file's text, byte for byte (UTF-8; line endings kept as they are, so a CRLF file
    is checked and run as CRLF), or BadInput naming the path and the problem."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise BadInput(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise BadInput(f"{what} is a directory: {path}") from None
    except UnicodeDecodeError:
        raise BadInput(f"{what} is not UTF-8 text: {path}") from None
    except OSError as error:
        raise BadInput(f"cannot read {what} {path}: {error.strerror}") from None


def emit(data: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    """Print `data` as JSON (machine-readable) or through `render` (for people)."""
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    else:
        render(data)


def language_of(path: Path, lang: str | None, known: Iterable[str]) -> str:
    """The language (or machine) for a program file: `lang` when given, else from the file's
    extension (quines_text.machines.EXTENSIONS); BadInput unless the answer is in `known`."""
    from quines_text.machines import lang_from_path

    known = tuple(known)
    if lang is None:
        try:
            lang = lang_from_path(path)
        except ValueError as error:
            raise BadInput(f"{error} (or give --lang)") from None
    if lang not in known:
        raise BadInput(f"unknown language {lang!r}; languages: {', '.join(known)}")
    return lang
