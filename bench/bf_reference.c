/* The baseline of bench/bf_speed.py: a plain switch-based BF interpreter (gcc -O2).
 *
 * Usage: bf_reference PROGRAM.b < input > output.  Brackets are matched once before the run
 * (precomputed jumps); every executed instruction among the 8 counts one step, as in
 * quines_text._bfengine.  Byte cells, 30,000 of them, no bounds or budget checks.  Prints
 * "<steps> <seconds>" on stderr, timing the interpretation loop only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { INC, DEC, RIGHT, LEFT, OUT, IN, OPEN, CLOSE, END };

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PROGRAM.b\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    static char src[1 << 20];
    size_t len = fread(src, 1, sizeof src, f);
    fclose(f);

    static uint8_t op[1 << 20];
    static uint32_t jump[1 << 20];
    static uint32_t stack[1 << 20];
    size_t n = 0, depth = 0;
    for (size_t i = 0; i < len; i++) {
        switch (src[i]) {
        case '+': op[n++] = INC; break;
        case '-': op[n++] = DEC; break;
        case '>': op[n++] = RIGHT; break;
        case '<': op[n++] = LEFT; break;
        case '.': op[n++] = OUT; break;
        case ',': op[n++] = IN; break;
        case '[': stack[depth++] = n; op[n++] = OPEN; break;
        case ']':
            if (depth == 0) {
                fprintf(stderr, "unmatched ]\n");
                return 2;
            }
            depth--;
            jump[n] = stack[depth];
            jump[stack[depth]] = n;
            op[n++] = CLOSE;
            break;
        }
    }
    if (depth != 0) {
        fprintf(stderr, "unmatched [\n");
        return 2;
    }
    op[n] = END;

    static uint8_t tape[30000];
    uint8_t *cell = tape;
    unsigned long long steps = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t pc = 0; op[pc] != END; pc++) {
        steps++;
        switch (op[pc]) {
        case INC: (*cell)++; break;
        case DEC: (*cell)--; break;
        case RIGHT: cell++; break;
        case LEFT: cell--; break;
        case OUT: putchar(*cell); break;
        case IN: {
            int c = getchar();
            if (c != EOF)
                *cell = (uint8_t)c;
            break;
        }
        case OPEN:
            if (*cell == 0)
                pc = jump[pc];
            break;
        case CLOSE:
            if (*cell != 0)
                pc = jump[pc];
            break;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fflush(stdout);
    fprintf(stderr, "%llu %.9f\n", steps,
            (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    return 0;
}
