// hostile: getters and proxies on bridge arguments (check-then-use: show a declared model, then swap it)
// tiers: wasm container
// expect: ok
export default async function main(input, ctx) {
  let n = 0;
  const args = { messages: [{ role: 'user', content: 'hi' }] };
  Object.defineProperty(args, 'model', {
    enumerable: true,
    get() {
      n++;
      return n === 1 ? 'gpt-4o-mini' : 'gpt-5-pro';
    },
  });
  const out = [];
  try {
    out.push((await ctx.llm.chat(args)).model);
  } catch (e) {
    out.push(e.message);
  }
  const proxy = new Proxy(
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'p' }] },
    {
      get(t, k) {
        return k === 'model' ? (n++ % 2 ? 'gpt-5-pro' : 'gpt-4o-mini') : t[k];
      },
    },
  );
  try {
    out.push((await ctx.llm.chat(proxy)).model);
  } catch (e) {
    out.push(e.message);
  }
  try {
    out.push(
      (
        await ctx.data.query(
          'orders',
          new Proxy(
            {},
            {
              ownKeys() {
                return ['columns'];
              },
              getOwnPropertyDescriptor() {
                return { enumerable: true, configurable: true, value: ['email'] };
              },
            },
          ),
        )
      ).columns,
    );
  } catch (e) {
    out.push(e.message);
  }
  return out;
}
