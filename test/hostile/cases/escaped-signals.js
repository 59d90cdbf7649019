// hostile: (escaped vm) signals to the parent, to pid 1 and to the launching process group
// tiers: container-escaped
// expect: ok
export default async function main() {
  const out = [];
  for (const [pid, sig] of [
    [process.ppid, 'SIGKILL'],
    [1, 'SIGKILL'],
    [-process.ppid, 'SIGTERM'],
    [-1, 'SIGKILL'],
  ]) {
    try {
      process.kill(pid, sig);
      out.push(`${pid}:sent`);
    } catch (e) {
      out.push(`${pid}:${e.code}`);
    }
  }
  return out;
}
