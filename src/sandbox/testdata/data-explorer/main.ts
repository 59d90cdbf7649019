// Template-equivalent data explorer: queries a dataset, aggregates, and asks the model to describe the result.
interface Ctx {
  data: { query(dataset: string, req: { columns?: string[]; where?: Record<string, unknown>; limit?: number }): Promise<{ columns: string[]; rows: Record<string, unknown>[]; truncated: boolean }> };
  llm: { chat(req: { model: string; messages: { role: string; content: string }[] }): Promise<{ content: string }> };
}

export default async function main(input: { region?: string }, ctx: Ctx) {
  const res = await ctx.data.query('orders', { columns: ['region', 'amount'], where: input.region ? { region: input.region } : undefined });
  const total = res.rows.reduce((s, r) => s + Number(r.amount), 0);
  const byRegion: Record<string, number> = {};
  for (const r of res.rows) byRegion[String(r.region)] = (byRegion[String(r.region)] ?? 0) + Number(r.amount);
  const text = await ctx.llm.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Describe: ${JSON.stringify(byRegion)}` }] });
  return { rows: res.rows.length, truncated: res.truncated, total, byRegion, description: text.content };
}
