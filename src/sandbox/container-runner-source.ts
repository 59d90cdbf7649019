// The Node program that runs inside the bubblewrap container: it evaluates the guest script in a fresh vm context
// (only the language's globals) and relays capability calls as NDJSON over stdin/stdout to the host bridge.
// The vm context is not the boundary (the container is); it only keeps process/require out of the app's scope.

export const CONTAINER_RUNNER = String.raw`
'use strict';
const vm = require('node:vm');
const out = process.stdout;
const send = (m) => out.write(JSON.stringify(m) + '\n');
const pending = new Map();
let nextId = 1, buf = '', started = false;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    let m; try { m = JSON.parse(line); } catch { continue; }
    if (m.t === 'start' && !started) { started = true; start(m.script, m.input, m.escape === true); }
    else if (m.t === 'reply') { const cb = pending.get(m.id); pending.delete(m.id); if (cb) cb(m.payload); }
  }
});
function start(script, inputJson, escape) {
  const sandbox = Object.create(null);
  const context = vm.createContext(sandbox, { name: 'app', codeGeneration: { strings: true, wasm: false } });
  // Hostile tests only: hand the guest Node's powers, as if it had escaped the vm context, to test the container.
  if (escape) { context.process = process; context.require = require; }
  context.__gh_call_host = function (method, payload, cb) {
    if (typeof method !== 'string' || typeof payload !== 'string' || typeof cb !== 'function') return;
    const id = nextId++;
    pending.set(id, cb);
    send({ t: 'call', id: id, method: method, args: payload });
  };
  let finished = false;
  const done = (ok, text) => {
    if (finished) return;
    finished = true;
    send({ t: 'done', ok: ok === true, text: typeof text === 'string' ? text : '' });
  };
  try {
    vm.runInContext(script, context, { filename: 'app.js' });
    context.__gh_start(inputJson, done);
  } catch (e) {
    let msg; try { msg = String(e && e.message !== undefined ? e.message : e); } catch { msg = 'app threw during load'; }
    done(false, msg);
  }
}
`;
