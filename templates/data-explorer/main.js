// Data explorer: reads knowledge base articles, keeps those that share words with the question, asks the model.
export default async function main(input, ctx) {
  const question = String(input?.question ?? 'How do I reset my password?');
  const result = await ctx.data.query('kb-articles', { columns: ['id', 'title', 'body'], limit: 50 });
  const rows = Array.isArray(result) ? result : result.rows;
  const words = new Set(
    question
      .toLowerCase()
      .split(/\W+/)
      .filter((w) => w.length > 3),
  );
  const hits = rows
    .filter((r) =>
      String(r.title + ' ' + r.body)
        .toLowerCase()
        .split(/\W+/)
        .some((w) => words.has(w)),
    )
    .slice(0, 5);
  const articles = hits.map((r) => `[${r.id}] ${r.title}: ${String(r.body).slice(0, 800)}`).join('\n');
  const reply = await ctx.llm.chat({
    model: 'gpt-4o-mini-eu',
    messages: [
      { role: 'system', content: `Answer using only these articles and cite their ids: ${articles || '(none found)'}` },
      { role: 'user', content: question },
    ],
    max_tokens: 450,
  });
  return { answer: reply.content, articles: hits.map((r) => r.id) };
}
