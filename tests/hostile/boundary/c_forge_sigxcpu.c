/* Raises SIGXCPU itself, to be reported as a CPU timeout (the filter refuses the call). */
#include <signal.h>
int main(void) { raise(SIGXCPU); return 0; }
