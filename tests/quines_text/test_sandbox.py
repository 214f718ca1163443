"""quines_text.sandbox: statuses, limits, source exposure, the C build cache (DESIGN.md "Runner")."""
import os
import tempfile
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


# --- the isolation boundary: each test names the layer that must stop the attempt ---------

ISO = sandbox.isolation()
needs_namespaces = pytest.mark.skipif(not ISO.namespaces, reason=f"no bubblewrap: {ISO.note}")
needs_memory_cgroup = pytest.mark.skipif(not ISO.memory_cgroup, reason="no memory cgroup")
needs_seccomp = pytest.mark.skipif(not ISO.seccomp, reason="no seccomp filter")


def _c(body: str, limits: Limits = FAST, **kw):
    head = ("#define _GNU_SOURCE\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
            "#include <unistd.h>\n#include <fcntl.h>\n#include <errno.h>\n#include <signal.h>\n"
            "#include <sched.h>\n#include <sys/socket.h>\n#include <sys/un.h>\n"
            "#include <sys/syscall.h>\n#include <sys/wait.h>\n#include <time.h>\n")
    return sandbox.run(head + "int main(void){" + body + "}", "c", limits=limits, **kw)


def _root_only_file(tmp_path) -> Path:
    if os.geteuid() == 0 and ISO.unprivileged_uid is None:
        pytest.skip("runs as root without bubblewrap: root-only files are the run's")
    secret = tmp_path / "secret"
    secret.write_text("s3cret-line")
    secret.chmod(0o600)
    tmp_path.chmod(0o755)
    return secret


def test_a_root_only_host_file_is_unreadable(tmp_path):
    secret = _root_only_file(tmp_path)
    result = _c(f'puts(open("{secret}", O_RDONLY) < 0 ? "refused" : "read"); return 0;')
    assert result.stdout == b"refused\n"


def test_a_compile_error_does_not_quote_a_root_only_file(tmp_path):
    secret = _root_only_file(tmp_path)
    result = sandbox.run(f'#include "{secret}"\nint main(void){{return 0;}}', "c", limits=FAST)
    assert result.status == "compile_error" and b"s3cret" not in result.stderr


@needs_namespaces
def test_a_run_sees_no_other_run_folder_and_no_host_tmp():
    c_listing = sandbox.run(LIST_TMP, "c", limits=FAST)
    assert _tmp_entries(c_listing.stdout) == ["rsi-run-"]  # its own run folder only


@needs_namespaces
def test_a_host_unix_socket_accepts_no_connection(tmp_path):
    import socket

    path = tmp_path / "host.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)
    listener.setblocking(False)
    tmp_path.chmod(0o777)
    path.chmod(0o777)
    try:
        result = _c("struct sockaddr_un a = {AF_UNIX}; int s = socket(AF_UNIX, SOCK_STREAM, 0);"
                    f'strcpy(a.sun_path, "{path}");'
                    'puts(connect(s, (void *)&a, sizeof a) ? "unreachable" : "connected");')
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()
    assert result.stdout == b"unreachable\n"


@needs_seccomp
def test_keyrings_vsock_namespaces_and_ptrace_are_refused_with_eperm():
    result = _c("long r[5]; int e[5];"
                'r[0] = syscall(SYS_add_key, "user", "k", "v", 1, -3); e[0] = errno;'
                "r[1] = socket(40, SOCK_STREAM, 0); e[1] = errno;"  # AF_VSOCK
                "r[2] = socket(AF_INET, SOCK_STREAM, 0); e[2] = errno;"
                "r[3] = unshare(CLONE_NEWUSER); e[3] = errno;"
                "r[4] = syscall(SYS_ptrace, 16, 1, 0, 0); e[4] = errno;"
                'for (int i = 0; i < 5; i++) printf("%ld %d ", r[i], e[i]); return 0;')
    assert result.stdout == b"-1 1 " * 5  # EPERM each time
    assert result.status == ("forbidden" if ISO.seccomp_notify else "ok")


@needs_namespaces
def test_only_the_minimal_devices_exist():
    result = _c('const char *p[] = {"/dev/kmsg", "/dev/loop0", "/dev/loop-control", "/dev/kvm",'
                ' "/dev/mem", "/dev/vsock", 0}; for (int i = 0; p[i]; i++)'
                ' printf("%d", open(p[i], O_RDWR) < 0); puts(""); return 0;')
    assert result.stdout == b"111111\n"


def test_a_self_sent_cpu_signal_is_never_a_timeout():
    # every call that names the signal, with high bits set too (the kernel reads 32 bits)
    tries = ["raise(SIGXCPU); return 0;",
             "syscall(SYS_kill, getpid(), SIGXCPU | (1L << 32)); return 0;",
             "syscall(SYS_tkill, gettid(), SIGXCPU); return 0;",
             "syscall(SYS_tgkill, getpid(), gettid(), SIGXCPU | (1L << 40)); return 0;",
             # queued with the signal in memory, and a POSIX timer: not allowed at all
             "siginfo_t i = {0}; i.si_code = SI_QUEUE;"
             " return syscall(SYS_rt_sigqueueinfo, getpid(), SIGXCPU, &i) == -1 ? 3 : 0;",
             "struct sigevent e = {0}; e.sigev_notify = SIGEV_SIGNAL; e.sigev_signo = SIGXCPU;"
             " timer_t id; return syscall(SYS_timer_create, CLOCK_MONOTONIC, &e, &id) ? 3 : 0;",
             "syscall(SYS_fcntl, 0, F_SETSIG | (1L << 32), SIGXCPU); return 0;"]
    statuses = [_c(body).status for body in tries]
    assert "timeout" not in statuses
    if ISO.seccomp_notify:
        assert statuses == ["forbidden"] * 4 + ["crash", "crash", "forbidden"]


def test_a_cpu_bound_program_is_a_timeout_whatever_the_load():
    # rusage may show much less CPU than the kernel's tick-sampled rlimit clock on a loaded
    # machine; with the filter's guard a SIGXCPU death is the kernel's limit even then
    from quines_text.sandbox.limits import Ending, status_of

    limits = Limits(wall_s=10.0, cpu_s=1.0)
    early = Ending("done", -24, 0.5, 0, 0, sigxcpu_from_kernel=ISO.seccomp)
    assert status_of(early, limits) == ("timeout" if ISO.seccomp else "crash")


def test_printing_out_of_memory_is_a_crash_not_memory():
    result = _c('fputs("Out Of Memory\\nJavaScript heap out of memory\\n", stderr); return 1;')
    assert result.status == "crash"


@needs_memory_cgroup
def test_the_memory_limit_binds_the_whole_forking_run():
    limits = Limits(wall_s=10.0, cpu_s=5.0, memory_bytes=128 * 2**20)
    # four processes of 60 MiB each: every one is under the limit, together they are not
    result = _c("for (int i = 0; i < 3; i++) if (fork() == 0) break;"
                "char *p = malloc(60 << 20); memset(p, 1, 60 << 20); sleep(2);"
                "while (wait(0) > 0) {} return p[12345] - 1;", limits)
    assert result.status == "memory"


def test_a_stderr_flood_is_capped_by_the_host_reader():
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    limits = Limits(wall_s=20.0, cpu_s=10.0, output_bytes=4096)
    result = _c("static char b[1 << 20]; memset(b, 'e', sizeof b);"
                "for (int i = 0; i < 400; i++) write(2, b, sizeof b); return 0;", limits)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert result.status == "ok" and len(result.stderr) == 4096
    assert grown < 64 * 1024  # KiB: the 400 MiB never lived in the host


@needs_namespaces
def test_the_run_folder_has_a_disk_quota():
    limits = Limits(wall_s=5.0, cpu_s=3.0, disk_bytes=4 * 2**20, file_bytes=64 * 2**20)
    result = sandbox.run("open('big', 'wb').write(b'x' * (8 << 20))", "python", limits=limits)
    assert result.status == "crash" and b"No space left" in result.stderr


def test_clean_up_survives_deeply_nested_folders(tmp_path):
    from quines_text.sandbox.cgroups import remove_tree

    deep = tmp_path / "top"
    os.makedirs(deep)
    fd = os.open(deep, os.O_RDONLY)
    try:
        for _ in range(1500):
            os.mkdir("d", dir_fd=fd)
            os.chmod("d", 0o500, dir_fd=fd)
            new = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = new
    finally:
        os.close(fd)
    remove_tree(deep)
    assert not deep.exists()


def test_a_program_leaving_nested_folders_is_ok_and_removed():
    program = "import os\nfor _ in range(1500):\n    os.mkdir('d'); os.chdir('d')\nprint('deep')"
    result = sandbox.run(program, "python", limits=Limits(wall_s=10.0, cpu_s=5.0))
    assert (result.status, result.stdout) == ("ok", b"deep\n")


def test_a_compile_that_reads_a_terminal_stops_at_the_run_wall_clock():
    limits = Limits(wall_s=2.0, cpu_s=2.0)
    result = sandbox.run(f'#include "/dev/ptmx"\n/* {os.getpid()} */ int main(void){{}}', "c",
                         limits=limits)
    assert result.status in ("timeout", "compile_error") and result.wall_s < 4.0


def test_report_lines_that_do_not_parse_are_ignored():
    from quines_text.sandbox.languages import parse_report

    token = "t" * 32
    assert parse_report(f"{token} ok x 0\n{token}\nzz\n".encode(), token) is None
    assert parse_report(f"{token} step_limit 7 1 budget\n".encode(), token) == ("step_limit", 7, 1)


def test_a_report_disagreeing_with_the_exit_status_is_overruled():
    from quines_text.sandbox.limits import Ending, status_of

    forged = Ending("done", 0, 0.0, 0, 0, report=("step_limit", 5, 1))
    assert status_of(forged, FAST) == "ok"
    killed = Ending("done", -9, 0.0, 0, 0, report=("forbidden", None, 1))
    assert status_of(killed, FAST) == "crash"


def test_isolation_names_each_active_layer():
    layers = " ".join(ISO.layers)
    assert "rlimits" in layers
    assert ("bubblewrap" in layers) == ISO.namespaces and ("seccomp" in layers) == ISO.seccomp


LIST_TMP = r"""#include <dirent.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
    printf("%d\n", (int)getuid());
    DIR *tmp = opendir("/tmp");
    for (struct dirent *e; tmp && (e = readdir(tmp));)
        if (e->d_name[0] != '.') printf("%s\n", e->d_name);
    return 0;
}
"""


def _tmp_entries(stdout: bytes) -> list[str]:
    """The names a run listed in /tmp, run folders as "rsi-run-", leaving out the folder of
    the toolkit's cache where that lies in /tmp (the launcher and compiled programs are bound
    in at their own paths)."""
    cache = Path(os.path.realpath(sandbox.cache_dir()))
    bound = cache.relative_to("/tmp").parts[0] if cache.is_relative_to("/tmp") else None
    names = stdout.decode().split("\n")[1:]
    return sorted("rsi-run-" if n.startswith("rsi-run-") else n for n in names if n and n != bound)


def test_without_bubblewrap_the_run_still_works_and_says_so(monkeypatch):
    monkeypatch.setenv("RSI_SANDBOX_BWRAP", "0")
    sandbox.isolation.cache_clear()
    try:
        fallback = sandbox.isolation()
        result = sandbox.run(ADD_ONE["python"], "python", b"1\n", FAST)
        c_result = sandbox.run(ADD_ONE["c"], "c", b"1\n", FAST)
        seen = sandbox.run(LIST_TMP, "c", b"", FAST)
        marker = tempfile.mkdtemp(prefix="rsi-test-other-run-")
        try:
            seen_with_marker = sandbox.run(LIST_TMP, "c", b"", FAST)
        finally:
            os.rmdir(marker)
    finally:
        monkeypatch.delenv("RSI_SANDBOX_BWRAP")
        sandbox.isolation.cache_clear()
    assert not fallback.namespaces and "no namespaces" in fallback.note
    assert result.stdout == b"2\n" and c_result.stdout == b"2\n"
    if os.geteuid() == 0:  # root drops to 65534; /tmp (other runs' folders) is covered
        assert fallback.unprivileged_uid == 65534
        assert seen_with_marker.stdout.startswith(b"65534\n")
        # only the run's own folder, not the marker beside it
        assert _tmp_entries(seen_with_marker.stdout) == _tmp_entries(seen.stdout) == ["rsi-run-"]


def test_an_evaluator_script_gets_extra_files_and_argv():
    evaluator = ("import sys\nsys.path.insert(0, '.')\nimport helper\n"
                 "for line in sys.stdin:\n    print(helper.f(int(line)), sys.argv[1:])")
    result = sandbox.run(evaluator, "python", b"1\n2\n", FAST, argv=["--t", "3"],
                         extra_files={"helper.py": b"def f(x):\n    return 10 * x\n"})
    assert result.stdout == b"10 ['--t', '3']\n20 ['--t', '3']\n"


REPORT_CALL = ("syscall(184, 0x52534952UL, {index}, 7L, 3L); return 3;")


@pytest.mark.skipif(not ISO.seccomp_notify, reason="no seccomp notifications")
def test_the_report_call_is_read_by_the_launcher_for_the_python_child_only():
    from quines_text.sandbox.languages import _sandboxed
    from quines_text.sandbox.launch import Plan

    index = sandbox.STATUSES.index("step_limit")
    program = REPORT_CALL.format(index=index)
    # a C program may not make it: the call is refused and the run is forbidden
    assert _c(program).status == "forbidden"
    build = sandbox.compile_c("#include <unistd.h>\n#include <sys/syscall.h>\n"
                              f"int main(void){{{program}}}")
    launched = _sandboxed([str(build.binary)], FAST, b"",
                          Plan(binds=[str(build.binary)], report_call=True))
    assert launched.ending.report == ("step_limit", 7, 3)
    assert launched.ending.refused_syscall is None


def test_a_flood_into_every_inherited_descriptor_is_capped_by_the_host_reader():
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    program = ("import os\nchunk = b'r' * (1 << 20)\nfor fd in range(3, 12):\n"
               "    try:\n        for _ in range(100):\n            os.write(fd, chunk)\n"
               "    except OSError:\n        pass\nprint('done')")
    result = sandbox.run(program, "python", limits=Limits(wall_s=20.0, cpu_s=10.0))
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert (result.status, result.stdout) == ("ok", b"done\n")
    assert grown < 64 * 1024  # KiB: what went into the report pipe never lived in the host
