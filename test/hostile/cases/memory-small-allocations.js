// hostile: memory bomb made of many small allocations
// tiers: wasm container
// expect: memory
// timeoutMs: 15000
export default async function main() {
  const keep = [];
  for (;;) keep.push({ a: keep.length, b: [1, 2, 3], c: 'x' + keep.length });
}
