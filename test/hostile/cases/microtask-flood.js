// hostile: microtask flood (a promise chain that never yields to the host)
// tiers: wasm container
// expect: failure
export default async function main() {
  const spin = () => Promise.resolve().then(spin);
  spin();
  for (;;) await null;
}
