// Reads a 0600 file of the host user and /etc/shadow.
const fs = require('fs');
let escaped = false;
for (const path of ['@SECRET@', '/etc/shadow']) {
  try { process.stdout.write(fs.readFileSync(path, 'utf8')); escaped = true; } catch (e) {}
}
if (!escaped) console.log('blocked');
