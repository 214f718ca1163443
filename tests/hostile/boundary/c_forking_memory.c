/* Four processes of 100 MiB each: every one is under a 256 MiB limit, together they are not. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
    for (int i = 0; i < 3; i++) if (fork() == 0) break;
    char *p = malloc(100 << 20);
    if (p != NULL) memset(p, 1, 100 << 20);
    sleep(3);
    while (wait(0) > 0) {}
    return p == NULL ? 2 : p[12345] - 1; /* uses the memory, so the compiler keeps it */
}
