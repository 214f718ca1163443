"""The seccomp allow-list (quines_text.sandbox.seccomp), tried from compiled C programs.

A syscall on neither list fails with ENOSYS and the run stays `ok`; a refused one fails with
EPERM and the kernel's notification makes the run `forbidden` with its number; the argument
rules hold whatever the unused high bits of an argument carry; clone3 fails so that the C
library falls back to clone (fork and threads still work); other ABIs kill the process.
"""
from __future__ import annotations

import errno
import signal

import pytest

from quines_text import sandbox
from quines_text.sandbox import Limits, languages
from quines_text.sandbox.launch import Launched, Plan
from quines_text.sandbox.limits import status_of
from quines_text.sandbox.seccomp import (
    ARGUMENT_RULES,
    MAX_INSTRUCTIONS,
    REFUSED_SYSCALLS,
    UNLISTED_ERRNO,
    allowed_syscalls,
    filter_bpf,
)

ISO = sandbox.isolation()
pytestmark = pytest.mark.skipif(not ISO.seccomp, reason="no seccomp filter")
LIMITS = Limits(wall_s=10.0, cpu_s=5.0)
HEAD = ("#define _GNU_SOURCE\n#include <errno.h>\n#include <pthread.h>\n#include <stdio.h>\n"
        "#include <sys/ioctl.h>\n#include <sys/socket.h>\n#include <sys/syscall.h>\n"
        "#include <sys/wait.h>\n#include <unistd.h>\n")
NR_SYSFS, NR_KEYCTL, NR_IOCTL, NR_SOCKETPAIR = 139, 250, 16, 53  # x86_64 numbers


def _launch(body: str, prelude: str = "") -> Launched:
    build = sandbox.compile_c(HEAD + prelude + "int main(void){" + body + "}")
    assert build.binary is not None, build.stderr
    return languages._sandboxed([str(build.binary)], LIMITS, b"",
                                Plan(binds=[str(build.binary)]))


def test_the_lists_are_disjoint_and_the_filter_fits_the_kernel_limit():
    allowed = allowed_syscalls()
    assert not allowed & set(REFUSED_SYSCALLS) and not allowed & set(ARGUMENT_RULES)
    assert "sysfs" not in allowed and "sysfs" not in REFUSED_SYSCALLS  # the test's unlisted call
    for notify in (False, True):
        code = filter_bpf(notify)
        assert len(code) % 8 == 0 and len(code) // 8 <= MAX_INSTRUCTIONS


def test_an_unlisted_harmless_syscall_fails_with_enosys_and_the_run_is_ok():
    launched = _launch(f"long r = syscall({NR_SYSFS}, 3); printf(\"%ld %d\\n\", r, errno);"
                       "return 0;")
    assert launched.stdout == f"-1 {UNLISTED_ERRNO}\n".encode() and UNLISTED_ERRNO == errno.ENOSYS
    assert launched.ending.exit_code == 0 and launched.ending.refused_syscall is None


@pytest.mark.skipif(not ISO.seccomp_notify, reason="no seccomp notifications")
def test_a_refused_syscall_fails_with_eperm_and_the_kernel_names_it_to_the_launcher():
    launched = _launch(f"long r = syscall({NR_KEYCTL}, 0, -3, 0); printf(\"%ld %d\\n\", r, errno);"
                       "return 0;")
    assert launched.stdout == f"-1 {errno.EPERM}\n".encode()
    assert launched.ending.refused_syscall == NR_KEYCTL
    assert status_of(launched.ending, LIMITS) == "forbidden"


@pytest.mark.skipif(not ISO.seccomp_notify, reason="no seccomp notifications")
@pytest.mark.parametrize(("call", "nr"), [
    # TIOCSTI with junk in the high 32 bits, which the kernel ignores
    ("syscall(SYS_ioctl, 0, 0x100005412UL, &c)", NR_IOCTL),
    # AF_INET with junk in the high bits (the kernel reads an int)
    ("syscall(SYS_socketpair, 0x100000002UL, SOCK_STREAM, 0, fds)", NR_SOCKETPAIR),
])
def test_argument_rules_ignore_the_high_bits_the_kernel_ignores(call, nr):
    launched = _launch(f"char c = 'x'; int fds[2]; long r = {call};"
                       'printf("%ld %d\\n", r, errno); return 0;')
    assert launched.stdout == f"-1 {errno.EPERM}\n".encode()
    assert launched.ending.refused_syscall == nr


def test_harmless_ioctls_and_unix_socketpairs_are_allowed():
    launched = _launch("int fds[2], n = -1; if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds)) return 1;"
                       'write(fds[0], "abc", 3); if (ioctl(fds[1], FIONREAD, &n)) return 2;'
                       'printf("%d\\n", n); return 0;')
    assert launched.stdout == b"3\n" and launched.ending.refused_syscall is None


def test_clone3_fails_with_enosys_and_fork_and_threads_fall_back_to_clone():
    prelude = "static void *run(void *arg) { return arg; }\n"
    launched = _launch("long r = syscall(SYS_clone3, 0, 0); int e = errno; pthread_t t;"
                       "void *out = 0; if (pthread_create(&t, 0, run, (void *)7)) return 1;"
                       "pthread_join(t, &out); pid_t p = fork(); if (p == 0) _exit(5);"
                       "int st = 0; waitpid(p, &st, 0);"
                       'printf("%ld %d %ld %d\\n", r, e, (long)out, WEXITSTATUS(st)); return 0;',
                       prelude)
    assert launched.stdout == f"-1 {errno.ENOSYS} 7 5\n".encode()
    assert launched.ending.refused_syscall is None


@pytest.mark.parametrize("call", [
    "syscall(0x40000000 | 39)",  # x32 getpid
    'asm volatile ("int $0x80" : : "a"(20) : "memory")',  # i386 getpid
])
def test_a_syscall_of_another_abi_kills_the_process(call):
    launched = _launch(f'{call}; puts("survived"); return 0;')
    assert launched.stdout == b"" and launched.ending.exit_code == -signal.SIGSYS
