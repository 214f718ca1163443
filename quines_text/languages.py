"""One record per language and per machine: Mahoney's "fixed universal Turing machine L" as data.

Mahoney 2008, section Goals: P(t) is the output of P on input t after t time steps of a fixed
machine L.  A language here has a plain machine (the program run to its end under a wall-clock
guard) and, where one exists, a metered machine that counts steps exactly, each with its step
unit.  Everything the toolkit knows about a language -- file extensions, its machines, the
tool it needs, whether quines can be checked and made in it, the smallest quine template, the
Example 6 successor template, the Example 2 program that prints t -- is in one frozen record
below, so adding a language (or a machine) is one small module plus one entry here.  The
quine templates use the placeholders of quines_text.quine.make (SELF; n and NEXT for
successors).  The I/O convention of DESIGN.md holds for every language: stdin is one line with
t in decimal; stdout is P(t) in decimal for t >= 0 and the successor's source for t = -1.

The other modules keep no list of languages: the sandbox's languages (quines_text.sandbox.LANGS),
those quines are checked and made in (quines_text.quine.CHECK_LANGS, MAKE_LANGS), the relay's
detection rules and printers and `rsi run`'s --lang are read from LANGUAGES when used
(`LanguageNames` is a live view of it).
"""
from __future__ import annotations

import importlib
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload


def _tool(name: str) -> Callable[[], str | None]:
    def missing() -> str | None:
        return None if shutil.which(name) else f"{name} is not installed"
    return missing


def _extension(module: str) -> Callable[[], str | None]:
    def missing() -> str | None:
        try:
            importlib.import_module(module)
        except ImportError as error:
            return f"{module} is not built ({error}); run pip install -e ."
        return None
    return missing


def _wasm_toolchain() -> str | None:
    from quines_text.machines.wasm_build import toolchain_missing

    return toolchain_missing()


def _js_wasm_toolchain() -> str | None:
    from quines_text.machines.js_wasm import js_toolchain_missing

    return js_toolchain_missing()


def _nothing() -> str | None:
    return None


@dataclass(frozen=True)
class MachineInfo:
    """A machine: its module (which defines a dict MACHINES holding it), whether it counts
    steps, what one step is, and a check that says why it cannot run here (None: it can)."""

    name: str
    module: str
    metered: bool
    step_unit: str
    toolchain: Callable[[], str | None]

    def missing(self) -> str | None:
        return self.toolchain()

    def to_dict(self) -> dict:
        return {"name": self.name, "metered": self.metered, "step_unit": self.step_unit}


UNMETERED = "none (unmetered: run to the end under the wall-clock guard)"

MACHINE_INFO: dict[str, MachineInfo] = {m.name: m for m in (
    MachineInfo("python", "quines_text.machines.python_metered", True,
                "CPython 3.11 bytecode instruction of the program's own code", _nothing),
    MachineInfo("python-plain", "quines_text.machines.external", False, UNMETERED, _nothing),
    MachineInfo("c", "quines_text.machines.external", False, UNMETERED, _tool("gcc")),
    MachineInfo("c-wasm", "quines_text.machines.c_wasm", True,
                "wasmtime fuel unit (one WebAssembly instruction, default costs)", _wasm_toolchain),
    MachineInfo("js", "quines_text.machines.external", False, UNMETERED, _tool("node")),
    MachineInfo("js-wasm", "quines_text.machines.js_wasm", True,
                "wasmtime fuel unit of the QuickJS interpreter (start-up included)", _js_wasm_toolchain),
    MachineInfo("bf", "quines_text.machines.bf", True, "BF instruction (+ - < > . , [ ])",
                _extension("quines_text._bfengine")),
    MachineInfo("bff", "quines_text.machines.bff", True, "BFF instruction on the 2-head tape",
                _extension("quines_text._bfengine")),
)}


@dataclass(frozen=True)
class Language:
    """A language: extensions (lower case, with the dot); plain and metered machine names
    (metered None: there is none); sandbox_lang: the name quines_text.sandbox runs it under
    (None: not a sandbox language); quine_check: quines_text.quine.check handles it;
    quine_template / successor_template: the smallest quine and Example 6 templates of
    quines_text.quine.make (None: quines cannot be constructed in it); print_t: a program that
    prints its input t (Mahoney's Example 2).  quine_scheme: "module:NAME" of the
    quines_text.quine.make.QuineScheme that builds quines in it (None: none).  detect and
    detect_rank: the regular expression (multi-line) that marks its code for
    quines_text.quine.relay.detect_lang, searched in the text with string literals blanked, the
    rules tried by rank, lowest first.  writer: a program that writes the JSON string literal put
    for {literal}; printer: a quine template that writes {prefix} + the JSON literal of SELF +
    {suffix} ({prefix} and {suffix} become literals of this language): the relay's stages."""

    name: str
    extensions: tuple[str, ...]
    plain: str
    metered: str | None
    sandbox_lang: str | None
    quine_check: bool
    quine_template: str | None = None
    successor_template: str | None = None
    print_t: str | None = None
    successor_convention: str = "stdin -1 -> stdout is the successor's source"
    quine_scheme: str | None = None
    detect: str | None = None
    detect_rank: int = 0
    writer: str | None = None
    printer: str | None = None

    def machine(self, metered: bool) -> str | None:
        return self.metered if metered else self.plain

    def to_dict(self) -> dict:
        return {"name": self.name, "extensions": list(self.extensions), "plain": self.plain,
                "metered": self.metered,
                "step_unit": MACHINE_INFO[self.metered].step_unit if self.metered else None}


_C_SUCCESSOR = (
    "int main(void)\n{\n    long long t;\n"
    '    if (scanf("%lld", &t) != 1) return 1;\n'
    '    if (t >= 0) printf("%lld", t + n);\n'
    "    else fputs(NEXT, stdout);\n    return 0;\n}\n"
)

LANGUAGES: dict[str, Language] = {lang.name: lang for lang in (
    Language(
        "python", (".py",), "python-plain", "python", "python", True,
        quine_template="import sys\nsys.stdout.write(SELF)\n",
        successor_template=("import sys\n"
                            "t = int(sys.stdin.readline())\n"
                            "sys.stdout.write(str(t + n) if t >= 0 else NEXT)\n"),
        print_t="print(input())\n",
        quine_scheme="quines_text.quine.make:PYTHON_SCHEME",
        detect=r"\b(import|def|print|lambda|exec)\b|:=|:\s*$", detect_rank=3,
        writer="import sys\nsys.stdout.write({literal})\n",
        printer=("import json\nimport sys\n"
                 "sys.stdout.write({prefix} + json.dumps(SELF, ensure_ascii=False) + {suffix})\n"),
    ),
    Language(
        "c", (".c",), "c", "c-wasm", "c", True,
        quine_template="int main(void)\n{\n    fputs(SELF, stdout);\n    return 0;\n}\n",
        successor_template=_C_SUCCESSOR,
        print_t='#include <stdio.h>\nint main(void){long long t;scanf("%lld",&t);printf("%lld",t);return 0;}\n',
        quine_scheme="quines_text.quine.make:C_SCHEME",
        detect=r"^\s*#\s*(include|define)\b|(?<!function )\bmain\s*\([^)]*\)\s*\{", detect_rank=1,
    ),
    Language(
        "js", (".js",), "js", "js-wasm", "js", True,
        quine_template="process.stdout.write(SELF);\n",
        successor_template=("const t = parseInt(require('fs').readFileSync(0, 'utf8'), 10);\n"
                            "process.stdout.write(t >= 0 ? String(t + n) : NEXT);\n"),
        quine_scheme="quines_text.quine.make:JS_SCHEME",
        detect=r"\b(console|process|require)\s*[.(]|\b(const|let|var|function)\s|=>", detect_rank=2,
        writer="process.stdout.write({literal});\n",
        printer="process.stdout.write({prefix} + JSON.stringify(SELF) + {suffix});\n",
    ),
    Language("bf", (".bf", ".b"), "bf", "bf", None, True,
             # read characters up to the newline, printing each (a newline is 10 = ten '-')
             print_t=",----------[++++++++++.,----------]",
             # every non-space character a BF command (BF has no quotes, so blanking strings
             # leaves its text as it is)
             detect=r"\A\s*[-+<>\[\].,][-+<>\[\].,\s]*\Z", detect_rank=0),
    Language("bff", (".bff",), "bff", "bff", None, False),
)}

class LanguageNames(Sequence[str]):
    """The names that `pick` gives the registered languages (None: left out; each name once),
    in registry order, read from LANGUAGES at every use: a live, read-only view, so a language
    added to the registry is in every list derived from it."""

    def __init__(self, pick: Callable[[Language], str | None]) -> None:
        self._pick = pick

    def _names(self) -> tuple[str, ...]:
        picked = (self._pick(lang) for lang in LANGUAGES.values())
        return tuple(dict.fromkeys(name for name in picked if name is not None))

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...

    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and self._names() == tuple(other)

    __hash__ = None  # type: ignore[assignment]  # equal to tuples, so not hashable

    def __repr__(self) -> str:
        return f"LanguageNames{self._names()!r}"


SANDBOX_LANGS = LanguageNames(lambda lang: lang.sandbox_lang)
"""The languages quines_text.sandbox runs."""
CHECK_LANGS = LanguageNames(lambda lang: lang.name if lang.quine_check else None)
"""The languages quines_text.quine.check (and the relay) handles."""
MAKE_LANGS = LanguageNames(lambda lang: lang.name if lang.quine_scheme else None)
"""The languages quines_text.quine.make constructs quines in (those naming a QuineScheme)."""

EXTENSIONS: dict[str, str] = {ext: lang.name for lang in LANGUAGES.values() for ext in lang.extensions}


def language_of_path(path: str | Path) -> Language:
    """The language of a program file from its extension; ValueError naming the known ones."""
    suffix = Path(path).suffix.lower()
    extensions = {ext: lang for lang in LANGUAGES.values() for ext in lang.extensions}  # live
    if suffix not in extensions:
        known = " ".join(sorted(extensions))
        raise ValueError(f"cannot tell the language of {path} from its extension; known: {known}")
    return extensions[suffix]


def language(name: str) -> Language:
    """The language called `name`; ValueError naming the known ones."""
    if name not in LANGUAGES:
        raise ValueError(f"unknown language {name!r}; languages: {', '.join(LANGUAGES)}")
    return LANGUAGES[name]


def machine_info(name: str) -> MachineInfo:
    """The machine called `name`; ValueError naming the known ones."""
    if name not in MACHINE_INFO:
        raise ValueError(f"unknown machine {name!r}; known machines: {', '.join(sorted(MACHINE_INFO))}")
    return MACHINE_INFO[name]


def language_of_machine(machine: str) -> Language | None:
    """The language whose plain or metered machine is `machine` (None for none)."""
    for lang in LANGUAGES.values():
        if machine in (lang.plain, lang.metered):
            return lang
    return None


def step_units_table() -> list[dict]:
    """Every machine with its language and step unit (the README's table)."""
    rows = []
    for info in MACHINE_INFO.values():
        lang = language_of_machine(info.name)
        rows.append({"machine": info.name, "language": lang.name if lang else None,
                     "metered": info.metered, "step_unit": info.step_unit})
    return rows
