"""The seccomp filter of every sandboxed process tree (DESIGN.md "Runner"): an allow-list.

Built with libseccomp (through pyseccomp) and exported as classic BPF; the launcher's init mode
loads it (after no_new_privs) into itself just before it forks the program, so the program
and every process it starts run under it and cannot remove it.  Three answers:

- Allowed: the syscalls in ALLOWED_SYSCALLS (grouped by purpose) and, under argument rules,
  socket and socketpair for AF_UNIX only, clone without a CLONE_NEW* flag, ioctl except the
  terminal requests below, seccomp only to ask the notification sizes (the launcher's call),
  and kill, tkill, tgkill and fcntl(F_SETSIG) with any signal but SIGXCPU (refused: the
  kernel's CPU-limit signal must be the kernel's; SIGNALS_IN_MEMORY are not allowed at all).
  ALLOWED_SYSCALLS is what the sandboxed toolchains were measured to call (bench/
  seccomp_syscalls.py: strace -f of every launch of the sandbox, machine, quine and hostile
  test suites: CPython plain and metered, the warm evaluator, gcc with cc1/as/collect2/ld,
  compiled C programs, node, and zig cc with its one-time WASI libc build); COMPANION_SYSCALLS
  adds the older or newer forms of measured calls that other C libraries, kernels or code paths
  use, the calls of signal return and restart that a trace rarely shows, and the rest of a unix
  socket's life.  Not sandboxed, so not measured: wasmtime (the c-wasm and js-wasm machines run
  the module in the host process, quines_text.machines.c_wasm) and bf/bff (engines in the host
  process).
- Refused: REFUSED_SYSCALLS, and socket/socketpair of any family but AF_UNIX (no network, no
  AF_VSOCK, no netlink), clone with a CLONE_NEW* flag, the terminal ioctls that inject input or
  redirect a console (TIOCSTI, TIOCLINUX, TIOCCONS, TIOCSETD, compared on the low 32 bits the
  kernel reads): the keyrings, ptrace and cross-process memory access, mounts and namespaces,
  bpf, perf_event_open, userfaultfd, io_uring (whose operations bypass seccomp), kexec, module
  loading, open_by_handle_at and the other administrator calls.  Each refused call is sent to
  the launcher as a seccomp user notification: the launcher answers EPERM, so the call fails in
  the program, and reports the run `forbidden` ("forbidden NR" on its status pipe).  That is
  how a refused call is detected: the kernel names the call to the launcher, which holds the
  notification descriptor the program never has, so the program can neither forge nor hide it,
  and no toolchain makes one of these calls by itself (none in the measurement), so a refused
  call is the program's own.  Where the kernel has no notifications the calls fail with EPERM
  silently.
- Everything else fails with ENOSYS, the kernel's own answer for a syscall it does not
  implement, and does not make the run forbidden: harmless unlisted calls (e.g. sysfs) simply
  fail, and the C libraries and runtimes take their fallbacks, as they do on older kernels
  (clone3 -> clone, whose flags a filter can read while clone3's live in memory; close_range
  -> close; openat2 -> openat; epoll_pwait2 -> epoll_pwait).  EPERM would read as a policy refusal
  and is not a fallback signal for glibc.

Syscalls of other ABIs (x32, i386) kill the process.  Built by libseccomp 2.5.4, the filter is
299 BPF instructions with notifications, 298 without (2,392 / 2,384 bytes; the launcher and
the kernel take at most MAX_INSTRUCTIONS = 4,096).
"""
from __future__ import annotations

import errno
import functools
import os
import signal
import socket
import tempfile
from typing import Any

ALLOWED_SYSCALLS: dict[str, tuple[str, ...]] = {
    "memory": ("brk", "mmap", "munmap", "mprotect", "mremap", "madvise", "pkey_alloc"),
    "descriptors": ("read", "write", "writev", "pread64", "preadv", "pwritev", "lseek", "close",
                    "flock", "dup2", "ftruncate", "fchmod", "copy_file_range"),
    "paths in the run folder and the read-only system": (
        "open", "openat", "stat", "lstat", "fstat", "newfstatat", "statx", "access",
        "faccessat2", "readlink", "readlinkat", "getcwd", "chdir", "getdents64", "mkdir",
        "mkdirat", "rmdir", "unlink", "unlinkat", "rename", "renameat", "chmod", "fchmodat",
        "umask"),
    "pipes and polling": ("pipe2", "poll", "epoll_create1", "epoll_ctl", "epoll_pwait",
                          "eventfd2"),
    "unix sockets (socket itself: AF_UNIX only)": ("connect",),
    "processes": ("execve", "fork", "vfork", "wait4", "exit", "exit_group", "setpgid", "setsid",
                  "getpid", "getppid", "gettid", "prctl", "prlimit64",
                  "getrusage"),
    "threads": ("futex", "set_robust_list", "set_tid_address", "rseq", "arch_prctl",
                "sched_getaffinity"),
    "signals": ("rt_sigaction", "rt_sigprocmask", "sigaltstack"),
    "time": ("clock_nanosleep",),
    "identity and system facts": ("getuid", "geteuid", "getgid", "getegid", "capget", "uname",
                                  "sysinfo", "getrandom"),
}
COMPANION_SYSCALLS: tuple[str, ...] = (
    # signal return and restart (a trace of a run whose handlers never return has none)
    "rt_sigreturn", "restart_syscall", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigpending",
    # the other forms of measured calls (older kernels and C libraries, other code paths)
    "faccessat", "getdents", "fchdir", "renameat2", "readv", "pwrite64", "dup",
    "dup3", "fsync", "fdatasync", "pipe", "ppoll", "select", "pselect6", "epoll_create",
    "epoll_wait", "waitid", "getpgid", "getpgrp", "getsid", "sched_yield", "getgroups",
    "getresuid", "getresgid", "clock_gettime", "clock_getres", "gettimeofday", "time",
    "nanosleep",
    # the rest of a unix socket's life (only AF_UNIX sockets can exist)
    "bind", "listen", "accept", "accept4", "sendto", "recvfrom", "sendmsg", "recvmsg",
    "shutdown", "getsockname", "getpeername", "setsockopt", "getsockopt",
)
REFUSED_SYSCALLS: tuple[str, ...] = (
    "keyctl", "add_key", "request_key", "ptrace", "process_vm_readv", "process_vm_writev",
    "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsmount",
    "fsconfig", "fspick", "mount_setattr", "unshare", "setns", "bpf", "perf_event_open",
    "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "kexec_load",
    "kexec_file_load", "init_module", "finit_module", "delete_module", "open_by_handle_at",
    "name_to_handle_at", "syslog", "acct", "swapon", "swapoff", "reboot", "quotactl",
    "iopl", "ioperm", "lookup_dcookie", "pidfd_getfd", "fanotify_init",
)
ARGUMENT_RULES: tuple[str, ...] = ("socket", "socketpair", "clone", "ioctl", "seccomp", "kill",
                                   "tkill", "tgkill", "fcntl")
# SIGXCPU is the kernel's CPU-limit signal: every call that names a signal number the filter
# can read refuses it (the signal's argument index per call), and the calls whose signal lies in
# memory (rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_send_signal, timer_create, mq_notify) are
# not allowed at all, so a SIGXCPU death is the kernel's (quines_text.sandbox.limits).
SIGNAL_ARGUMENT: dict[str, int] = {"kill": 1, "tkill": 1, "tgkill": 2}
SIGNALS_IN_MEMORY: tuple[str, ...] = ("rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_send_signal",
                                      "timer_create", "mq_notify")
F_SETSIG = 10
UNLISTED_ERRNO = errno.ENOSYS
# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET
CLONE_NAMESPACE_FLAGS: tuple[int, ...] = (0x00020000, 0x02000000, 0x04000000, 0x08000000,
                                          0x10000000, 0x20000000, 0x40000000)
TERMINAL_IOCTLS: tuple[int, ...] = (0x5412, 0x541C, 0x541D, 0x5423)  # TIOCSTI LINUX CONS SETD
SECCOMP_GET_NOTIF_SIZES = 3
REPORT_SYSCALL = 184  # x86_64 tuxcall: not implemented by Linux, so only a report makes it
REPORT_MAGIC = 0x52534952
MAX_INSTRUCTIONS = 4096  # BPF_MAXINSNS, and the launcher's buffer (quines_text/_launcher.c)


class SeccompUnavailable(RuntimeError):
    """libseccomp (pyseccomp) is not installed or cannot build the filter."""


def allowed_syscalls() -> frozenset[str]:
    """Every syscall the filter allows without looking at arguments."""
    return frozenset(name for group in ALLOWED_SYSCALLS.values() for name in group) | frozenset(
        COMPANION_SYSCALLS)


def _check_lists() -> None:
    allowed = allowed_syscalls()
    listed = [name for group in ALLOWED_SYSCALLS.values() for name in group]
    listed += COMPANION_SYSCALLS
    overlap = allowed & (set(REFUSED_SYSCALLS) | set(ARGUMENT_RULES) | set(SIGNALS_IN_MEMORY))
    if overlap or len(listed) != len(allowed):  # a mistake in this file: loud, not "no filter"
        raise ValueError(f"seccomp lists overlap ({sorted(overlap)}) or a name repeats")


@functools.cache
def filter_bpf(notify: bool = False) -> bytes:
    """The filter as classic BPF (struct sock_filter[]); SeccompUnavailable without pyseccomp.
    notify: refused calls go to the launcher as notifications (it answers EPERM and reports
    the run forbidden) instead of failing with EPERM silently."""
    try:
        import pyseccomp as sc
    except (ImportError, OSError) as error:
        raise SeccompUnavailable(f"pyseccomp/libseccomp unavailable: {error}") from None
    _check_lists()
    refuse = sc.NOTIFY if notify else sc.ERRNO(errno.EPERM)
    rules = sc.SyscallFilter(defaction=sc.ERRNO(UNLISTED_ERRNO))
    rules.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
    rules.set_attr(sc.Attr.CTL_NNP, 0)  # the launcher sets no_new_privs itself
    for name in sorted(allowed_syscalls()):
        rules.add_rule(sc.ALLOW, name)
    for name in REFUSED_SYSCALLS:
        rules.add_rule(refuse, name)
    for call in ("socket", "socketpair"):
        rules.add_rule(sc.ALLOW, call, sc.Arg(0, sc.EQ, socket.AF_UNIX))
        rules.add_rule(refuse, call, sc.Arg(0, sc.NE, socket.AF_UNIX))
    namespaces = functools.reduce(int.__or__, CLONE_NAMESPACE_FLAGS)
    rules.add_rule(sc.ALLOW, "clone", sc.Arg(0, sc.MASKED_EQ, namespaces, 0))
    for bit in CLONE_NAMESPACE_FLAGS:
        rules.add_rule(refuse, "clone", sc.Arg(0, sc.MASKED_EQ, bit, bit))
    _ioctl_rules(sc, rules, refuse)
    _signal_rules(sc, rules, refuse)
    rules.add_rule(sc.ALLOW, "seccomp", sc.Arg(0, sc.EQ, SECCOMP_GET_NOTIF_SIZES))
    if notify:  # the metered Python child's report call (quines_text/_launcher.c, answer())
        rules.add_rule(sc.NOTIFY, REPORT_SYSCALL)
    with tempfile.TemporaryFile() as exported:
        rules.export_bpf(exported)
        exported.seek(0)
        code = exported.read()
    if len(code) > 8 * MAX_INSTRUCTIONS:
        raise SeccompUnavailable(f"filter too large ({len(code) // 8} instructions)")
    return code


def _signal_rules(sc: Any, rules: Any, refuse: Any) -> None:
    """kill, tkill, tgkill and fcntl(F_SETSIG): any signal but SIGXCPU (compared, like the
    terminal ioctls, on the low 32 bits the kernel reads, before the allowing rules)."""
    for call, index in SIGNAL_ARGUMENT.items():
        rules.add_rule(refuse, call, sc.Arg(index, sc.MASKED_EQ, 0xFFFFFFFF, signal.SIGXCPU))
        rules.add_rule(sc.ALLOW, call, sc.Arg(index, sc.LT, signal.SIGXCPU))
        rules.add_rule(sc.ALLOW, call, sc.Arg(index, sc.GT, signal.SIGXCPU))
    rules.add_rule(refuse, "fcntl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, F_SETSIG),
                   sc.Arg(2, sc.MASKED_EQ, 0xFFFFFFFF, signal.SIGXCPU))
    rules.add_rule(sc.ALLOW, "fcntl", sc.Arg(1, sc.NE, F_SETSIG))
    rules.add_rule(sc.ALLOW, "fcntl", sc.Arg(1, sc.EQ, F_SETSIG), sc.Arg(2, sc.NE, signal.SIGXCPU))


def _ioctl_rules(sc: Any, rules: Any, refuse: Any) -> None:
    """ioctl: every request but the terminal ones.  The kernel reads the request's low 32 bits,
    so those are refused whatever the high bits hold; libseccomp tests these masked rules before
    the allowing ones (tests/hostile/test_seccomp_allow_list.py checks it)."""
    for request in TERMINAL_IOCTLS:
        rules.add_rule(refuse, "ioctl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, request))
    low, high = min(TERMINAL_IOCTLS), max(TERMINAL_IOCTLS)
    rules.add_rule(sc.ALLOW, "ioctl", sc.Arg(1, sc.LT, low))
    rules.add_rule(sc.ALLOW, "ioctl", sc.Arg(1, sc.GT, high))
    for request in range(low + 1, high):
        if request not in TERMINAL_IOCTLS:
            rules.add_rule(sc.ALLOW, "ioctl", sc.Arg(1, sc.EQ, request))


def filter_pipe(notify: bool = False) -> int:
    """A pipe's read end holding the filter (the launcher reads it once, then it is closed)."""
    code = filter_bpf(notify)
    read_end, write_end = os.pipe()
    try:
        if len(code) > 65536:  # more than a pipe holds without a reader
            raise SeccompUnavailable(f"filter too large ({len(code)} bytes)")
        os.write(write_end, code)
    finally:
        os.close(write_end)
    return read_end
