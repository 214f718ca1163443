/* Which code is library code, for quines_text._opmeter's step meter (Mahoney 2008, section
   Goals: the steps of the program's own code are P's time steps).

   A code object is library code only when it is equal (code objects compare their
   instructions, constants, names and tables) to a code object of the genuine file its
   co_filename names, under one of the library folders given to arm() (the standard library,
   the bootstrap), or of the frozen module "<frozen NAME>" names (_imp.get_frozen_object,
   taken before the program runs).  The genuine code is loaded here, in C, from the file's
   valid .pyc (checked as importlib checks it) or compiled from its source.  Code that names
   a library file but is not its code ends the run `forbidden`; constants whose comparison
   could run Python code (any object put into co_consts with code.replace) count as not
   equal.  The verdict is kept in the code object's co_extra slot (PEP 523). */
#include "_opmeter.h"
#include <marshal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define COUNTED ((void *)1)
#define LIBRARY ((void *)2)
#define MAX_CONST_DEPTH 64

static PyObject *library = NULL;      /* tuple of str: folders and files of library code */
static PyObject *genuine = NULL;      /* dict: filename -> {firstlineno: [code, ...]} or None */
static PyObject *get_frozen = NULL;   /* _imp.get_frozen_object, taken at arm() */
static PyObject *cache_tag = NULL;    /* sys.implementation.cache_tag, taken at arm() */
static Py_ssize_t extra_index = -1;

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

int om_counted(PyCodeObject *code) {
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

int om_library_arm(PyObject *prefixes) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(prefixes); i++) {
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(prefixes, i))) {
            PyErr_SetString(PyExc_TypeError, "library folders must be str");
            return -1;
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
        genuine == NULL || frozen_prefix == NULL || bootstrap_name == NULL || extra_index < 0) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "cannot arm the meter");
        return -1;
    }
    Py_INCREF(prefixes);
    library = prefixes;
    return 0;
}
