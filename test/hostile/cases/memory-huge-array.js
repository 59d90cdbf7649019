// hostile: one huge array
// tiers: wasm container
// expect: failure
export default async function main() {
  const a = new Array(1e9).fill(1);
  return a.length;
}
