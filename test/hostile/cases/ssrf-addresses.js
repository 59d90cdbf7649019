// hostile: SSRF spellings: metadata IP, loopback, userinfo trick, decimal/octal/hex/short and IPv4-mapped IPv6, file://, DNS rebinding
// tiers: wasm container
// expect: ok
export default async function main(input, ctx) {
  const urls = [
    'http://169.254.169.254/latest/meta-data/',
    'http://127.0.0.1/',
    'http://localhost/',
    'http://[::1]/',
    'https://approved.example@evil.example/',
    'http://2130706433/',
    'http://017700000001/',
    'http://0x7f000001/',
    'http://127.1/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'file:///etc/passwd',
    'http://rebind.test/',
    'http://0.0.0.0/',
    'http://[fd00:ec2::254]/',
  ];
  const out = {};
  for (const u of urls) {
    try {
      const r = await ctx.http.fetch(u);
      out[u] = 'REACHED ' + r.status;
    } catch (e) {
      out[u] = e.message;
    }
  }
  return out;
}
