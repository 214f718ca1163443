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
   The genuine code is loaded in C from the file's valid .pyc or compiled from its source
   (_opmeter_library.c).  So the interpreter's start-up, library code and the output flush
   cost nothing, the count depends only on the program text and its input, and code the
   program compiles under a library or "<frozen ...>" file name ends the run `forbidden`.  The
   verdict is kept in the code object's co_extra slot (PEP 523), which Python code cannot read
   or write.

   The meter cannot be switched off or lowered by the program: the count and the budget are C
   statics; the frame attribute f_trace_opcodes is replaced by a descriptor that ends the run
   `forbidden` when a running program writes it; sys.settrace/sys.setprofile, thread starts
   (including a re-created _thread module) and every other refused operation end the run
   `forbidden` through the C audit hook of _opmeter_policy.c.  When the count would exceed the
   budget the meter flushes sys.stdout/sys.stderr, reports "step_limit" and ends the process
   with _exit: no exception a program could catch.

   API (each control call must come from the frame that called arm(), so the program, which
   runs in frames of its own, cannot call them):
     arm(token, report_fd, meter, library, run_dir, read_roots[, report_call, statuses])
                     once per process; report_call: None or (syscall number, magic)
     start(budget)   begin a run: count 0, budget steps (-1: none); tracing on when metering
     stop() -> int   end the run (tracing off) and return its steps; the process stays armed
     steps() -> int  steps of the current or last run (anyone may read it)
     report(status, detail, exit_code)  write a report line and go on (a warm evaluator's)
     allocation_failed() -> bool  an allocation really failed (a raised MemoryError is not
                     status memory unless one did)
     finish(status, detail, exit_code)  flush stdio, write the report line, _exit
   A step_limit, or a refusal, ends the process (os._exit): a warm evaluator that runs many
   programs in one process starts a new one after it.
   The final report (finish(), a step_limit, a refusal) goes, when arm() was given report_call,
   through the report call of quines_text/_launcher.c: syscall(NR, MAGIC, index of the status
   in `statuses`, steps or -1, exit code), a seccomp user notification that only the launcher
   receives, that it accepts once and only from this process, so no byte the program writes
   can stand in for it; the detail is not sent.  Without report_call (no seccomp
   notifications) it is one line "TOKEN STATUS STEPS EXIT DETAIL\n" written to report_fd, as
   report()'s lines always are. */
#include "_opmeter.h"
#include <frameobject.h>
#define Py_BUILD_CORE 1
#include "internal/pycore_frame.h"
#undef Py_BUILD_CORE
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int om_state = OM_UNARMED, om_metering = 0, om_setting_trace = 0;
static long long count = 0, budget = -1;
static int ending = 0, report_fd = -1;
static char token[65];
static PyObject *control = NULL;      /* the frame that called arm() */
#define MAX_STATUSES 16
static long report_nr = -1, report_magic = 0; /* the report call; report_nr -1: the pipe */
static char status_names[MAX_STATUSES][32];
static int status_count = 0;

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
    if (report_nr >= 0) {
        for (int i = 0; i < status_count; i++) {
            if (strcmp(status_names[i], status) == 0) {
                syscall(report_nr, report_magic, (long)i, om_metering ? (long)count : -1L,
                        (long)exit_code);
                break;
            }
        }
    } else {
        write_report(status, detail, exit_code);
    }
    _exit(exit_code);
}

/* report_call: None or (number, magic); statuses: tuple of str (their order is the index) */
static int set_report_call(PyObject *call, PyObject *names) {
    if (call == NULL || call == Py_None) return 0;
    if (!PyTuple_Check(call) || PyTuple_GET_SIZE(call) != 2 || names == NULL
        || !PyTuple_Check(names) || PyTuple_GET_SIZE(names) > MAX_STATUSES) {
        PyErr_SetString(PyExc_ValueError,
                        "report_call must be (number, magic) with a tuple of statuses");
        return -1;
    }
    long nr = PyLong_AsLong(PyTuple_GET_ITEM(call, 0));
    long magic = PyLong_AsLong(PyTuple_GET_ITEM(call, 1));
    if (PyErr_Occurred()) return -1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
        const char *name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(names, i));
        if (name == NULL) return -1;
        if (strlen(name) >= sizeof status_names[0]) {
            PyErr_SetString(PyExc_ValueError, "status name too long");
            return -1;
        }
        strcpy(status_names[i], name);
    }
    status_count = (int)PyTuple_GET_SIZE(names);
    report_nr = nr < 0 ? -1 : nr;
    report_magic = magic;
    return 0;
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
        frame->f_trace_opcodes = (char)om_counted(code);
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

static void watch_allocations(void);

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
    PyObject *prefixes, *run_dir, *read_roots, *call = NULL, *names = NULL;
    if (!PyArg_ParseTuple(args, "y#ipO!UO!|OO", &tok, &tok_len, &fd, &meter, &PyTuple_Type,
                          &prefixes, &run_dir, &PyTuple_Type, &read_roots, &call, &names))
        return NULL;
    if (om_state != OM_UNARMED) {
        PyErr_SetString(PyExc_RuntimeError, "the meter is already armed");
        return NULL;
    }
    if (tok_len <= 0 || tok_len >= (Py_ssize_t)sizeof token) {
        PyErr_SetString(PyExc_ValueError, "token must be 1 to 64 bytes");
        return NULL;
    }
    if (set_report_call(call, names) < 0 || om_library_arm(prefixes) < 0) return NULL;
    watch_allocations();
    memcpy(token, tok, (size_t)tok_len);
    token[tok_len] = '\0';
    report_fd = fd;
    om_metering = meter;
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

/* ---- allocation failures: a MemoryError is status memory only after a real one ---- */

static PyMemAllocatorEx raw_allocator;
static PyObjectArenaAllocator arena_allocator;
static volatile int allocation_failed = 0;

static void *raw_malloc(void *ctx, size_t n) {
    void *p = raw_allocator.malloc(raw_allocator.ctx, n);
    if (p == NULL) allocation_failed = 1;
    return p;
}

static void *raw_calloc(void *ctx, size_t count_, size_t size) {
    void *p = raw_allocator.calloc(raw_allocator.ctx, count_, size);
    if (p == NULL) allocation_failed = 1;
    return p;
}

static void *raw_realloc(void *ctx, void *old, size_t n) {
    void *p = raw_allocator.realloc(raw_allocator.ctx, old, n);
    if (p == NULL) allocation_failed = 1;
    return p;
}

static void raw_free(void *ctx, void *p) { raw_allocator.free(raw_allocator.ctx, p); }

static void *arena_alloc(void *ctx, size_t n) {
    void *p = arena_allocator.alloc(arena_allocator.ctx, n);
    if (p == NULL) allocation_failed = 1;
    return p;
}

static void arena_free(void *ctx, void *p, size_t n) {
    arena_allocator.free(arena_allocator.ctx, p, n);
}

/* Hooks that call the allocators in place (allowed after start-up): they only note failures. */
static void watch_allocations(void) {
    PyMem_GetAllocator(PYMEM_DOMAIN_RAW, &raw_allocator);
    PyMemAllocatorEx raw = {NULL, raw_malloc, raw_calloc, raw_realloc, raw_free};
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &raw);
    PyObject_GetArenaAllocator(&arena_allocator);
    PyObjectArenaAllocator arena = {NULL, arena_alloc, arena_free};
    PyObject_SetArenaAllocator(&arena);
}

static PyObject *allocation_failed_(PyObject *self, PyObject *unused) {
    return PyBool_FromLong(allocation_failed);
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
     "arm(token, report_fd, meter, library, run_dir, read_roots[, report_call, statuses]): set "
     "up once; installs the audit policy.  report_call (number, magic): the final report is "
     "that syscall, not a line on report_fd.  The calling frame becomes the only one that may "
     "call the functions below."},
    {"start", start, METH_O, "start(budget): begin a run (count 0; budget -1: none)."},
    {"stop", stop, METH_NOARGS, "stop() -> steps: end the run; the process stays armed."},
    {"steps", steps, METH_NOARGS, "steps() -> steps of the current or last run."},
    {"allocation_failed", allocation_failed_, METH_NOARGS,
     "allocation_failed() -> True once an allocation of the interpreter failed since arm()."},
    {"report", report, METH_VARARGS,
     "report(status, detail, exit_code): write a report line (steps of the last run), go on."},
    {"finish", finish, METH_VARARGS,
     "finish(status, detail, exit_code): flush stdio, make the report call (or write the "
     "report line), _exit(exit_code)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_opmeter",
    "Exact bytecode-instruction meter, audit policy and one-shot run reporter for the sandboxed "
    "Python child.",
    -1, methods,
};

PyMODINIT_FUNC PyInit__opmeter(void) { return PyModule_Create(&module); }
