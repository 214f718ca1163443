/* Writes a line to the host kernel log through /dev/kmsg. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    const char *line = "<1>@MARKER@ written from a sandboxed run\n";
    int fd = open("/dev/kmsg", O_WRONLY);
    if (fd >= 0 && write(fd, line, strlen(line)) > 0) { puts("escaped"); return 0; }
    puts("blocked");
    return 0;
}
