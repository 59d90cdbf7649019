// Builds the container tier's seccomp filter: a tiny C program (libseccomp) compiled with gcc on first use writes
// the BPF that `bwrap --seccomp FD` loads. Cached by source hash under the sandbox cache directory.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Denied with EPERM: debugging, mounting, namespaces, kernel keyrings, BPF, io_uring, module/kexec, raw fs handles. */
export const SECCOMP_C = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#define DENY(name) if (seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(name), 0) < 0) return fail(#name)
static int fail(const char *what) { fprintf(stderr, "seccomp rule failed: %s\n", what); return 1; }

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
  if (!c) return fail("init");
  DENY(ptrace); DENY(process_vm_readv); DENY(process_vm_writev); DENY(kcmp);
  DENY(mount); DENY(umount2); DENY(pivot_root); DENY(chroot); DENY(open_tree); DENY(move_mount);
  DENY(fsopen); DENY(fsconfig); DENY(fsmount); DENY(fspick); DENY(mount_setattr);
  DENY(unshare); DENY(setns);
  DENY(bpf); DENY(perf_event_open); DENY(userfaultfd);
  DENY(io_uring_setup); DENY(io_uring_enter); DENY(io_uring_register);
  DENY(keyctl); DENY(add_key); DENY(request_key);
  DENY(kexec_load); DENY(kexec_file_load); DENY(init_module); DENY(finit_module); DENY(delete_module);
  DENY(open_by_handle_at); DENY(name_to_handle_at); DENY(swapon); DENY(swapoff); DENY(reboot); DENY(syslog); DENY(acct);
  DENY(personality); DENY(quotactl); DENY(lookup_dcookie); DENY(vhangup);
  /* clone3 passes flags in memory seccomp cannot read: make it unavailable so libc falls back to clone(2). */
  if (seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) < 0) return fail("clone3");
  const unsigned long ns[] = { CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP };
  for (unsigned i = 0; i < sizeof ns / sizeof ns[0]; i++)
    if (seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, ns[i], ns[i])) < 0) return fail("clone");
  /* Sockets: AF_UNIX only (no network families, netlink, packet, vsock...). */
  if (seccomp_rule_add(c, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_NE, AF_UNIX)) < 0) return fail("socket");
  if (seccomp_rule_add(c, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socketpair), 1, SCMP_A0(SCMP_CMP_NE, AF_UNIX)) < 0) return fail("socketpair");
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return fail("open output");
  if (seccomp_export_bpf(c, fd) < 0) return fail("export");
  close(fd);
  seccomp_release(c);
  return 0;
}
`;

/** Returns the path of the compiled BPF filter, compiling it on first use. Throws with a reason when it cannot. */
export async function seccompFilterPath(cacheDir: string): Promise<string> {
  const hash = createHash('sha256').update(SECCOMP_C).digest('hex').slice(0, 16);
  const bpf = join(cacheDir, `seccomp-${hash}.bpf`);
  if (existsSync(bpf)) return bpf;
  await mkdir(cacheDir, { recursive: true, mode: 0o700 });
  const src = join(cacheDir, `seccomp-${hash}.c`);
  const bin = join(cacheDir, `seccomp-${hash}`);
  await writeFile(src, SECCOMP_C);
  try {
    await run('gcc', ['-O2', '-o', bin, src, '-lseccomp']);
  } catch (err) {
    throw new Error(
      `compiling the seccomp filter failed (needs gcc and libseccomp-dev; run scripts/setup-system.sh): ${(err as { stderr?: string }).stderr?.slice(0, 300) ?? (err as Error).message}`,
    );
  }
  const tmp = `${bpf}.${process.pid}.tmp`;
  await run(bin, [tmp]);
  await rename(tmp, bpf);
  return bpf;
}
