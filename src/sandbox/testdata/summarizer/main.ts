// Template-equivalent summarizer: splits a long text into chunks, summarizes each, then the summaries.
import { chunk } from './chunk.js';

interface Ctx { llm: { chat(req: { model: string; messages: { role: string; content: string }[] }): Promise<{ content: string }> } }

export default async function main(input: { text: string; chunkWords?: number }, ctx: Ctx) {
  const parts = chunk(input.text, input.chunkWords ?? 50);
  const partials: string[] = [];
  for (const p of parts) {
    const r = await ctx.llm.chat({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Summarize the text.' }, { role: 'user', content: p }] });
    partials.push(r.content);
  }
  const final = partials.length === 1 ? partials[0] : (await ctx.llm.chat({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Summarize the text.' }, { role: 'user', content: partials.join('\n') }] })).content;
  return { chunks: parts.length, summary: final };
}
