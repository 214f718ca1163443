"""The `rsi` command line (typer).  Exit codes: 0 holds / succeeded, 1 checked and does not
hold, 2 bad input (one line on stderr, no traceback).

Each command group is one module of this package with a `register(app)` function; heavy
imports (torch, the harness) happen inside the commands, so `rsi --help` stays fast.
"""
from __future__ import annotations

import importlib
import sys

import typer

from rsi.app.cli._common import BAD_INPUT, BadInput

COMMAND_MODULES: tuple[str, ...] = (
    "run", "quine", "chain", "examples", "improves", "prove", "neural", "soup", "phoenix", "sweep",
    "report",
)


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="rsi",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def root() -> None:
        """Recursive self-improvement (Mahoney 2008) and quines: check, run, chain, prove, train."""

    for name in COMMAND_MODULES:
        importlib.import_module(f"rsi.app.cli.{name}").register(app)
    return app


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning usage errors, BadInput and sandbox failures (a missing
    gcc or node) into one line and exit 2."""
    command = typer.main.get_command(build_app())
    try:
        code = command.main(args=argv, prog_name="rsi", standalone_mode=False)
    except typer.Exit as done:
        code = done.exit_code
    except typer.Abort:
        print("rsi: aborted", file=sys.stderr)
        code = 130
    except typer.TyperException as error:  # usage errors: bad flags, unknown commands
        lines = error.format_message().strip().splitlines()
        if lines:  # empty when the usage error was "no arguments": the help is already shown
            print(f"rsi: error: {lines[0]}", file=sys.stderr)
        code = BAD_INPUT
    except BadInput as error:
        print(f"rsi: error: {error}", file=sys.stderr)
        code = BAD_INPUT
    except RuntimeError as error:  # the sandbox itself failed, e.g. gcc or node is missing
        from quines_text.sandbox import SandboxError

        if not isinstance(error, SandboxError):
            raise
        print(f"rsi: error: {error}", file=sys.stderr)
        code = BAD_INPUT
    sys.exit(code if isinstance(code, int) else 0)
