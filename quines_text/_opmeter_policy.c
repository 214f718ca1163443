/* The audit policy of the sandboxed Python child (part of quines_text._opmeter).

   A C-level audit hook (PEP 578, PySys_AddAuditHook) whose whole state lives in the C statics
   below, so no Python object a program can reach (frame globals, gc, builtins) changes it.  It
   ends the run `forbidden` at once, through om_end_run, on: writes outside the run folder;
   reads outside the read roots; a path argument that is neither str nor bytes (a PathLike's
   __fspath__ could answer differently to the hook and to the call); a relative path that
   leads outside from its dir_fd (read from /proc/self/fd; os.open's dir_fd is not part of
   the "open" event, so a relative os.open path must be allowed from the working folder and
   from every open directory descriptor alike); symlinks and hard links; sockets, ctypes,
   subprocesses, exec, fork, spawn, kill, rlimit changes, syslog, sqlite, terminal ioctls,
   sys.settrace/sys.setprofile (except the meter's own); importing a module that opens a way
   around the hook (_ctypes, _socket, readline and spwd, whose C code reads files with no
   audit event, ...); and loading a native extension from the run folder or
   from outside the read roots.  Paths are checked as the kernel will see them: str is encoded
   with the file system encoding from its own characters (a str subclass cannot answer for
   itself), relative paths are joined to getcwd(), and existing components are resolved with
   realpath().

   Three builtin modules are guarded by replacing functions in them from C: on the metered
   machine _thread.start_new_thread (PyEval_SetTrace meters only the calling thread, and 3.11
   has no audit event for thread starts); signal.raise_signal and signal.pidfd_send_signal (a
   program must not fake the kernel's SIGXCPU; os.kill and signal.pthread_kill are refused
   events); and _imp.create_builtin / _imp.exec_builtin, which would otherwise
   re-create those modules with their original functions (importlib.import_module and
   importlib.reload raise no "import" event for builtin modules).

   CPython's documentation says audit hooks are not a sandbox: the boundary is the process
   isolation of quines_text.sandbox; this hook gives the clear status. */
#include "_opmeter.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ROOTS 32

static char run_dir[PATH_MAX];
static char read_roots[MAX_ROOTS][PATH_MAX];
static int n_read_roots = 0;
static PyObject *real_create_builtin = NULL, *real_exec_builtin = NULL, *namespace_type = NULL;
static PyModuleDef *guarded_defs[3];
static int n_guarded_defs = 0;

static const char *const REFUSED_EVENTS[] = {
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
    "os.forkpty", "os.kill", "os.killpg", "os.symlink", "os.link", "pty.spawn",
    "resource.setrlimit", "resource.prlimit", "sys.setprofile", "signal.pthread_kill",
    "fcntl.ioctl", "os.startfile", NULL};
static const char *const REFUSED_PREFIXES[] = {"socket.", "ctypes.", "_ctypes.", "syslog.",
                                               "sqlite3.", "cpython.run_", NULL};
static const char *const REFUSED_MODULES[] = {
    "_posixsubprocess", "_ctypes", "ctypes", "_xxsubinterpreters", "_testcapi",
    "_testinternalcapi", "_testmultiphase", "_testbuffer", "_testclinic", "_testimportmultiple",
    "_ctypes_test", "_xxtestfuzz", "_socket", "socket", "_multiprocessing", "multiprocessing",
    "_posixshmem", "readline", "spwd", "_sqlite3", "syslog", "_tkinter", "nis", "termios",
    "_curses", "_curses_panel", "ossaudiodev", "_dbm", "_gdbm", NULL};

/* Events with path arguments: which argument is a path read ('r') or written ('w'), and which
   argument is the dir_fd that goes with it (-1: none). */
typedef struct {
    const char *event;
    signed char path[2], access[2], dir_fd[2];
} PathEvent;

static const PathEvent PATH_EVENTS[] = {
    {"os.remove", {0, -1}, {'w', 0}, {1, -1}},      {"os.rmdir", {0, -1}, {'w', 0}, {1, -1}},
    {"os.mkdir", {0, -1}, {'w', 0}, {2, -1}},       {"os.chmod", {0, -1}, {'w', 0}, {2, -1}},
    {"os.chown", {0, -1}, {'w', 0}, {3, -1}},       {"os.utime", {0, -1}, {'w', 0}, {3, -1}},
    {"os.truncate", {0, -1}, {'w', 0}, {-1, -1}},   {"os.setxattr", {0, -1}, {'w', 0}, {-1, -1}},
    {"os.removexattr", {0, -1}, {'w', 0}, {-1, -1}}, {"os.chflags", {0, -1}, {'w', 0}, {-1, -1}},
    {"os.lchflags", {0, -1}, {'w', 0}, {-1, -1}},   {"shutil.rmtree", {0, -1}, {'w', 0}, {1, -1}},
    {"os.rename", {0, 1}, {'w', 'w'}, {2, 3}},      {"shutil.move", {0, 1}, {'w', 'w'}, {-1, -1}},
    {"shutil.copyfile", {0, 1}, {'r', 'w'}, {-1, -1}},
    {"shutil.copytree", {0, 1}, {'r', 'w'}, {-1, -1}},
    {"shutil.copymode", {0, 1}, {'r', 'w'}, {-1, -1}},
    {"shutil.copystat", {0, 1}, {'r', 'w'}, {-1, -1}},
    {"os.listdir", {0, -1}, {'r', 0}, {-1, -1}},    {"os.scandir", {0, -1}, {'r', 0}, {-1, -1}},
    {"os.chdir", {0, -1}, {'r', 0}, {-1, -1}},      {"os.getxattr", {0, -1}, {'r', 0}, {-1, -1}},
    {"os.listxattr", {0, -1}, {'r', 0}, {-1, -1}},
};

static int listed(const char *name, const char *const *list) {
    for (; *list != NULL; list++) {
        if (strcmp(name, *list) == 0) return 1;
    }
    return 0;
}

static void refuse(const char *event, const char *detail) {
    char text[1024];
    snprintf(text, sizeof text, "%s %.900s", event, detail);
    PySys_WriteStderr("sandbox: refused %.1000s\n", text);
    om_end_run("forbidden", text, 1);
}

/* The bytes the kernel will get for a path argument: 1 (in out), 0 when there is no path
   (None, or a file descriptor), -1 for any other object. */
static int path_bytes(PyObject *arg, char *out, size_t cap) {
    if (arg == NULL || arg == Py_None || PyLong_Check(arg)) return 0;
    PyObject *bytes;
    if (PyUnicode_Check(arg)) bytes = PyUnicode_EncodeFSDefault(arg);
    else if (PyBytes_Check(arg)) bytes = Py_NewRef(arg);
    else return -1;
    if (bytes == NULL) {
        PyErr_Clear();
        return -1;
    }
    Py_ssize_t n = PyBytes_GET_SIZE(bytes);
    int ok = (size_t)n < cap && memchr(PyBytes_AS_STRING(bytes), 0, (size_t)n) == NULL;
    if (ok) {
        memcpy(out, PyBytes_AS_STRING(bytes), (size_t)n);
        out[n] = '\0';
    }
    Py_DECREF(bytes);
    return ok ? 1 : -1;
}

#define BIG (1 << 16) /* longer than PATH_MAX: a run may nest folders deeper than that */

/* Absolute path without "." and ".." components (lexical); out holds BIG bytes. */
static void normalise(const char *path, char *out) {
    size_t len = 0;
    out[0] = '\0';
    const char *p = path;
    while (*p) {
        while (*p == '/') p++;
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 0) break;
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (len > 0 && out[len - 1] != '/') len--;
            if (len > 0) len--;
        } else if (!(n == 1 && p[0] == '.') && len + n + 2 < BIG) {
            out[len++] = '/';
            memcpy(out + len, p, n);
            len += n;
        }
        out[len] = '\0';
        p += n;
    }
    if (len == 0) strcpy(out, "/");
}

static int inside(const char *path, const char *root);

/* The path as the kernel resolves it, into out (BIG bytes).  Inside the run folder the
   lexical form is the answer: a program cannot make symlinks there (os.symlink is refused and
   it cannot start other processes).  Elsewhere: realpath() when the path exists, else
   realpath() of its folder and the last name. */
static void resolve(const char *path, char *out) {
    static char absolute[2 * BIG], lexical[BIG], cwd[BIG];
    char folder[PATH_MAX];
    if (path[0] == '/') {
        snprintf(absolute, sizeof absolute, "%s", path);
    } else {
        if (getcwd(cwd, sizeof cwd) == NULL) strcpy(cwd, "/nonexistent");
        snprintf(absolute, sizeof absolute, "%s/%s", cwd, path);
    }
    normalise(absolute, lexical);
    if (inside(lexical, run_dir) || strlen(lexical) >= PATH_MAX) {
        snprintf(out, BIG, "%s", lexical);
        return;
    }
    if (realpath(absolute, folder) != NULL) {
        snprintf(out, BIG, "%s", folder);
        return;
    }
    char *slash = strrchr(lexical, '/');
    if (slash != NULL && slash != lexical) {
        *slash = '\0';
        if (realpath(lexical, folder) != NULL) {
            snprintf(out, BIG, "%s/%s", folder, slash + 1);
            return;
        }
        *slash = '/';
    }
    snprintf(out, BIG, "%s", lexical);
}

static int inside(const char *path, const char *root) {
    size_t n = strlen(root);
    return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int readable(const char *path) {
    if (inside(path, run_dir)) return 1;
    for (int i = 0; i < n_read_roots; i++) {
        if (inside(path, read_roots[i])) return 1;
    }
    return 0;
}

static int allowed(const char *resolved, int writes) {
    return writes ? inside(resolved, run_dir) : readable(resolved);
}

/* The folder an open directory descriptor refers to (from /proc/self/fd), or 0. */
static int folder_of(int fd, char *out, size_t cap) {
    char link[64];
    struct stat st;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, cap - 1);
    if (n <= 0 || out[0] != '/') return 0;
    out[n] = '\0';
    return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Is `raw` (relative) allowed relative to dir_fd, or -- when the event does not say which
   descriptor the call uses (os.open) -- relative to the working folder and to every open
   directory descriptor alike?  Whichever one the call uses, the target is then allowed. */
static int relative_allowed(const char *raw, int writes, int dir_fd, int any_dir_fd,
                            char *resolved) {
    static char folder[BIG], joined[2 * BIG];
    if (!any_dir_fd) {
        if (dir_fd >= 0) {
            if (!folder_of(dir_fd, folder, sizeof folder)) return 0;
            snprintf(joined, sizeof joined, "%s/%s", folder, raw);
            resolve(joined, resolved);
        } else {
            resolve(raw, resolved);
        }
        return allowed(resolved, writes);
    }
    resolve(raw, resolved);
    if (!allowed(resolved, writes)) return 0;
    DIR *fds = opendir("/proc/self/fd");
    if (fds == NULL) return 0;
    int ok = 1;
    struct dirent *entry;
    while (ok && (entry = readdir(fds)) != NULL) {
        int fd = atoi(entry->d_name);
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9' || fd == dirfd(fds)) continue;
        if (!folder_of(fd, folder, sizeof folder)) continue;
        snprintf(joined, sizeof joined, "%s/%s", folder, raw);
        resolve(joined, resolved);
        ok = allowed(resolved, writes);
    }
    closedir(fds);
    return ok;
}

static void check_path(const char *event, PyObject *arg, int writes, PyObject *dir_fd,
                       int any_dir_fd) {
    static char raw[BIG], resolved[BIG];
    int kind = path_bytes(arg, raw, sizeof raw);
    if (kind == 0) return;
    if (kind < 0) refuse(event, "(a path that is not str or bytes)");
    int fd = dir_fd != NULL && PyLong_Check(dir_fd) ? (int)PyLong_AsLong(dir_fd) : -1;
    PyErr_Clear();
    if (raw[0] == '/') {
        resolve(raw, resolved);
        if (!allowed(resolved, writes)) refuse(event, resolved);
    } else if (!relative_allowed(raw, writes, fd, any_dir_fd, resolved)) {
        refuse(event, resolved);
    }
}

static PyObject *item(PyObject *args, int i) {
    return i >= 0 && i < PyTuple_GET_SIZE(args) ? PyTuple_GET_ITEM(args, i) : NULL;
}

static void check_open(PyObject *args) {
    PyObject *mode = item(args, 1), *flags = item(args, 2);
    int writes = 0;
    if (mode != NULL && PyUnicode_Check(mode)) {
        const char *m = PyUnicode_AsUTF8(mode);
        writes = m == NULL || strpbrk(m, "wax+") != NULL;
    }
    if (flags != NULL && PyLong_Check(flags) &&
        (PyLong_AsLong(flags) & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)))
        writes = 1;
    PyErr_Clear();
    /* mode None: os.open, whose dir_fd is not in the event: any directory descriptor */
    check_path("open", item(args, 0), writes, NULL, mode == Py_None);
}

static void check_import(PyObject *args) {
    PyObject *name = item(args, 0), *filename = item(args, 1);
    const char *n = name != NULL && PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
    if (n == NULL) refuse("import", "(a module name that is not str)");
    if (listed(n, REFUSED_MODULES) || strcmp(n, "_imp") == 0 ||
        (om_metering && strcmp(n, "_thread") == 0))
        refuse("import", n);
    if (filename != NULL && filename != Py_None) { /* a native extension module */
        static char raw[BIG], resolved[BIG];
        if (path_bytes(filename, raw, sizeof raw) != 1) refuse("import", n);
        resolve(raw, resolved);
        if (inside(resolved, run_dir) || !readable(resolved))
            refuse("import", resolved);
    }
}

static int hook(const char *event, PyObject *args, void *unused) {
    if (om_state == OM_UNARMED) return 0;
    if (strcmp(event, "open") == 0) {
        check_open(args);
    } else if (strcmp(event, "import") == 0) {
        check_import(args);
    } else if (strcmp(event, "sys.settrace") == 0) {
        if (!om_setting_trace) refuse(event, "(it would switch the step meter off)");
    } else if (listed(event, REFUSED_EVENTS)) {
        refuse(event, "");
    } else {
        for (const char *const *p = REFUSED_PREFIXES; *p != NULL; p++) {
            if (strncmp(event, *p, strlen(*p)) == 0) refuse(event, "");
        }
        for (size_t i = 0; i < sizeof PATH_EVENTS / sizeof PATH_EVENTS[0]; i++) {
            const PathEvent *e = &PATH_EVENTS[i];
            if (strcmp(event, e->event) != 0) continue;
            for (int k = 0; k < 2 && e->path[k] >= 0; k++) {
                check_path(event, item(args, e->path[k]), e->access[k] == 'w',
                           item(args, e->dir_fd[k]), 0);
            }
            break;
        }
    }
    return 0;
}

/* ---- guarded builtin modules ---- */

static PyObject *refuse_thread(PyObject *self, PyObject *args) {
    refuse("_thread.start_new_thread", "(the meter counts the main thread only)");
    return NULL;
}

static PyObject *refuse_raise_signal(PyObject *self, PyObject *args) {
    refuse("signal.raise_signal", "(a program may not send signals: they would fake the kernel's)");
    return NULL;
}

static int guarded_name(const char *n) {
    return listed(n, REFUSED_MODULES) || strcmp(n, "_imp") == 0 || strcmp(n, "_signal") == 0 ||
           (om_metering && strcmp(n, "_thread") == 0);
}

static PyObject *guarded_create_builtin(PyObject *self, PyObject *spec) {
    PyObject *name = PyObject_GetAttrString(spec, "name");
    if (name == NULL) return NULL;
    PyObject *exact = PyUnicode_Check(name) ? PyUnicode_FromObject(name) : NULL;
    Py_DECREF(name);
    if (exact == NULL) return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_TypeError, "name");
    const char *n = PyUnicode_AsUTF8(exact);
    if (n == NULL || guarded_name(n)) refuse("_imp.create_builtin", n ? n : "");
    /* a plain namespace holding the checked name, so the real function reads that name */
    PyObject *kwargs = Py_BuildValue("{sO}", "name", exact), *empty = PyTuple_New(0);
    PyObject *clean = kwargs && empty ? PyObject_Call(namespace_type, empty, kwargs) : NULL;
    Py_XDECREF(kwargs);
    Py_XDECREF(empty);
    Py_DECREF(exact);
    if (clean == NULL) return NULL;
    PyObject *module = PyObject_CallOneArg(real_create_builtin, clean);
    Py_DECREF(clean);
    return module;
}

static PyObject *guarded_exec_builtin(PyObject *self, PyObject *module) {
    if (PyModule_Check(module)) {
        PyModuleDef *def = PyModule_GetDef(module);
        for (int i = 0; i < n_guarded_defs; i++) {
            if (def != NULL && def == guarded_defs[i]) refuse("_imp.exec_builtin", "");
        }
    }
    return PyObject_CallOneArg(real_exec_builtin, module);
}

static PyMethodDef refuse_thread_def = {"start_new_thread", refuse_thread, METH_VARARGS, NULL};
static PyMethodDef refuse_raise_signal_def = {"raise_signal", refuse_raise_signal, METH_VARARGS,
                                              NULL};
static PyMethodDef create_builtin_def = {"create_builtin", guarded_create_builtin, METH_O, NULL};
static PyMethodDef exec_builtin_def = {"exec_builtin", guarded_exec_builtin, METH_O, NULL};

/* Replace module.<names> by a C function; remember the module's def as guarded. */
static int replace(const char *module_name, PyMethodDef *def, const char *const *names) {
    PyObject *module = PyImport_ImportModule(module_name);
    if (module == NULL) return -1;
    PyObject *function = PyCFunction_New(def, NULL);
    int r = function == NULL ? -1 : 0;
    for (; r == 0 && *names != NULL; names++) r = PyObject_SetAttrString(module, *names, function);
    Py_XDECREF(function);
    PyModuleDef *mdef = PyModule_GetDef(module);
    if (mdef != NULL && n_guarded_defs < 3) {
        int seen = 0;
        for (int i = 0; i < n_guarded_defs; i++) seen |= guarded_defs[i] == mdef;
        if (!seen) guarded_defs[n_guarded_defs++] = mdef;
    }
    PyErr_Clear();
    Py_DECREF(module);
    return r;
}

static int guard_modules(void) {
    PyObject *imp = PyImport_ImportModule("_imp");
    if (imp == NULL) return -1;
    real_create_builtin = PyObject_GetAttrString(imp, "create_builtin");
    real_exec_builtin = PyObject_GetAttrString(imp, "exec_builtin");
    Py_DECREF(imp);
    PyObject *impl = PySys_GetObject("implementation"); /* a types.SimpleNamespace */
    namespace_type = impl ? Py_NewRef((PyObject *)Py_TYPE(impl)) : NULL;
    if (real_create_builtin == NULL || real_exec_builtin == NULL || namespace_type == NULL)
        return -1;
    static const char *const create[] = {"create_builtin", NULL}, *const exec[] = {
        "exec_builtin", NULL};
    static const char *const threads[] = {"start_new_thread", "start_new", NULL};
    static const char *const raise[] = {"raise_signal", "pidfd_send_signal", NULL};
    if (replace("_imp", &create_builtin_def, create) < 0 ||
        replace("_imp", &exec_builtin_def, exec) < 0 ||
        replace("_signal", &refuse_raise_signal_def, raise) < 0)
        return -1;
    if (om_metering && replace("_thread", &refuse_thread_def, threads) < 0) return -1;
    return 0;
}

static int copy_root(PyObject *root, char *out) {
    char raw[PATH_MAX];
    if (path_bytes(root, raw, sizeof raw) != 1) {
        PyErr_SetString(PyExc_ValueError, "roots must be str paths");
        return -1;
    }
    if (realpath(raw, out) == NULL) snprintf(out, PATH_MAX, "%s", raw);
    return 0;
}

int om_policy_arm(PyObject *run_folder, PyObject *roots) {
    if (copy_root(run_folder, run_dir) < 0) return -1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(roots) && n_read_roots < MAX_ROOTS; i++) {
        if (copy_root(PyTuple_GET_ITEM(roots, i), read_roots[n_read_roots++]) < 0) return -1;
    }
    if (guard_modules() < 0) return -1;
    return PySys_AddAuditHook(hook, NULL);
}
