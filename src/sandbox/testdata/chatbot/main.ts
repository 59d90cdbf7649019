// Template-equivalent chatbot: answers a user message through ctx.llm.chat with a system prompt.
interface Input { message: string; history?: { role: 'user' | 'assistant'; content: string }[] }
interface Ctx {
  llm: { chat(req: { model: string; messages: { role: string; content: string }[]; max_tokens?: number }): Promise<{ content: string; usage: { costUsd: number } }> };
  log(...args: unknown[]): void;
}

export default async function main(input: Input, ctx: Ctx) {
  if (!input || typeof input.message !== 'string') throw new Error('input.message (string) is required');
  const messages = [{ role: 'system', content: 'You are a helpful assistant.' }, ...(input.history ?? []), { role: 'user', content: input.message }];
  const r = await ctx.llm.chat({ model: 'gpt-4o-mini', messages, max_tokens: 256 });
  ctx.log('chatbot answered', { chars: r.content.length });
  return { reply: r.content };
}
