/* @MARKER@: prints bytes that are not UTF-8; they must come back unchanged */
#include <stdio.h>
int main(void) { fwrite("\xff\xfe\x80ok", 1, 5, stdout); return 0; }
