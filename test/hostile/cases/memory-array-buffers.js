// hostile: ArrayBuffers and typed arrays (outside the interpreter's own heap accounting), with errors swallowed
// tiers: wasm container
// expect: memory
// timeoutMs: 15000
export default async function main() {
  const keep = [];
  for (;;) {
    try {
      keep.push(new ArrayBuffer(1 << 20), new Float64Array(1 << 17));
    } catch (e) {
      // keep going: the limit must hold even when the app ignores allocation failures
    }
  }
}
