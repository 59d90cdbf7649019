// hostile: Error.prepareStackTrace and stack tricks to capture host frames or objects through bridge errors
// tiers: wasm container
// expect: ok
export default async function main(input, ctx) {
  const seen = [];
  Error.prepareStackTrace = (err, frames) => {
    for (const f of frames || []) {
      try {
        const t = f.getThis && f.getThis();
        seen.push(typeof t, t && typeof t.process);
        const fn = f.getFunction && f.getFunction();
        seen.push(typeof fn);
      } catch (e) {
        seen.push('x');
      }
    }
    return 'hijacked';
  };
  Error.stackTraceLimit = Infinity;
  let stack = '';
  try {
    await ctx.http.fetch('gopher://x/');
  } catch (e) {
    stack = String(e.stack);
  }
  try {
    await ctx.llm.chat({ model: 'nope', messages: [{ role: 'user', content: 'x' }] });
  } catch (e) {
    stack += String(e.stack);
  }
  return {
    hostProcessSeen: seen.includes('object') && seen.some((s) => s === 'object'),
    stackMentionsHost: /node:|internal|\/work\/|dist\//.test(stack),
    seen: seen.slice(0, 20),
  };
}
