// The AlertRule document (kind: AlertRule, YAML): what to watch (match, groupBy), when to fire (threshold,
// anomaly against an EWMA baseline, deployment regression, cost over a percentage of the daily budget) and what to do (notify → cap → kill → rollback).
import { z } from 'zod';
import { nameSchema } from '../catalog/catalog-schema.js';
import { parseDuration } from '../core/duration.js';
import { InvalidInputError } from '../core/errors.js';
import { parseOrThrow } from '../core/validation.js';

const duration = z.string().transform((s, ctx) => {
  try {
    return parseDuration(s, 'duration');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^duration: /, '') });
    return z.NEVER;
  }
});

export const GROUP_BY = ['app', 'app_version', 'user', 'model', 'connector'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

const thresholdSchema = z
  .object({
    type: z.literal('threshold'),
    /**
     * `events` counts matching events; `count` sums metrics.count (1 when absent); `tokens` = tokensIn + tokensOut;
     * `rows_read` = rows returned by governed data queries (data.access events); else a metric name.
     */
    metric: z.string().min(1).default('events'),
    op: z.enum(['>=', '>']).default('>='),
    value: z.number().nonnegative(),
    window: duration,
  })
  .strict();

const anomalySchema = z
  .object({
    type: z.literal('anomaly'),
    metric: z.string().min(1).default('tokens'),
    /** Fire when this bucket's total is at least `factor` times the EWMA of previous buckets. */
    factor: z.number().gt(1),
    /** The bucket the totals are summed over: a minute by default; `1h` for a per-hour anomaly (rows read per hour). */
    bucket: duration.default(60_000),
    /** EWMA half-life: how fast the baseline forgets (default 30m; at least one bucket). */
    halfLife: duration.default(30 * 60_000),
    /** This bucket's total must reach this volume too, so quiet apps do not flap. */
    minVolume: z.number().nonnegative(),
    /** Closed buckets of history the baseline needs before the rule may fire (minutes with the default bucket). */
    minBaselineMinutes: z.number().int().positive().default(5),
  })
  .strict();

const regressionSchema = z
  .object({
    type: z.literal('regression'),
    measure: z.enum(['error_rate', 'p95_latency']),
    /** Fire when the newest version's value is at least `factor` times the previous version's. */
    factor: z.number().gt(1),
    window: duration,
    minEvents: z.number().int().positive().default(20),
  })
  .strict();

const budgetSchema = z
  .object({
    type: z.literal('cost_over_budget_pct'),
    /**
     * Fire when the app's model cost today (UTC, as its daily budget counts it: spent or reserved) reaches this
     * percentage of its daily budget (the manifest's spec.budgets.dailyCostUsd or a policy's dailyCostUsd, the lower).
     */
    value: z.number().positive().max(100, 'at most 100: the budget itself refuses calls that would pass it'),
  })
  .strict();

const actionSchema = z.union([
  z
    .object({
      notify: z
        .object({
          webhook: z.string().url('must be an http(s) URL'),
          headers: z.record(z.string(), z.string()).optional(),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      cap: z
        .object({
          limits: z.record(z.string(), z.number().nonnegative()).default({}),
          /** Route model calls to the manifest's fallback model while capped. */
          fallback: z.boolean().default(false),
          duration: duration.default(60 * 60_000),
        })
        .strict(),
    })
    .strict(),
  z.object({ kill: z.object({}).strict().nullable().default({}) }).strict(),
  z.object({ rollback: z.object({}).strict().nullable().default({}) }).strict(),
]);

export const alertRuleSchema = z
  .object({
    apiVersion: z.literal('gatehouse/v1'),
    kind: z.literal('AlertRule'),
    metadata: z
      .object({
        name: nameSchema,
        description: z.string().optional(),
        labels: z.record(z.string(), z.string()).optional(),
      })
      .strict(),
    spec: z
      .object({
        enabled: z.boolean().default(true),
        match: z
          .object({
            kind: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
            app: z.string().optional(),
            /**
             * Label equality; a comma-separated label (entities: "US_SSN,EMAIL_ADDRESS") matches if it contains the value;
             * a list matches any of its values.
             */
            attrs: z
              .record(
                z.string(),
                z.union([
                  z.string(),
                  z.number(),
                  z.boolean(),
                  z.array(z.union([z.string(), z.number(), z.boolean()])).min(1),
                ]),
              )
              .optional(),
          })
          .strict(),
        groupBy: z.enum(GROUP_BY).default('app'),
        condition: z.discriminatedUnion('type', [thresholdSchema, anomalySchema, regressionSchema, budgetSchema]),
        actions: z.array(actionSchema).min(1, 'list at least one action (notify, cap, kill, rollback)'),
        cooldown: duration.default(10 * 60_000),
      })
      .strict()
      .superRefine((spec, ctx) => {
        const needsApp = spec.actions.some((a) => 'rollback' in a);
        if (needsApp && !['app', 'app_version'].includes(spec.groupBy))
          ctx.addIssue({ code: 'custom', path: ['actions'], message: 'rollback needs groupBy app or app_version' });
        if (spec.condition.type === 'cost_over_budget_pct') {
          // The daily budget and its spend are the app's (all versions, all users): one window per app.
          if (spec.groupBy !== 'app')
            ctx.addIssue({
              code: 'custom',
              path: ['groupBy'],
              message: 'cost_over_budget_pct needs groupBy app (the daily budget is per app)',
            });
          const kinds = [spec.match.kind].flat();
          if (kinds.length !== 1 || kinds[0] !== 'model.invocation')
            ctx.addIssue({
              code: 'custom',
              path: ['match', 'kind'],
              message:
                'cost_over_budget_pct watches model.invocation events (they carry the spend); set match.kind: model.invocation',
            });
        }
      }),
  })
  .strict();

export type AlertRuleDoc = z.output<typeof alertRuleSchema>;
export type AlertRuleInput = z.input<typeof alertRuleSchema>;
export type AlertCondition = AlertRuleDoc['spec']['condition'];
export type AlertAction = AlertRuleDoc['spec']['actions'][number];
export const ACTION_ORDER = ['notify', 'cap', 'kill', 'rollback'] as const;
export type ActionType = (typeof ACTION_ORDER)[number];
export const actionType = (a: AlertAction): ActionType => ACTION_ORDER.find((t) => t in a)!;

/** Validates AlertRule documents (all of them, or none: the first error names its source and field). */
export function parseAlertRules(docs: { source: string; value: unknown }[]): AlertRuleDoc[] {
  const out: AlertRuleDoc[] = [];
  const seen = new Map<string, string>();
  for (const d of docs) {
    const rule = parseOrThrow(alertRuleSchema, d.value, `AlertRule in ${d.source}`);
    const dup = seen.get(rule.metadata.name);
    if (dup)
      throw new InvalidInputError(
        `AlertRule '${rule.metadata.name}' is defined twice (${dup} and ${d.source}); rename one.`,
        [{ path: `${d.source}.metadata.name`, message: 'names must be unique' }],
      );
    seen.set(rule.metadata.name, d.source);
    out.push(rule);
  }
  if (out.length === 0)
    throw new InvalidInputError('No AlertRule documents given.', [
      { path: '(documents)', message: 'send at least one AlertRule' },
    ]);
  return out;
}
