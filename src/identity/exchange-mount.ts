// POST /api/v1/auth/exchange: the RFC 8693 token endpoint shape (form-encoded or JSON request; access_token
// response; RFC 6749 `{error, error_description}` on refusal), mounted raw because the protocol fixes its shapes.
import type { Hono } from 'hono';
import { errorResponse, readBodyText, readJsonBody } from '../http/server.js';
import type { Logger } from '../core/logger.js';
import { ExchangeRefusal, type ExchangeRequest, type TokenExchange } from './token-exchange.js';

const MAX_BODY = 64 * 1024;

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
