// POST /api/v1/auth/exchange: the RFC 8693 token endpoint shape (form-encoded or JSON request; access_token
// response; RFC 6749 `{error, error_description}` on refusal), mounted raw because the protocol fixes its shapes.
import type { Hono } from 'hono';
import { z } from 'zod';
import type { RawRouteDoc } from '../http/route.js';
import { errorResponse, readBodyText, readJsonBody } from '../http/server.js';
import type { Logger } from '../core/logger.js';
import { ExchangeRefusal, type ExchangeRequest, type TokenExchange } from './token-exchange.js';

const MAX_BODY = 64 * 1024;

export const exchangeRouteDoc: RawRouteDoc = {
  method: 'post',
  path: '/api/v1/auth/exchange',
  summary: 'Exchange a CI OIDC token for a short-lived Gatehouse token (RFC 8693; a TrustPolicy must allow it)',
  tag: 'identity',
  access: 'public',
  auth: 'the subject_token in the body (an OIDC token from an issuer a TrustPolicy names)',
  body: z.object({
    grant_type: z.literal('urn:ietf:params:oauth:grant-type:token-exchange'),
    subject_token: z.string(),
    subject_token_type: z.string().optional(),
    scope: z.string().optional(),
  }),
  response: z.object({
    access_token: z.string(),
    issued_token_type: z.string(),
    token_type: z.string(),
    expires_in: z.number(),
    scope: z.string().optional(),
  }),
};

export function mountTokenExchange(app: Hono, exchange: TokenExchange, logger: Logger): void {
  app.post('/api/v1/auth/exchange', async (c) => {
    try {
      const form = (c.req.header('content-type') ?? '').includes('application/x-www-form-urlencoded');
      const raw = form
        ? Object.fromEntries(new URLSearchParams(await readBodyText(c, MAX_BODY)))
        : await readJsonBody(c, MAX_BODY);
      const req: ExchangeRequest = {};
      for (const k of ['grant_type', 'subject_token', 'subject_token_type', 'scope'] as const) {
        const v = (raw as Record<string, unknown>)[k];
        if (typeof v === 'string') req[k] = v;
      }
      const out = await exchange.exchange(req);
      return c.json(out, 200, { 'cache-control': 'no-store' });
    } catch (err) {
      if (err instanceof ExchangeRefusal)
        return c.json({ error: err.error, error_description: err.message }, 400, { 'cache-control': 'no-store' });
      return errorResponse(c, err, logger);
    }
  });
}
