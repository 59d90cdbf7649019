// What `gatehouse demo incidents` plays against: a Gatehouse (the running one, or a temporary one with --standalone),
// fake providers on 127.0.0.1, a webhook receiver, and the calls an app makes through the model gateway.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createApiClient, type ApiClient } from '../cli/cli-context.js';
import { FakeUpstream } from './fake-upstream.js';

/** The provider key of the demo's fake providers (fixed: a running server caches provider keys per model). */
export const DEMO_PROVIDER_KEY = 'sk-gatehouse-demo';

export interface Hook {
  at: number;
  path: string;
  body: Record<string, unknown>;
}

export interface CallResult {
  status: number;
  text: string;
  model?: string;
  fallbackFrom?: string;
  costUsd: number;
  tokensIn: number;
  tokensOut: number;
  error?: string;
}

export interface DemoEnv {
  api: ApiClient;
  /** The demo apps' owner (set once the catalog has the demo users). */
  owner: ApiClient;
  url: string;
  home: string;
  standalone: boolean;
  /** The CLI's environment (GATEHOUSE_AUDIT_KEY, GATEHOUSE_HOME) for the audit key pin. */
  vars: Record<string, string | undefined>;
  hooks: Hook[];
  hookBase: string;
  upstreams: Record<'leaky' | 'safe' | 'spend', FakeUpstream>;
  /** Writes the fake providers' key where the server reads it ($GATEHOUSE_HOME/model-keys/<model>). */
  writeProviderKeys(models: string[]): void;
  /** One chat completion through the gateway with an app key. */
  call(appKey: string, model: string, prompt: string): Promise<CallResult>;
  /** Stops the providers and receiver (and the temporary server; its home stays when `keep`). */
  close(keep?: boolean): Promise<void>;
}

async function receiver(hooks: Hook[]): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(body) as Record<string, unknown>;
      } catch {
        parsed = { raw: body };
      }
      hooks.push({ at: Date.now(), path: req.url ?? '', body: parsed });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function standaloneServer(): Promise<{
  url: string;
  home: string;
  token: string;
  close(keep?: boolean): Promise<void>;
}> {
  const home = mkdtempSync(join(tmpdir(), 'gatehouse-demo-'));
  const token = `demo-admin-${randomBytes(16).toString('hex')}`;
  const { configSchema } = await import('../feature-registry.js');
  const { createGatehouse } = await import('../main.js');
  const { silentLogger } = await import('../core/logger.js');
  const config = configSchema.parse({
    home,
    server: { host: '127.0.0.1', port: 0 },
    adminToken: token,
    logLevel: 'silent',
    seedExamples: false,
  });
  const gh = await createGatehouse(config, { logger: silentLogger });
  const server = await gh.listen();
  return {
    url: server.url,
    home,
    token,
    async close(keep = false) {
      await gh.close();
      if (!keep) rmSync(home, { recursive: true, force: true });
    },
  };
}

export async function openDemoEnv(opts: {
  standalone: boolean;
  env: Record<string, string | undefined>;
  api: () => ApiClient;
}): Promise<DemoEnv> {
  const own = opts.standalone ? await standaloneServer() : undefined;
  const api = own ? createApiClient(own.url, own.token) : opts.api();
  const home = own ? own.home : resolve(opts.env.GATEHOUSE_HOME ?? '.gatehouse');
  const hooks: Hook[] = [];
  const rx = await receiver(hooks);
  const upstreams = {
    leaky: await new FakeUpstream({ apiKey: DEMO_PROVIDER_KEY, record: false }).start(),
    safe: await new FakeUpstream({ apiKey: DEMO_PROVIDER_KEY, record: false }).start(),
    spend: await new FakeUpstream({ apiKey: DEMO_PROVIDER_KEY, record: false }).start(),
  };
  const url = api.baseUrl.replace(/\/$/, '');
  return {
    api,
    owner: api,
    url,
    home,
    standalone: Boolean(own),
    vars: own ? { ...opts.env, GATEHOUSE_HOME: own.home, GATEHOUSE_AUDIT_KEY: undefined } : opts.env,
    hooks,
    hookBase: rx.base,
    upstreams,
    writeProviderKeys(models) {
      mkdirSync(join(home, 'model-keys'), { recursive: true });
      for (const m of models) writeFileSync(join(home, 'model-keys', m), `${DEMO_PROVIDER_KEY}\n`, { mode: 0o600 });
    },
    async call(appKey, model, prompt) {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${appKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, user: 'demo-analyst', messages: [{ role: 'user', content: prompt }] }),
      });
      const body = (await res.json().catch(() => ({}))) as {
        model?: string;
        choices?: { message?: { content?: string } }[];
        usage?: { prompt_tokens?: number; completion_tokens?: number };
        error?: { message?: string };
      };
      return {
        status: res.status,
        text: body.choices?.[0]?.message?.content ?? '',
        model: body.model,
        fallbackFrom: res.headers.get('x-gatehouse-fallback-from') ?? undefined,
        costUsd: Number(res.headers.get('x-gatehouse-cost-usd') ?? 0),
        tokensIn: body.usage?.prompt_tokens ?? 0,
        tokensOut: body.usage?.completion_tokens ?? 0,
        error: body.error?.message,
      };
    },
    async close(keep) {
      await Promise.all(Object.values(upstreams).map((u) => u.close()));
      rx.server.closeAllConnections();
      await new Promise<void>((r) => rx.server.close(() => r()));
      await own?.close(keep);
    },
  };
}
