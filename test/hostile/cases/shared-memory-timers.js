// hostile: timing side channels: SharedArrayBuffer, Atomics, high-resolution timers
// tiers: wasm container
// expect: ok
export default async function main() {
  const g =
    (function () {
      return this;
    })() || {};
  return [
    typeof SharedArrayBuffer,
    typeof Atomics,
    typeof performance,
    typeof setTimeout,
    typeof setImmediate,
    typeof queueMicrotask === 'function' ? 'qm' : 'undefined',
    typeof g.SharedArrayBuffer,
  ];
}
