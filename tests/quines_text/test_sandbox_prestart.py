"""quines_text.sandbox.prestart: a pre-started tree gives the same run as a cold start, is used
once, and leaves nothing behind (DESIGN.md "Runner")."""
import functools
import os
import threading
import time
from pathlib import Path

import pytest

from quines_text import sandbox
from quines_text.sandbox import Limits, languages, prestart

FAST = Limits(wall_s=3.0, cpu_s=2.0, memory_bytes=256 * 2**20, output_bytes=4096)
ISO = sandbox.isolation()

PROGRAMS = {
    "stdin": ("print(int(input()) + 1)", b"41\n", {}),
    "own source": ("print(len(open('prog.py', 'rb').read()), open('prog.py', 'rb').read()[:5])",
                   b"", {}),
    "crlf source": ("x = 1\r\nprint(open('prog.py', 'rb').read())\r\n", b"", {}),
    "hidden source": ("import os\nprint(os.listdir('.'), __file__ if '__file__' in dir() else 0)",
                      b"", {"expose_source": False}),
    "traceback": ("def f():\n    raise KeyError('k')\nf()\n", b"", {}),
    "syntax error": ("x = (", b"", {}),
    "extra file": ("import os, stat\ns = os.stat('data.bin')\n"
                   "print(oct(s.st_mode), s.st_size, open('data.bin', 'rb').read())",
                   b"", {"extra_files": {"data.bin": b"\x00\xff\r\n"}}),
    "argv and env": ("import os, sys\nprint(sys.argv, sorted(os.environ), os.getuid())", b"",
                     {"argv": ["a", "b"]}),
    "metered": ("s = 0\nfor i in range(100):\n    s += i\nprint(s)", b"", {"meter": True}),
    "step limit": ("while True:\n    pass", b"", {"step_budget": 1000}),
    "exit code": ("raise SystemExit(7)", b"", {}),
    # hostile: the wall clock, memory and the audit hook / seccomp filter
    "timeout": ("while True:\n    pass", b"", {"limits": Limits(wall_s=1.0, cpu_s=5.0)}),
    "memory": ("x = []\nwhile True:\n    x.append(bytearray(2**24))", b"", {}),
    "forbidden": ("import socket\nsocket.socket()", b"", {}),
    "write outside": ("open('/tmp/rsi-prestart-escape', 'w').write('x')", b"", {}),
}


def _key(limits: Limits = FAST):
    return (languages.isolation(), limits)


def _wait_ready(limits: Limits = FAST, timeout: float = 20.0) -> None:
    """Wait until the pool holds a ready tree for `limits` (asking for one if needed)."""
    key = _key(limits)
    pool = prestart.pool()
    if key not in pool.ready:
        tree = pool.take(key, functools.partial(languages._python_tree, key[0], limits))
        if tree is not None:  # taken while checking: put nothing back, wait for the next
            tree.discard()
    end = time.monotonic() + timeout
    while key not in prestart.pool().ready:
        assert time.monotonic() < end, "no tree was pre-started"
        time.sleep(0.01)


def _run(name: str, prestarted: bool, monkeypatch):
    source, stdin, options = PROGRAMS[name]
    options = dict(options)
    limits = options.pop("limits", FAST)
    if prestarted:
        monkeypatch.delenv("RSI_SANDBOX_PRESTART", raising=False)
        _wait_ready(limits)
    else:
        monkeypatch.setenv("RSI_SANDBOX_PRESTART", "0")
    result = sandbox.run(source, "python", stdin, limits, **options)
    assert prestart.used_by_last_run() is prestarted
    return result


@pytest.fixture(autouse=True)
def fresh_pool():
    prestart.close()
    yield
    prestart.close()


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_a_pre_started_run_equals_a_cold_one(name, monkeypatch):
    cold = _run(name, False, monkeypatch)
    warm = _run(name, True, monkeypatch)
    assert (warm.status, warm.stdout, warm.stderr, warm.exit_code, warm.steps) == (
        cold.status, cold.stdout, cold.stderr, cold.exit_code, cold.steps)
    assert not Path("/tmp/rsi-prestart-escape").exists()


@pytest.mark.skipif(not ISO.seccomp_notify, reason="the report pipe is the only path here")
@pytest.mark.parametrize("name", ["metered", "step limit", "forbidden", "syntax error"])
def test_with_the_report_pipe_a_pre_started_run_equals_a_cold_one(name, monkeypatch):
    """Where the kernel has no seccomp notifications the child reports through a pipe whose
    token the run chooses when it takes the tree."""
    from dataclasses import replace

    monkeypatch.setattr(languages, "isolation", lambda: replace(ISO, seccomp_notify=False))
    cold = _run(name, False, monkeypatch)
    warm = _run(name, True, monkeypatch)
    assert (warm.status, warm.stdout, warm.stderr, warm.exit_code, warm.steps) == (
        cold.status, cold.stdout, cold.stderr, cold.exit_code, cold.steps)
    assert warm.status != "crash"


def test_the_statuses_of_the_hostile_programs_are_the_expected_ones(monkeypatch):
    expected = {"timeout": "timeout", "forbidden": "forbidden",
                "write outside": "forbidden", "step limit": "step_limit",
                "syntax error": "compile_error", "traceback": "crash"}
    if ISO.memory_cgroup:
        expected["memory"] = "memory"
    got = {name: _run(name, True, monkeypatch).status for name in expected}
    assert got == expected


def test_the_wall_clock_starts_when_the_tree_is_taken(monkeypatch):
    """A tree that waited longer than the run's wall limit still gives the program all of it."""
    monkeypatch.delenv("RSI_SANDBOX_PRESTART", raising=False)
    limits = Limits(wall_s=1.5, cpu_s=5.0)
    _wait_ready(limits)
    time.sleep(2.0)
    result = sandbox.run("import time\ntime.sleep(0.5)\nprint('slept')", "python",
                         limits=limits)
    assert prestart.used_by_last_run() is True
    assert (result.status, result.stdout) == ("ok", b"slept\n")


@pytest.fixture
def used(monkeypatch):
    """The trees the runs finish, in order (pre-start on)."""
    monkeypatch.delenv("RSI_SANDBOX_PRESTART", raising=False)
    trees: list = []
    real = languages.finish

    def spy(started, *args, **kwargs):
        trees.append(started)
        return real(started, *args, **kwargs)

    monkeypatch.setattr(languages, "finish", spy)
    return trees


def test_each_tree_is_used_once(used):
    folders = []
    for _ in range(5):
        _wait_ready()
        result = sandbox.run("import os\nprint(os.getcwd())", "python", limits=FAST)
        assert result.status == "ok" and prestart.used_by_last_run() is True
        folders.append(result.stdout)
    assert len(used) == 5 and len({id(s) for s in used}) == 5
    assert len({s.proc.pid for s in used}) == 5 and len(set(folders)) == 5
    assert all(s.proc.returncode is not None for s in used)  # each one ended and was reaped


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _tree_pids(tree) -> list[int]:
    pids = [tree.started.proc.pid]
    for procs in tree.started.groups.procs_files:
        pids += [int(p) for p in Path(procs).read_text().split()]
    return pids


def test_closing_the_pool_leaves_no_process_cgroup_or_folder(monkeypatch):
    monkeypatch.delenv("RSI_SANDBOX_PRESTART", raising=False)
    _wait_ready()
    (tree, _), = prestart.pool().ready.values()
    pids = _tree_pids(tree)
    cgroups = [Path(p).parent for p in tree.started.groups.procs_files]
    stage = tree.started.stage_dir
    assert all(_alive(pid) for pid in pids) and all(c.is_dir() for c in cgroups)
    prestart.close()
    assert not any(_alive(pid) for pid in pids)
    assert not any(c.exists() for c in cgroups)
    assert stage is None or not Path(stage).exists()
    assert tree.started.proc.returncode is not None


def test_a_tree_that_waits_too_long_is_killed(monkeypatch):
    monkeypatch.delenv("RSI_SANDBOX_PRESTART", raising=False)
    monkeypatch.setattr(prestart, "IDLE_S", 0.5)
    _wait_ready()
    (tree, _), = prestart.pool().ready.values()
    pids = _tree_pids(tree)
    folders = [Path(p).parent for p in tree.started.groups.procs_files]
    if tree.started.stage_dir is not None:
        folders.append(Path(tree.started.stage_dir))
    end = time.monotonic() + 10
    # the starter thread kills it, then removes its cgroups and stage folder
    while (prestart.pool().ready or any(_alive(pid) for pid in pids)
           or any(f.exists() for f in folders)):
        assert time.monotonic() < end, "the idle tree was not killed and removed"
        time.sleep(0.05)


def test_the_environment_switch_turns_it_off(monkeypatch):
    monkeypatch.setenv("RSI_SANDBOX_PRESTART", "0")
    for _ in range(2):
        result = sandbox.run("print(1)", "python", limits=FAST)
        assert result.stdout == b"1\n" and prestart.used_by_last_run() is False
    pool = prestart.pool()
    assert pool.worker is None and not pool.ready and pool.started == 0


def test_a_forked_child_does_not_use_or_hold_its_parents_tree(monkeypatch):
    monkeypatch.delenv("RSI_SANDBOX_PRESTART", raising=False)
    _wait_ready()
    (tree, _), = prestart.pool().ready.values()
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover -- the forked child
        try:
            os.close(read_end)
            fresh = prestart.pool()
            try:
                os.fstat(tree.control_w)
                held = True
            except OSError:
                held = False
            ok = not fresh.ready and fresh is not tree and not held
            os.write(write_end, b"1" if ok else b"0")
            time.sleep(2.0)  # alive while the parent runs on the tree
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        assert os.read(read_end, 1) == b"1"
        start = time.monotonic()
        result = sandbox.run("print('parent')", "python", limits=FAST)
        took = time.monotonic() - start
        assert prestart.used_by_last_run() is True
        # the child's copy of the control pipe would have held the run to its deadline
        assert (result.status, result.stdout) == ("ok", b"parent\n") and took < 1.5
    finally:
        os.close(read_end)
        os.waitpid(child, 0)


def test_runs_from_threads_each_get_their_own_tree(used):
    _wait_ready()
    results = {}

    def work(i: int) -> None:
        results[i] = [sandbox.run(f"print({i * 10 + j})", "python", limits=FAST)
                      for j in range(3)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {i: [r.stdout for r in rs] for i, rs in results.items()} == {
        i: [f"{i * 10 + j}\n".encode() for j in range(3)] for i in range(3)}
    assert len(used) >= 1 and len({id(s) for s in used}) == len(used)


def test_back_to_back_runs_wait_for_the_tree_being_started(monkeypatch):
    """Each run queues the next tree; a run that comes before its start is done waits for it
    (prestart.WAIT_S) rather than starting cold."""
    monkeypatch.delenv("RSI_SANDBOX_PRESTART", raising=False)
    used = []
    for i in range(5):
        result = sandbox.run(f"print({i})", "python", limits=FAST)
        assert result.stdout == f"{i}\n".encode()
        used.append(prestart.used_by_last_run())
    assert used[0] is False  # the pool starts empty
    assert sum(used[1:]) >= 3


def test_rsi_run_json_says_whether_the_run_took_a_pre_started_tree(tmp_path, capsys, monkeypatch):
    import json

    from rsi.app.cli import main

    monkeypatch.delenv("RSI_SANDBOX_PRESTART", raising=False)
    program = tmp_path / "one.py"
    program.write_text("print(1)\n")
    seen = []
    for _ in range(2):
        with pytest.raises(SystemExit) as done:
            main(["run", str(program), "--json"])
        assert done.value.code == 0
        data = json.loads(capsys.readouterr().out)
        seen.append((data["stdout"], data["isolation"]["prestarted"]))
        end = time.monotonic() + 20
        while not prestart.pool().ready:  # the tree for the next run
            assert time.monotonic() < end
            time.sleep(0.01)
    assert seen == [("1\n", False), ("1\n", True)]


HOST = """
import json, sys, time
from quines_text import sandbox
from quines_text.sandbox import prestart
sandbox.run("print(1)", "python")
while not prestart.pool().ready:
    time.sleep(0.01)
(tree, _), = prestart.pool().ready.values()
pids = [tree.pid()] + [int(p) for f in tree.started.groups.procs_files
                       for p in open(f).read().split()]
folders = [f.rsplit("/", 1)[0] for f in tree.started.groups.procs_files]
print(json.dumps({"pids": pids, "folders": folders, "stage": tree.started.stage_dir}), flush=True)
if sys.argv[1] == "hang":
    time.sleep(60)
"""


def _host(mode: str):
    import json
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", HOST, mode], stdout=subprocess.PIPE,
                            cwd=Path(__file__).parents[2], text=True)
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


def _gone(pids: list[int], timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while any(_alive(pid) for pid in pids):
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def test_at_interpreter_exit_the_ready_tree_is_killed_and_removed():
    proc, tree = _host("exit")
    assert proc.wait(timeout=60) == 0
    assert _gone(tree["pids"])
    assert not any(Path(f).exists() for f in tree["folders"])
    assert tree["stage"] is None or not Path(tree["stage"]).exists()


def test_a_killed_host_takes_its_ready_tree_with_it():
    """SIGKILL runs no atexit: bubblewrap's --die-with-parent (or, without it, the closed
    control pipe) ends the tree; its empty cgroups are left, as a cold run's would be."""
    import signal

    from quines_text.sandbox.cgroups import remove_cgroup, remove_tree

    proc, tree = _host("hang")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    try:
        assert _gone(tree["pids"])
    finally:
        for folder in tree["folders"]:
            remove_cgroup(Path(folder))
        if tree["stage"] is not None:
            remove_tree(Path(tree["stage"]))
