// CLI start-up cost: CPU (user+sys) of `gatehouse --help`, `--version` and `app list` against a running server,
// beside plain `node -e 0` measured in the same run (bash's `times` sums the children's CPU). Runs: CLI_BENCH_RUNS.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rmSync } from 'node:fs';
import { configSchema } from '../src/feature-registry.js';
import { silentLogger } from '../src/core/logger.js';
import { repoPath } from '../src/core/repo-root.js';
import { createGatehouse } from '../src/main.js';
import { tempDir } from '../src/testing/databases.js';

const runs = Number(process.env.CLI_BENCH_RUNS ?? 10);
const say = (s: string) => process.stdout.write(s + '\n');

/** Mean CPU ms per run of `cmd` (children's user+sys from bash `times`); async, the server runs in this process. */
async function cpuMs(cmd: string, env: Record<string, string> = {}): Promise<number> {
  const { stdout: out } = await promisify(execFile)(
    'bash',
    ['-c', `for i in $(seq ${runs}); do ${cmd} > /dev/null; done; times`],
    { env: { ...process.env, ...env }, encoding: 'utf8' },
  );
  // `times` prints the shell's own line, then the children's: "0m0.812s 0m0.203s".
  const child = out.trim().split('\n').at(-1)!;
  const secs = [...child.matchAll(/(\d+)m([\d.]+)s/g)].reduce((t, m) => t + Number(m[1]) * 60 + Number(m[2]), 0);
  return (secs * 1000) / runs;
}

const home = tempDir('gh-cli-bench-');
const config = configSchema.parse({
  home,
  server: { host: '127.0.0.1', port: 0 },
  adminToken: 'bench-admin-token-0123456789',
  logLevel: 'silent',
});
const gh = await createGatehouse(config, { logger: silentLogger });
const server = await gh.listen();
try {
  const bin = repoPath('bin', 'gatehouse');
  const env = { GATEHOUSE_URL: server.url, GATEHOUSE_TOKEN: config.adminToken!, GATEHOUSE_HOME: home };
  const base = await cpuMs('node -e 0');
  say(`CLI start-up, CPU per run (user+sys), ${runs} runs each, same run:`);
  say(`  node -e 0 (baseline)       ${base.toFixed(0).padStart(5)} ms`);
  for (const [label, args] of [
    ['gatehouse --help', '--help'],
    ['gatehouse --version', '--version'],
    ['gatehouse app list (server)', 'app list'],
  ] as const) {
    const ms = await cpuMs(`node ${bin} ${args}`, env);
    say(
      `  ${label.padEnd(26)} ${ms.toFixed(0).padStart(5)} ms  (${(ms / base).toFixed(2)}x baseline, +${(ms - base).toFixed(0)} ms)`,
    );
  }
} finally {
  await server.close();
  await gh.close();
  rmSync(home, { recursive: true, force: true });
}
