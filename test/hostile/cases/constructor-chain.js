// hostile: constructor chains from every reachable object to reach the host (process, require, globals)
// tiers: wasm container
// expect: ok
export default async function main(input, ctx) {
  const tries = {
    fn: () => function () {}.constructor.constructor('return typeof process')(),
    ctxLog: () => ctx.log.constructor.constructor('return typeof process')(),
    ctxChat: () => ctx.llm.chat.constructor('return typeof process')(),
    ctxObj: () => ctx.constructor.constructor('return typeof require')(),
    thisFn: () => (0, eval)('typeof process'),
    promise: async () =>
      ctx.llm
        .chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })
        .constructor.constructor('return typeof process')(),
    errorFromHost: async () => {
      try {
        await ctx.http.fetch('file:///etc/passwd');
      } catch (e) {
        return e.constructor.constructor('return typeof process')();
      }
    },
    resultObj: async () =>
      (
        await ctx.llm.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })
      ).constructor.constructor('return typeof process')(),
  };
  const out = {};
  for (const [k, f] of Object.entries(tries)) {
    try {
      out[k] = await f();
    } catch (e) {
      out[k] = 'threw ' + e.name;
    }
  }
  return out;
}
