"""quines_text.sandbox: statuses, limits, source exposure, the C build cache (DESIGN.md "Runner")."""
import os
from pathlib import Path

import pytest

from quines_text import sandbox
from quines_text.sandbox import Limits

FAST = Limits(wall_s=3.0, cpu_s=2.0, memory_bytes=256 * 2**20, output_bytes=4096)
ADD_ONE = {
    "python": "print(int(input()) + 1)",
    "c": '#include <stdio.h>\nint main(void){int t; scanf("%d", &t); printf("%d\\n", t + 1);'
         " return 0;}",
    "js": "console.log(Number(require('fs').readFileSync(0, 'utf8')) + 1)",
}
READS_OWN_SOURCE = {
    "python": "print(len(open('prog.py').read()))",
    "c": '#include <stdio.h>\nint main(void){FILE *f = fopen("prog.c", "r");'
         ' if (!f) return 3; puts("found"); return 0;}',
    "js": "console.log(require('fs').readFileSync('prog.js', 'utf8').length)",
}


@pytest.mark.parametrize("lang", sandbox.LANGS)
@pytest.mark.parametrize("expose", [True, False])
def test_each_language_reads_stdin_and_prints(lang, expose):
    result = sandbox.run(ADD_ONE[lang], lang, b"41\n", FAST, expose_source=expose)
    assert (result.status, result.stdout.strip(), result.exit_code) == ("ok", b"42", 0)


@pytest.mark.parametrize("lang", sandbox.LANGS)
def test_source_is_readable_only_when_exposed(lang):
    exposed = sandbox.run(READS_OWN_SOURCE[lang], lang, limits=FAST, expose_source=True)
    hidden = sandbox.run(READS_OWN_SOURCE[lang], lang, limits=FAST, expose_source=False)
    assert exposed.status == "ok"
    assert hidden.status == "crash"  # the file is not there: an error, not the source


def test_run_folder_is_fresh_cwd_home_and_removed_afterwards():
    program = "import os\nprint(os.getcwd()); print(os.environ['HOME']); print(os.listdir('.'))"
    result = sandbox.run(program, "python", limits=FAST, expose_source=False)
    cwd, home, listing = result.text.splitlines()
    assert cwd == home and listing == "[]"
    assert not Path(cwd).exists()


def test_environment_is_scrubbed():
    os.environ["RSI_SECRET_FOR_TEST"] = "leak"
    try:
        result = sandbox.run("import os\nprint(sorted(os.environ))", "python", limits=FAST)
    finally:
        del os.environ["RSI_SECRET_FOR_TEST"]
    assert "RSI_SECRET_FOR_TEST" not in result.text
    assert "'LANG'" in result.text and "'PATH'" in result.text


def test_python_syntax_error_is_compile_error():
    result = sandbox.run("x = (", "python", limits=FAST)
    assert result.status == "compile_error" and b"SyntaxError" in result.stderr


def test_python_uncaught_exception_is_crash_with_program_traceback():
    result = sandbox.run("1 / 0", "python", limits=FAST)
    assert result.status == "crash" and b"ZeroDivisionError" in result.stderr
    assert b"_sandbox_child" not in result.stderr


def test_python_sys_exit_codes():
    assert sandbox.run("import sys; sys.exit(0)", "python", limits=FAST).status == "ok"
    failed = sandbox.run("import sys; sys.exit(4)", "python", limits=FAST)
    assert (failed.status, failed.exit_code) == ("crash", 4)


def test_refused_operation_cannot_be_caught():
    program = ("try:\n    open('/etc/hostname')\nexcept BaseException:\n    print('caught')\n")
    result = sandbox.run(program, "python", limits=FAST)
    assert result.status == "forbidden" and b"caught" not in result.stdout


def test_python_can_import_and_read_its_standard_library():
    program = "import json, collections, random\nprint(json.dumps([1]))"
    assert sandbox.run(program, "python", limits=FAST).stdout == b"[1]\n"


def test_output_cap_cuts_stdout_at_the_limit():
    result = sandbox.run("while True: print('x' * 100)", "python", limits=FAST)
    assert result.status == "output_limit" and len(result.stdout) == FAST.output_bytes


def test_wall_clock_limit_stops_a_sleeping_program():
    limits = Limits(wall_s=0.5, cpu_s=5.0)
    result = sandbox.run("import time; time.sleep(30)", "python", limits=limits)
    assert result.status == "timeout" and result.wall_s < 3.0


def test_large_stdin_is_fed_without_deadlock():
    data = b"y" * 300_000
    result = sandbox.run("import sys; print(len(sys.stdin.buffer.read()))", "python", data,
                         FAST)
    assert result.stdout.strip() == b"300000"


def test_c_build_is_cached_by_source():
    source = f"int main(void){{return 0;}}/* cache test {os.getpid()} */"
    first, second = sandbox.compile_c(source), sandbox.compile_c(source)
    assert first.binary == second.binary and second.cached
    assert first.flags == sandbox.C_FLAGS


def test_c_falls_back_to_gnu89_and_records_it():
    # `restrict` is a keyword from C99 on, a plain identifier in gnu89
    build = sandbox.compile_c("int main(){int restrict = 0; return restrict;}")
    assert build.binary is not None and build.flags == sandbox.C_FALLBACK_FLAGS


def test_c_compile_error_carries_gcc_message():
    result = sandbox.run("int main( {", "c", limits=FAST)
    assert result.status == "compile_error" and b"error" in result.stderr


def test_limits_reject_non_positive_values():
    with pytest.raises(ValueError, match="wall_s"):
        Limits(wall_s=0)


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language"):
        sandbox.run("", "cobol")


def test_isolation_is_reported():
    achieved = sandbox.isolation()
    assert achieved.to_dict()["note"]


def test_a_missing_toolchain_is_named(monkeypatch):
    """Without node the js language raises ToolchainMissing (tests turn it into a skip)."""
    import shutil

    real_which = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda tool, *args, **kw: None if tool == "node" else real_which(tool, *args, **kw)
    )
    with pytest.raises(sandbox.ToolchainMissing, match="node is not installed"):
        sandbox.run("console.log(1)", "js")
