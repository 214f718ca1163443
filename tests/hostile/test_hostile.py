"""The hostile suite (DESIGN.md "Runner"): each program in this folder attacks the sandbox.

For every program the test asserts its exact status, that the host is alive and responsive
afterwards, that no file appeared outside the run folder (the programs name a unique marker
file in /tmp and in the real home directory), and that no process of the run survives (no
process of this host has the marker in its command line, and this process has no children).
@MARKER@ and @HOME@ in a program are replaced by the marker and the real home directory.
Every program runs twice: through `quines_text.sandbox.run`, and through `rsi run FILE --json`
(exit 0 for status ok, 1 for any other status).
"""
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from quines_text import sandbox
from quines_text.sandbox import Limits, prestart

HERE = Path(__file__).parent
LANG_OF = {".py": "python", ".c": "c", ".js": "js"}
LIMITS = Limits(wall_s=3.0, cpu_s=1.0, memory_bytes=256 * 2**20, output_bytes=64 * 1024)

# program file -> (status, what stdout must be, or None when it does not matter)
EXPECTED = {
    "py_infinite_loop.py": ("timeout", None),
    "c_infinite_loop.c": ("timeout", None),
    "c_fork_bomb.c": ("timeout", None),
    "py_fork_bomb.py": ("forbidden", b""),
    "py_memory_bomb.py": ("memory", b""),
    "c_memory_bomb.c": ("memory", b""),
    "js_memory_bomb.js": ("memory", b""),
    "py_output_flood.py": ("output_limit", None),
    "js_output_flood.js": ("output_limit", None),
    "py_write_outside.py": ("forbidden", b""),
    "c_write_outside.c": ("crash", b"refused\n"),
    "py_write_home.py": ("forbidden", b""),
    "js_write_home.js": ("crash", b""),
    "py_socket.py": ("forbidden", b""),
    # socket(AF_INET) fails with EPERM; the seccomp filter's notification makes the run forbidden
    "c_socket.c": ("forbidden" if sandbox.isolation().seccomp_notify else "crash", b"unreachable\n"),
    "py_read_outside.py": ("forbidden", b""),
    "c_read_outside.c": ("ok", b"read\n"),  # no audit hook for C: reads are not refused
    "c_non_utf8.c": ("ok", b"\xff\xfe\x80ok"),
    "py_syntax_error.py": ("compile_error", b""),
    "c_compile_error.c": ("compile_error", b""),
    "c_segfault.c": ("crash", b""),
    "c_abort.c": ("crash", b""),
    "py_deep_recursion.py": ("crash", b""),
    "js_deep_recursion.js": ("crash", b""),
    "c_sleeping_child.c": ("ok", b"parent done\n"),
    "js_sleeping_child.js": ("ok", b"parent done\n"),
    "py_sleeping_child.py": ("forbidden", b""),
}


# Without namespaces (no root, no user namespaces) C and JS programs are protected by file
# permissions and the session kill only: these expectations need the namespaces.
NEEDS_NAMESPACES = {"c_write_outside.c", "js_write_home.js", "c_socket.c", "c_sleeping_child.c",
                    "js_sleeping_child.js"}


def test_every_program_here_has_an_expectation():
    programs = {p.name for p in HERE.iterdir()
                if p.suffix in LANG_OF and not p.name.startswith("test_") and p.name != "conftest.py"}
    assert programs == set(EXPECTED)
    assert len(programs) >= 12 and {Path(p).suffix for p in programs} == set(LANG_OF)


def _hostile(name: str) -> tuple[str, str]:
    """(marker, source): the program with a fresh marker; skip when it needs namespaces."""
    if name in NEEDS_NAMESPACES and not sandbox.isolation().namespaces:
        pytest.skip(f"needs namespaces: {sandbox.isolation().note}")
    marker = f"rsi-hostile-{uuid.uuid4().hex}"
    return marker, (HERE / name).read_text().replace("@MARKER@", marker).replace("@HOME@", str(Path.home()))


def _assert_nothing_left(marker: str) -> None:
    assert _host_responds()
    assert not (Path("/tmp") / marker).exists() and not (Path.home() / marker).exists()
    assert not list(Path("/tmp").glob(f"*{marker}*"))
    assert not _processes_with(marker)
    assert not _children_of_this_process()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_program_gets_its_status_and_leaves_nothing_behind(name):
    marker, source = _hostile(name)
    status, stdout = EXPECTED[name]

    result = sandbox.run(source, LANG_OF[Path(name).suffix], limits=LIMITS)

    assert result.status == status, result.stderr[-500:]
    if stdout is not None:
        assert result.stdout == stdout
    assert result.wall_s < LIMITS.wall_s + 2
    _assert_nothing_left(marker)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_rsi_run_names_the_status_and_exits_by_it(name, tmp_path):
    marker, source = _hostile(name)
    program = tmp_path / name
    program.write_text(source)
    limits = ["--wall-s", str(LIMITS.wall_s), "--cpu-s", str(LIMITS.cpu_s),
              "--memory-mb", str(LIMITS.memory_bytes // 2**20)]

    done = subprocess.run([sys.executable, "-m", "rsi", "run", str(program), "--json", *limits],
                          capture_output=True, timeout=60)

    status = EXPECTED[name][0]
    assert json.loads(done.stdout)["status"] == status, done.stderr[-500:]
    assert done.returncode == (0 if status == "ok" else 1)
    _assert_nothing_left(marker)
    assert [p.name for p in tmp_path.iterdir()] == [name]


def _host_responds() -> bool:
    start = time.monotonic()
    done = subprocess.run(["/bin/true"], timeout=5)
    return done.returncode == 0 and time.monotonic() - start < 2


def _proc_files(name: str):
    """(pid, bytes of /proc/pid/name) for every process that is still there to read."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                yield int(entry), Path(f"/proc/{entry}/{name}").read_bytes()
            except OSError:
                continue


def _processes_with(marker: str) -> list[int]:
    return [pid for pid, cmdline in _proc_files("cmdline") if marker.encode() in cmdline]


def _children_of_this_process() -> list[int]:
    """Children of this process, less the pre-started trees of the next runs
    (quines_text.sandbox.prestart)."""
    me, ready = os.getpid(), prestart.ready_pids()
    return [pid for pid, stat in _proc_files("stat")
            if int(stat.rsplit(b")", 1)[1].split()[1]) == me and pid not in ready]
