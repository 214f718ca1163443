/* quines_text._opmeter: the exact step meter of the metered Python machine, and the one-shot
   reporter through which a sandboxed Python child tells quines_text.sandbox how it ended.

   Mahoney 2008, section Goals: P(t) is what P prints "after t time steps" of a fixed machine.
   On the `python` machine one step is one executed bytecode instruction of the program's own
   code: a C trace function (PyEval_SetTrace) counts PyTrace_OPCODE events, which CPython 3.11
   emits once per executed instruction (not for RESUME, nor for the CACHE entries that follow
   some instructions) in frames whose f_trace_opcodes is set.  The tracer sets f_trace_opcodes
   on the call event of every frame whose code object is not library code.  Library code is
   decided by the code itself, never by a name the program can choose: a code object is library
   code only when it is equal (code objects compare their instructions, constants, names and
   tables) to a code object of the genuine file its co_filename names, under one of the library
   folders given to arm() (the standard library, the bootstrap) or a frozen module
   ("<frozen NAME>", compared with _imp.get_frozen_object(NAME) taken before the program runs).
   The genuine code is loaded by this C code from the file's valid .pyc or compiled from the
   source.  So the interpreter's start-up, library code and the output flush cost nothing, the
   count depends only on the program text and its input, and code the program compiles under a
   library or "<frozen ...>" file name is counted.  The verdict is kept in the code object's
   co_extra slot (PEP 523), which Python code cannot read or write.

   The meter cannot be switched off or lowered by the program: the count and the budget are C
   statics; the frame attribute f_trace_opcodes is replaced by a descriptor that ends the run
   `forbidden` when a running program writes it; sys.settrace/sys.setprofile, thread starts
   (including a re-created _thread module) and every other refused operation end the run
   `forbidden` through the C audit hook of _opmeter_policy.c.  When the count would exceed the
   budget the meter flushes sys.stdout/sys.stderr, reports "step_limit" and ends the process
   with _exit: no exception a program could catch.

   API (each control call must come from the frame that called arm(), so the program, which
   runs in frames of its own, cannot call them):
     arm(token, report_fd, meter, library, run_dir, read_roots)  once per process
     start(budget)   begin a run: count 0, budget steps (-1: none); tracing on when metering
     stop() -> int   end the run (tracing off) and return its steps; the process stays armed
     steps() -> int  steps of the current or last run (anyone may read it)
     report(status, detail, exit_code)  write a report line and go on (a warm evaluator's)
     finish(status, detail, exit_code)  flush stdio, write the report line, _exit
   A step_limit, or a refusal, ends the process (os._exit): a warm evaluator that runs many
   programs in one process starts a new one after it.
   The report is one line "TOKEN STATUS STEPS EXIT DETAIL\n" written to report_fd. */
#include "_opmeter.h"
#include <frameobject.h>
#include <marshal.h>
#define Py_BUILD_CORE 1
#include "internal/pycore_frame.h"
#undef Py_BUILD_CORE
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COUNTED ((void *)1)
#define LIBRARY ((void *)2)
#define MAX_CONST_DEPTH 64

int om_state = OM_UNARMED, om_metering = 0, om_setting_trace = 0;
static long long count = 0, budget = -1;
static int ending = 0, report_fd = -1;
static char token[65];
static PyObject *library = NULL;      /* tuple of str: folders and files of library code */
static PyObject *genuine = NULL;      /* dict: filename -> {firstlineno: [code, ...]} or None */
static PyObject *get_frozen = NULL;   /* _imp.get_frozen_object, taken at arm() */
static PyObject *cache_tag = NULL;    /* sys.implementation.cache_tag, taken at arm() */
static PyObject *control = NULL;      /* the frame that called arm() */
static Py_ssize_t extra_index = -1;

static void flush_stream(const char *name) {
    PyObject *stream = PySys_GetObject(name); /* borrowed */
    if (stream != NULL && stream != Py_None) {
        PyObject *r = PyObject_CallMethod(stream, "flush", NULL);
        Py_XDECREF(r);
    }
    PyErr_Clear();
}

static void write_report(const char *status, const char *detail, int exit_code) {
    char line[1024], steps[32];
    if (om_metering) snprintf(steps, sizeof steps, "%lld", count);
    else snprintf(steps, sizeof steps, "-");
    int n = snprintf(line, sizeof line - 1, "%s %s %s %d %s", token, status, steps, exit_code,
                     detail);
    if (n < 0) n = 0;
    if (n > (int)sizeof line - 2) n = sizeof line - 2;
    for (int i = 0; i < n; i++) {
        if (line[i] == '\n' || line[i] == '\r') line[i] = ' ';
    }
    line[n++] = '\n';
    const char *p = line;
    while (n > 0) {
        ssize_t w = write(report_fd, p, (size_t)n);
        if (w <= 0) break;
        p += w;
        n -= (int)w;
    }
}

void om_end_run(const char *status, const char *detail, int exit_code) {
    if (!ending) {
        /* the flush may run the program's own code (a replaced sys.stdout): it stays metered
           and under the budget, and anything it trips ends the run here instead */
        ending = 1;
        flush_stream("stdout");
        flush_stream("stderr");
    }
    write_report(status, detail, exit_code);
    _exit(exit_code);
}

/* ---- which code is library code ---- */

static int safe_constant(PyObject *c, int depth);

static int safe_code(PyCodeObject *code, int depth) {
    if (depth > MAX_CONST_DEPTH || !PyTuple_CheckExact(code->co_consts)) return 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(code->co_consts); i++) {
        if (!safe_constant(PyTuple_GET_ITEM(code->co_consts, i), depth + 1)) return 0;
    }
    return 1;
}

/* Constants whose comparison runs no Python code (a program can put any object into co_consts
   with code.replace, and comparing it must not run its __eq__ inside the tracer). */
static int safe_constant(PyObject *c, int depth) {
    PyTypeObject *t = Py_TYPE(c);
    if (depth > MAX_CONST_DEPTH) return 0;
    if (c == Py_None || c == Py_Ellipsis || t == &PyUnicode_Type || t == &PyBytes_Type ||
        t == &PyLong_Type || t == &PyFloat_Type || t == &PyComplex_Type || t == &PyBool_Type)
        return 1;
    if (t == &PyCode_Type) return safe_code((PyCodeObject *)c, depth + 1);
    if (t == &PyTuple_Type) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(c); i++) {
            if (!safe_constant(PyTuple_GET_ITEM(c, i), depth + 1)) return 0;
        }
        return 1;
    }
    if (t == &PyFrozenSet_Type) {
        Py_ssize_t pos = 0;
        PyObject *key;
        Py_hash_t hash;
        while (_PySet_NextEntry(c, &pos, &key, &hash)) {
            if (!safe_constant(key, depth + 1)) return 0;
        }
        return 1;
    }
    return 0;
}

static PyObject *frozen_prefix = NULL;  /* "<frozen " */
static PyObject *bootstrap_name = NULL; /* "importlib._bootstrap" */

static int is_frozen_name(PyObject *filename) {
    return PyUnicode_Tailmatch(filename, frozen_prefix, 0, PY_SSIZE_T_MAX, -1) == 1;
}

static int under_library(PyObject *filename) {
    Py_ssize_t n = PyTuple_GET_SIZE(library), length = PyUnicode_GET_LENGTH(filename);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *root = PyTuple_GET_ITEM(library, i);
        Py_ssize_t r = PyUnicode_GET_LENGTH(root);
        if (PyUnicode_Tailmatch(filename, root, 0, PY_SSIZE_T_MAX, -1) == 1 &&
            (length == r || PyUnicode_READ_CHAR(filename, r) == '/'))
            return 1;
    }
    PyErr_Clear();
    return 0;
}

static char *read_file(const char *path, long *size) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    char *data = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)n + 1)) != NULL) {
            if (fread(data, 1, (size_t)n, f) == (size_t)n) {
                data[n] = '\0';
                *size = n;
            } else {
                free(data);
                data = NULL;
            }
        }
    }
    fclose(f);
    return data;
}

static unsigned long le32(const unsigned char *p) {
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((unsigned long)p[3] << 24);
}

/* The code of a .pyc that the import system would use for `source` (timestamp-checked, as
   importlib checks it), or NULL. */
static PyObject *load_pyc(const char *source, const struct stat *st) {
    const char *slash = strrchr(source, '/');
    size_t len = strlen(source);
    if (slash == NULL || len < 4 || strcmp(source + len - 3, ".py") != 0) return NULL;
    char path[4096];
    int n = snprintf(path, sizeof path, "%.*s/__pycache__/%.*s.%s.pyc", (int)(slash - source),
                     source, (int)(source + len - 3 - slash - 1), slash + 1,
                     PyUnicode_AsUTF8(cache_tag));
    if (n <= 0 || n >= (int)sizeof path) return NULL;
    long size = 0;
    unsigned char *data = (unsigned char *)read_file(path, &size);
    PyObject *code = NULL;
    if (data != NULL && size > 16 && (long)le32(data) == (PyImport_GetMagicNumber() & 0xFFFFFFFFL)
        && le32(data + 4) == 0 && le32(data + 8) == ((unsigned long)st->st_mtime & 0xFFFFFFFFUL)
        && le32(data + 12) == ((unsigned long)st->st_size & 0xFFFFFFFFUL)) {
        code = PyMarshal_ReadObjectFromString((const char *)data + 16, size - 16);
        if (code != NULL && !PyCode_Check(code)) Py_CLEAR(code);
    }
    free(data);
    PyErr_Clear();
    return code;
}

static PyObject *load_genuine(PyObject *filename) {
    if (is_frozen_name(filename)) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(filename);
        if (n < 10 || PyUnicode_READ_CHAR(filename, n - 1) != '>') return NULL;
        PyObject *name = PyUnicode_Substring(filename, 8, n - 1);
        /* importlib's bootstrap is frozen as _frozen_importlib[_external] */
        if (name != NULL && PyUnicode_Tailmatch(name, bootstrap_name, 0, PY_SSIZE_T_MAX, -1) == 1) {
            PyObject *rest = PyUnicode_Substring(name, PyUnicode_GET_LENGTH(bootstrap_name),
                                                 PY_SSIZE_T_MAX);
            Py_SETREF(name, rest ? PyUnicode_FromFormat("_frozen_importlib%U", rest) : NULL);
            Py_XDECREF(rest);
        }
        PyObject *code = name ? PyObject_CallOneArg(get_frozen, name) : NULL;
        Py_XDECREF(name);
        if (code != NULL && !PyCode_Check(code)) Py_CLEAR(code);
        return code;
    }
    const char *path = PyUnicode_AsUTF8(filename);
    struct stat st;
    if (path == NULL || stat(path, &st) != 0) return NULL;
    PyObject *code = load_pyc(path, &st);
    if (code != NULL) return code;
    long size = 0;
    char *text = read_file(path, &size);
    if (text == NULL) return NULL;
    PyCompilerFlags flags = {0, PY_MINOR_VERSION};
    if ((long)strlen(text) == size)
        code = Py_CompileStringObject(text, filename, Py_file_input, &flags, -1);
    free(text);
    return code;
}

static void index_codes(PyObject *index, PyObject *code) {
    PyObject *key = PyLong_FromLong(((PyCodeObject *)code)->co_firstlineno);
    PyObject *list = key ? PyDict_GetItemWithError(index, key) : NULL;
    if (key != NULL && list == NULL && !PyErr_Occurred()) {
        list = PyList_New(0);
        if (list != NULL) PyDict_SetItem(index, key, list);
        Py_XDECREF(list); /* the dict holds it */
    }
    if (list != NULL) PyList_Append(list, code);
    Py_XDECREF(key);
    PyObject *consts = ((PyCodeObject *)code)->co_consts;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(consts); i++) {
        if (PyCode_Check(PyTuple_GET_ITEM(consts, i)))
            index_codes(index, PyTuple_GET_ITEM(consts, i));
    }
}

/* {firstlineno: [genuine code objects]} of the file `filename` names (borrowed), or NULL. */
static PyObject *genuine_index(PyObject *filename) {
    PyObject *hit = PyDict_GetItemWithError(genuine, filename);
    if (hit != NULL) return hit == Py_None ? NULL : hit;
    PyObject *top = load_genuine(filename), *index = Py_None;
    PyErr_Clear();
    Py_INCREF(index);
    if (top != NULL) {
        Py_DECREF(index);
        index = PyDict_New();
        if (index != NULL) index_codes(index, top);
        Py_DECREF(top);
    }
    if (index == NULL) return NULL;
    int stored = PyDict_SetItem(genuine, filename, index);
    Py_DECREF(index); /* the cache holds it */
    if (stored < 0) return NULL;
    return index == Py_None ? NULL : index;
}

/* 1: library code; 0: the program's; -1: it claims a library file name but is not that
   file's code (an attempt to run uncounted code). */
static int is_library(PyCodeObject *code) {
    PyObject *filename = code->co_filename;
    if (!PyUnicode_Check(filename)) return 0;
    if (!PyUnicode_CheckExact(filename)) return under_library(filename) ? -1 : 0;
    if (!(is_frozen_name(filename) || under_library(filename))) return 0;
    if (!safe_code(code, 0)) return -1;
    PyObject *index = genuine_index(filename);
    if (index == NULL) return -1;
    PyObject *key = PyLong_FromLong(code->co_firstlineno);
    PyObject *list = key ? PyDict_GetItemWithError(index, key) : NULL;
    Py_XDECREF(key);
    if (list == NULL) return -1;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
        if (PyObject_RichCompareBool((PyObject *)code, PyList_GET_ITEM(list, i), Py_EQ) == 1)
            return 1;
    }
    return -1;
}

static int counted(PyCodeObject *code) {
    void *mark = NULL;
    if (_PyCode_GetExtra((PyObject *)code, extra_index, &mark) == 0 && mark != NULL)
        return mark == COUNTED;
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    int library_code = is_library(code);
    PyErr_Clear();
    if (library_code < 0) {
        char detail[600];
        const char *name = PyUnicode_Check(code->co_filename) ? PyUnicode_AsUTF8(code->co_filename)
                                                              : NULL;
        snprintf(detail, sizeof detail, "code named after the library file %.400s is not its code",
                 name ? name : "?");
        PyErr_Clear();
        PySys_WriteStderr("sandbox: refused %s\n", detail);
        om_end_run("forbidden", detail, 1);
    }
    int yes = !library_code;
    _PyCode_SetExtra((PyObject *)code, extra_index, yes ? COUNTED : LIBRARY);
    PyErr_Clear();
    PyErr_Restore(type, value, traceback);
    return yes;
}

/* ---- the tracer and the f_trace_opcodes guard ---- */

static int tracer(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg) {
    if (what == PyTrace_OPCODE) {
        if (budget >= 0 && count >= budget) om_end_run("step_limit", "", 1);
        count++;
        return 0;
    }
    if (what == PyTrace_CALL) {
        PyCodeObject *code = PyFrame_GetCode(frame);
        frame->f_trace_lines = 0;
        frame->f_trace_opcodes = (char)counted(code);
        Py_DECREF(code);
    }
    return 0;
}

static void set_trace(Py_tracefunc func) {
    om_setting_trace = 1;
    PyEval_SetTrace(func, NULL);
    om_setting_trace = 0;
    PyErr_Clear();
}

static PyObject *get_trace_opcodes(PyObject *frame, void *closure) {
    return PyBool_FromLong(((PyFrameObject *)frame)->f_trace_opcodes);
}

static int set_trace_opcodes(PyObject *frame, PyObject *value, void *closure) {
    if (om_state == OM_RUNNING && om_metering)
        om_end_run("forbidden", "frame.f_trace_opcodes set (it would switch the meter off)", 1);
    int on = value == NULL ? 0 : PyObject_IsTrue(value);
    if (on < 0) return -1;
    ((PyFrameObject *)frame)->f_trace_opcodes = (char)on;
    return 0;
}

static PyGetSetDef trace_opcodes_guard = {"f_trace_opcodes", get_trace_opcodes,
                                          set_trace_opcodes, "guarded by quines_text._opmeter",
                                          NULL};

static int guard_frames(void) {
    PyObject *descr = PyDescr_NewGetSet(&PyFrame_Type, &trace_opcodes_guard);
    if (descr == NULL) return -1;
    int r = PyDict_SetItemString(PyFrame_Type.tp_dict, "f_trace_opcodes", descr);
    Py_DECREF(descr);
    PyType_Modified(&PyFrame_Type);
    return r;
}

/* ---- the API ---- */

static int from_control(const char *what) {
    if (om_state == OM_UNARMED) {
        PyErr_Format(PyExc_RuntimeError, "%s() needs arm() first", what);
        return 0;
    }
    if ((PyObject *)PyEval_GetFrame() != control) {
        char detail[96];
        snprintf(detail, sizeof detail, "_opmeter.%s() called by the program", what);
        om_end_run("forbidden", detail, 1);
    }
    return 1;
}

static PyObject *arm(PyObject *self, PyObject *args) {
    const char *tok;
    Py_ssize_t tok_len;
    int fd, meter;
    PyObject *prefixes, *run_dir, *read_roots;
    if (!PyArg_ParseTuple(args, "y#ipO!UO!", &tok, &tok_len, &fd, &meter, &PyTuple_Type,
                          &prefixes, &run_dir, &PyTuple_Type, &read_roots))
        return NULL;
    if (om_state != OM_UNARMED) {
        PyErr_SetString(PyExc_RuntimeError, "the meter is already armed");
        return NULL;
    }
    if (tok_len <= 0 || tok_len >= (Py_ssize_t)sizeof token) {
        PyErr_SetString(PyExc_ValueError, "token must be 1 to 64 bytes");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(prefixes); i++) {
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(prefixes, i))) {
            PyErr_SetString(PyExc_TypeError, "library folders must be str");
            return NULL;
        }
    }
    PyObject *imp = PyImport_ImportModule("_imp");
    get_frozen = imp ? PyObject_GetAttrString(imp, "get_frozen_object") : NULL;
    Py_XDECREF(imp);
    PyObject *impl = PySys_GetObject("implementation");
    cache_tag = impl ? PyObject_GetAttrString(impl, "cache_tag") : NULL;
    genuine = PyDict_New();
    frozen_prefix = PyUnicode_FromString("<frozen ");
    bootstrap_name = PyUnicode_FromString("importlib._bootstrap");
    extra_index = _PyEval_RequestCodeExtraIndex(NULL);
    if (get_frozen == NULL || cache_tag == NULL || !PyUnicode_Check(cache_tag) ||
        genuine == NULL || frozen_prefix == NULL || bootstrap_name == NULL || extra_index < 0)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_RuntimeError, "cannot arm");
    memcpy(token, tok, (size_t)tok_len);
    token[tok_len] = '\0';
    report_fd = fd;
    om_metering = meter;
    Py_INCREF(prefixes);
    library = prefixes;
    control = (PyObject *)PyEval_GetFrame();
    Py_XINCREF(control);
    if (guard_frames() < 0 || om_policy_arm(run_dir, read_roots) < 0) return NULL;
    om_state = OM_IDLE;
    Py_RETURN_NONE;
}

static PyObject *start(PyObject *self, PyObject *arg) {
    if (!from_control("start")) return NULL;
    long long b = PyLong_AsLongLong(arg);
    if (b == -1 && PyErr_Occurred()) return NULL;
    if (om_state == OM_RUNNING) om_end_run("forbidden", "_opmeter.start() during a run", 1);
    count = 0;
    budget = b;
    om_state = OM_RUNNING;
    if (om_metering) set_trace(tracer);
    Py_RETURN_NONE;
}

static PyObject *stop(PyObject *self, PyObject *unused) {
    if (!from_control("stop")) return NULL;
    if (om_metering && om_state == OM_RUNNING) set_trace(NULL);
    om_state = OM_IDLE;
    budget = -1;
    return PyLong_FromLongLong(count);
}

static PyObject *steps(PyObject *self, PyObject *unused) {
    return PyLong_FromLongLong(count);
}

static PyObject *report(PyObject *self, PyObject *args) {
    const char *status, *detail;
    int exit_code;
    if (!PyArg_ParseTuple(args, "ssi", &status, &detail, &exit_code)) return NULL;
    if (!from_control("report")) return NULL;
    write_report(status, detail, exit_code);
    Py_RETURN_NONE;
}

static PyObject *finish(PyObject *self, PyObject *args) {
    const char *status, *detail;
    int exit_code;
    if (!PyArg_ParseTuple(args, "ssi", &status, &detail, &exit_code)) return NULL;
    if (!from_control("finish")) return NULL;
    om_end_run(status, detail, exit_code);
    Py_RETURN_NONE; /* not reached */
}

static PyMethodDef methods[] = {
    {"arm", arm, METH_VARARGS,
     "arm(token, report_fd, meter, library, run_dir, read_roots): set up once; installs the "
     "audit policy.  The calling frame becomes the only one that may call the functions below."},
    {"start", start, METH_O, "start(budget): begin a run (count 0; budget -1: none)."},
    {"stop", stop, METH_NOARGS, "stop() -> steps: end the run; the process stays armed."},
    {"steps", steps, METH_NOARGS, "steps() -> steps of the current or last run."},
    {"report", report, METH_VARARGS,
     "report(status, detail, exit_code): write a report line (steps of the last run), go on."},
    {"finish", finish, METH_VARARGS,
     "finish(status, detail, exit_code): flush stdio, write the report line, _exit(exit_code)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_opmeter",
    "Exact bytecode-instruction meter, audit policy and one-shot run reporter for the sandboxed "
    "Python child.",
    -1, methods,
};

PyMODINIT_FUNC PyInit__opmeter(void) { return PyModule_Create(&module); }
