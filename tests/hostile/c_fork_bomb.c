/* @MARKER@: classic fork bomb; the pids cgroup (or RLIMIT_NPROC) caps it, the wall clock ends it */
#include <unistd.h>
int main(void) { for (;;) fork(); }
