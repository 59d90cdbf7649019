// Picks the coordination backend from the config: in-process for one replica, Redis (with signed broadcast) for many.
import type { Clock } from '../core/clock.js';
import { InvalidInputError } from '../core/errors.js';
import type { HealthReporter } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { Coordination } from './coordination.js';
import { MemoryCoordination } from './memory-coordination.js';
import { RedisCoordination } from './redis-coordination.js';
import { SignedCoordination } from './signed-coordination.js';

export interface CoordinationSettings {
  redisUrl?: string;
  coordKey?: string;
}

export function createCoordination(
  settings: CoordinationSettings,
  deps: { clock: Clock; logger: Logger; health: HealthReporter },
): Coordination {
  if (!settings.redisUrl) return new MemoryCoordination(deps.clock);
  // Unsigned broadcast over Redis would let anyone who can reach Redis lift a kill: refuse to start without a key.
  if (!settings.coordKey)
    throw new InvalidInputError(
      'redisUrl is set but coordKey is not: set GATEHOUSE_COORD_KEY (at least 32 characters, the same on every ' +
        'replica, e.g. `openssl rand -hex 32`) so replicas can sign and check the messages they broadcast',
      [{ path: 'coordKey', message: 'required when redisUrl is set' }],
    );
  return new SignedCoordination(new RedisCoordination({ url: settings.redisUrl }), {
    key: settings.coordKey,
    clock: deps.clock,
    logger: deps.logger,
    health: deps.health,
  });
}
