// Summarizer: asks the model for a bullet-point summary of the input text.
export default async function main(input, ctx) {
  const text = String(input?.text ?? '').slice(0, 20000);
  if (!text.trim()) return { summary: '', note: 'pass {"text": "..."} to summarise' };
  const bullets = Math.min(10, Math.max(1, Number(input?.bullets ?? 5)));
  const reply = await ctx.llm.chat({
    model: 'gpt-4o-mini-eu',
    messages: [
      {
        role: 'system',
        content: `Summarise the text in at most ${bullets} bullet points. Keep names of products, drop names of people.`,
      },
      { role: 'user', content: text },
    ],
    max_tokens: 450,
  });
  return { summary: reply.content };
}
