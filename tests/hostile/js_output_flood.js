// @MARKER@: writes without end (synchronously, so the event loop is never needed); the output
// cap stops it
const fs = require("fs");
const line = "flood ".repeat(100) + "\n";
for (;;) fs.writeSync(1, line);
