// hostile: (escaped vm) mount, new user/mount/net namespaces, setns, keyctl, bpf, io_uring through python ctypes
// tiers: container-escaped
// expect: ok
export default async function main() {
  const { spawnSync } = globalThis.require('child_process');
  const py = (code) => {
    const r = spawnSync('/usr/bin/python3', ['-c', 'import ctypes; libc=ctypes.CDLL(None, use_errno=True)\n' + code], {
      encoding: 'utf8',
      timeout: 3000,
    });
    return (r.stdout || '').trim() + (r.stderr || '').trim().slice(0, 200);
  };
  const sys = (nr, ...a) =>
    `r=libc.syscall(${[nr, ...a].join(', ')}); print("OK" if r >= 0 else "errno=%d" % ctypes.get_errno())`;
  const un = (args) => {
    const r = spawnSync('/usr/bin/unshare', args, { encoding: 'utf8', timeout: 3000 });
    return `${r.status} ${(r.stderr || '').trim().slice(0, 120)}`;
  };
  return {
    mount: py(
      'r=libc.mount(b"tmpfs", b"/tmp", b"tmpfs", 0, None); print("OK" if r == 0 else "errno=%d" % ctypes.get_errno())',
    ),
    unshareUser: un(['-Ur', '/usr/bin/true']),
    unshareMount: un(['-m', '/usr/bin/true']),
    unshareNet: un(['-n', '/usr/bin/true']),
    keyctl: py(sys(250, 0, 0, 0, 0, 0)),
    bpf: py(sys(321, 0, 0, 0)),
    ioUring: py(sys(425, 1, 0)),
    setns: py(sys(308, 0, 0)),
  };
}
