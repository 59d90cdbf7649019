// hostile: keep calling capabilities after main has returned (calls after dispose)
// tiers: wasm container
// expect: ok
export default async function main(input, ctx) {
  const later = () =>
    ctx.llm.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'after the end' }] }).then(later, later);
  Promise.resolve()
    .then(() => Promise.resolve())
    .then(() => {
      for (let i = 0; i < 5; i++) later();
    });
  return 'returned';
}
