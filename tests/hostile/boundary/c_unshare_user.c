/* Creates a user namespace inside the run (and from it, any other namespace). */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
int main(void) {
    puts(unshare(CLONE_NEWUSER) == 0 ? "escaped" : "blocked");
    return 0;
}
