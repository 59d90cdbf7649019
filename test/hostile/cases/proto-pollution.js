// hostile: prototype pollution through returned JSON and through capability arguments
// tiers: wasm container
// expect: ok
export default async function main(input, ctx) {
  const evil = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}');
  try {
    await ctx.llm.chat(
      JSON.parse(
        '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}], "__proto__": {"polluted": "yes", "isAdmin": true}}',
      ),
    );
  } catch (e) {
    /* refused is fine */
  }
  try {
    await ctx.data.query('orders', JSON.parse('{"__proto__": {"columns": ["email"]}}'));
  } catch (e) {
    /* refused is fine */
  }
  return evil;
}
