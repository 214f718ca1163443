/* Reads a 0600 file of the host user and /etc/shadow. */
#include <stdio.h>
int main(void) {
    const char *paths[] = {"@SECRET@", "/etc/shadow", NULL};
    char buffer[256];
    int escaped = 0;
    for (int i = 0; paths[i] != NULL; i++) {
        FILE *f = fopen(paths[i], "r");
        if (f != NULL && fgets(buffer, sizeof buffer, f) != NULL) { fputs(buffer, stdout); escaped = 1; }
    }
    if (!escaped) puts("blocked");
    return 0;
}
