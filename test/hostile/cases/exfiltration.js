// hostile: exfiltration to an approved host through the query string, headers and body (DLP on all three)
// tiers: wasm container
// expect: ok
export default async function main(input, ctx) {
  const base = `http://127.0.0.1:${input.port}/collect`;
  const out = [];
  const attempts = [
    () => ctx.http.fetch(`${base}?cc=4111111111111111`),
    () => ctx.http.fetch(`${base}?to=${encodeURIComponent('victim@example.com')}`),
    () => ctx.http.fetch(base, { headers: { 'x-note': 'ssn 536-22-1234' } }),
    () => ctx.http.fetch(base, { method: 'POST', body: JSON.stringify({ card: '4111 1111 1111 1111' }) }),
  ];
  for (const a of attempts) {
    try {
      const r = await a();
      out.push('SENT ' + r.status);
    } catch (e) {
      out.push(e.message);
    }
  }
  return out;
}
