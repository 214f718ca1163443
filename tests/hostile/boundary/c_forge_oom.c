/* Prints what an out-of-memory death prints, to be reported as status memory. */
#include <stdio.h>
int main(void) {
    fputs("Out Of Memory\nFATAL ERROR: Reached heap limit - JavaScript heap out of memory\n", stderr);
    return 1;
}
