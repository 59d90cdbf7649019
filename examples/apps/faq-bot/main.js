// faq-bot: looks up matching products and asks the model for a short answer.
export default async function main(input, ctx) {
  const { rows } = await ctx.data.query('product-catalog', { columns: ['sku', 'name', 'price'], limit: 5 });
  const products = rows.map((r) => `${r.name} (${r.sku}): $${r.price}`).join('; ');
  const reply = await ctx.llm.chat({
    model: 'gpt-4o-mini',
    messages: [
      {
        role: 'system',
        content: `You are a helpful product assistant. Answer briefly using only these products: ${products}`,
      },
      { role: 'user', content: String(input?.question ?? 'What do you sell?') },
    ],
    max_tokens: 200,
  });
  ctx.log('answered', { products: rows.length });
  return { answer: reply.content };
}
