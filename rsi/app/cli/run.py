"""`rsi run FILE`: run one program on a machine and print its status, output and steps.

With `--t T` the input is T (the I/O convention of DESIGN.md) and the command also prints
Mahoney's P(T) (Mahoney 2008, section Goals); `--metered` picks the language's metered machine
(quines_text.languages: c-wasm for C), so the run gets a budget of T steps; the JSON names the
machine and its step unit.  `--wall-s`, `--cpu-s` and `--memory-mb` replace the
sandbox's default limits (quines_text.sandbox.Limits) for the sandboxed machines (python, c,
js).  Exit 0 when the run's status is ok, 1 for any other status, 2 for bad input.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import typer

from rsi.app.cli._common import DOES_NOT_HOLD, HOLDS, BadInput, emit, language_of, read_text_file


def _machine_of_lang() -> dict[str, tuple[str | None, str | None]]:
    """language -> (unmetered machine, metered machine), from quines_text.languages."""
    from quines_text.languages import LANGUAGES

    return {name: (lang.plain, lang.metered) for name, lang in LANGUAGES.items()}


def choose_machine(path: Path, lang: str | None, metered: bool) -> tuple[str, str]:
    """(language, machine name) for FILE; BadInput when neither is known."""
    machine_of_lang = _machine_of_lang()
    lang = language_of(path, lang, machine_of_lang)
    plain, with_meter = machine_of_lang[lang]
    if metered and with_meter is None:
        metered_langs = ", ".join(k for k, v in machine_of_lang.items() if v[1])
        raise BadInput(f"no metered machine for {lang}; metered languages: {metered_langs}")
    machine = with_meter if metered else plain
    if machine is None:
        raise BadInput(f"no unmetered machine for {lang}; use --metered")
    return lang, machine


def with_limits(machine: Any, wall_s: float | None, cpu_s: float | None,
                memory_mb: int | None) -> Any:
    """`machine` with the given sandbox limits in place of its defaults; BadInput for a machine
    that does not run in the sandbox or for a limit that is not positive."""
    given = {"wall_s": wall_s, "cpu_s": cpu_s,
             "memory_bytes": None if memory_mb is None else memory_mb * 2**20}
    given = {name: value for name, value in given.items() if value is not None}
    if not given:
        return machine
    if not hasattr(machine, "limits"):
        raise BadInput(f"--wall-s, --cpu-s and --memory-mb apply to python, c and js, not {machine.name}")
    try:
        return dataclasses.replace(machine, limits=dataclasses.replace(machine.limits, **given))
    except ValueError as error:
        raise BadInput(str(error).replace("Limits.", "limit ")) from None


def _isolation_of(machine: Any) -> dict | None:
    """The sandbox's active layers (quines_text.sandbox.isolation) for a sandboxed machine,
    and whether the run took a pre-started tree (quines_text.sandbox.prestart); None for one
    that runs in-process (bf, bff)."""
    if not hasattr(machine, "limits") or getattr(machine, "in_process", False):
        return None
    from quines_text import sandbox
    from quines_text.sandbox import prestart

    return {**sandbox.isolation().to_dict(), "prestarted": prestart.used_by_last_run()}


def _render(data: dict) -> None:
    steps = "unmetered" if data["steps"] is None else data["steps"]
    print(f"status: {data['status']}   machine: {data['machine']}   steps: {steps}   "
          f"wall: {data['wall_s']:.3f} s")
    if data["metered"]:
        print(f"one step = one {data['step_unit']}")
    if data["t"] is not None:
        note = f"   ({data['note']})" if data["note"] else ""
        print(f"P({data['t']}) = {data['value']}{note}")
    print(data["stdout"], end="" if data["stdout"].endswith("\n") or not data["stdout"] else "\n")
    if data["status"] != "ok" and data["stderr"]:
        print(data["stderr"].rstrip()[-2000:])


def register(app: typer.Typer) -> None:
    from quines_text.languages import EXTENSIONS, LANGUAGES  # the registry: stdlib only, cheap

    @app.command("run")
    def run_command(
        file: Path = typer.Argument(..., help=f"program file ({' '.join(EXTENSIONS)})"),
        lang: str | None = typer.Option(None, "--lang", help=", ".join(LANGUAGES)),
        stdin: str | None = typer.Option(None, "--stdin", help="text fed to the program"),
        t: int | None = typer.Option(None, "--t", help="input t; also print P(t)"),
        metered: bool = typer.Option(False, "--metered", help="metered machine: t steps"),
        wall_s: float | None = typer.Option(None, "--wall-s", help="wall-clock limit, seconds"),
        cpu_s: float | None = typer.Option(None, "--cpu-s", help="CPU-time limit, seconds"),
        memory_mb: int | None = typer.Option(None, "--memory-mb", help="memory limit, MiB"),
        as_json: bool = typer.Option(False, "--json", help="print the result as JSON"),
    ) -> None:
        """Run FILE in the sandbox: status, output, steps and, with --t, Mahoney's P(t)."""
        from quines_text.languages import machine_info
        from quines_text.machines import get_machine, outcome_from_run, stdin_for

        if t is not None and stdin is not None:
            raise BadInput("give --t or --stdin, not both (--t T feeds T as the input)")
        if t is not None and t < 0:
            raise BadInput(f"--t must be >= 0, got {t} (use --stdin -1 for the successor)")
        source = read_text_file(file, "program file")
        chosen_lang, machine_name = choose_machine(file, lang, metered)
        try:
            machine = get_machine(machine_name)
        except ModuleNotFoundError:
            raise BadInput(f"the {machine_name} machine is not installed") from None
        machine = with_limits(machine, wall_s, cpu_s, memory_mb)
        data_in = stdin_for(t) if t is not None else (stdin or "").encode()
        budget = t if (t is not None and machine.metered) else None
        result = machine.run(source, data_in, budget)
        outcome = outcome_from_run(result) if t is not None else None
        data = {
            "file": str(file), "lang": chosen_lang, "machine": machine_name,
            "metered": machine.metered, "step_unit": machine_info(machine_name).step_unit,
            **result.to_dict(), "t": t,
            "value": outcome.value if outcome else None, "note": outcome.note if outcome else "",
            "isolation": _isolation_of(machine),
        }
        emit(data, as_json, _render)
        raise typer.Exit(HOLDS if result.status == "ok" else DOES_NOT_HOLD)
