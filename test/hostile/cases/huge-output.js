// hostile: a huge output value
// tiers: wasm container
// expect: output_too_large
export default async function main() {
  return 'y'.repeat(5_000_000);
}
