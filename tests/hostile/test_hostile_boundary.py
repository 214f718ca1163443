"""The boundary suite: one hostile program per class of escape the sandbox must make impossible.

Each program in boundary/ attacks one class (device nodes, host unix sockets, keyrings, user
namespaces, AF_VSOCK, root-only host files from C, JS, Python and a compile error, another
concurrent run's folder, the audit-hook bypasses, forged statuses, meter evasion, host-side
exhaustion, whole-run limits).  For every program the test asserts its exact status and stdout,
and that nothing escaped: no file outside the run folder, no process left, and per class no
kernel key, no attached loop device, no connection accepted by a unix socket the test listens
on in the host's /tmp, no kernel-log line, no secret in the output, no growth of the host
process.  A program whose containment needs a layer that is not active on this host skips,
with the reason read from `quines_text.sandbox.isolation()`.

Placeholders in a program: @MARKER@ (unique per run), @SOCKET@ (the test's listening socket),
@SECRET@ (a 0600 file of the host user holding a secret line).
"""
from __future__ import annotations

import os
import resource
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from quines_text import sandbox
from quines_text.sandbox import Limits, prestart

HERE = Path(__file__).parent / "boundary"
LANG_OF = {".py": "python", ".c": "c", ".js": "js"}
LIMITS = Limits(wall_s=5.0, cpu_s=3.0, memory_bytes=256 * 2**20, output_bytes=64 * 1024)
BLOCKED = b"blocked\n"


@dataclass(frozen=True)
class Case:
    """program: file in boundary/; status and stdout (None: not checked) expected; checks:
    escape checks beyond the common ones; needs: Isolation fields that must be true."""

    program: str
    status: str
    stdout: bytes | None = b""
    checks: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    limits: Limits = LIMITS
    meter: bool = False


ALONE = ("namespaces",)  # bubblewrap: minimal /dev, private /tmp, /proc and network
UNPRIVILEGED = ("namespaces", "unprivileged_uid")
FILTERED = ("namespaces", "seccomp", "seccomp_notify")  # a refused syscall is `forbidden`
CASES = [
    # writes through device nodes; KVM
    Case("c_dev_kmsg.c", "ok", BLOCKED, ("kmsg",), ALONE),
    Case("c_loop_device.c", "ok", BLOCKED, ("loop",), ALONE),
    Case("c_host_pty.c", "ok", BLOCKED, (), ALONE),
    Case("c_kvm.c", "ok", BLOCKED, (), ALONE),
    # host unix sockets, keyrings, user namespaces, AF_VSOCK
    Case("c_unix_socket.c", "ok", BLOCKED, ("socket",), ALONE),
    Case("js_unix_socket.js", "ok", BLOCKED, ("socket",), ALONE),
    Case("py_unix_socket.py", "forbidden", b"", ("socket",)),
    Case("c_keyctl.c", "forbidden", BLOCKED, ("keys",), FILTERED),
    Case("c_unshare_user.c", "forbidden", BLOCKED, (), FILTERED),
    Case("c_vsock.c", "forbidden", BLOCKED, (), FILTERED),
    # reads of root-only host files
    Case("c_read_secret.c", "ok", BLOCKED, ("secret",), UNPRIVILEGED),
    Case("js_read_secret.js", "ok", BLOCKED, ("secret",), UNPRIVILEGED),
    Case("py_read_secret.py", "forbidden", b"", ("secret",)),
    Case("py_read_shadow.py", "forbidden", b""),
    Case("c_include_secret.c", "compile_error", b"", ("secret",), UNPRIVILEGED),
    Case("c_other_run.c", "ok", BLOCKED, ("other_run",), ALONE),
    Case("py_other_run.py", "forbidden", b"", ("other_run",)),
    # the audit-hook bypasses
    Case("py_bypass_frame_globals.py", "forbidden", b"", ("secret",)),
    Case("py_bypass_gc.py", "forbidden", b"", ("secret",)),
    Case("py_bypass_str_subclass.py", "forbidden", b"", ("secret",)),
    Case("py_bypass_isinstance.py", "forbidden", b"", ("secret",)),
    Case("py_bypass_dir_fd.py", "forbidden", b"", ("secret",)),
    Case("py_bypass_readline.py", "forbidden", b"", ("secret",)),
    Case("py_bypass_spwd.py", "forbidden", b""),
    Case("py_bypass_native_extension.py", "forbidden", b""),
    # forged statuses
    Case("py_forge_finish.py", "forbidden", b""),
    Case("py_forge_sigxcpu.py", "forbidden", b""),
    Case("c_forge_sigxcpu.c", "forbidden", b""),
    Case("c_forge_oom.c", "crash", b""),
    Case("js_forge_oom.js", "crash", b"Out Of Memory\n"),
    Case("py_forge_report.py", "crash", b"Out Of Memory\n"),
    Case("py_forge_memory.py", "crash", b""),
    # meter evasion on the metered machine
    Case("py_meter_frozen_name.py", "forbidden", b"", meter=True),
    Case("py_meter_stdlib_name.py", "forbidden", b"", meter=True),
    Case("py_meter_thread.py", "forbidden", b"", meter=True),
    Case("py_meter_tracer_off.py", "forbidden", b"", meter=True),
    Case("py_meter_settrace.py", "forbidden", b"", meter=True),
    Case("py_meter_restart.py", "forbidden", b"", meter=True),
    # host-side exhaustion
    Case("py_nested_folders.py", "ok", b"deep\n"),
    Case("c_nested_folders.c", "ok", b"deep\n"),
    Case("c_stdout_flood.c", "output_limit", None, ("rss",)),
    Case("py_report_flood.py", "ok", b"done\n", ("rss",)),
    Case("c_include_ptmx.c", "timeout", b"", (), ALONE, Limits(wall_s=3.0, cpu_s=3.0)),
    # whole-run limits
    Case("c_forking_memory.c", "memory", b"", (), ("memory_cgroup",),
         Limits(wall_s=10.0, cpu_s=5.0, memory_bytes=256 * 2**20)),
    Case("c_disk_fill.c", "ok", b"stopped\n", (), ("namespaces",),
         Limits(wall_s=10.0, cpu_s=5.0, disk_bytes=64 * 2**20)),
]
BY_NAME = {case.program: case for case in CASES}


def test_every_boundary_program_has_a_case():
    programs = {p.name for p in HERE.iterdir() if p.suffix in LANG_OF}
    assert programs == set(BY_NAME)


class UnixListener:
    """A unix socket in the host's /tmp that counts the connections it accepts."""

    def __init__(self, path: Path) -> None:
        self.path, self.accepted = path, 0
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        os.chmod(path, 0o777)  # connectable by any uid: only the sandbox may stop it
        self.server.listen(8)
        self.server.settimeout(0.1)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.done.is_set():
            try:
                connection, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            connection.close()

    def close(self) -> int:
        time.sleep(0.3)
        self.done.set()
        self.thread.join()
        self.server.close()
        self.path.unlink(missing_ok=True)
        return self.accepted


def _kernel_log() -> bytes:
    """Every record of the kernel log buffer (empty where /dev/kmsg cannot be read)."""
    try:
        fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return b""
    records = []
    try:
        while True:
            try:
                records.append(os.read(fd, 8192))
            except BlockingIOError:
                break
            except OSError:  # EPIPE: a record was overwritten while reading; go on
                continue
    finally:
        os.close(fd)
    return b"".join(records)


def _loop_backings() -> set[str]:
    found = set()
    for backing in Path("/sys/block").glob("loop*/loop/backing_file"):
        try:
            found.add(f"{backing.parent.parent.name} {backing.read_text().strip()}")
        except OSError:
            continue
    return found


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _proc_cmdlines():
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                yield Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue


def _children() -> list[str]:
    """Children of this process's main thread, less the pre-started trees of the next runs
    (quines_text.sandbox.prestart)."""
    ready = {str(pid) for pid in prestart.ready_pids()}
    try:
        found = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
    except OSError:
        return []
    return [pid for pid in found if pid not in ready]


def _other_run(marker: str, secret: str) -> threading.Thread:
    """A concurrent sandboxed run holding other-MARKER (the secret) for 4 s."""
    program = (f"open('other-{marker}', 'w').write('{secret}\\n')\n"
               "import time\ntime.sleep(4)\n")
    thread = threading.Thread(target=sandbox.run, args=(program, "python"),
                              kwargs={"limits": Limits(wall_s=8.0)}, daemon=True)
    thread.start()
    time.sleep(1.0)
    return thread


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.program)
def test_boundary_program_gets_its_status_and_nothing_escapes(case, tmp_path):
    isolation = sandbox.isolation()
    missing = [layer for layer in case.needs if not getattr(isolation, layer)]
    if missing:
        pytest.skip(f"needs {', '.join(missing)}: {isolation.note}")
    marker = f"rsi-hostile-{uuid.uuid4().hex}"
    secret = f"secret-{uuid.uuid4().hex}"
    secret_file = Path.home() / f"{marker}.secret"
    secret_file.write_text(f"int {secret} = ;\n")
    secret_file.chmod(0o600)
    listener = UnixListener(Path("/tmp") / f"{marker}.sock") if "socket" in case.checks else None
    other = _other_run(marker, secret) if "other_run" in case.checks else None
    source = ((HERE / case.program).read_text().replace("@MARKER@", marker)
              .replace("@SECRET@", str(secret_file))
              .replace("@SOCKET@", str(Path("/tmp") / f"{marker}.sock")))
    keys_before, loops_before = _read("/proc/key-users"), _loop_backings()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        result = sandbox.run(source, LANG_OF[Path(case.program).suffix], limits=case.limits,
                             meter=case.meter)
    finally:
        accepted = listener.close() if listener is not None else 0
        if other is not None:
            other.join(10)
        secret_file.unlink()

    assert result.status == case.status, result.stderr[-600:]
    if case.stdout is not None:
        assert result.stdout == case.stdout
    assert result.wall_s < case.limits.wall_s + 2
    # nothing escaped
    assert subprocess.run(["/bin/true"], timeout=5).returncode == 0
    assert not (Path("/tmp") / marker).exists() and not (Path.home() / marker).exists()
    assert not [p for p in Path("/tmp").glob(f"*{marker}*") if p.suffix != ".sock"]
    assert not [c for c in _proc_cmdlines() if marker.encode() in c]
    assert not _children()
    assert accepted == 0
    assert secret.encode() not in result.stdout + result.stderr
    if "kmsg" in case.checks:
        assert marker.encode() not in _kernel_log()
    if "loop" in case.checks:
        assert _loop_backings() == loops_before
        assert not [b for b in _loop_backings() if marker in b]
    if "keys" in case.checks:
        assert marker not in _read("/proc/keys")
        assert _read("/proc/key-users") == keys_before
    if "rss" in case.checks:
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before  # KiB
        assert grown < 100 * 1024, f"the host process grew by {grown} KiB"
