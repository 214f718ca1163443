/* A child leaves the session and sleeps; the parent exits at once.  The PID namespace ends the
   child with the run; the marker in the child's command line lets the test look for it. */
#include <stdio.h>
#include <unistd.h>
int main(void) {
    if (fork() == 0) {
        setsid();
        execl("/bin/sh", "sh", "-c", "sleep 30; echo @MARKER@", (char *)0);
        return 1;
    }
    puts("parent done");
    return 0;
}
