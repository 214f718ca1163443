// Connects to a unix socket that the test listens on in the host's /tmp.
const net = require('net');
const s = net.connect('@SOCKET@');
s.on('connect', () => { console.log('escaped'); s.end(); });
s.on('error', () => console.log('blocked'));
