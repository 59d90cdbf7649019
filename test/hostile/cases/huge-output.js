// hostile: a huge output value
// tiers: wasm container
// expect: output_too_large
// timeoutMs: 10000
// (generous: the case is about size; a loaded machine must not turn it into a timeout)
export default async function main() {
  return 'y'.repeat(5_000_000);
}
