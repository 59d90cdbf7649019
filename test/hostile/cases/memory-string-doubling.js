// hostile: string doubling until something gives
// tiers: wasm container
// expect: failure
export default async function main() {
  let s = 'x';
  const keep = [];
  for (;;) {
    s = s + s;
    keep.push(s);
  }
}
