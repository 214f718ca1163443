"""Measure the syscalls of the sandboxed toolchains, against the seccomp allow-list.

The measurement behind quines_text.sandbox.seccomp.ALLOWED_SYSCALLS: runs the given test files
(default: the sandbox, machine, quine and hostile suites) with every sandbox launch under
`strace -f`, keeps the calls made after the launcher loaded its filter (the launcher's own and
those of every process forked after that), and prints each syscall with how many calls and
how many tests made it, then the measured calls that the filter does not allow, the refused
calls that were made (the hostile programs'), and the listed calls not measured.  Traces of a
whole command (a command-line test: several launches in one trace) are left out.  The tests'
own verdicts do not matter here (strace slows runs, so timing tests fail).

Usage: python bench/seccomp_syscalls.py [TEST_PATH ...]   (needs strace; one test at a time)
"""
from __future__ import annotations

import collections
import glob
import os
import re
import subprocess
import sys
import tempfile

DEFAULT_TESTS = ("tests/quines_text/test_sandbox.py", "tests/quines_text/test_external_machines.py",
                 "tests/quines_text/test_python_machine.py",
                 "tests/quines_text/test_python_warm_evaluator.py",
                 "tests/quines_text/test_quine_check.py", "tests/quines_text/test_relay.py",
                 "tests/quines_text/test_c_wasm_machine.py", "tests/quines_text/test_js_wasm_machine.py",
                 "tests/hostile/")
LINE = re.compile(r"^(\d+)\s+(?:<\.\.\. (\w+) resumed>|(\w+)\()(.*)$")
_launch = [0, "setup"]


def _traced_popen(real):  # the pytest plugin's wrapper of subprocess.Popen
    def popen(command, *args, **kwargs):
        _launch[0] = int(_launch[0]) + 1
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(_launch[1]))[-100:]
        out = os.path.join(os.environ["SECCOMP_TRACE_DIR"], f"{name}.{_launch[0]}.txt")
        return real(["strace", "-f", "-qq", "-s", "0", "-o", out, *command], *args, **kwargs)
    return popen


def pytest_configure(config) -> None:  # plugin hook (-p seccomp_syscalls)
    from quines_text.sandbox import isolation, launch

    isolation()  # probed untraced
    launch.subprocess.Popen = _traced_popen(subprocess.Popen)


def pytest_runtest_setup(item) -> None:
    _launch[1] = item.nodeid


def parse(path: str) -> collections.Counter[str]:
    """Syscall names made under the filter in one trace (empty for a whole command's trace)."""
    seen: collections.Counter[str] = collections.Counter()
    with open(path, errors="replace") as trace:
        lines = trace.readlines()
    if not lines or ("launcher" not in lines[0] and "bwrap" not in lines[0]):
        return seen
    filtered: set[int] = set()
    known: set[int] = set()
    for raw in lines:
        match = LINE.match(raw)
        if not match:
            continue
        pid, name, rest = int(match.group(1)), match.group(2) or match.group(3), match.group(4)
        if filtered and pid not in known:  # forked after the filter was loaded
            filtered.add(pid)
        known.add(pid)
        if match.group(3) and pid in filtered:
            seen[name] += 1
        if name == "seccomp" and "SECCOMP_SET_MODE_FILTER" in rest and "= -1" not in rest:
            filtered.add(pid)
    return seen


def main() -> None:
    from quines_text.sandbox import seccomp

    tests = sys.argv[1:] or list(DEFAULT_TESTS)
    folder = tempfile.mkdtemp(prefix="seccomp-trace-")
    env = {**os.environ, "SECCOMP_TRACE_DIR": folder,
           "PYTHONPATH": os.pathsep.join([os.path.dirname(os.path.abspath(__file__)),
                                          os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
                    "-p", "seccomp_syscalls", *tests], env=env, stdout=subprocess.DEVNULL)
    calls: collections.Counter[str] = collections.Counter()
    where: dict[str, set[str]] = collections.defaultdict(set)
    for path in glob.glob(os.path.join(folder, "*.txt")):
        seen = parse(path)
        calls += seen
        for name in seen:
            where[name].add(os.path.basename(path).rsplit(".", 2)[0])
    print(f"{len(calls)} syscalls made under the filter ({folder}):")
    for name in sorted(calls):
        print(f"  {name:20} {calls[name]:8} calls in {len(where[name]):4} tests")
    allowed = seccomp.allowed_syscalls() | set(seccomp.ARGUMENT_RULES)
    refused = set(seccomp.REFUSED_SYSCALLS)
    report = {"tuxcall"}  # REPORT_SYSCALL, the metered Python child's report (notified)
    print("made, not allowed:", sorted(set(calls) - allowed - refused - report))
    print("made, refused:", sorted(set(calls) & refused))
    print("allowed, not made:", sorted(allowed - set(calls)))


if __name__ == "__main__":
    main()
