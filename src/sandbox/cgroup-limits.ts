// Per-run cgroup limits for the container tier (pids, memory, CPU accounting). This host has cgroup v1 hierarchies
// mounted writable; a child group is made under the launching process's own group in each hierarchy.
// Without writable cgroups the tier falls back to rlimits (prlimit --nproc) plus Node's heap cap, and says so.
import { existsSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CgroupSupport {
  ok: boolean;
  reason?: string;
  /** Base directory per v1 controller (pids, memory, cpuacct). */
  bases?: { pids: string; memory: string; cpuacct?: string };
}

function ownPath(controller: string): string | undefined {
  try {
    for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
      const [, ctrls, path] = line.split(':');
      if (ctrls && ctrls.split(',').includes(controller)) return path;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Detects writable cgroup v1 pids + memory hierarchies (creates and removes a probe group). */
export async function detectCgroups(): Promise<CgroupSupport> {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers'))
    return { ok: false, reason: 'cgroup v2 unified hierarchy: this driver handles cgroup v1 only' };
  const dir = (c: string) => {
    const p = ownPath(c);
    return p === undefined || !existsSync(`/sys/fs/cgroup/${c}`)
      ? undefined
      : join('/sys/fs/cgroup', c, p, 'gatehouse-sandbox');
  };
  const pids = dir('pids');
  const memory = dir('memory');
  if (!pids || !memory) return { ok: false, reason: 'cgroup v1 pids or memory controller is not mounted' };
  try {
    for (const b of [pids, memory]) {
      await mkdir(b, { recursive: true });
      const probe = join(b, `probe-${process.pid}`);
      await mkdir(probe);
      await rmdir(probe);
    }
  } catch (err) {
    return { ok: false, reason: `cgroups are not writable here (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const cpu = dir('cpuacct');
  sweepStale([pids, memory, ...(cpu ? [cpu] : [])]);
  let cpuacct: string | undefined;
  if (cpu) {
    try {
      await mkdir(cpu, { recursive: true });
      cpuacct = cpu;
    } catch {
      cpuacct = undefined;
    }
  }
  return { ok: true, bases: { pids, memory, cpuacct } };
}

/**
 * Removes empty run groups left behind by a server that exited with a spare launcher waiting (see
 * container-launcher.ts). Only groups older than a minute; a group that still has members refuses rmdir.
 */
function sweepStale(bases: string[]): void {
  for (const b of bases) {
    let names: string[];
    try {
      names = readdirSync(b).filter((n) => n.startsWith('sbx_'));
    } catch {
      continue;
    }
    for (const n of names) {
      try {
        if (Date.now() - statSync(join(b, n)).ctimeMs > 60_000) rmdirSync(join(b, n));
      } catch {
        /* in use or already gone */
      }
    }
  }
}

export class RunCgroup {
  readonly dirs: string[];
  private constructor(
    private readonly pids: string,
    private readonly memory: string,
    private readonly cpuacct: string | undefined,
  ) {
    this.dirs = [pids, memory, ...(cpuacct ? [cpuacct] : [])];
  }

  static async create(
    bases: NonNullable<CgroupSupport['bases']>,
    runId: string,
    limits: { pids: number; memoryBytes: number },
  ): Promise<RunCgroup> {
    const g = new RunCgroup(
      join(bases.pids, runId),
      join(bases.memory, runId),
      bases.cpuacct ? join(bases.cpuacct, runId) : undefined,
    );
    for (const d of g.dirs) await mkdir(d);
    await writeFile(join(g.pids, 'pids.max'), String(limits.pids));
    await writeFile(join(g.memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    try {
      await writeFile(join(g.memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
    } catch {
      /* no swap accounting on this kernel: there is no swap to escape into either */
    }
    return g;
  }

  /** Changes the memory ceiling (memory+swap too); v1 wants limit ≤ memsw.limit at every step, so order matters. */
  async setMemoryLimit(bytes: number): Promise<void> {
    const limit = join(this.memory, 'memory.limit_in_bytes');
    const memsw = join(this.memory, 'memory.memsw.limit_in_bytes');
    const current = Number((await readFile(limit, 'utf8')).trim());
    const order = bytes > current ? [memsw, limit] : [limit, memsw];
    for (const f of order) {
      try {
        await writeFile(f, String(bytes));
      } catch (err) {
        if (f === limit) throw err; // no swap accounting on this kernel: only the memory limit matters
      }
    }
  }

  /** cgroup.procs files a launcher writes its own pid into before exec'ing the sandbox. */
  procsFiles(): string[] {
    return this.dirs.map((d) => join(d, 'cgroup.procs'));
  }

  async usage(): Promise<{ cpuMs: number; peakMemoryBytes: number; oom: boolean; hitMemoryLimit: boolean }> {
    const num = async (p: string) => Number((await readFile(p, 'utf8').catch(() => '0')).trim()) || 0;
    const cpuNs = this.cpuacct ? await num(join(this.cpuacct, 'cpuacct.usage')) : 0;
    const peak = await num(join(this.memory, 'memory.max_usage_in_bytes'));
    const failcnt = await num(join(this.memory, 'memory.failcnt'));
    const oomControl = await readFile(join(this.memory, 'memory.oom_control'), 'utf8').catch(() => '');
    const oomKills = Number(/oom_kill (\d+)/.exec(oomControl)?.[1] ?? 0);
    return {
      cpuMs: Math.round(cpuNs / 1e4) / 100,
      peakMemoryBytes: peak,
      oom: oomKills > 0,
      hitMemoryLimit: failcnt > 0,
    };
  }

  /** Kills whatever is left in the group (cgroup v1 has no cgroup.kill) and removes it. */
  async destroy(): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const left = (await readFile(join(this.pids, 'cgroup.procs'), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean);
      for (const pid of left) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      try {
        for (const d of this.dirs) if (existsSync(d)) await rmdir(d);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }
}
