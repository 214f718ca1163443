/* Writes 15 MiB files until the disk says no (384 MiB if nothing stops it). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    static char block[1 << 20];
    memset(block, 'z', sizeof block);
    long written = 0;
    for (int f = 0; f < 26; f++) {
        char name[32];
        snprintf(name, sizeof name, "fill-%d", f);
        int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0) break;
        for (int i = 0; i < 15; i++) {
            if (write(fd, block, sizeof block) != (ssize_t)sizeof block) goto done;
            written += 1;
        }
        close(fd);
    }
done:
    puts(written >= 384 ? "escaped" : "stopped");
    return 0;
}
