/* @MARKER@: aborts */
#include <stdlib.h>
int main(void) { abort(); }
