"""`rsi quine check | make | relay`: text quines (Kleene's recursion theorem) on the command line.

check exits 0 only for the verdict `quine`, 1 for every other verdict; relay exits 0 when the
relay closes a cycle, 1 when it stops otherwise; 2 is bad input (missing file, unknown
language) for every command.
"""
from __future__ import annotations

from pathlib import Path

import typer

from rsi.app.cli._common import DOES_NOT_HOLD, HOLDS, BadInput, emit, language_of, read_text_file


def _lang(path: Path, lang: str | None) -> str:
    from quines_text.quine import CHECK_LANGS

    return language_of(path, lang, CHECK_LANGS)


def _print_verdict(data: dict) -> None:
    print(f"{data['verdict']} ({data['lang']}, status {data['status']}): {data['evidence']}")
    if data["diff"]:
        print(data["diff"], end="")


def _print_relay(data: dict) -> None:
    for stage in data["stages"]:
        print(f"stage {stage['index']}: {stage['lang']}, {stage['bytes']} bytes, {stage['status']}")
    print(f"{data['stopped']}: {data['detail']}")


def register(app: typer.Typer) -> None:
    from quines_text.languages import CHECK_LANGS, EXTENSIONS, MAKE_LANGS  # the registry: cheap

    check_extensions = [ext for ext, name in EXTENSIONS.items() if name in CHECK_LANGS]
    quine_app = typer.Typer(
        help="Text quines: check a program, construct one (Kleene), follow a relay.",
        no_args_is_help=True,
    )

    @quine_app.command("check")
    def check_command(
        file: Path = typer.Argument(..., help=f"program file ({' '.join(check_extensions)})"),
        lang: str | None = typer.Option(None, "--lang", help=", ".join(CHECK_LANGS)),
        as_json: bool = typer.Option(False, "--json", help="print the verdict as JSON"),
    ) -> None:
        """Is FILE a quine?  Verdict quine, cheating, near, not_quine or error."""
        from quines_text.quine import check

        source = read_text_file(file, "program file")
        verdict = check(source, _lang(file, lang))
        emit(verdict.to_dict(), as_json, _print_verdict)
        raise typer.Exit(HOLDS if verdict.verdict == "quine" else DOES_NOT_HOLD)

    @quine_app.command("make")
    def make_command(
        template: Path = typer.Argument(..., help="template file using SELF (and n, NEXT)"),
        lang: str | None = typer.Option(None, "--lang", help=", ".join(MAKE_LANGS)),
        successor: bool = typer.Option(
            False, "--successor", help="an RSI-ready program (make_successor): n, SELF, NEXT"
        ),
        n: int = typer.Option(1, "-n", help="the marked integer, with --successor"),
        as_json: bool = typer.Option(False, "--json", help="print {lang, program} as JSON"),
    ) -> None:
        """Print the program built from TEMPLATE by Kleene's recursion theorem."""
        from quines_text.quine import MAKE_LANGS, make, make_successor

        text = read_text_file(template, "template file")
        chosen = _lang(template, lang)
        if chosen not in MAKE_LANGS:
            raise BadInput(f"cannot construct quines in {chosen}; languages: {', '.join(MAKE_LANGS)}")
        try:
            program = make_successor(text, chosen, n) if successor else make(text, chosen)
        except ValueError as error:
            raise BadInput(str(error)) from None
        emit({"lang": chosen, "program": program}, as_json, lambda data: print(data["program"], end=""))

    @quine_app.command("relay")
    def relay_command(
        file: Path = typer.Argument(..., help="the first program of the relay"),
        lang: list[str] | None = typer.Option(
            None, "--lang", help="language of each stage, cycled (repeat the option); "
            "default: the first from the extension, the others detected"
        ),
        max_steps: int = typer.Option(10, "--max", help="at most this many runs"),
        as_json: bool = typer.Option(False, "--json", help="print the relay as JSON"),
    ) -> None:
        """Follow FILE -> its output -> ... and report the cycle length."""
        from quines_text.quine import relay

        source = read_text_file(file, "program file")
        langs = [_lang(file, name) for name in lang] if lang else None
        if max_steps < 1:
            raise BadInput(f"--max must be >= 1, got {max_steps}")
        result = relay(source, langs, max_steps, first_lang=None if langs else _lang(file, None))
        emit(result.to_dict(), as_json, _print_relay)
        raise typer.Exit(HOLDS if result.stopped == "cycle" else DOES_NOT_HOLD)

    app.add_typer(quine_app, name="quine")
