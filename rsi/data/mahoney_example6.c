char*p="char*p=%c%s%c;"
"main(){"
"int t,n=%d;"
"scanf(%c%cd%c,&t);"
"t>=0"
"?printf(%c%cd%c,t+n)"
":printf(p,34,p,34,n+1,34,37,34,34,37,34);}";
main(){
int t,n=1;
scanf("%d",&t);
t>=0
?printf("%d",t+n)
:printf(p,34,p,34,n+1,34,37,34,34,37,34);}
