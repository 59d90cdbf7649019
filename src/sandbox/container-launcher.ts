// Container tier launchers, started one run ahead: `sh` joins the run's cgroups, then waits on stdin for the run's
// heap size before exec'ing setpriv → bwrap → node. Measured here (cgroup v1, kernel 6.18), the first write to a
// cgroup.procs costs ≈ 12 ms of waiting (the kernel's cgroup migration waits for an RCU grace period), which was the
// largest part of the sandbox's start overhead; a spare launcher pays it before the run that uses it starts.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { newId } from '../core/ids.js';
import { RunCgroup, type CgroupSupport } from './cgroup-limits.js';
import { CONTAINER_RUNNER } from './container-runner-source.js';

export interface Launcher {
  child: ChildProcess;
  cg?: RunCgroup;
  /** Settles when the launcher (and so the sandbox) has exited and its pipes closed; listened from the spawn on. */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface LauncherSpec {
  bpf: string;
  cgroups: CgroupSupport;
  /** setpriv … bwrap … -- <node path>; the launcher appends Node's flags and the runner. */
  command: string[];
  maxPids: number;
  /** Memory limit the group starts with; run() sets the run's own before starting it. */
  memoryBytes: number;
}

/** Spawns a launcher; nothing runs beyond `sh` until `start()` writes the heap size. */
export async function spawnLauncher(spec: LauncherSpec): Promise<Launcher> {
  const cg =
    spec.cgroups.ok && spec.cgroups.bases
      ? await RunCgroup.create(spec.cgroups.bases, newId('sbx'), { pids: spec.maxPids, memoryBytes: spec.memoryBytes })
      : undefined;
  // The launcher joins the run's cgroups itself before exec'ing setpriv, so nothing runs outside the limits.
  const join = cg
    ? cg
        .procsFiles()
        .map((f) => `echo $$ > '${f}'`)
        .join(' && ') + ' && '
    : '';
  const rlimit = cg ? [] : ['/usr/bin/prlimit', `--nproc=${spec.maxPids * 4}`, '--'];
  // $0 carries the runner source; the heap size is read as digits only, so stdin cannot inject arguments.
  const script = `${join}read mb && case "$mb" in ''|*[!0-9]*) exit 97;; esac && exec "$@" "--max-old-space-size=$mb" --disable-proto=delete -e "$0"`;
  const bpfFd = openSync(spec.bpf, 'r');
  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', ['-c', script, CONTAINER_RUNNER, ...rlimit, ...spec.command], {
      stdio: ['pipe', 'pipe', 'pipe', bpfFd],
      env: {},
      cwd: '/',
      detached: true,
    });
  } finally {
    closeSync(bpfFd);
  }
  child.on('error', () => undefined); // a failed spawn shows as an early exit
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, cg, closed };
}

export function alive(l: Launcher): boolean {
  return l.child.exitCode === null && l.child.signalCode === null && !l.child.stdin?.destroyed;
}

/** A spare must not keep the host process alive while it waits. */
export function setRef(l: Launcher, ref: boolean): void {
  for (const s of [l.child.stdin, l.child.stdout, l.child.stderr] as ({
    ref?: () => void;
    unref?: () => void;
  } | null)[]) {
    if (ref) s?.ref?.();
    else s?.unref?.();
  }
  if (ref) l.child.ref();
  else l.child.unref();
}

/** Kills a launcher that will not be used and removes its cgroup. */
export async function discard(l: Launcher): Promise<void> {
  try {
    if (l.child.pid && alive(l)) process.kill(-l.child.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  await l.cg?.destroy();
}
