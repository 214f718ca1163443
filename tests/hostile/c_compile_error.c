/* @MARKER@: not C */
int main(void) { return undeclared_name; }
