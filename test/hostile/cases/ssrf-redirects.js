// hostile: SSRF through an allowed connector that redirects to the metadata address and to another loopback port
// tiers: wasm container
// expect: ok
export default async function main(input, ctx) {
  const out = [];
  for (const path of ['/to-metadata', '/to-other-port', '/to-metadata-name']) {
    try {
      const r = await ctx.http.fetch(`http://127.0.0.1:${input.port}${path}`);
      out.push('reached ' + r.status + ' ' + (await r.text()));
    } catch (e) {
      out.push(e.message);
    }
  }
  return out;
}
