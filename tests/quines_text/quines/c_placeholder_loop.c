#include <stdio.h>
const char*s="#include <stdio.h>\nconst char*s=@;\nint main(void){for(const char*p=s;*p;p++)if(*p==64){putchar(34);for(const char*r=s;*r;r++){if(*r==10){putchar(92);putchar(110);}else putchar(*r);}putchar(34);}else putchar(*p);return 0;}\n";
int main(void){for(const char*p=s;*p;p++)if(*p==64){putchar(34);for(const char*r=s;*r;r++){if(*r==10){putchar(92);putchar(110);}else putchar(*r);}putchar(34);}else putchar(*p);return 0;}
