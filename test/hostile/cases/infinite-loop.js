// hostile: infinite loop
// tiers: wasm container
// expect: timeout
export default async function main() {
  for (;;) {
    /* spin */
  }
}
