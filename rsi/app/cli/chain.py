"""`rsi chain FILE -n N`: an RSI chain P_1 .. P_n by P_{i+1} = P_i(-1), each link verified,
complexity bounds, the a + b ln n fit and the constructive description D_n (Mahoney 2008,
section Recursive Self Improvement and the Theorem).

Exit 0 iff every link is verified (P_i(-1) = P_{i+1}), every checked D_n printed P_n, and,
with --goal, every P_i improves on P_{i-1} up to the horizon; 1 otherwise; 2 for bad input.
The probe value P_i(t0) is reported, never a failure; with --goal and a horizon too short for
the programs to print anything, the output says so and names the smallest horizon that would.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from rsi.app.cli._common import DOES_NOT_HOLD, HOLDS, BadInput, emit, language_of, read_text_file


def _print_report(data: dict) -> None:
    for link in data["links"]:
        improves = link["improves_prev"]["kind"] if link["improves_prev"] else "-"
        if link["i"] == 1:
            mark = "P_1 given"
        elif link["verified"]:
            mark = f"P_{link['i'] - 1}(-1) = P_{link['i']} verified"
        else:
            mark = f"NOT verified: {link['note']}"
        remark = f" ({link['remark']})" if link.get("remark") else ""
        print(
            f"P_{link['i']}: {link['bytes']} bytes, lzma {link['compressed'].get('lzma')}, "
            f"P({data['probe_t']}) = {link['probe']}{remark}, improves on previous: {improves}, {mark}"
        )
    if data.get("horizon_note"):
        print(f"horizon too short: {data['horizon_note']}")
    if data["stopped"]:
        print(f"chain stopped early: {data['stopped']}")
    constructive = data["constructive"]
    print(
        f"constructive description: control {constructive['control_bytes']} bytes, "
        f"D_1 {constructive['bytes'][0]} .. D_{len(constructive['bytes'])} "
        f"{constructive['bytes'][-1]} bytes; ran {len(constructive['checked'])} of them: "
        + ("all printed P_n" if constructive["verified"] else f"failed for n in {constructive['failed']}")
    )
    for name in ("fit", "fit_bytes"):
        fit = data[name]
        if fit is not None:
            what = "constructive bound" if name == "fit" else "bytes of P_n"
            sign = "+" if fit["b"] >= 0 else "-"
            print(f"{what} ~ {fit['a']:.2f} {sign} {abs(fit['b']):.3f} ln n "
                  f"(rms residual {fit['residual']:.3f})")


def register(app: typer.Typer) -> None:
    @app.command("chain")
    def chain_command(
        file: Path = typer.Argument(..., help="P_1: a program in the DESIGN.md I/O convention"),
        n: int = typer.Option(..., "-n", help="number of programs P_1 .. P_n"),
        lang: str | None = typer.Option(None, "--lang", help="machine (default: from the extension)"),
        goal: str | None = typer.Option(None, "--goal", help="check improvement: identity or prime"),
        horizon: int = typer.Option(16, "--horizon", help="times t = 0 .. T for improvement"),
        probe: int = typer.Option(1000, "--probe", help="t0 of the reported value P_i(t0)"),
        metered: bool = typer.Option(False, "--metered", help="the language's metered machine (c: c-wasm)"),
        as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
    ) -> None:
        """Generate and check the RSI chain P_1 .. P_n of FILE."""
        from quines_text.chain import constructive_sample, run_chain
        from quines_text.machines import MACHINE_MODULES

        source = read_text_file(file, "program file")
        machine = language_of(file, lang, MACHINE_MODULES)
        if metered:
            from quines_text.languages import language_of_machine

            language = language_of_machine(machine)
            if language is None or language.metered is None:
                raise BadInput(f"no metered machine for {machine}")
            machine = language.metered
        if n < 1:
            raise BadInput(f"-n must be >= 1, got {n}")
        if horizon < 0 or probe < 0:
            raise BadInput(f"--horizon and --probe must be >= 0, got {horizon} and {probe}")
        goal_function = None
        if goal is not None:
            from rsi.goals import goal_by_name

            if horizon < 1:
                raise BadInput(f"--horizon must be >= 1 with --goal, got {horizon}")

            try:
                goal_function = goal_by_name(goal)
            except ValueError as error:
                raise BadInput(str(error)) from None
        options: dict[str, Any] = dict(goal=goal_function, goal_name=goal, horizon=horizon, probe_t=probe)
        if as_json or not sys.stderr.isatty():
            report = run_chain(source, machine, n, **options)
        else:
            from rich.console import Console
            from rich.progress import Progress

            with Progress(console=Console(stderr=True), transient=True) as bar:
                task = bar.add_task("chain", total=n + len(constructive_sample(n)))
                report = run_chain(
                    source, machine, n, progress=lambda label: bar.update(task, advance=1, description=label),
                    **options,
                )
        emit(report.to_dict(), as_json, _print_report)
        raise typer.Exit(HOLDS if report.holds else DOES_NOT_HOLD)
