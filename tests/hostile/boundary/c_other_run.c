/* Looks for another concurrent run's file in /tmp and through /proc/PID/cwd. */
#include <dirent.h>
#include <stdio.h>
static int try(const char *folder) {
    char path[512], buffer[256];
    snprintf(path, sizeof path, "%s/other-@MARKER@", folder);
    FILE *f = fopen(path, "r");
    if (f == NULL || fgets(buffer, sizeof buffer, f) == NULL) return 0;
    fputs(buffer, stdout);
    return 1;
}
int main(void) {
    int escaped = 0;
    char folder[512];
    const char *roots[] = {"/tmp", "/proc", "/dev/shm", "/run", NULL};
    for (int r = 0; roots[r] != NULL; r++) {
        DIR *d = opendir(roots[r]);
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL) {
            snprintf(folder, sizeof folder, "%s/%s", roots[r], e->d_name);
            escaped |= try(folder);
            snprintf(folder, sizeof folder, "%s/%s/cwd", roots[r], e->d_name);
            escaped |= try(folder);
        }
    }
    if (!escaped) puts("blocked");
    return 0;
}
