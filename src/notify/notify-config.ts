// Configuration for outbound notifications: webhook targets, payload format, retries and backoff.
import { z } from 'zod';

export const NOTIFY_EVENTS = [
  'approval.requested',
  'approval.reminded',
  'approval.escalated',
  'approval.decided',
  'canary.aborted',
  'canary.promoted',
] as const;
export type NotifyEventType = (typeof NOTIFY_EVENTS)[number];

export const webhookSchema = z
  .object({
    url: z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL'),
    /** json: Gatehouse's own event document; slack: `{text, blocks}` for a Slack incoming webhook. */
    format: z.enum(['json', 'slack']).default('json'),
    /** Only these events (default: all). */
    events: z.array(z.enum(NOTIFY_EVENTS)).optional(),
    /** Signs each delivery (x-gatehouse-signature, HMAC-SHA256 over `<x-gatehouse-timestamp>.<body>`). */
    secret: z.string().min(16, 'use at least 16 characters').optional(),
  })
  .strict();

export const notifyConfigSchema = z
  .object({
    webhooks: z.array(webhookSchema).default([]),
    /** Retries after the first attempt. */
    retries: z.number().int().min(0).max(10).default(4),
    /** First backoff delay; doubles each retry (with jitter), capped at maxBackoffMs. */
    backoffMs: z.number().int().positive().default(500),
    maxBackoffMs: z.number().int().positive().default(30_000),
    timeoutMs: z.number().int().positive().default(5_000),
  })
  .strict();

export type NotifyConfig = z.output<typeof notifyConfigSchema>;
export type WebhookTarget = z.output<typeof webhookSchema>;
