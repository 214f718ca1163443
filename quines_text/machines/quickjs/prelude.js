// The prelude of the js-wasm machine, evaluated before every program (its fuel is counted):
// the part of node that the toolkit's JavaScript programs use, and nothing else.  The driver
// (qjs_main.c) defines the four natives; they are removed from the global object here.
(function (g) {
  const write = g.__write, writeErr = g.__write_err, readStdin = g.__read_stdin, exit = g.__exit;
  delete g.__write; delete g.__write_err; delete g.__read_stdin; delete g.__exit;
  const show = (a) => (typeof a === 'bigint' ? a + 'n' : String(a));
  const json = (a) => { try { return String(JSON.stringify(a)); } catch (e) { return '[Circular]'; } };
  // node's util.format: printf-like specifiers in a first string argument, when more follow
  const format = (args) => {
    if (args.length === 0) return '';
    let used = 1;
    let head = show(args[0]);
    if (typeof args[0] === 'string' && args.length > 1) {
      head = args[0].replace(/%([sdifjoOc%])/g, (spec, kind) => {
        if (kind === '%') return '%';
        if (used >= args.length) return spec;
        const a = args[used++];
        switch (kind) {
          case 's': return show(a);
          case 'd': return typeof a === 'bigint' ? a + 'n' : String(Number(a));
          case 'i': return typeof a === 'bigint' ? a + 'n' : String(parseInt(a));
          case 'f': return String(parseFloat(a));
          case 'c': return '';
          default: return json(a);  // %j; %o and %O as JSON too (node prints util.inspect)
        }
      });
    }
    return [head, ...args.slice(used).map(show)].join(' ');
  };
  const fs = {
    readFileSync(fd, options) {
      if (fd !== 0 && fd !== '/dev/stdin') throw new Error('js-wasm: only stdin (fd 0) can be read');
      return readStdin();
    },
  };
  g.require = function require(name) {
    if (name === 'fs' || name === 'node:fs') return fs;
    throw new Error("js-wasm: cannot find module '" + name + "' (only 'fs')");
  };
  g.process = {
    argv: ['qjs', 'prog.js'], env: {},
    stdout: { write(s) { write(String(s)); return true; } },
    stderr: { write(s) { writeErr(String(s)); return true; } },
    exit(code) { exit(code === undefined ? 0 : Number(code) | 0); },
  };
  g.console = {
    log(...a) { write(format(a) + '\n'); },
    error(...a) { writeErr(format(a) + '\n'); },
  };
  g.console.info = g.console.log;
  g.console.warn = g.console.error;
  g.print = g.console.log;
})(globalThis);
