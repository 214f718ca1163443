"""The metered JavaScript machine js-wasm (QuickJS on wasmtime): P(t) is 0 until the
interpreter has had its fuel, then t + 1; counts are identical run to run and the budget is
exact; the toolkit's JS quines and successors run on it as on node; a missing toolchain or
missing sources is a named error.

Building the interpreter takes about 2 minutes of CPU, once per cache folder: the machine
fixture builds it where it is missing (a fresh clone), so the checks run wherever the toolchain
is present; the slow test checks that a second build finds the cached module."""
import json
import shutil
import subprocess
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from quines_text.languages import LANGUAGES, MACHINE_INFO
from quines_text.machines import js_wasm, stdin_for
from quines_text.quine.make import make, make_successor
from quines_text.sandbox import Limits, ToolchainMissing

MISSING = js_wasm.js_toolchain_missing()
needs_toolchain = pytest.mark.skipif(MISSING is not None, reason=f"js-wasm toolchain: {MISSING}")

PLUS_ONE = ("const t = parseInt(require('fs').readFileSync(0, 'utf8'), 10);\n"
            "process.stdout.write(String(t + 1));\n")
BIG_T = 50_000_000  # far above the interpreter's start-up cost


@pytest.fixture(scope="module")
def machine():
    if MISSING is not None:
        pytest.skip(f"js-wasm toolchain: {MISSING}")
    if js_wasm.built_module() is None:  # a fresh clone: build it once (cached after)
        js_wasm.build_interpreter()
    return js_wasm.JsWasmMachine()


@needs_toolchain
@pytest.mark.slow
def test_the_interpreter_builds_from_the_vendored_sources():
    path = js_wasm.build_interpreter()
    assert path == js_wasm.module_path() and path.stat().st_size > 100_000
    assert js_wasm.build_interpreter() == path  # cached: found, not rebuilt
    result = js_wasm.JsWasmMachine().run("process.stdout.write('built')", b"", 10**8)
    assert (result.status, result.stdout) == ("ok", b"built")


def test_p_of_t_is_zero_below_the_interpreters_fuel_and_t_plus_one_at_or_above_it(machine):
    assert machine.value(PLUS_ONE, BIG_T).value == BIG_T + 1
    assert (machine.value(PLUS_ONE, 1000).value, machine.value(PLUS_ONE, 1000).note) == (0, "step_limit")
    low, high = 1000, BIG_T  # P(low) = 0, P(high) = high + 1: bisect for the first t that halts
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if machine.value(PLUS_ONE, mid).value else (mid, high)
    assert 10**6 < high < 10**7  # QuickJS's start-up is millions of instructions
    for t in range(high - 30, high + 30):
        outcome = machine.value(PLUS_ONE, t)
        assert (outcome.value, outcome.note) == ((t + 1, "") if t >= high else (0, "step_limit")), t
    first, before = machine.run(PLUS_ONE, stdin_for(high)).steps, machine.run(PLUS_ONE, stdin_for(low)).steps
    assert first is not None and before is not None and first <= high < before + 1


def test_the_budget_is_exact_at_the_last_unit(machine):
    steps = machine.run(PLUS_ONE, b"41\n").steps
    assert steps is not None
    assert machine.run(PLUS_ONE, b"41\n", steps).status == "ok"
    short = machine.run(PLUS_ONE, b"41\n", steps - 1)
    assert (short.status, short.steps) == ("step_limit", steps - 1)


def test_the_count_is_identical_run_to_run(machine):
    program = "let s = 0;\nfor (let i = 0; i < 20000; i++) s += i % 7;\nconsole.log(s);\n"
    runs = [machine.run(program, b"", 10**9) for _ in range(3)]
    assert {(r.status, r.stdout, r.steps) for r in runs} == {("ok", b"%d\n" % sum(i % 7 for i in range(20000)),
                                                              runs[0].steps)}
    empty = machine.run("", b"", 10**9).steps
    assert empty is not None and runs[0].steps is not None and runs[0].steps > empty


def test_a_quine_from_the_js_template_is_a_quine_on_the_metered_machine(machine):
    template = LANGUAGES["js"].quine_template
    assert template is not None
    source = make(template, "js")
    result = machine.run(source)
    assert (result.status, result.stdout.decode()) == ("ok", source)


def test_the_js_successor_template_gives_t_plus_n_and_its_successor(machine):
    template = LANGUAGES["js"].successor_template
    assert template is not None
    p1, p2 = make_successor(template, "js", 1), make_successor(template, "js", 2)
    assert machine.value(p1, BIG_T).value == BIG_T + 1
    assert machine.value(p2, BIG_T).value == BIG_T + 2
    successor = machine.run(p1, stdin_for(-1))
    assert (successor.status, successor.stdout.decode()) == ("ok", p2)


QUINES = Path(__file__).parent / "quines"


@pytest.mark.parametrize("name", sorted(path.name for path in QUINES.glob("*.js")))
def test_every_js_quine_of_the_corpus_is_a_quine_on_js_wasm(machine, name):
    source = (QUINES / name).read_text()
    result = machine.run(source, b"", 10**10)
    assert (result.status, result.stdout.decode()) == ("ok", source)


LOGGED = ("console.log('100%%'); console.log('a%%b', 1);\n"
          "console.log('%s|%d|%i|%f|%j|%c', 'x', '42', '3.9', '2.5', {a: [1, 'b']}, 'css');\n"
          "console.log('%s', 5n, 7n, 'z'); console.log('%s %s', 'only'); console.log();\n"
          "console.log(1, 'a', null, undefined, true, 2.5e-7); console.log('%d%%', 50);\n")


def test_console_log_formats_as_node_does(machine):
    expected = ('100%%\na%b 1\nx|42|3|2.5|{"a":[1,"b"]}|\n5n 7n z\nonly %s\n\n'
                "1 a null undefined true 2.5e-7\n50%\n")
    result = machine.run(LOGGED, b"", 10**9)
    assert (result.status, result.stdout.decode()) == ("ok", expected)
    if shutil.which("node"):
        node = subprocess.run(["node", "-e", LOGGED], capture_output=True, timeout=60, check=True)
        assert node.stdout.decode() == expected


def test_the_prelude_gives_node_io_and_nothing_else(machine):
    program = ("const fs = require('fs');\nconst first = fs.readFileSync(0, 'utf8');\n"
               "console.log('in', JSON.stringify(first), JSON.stringify(fs.readFileSync(0, 'utf8')));\n"
               "print(typeof process.argv, 'é');\n")
    result = machine.run(program, b"7\n", 10**8)
    assert (result.status, result.stdout.decode()) == ("ok", 'in "7\\n" ""\nobject é\n')
    for hidden in ("require('os')", "require('fs').readFileSync('/etc/passwd')", "std.open('x')"):
        refused = machine.run(hidden, b"", 10**8)
        assert refused.status == "crash" and b"Uncaught" in refused.stderr
    exited = machine.run("process.stdout.write('a'); process.exit(3); process.stdout.write('b');", b"", 10**8)
    assert (exited.status, exited.exit_code, exited.stdout) == ("crash", 3, b"a")


FORMATTED = {  # JavaScript rounds exact decimal ties away from zero (ECMA-262 Number.prototype.toFixed)
    "(2.5).toFixed(0)": "3", "(-2.5).toFixed(0)": "-3", "(1.25).toFixed(1)": "1.3", "(1.005).toFixed(2)": "1.00",
    "(0.125).toPrecision(2)": "0.13", "(2.5).toExponential(0)": "3e+0", "(9.995).toFixed(2)": "9.99",
    "(99.5).toFixed(0)": "100", "(9.5).toPrecision(1)": "1e+1", "(-0).toFixed(2)": "0.00",
    "(-1.5).toExponential(0)": "-2e+0", "(123.456).toFixed(1)": "123.5", "(1e-7).toFixed(3)": "0.000",
}


def test_number_formatting_rounds_exact_ties_away_from_zero(machine):
    program = f"process.stdout.write(JSON.stringify([{', '.join(FORMATTED)}]));\n"
    result = machine.run(program, b"", 10**9)
    assert (result.status, json.loads(result.stdout)) == ("ok", list(FORMATTED.values()))


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_number_formatting_agrees_with_node(machine):
    values = [0.5, 1.5, 2.5, -2.5, 1.25, -1.25, 1.005, 0.125, 1.45, 9.5, 99.5, 0.05, 123.456, 1e20, 5e-7,
              2**53, -0.0, 1 / 3, 4.35, 8.345, 1.0000000000000002, 5e-324, 1.7976931348623157e308]
    program = (f"const out = [];\nfor (const x of {json.dumps(values)}) {{\n"
               "  for (let p = 0; p < 8; p++) out.push(x.toFixed(p), x.toPrecision(p + 1), x.toExponential(p));\n"
               "  out.push(String(x), x.toFixed(20));\n}\nprocess.stdout.write(JSON.stringify(out));\n")
    node = subprocess.run(["node", "-e", program], capture_output=True, timeout=60, check=True)
    result = machine.run(program, b"", 10**10)
    assert result.status == "ok"
    assert json.loads(result.stdout) == json.loads(node.stdout)


def test_hostile_programs_end_with_named_statuses(machine):
    assert machine.run("for (;;) {}", b"", 10**7).status == "step_limit"
    hurried = js_wasm.JsWasmMachine(limits=replace(Limits(), wall_s=0.3))
    assert hurried.run("for (;;) {}", b"", 10**13).status == "timeout"
    small = js_wasm.JsWasmMachine(limits=replace(Limits(), memory_bytes=32 * 2**20))
    hog = small.run("const a = [];\nfor (;;) a.push('x'.repeat(1 << 16) + a.length);\n", b"", 10**10)
    assert hog.status == "memory"
    deep = machine.run("function f(n) { return f(n + 1) + 1; }\nf(0);\n", b"", 10**10)
    assert deep.status == "crash" and b"stack overflow" in deep.stderr
    catching = "let d = 0;\nfunction f() { d++; f(); }\ntry { f(); } catch (e) { print(d > 100, e.message); }\n"
    caught = machine.run(catching, b"", 10**10)
    assert (caught.status, caught.stdout) == ("ok", b"true stack overflow\n")
    nested = machine.run("eval('['.repeat(100000) + ']'.repeat(100000));\n", b"", 10**10)
    assert nested.status == "crash"
    syntax = machine.run("this is not javascript", b"", 10**8)
    assert syntax.status == "crash" and b"SyntaxError" in syntax.stderr


HOSTILE = Path(__file__).parents[1] / "hostile"
HOSTILE_JS = {  # node's APIs beyond the prelude do not exist here: each ends in an uncaught error
    "js_deep_recursion.js": ("crash", b"stack overflow"),
    "js_memory_bomb.js": ("memory", b"out of memory"),
    "js_output_flood.js": ("crash", b"not a function"),  # fs.writeSync
    "js_sleeping_child.js": ("crash", b"cannot find module 'child_process'"),
    "js_write_home.js": ("crash", b"not a function"),  # fs.writeFileSync
}


def test_every_hostile_js_program_has_an_expectation_on_js_wasm():
    assert sorted(path.name for path in HOSTILE.glob("js_*.js")) == sorted(HOSTILE_JS)


@pytest.mark.parametrize("name", sorted(HOSTILE_JS))
def test_hostile_js_program_ends_with_its_status_and_writes_nothing(machine, name):
    marker = f"rsi-js-wasm-{uuid.uuid4().hex}"
    home = Path.home()
    source = (HOSTILE / name).read_text().replace("@MARKER@", marker).replace("@HOME@", str(home))
    small = js_wasm.JsWasmMachine(limits=replace(Limits(), memory_bytes=64 * 2**20, wall_s=60.0))
    result = small.run(source, b"", 10**11)
    status, message = HOSTILE_JS[name]
    assert (result.status, message in result.stderr) == (status, True), result.stderr[-300:]
    assert marker.encode() not in result.stdout and not (home / marker).exists()


def test_a_stale_native_code_file_is_compiled_afresh(machine, monkeypatch, tmp_path):
    built = js_wasm.built_module()
    assert built is not None
    monkeypatch.setattr(js_wasm, "cache_dir", lambda: tmp_path)
    copy = js_wasm.module_path()
    copy.parent.mkdir(parents=True)
    shutil.copyfile(built, copy)
    js_wasm._native.cache_clear()
    first = js_wasm.JsWasmMachine().run("process.stdout.write('a')", b"", 10**8)
    (native,) = copy.parent.glob("*.cwasm")
    native.write_bytes(b"not wasmtime's serialized form")
    js_wasm._native.cache_clear()
    again = js_wasm.JsWasmMachine().run("process.stdout.write('a')", b"", 10**8)
    assert (first.status, first.stdout, again.status, again.stdout) == ("ok", b"a", "ok", b"a")
    assert first.steps == again.steps and native.stat().st_size > 10**6
    js_wasm._native.cache_clear()


def test_js_has_node_plain_and_js_wasm_metered():
    js = LANGUAGES["js"]
    assert (js.plain, js.metered) == ("js", "js-wasm")
    assert MACHINE_INFO["js-wasm"].metered and MACHINE_INFO["js-wasm"].step_unit == js_wasm.STEP_UNIT


def test_a_missing_zig_is_a_named_toolchain_error(monkeypatch):
    from quines_text.machines import wasm_build

    monkeypatch.setattr(wasm_build, "zig_path", lambda: None)
    assert "zig is not installed" in (MACHINE_INFO["js-wasm"].missing() or "")
    with pytest.raises(ToolchainMissing, match="zig"):
        js_wasm.JsWasmMachine().run("process.stdout.write('1')", b"", 10)


def test_missing_or_altered_sources_are_named(monkeypatch, tmp_path):
    monkeypatch.setattr(js_wasm, "SDIST", tmp_path / "absent.tar.gz")
    assert "missing" in (js_wasm.sources_missing() or "")
    altered = tmp_path / "quickjs-1.19.4.tar.gz"
    altered.write_bytes(b"not the sdist")
    monkeypatch.setattr(js_wasm, "SDIST", altered)
    assert "sha256 differs" in (js_wasm.sources_missing() or "")
    if js_wasm.toolchain_missing() is None:
        with pytest.raises(ToolchainMissing, match="sha256"):
            js_wasm.build_interpreter()
