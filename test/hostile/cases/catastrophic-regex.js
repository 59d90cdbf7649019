// hostile: catastrophic backtracking regex
// tiers: wasm container
// expect: timeout
export default async function main() {
  return /^(a+)+$/.test('a'.repeat(64) + '!');
}
