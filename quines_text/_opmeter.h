/* Shared state of quines_text._opmeter: the meter (_opmeter.c), its library-code test
   (_opmeter_library.c) and its audit policy (_opmeter_policy.c).  Everything here is C static
   state, out of reach of Python code. */
#ifndef RSI_OPMETER_H
#define RSI_OPMETER_H
#define PY_SSIZE_T_CLEAN
#include <Python.h>

enum { OM_UNARMED = 0, OM_IDLE = 1, OM_RUNNING = 2 };

extern int om_state;          /* OM_UNARMED, OM_IDLE (armed, no run) or OM_RUNNING */
extern int om_metering;       /* 1 on the metered machine */
extern int om_setting_trace;  /* 1 while the meter itself calls PyEval_SetTrace */

/* Flush stdio, make the report call (or, without one, write the report line), _exit(exit_code).
   Never returns. */
void om_end_run(const char *status, const char *detail, int exit_code);

/* 1 when `code` is the program's (counted), 0 for library code (_opmeter_library.c). */
int om_counted(PyCodeObject *code);

/* Take what the library test needs before the program runs; prefixes: tuple of str. */
int om_library_arm(PyObject *prefixes);

/* Install the C audit hook and the import guards; run_dir and read_roots are str. */
int om_policy_arm(PyObject *run_dir, PyObject *read_roots);

#endif
