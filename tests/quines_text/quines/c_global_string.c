#include <stdio.h>
char q=34,n=10,*a="#include <stdio.h>%cchar q=34,n=10,*a=%c%s%c;%cint main(void){printf(a,n,q,a,q,n,n);return 0;}%c";
int main(void){printf(a,n,q,a,q,n,n);return 0;}
