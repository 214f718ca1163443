/* writes a uniquely named file into /tmp: the filesystem is read-only outside the run folder */
#include <stdio.h>
int main(void) {
    FILE *f = fopen("/tmp/@MARKER@", "w");
    if (!f) { puts("refused"); return 3; }
    fputs("escaped", f);
    return fclose(f);
}
