// The one webhook sender: POST with a per-attempt timeout, retries with exponential backoff on network errors,
// 408, 429 and 5xx, and an HMAC-SHA256 signature when a secret is set. Approvals, alerts and the witness use it.
import { createHmac } from 'node:crypto';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';

export interface WebhookRequest {
  url: string;
  body: string;
  /** Defaults to application/json. */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface DeliveryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  timeoutMs: number;
  backoffMs: number;
  maxBackoffMs?: number;
  /** Signs `<timestamp>.<body>` so the receiver can check origin and freshness. */
  secret?: string;
}

export interface DeliveryOutcome {
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

/** Headers a receiver checks: x-gatehouse-signature = sha256=HMAC(secret, `${x-gatehouse-timestamp}.${body}`). */
export function signatureHeaders(secret: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return { 'x-gatehouse-timestamp': timestamp, 'x-gatehouse-signature': `sha256=${mac}` };
}

class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** Delivers one webhook; never throws (the outcome says what happened). */
export async function sendWebhook(req: WebhookRequest, policy: DeliveryPolicy): Promise<DeliveryOutcome> {
  const attemptsPolicy = retry(
    handleWhen((e) => e instanceof DeliveryError && e.retryable),
    {
      maxAttempts: policy.retries,
      backoff: new ExponentialBackoff({ initialDelay: policy.backoffMs, maxDelay: policy.maxBackoffMs ?? 30_000 }),
    },
  );
  let attempts = 0;
  let status: number | undefined;
  try {
    await attemptsPolicy.execute(async () => {
      attempts++;
      let res: Response;
      try {
        res = await fetch(req.url, {
          method: 'POST',
          headers: {
            'content-type': req.contentType ?? 'application/json',
            ...req.headers,
            ...(policy.secret ? signatureHeaders(policy.secret, req.body) : {}),
          },
          body: req.body,
          signal: AbortSignal.timeout(policy.timeoutMs),
        });
      } catch (err) {
        throw new DeliveryError(`cannot reach ${req.url}: ${(err as Error).message}`, true);
      }
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      // Other 4xx mean the payload or URL is wrong, so retrying cannot help.
      if (!res.ok)
        throw new DeliveryError(
          `${req.url} answered ${res.status}`,
          res.status === 408 || res.status === 429 || res.status >= 500,
        );
    });
    return { ok: true, attempts, status };
  } catch (err) {
    return { ok: false, attempts, status, error: (err as Error).message };
  }
}
