"""The seccomp filter of every sandboxed process tree (DESIGN.md "Runner").

Built with libseccomp (through pyseccomp) and exported as classic BPF; the launcher's init mode
loads it (after no_new_privs) into itself just before it forks the program, so the program
and every process it starts run under it and cannot remove it.  Each refused call is sent to
the launcher as a seccomp user notification: the launcher answers EPERM, so the call fails
in the program, and reports the run `forbidden` -- a fact from the kernel, not something the
program writes.  Where the kernel has no notifications the calls fail with EPERM silently.
Default: allow.  Refused:
sockets of any family but AF_UNIX (so no network, no AF_VSOCK, no netlink), the kernel
keyrings (keyctl, add_key, request_key), ptrace and cross-process memory access, mounts and
namespaces (mount, umount2, pivot_root, unshare, setns, clone with a CLONE_NEW* flag), bpf,
perf_event_open, userfaultfd, io_uring (whose operations bypass seccomp), kexec, module
loading, open_by_handle_at, and the terminal ioctls that inject input or redirect a console
(TIOCSTI, TIOCLINUX, TIOCCONS, TIOCSETD).  clone3 fails with ENOSYS (its flags live in memory
a filter cannot read), so the C library falls back to clone, whose flags it can.  Syscalls of
other ABIs (x32, i386) kill the process.
"""
from __future__ import annotations

import errno
import functools
import os
import socket
import tempfile

# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET
CLONE_NAMESPACE_FLAGS: tuple[int, ...] = (0x00020000, 0x02000000, 0x04000000, 0x08000000,
                                          0x10000000, 0x20000000, 0x40000000)
REFUSED_SYSCALLS: tuple[str, ...] = (
    "keyctl", "add_key", "request_key", "ptrace", "process_vm_readv", "process_vm_writev",
    "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsmount",
    "fsconfig", "fspick", "mount_setattr", "unshare", "setns", "bpf", "perf_event_open",
    "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "kexec_load",
    "kexec_file_load", "init_module", "finit_module", "delete_module", "open_by_handle_at",
    "name_to_handle_at", "syslog", "acct", "swapon", "swapoff", "reboot", "quotactl",
    "iopl", "ioperm", "lookup_dcookie", "pidfd_getfd", "fanotify_init",
)
REPORT_SYSCALL = 184  # x86_64 tuxcall: not implemented by Linux, so only a report makes it
REPORT_MAGIC = 0x52534952
TERMINAL_IOCTLS: tuple[int, ...] = (0x5412, 0x541C, 0x541D, 0x5423)  # TIOCSTI LINUX CONS SETD


class SeccompUnavailable(RuntimeError):
    """libseccomp (pyseccomp) is not installed or cannot build the filter."""


@functools.cache
def filter_bpf(notify: bool = False) -> bytes:
    """The filter as classic BPF (struct sock_filter[]); SeccompUnavailable without pyseccomp.
    notify: refused calls go to the launcher as notifications (it answers EPERM and reports
    the run forbidden) instead of failing with EPERM silently."""
    try:
        import pyseccomp as sc
    except (ImportError, OSError) as error:
        raise SeccompUnavailable(f"pyseccomp/libseccomp unavailable: {error}") from None
    refuse = sc.NOTIFY if notify else sc.ERRNO(errno.EPERM)
    rules = sc.SyscallFilter(defaction=sc.ALLOW)
    rules.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
    rules.set_attr(sc.Attr.CTL_NNP, 0)  # the launcher sets no_new_privs itself
    for name in REFUSED_SYSCALLS:
        rules.add_rule(refuse, name)
    rules.add_rule(refuse, "socket", sc.Arg(0, sc.NE, socket.AF_UNIX))
    rules.add_rule(refuse, "socketpair", sc.Arg(0, sc.NE, socket.AF_UNIX))
    for request in TERMINAL_IOCTLS:
        rules.add_rule(refuse, "ioctl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, request))
    for bit in CLONE_NAMESPACE_FLAGS:
        rules.add_rule(refuse, "clone", sc.Arg(0, sc.MASKED_EQ, bit, bit))
    rules.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    if notify:  # the metered Python child's report call (quines_text/_launcher.c, answer())
        rules.add_rule(sc.NOTIFY, REPORT_SYSCALL)
    with tempfile.TemporaryFile() as exported:
        rules.export_bpf(exported)
        exported.seek(0)
        return exported.read()


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
