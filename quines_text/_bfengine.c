/* BF and BFF engines with exact step counts (the Computational Life soup, Aguera y Arcas et al. 2024, runs on BFF).
 *
 * BF: the 8 classic instructions on a tape of byte cells (wrapping).  The program is compiled
 * once into an instruction array with a precomputed jump for every bracket, then run by a
 * switch loop.  One step is one executed instruction among the 8; other characters are
 * comments and are dropped at compile time, so they cost nothing and are not counted.  The
 * budget is checked before each instruction: a run executes at most `budget` instructions.
 *
 * BFF (Computational Life, Aguera y Arcas et al. 2024; NOTES.md): the tape is the program and
 * the data; two heads and a pc; every loop iteration is one step (no-ops and bracket scans
 * included); heads wrap modulo the tape length; a run ends at the step limit or when the pc
 * leaves the tape (an unmatched bracket sends it out).  The program modifies itself, so
 * bracket partners cannot be fixed before the run: they are computed when first needed and
 * recomputed only after a write creates or destroys a bracket byte, which gives the same
 * jumps as the reference engine's (cubff) scan from the bracket.
 *
 * Both engines release the GIL while they run.  The batch entry points run many BFF tapes
 * (stored back to back, or built from pairs of soup programs), spreading them over POSIX
 * threads that take chunks from a shared atomic counter.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------- BF */

enum { BF_INC, BF_DEC, BF_RIGHT, BF_LEFT, BF_OUT, BF_IN, BF_OPEN, BF_CLOSE, BF_END };

typedef struct {
    uint32_t op;
    uint32_t jump; /* for brackets: index of the matching bracket */
} BfInstr;

typedef enum { ST_OK, ST_STEP_LIMIT, ST_OUTPUT_LIMIT, ST_CRASH, ST_COMPILE_ERROR } BfStatus;

static const char *const BF_STATUS_NAMES[] = {"ok", "step_limit", "output_limit", "crash",
                                              "compile_error"};

/* Compile `src` into `code` (room for len + 1 instructions).  On an unmatched bracket,
 * returns -1 and sets *bad_at to its offset in the source. */
static Py_ssize_t bf_compile(const char *src, Py_ssize_t len, BfInstr *code, Py_ssize_t *bad_at)
{
    Py_ssize_t n = 0, depth = 0;
    Py_ssize_t *open_at = malloc(sizeof(Py_ssize_t) * (size_t)(len + 1)); /* source offsets */
    Py_ssize_t *open_ix = malloc(sizeof(Py_ssize_t) * (size_t)(len + 1)); /* instruction index */
    if (open_at == NULL || open_ix == NULL) {
        free(open_at);
        free(open_ix);
        *bad_at = -2;
        return -1;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        uint32_t op;
        switch (src[i]) {
        case '+': op = BF_INC; break;
        case '-': op = BF_DEC; break;
        case '>': op = BF_RIGHT; break;
        case '<': op = BF_LEFT; break;
        case '.': op = BF_OUT; break;
        case ',': op = BF_IN; break;
        case '[': op = BF_OPEN; break;
        case ']': op = BF_CLOSE; break;
        default: continue;
        }
        code[n].op = op;
        code[n].jump = 0;
        if (op == BF_OPEN) {
            open_at[depth] = i;
            open_ix[depth] = n;
            depth++;
        } else if (op == BF_CLOSE) {
            if (depth == 0) {
                *bad_at = i;
                n = -1;
                break;
            }
            depth--;
            code[n].jump = (uint32_t)open_ix[depth];
            code[open_ix[depth]].jump = (uint32_t)n;
        }
        n++;
    }
    if (n >= 0 && depth > 0) {
        *bad_at = open_at[depth - 1];
        n = -1;
    }
    free(open_at);
    free(open_ix);
    if (n >= 0)
        code[n].op = BF_END;
    return n;
}

typedef struct {
    uint8_t *data;
    size_t len, cap, limit;
} OutBuf;

/* Append one byte; 0 when the output would pass its limit (or memory runs out). */
static int out_put(OutBuf *out, uint8_t byte)
{
    if (out->len >= out->limit)
        return 0;
    if (out->len == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 4096;
        uint8_t *grown = realloc(out->data, cap);
        if (grown == NULL)
            return 0;
        out->data = grown;
        out->cap = cap;
    }
    out->data[out->len++] = byte;
    return 1;
}

static BfStatus bf_execute(const BfInstr *code, uint8_t *tape, size_t cells, const uint8_t *in,
                           size_t in_len, OutBuf *out, long long budget, long long *steps_out,
                           const char **why)
{
    const BfInstr *ip = code;
    size_t cell = 0, in_pos = 0;
    long long steps = 0;
    BfStatus status = ST_OK;
    for (;;) {
        if (ip->op == BF_END)
            break;
        if (steps == budget) {
            status = ST_STEP_LIMIT;
            break;
        }
        steps++;
        switch (ip->op) {
        case BF_INC: tape[cell]++; break;
        case BF_DEC: tape[cell]--; break;
        case BF_RIGHT:
            if (++cell == cells) {
                *why = "the data pointer moved right of the last cell";
                status = ST_CRASH;
                goto done;
            }
            break;
        case BF_LEFT:
            if (cell == 0) {
                *why = "the data pointer moved left of cell 0";
                status = ST_CRASH;
                goto done;
            }
            cell--;
            break;
        case BF_OUT:
            if (!out_put(out, tape[cell])) {
                *why = "the output passed its limit";
                status = ST_OUTPUT_LIMIT;
                goto done;
            }
            break;
        case BF_IN:
            if (in_pos < in_len)
                tape[cell] = in[in_pos++];
            break;
        case BF_OPEN:
            if (tape[cell] == 0)
                ip = code + ip->jump;
            break;
        case BF_CLOSE:
            if (tape[cell] != 0)
                ip = code + ip->jump;
            break;
        }
        ip++;
    }
done:
    *steps_out = steps;
    return status;
}

PyDoc_STRVAR(bf_run_doc,
"bf_run(source: bytes, stdin: bytes, budget: int, output_limit: int, cells: int)\n"
"    -> (status: str, stdout: bytes, steps: int, message: str)\n\n"
"Run a BF program.  status is ok, step_limit, output_limit, crash or compile_error;\n"
"steps is the number of executed instructions (at most budget).");

static PyObject *bf_run(PyObject *self, PyObject *args)
{
    Py_buffer src, in;
    long long budget;
    Py_ssize_t output_limit, cells;
    if (!PyArg_ParseTuple(args, "y*y*Lnn", &src, &in, &budget, &output_limit, &cells))
        return NULL;
    PyObject *result = NULL;
    BfInstr *code = NULL;
    uint8_t *tape = NULL;
    OutBuf out = {NULL, 0, 0, 0};
    if (budget < 0 || output_limit < 0 || cells < 1) {
        PyErr_SetString(PyExc_ValueError, "budget and output_limit must be >= 0, cells >= 1");
        goto cleanup;
    }
    out.limit = (size_t)output_limit;
    code = malloc(sizeof(BfInstr) * (size_t)(src.len + 1));
    tape = calloc((size_t)cells, 1);
    if (code == NULL || tape == NULL) {
        PyErr_NoMemory();
        goto cleanup;
    }
    Py_ssize_t bad_at = -1;
    if (bf_compile(src.buf, src.len, code, &bad_at) < 0) {
        if (bad_at == -2) {
            PyErr_NoMemory();
            goto cleanup;
        }
        PyObject *msg = PyUnicode_FromFormat("unmatched bracket '%c' at byte %zd",
                                             ((const char *)src.buf)[bad_at], bad_at);
        if (msg != NULL)
            result = Py_BuildValue("(sy#iN)", BF_STATUS_NAMES[ST_COMPILE_ERROR], "", (Py_ssize_t)0,
                                   0, msg);
        goto cleanup;
    }
    long long steps = 0;
    const char *why = "";
    BfStatus status;
    Py_BEGIN_ALLOW_THREADS
    status = bf_execute(code, tape, (size_t)cells, in.buf, (size_t)in.len, &out, budget, &steps,
                        &why);
    Py_END_ALLOW_THREADS
    result = Py_BuildValue("(sy#Ls)", BF_STATUS_NAMES[status], out.data ? (char *)out.data : "",
                           (Py_ssize_t)out.len, steps, why);
cleanup:
    free(code);
    free(tape);
    free(out.data);
    PyBuffer_Release(&src);
    PyBuffer_Release(&in);
    return result;
}

/* ------------------------------------------------------------------------------------ BFF */

static const uint8_t BFF_IS_OP[256] = {
    ['<'] = 1, ['>'] = 1, ['{'] = 1, ['}'] = 1, ['+'] = 1,
    ['-'] = 1, ['.'] = 1, [','] = 1, ['['] = 1, [']'] = 1,
};
static const uint8_t BFF_IS_BRACKET[256] = {['['] = 1, [']'] = 1};

/* Partner of every bracket of the tape: the matching ] of a [ (len if none), the matching [
 * of a ] (-1 if none).  Nearest-balanced matching, so this equals scanning from the bracket
 * with a depth counter as the reference engine does.  stack: room for len ints. */
static void bff_match_brackets(const uint8_t *tape, int len, int *match, int *stack)
{
    int depth = 0;
    for (int p = 0; p < len; p++) {
        if (tape[p] == '[') {
            stack[depth++] = p;
            match[p] = len;
        } else if (tape[p] == ']') {
            if (depth > 0) {
                int open = stack[--depth];
                match[open] = p;
                match[p] = open;
            } else {
                match[p] = -1;
            }
        }
    }
}

/* Run one BFF tape of length len in place for at most max_steps steps.  heads: the "bff"
 * variant (head0 = tape[0] % len, head1 = tape[1] % len, pc = 2); else "bff_noheads" (all 0).
 * scratch: room for 2 * len ints.  Returns the steps taken; *ops gets the steps that were
 * not no-ops; *halted whether the pc left the tape (rather than the run reaching max_steps).
 *
 * Speed, with the same counts as a plain loop: a run of no-ops is taken in one go, and bracket
 * partners are computed once and reused until a write creates or destroys a bracket byte. */
static long long bff_run_tape(uint8_t *tape, int len, long long max_steps, int heads,
                              int *scratch, long long *ops, int *halted)
{
    int h0 = 0, h1 = 0, pc = 0, matched = 0;
    int *match = scratch;
    long long steps = 0, noops = 0;
    *halted = 0;
    if (heads) {
        h0 = tape[0] % len;
        h1 = tape[1] % len;
        pc = 2;
    }
    if (pc >= len) {
        *halted = 1;
        *ops = 0;
        return 0;
    }
#define BFF_WRITE(cell, value)                                                  \
    do {                                                                        \
        uint8_t new_ = (value);                                                 \
        matched &= !(BFF_IS_BRACKET[tape[cell]] | BFF_IS_BRACKET[new_]);        \
        tape[cell] = new_;                                                      \
    } while (0)
#define BFF_REFRESH_MATCHES()                                                   \
    do {                                                                        \
        if (!matched) {                                                         \
            bff_match_brackets(tape, len, match, scratch + len);                \
            matched = 1;                                                        \
        }                                                                       \
    } while (0)
    while (steps < max_steps) {
        steps++;
        switch (tape[pc]) {
        case '<': h0 = (h0 == 0 ? len : h0) - 1; break;
        case '>': h0 = (h0 + 1 == len) ? 0 : h0 + 1; break;
        case '{': h1 = (h1 == 0 ? len : h1) - 1; break;
        case '}': h1 = (h1 + 1 == len) ? 0 : h1 + 1; break;
        case '+': BFF_WRITE(h0, tape[h0] + 1); break;
        case '-': BFF_WRITE(h0, tape[h0] - 1); break;
        case '.': BFF_WRITE(h1, tape[h0]); break;
        case ',': BFF_WRITE(h0, tape[h1]); break;
        case '[':
            if (tape[h0] == 0) {
                BFF_REFRESH_MATCHES();
                pc = match[pc]; /* len when unmatched: the pc leaves the tape below */
            }
            break;
        case ']':
            if (tape[h0] != 0) {
                BFF_REFRESH_MATCHES();
                if (match[pc] < 0) {
                    *halted = 1;
                    goto done;
                }
                pc = match[pc];
            }
            break;
        default: {
            /* A run of no-ops changes nothing but pc and the counts: take it in one go. */
            long long room = max_steps - steps;
            int end = (long long)(len - pc - 1) < room ? len : pc + 1 + (int)room, p = pc + 1;
            while (p < end && !BFF_IS_OP[tape[p]])
                p++;
            steps += p - pc - 1;
            noops += p - pc;
            pc = p - 1;
            break;
        }
        }
        if (++pc >= len) {
            *halted = 1;
            break;
        }
    }
#undef BFF_WRITE
#undef BFF_REFRESH_MATCHES
done:
    *ops = steps - noops;
    return steps;
}

PyDoc_STRVAR(bff_run_doc,
"bff_run(tape: bytearray, max_steps: int, heads: bool) -> (steps: int, ops: int, halted: bool)\n\n"
"Run one BFF tape in place.  ops counts the steps that were not no-ops; halted says the pc\n"
"left the tape before the step limit.");

static PyObject *bff_run(PyObject *self, PyObject *args)
{
    Py_buffer tape;
    long long max_steps;
    int heads;
    if (!PyArg_ParseTuple(args, "w*Lp", &tape, &max_steps, &heads))
        return NULL;
    if (tape.len < 2 || tape.len > INT32_MAX || max_steps < 0) {
        PyBuffer_Release(&tape);
        PyErr_SetString(PyExc_ValueError, "need a tape of at least 2 bytes and max_steps >= 0");
        return NULL;
    }
    int *scratch = malloc(sizeof(int) * 2 * (size_t)tape.len);
    if (scratch == NULL) {
        PyBuffer_Release(&tape);
        return PyErr_NoMemory();
    }
    long long steps, ops;
    int halted;
    Py_BEGIN_ALLOW_THREADS
    steps = bff_run_tape(tape.buf, (int)tape.len, max_steps, heads, scratch, &ops, &halted);
    Py_END_ALLOW_THREADS
    free(scratch);
    PyBuffer_Release(&tape);
    return Py_BuildValue("(LLO)", steps, ops, halted ? Py_True : Py_False);
}

typedef struct {
    uint8_t *tapes;       /* count tapes of len bytes back to back, or (with order) programs */
    const int64_t *order; /* NULL, or tape i = programs order[2i] and order[2i+1] (len / 2 each) */
    int64_t *steps, *ops; /* ops may be NULL */
    Py_ssize_t count;
    int len, heads;
    long long max_steps;
    Py_ssize_t next; /* shared work counter, taken in chunks */
} BffBatch;

enum { BFF_CHUNK = 64, BFF_MAX_THREADS = 64 };

static void *bff_batch_worker(void *arg)
{
    BffBatch *batch = arg;
    size_t half = (size_t)batch->len / 2;
    int *scratch = malloc(sizeof(int) * 2 * (size_t)batch->len + (size_t)batch->len);
    if (scratch == NULL)
        return NULL; /* the other workers take its share */
    uint8_t *pair = (uint8_t *)(scratch + 2 * batch->len);
    for (;;) {
        Py_ssize_t start = __atomic_fetch_add(&batch->next, BFF_CHUNK, __ATOMIC_RELAXED);
        if (start >= batch->count)
            break;
        Py_ssize_t stop = start + BFF_CHUNK < batch->count ? start + BFF_CHUNK : batch->count;
        for (Py_ssize_t i = start; i < stop; i++) {
            long long ops;
            int halted;
            uint8_t *tape = batch->tapes + i * batch->len, *first = NULL, *second = NULL;
            if (batch->order != NULL) {
                first = batch->tapes + batch->order[2 * i] * half;
                second = batch->tapes + batch->order[2 * i + 1] * half;
                memcpy(pair, first, half);
                memcpy(pair + half, second, half);
                tape = pair;
            }
            batch->steps[i] = bff_run_tape(tape, batch->len, batch->max_steps, batch->heads,
                                           scratch, &ops, &halted);
            if (batch->ops != NULL)
                batch->ops[i] = ops;
            if (batch->order != NULL) {
                memcpy(first, pair, half);
                memcpy(second, pair + half, half);
            }
        }
    }
    free(scratch);
    return NULL;
}

/* Run the batch on `threads` threads (the calling one included), without the GIL. */
static PyObject *bff_batch_run(BffBatch *batch, int threads)
{
    if (threads > BFF_MAX_THREADS)
        threads = BFF_MAX_THREADS;
    if (threads > batch->count / BFF_CHUNK + 1)
        threads = (int)(batch->count / BFF_CHUNK + 1);
    pthread_t workers[BFF_MAX_THREADS];
    int started = 0;
    Py_BEGIN_ALLOW_THREADS
    for (; started < threads - 1; started++)
        if (pthread_create(&workers[started], NULL, bff_batch_worker, batch) != 0)
            break; /* fewer threads: the calling thread still finishes every tape */
    bff_batch_worker(batch);
    for (int i = 0; i < started; i++)
        pthread_join(workers[i], NULL);
    Py_END_ALLOW_THREADS
    if (batch->next < batch->count) /* no worker got memory */
        return PyErr_NoMemory();
    return Py_NewRef(Py_None);
}

PyDoc_STRVAR(bff_run_batch_doc,
"bff_run_batch(tapes, length: int, max_steps: int, heads: bool, threads: int, steps, ops)\n\n"
"Run len(tapes) // length BFF tapes stored back to back, in place.  steps (and ops unless\n"
"None) are writable buffers of int64, one entry per tape.");

static PyObject *bff_run_batch(PyObject *self, PyObject *args)
{
    Py_buffer tapes, steps, ops = {0};
    int length, heads, threads;
    long long max_steps;
    PyObject *ops_obj;
    if (!PyArg_ParseTuple(args, "w*iLpiw*O", &tapes, &length, &max_steps, &heads, &threads,
                          &steps, &ops_obj))
        return NULL;
    PyObject *result = NULL;
    int have_ops = ops_obj != Py_None;
    if (have_ops && PyObject_GetBuffer(ops_obj, &ops, PyBUF_WRITABLE) < 0)
        goto cleanup_tapes;
    if (length < 2 || tapes.len % length != 0 || max_steps < 0 || threads < 1) {
        PyErr_SetString(PyExc_ValueError,
                        "need length >= 2 dividing the tapes' size, max_steps >= 0, threads >= 1");
        goto cleanup;
    }
    Py_ssize_t count = tapes.len / length;
    if (steps.len != count * (Py_ssize_t)sizeof(int64_t) ||
        (have_ops && ops.len != count * (Py_ssize_t)sizeof(int64_t))) {
        PyErr_SetString(PyExc_ValueError, "steps and ops need one int64 per tape");
        goto cleanup;
    }
    BffBatch batch = {tapes.buf, NULL, steps.buf, have_ops ? ops.buf : NULL, count, length,
                      heads, max_steps, 0};
    result = bff_batch_run(&batch, threads);
cleanup:
    if (have_ops)
        PyBuffer_Release(&ops);
cleanup_tapes:
    PyBuffer_Release(&tapes);
    PyBuffer_Release(&steps);
    return result;
}

PyDoc_STRVAR(bff_run_pairs_doc,
"bff_run_pairs(programs, program_len: int, order, max_steps: int, heads: bool, threads: int,\n"
"              steps, ops)\n\n"
"The soup's epoch: order (int64, a permutation of the programs) pairs programs order[2i] and\n"
"order[2i+1] into tape i (2 * program_len bytes), which is run and split back, in place.\n"
"steps (and ops unless None) are writable int64 buffers with one entry per pair.");

static PyObject *bff_run_pairs(PyObject *self, PyObject *args)
{
    Py_buffer programs, order, steps, ops = {0};
    int program_len, heads, threads;
    long long max_steps;
    PyObject *ops_obj;
    if (!PyArg_ParseTuple(args, "w*iy*Lpiw*O", &programs, &program_len, &order, &max_steps,
                          &heads, &threads, &steps, &ops_obj))
        return NULL;
    PyObject *result = NULL;
    char *seen = NULL;
    int have_ops = ops_obj != Py_None;
    if (have_ops && PyObject_GetBuffer(ops_obj, &ops, PyBUF_WRITABLE) < 0)
        goto cleanup_args;
    Py_ssize_t count = program_len > 0 ? programs.len / program_len : 0;
    Py_ssize_t pairs = count / 2;
    if (program_len < 1 || programs.len % program_len != 0 || count % 2 != 0 || max_steps < 0 ||
        threads < 1 || order.len != count * (Py_ssize_t)sizeof(int64_t) ||
        steps.len != pairs * (Py_ssize_t)sizeof(int64_t) ||
        (have_ops && ops.len != pairs * (Py_ssize_t)sizeof(int64_t))) {
        PyErr_SetString(PyExc_ValueError, "need an even number of programs, order with one int64 "
                        "per program, steps and ops with one int64 per pair");
        goto cleanup;
    }
    const int64_t *index = order.buf;
    seen = calloc((size_t)count + 1, 1);
    if (seen == NULL) {
        PyErr_NoMemory();
        goto cleanup;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        if (index[i] < 0 || index[i] >= count || seen[index[i]]) {
            PyErr_SetString(PyExc_ValueError, "order must be a permutation of the programs");
            goto cleanup;
        }
        seen[index[i]] = 1;
    }
    BffBatch batch = {programs.buf, index, steps.buf, have_ops ? ops.buf : NULL, pairs,
                      2 * program_len, heads, max_steps, 0};
    result = bff_batch_run(&batch, threads);
cleanup:
    free(seen);
    if (have_ops)
        PyBuffer_Release(&ops);
cleanup_args:
    PyBuffer_Release(&programs);
    PyBuffer_Release(&order);
    PyBuffer_Release(&steps);
    return result;
}

static PyMethodDef methods[] = {
    {"bf_run", bf_run, METH_VARARGS, bf_run_doc},
    {"bff_run", bff_run, METH_VARARGS, bff_run_doc},
    {"bff_run_batch", bff_run_batch, METH_VARARGS, bff_run_batch_doc},
    {"bff_run_pairs", bff_run_pairs, METH_VARARGS, bff_run_pairs_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_bfengine",
    "BF and BFF engines with exact step counts; see quines_text.machines.bf and .bff.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__bfengine(void) { return PyModule_Create(&module); }
