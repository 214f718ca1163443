"""Child side of quines_text.sandbox for Python programs (DESIGN.md, "Runner").

This code runs inside the sandboxed interpreter (started as `python -P -S -s -c STUB`), as the
code object `BOOT` that quines_text.sandbox sends, with its settings, through a pipe.  It loads
quines_text._opmeter by path, arms it (which installs its C audit hook, PEP 578, and its
guards: see quines_text/_opmeter_policy.c), compiles the program (a SyntaxError is status
compile_error) and runs it as `__main__`.  The hook ends the run with status forbidden -- at
once, so a program cannot catch the refusal -- on writes or reads outside the allowed folders,
symlinks and hard links, sockets, subprocesses, os.system/exec*/posix_spawn/fork, ctypes,
signals, rlimit changes, native extensions from the run folder, and sys.settrace/setprofile
(which would switch the meter off); on the metered machine thread starts too
(PyEval_SetTrace meters only the calling thread).  The policy is C state: nothing this file
holds changes it.  Every ending goes through _opmeter.finish, which only this function's frame
may call: it makes the report call, a seccomp notification that only the launcher receives
(config "report_call"; quines_text/_launcher.c), or, where the kernel has no notifications,
writes the one token-carrying report line the parent reads.
"""

import sys


def main(config):
    import builtins
    import os

    _write_files(config, os)
    sys.path.insert(0, config["ext_dir"])
    try:
        import _opmeter  # type: ignore[import-not-found]  # loaded by path, not as a package
    finally:
        del sys.path[0]
        sys.modules.pop("_opmeter", None)
        sys.path_importer_cache.pop(config["ext_dir"], None)
    library = tuple(p for p in config["excluded"] if not p.startswith("<"))
    call = config["report_call"]
    _opmeter.arm(config["token"], config["report_fd"], config["meter"], library,
                 config["run_dir"], tuple(config["read_roots"]),
                 None if call is None else tuple(call), tuple(config["statuses"]))
    finish = _opmeter.finish
    sys.dont_write_bytecode = True  # a stale .pyc must not make the import system write one
    os.close(config["control_fd"])
    filename = config["filename"]
    try:
        code = compile(config["source"], filename, "exec")
    except MemoryError:
        finish("memory" if _opmeter.allocation_failed() else "crash",
               "MemoryError while compiling", 1)
    except (SyntaxError, ValueError) as error:
        sys.__excepthook__(type(error), error.with_traceback(None), None)
        finish("compile_error", type(error).__name__, 1)
    sys.argv = [filename, *config.get("argv", ())]
    namespace = sys.modules["__main__"].__dict__  # the stub's globals become the program's
    namespace.clear()
    namespace.update(__name__="__main__", __builtins__=builtins)
    if filename != "<prog>":
        namespace["__file__"] = filename
    budget = config["budget"]
    config.clear()
    del os
    # bound now: the program may empty the builtins it shares with this function
    system_exit, memory_error, base_exception, is_instance, integer, text = (
        SystemExit, MemoryError, BaseException, isinstance, int, str)
    try:
        _opmeter.start(budget)
        exec(code, namespace)
    except system_exit as done:
        status = done.code
        if status is None or status == 0:
            finish("ok", "", 0)
        if is_instance(status, integer):
            finish("crash", f"SystemExit({status})", status & 0xFF or 1)
        sys.stderr.write(text(status) + "\n")
        finish("crash", "SystemExit", 1)
    except memory_error as error:
        # status memory only when an allocation really failed: a program may raise MemoryError
        if _opmeter.allocation_failed():
            finish("memory", "MemoryError", 1)
        error = error.with_traceback(error.__traceback__.tb_next)
        sys.__excepthook__(type(error), error, error.__traceback__)
        finish("crash", "MemoryError (no allocation failed)", 1)
    except base_exception as error:
        # the traceback starts at the program: this file's frame is left out
        error = error.with_traceback(error.__traceback__.tb_next)
        sys.__excepthook__(type(error), error, error.__traceback__)
        finish("crash", type(error).__name__, 1)
    finish("ok", "", 0)


def _write_files(config, os):
    """A pre-started tree (quines_text.sandbox.prestart) gets its run folder's files here,
    before anything of the program runs, as bubblewrap's --perms 0644 --file would make them;
    in a function of its own, so main()'s frame, which a program can walk to, holds the same
    locals whichever way the files came."""
    for name, data in config.get("files", {}).items():
        fd = os.open(os.path.join(config["run_dir"], name),
                     os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        os.fchmod(fd, 0o644)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.close(fd)


def gc_guard(exit_now):
    """The audit hook of a warm evaluator's child (quines_text/_sandbox_evaluator.py; never
    installed in a process of its own): listing the interpreter's objects (gc.get_objects,
    get_referrers, get_referents) would show the evaluator's history, so such a child ends
    at once without a report and its t is run again in a process of its own."""
    def guard(event, args):
        if event.startswith("gc."):
            exit_now(125)
    return guard


if __name__ == "__rsi_boot__":
    main(CONFIG)  # type: ignore[name-defined]  # noqa: F821 -- the stub provides CONFIG
