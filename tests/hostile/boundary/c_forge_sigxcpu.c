/* Raises SIGXCPU itself, to be reported as a CPU timeout. */
#include <signal.h>
int main(void) { raise(SIGXCPU); return 0; }
