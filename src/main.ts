// Composition root: config → store → coordination → services → HTTP routes. The only place wiring happens.
import { readFileSync } from 'node:fs';
import type { GatehouseConfig } from './config/config.js';
import { systemClock, type Clock } from './core/clock.js';
import { createLogger, type Logger } from './core/logger.js';
import type { Coordination } from './coord/coordination.js';
import { MemoryCoordination } from './coord/memory-coordination.js';
import { buildApp, listen, type RunningServer } from './http/server.js';
import type { AnyRoute } from './http/route.js';
import type { Principal } from './identity/principal.js';
import { allMigrations } from './store/migrations.js';
import { openDb } from './store/open-db.js';
import { migrate, type SqlDb } from './store/sql-db.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface GatehouseOptions {
  clock?: Clock;
  logger?: Logger;
  /** PostgreSQL schema to use (tests isolate themselves with one). */
  pgSchema?: string;
}

export interface Gatehouse {
  config: GatehouseConfig;
  db: SqlDb;
  coord: Coordination;
  clock: Clock;
  logger: Logger;
  routes: AnyRoute[];
  authenticate(token: string): Promise<Principal | undefined>;
  /** Starts HTTP on the configured host/port (port 0 picks a free one). */
  listen(): Promise<RunningServer>;
  close(): Promise<void>;
}

export async function createGatehouse(config: GatehouseConfig, opts: GatehouseOptions = {}): Promise<Gatehouse> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger(config.logLevel);
  const db = await openDb({ home: config.home, databaseUrl: config.databaseUrl, schema: opts.pgSchema });
  await migrate(db, allMigrations);
  const coord: Coordination = new MemoryCoordination(clock);
  const routes: AnyRoute[] = [];
  const authenticate = async (_token: string): Promise<Principal | undefined> => undefined;

  let server: RunningServer | undefined;
  return {
    config, db, coord, clock, logger, routes, authenticate,
    async listen() {
      const app = buildApp({ routes, authenticate, maxBodyBytes: config.server.maxBodyBytes, logger, version: VERSION });
      server = await listen(app, config.server.host, config.server.port);
      return server;
    },
    async close() {
      await server?.close();
      await coord.close();
      await db.close();
    },
  };
}
