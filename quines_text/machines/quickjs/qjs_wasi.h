/* Compatibility of QuickJS 2021-03-27 with wasm32-wasi, force-included (-include) before each
 * upstream file so that the upstream sources stay byte-identical to the quickjs sdist.
 * malloc_usable_size is declared in <malloc.h>, which quickjs.c includes on Linux only.
 * WebAssembly has one floating-point rounding mode (to nearest), so fesetround cannot give
 * quickjs.c's js_ecvt1 / js_fcvt1 the directed roundings they use to round exact decimal ties
 * away from zero (Number.prototype.toFixed, toPrecision, toExponential): fesetround and
 * snprintf are redirected to qjs_fesetround / qjs_snprintf (qjs_main.c), which record the mode
 * and round the exact decimal expansion of the number in that direction. */
#ifndef QJS_WASI_H
#define QJS_WASI_H
#include <stddef.h>
#include <stdio.h>
#include <malloc.h>
#include <fenv.h>
#ifndef FE_DOWNWARD
#define FE_DOWNWARD 0x400
#endif
#ifndef FE_UPWARD
#define FE_UPWARD 0x800
#endif
int qjs_fesetround(int mode);
int qjs_snprintf(char *buf, size_t size, const char *format, ...);
#define fesetround qjs_fesetround
#define snprintf qjs_snprintf
#endif
