// The `gateway` section of gatehouse.yaml, with defaults: caps, upstream resilience, DLP modes, sessions.
import { z } from 'zod';
import { DLP_MODES } from '../core/dlp-mode-limit.js';

const dlpMode = z.enum(DLP_MODES);

export const gatewayConfigSchema = z
  .object({
    /** max_tokens used when neither the caller, the manifest nor a policy sets one (bounds the worst-case cost). */
    defaultMaxOutputTokens: z.number().int().positive().default(4096),
    upstreamTimeoutMs: z.number().int().positive().default(30_000),
    /** One total deadline per call, retries included; for streams, until the first byte (then upstreamTimeoutMs
     *  bounds each wait between chunks). */
    deadlineMs: z.number().int().positive().default(60_000),
    retries: z.number().int().min(0).max(5).default(2),
    retryBaseMs: z.number().int().positive().default(200),
    breakerFailures: z.number().int().positive().default(5),
    breakerHalfOpenMs: z.number().int().positive().default(10_000),
    /** o200k_base counts scaled by this for Anthropic models (their tokenizer is not public). */
    anthropicTokenFactor: z.number().min(1).max(3).default(1.2),
    /** Prompt / output DLP unless a policy obligation (promptDlp / outputDlp) says otherwise. */
    promptDlp: dlpMode.default('mask'),
    outputDlp: dlpMode.default('mask'),
    /** HMAC secret for session tokens; default: a random one kept in GATEHOUSE_HOME/gateway-session.key. */
    sessionSecret: z.string().min(32, 'must be at least 32 characters').optional(),
    maxSessionTtlSeconds: z.number().int().positive().default(86_400),
    cacheMaxEntries: z.number().int().positive().default(10_000),
    /** Call audit entries are handed to the audit log in batches this often (ms; 0 = each at once): one fsync per batch. */
    auditBatchMs: z.number().int().min(0).max(1000).default(100),
    /**
     * batch: answers never wait for their audit entry (up to auditBatchMs of answered calls lost if the process
     * dies). sync: a response completes only after its audit entry and cost row are committed (docs/deploy.md).
     */
    auditDurability: z.enum(['batch', 'sync']).default('batch'),
    /**
     * Proxies (CIDRs) whose X-Forwarded-For is believed when a key's allowed networks are checked; the address
     * checked is the rightmost one not in this list. Empty: the TCP peer's address only.
     */
    trustedProxies: z.array(z.string()).default([]),
  })
  .strict();

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export const defaultGatewayConfig: GatewayConfig = gatewayConfigSchema.parse({});
