// hostile: WebAssembly.Memory bomb (direct and via constructor chains)
// tiers: wasm container
// expect: failure
/* global WebAssembly */
export default async function main() {
  const W =
    typeof WebAssembly !== 'undefined'
      ? WebAssembly
      : function () {
          return this;
        }.constructor('return typeof WebAssembly === "undefined" ? undefined : WebAssembly')();
  const mems = [];
  for (let i = 0; i < 1000; i++) mems.push(new W.Memory({ initial: 16384 }));
  return mems.length;
}
