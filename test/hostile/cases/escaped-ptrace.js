// hostile: (escaped vm) ptrace: strace, gdb attach and a raw ptrace(PTRACE_ATTACH) through python ctypes
// tiers: container-escaped
// expect: ok
export default async function main() {
  const { spawnSync } = globalThis.require('child_process');
  const run = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 3000 });
    return `${r.status} ${(r.stderr || '').slice(0, 200)} ${(r.stdout || '').slice(0, 200)}`;
  };
  return {
    strace: run('/usr/bin/strace', ['-f', '/usr/bin/true']),
    gdb: run('/usr/bin/gdb', ['-batch', '-p', '1']),
    raw: run('/usr/bin/python3', [
      '-c',
      'import ctypes,os; libc=ctypes.CDLL(None, use_errno=True); r=libc.ptrace(16, 1, 0, 0); print("ATTACHED" if r == 0 else "ptrace=%d errno=%d" % (r, ctypes.get_errno()))',
    ]),
  };
}
