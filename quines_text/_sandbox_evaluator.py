"""The warm evaluator: P(t) for many t in one sandboxed interpreter (DESIGN.md, "Runner").

Started exactly as quines_text/_sandbox_child.py is (the same stub, control pipe, sandbox and
limits).  Two processes, neither armed, neither running the program: the zygote, forked first,
before anything else is imported, and the supervisor (this process).  The zygote forks one
child per t, with stdin a pipe holding "t\\n" and stdout and stderr on pipes the supervisor
reads; the child makes this module's globals what the one-shot bootstrap's are and calls the
bootstrap's own main() (the code of _sandbox_child.py) from this module's frame, so the
program is armed, compiled, metered with budget t and run with fresh globals by the same
code, at the same stack depth, in an interpreter whose only history beyond a process of its
own is the zygote's loop (os calls).  Two children run at a time, each on a set of pipes of
its own.  The zygote waits for its children (waitpid: a kernel fact) and tells the
supervisor each one's pid and wait status.

The report: where the kernel has seccomp notifications the child's meter makes the one-shot
run's report call, which the launcher (quines_text/_launcher.c, init -E) accepts once per
process and writes, with the pid the kernel gives, to its status pipe -- which no process of
the sandbox holds, so no program can write or forge a report -- and the host takes, for each
t, the launcher's report for the pid the zygote forked, only when the wait status agrees with
it.  Without notifications the child reports through a report pipe: its first line, written
before any program code runs, is a fresh token, then cleared from every object the program
can reach; only a report line carrying that token counts, and only when the wait status
agrees.  Anything else -- a signal, no report, a wall-clock kill, stdout past its cap, a
changed run folder -- is written as "rerun" and the host runs that t in a process of its own.
Output, per t: "W T PID WAITSTATUS NOUT NERR\\n" (launcher reports) or "R T STATUS STEPS EXIT
NOUT NERR\\n" (STEPS "-" when none), followed by NOUT bytes of stdout and NERR of stderr; or
"U T\\n" (rerun); a changed run folder ends the batch.
"""

import os


def _child_config(settings, t, report_w, control):
    """The one-shot bootstrap's settings for this child.  With the report call (seccomp
    notifications) they are the one-shot run's: the meter reports to the launcher, which
    accepts each process's first report call and writes it with the process's pid, and the
    report pipe is closed.  Without, the child writes a fresh token first on the report pipe
    (before any program code runs; the token is then cleared from every object the program
    can reach) and the meter's report line carries it."""
    token = os.urandom(16).hex().encode()
    config = dict(settings)
    if settings["report_call"] is not None:
        os.close(report_w)
        report_w = -1
    else:
        os.write(report_w, token + b"\n")
    config.update(token=token, report_fd=report_w, control_fd=control, budget=t)
    return config


def _warm(settings):
    """Work every child would repeat, done once in the zygote: the meter's extension imported
    (unarmed) and left in sys.modules, where the bootstrap's `import _opmeter` finds it and
    from where it removes it, leaving sys.modules and sys.path_importer_cache as the path
    import in a process of its own leaves them; and one compile of the program (a process's
    first compile is slow: the parser warms up).  Neither is visible to the program but
    through the interpreter's object lists, which gc_guard watches.  Returns the gc module,
    imported here and taken out of sys.modules again (a process of its own has not imported
    it)."""
    import gc
    import sys

    sys.modules.pop("gc")

    sys.path.insert(0, settings["ext_dir"])
    try:
        import _opmeter  # type: ignore[import-not-found]  # noqa: F401
    finally:
        del sys.path[0]
        sys.path_importer_cache.pop(settings["ext_dir"], None)
    try:  # noqa: SIM105 -- contextlib is not imported here
        compile(settings["source"], settings["filename"], "exec")
    except BaseException:  # noqa: BLE001 -- each child compiles it again and reports
        pass
    return gc


RUNNING = 2  # children at a time; they take turns on RUNNING + 1 sets of pipes


def _zygote(ts, command_r, status_w, sets, collector):
    """Fork one child per t of ts, in order, at most RUNNING at a time, each on a free set of
    write ends sets[K] (stdout, stderr, report); a set is free at the start and again after
    the supervisor's "F K\n" on command_r (it has read the last child's pipes).  Write
    "P PID K\n" when a child starts and "D PID WAITSTATUS\n" when it has ended, gathered into
    one write before each wait, so the supervisor wakes once per child.  Before each fork
    every object is frozen (gc.freeze), and the child unfreezes them into the oldest
    generation: its young collections then traverse only its own objects, not the zygote's,
    whose pages they would otherwise copy.  In a child, return (t, report descriptor)."""
    free, pending, running, lines, at = list(range(len(sets))), b"", set(), b"", 0
    while at < len(ts) or running:
        if at < len(ts) and len(running) < RUNNING and not free:
            if lines:
                os.write(status_w, lines)
                lines = b""
            while b"\n" not in pending:
                chunk = os.read(command_r, 4096)
                if not chunk:
                    os._exit(0)  # the supervisor is gone
                pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                free.append(int(line.split()[1]))
            continue
        if at < len(ts) and len(running) < RUNNING:
            k, t = free.pop(0), ts[at]
            at += 1
            stdin_r, stdin_w = os.pipe()
            os.write(stdin_w, f"{t}\n".encode())
            os.close(stdin_w)
            collector.freeze()
            pid = os.fork()
            if pid == 0:
                collector.unfreeze()
                os.close(command_r)
                os.close(status_w)
                out_w, err_w, report_w = sets[k]
                for other in sets:
                    if other is not sets[k]:
                        for fd in other:
                            os.close(fd)
                for fd, target in ((stdin_r, 0), (out_w, 1), (err_w, 2)):
                    os.dup2(fd, target)
                    os.close(fd)
                return t, report_w
            os.close(stdin_r)
            running.add(pid)
            lines += f"P {pid} {k}\n".encode()
            continue
        if lines:
            os.write(status_w, lines)
            lines = b""
        pid, status = os.waitpid(-1, 0)
        running.discard(pid)
        lines += f"D {pid} {status}\n".encode()
    os.write(status_w, lines)
    os._exit(0)


def _folder_state(run_dir):
    """What a program's writes in the run folder change: the folder's and prog.py's inode
    change times (ctime, which no call sets back), sizes and inodes."""
    state = []
    for path in (run_dir, os.path.join(run_dir, "prog.py")):
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            state.append(None)
            continue
        state.append((info.st_ino, info.st_mode, info.st_size, info.st_ctime_ns,
                      info.st_mtime_ns))
    return state


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


def _record(t, data, status, pid, by_launcher):
    """The record of one ended child: with the launcher's reports "W T PID WAITSTATUS NOUT
    NERR" (the host matches the launcher's report for PID against the wait status), else
    checked here against the token-carrying report line; "U T" when it cannot count."""
    if by_launcher:
        if status is None:
            return f"U {t}\n".encode()
        header = f"W {t} {pid} {status} {len(data[0])} {len(data[1])}\n"
        return header.encode() + bytes(data[0]) + bytes(data[1])
    verdict = _verdict(data[2]) if status is not None else None
    if (verdict is None or not os.WIFEXITED(status) or os.WEXITSTATUS(status) != verdict[2]
            or verdict[0] not in ACCEPTED or (verdict[0] == "ok") != (verdict[2] == 0)):
        return f"U {t}\n".encode()
    steps = "-" if verdict[1] is None else str(verdict[1])
    header = f"R {t} {verdict[0]} {steps} {verdict[2]} {len(data[0])} {len(data[1])}\n"
    return header.encode() + bytes(data[0]) + bytes(data[1])


def _write(data):
    view = memoryview(data)
    while view:
        view = view[os.write(1, view):]


def _drain(fd, buffer, cap):
    """Read what the pipe holds now (it never ends: the zygote holds its write end)."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return
        if not chunk:
            return
        if len(buffer) < cap:
            buffer += chunk[: cap - len(buffer)]


DRAIN_S = 0.02  # a running child's pipes are read at least this often
OUT_CHUNK = 1 << 16  # bytes of records written at a time


def _supervise(config, command_w, status_r, sets, out):
    """Follow the zygote's children, read their pipes, kill one past its wall clock or stdout
    cap, and write each one's record; in the supervisor only (select and time are imported
    here, after the zygote was forked).  It wakes for the zygote's status lines (about once
    per child) and every DRAIN_S while children run, to read their pipes before they fill; a
    set of pipes is handed back to the zygote ("F K") only once its child has ended and its
    pipes are drained.  Records are written in the order the children end (each names its
    t).  A change of the run folder is seen at the first end after it: that child and every
    one not yet written, which may have run while the folder changed, are reruns.  Records
    are gathered in `out` and written OUT_CHUNK bytes at a time (the rest by the caller), so
    the host wakes for a piece, not for each record."""
    import select
    import time

    settings, ts = config["child"], list(config["ts"])
    out_cap, wall, batch_cap = config["batch_limits"]
    os.close(config["control_fd"])
    config.clear()
    caps = (out_cap + 1, out_cap, 4096)
    for pipes in sets:
        for fd in pipes:
            os.set_blocking(fd, False)
    poller = select.poll()
    poller.register(status_r, select.POLLIN)
    before = _folder_state(settings["run_dir"])
    slots = [None] * len(sets)
    pending, written, started, drained = b"", 0, 0, time.monotonic()

    def give_up():
        out.extend(b"".join(f"U {slot['t']}\n".encode() for slot in slots if slot is not None)
                   + b"".join(f"U {u}\n".encode() for u in ts[started:]))

    def drain(k):
        for which, fd in enumerate(sets[k]):
            _drain(fd, slots[k]["data"][which], caps[which])

    while started < len(ts) or any(slot is not None for slot in slots):
        now, wait = time.monotonic(), DRAIN_S
        for child in slots:
            if child is None or child["killed"] or child["status"] is not None:
                continue
            if child["deadline"] <= now or len(child["data"][0]) > out_cap:
                os.kill(child["pid"], 9)
                child["killed"] = True
            else:
                wait = min(wait, child["deadline"] - now)
        ready = poller.poll(int(wait * 1000) + 1)
        if time.monotonic() >= drained + DRAIN_S:
            drained = time.monotonic()
            for k, child in enumerate(slots):
                if child is not None:
                    drain(k)
        if not ready:
            continue
        chunk = os.read(status_r, 4096)
        if not chunk:  # the zygote is gone
            give_up()
            return
        pending += chunk
        ended = []
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            fields = line.split()
            if fields[0] == b"P":
                k = int(fields[2])
                slots[k] = {"t": ts[started], "data": [bytearray(), bytearray(), bytearray()],
                            "pid": int(fields[1]), "deadline": time.monotonic() + wall,
                            "status": None, "killed": False}
                started += 1
            else:
                pid = int(fields[1])
                k = next(k for k, slot in enumerate(slots)
                         if slot is not None and slot["pid"] == pid)
                slots[k]["status"] = int(fields[2])
                ended.append(k)
        for k in ended:
            drain(k)
            child, slots[k] = slots[k], None
            record = _record(child["t"], child["data"],
                             None if child["killed"] else child["status"], child["pid"],
                             settings["report_call"] is not None)
            if _folder_state(settings["run_dir"]) != before:
                # no longer a fresh folder: this run's files are there for the next ones
                out.extend(f"U {child['t']}\n".encode())
                give_up()
                return
            written += len(record)
            out.extend(record)
            if len(out) >= OUT_CHUNK:
                _write(out)
                del out[:]
            if written > batch_cap:
                give_up()
                return
            if started < len(ts):  # else the zygote needs no set and may have exited
                os.write(command_w, f"F {k}\n".encode())


def _become_boot(scope, code, config, exit_now):
    """Make this module's globals what the one-shot bootstrap's are when it calls main():
    the same names in the same order, `main` defined in them; a program that walks its
    callers' frames meets what it meets in a process of its own.  A program that lists the
    interpreter's objects would not: the bootstrap's gc_guard ends such a child (rerun)."""
    scope.clear()
    scope.update(__name__="_sandbox_child", CONFIG=config)
    exec(code, scope)
    scope["__name__"] = "__rsi_boot__"
    scope["sys"].addaudithook(scope["gc_guard"](exit_now))


if __name__ == "__rsi_boot__":
    _command_r, _command_w = os.pipe()
    _status_r, _status_w = os.pipe()
    _sets = [[os.pipe() for _ in range(3)] for _ in range(RUNNING + 1)]  # stdout, stderr, report
    if os.fork() == 0:
        for _fd in (_command_w, _status_r, *(_r for _set in _sets for _r, _ in _set), 1):
            os.close(_fd)
        os.close(CONFIG["control_fd"])  # type: ignore[name-defined]  # noqa: F821
        _settings = dict(CONFIG["child"])  # type: ignore[name-defined]  # noqa: F821
        _code = CONFIG["child_boot"]  # type: ignore[name-defined]  # noqa: F821
        _ts = list(CONFIG["ts"])  # type: ignore[name-defined]  # noqa: F821
        CONFIG.clear()  # type: ignore[name-defined]  # noqa: F821
        _t, _report = _zygote(_ts, _command_r, _status_w,
                              [tuple(_w for _, _w in _set) for _set in _sets], _warm(_settings))
        _become_boot(globals(), _code, _child_config(_settings, _t, _report,
                                                     os.open("/dev/null", os.O_RDONLY)),
                     os._exit)
        main(CONFIG)  # type: ignore[name-defined]  # noqa: F821
    for _fd in (_command_r, _status_w, *(_w for _set in _sets for _, _w in _set)):
        os.close(_fd)
    _out = bytearray()
    _supervise(CONFIG, _command_w, _status_r,  # type: ignore[name-defined]  # noqa: F821
               [tuple(_r for _r, _ in _set) for _set in _sets], _out)
    _write(_out)
    os._exit(0)
