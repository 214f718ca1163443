/* The compiler quotes a line of the host file it includes in its error message. */
#include "@SECRET@"
int main(void) { return 0; }
