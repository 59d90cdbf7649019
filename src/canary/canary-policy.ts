// The CanaryPolicy document: the stages a candidate goes through (a replay on obfuscated data, then live traffic
// shares) and the analysis gate's thresholds. Its own document (apiVersion gatehouse/v1, kind CanaryPolicy), given to
// `gatehouse canary start --policy file`; without one the defaults below apply.
import { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import { parseOrThrow } from '../core/validation.js';

const stageSchema = z
  .object({
    /** Share of live users (sticky bucket, as rollout flags) served by the candidate; 0 = replay only. */
    traffic: z.number().min(0).max(100),
    /** Stage 0: how many recorded inputs of the version in force to replay against both versions. */
    replay: z.number().int().min(1).max(10_000).optional(),
    /** Live stages: how long to collect runs before the gate decides, e.g. 30m, 1h. */
    duration: z.string().optional(),
    /** Fewer runs than this on either side → inconclusive. */
    minSamples: z.number().int().min(1).default(10),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.traffic === 0 && s.replay === undefined)
      ctx.addIssue({ code: 'custom', path: ['replay'], message: 'a traffic 0 stage replays: set replay' });
    if (s.traffic > 0 && s.duration === undefined)
      ctx.addIssue({ code: 'custom', path: ['duration'], message: 'a live stage needs a duration such as 30m' });
    if (s.duration !== undefined) {
      try {
        parseDuration(s.duration, 'duration');
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['duration'], message: (err as Error).message });
      }
    }
  });

export const thresholdsSchema = z
  .object({
    /** Significance level: a regression fails only when its test's p-value is below alpha. */
    alpha: z.number().gt(0).lt(1).default(0.05),
    /** Largest tolerated increase of the error rate (absolute, 0.02 = 2 points). */
    maxErrorRateIncrease: z.number().min(0).default(0.02),
    /** Largest tolerated increase of the share of runs with a policy refusal. */
    maxRefusalRateIncrease: z.number().min(0).default(0.02),
    /** Largest tolerated increase of the share of runs with denied egress. */
    maxEgressDeniedRateIncrease: z.number().min(0).default(0),
    /** Candidate p50 / p95 latency over the baseline's. */
    maxLatencyRatio: z.number().min(1).default(1.5),
    /** Candidate mean tokens per call over the baseline's. */
    maxTokensRatio: z.number().min(1).default(1.25),
    /** Candidate mean cost per call over the baseline's. */
    maxCostRatio: z.number().min(1).default(1.25),
    /** Largest tolerated increase of DLP detections per call in outputs, per entity type. */
    maxDlpPerCallIncrease: z.number().min(0).default(0),
  })
  .strict();

export const canaryPolicySchema = z
  .object({
    apiVersion: z.literal('gatehouse/v1'),
    kind: z.literal('CanaryPolicy'),
    metadata: z.object({ name: z.string().min(1) }).strict(),
    spec: z
      .object({
        stages: z.array(stageSchema).min(1, 'list at least one stage'),
        thresholds: thresholdsSchema.prefault({}),
      })
      .strict(),
  })
  .strict();

export type CanaryPolicy = z.output<typeof canaryPolicySchema>;
export type CanaryStage = CanaryPolicy['spec']['stages'][number];
export type Thresholds = CanaryPolicy['spec']['thresholds'];

export const DEFAULT_CANARY_POLICY: CanaryPolicy = parseCanaryPolicy({
  apiVersion: 'gatehouse/v1',
  kind: 'CanaryPolicy',
  metadata: { name: 'default' },
  spec: {
    stages: [
      { traffic: 0, replay: 200 },
      { traffic: 5, duration: '30m' },
      { traffic: 25, duration: '1h' },
    ],
  },
});

/** Validates a policy document; InvalidInputError names the field (policy.spec.stages.0.replay ...). */
export function parseCanaryPolicy(doc: unknown): CanaryPolicy {
  return parseOrThrow(canaryPolicySchema, doc, 'policy');
}
