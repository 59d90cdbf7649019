// Chatbot: keeps a short history from the input and asks the model for the next answer.
export default async function main(input, ctx) {
  const history = Array.isArray(input?.history) ? input.history.slice(-6) : [];
  const reply = await ctx.llm.chat({
    model: 'gpt-4o-mini-eu',
    messages: [
      {
        role: 'system',
        content: `You are a helpful assistant for the ${String(input?.team ?? 'support')} team. Answer briefly; say when you do not know.`,
      },
      ...history.map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', content: String(m.content) })),
      { role: 'user', content: String(input?.message ?? 'Hello!') },
    ],
    max_tokens: 300,
  });
  return { answer: reply.content };
}
