/* placeholder until the owning work lands */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "_opmeter", NULL, -1, NULL};
PyMODINIT_FUNC PyInit__opmeter(void) { return PyModule_Create(&mod); }
