/* The driver of the metered JavaScript machine js-wasm (quines_text/machines/js_wasm.py):
 * QuickJS compiled to wasm32-wasi, run under wasmtime with fuel metering.
 *
 * stdin carries the program and its input: a first line with the program's length in bytes
 * (decimal), that many bytes of JavaScript source, then the program's own stdin.  The driver
 * defines four natives (__write, __write_err, __read_stdin, __exit), evaluates the prelude
 * PRELUDE_JS (prelude.js: node's process.stdout.write, require('fs').readFileSync(0, ...),
 * console.log with util.format's specifiers, print, process.exit, process.argv) and then the program with JS_Eval as a global script
 * named prog.js, and runs the pending promise jobs.  An uncaught exception is written to
 * stderr and the exit code is 1 (as node does); a malformed header is exit code 2.
 * No file, clock or network function of QuickJS's libc is linked: the program can reach
 * nothing but its streams.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quickjs.h"

/* qjs_wasi.h redirects quickjs.c's fesetround and snprintf here (see there why) */
#undef fesetround
#undef snprintf

static int rounding = FE_TONEAREST;

int qjs_fesetround(int mode)
{
    rounding = mode;
    return 0;
}

/* keep the first `keep` of `len` digits; round the magnitude up when `up` and a dropped digit
   is not 0; returns 1 when the carry runs out of the kept digits (all were 9) */
static int round_digits(char *digits, int len, int keep, int up)
{
    int inexact = 0;
    for (int i = keep; i < len; i++)
        inexact |= digits[i] != '0';
    if (!up || !inexact)
        return 0;
    for (int i = keep - 1; i >= 0; i--) {
        if (digits[i] != '9') {
            digits[i]++;
            return 0;
        }
        digits[i] = '0';
    }
    return 1;
}

/* "%.*f" and "%+.*e" of d rounded in the direction `rounding` from its exact decimal expansion
   (musl's printf is exact: a double has at most 767 significant and 1074 fractional digits) */
static int directed(char *buf, size_t size, int fixed, int precision, double d)
{
    char exact[1400], digits[1400];
    int negative = signbit(d) != 0, up = (rounding == FE_UPWARD) != negative;
    int len = 0, exponent = 0, whole;
    if (fixed) {
        snprintf(exact, sizeof exact, "%.*f", 1100, fabs(d));
        for (const char *p = exact; *p; p++)
            if (*p != '.')
                digits[len++] = *p;
        whole = len - 1100;
        if (round_digits(digits, len, whole + precision, up)) {
            memmove(digits + 1, digits, (size_t)len);
            digits[0] = '1';
            whole++;
        }
        digits[whole + precision] = '\0';
        return snprintf(buf, size, "%s%.*s%s%s", negative ? "-" : "", whole, digits,
                        precision ? "." : "", digits + whole);
    }
    snprintf(exact, sizeof exact, "%.*e", 800, fabs(d));
    const char *e = strchr(exact, 'e');
    for (const char *p = exact; p < e; p++)
        if (*p != '.')
            digits[len++] = *p;
    exponent = atoi(e + 1);
    if (round_digits(digits, len, precision + 1, up)) {
        digits[0] = '1';
        exponent++;
    }
    digits[precision + 1] = '\0';
    return snprintf(buf, size, "%c%c%s%s%c%c%02d", negative ? '-' : '+', digits[0],
                    precision ? "." : "", digits + 1, 'e', exponent < 0 ? '-' : '+', abs(exponent));
}

int qjs_snprintf(char *buf, size_t size, const char *format, ...)
{
    va_list args;
    int n;
    va_start(args, format);
    int fixed = strcmp(format, "%.*f") == 0;
    if (rounding != FE_TONEAREST && (fixed || strcmp(format, "%+.*e") == 0)) {
        int precision = va_arg(args, int);
        double d = va_arg(args, double);
        n = isfinite(d) ? directed(buf, size, fixed, precision, d) : snprintf(buf, size, format, precision, d);
    } else {
        n = vsnprintf(buf, size, format, args);
    }
    va_end(args);
    return n;
}

#ifndef JS_STACK_BYTES
/* QuickJS's own limit on the module's shadow stack (1 MiB, -z stack-size), set low enough that
   plain JS recursion ends in its catchable "stack overflow" error (about 400 calls deep) before
   wasmtime's 512 KiB native stack traps (about 540 calls deep); native-heavy paths may still trap */
#define JS_STACK_BYTES (160 * 1024)
#endif

static char *input;
static size_t input_len, input_pos;

/* PRELUDE_JS: prelude.js as a C string, written into qjs_prelude.h by the build (js_wasm.py) */
#include "qjs_prelude.h"

static JSValue put(JSContext *ctx, FILE *stream, int argc, JSValueConst *argv)
{
    for (int i = 0; i < argc; i++) {
        size_t len;
        const char *s = JS_ToCStringLen(ctx, &len, argv[i]);
        if (!s)
            return JS_EXCEPTION;
        size_t done = fwrite(s, 1, len, stream);
        JS_FreeCString(ctx, s);
        if (done != len)
            return JS_ThrowInternalError(ctx, "write failed");
    }
    return JS_UNDEFINED;
}

static JSValue js_write(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return put(ctx, stdout, argc, argv);
}

static JSValue js_write_err(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return put(ctx, stderr, argc, argv);
}

/* The rest of stdin, once: a second call returns the empty string (node's readFileSync(0)). */
static JSValue js_read_stdin(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    JSValue s = JS_NewStringLen(ctx, input + input_pos, input_len - input_pos);
    input_pos = input_len;
    return s;
}

static JSValue js_exit(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int code = 0;
    if (argc > 0 && JS_ToInt32(ctx, &code, argv[0]))
        return JS_EXCEPTION;
    fflush(stdout);
    fflush(stderr);
    exit(code);
}

static int read_input(void)
{
    size_t cap = 1 << 16;
    input = malloc(cap);
    if (!input)
        return -1;
    for (;;) {
        if (input_len == cap) {
            char *grown = realloc(input, cap * 2);
            if (!grown)
                return -1;
            input = grown;
            cap *= 2;
        }
        ssize_t got = read(0, input + input_len, cap - input_len);
        if (got < 0)
            return -1;
        if (got == 0)
            return 0;
        input_len += (size_t)got;
    }
}

static void report_exception(JSContext *ctx)
{
    JSValue error = JS_GetException(ctx);
    const char *text = JS_ToCString(ctx, error);
    fprintf(stderr, "Uncaught %s\n", text ? text : "exception");
    if (text)
        JS_FreeCString(ctx, text);
    if (JS_IsError(ctx, error)) {
        JSValue stack = JS_GetPropertyStr(ctx, error, "stack");
        if (!JS_IsUndefined(stack)) {
            const char *trace = JS_ToCString(ctx, stack);
            if (trace) {
                fputs(trace, stderr);
                JS_FreeCString(ctx, trace);
            }
        }
        JS_FreeValue(ctx, stack);
    }
    JS_FreeValue(ctx, error);
}

static int eval(JSContext *ctx, const char *code, size_t len, const char *name)
{
    JSValue value = JS_Eval(ctx, code, len, name, JS_EVAL_TYPE_GLOBAL);
    if (JS_IsException(value)) {
        report_exception(ctx);
        return -1;
    }
    JS_FreeValue(ctx, value);
    return 0;
}

int main(void)
{
    if (read_input() != 0) {
        fputs("js-wasm: cannot read stdin\n", stderr);
        return 2;
    }
    size_t header = 0, length = 0;
    while (header < input_len && input[header] >= '0' && input[header] <= '9' && header < 12)
        length = length * 10 + (size_t)(input[header++] - '0');
    if (header == 0 || header >= input_len || input[header] != '\n' || length > input_len - header - 1) {
        fputs("js-wasm: stdin must start with the program's length in bytes and a newline\n", stderr);
        return 2;
    }
    const char *code = input + header + 1;
    input_pos = header + 1 + length;

    JSRuntime *rt = JS_NewRuntime();
    JSContext *ctx = rt ? JS_NewContext(rt) : NULL;
    if (!ctx) {
        fputs("js-wasm: out of memory at start-up\n", stderr);
        return 1;
    }
    JS_SetMaxStackSize(rt, JS_STACK_BYTES);
    JSValue global = JS_GetGlobalObject(ctx);
    JS_SetPropertyStr(ctx, global, "__write", JS_NewCFunction(ctx, js_write, "write", 1));
    JS_SetPropertyStr(ctx, global, "__write_err", JS_NewCFunction(ctx, js_write_err, "write", 1));
    JS_SetPropertyStr(ctx, global, "__read_stdin", JS_NewCFunction(ctx, js_read_stdin, "readFileSync", 0));
    JS_SetPropertyStr(ctx, global, "__exit", JS_NewCFunction(ctx, js_exit, "exit", 1));
    JS_FreeValue(ctx, global);

    /* JS_Eval needs a NUL after the code: copy it (the copy's fuel is counted like the rest) */
    char *program = malloc(length + 1);
    if (!program) {
        fputs("js-wasm: out of memory\n", stderr);
        return 1;
    }
    memcpy(program, code, length);
    program[length] = '\0';
    int status = eval(ctx, PRELUDE_JS, sizeof PRELUDE_JS - 1, "<prelude>");
    if (status == 0)
        status = eval(ctx, program, length, "prog.js");
    while (status == 0) {
        JSContext *job;
        int ran = JS_ExecutePendingJob(rt, &job);
        if (ran == 0)
            break;
        if (ran < 0) {
            report_exception(job);
            status = -1;
        }
    }
    fflush(stdout);
    fflush(stderr);
    /* no JS_FreeContext / JS_FreeRuntime: the instance ends here, its memory goes with it */
    return status == 0 ? 0 : 1;
}
