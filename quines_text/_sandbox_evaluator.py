"""The warm evaluator: P(t) for many t in one sandboxed interpreter (DESIGN.md, "Runner").

Started exactly as quines_text/_sandbox_child.py is (the same stub, control pipe, sandbox and
limits), but this process never arms the meter and never runs the program.  For each t it
forks a child that sets up what a fresh sandboxed process would have -- stdin a pipe holding
"t\\n", stdout and stderr pipes read here, the per-process CPU rlimit, sys.modules as the stub
left it -- and then calls the one-shot bootstrap's own main() (the code of _sandbox_child.py)
from this module's frame, so the program is armed, compiled, metered with budget t and run
with fresh globals by the same code at the same stack depth as in a process of its own.  The
child reports through a pipe to this process, not through the launcher's report call (which
the launcher accepts only from its own child): its first line, written before any program
code runs, is a fresh token, which is then cleared from every object the program can reach;
only a report line carrying that token counts, and only when the exit code this process reads
with wait4 (a kernel fact) agrees with it.  Anything else -- a signal, no report, a wall-clock
kill, stdout past its cap, a changed run folder -- is written as "rerun" and the host runs
that t in a process of its own.  Output: per t one header line
"R T STATUS STEPS EXIT NOUT NERR\\n" (STEPS "-" when none) followed by NOUT bytes of stdout and
NERR of stderr, or "U T\\n" (rerun); a changed run folder ends the batch (later t are rerun).
"""

import sys

_BASELINE = set(sys.modules)

import os  # noqa: E402
import resource  # noqa: E402
import select  # noqa: E402
import time  # noqa: E402


def _folder_state(run_dir):
    state = []
    for name in sorted(os.listdir(run_dir)):
        path = os.path.join(run_dir, name)
        info = os.lstat(path)
        data = b""
        if name == "prog.py":
            with open(path, "rb") as handle:
                data = handle.read()
        state.append((name, info.st_mode, info.st_size, info.st_mtime_ns, info.st_ino, data))
    return state


def _child_config(settings, t, report_w, control):
    token = os.urandom(16).hex().encode()
    os.write(report_w, token + b"\n")
    config = dict(settings)
    # report_call of the same shape as the one-shot run's (number, magic), but with number -1,
    # which _opmeter.arm takes as "no report call: the token line on report_fd"
    call = settings["report_call"]
    config.update(token=token, report_fd=report_w, control_fd=control, budget=t,
                  report_call=None if call is None else [-1, call[1]])
    return config


def _enter_child(stdin_r, out_w, err_w, cpu):
    for fd, target in ((stdin_r, 0), (out_w, 1), (err_w, 2)):
        os.dup2(fd, target)
        os.close(fd)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    for name in [n for n in sys.modules if n not in _BASELINE]:
        del sys.modules[name]


def _collect(pid, fds, out_cap, deadline):
    """(stdout, stderr, report bytes, wait status or None when killed) of one child."""
    names = {fds[0]: 0, fds[1]: 1, fds[2]: 2}
    data = [bytearray(), bytearray(), bytearray()]
    poller = select.poll()
    for fd in names:
        poller.register(fd, select.POLLIN)
    killed = False
    while names and not killed:
        left = deadline - time.monotonic()
        if left <= 0:
            killed = True
            break
        for fd, _ in poller.poll(max(1, int(left * 1000))):
            chunk = os.read(fd, 65536)
            which = names[fd]
            if not chunk:
                poller.unregister(fd)
                del names[fd]
                continue
            caps = (out_cap + 1, out_cap, 4096)
            if len(data[which]) < caps[which]:
                data[which] += chunk[: caps[which] - len(data[which])]
            if which == 0 and len(data[0]) > out_cap:
                killed = True
    while not killed:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() >= deadline:
            killed = True
            break
        time.sleep(0.0005)
    if killed:
        os.kill(pid, 9)
        os.wait4(pid, 0)
        status, usage = None, None
    for fd in fds:
        os.close(fd)
    return data, status, usage


def _verdict(report):
    """(status, steps, exit) from the report line carrying the token of the first line (the
    child writes it before the program runs), or None."""
    lines = bytes(report).split(b"\n")
    token = lines[0]
    if len(token) != 32:
        return None
    for line in lines[1:]:
        fields = line.split(b" ", 4)
        if len(fields) >= 4 and fields[0] == token:
            try:
                steps = None if fields[2] == b"-" else int(fields[2])
                return fields[1].decode(), steps, int(fields[3])
            except ValueError:
                return None
    return None


ACCEPTED = ("ok", "crash", "step_limit", "compile_error", "forbidden")


def _evaluate(settings, ts, limits):
    out_cap, wall, cpu, rss_cap, batch_cap = limits
    run_dir = settings["run_dir"]
    before = _folder_state(run_dir)
    written = 0
    for index, t in enumerate(ts):
        stdin_r, stdin_w = os.pipe()
        os.write(stdin_w, f"{t}\n".encode())
        os.close(stdin_w)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        report_r, report_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            for fd in (out_r, err_r, report_r):
                os.close(fd)
            _enter_child(stdin_r, out_w, err_w, cpu)
            return ("child", t, report_w)
        for fd in (stdin_r, out_w, err_w, report_w):
            os.close(fd)
        deadline = time.monotonic() + wall
        data, status, usage = _collect(pid, (out_r, err_r, report_r), out_cap, deadline)
        verdict = _verdict(data[2]) if status is not None else None
        accepted = (verdict is not None and os.WIFEXITED(status)
                    and os.WEXITSTATUS(status) == verdict[2] and verdict[0] in ACCEPTED
                    and (verdict[0] == "ok") == (verdict[2] == 0)
                    and usage.ru_maxrss * 1024 < rss_cap)
        if accepted:
            steps = "-" if verdict[1] is None else str(verdict[1])
            header = (f"R {t} {verdict[0]} {steps} {verdict[2]} {len(data[0])} "
                      f"{len(data[1])}\n").encode()
            record = header + bytes(data[0]) + bytes(data[1])
        else:
            record = f"U {t}\n".encode()
        written += len(record)
        view = memoryview(record)
        while view:
            view = view[os.write(1, view):]
        if _folder_state(run_dir) != before or written > batch_cap:
            os.write(1, b"".join(f"U {u}\n".encode() for u in ts[index + 1:]))
            break
    return None


def _start(config):
    settings = dict(config["child"])
    ts = list(config["ts"])
    limits = tuple(config["batch_limits"])
    code = config["child_boot"]
    os.close(config["control_fd"])
    config.clear()
    return _evaluate(settings, ts, limits), settings, code


def _become_boot(scope, code, config):
    """Make this module's globals what the one-shot bootstrap's are when it calls main():
    the same names in the same order, `main` defined in them; a program that walks its
    callers' frames meets what it meets in a process of its own."""
    scope.clear()
    scope.update(__name__="_sandbox_child", CONFIG=config)
    exec(code, scope)
    scope["__name__"] = "__rsi_boot__"


if __name__ == "__rsi_boot__":
    _outcome, _settings, _code = _start(CONFIG)  # type: ignore[name-defined]  # noqa: F821
    if _outcome is None:
        os._exit(0)
    _become_boot(globals(), _code, _child_config(_settings, _outcome[1], _outcome[2],
                                                 os.open("/dev/null", os.O_RDONLY)))
    main(CONFIG)  # type: ignore[name-defined]  # noqa: F821
