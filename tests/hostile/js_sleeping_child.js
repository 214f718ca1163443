// A detached child sleeps on after node exits; the PID namespace ends it with the run.
const { spawn } = require("child_process");
spawn("/bin/sh", ["-c", "sleep 30; echo @MARKER@"], { detached: true, stdio: "ignore" }).unref();
console.log("parent done");
