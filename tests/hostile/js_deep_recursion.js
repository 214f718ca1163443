// @MARKER@: recursion without end: RangeError (maximum call stack size exceeded)
function down(n) { return down(n + 1) + 1; }
down(0);
