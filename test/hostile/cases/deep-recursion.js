// hostile: deep recursion to overflow the host stack
// tiers: wasm container
// expect: error
export default async function main() {
  const f = (n) => f(n + 1) + 1;
  return f(0);
}
