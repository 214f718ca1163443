// @MARKER@: fills the V8 heap until node reports that it is out of memory
const hoard = [];
for (;;) hoard.push(new Array(100000).fill(1.5));
