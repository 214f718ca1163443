/* quines_text._opmeter: the exact step meter of the metered Python machine, and the one-shot
   reporter through which a sandboxed Python child tells quines_text.sandbox how it ended.

   Mahoney 2008, section Goals: P(t) is what P prints "after t time steps" of a fixed machine.
   On the `python` machine one step is one executed bytecode instruction of the program's own
   code: a C trace function (PyEval_SetTrace) counts PyTrace_OPCODE events, which CPython 3.11
   emits once per executed instruction (not for RESUME, nor for the CACHE entries that follow
   some instructions) in frames whose f_trace_opcodes is set.  It sets f_trace_opcodes on the
   call event of every frame whose code was not loaded from an excluded prefix (the Python
   installation, frozen modules, the sandbox bootstrap), so the interpreter's start-up, library
   code and the output flush cost nothing and the count depends only on the program text and
   its input.  When the count would exceed the budget the meter flushes sys.stdout/sys.stderr,
   reports "step_limit" and ends the process with _exit: no exception a program could catch,
   and no interpreter shutdown during which the tracer would keep firing.

   The report is one line "TOKEN STATUS STEPS EXIT DETAIL\n" written to a file descriptor
   given by the parent; TOKEN is a per-run secret held only here, so lines that the program
   itself writes to that descriptor are ignored by the parent.  arm(), start() and finish()
   each work once per process. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>
#define Py_BUILD_CORE 1
#include "internal/pycore_frame.h"
#undef Py_BUILD_CORE
#include <string.h>
#include <unistd.h>

#define CACHE_SIZE 16

static long long count = 0;
static long long budget = -1; /* -1: no budget (count only) */
static int metering = 0, armed = 0, started = 0;
static int setting_trace = 0; /* 1 while the meter itself calls PyEval_SetTrace (audited) */
static int report_fd = -1;
static char token[65];
static PyObject *excluded = NULL; /* tuple of str prefixes of co_filename that are not counted */
static PyObject *cache_key[CACHE_SIZE]; /* co_filename objects already classified (owned refs) */
static char cache_counted[CACHE_SIZE];
static int cache_next = 0;

static int is_counted(PyObject *filename) {
    for (int i = 0; i < CACHE_SIZE; i++) {
        if (cache_key[i] == filename) return cache_counted[i];
    }
    int counted = 1;
    Py_ssize_t n = PyTuple_GET_SIZE(excluded);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t hit = PyUnicode_Tailmatch(filename, PyTuple_GET_ITEM(excluded, i), 0,
                                             PY_SSIZE_T_MAX, -1);
        if (hit == 1) { counted = 0; break; }
        if (hit < 0) PyErr_Clear();
    }
    Py_XDECREF(cache_key[cache_next]);
    Py_INCREF(filename);
    cache_key[cache_next] = filename;
    cache_counted[cache_next] = (char)counted;
    cache_next = (cache_next + 1) % CACHE_SIZE;
    return counted;
}

static void flush_stream(const char *name) {
    PyObject *stream = PySys_GetObject(name); /* borrowed */
    if (stream != NULL && stream != Py_None) {
        PyObject *r = PyObject_CallMethod(stream, "flush", NULL);
        Py_XDECREF(r);
    }
    PyErr_Clear();
}

static void write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n <= 0) return;
        buf += n;
        len -= (size_t)n;
    }
}

/* Stop metering, flush the program's output, write the report line and end the process. */
static void set_trace(Py_tracefunc func) {
    setting_trace = 1;
    PyEval_SetTrace(func, NULL);
    setting_trace = 0;
    PyErr_Clear();
}

static void end_run(const char *status, const char *detail, int exit_code) {
    long long steps_used = count;
    budget = -1; /* the flush below may run Python code: keep counting, never stop again */
    flush_stream("stdout");
    flush_stream("stderr");
    char line[1024], steps[32];
    if (metering) snprintf(steps, sizeof steps, "%lld", steps_used);
    else snprintf(steps, sizeof steps, "-");
    int n = snprintf(line, sizeof line - 1, "%s %s %s %d %s", token, status, steps, exit_code,
                     detail);
    if (n < 0) n = 0;
    if (n > (int)sizeof line - 2) n = sizeof line - 2;
    for (int i = 0; i < n; i++) {
        if (line[i] == '\n' || line[i] == '\r') line[i] = ' ';
    }
    line[n++] = '\n';
    write_all(report_fd, line, (size_t)n);
    _exit(exit_code);
}

static int tracer(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg) {
    if (what == PyTrace_OPCODE) {
        if (budget >= 0 && count >= budget) end_run("step_limit", "", 1);
        count++;
        return 0;
    }
    if (what == PyTrace_CALL) {
        PyCodeObject *code = PyFrame_GetCode(frame);
        int counted = is_counted(code->co_filename);
        Py_DECREF(code);
        frame->f_trace_lines = 0;
        frame->f_trace_opcodes = (char)counted;
    }
    return 0;
}

static PyObject *arm(PyObject *self, PyObject *args) {
    const char *tok;
    Py_ssize_t tok_len;
    int fd, meter;
    long long steps_budget;
    PyObject *prefixes;
    if (!PyArg_ParseTuple(args, "y#iLpO!", &tok, &tok_len, &fd, &steps_budget, &meter,
                          &PyTuple_Type, &prefixes))
        return NULL;
    if (armed) {
        PyErr_SetString(PyExc_RuntimeError, "the meter is already armed");
        return NULL;
    }
    if (tok_len <= 0 || tok_len >= (Py_ssize_t)sizeof token) {
        PyErr_SetString(PyExc_ValueError, "token must be 1 to 64 bytes");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(prefixes); i++) {
        if (!PyUnicode_Check(PyTuple_GET_ITEM(prefixes, i))) {
            PyErr_SetString(PyExc_TypeError, "excluded prefixes must be str");
            return NULL;
        }
    }
    memcpy(token, tok, (size_t)tok_len);
    token[tok_len] = '\0';
    report_fd = fd;
    budget = steps_budget;
    metering = meter;
    Py_INCREF(prefixes);
    excluded = prefixes;
    armed = 1;
    Py_RETURN_NONE;
}

static PyObject *start(PyObject *self, PyObject *unused) {
    if (!armed || started) {
        PyErr_SetString(PyExc_RuntimeError, "start() needs arm() first and works once");
        return NULL;
    }
    started = 1;
    if (metering) set_trace(tracer);
    Py_RETURN_NONE;
}

static PyObject *finish(PyObject *self, PyObject *args) {
    const char *status, *detail;
    int exit_code;
    if (!PyArg_ParseTuple(args, "ssi", &status, &detail, &exit_code)) return NULL;
    if (!armed) {
        PyErr_SetString(PyExc_RuntimeError, "finish() needs arm() first");
        return NULL;
    }
    end_run(status, detail, exit_code);
    Py_RETURN_NONE; /* not reached */
}

static PyObject *is_setting_trace(PyObject *self, PyObject *unused) {
    return PyBool_FromLong(setting_trace);
}

static PyMethodDef methods[] = {
    {"is_setting_trace", is_setting_trace, METH_NOARGS,
     "True while the meter itself switches tracing (its sys.settrace audit event is allowed)."},
    {"arm", arm, METH_VARARGS,
     "arm(token, report_fd, budget, meter, excluded_prefixes): set up once (budget -1: none)."},
    {"start", start, METH_NOARGS, "Start counting (when metering); works once."},
    {"finish", finish, METH_VARARGS,
     "finish(status, detail, exit_code): flush stdio, write the report line, _exit(exit_code)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_opmeter",
    "Exact bytecode-instruction meter and one-shot run reporter for the sandboxed Python child.",
    -1, methods,
};

PyMODINIT_FUNC PyInit__opmeter(void) { return PyModule_Create(&module); }
