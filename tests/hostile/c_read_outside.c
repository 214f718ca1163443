/* @MARKER@: reads a file outside the run folder.  C has no audit hook: reading is allowed,
   writing is not (read-only filesystem); the test pins what the sandbox achieves. */
#include <stdio.h>
int main(void) {
    FILE *f = fopen("/etc/hostname", "r");
    if (!f) return 3;
    puts("read");
    return 0;
}
