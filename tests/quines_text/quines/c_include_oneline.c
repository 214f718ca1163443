#include <stdio.h>
int main(void){const char*s="#include <stdio.h>%cint main(void){const char*s=%c%s%c;printf(s,10,34,s,34,10);return 0;}%c";printf(s,10,34,s,34,10);return 0;}
