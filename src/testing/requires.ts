// What a test suite needs from the machine (PostgreSQL, Redis, the container tier): probed once per process.
// Outside CI a missing piece skips its suites with one loud line naming it and the command that installs it;
// with CI=true nothing is skipped, so the suites run and fail.
import { createConnection } from 'node:net';

export interface Requirement {
  /** What is missing, in words a new contributor recognises. */
  name: string;
  /** The command or setting that provides it. */
  install: string;
  /** Undefined when present, else why not. */
  probe(): Promise<string | undefined>;
}

const inCi = process.env.CI === 'true';
const results = new Map<Requirement, Promise<string | undefined>>();

/** undefined when `req` is met or CI=true; else the skip message (printed once, loudly, to stderr). */
export async function missing(req: Requirement): Promise<string | undefined> {
  let r = results.get(req);
  if (!r) {
    r = req.probe().then((why) => {
      if (why && !inCi)
        process.stderr.write(`\n*** SKIPPED ${req.name}: ${why}. To run these tests: ${req.install}\n\n`);
      return why;
    });
    results.set(req, r);
  }
  const why = await r;
  return why && !inCi ? `${req.name} missing: ${why}` : undefined;
}

/** Options for describe(): `{ skip }` when `req` is missing outside CI. */
export async function suiteNeeds(req: Requirement): Promise<{ skip?: string }> {
  const why = await missing(req);
  return why ? { skip: why } : {};
}

/** Undefined when something accepts TCP connections at host:port, else why not; tries twice (loaded machines). */
export async function tcpOpen(host: string, port: number): Promise<string | undefined> {
  const first = await tcpOnce(host, port);
  return first === undefined ? undefined : tcpOnce(host, port);
}

function tcpOnce(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port, timeout: 5000 });
    const done = (why?: string) => {
      s.destroy();
      resolve(why);
    };
    s.once('connect', () => done());
    s.once('timeout', () => done(`nothing answers at ${host}:${port}`));
    s.once('error', (err) => done(`${host}:${port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
  });
}

function urlProbe(url: string, defaultPort: number): () => Promise<string | undefined> {
  return () => {
    const u = new URL(url);
    return tcpOpen(u.hostname, Number(u.port || defaultPort));
  };
}

export const TEST_PG_URL = process.env.GATEHOUSE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const POSTGRES: Requirement = {
  name: 'PostgreSQL contract suites',
  install: 'start PostgreSQL on 127.0.0.1:5432 (trust auth, database test) or set GATEHOUSE_TEST_DATABASE_URL',
  probe: urlProbe(TEST_PG_URL, 5432),
};

export const REDIS: Requirement = {
  name: 'Redis coordination suites',
  install: 'start Redis on 127.0.0.1:6379 or set GATEHOUSE_TEST_REDIS_URL',
  probe: urlProbe(TEST_REDIS_URL, 6379),
};

export const CONTAINER_TIER: Requirement = {
  name: 'container tier suites (bubblewrap)',
  install: 'sudo bash scripts/setup-system.sh',
  async probe() {
    const { ContainerTier } = await import('../sandbox/container-tier.js');
    const a = await new ContainerTier().available();
    return a.ok ? undefined : a.reason;
  },
};

export const TEST_MYSQL_URL = process.env.GATEHOUSE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export const MYSQL: Requirement = {
  name: 'MariaDB/MySQL data suites',
  install: 'start MariaDB on 127.0.0.1:3306 (root, empty password; .ci/run does) or set GATEHOUSE_TEST_MYSQL_URL',
  probe: urlProbe(TEST_MYSQL_URL, 3306),
};

/** Debian's chromium (scripts/setup-system.sh installs it); playwright-core drives it by path, never downloads one. */
export const CHROMIUM_PATH = process.env.GATEHOUSE_TEST_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM: Requirement = {
  name: 'browser suites (chromium)',
  install: 'sudo bash scripts/setup-system.sh (installs Debian chromium) or set GATEHOUSE_TEST_CHROMIUM',
  async probe() {
    const { access, constants } = await import('node:fs/promises');
    return access(CHROMIUM_PATH, constants.X_OK).then(
      () => undefined,
      () => `no executable at ${CHROMIUM_PATH}`,
    );
  },
};
