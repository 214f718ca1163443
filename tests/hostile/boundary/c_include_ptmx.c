/* The compiler reads a terminal that never ends. */
#include "/dev/ptmx"
int main(void) { return 0; }
