/* Compatibility of QuickJS 2021-03-27 with wasm32-wasi, force-included (-include) before each
 * upstream file so that the upstream sources stay byte-identical to the quickjs sdist.
 * malloc_usable_size is declared in <malloc.h>, which quickjs.c includes on Linux only.
 * WebAssembly has one floating-point rounding mode (to nearest): FE_DOWNWARD and FE_UPWARD are
 * given values that fesetround rejects, so Number.prototype.toFixed / toPrecision round exact
 * decimal ties to even (printf's rounding) where JavaScript rounds them away from zero. */
#ifndef QJS_WASI_H
#define QJS_WASI_H
#include <malloc.h>
#include <fenv.h>
#ifndef FE_DOWNWARD
#define FE_DOWNWARD 0x400
#endif
#ifndef FE_UPWARD
#define FE_UPWARD 0x800
#endif
#endif
