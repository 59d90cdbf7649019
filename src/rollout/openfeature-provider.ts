// An OpenFeature-compatible provider over the rollout flags (the server SDK's Provider shape, no dependency):
// flag key = app name (optionally `app:environment`), targetingKey = user id, context.groups = user groups.
import type { Environment } from '../core/governance.js';
import type { FlagService } from './flags.js';

export interface EvaluationContext {
  targetingKey?: string;
  groups?: string[] | string;
  environment?: string;
  [key: string]: unknown;
}

export interface ResolutionDetails<T> {
  value: T;
  variant?: string;
  reason?: 'TARGETING_MATCH' | 'SPLIT' | 'DISABLED' | 'DEFAULT' | 'ERROR';
  errorCode?: 'FLAG_NOT_FOUND' | 'TYPE_MISMATCH' | 'TARGETING_KEY_MISSING';
  flagMetadata?: Record<string, string | number | boolean>;
}

export function createOpenFeatureProvider(flags: FlagService, defaultEnvironment: Environment = 'prod') {
  const mismatch = <T>(value: T): Promise<ResolutionDetails<T>> =>
    Promise.resolve({ value, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
  return {
    metadata: { name: 'gatehouse-rollout' },
    runsOn: 'server' as const,
    async resolveBooleanEvaluation(
      flagKey: string,
      defaultValue: boolean,
      context: EvaluationContext = {},
    ): Promise<ResolutionDetails<boolean>> {
      const [app, envPart] = flagKey.split(':');
      const env = (envPart ?? context.environment ?? defaultEnvironment) as Environment;
      const flag = flags.get(app, env);
      if (!flag) return { value: defaultValue, reason: 'DEFAULT', errorCode: 'FLAG_NOT_FOUND' };
      if (!context.targetingKey) return { value: defaultValue, reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' };
      const groups = Array.isArray(context.groups)
        ? context.groups
        : typeof context.groups === 'string'
          ? [context.groups]
          : [];
      const r = flags.evaluate(app, env, context.targetingKey, groups);
      const reason = r.reason === 'disabled' ? 'DISABLED' : r.reason === 'group' ? 'TARGETING_MATCH' : 'SPLIT';
      return { value: r.on, variant: r.on ? 'on' : 'off', reason, flagMetadata: { percentage: flag.percentage } };
    },
    resolveStringEvaluation: (_k: string, d: string) => mismatch(d),
    resolveNumberEvaluation: (_k: string, d: number) => mismatch(d),
    resolveObjectEvaluation: <T>(_k: string, d: T) => mismatch(d),
  };
}
