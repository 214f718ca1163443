"""Child side of quines_text.sandbox for Python programs (DESIGN.md, "Runner").

This code runs inside the sandboxed interpreter (started as `python -P -S -s -c STUB`), as the
code object `BOOT` that quines_text.sandbox sends, with its settings, through a pipe.  It loads
the step meter quines_text._opmeter by path, compiles the program (a SyntaxError is status
compile_error), installs an audit hook (PEP 578) and runs the program as `__main__`.  The hook
ends the run with status forbidden -- at once, so a program cannot catch the refusal -- on
writes or reads outside the allowed folders, symlinks and hard links, sockets, subprocesses,
os.system/exec*/posix_spawn/fork, ctypes, signals to other processes, rlimit changes, and
sys.settrace/setprofile (which would switch the meter off).  On the metered machine new
threads are refused too: PyEval_SetTrace meters only the calling thread.  Every ending goes
through _opmeter.finish, which writes the one report line the parent trusts.
"""

import sys

# Events refused whatever their arguments.
REFUSED_EVENTS = frozenset({
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
    "os.forkpty", "os.kill", "os.killpg", "os.symlink", "os.link", "pty.spawn",
    "resource.setrlimit", "resource.prlimit", "sys.setprofile",
})
REFUSED_PREFIXES = ("socket.", "ctypes.", "_ctypes.")
# Modules that open a way around the hook (raw fork/exec, foreign calls, sub-interpreters).
REFUSED_MODULES = frozenset({
    "_posixsubprocess", "_ctypes", "ctypes", "_xxsubinterpreters", "_testcapi",
    "_testinternalcapi", "_socket", "socket", "_multiprocessing", "multiprocessing",
})
# Events whose first argument is a path the program writes (the second too for renames).
WRITE_EVENTS = frozenset({
    "os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate", "os.utime",
    "os.setxattr", "os.removexattr", "shutil.rmtree", "os.chflags", "os.lchflags",
})
TWO_PATH_WRITE_EVENTS = frozenset({"os.rename", "shutil.copyfile", "shutil.copytree",
                                   "shutil.move"})
# Events whose first argument is a path the program reads.
READ_EVENTS = frozenset({"os.listdir", "os.scandir", "os.chdir", "glob.glob", "os.getxattr",
                         "os.listxattr", "shutil.copymode", "shutil.copystat"})
WRITE_FLAGS = 0o1 | 0o2 | 0o100 | 0o1000 | 0o2000  # O_WRONLY O_RDWR O_CREAT O_TRUNC O_APPEND


def normalised(path, cwd):
    """Absolute, '.'/'..'-free form of `path` (str), computed with str methods only."""
    if not path.startswith("/"):
        path = cwd + "/" + path
    parts = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part and part != ".":
            parts.append(part)
    return "/" + "/".join(parts)


def make_hook(finish, meter_is_tracing, run_dir, read_roots, fspath, getcwd):
    """The audit hook; every name it uses is bound now, so a program cannot patch them."""
    write_roots = (run_dir,)
    str_type, bytes_type, int_type = str, bytes, int

    def inside(path, roots):
        return any(path == root or path.startswith(root + "/") for root in roots)

    def as_path(raw):
        if isinstance(raw, int_type) or raw is None:
            return None
        raw = fspath(raw)
        if isinstance(raw, bytes_type):
            raw = raw.decode("utf-8", "surrogateescape")
        return normalised(str_type(raw), getcwd())

    def refuse(event, detail=""):
        sys.stderr.write(f"sandbox: refused {event} {detail}\n")
        finish("forbidden", f"{event} {detail}".strip(), 1)

    def check(path, roots, event):
        path = as_path(path)
        if path is not None and not inside(path, roots):
            refuse(event, path)

    def hook(event, args):
        if event == "open":
            path, mode, flags = args
            writes = (mode is not None and any(c in mode for c in "wax+")) or (
                flags is not None and flags & WRITE_FLAGS)
            check(path, write_roots if writes else read_roots, event)
        elif event == "sys.settrace":
            if not meter_is_tracing():
                refuse(event)
        elif event in REFUSED_EVENTS or event.startswith(REFUSED_PREFIXES):
            refuse(event)
        elif event == "import":
            if args[0] in REFUSED_MODULES:
                refuse(event, args[0])
        elif event in WRITE_EVENTS:
            check(args[0], write_roots, event)
        elif event in TWO_PATH_WRITE_EVENTS:
            check(args[0], read_roots, event)
            check(args[1], write_roots, event)
        elif event in READ_EVENTS:
            check(args[0], read_roots, event)

    return hook


def refuse_threads(finish):
    """Make thread creation end the run as forbidden (the meter sees the main thread only)."""
    import _thread

    def start_new_thread(*args, **kwargs):
        finish("forbidden", "thread start on the metered machine", 1)

    _thread.start_new_thread = start_new_thread
    _thread.start_new = start_new_thread


def main(config):
    import builtins
    import os

    sys.path.insert(0, config["ext_dir"])
    try:
        import _opmeter
    finally:
        del sys.path[0]
        sys.modules.pop("_opmeter", None)
        sys.path_importer_cache.pop(config["ext_dir"], None)
    _opmeter.arm(config["token"], config["report_fd"], config["budget"], config["meter"],
                 tuple(config["excluded"]))
    finish = _opmeter.finish
    os.close(config["control_fd"])
    filename = config["filename"]
    try:
        code = compile(config["source"], filename, "exec")
    except MemoryError:
        finish("memory", "MemoryError while compiling", 1)
    except (SyntaxError, ValueError) as error:
        sys.__excepthook__(type(error), error.with_traceback(None), None)
        finish("compile_error", type(error).__name__, 1)
    sys.argv = [filename, *config.get("argv", ())]
    namespace = sys.modules["__main__"].__dict__  # the stub's globals become the program's
    namespace.clear()
    namespace.update(__name__="__main__", __builtins__=builtins)
    if filename != "<prog>":
        namespace["__file__"] = filename
    if config["meter"]:
        refuse_threads(finish)
    sys.addaudithook(make_hook(finish, _opmeter.is_setting_trace, config["run_dir"],
                               tuple(config["read_roots"]), os.fspath, os.getcwd))
    config.clear()
    del os
    try:
        _opmeter.start()
        exec(code, namespace)
    except SystemExit as done:
        status = done.code
        if status is None or status == 0:
            finish("ok", "", 0)
        if isinstance(status, int):
            finish("crash", f"SystemExit({status})", status & 0xFF or 1)
        sys.stderr.write(f"{status}\n")
        finish("crash", "SystemExit", 1)
    except MemoryError:
        finish("memory", "MemoryError", 1)
    except BaseException as error:
        # the traceback starts at the program: this file's frame is left out
        error = error.with_traceback(error.__traceback__.tb_next)
        sys.__excepthook__(type(error), error, error.__traceback__)
        finish("crash", type(error).__name__, 1)
    finish("ok", "", 0)


if __name__ == "__rsi_boot__":
    main(CONFIG)  # noqa: F821 -- CONFIG is provided by the stub that executes this code
