// container tier: the app runs under Node inside bubblewrap (all namespaces unshared, no network, read-only /usr,
// size-capped tmpfs, cleared env, seccomp filter), launched as uid 65534 through setpriv, in a per-run cgroup
// (pids, memory), killed at the wall-clock deadline. Capabilities travel as NDJSON over the stdin/stdout pipes.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectCgroups, type CgroupSupport } from './cgroup-limits.js';
import { alive, discard, setRef, spawnLauncher, type Launcher, type LauncherSpec } from './container-launcher.js';
import { guestScript, MAX_GUEST_MESSAGE } from './guest-script.js';
import { hostCall } from './host-call.js';
import { seccompFilterPath } from './seccomp-filter.js';
import {
  AppRunError,
  DEFAULT_LIMITS,
  killedError,
  type Bridge,
  type RunLimits,
  type SandboxTier,
  type TierAvailability,
  type TierResult,
} from './tier.js';

const SANDBOX_UID = 65534;
const MAX_PIDS = 32;
const TMPFS_BYTES = 16 * 1024 * 1024;
const STDERR_KEEP = 4096;

export interface ContainerTierOptions {
  cacheDir?: string;
  /** Node binary to run inside (must be readable by uid 65534). */
  nodePath?: string;
  /**
   * Hostile tests only: give guest code `process` and `require` inside the container, as if it had escaped the vm
   * context (which is not a security boundary), so the tests exercise the container boundary itself.
   */
  assumeVmEscape?: boolean;
  /** Start the next run's launcher ahead (default true); false starts each launcher when its run starts. */
  spareLauncher?: boolean;
}

interface Prepared {
  bpf: string;
  cgroups: CgroupSupport;
}

export class ContainerTier implements SandboxTier {
  readonly name = 'container' as const;
  private prepared: Promise<Prepared> | undefined;
  private readonly cacheDir: string;
  private readonly nodePath: string;
  private readonly assumeVmEscape: boolean;
  private spare: Promise<Launcher> | undefined;
  private spareOff = false; // no spare launchers: option off, or closed

  constructor(opts: ContainerTierOptions = {}) {
    this.cacheDir = opts.cacheDir ?? join(tmpdir(), 'gatehouse-sandbox');
    this.nodePath = opts.nodePath ?? process.execPath;
    this.assumeVmEscape = opts.assumeVmEscape ?? false;
    this.spareOff = opts.spareLauncher === false;
  }

  /** Checks the host once: bwrap, setpriv, root (to switch uid and write cgroups), user namespaces, seccomp, cgroups. */
  private prepare(): Promise<Prepared> {
    this.prepared ??= (async () => {
      for (const bin of ['/usr/bin/bwrap', '/usr/bin/setpriv'])
        if (!existsSync(bin)) throw new Error(`${bin} is missing; run scripts/setup-system.sh`);
      if (process.getuid?.() !== 0)
        throw new Error(
          'the container tier launches sandboxes as root (to drop to uid 65534 and set cgroups); the server runs unprivileged',
        );
      const bpf = await seccompFilterPath(this.cacheDir);
      try {
        execFileSync(
          '/usr/bin/setpriv',
          [
            `--reuid=${SANDBOX_UID}`,
            `--regid=${SANDBOX_UID}`,
            '--clear-groups',
            '--',
            '/usr/bin/bwrap',
            '--unshare-all',
            '--unshare-user',
            '--ro-bind',
            '/usr',
            '/usr',
            '--symlink',
            'usr/lib',
            '/lib',
            '--symlink',
            'usr/lib64',
            '/lib64',
            '/usr/bin/true',
          ],
          { stdio: 'pipe', timeout: 5000 },
        );
      } catch (err) {
        throw new Error(
          `bubblewrap cannot create unprivileged namespaces here: ${String(
            (err as { stderr?: Buffer }).stderr ?? (err as Error).message,
          )
            .trim()
            .slice(0, 200)}`,
        );
      }
      return { bpf, cgroups: await detectCgroups() };
    })();
    this.prepared.catch(() => {
      this.prepared = undefined;
    });
    return this.prepared;
  }

  async available(): Promise<TierAvailability> {
    try {
      const p = await this.prepare();
      return {
        ok: true,
        ...(p.cgroups.ok
          ? {}
          : { reason: `running without cgroup limits (${p.cgroups.reason}); rlimits and Node's heap cap apply` }),
      };
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
  }

  /** What is enforced on this host, for docs and `available()` callers. */
  async enforcement(): Promise<{ cgroups: CgroupSupport }> {
    return { cgroups: (await this.prepare()).cgroups };
  }

  private bwrapArgs(): string[] {
    const a = [
      '--unshare-all',
      '--unshare-user',
      '--disable-userns',
      '--die-with-parent',
      '--new-session',
      '--cap-drop',
      'ALL',
      '--ro-bind',
      '/usr',
      '/usr',
      '--symlink',
      'usr/lib',
      '/lib',
      '--symlink',
      'usr/lib64',
      '/lib64',
      '--symlink',
      'usr/bin',
      '/bin',
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--size',
      String(TMPFS_BYTES),
      '--tmpfs',
      '/tmp',
      '--chdir',
      '/tmp',
      '--clearenv',
      '--uid',
      String(SANDBOX_UID),
      '--gid',
      String(SANDBOX_UID),
      '--hostname',
      'sandbox',
      '--seccomp',
      '3',
    ];
    if (!this.nodePath.startsWith('/usr/')) a.push('--ro-bind', this.nodePath, this.nodePath);
    a.push('--', this.nodePath);
    return a;
  }

  private launcherSpec(prep: Prepared): LauncherSpec {
    const command = [
      '/usr/bin/setpriv',
      `--reuid=${SANDBOX_UID}`,
      `--regid=${SANDBOX_UID}`,
      '--clear-groups',
      '--no-new-privs',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--',
      '/usr/bin/bwrap',
      ...this.bwrapArgs(),
    ];
    return {
      bpf: prep.bpf,
      cgroups: prep.cgroups,
      command,
      maxPids: MAX_PIDS,
      memoryBytes: (DEFAULT_LIMITS.memoryMb + 64) * 1024 * 1024,
    };
  }

  /** The spare launcher if it is still waiting, else a new one. */
  private async takeLauncher(prep: Prepared): Promise<Launcher> {
    const spare = this.spare;
    this.spare = undefined;
    const l = await spare?.catch(() => undefined);
    if (l && alive(l)) return l;
    if (l) void discard(l);
    return spawnLauncher(this.launcherSpec(prep));
  }

  private refill(prep: Prepared): void {
    if (this.spare || this.spareOff) return;
    const next = spawnLauncher(this.launcherSpec(prep)).then((l) => {
      setRef(l, false);
      return l;
    });
    next.catch(() => {
      if (this.spare === next) this.spare = undefined;
    });
    this.spare = next;
  }

  /** Kills the spare launcher and removes its cgroup (shutdown, tests). */
  async close(): Promise<void> {
    this.spareOff = true;
    const l = await this.spare?.catch(() => undefined);
    this.spare = undefined;
    if (l) await discard(l);
  }

  async run(
    code: string,
    input: unknown,
    bridge: Bridge,
    limits: RunLimits,
    signal?: AbortSignal,
  ): Promise<TierResult> {
    let prep: Prepared;
    try {
      prep = await this.prepare();
    } catch (err) {
      throw new AppRunError('crashed', `container tier unavailable on this host: ${(err as Error).message}`);
    }
    const started = performance.now();
    const launcher = await this.takeLauncher(prep);
    const { child, cg } = launcher;
    setRef(launcher, true);
    const stdin = child.stdin as NonNullable<typeof child.stdin>;
    const stdout = child.stdout as NonNullable<typeof child.stdout>;
    const stderrStream = child.stderr as NonNullable<typeof child.stderr>;

    let outcome: { ok: boolean; text: string } | undefined;
    let failure: AppRunError | undefined;
    let stderr = '';
    let received = 0;
    let buf = '';
    const cap = limits.maxOutputBytes * 2 + 2_000_000;
    let closed = false;
    const kill = () => {
      try {
        // Never signal a process group that is already gone (its id could be reused).
        if (child.pid && !closed) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      failure ??= new AppRunError('timeout', `app exceeded its ${limits.timeoutMs} ms time limit and was stopped`);
      kill();
    }, limits.timeoutMs);
    const onKill = () => {
      failure ??= killedError(signal as AbortSignal);
      kill();
    };
    if (signal?.aborted) onKill();
    else signal?.addEventListener('abort', onKill, { once: true });

    const exited = launcher.closed.then((e) => {
      closed = true;
      return e;
    });
    let answered: () => void = () => {};
    const answer = new Promise<void>((resolve) => (answered = resolve));
    stdin.on('error', () => {});
    stderrStream.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-STDERR_KEEP);
    });
    stdout.on('data', (d: Buffer) => {
      received += d.length;
      if (received > cap) {
        failure ??= new AppRunError('output_too_large', `app sent more than ${cap} bytes and was stopped`);
        kill();
        return;
      }
      buf += d.toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let m: { t?: unknown; id?: unknown; method?: unknown; args?: unknown; ok?: unknown; text?: unknown };
        try {
          m = JSON.parse(line) as typeof m;
        } catch {
          continue; // not protocol: a guest that got hold of stdout; ignored
        }
        if (m.t === 'call' && typeof m.id === 'number' && !outcome) {
          const id = m.id;
          void hostCall(bridge, m.method, m.args).then((payload) => {
            if (!stdin.destroyed) stdin.write(JSON.stringify({ t: 'reply', id, payload }) + '\n');
          });
        } else if (m.t === 'done' && !outcome) {
          outcome = { ok: m.ok === true, text: typeof m.text === 'string' ? m.text : '' };
          answered();
        }
      }
    });
    try {
      await cg?.setMemoryLimit((limits.memoryMb + 64) * 1024 * 1024);
    } catch {
      failure ??= new AppRunError('crashed', "could not set the run's memory limit; the run was not started");
      kill();
    }
    // The heap size releases the launcher (digits only, checked by it), then the runner reads the start message.
    stdin.write(`${Math.max(16, limits.memoryMb)}\n`);
    stdin.write(
      JSON.stringify({
        t: 'start',
        script: guestScript(code),
        input: JSON.stringify(input ?? null),
        escape: this.assumeVmEscape,
      }) + '\n',
    );

    // Answer as soon as the guest is done; tear-down (kill, reap, cgroup removal) finishes in the background.
    const first = await Promise.race([answer.then(() => undefined), exited]);
    this.refill(prep); // the next run's launcher joins its cgroups now, off this run's critical path
    clearTimeout(timer);
    signal?.removeEventListener('abort', onKill);
    const usage = cg ? await cg.usage() : { cpuMs: 0, peakMemoryBytes: 0, oom: false, hitMemoryLimit: false };
    kill();
    const teardown = exited.then(() => cg?.destroy());
    const exit = first ?? { code: null, signal: null };
    if (!outcome) await teardown;
    else void teardown.catch(() => {});
    const wallMs = Math.round((performance.now() - started) * 100) / 100;
    if (outcome) {
      if (!outcome.ok) throw new AppRunError('error', `app failed: ${outcome.text.slice(0, MAX_GUEST_MESSAGE)}`);
      if (outcome.text.length > limits.maxOutputBytes)
        throw new AppRunError(
          'output_too_large',
          `app output is ${outcome.text.length} bytes; the limit is ${limits.maxOutputBytes}`,
        );
      let output: unknown;
      try {
        output = JSON.parse(outcome.text);
      } catch {
        throw new AppRunError('bad_output', 'app output is not valid JSON');
      }
      return { output, usage: { cpuMs: usage.cpuMs, peakMemoryBytes: usage.peakMemoryBytes, wallMs } };
    }
    if (failure) throw failure;
    if (
      usage.oom ||
      /heap out of memory|Allocation failed/i.test(stderr) ||
      (usage.hitMemoryLimit && exit.signal === 'SIGKILL')
    ) {
      throw new AppRunError('memory', `app exceeded its ${limits.memoryMb} MB memory limit and was stopped`);
    }
    throw new AppRunError(
      'crashed',
      `app's sandbox exited before answering (${exit.signal ?? `code ${exit.code}`})${stderr ? `: ${lastLine(stderr)}` : ''}`,
    );
  }
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}
