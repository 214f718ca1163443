/* Writes to the host's terminals: /dev/console, the virtual consoles and /dev/pts/N. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    const char *names[] = {"/dev/console", "/dev/tty0", "/dev/tty1", "/dev/tty2", NULL};
    const char *text = "@MARKER@\n";
    char path[32];
    int escaped = 0;
    for (int i = 0; names[i] != NULL; i++) {
        int fd = open(names[i], O_WRONLY | O_NOCTTY | O_NONBLOCK);
        if (fd >= 0 && write(fd, text, strlen(text)) > 0) escaped = 1;
    }
    for (int i = 0; i < 16; i++) {
        snprintf(path, sizeof path, "/dev/pts/%d", i);
        int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK);
        if (fd >= 0 && write(fd, text, strlen(text)) > 0) escaped = 1;
    }
    puts(escaped ? "escaped" : "blocked");
    return 0;
}
