// What every CLI command gets: an API client for the server, the --json switch, and output helpers.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GatehouseError, InvalidInputError, UnauthenticatedError } from '../core/errors.js';
import { loginToken } from '../identity/login-cache.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface ApiClient {
  readonly baseUrl: string;
  request<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
}

export interface CliContext {
  io: CliIo;
  env: Record<string, string | undefined>;
  /** True when the command was given --json. */
  json(): boolean;
  api(): ApiClient;
  /** Prints `data` as JSON with --json, else the human text. */
  print(data: unknown, human: () => string): void;
}

export function defaultToken(env: Record<string, string | undefined>): string | undefined {
  if (env.GATEHOUSE_TOKEN) return env.GATEHOUSE_TOKEN;
  const home = resolve(env.GATEHOUSE_HOME ?? '.gatehouse');
  try {
    return readFileSync(join(home, 'admin-token'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * One HTTP exchange over node:http(s). The CLI avoids global fetch: loading undici costs more CPU than the rest of
 * a command's start-up.
 */
async function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; ok: boolean; text: string }> {
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolvePromise({ status, ok: status >= 200 && status < 300, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * An HTTP client that turns error bodies back into GatehouseErrors so exit codes follow the status. `noTokenHint`
 * replaces the server's 401 message when no token was sent, saying where the CLI looked for one.
 */
export function createApiClient(
  baseUrl: string,
  tokenOrSource: string | undefined | (() => Promise<string | undefined>),
  noTokenHint?: string,
): ApiClient {
  return {
    baseUrl,
    async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
      let res: { status: number; ok: boolean; text: string };
      const token = typeof tokenOrSource === 'function' ? await tokenOrSource() : tokenOrSource;
      try {
        res = await send(
          new URL(path, baseUrl),
          method,
          {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...headers,
          },
          body === undefined ? undefined : JSON.stringify(body),
        );
      } catch (err) {
        throw new GatehouseError(
          'unavailable',
          503,
          `Cannot reach the Gatehouse server at ${baseUrl} (${(err as Error).message}); start it with \`npm start\` or set GATEHOUSE_URL.`,
        );
      }
      const text = res.text;
      let data: unknown = undefined;
      if (text) {
        try {
          data = JSON.parse(text);
        } catch {
          data = text;
        }
      }
      if (res.status === 401 && !token && noTokenHint) throw new UnauthenticatedError(noTokenHint);
      if (!res.ok) {
        const e = (data as { error?: { code?: string; message?: string; details?: [] } } | undefined)?.error;
        const { code, message, details, ...extra } = (e ?? {}) as Record<string, unknown>;
        throw new GatehouseError(
          String(code ?? 'http_error'),
          res.status,
          String(message ?? `HTTP ${res.status}`),
          (details as []) ?? [],
          extra,
        );
      }
      return data as T;
    },
  };
}

export function createCliContext(
  io: CliIo,
  env: Record<string, string | undefined>,
  jsonFlag: () => boolean,
): CliContext {
  let client: ApiClient | undefined;
  return {
    io,
    env,
    json: jsonFlag,
    api() {
      const url = env.GATEHOUSE_URL ?? 'http://127.0.0.1:8080';
      const home = resolve(env.GATEHOUSE_HOME ?? '.gatehouse');
      // GATEHOUSE_TOKEN first, then a `gatehouse login` sign-in for this server, then the local admin token file.
      // Looked up per request (a small file read), so `login` itself uses the sign-in it has just written.
      client ??= createApiClient(
        url,
        async () =>
          env.GATEHOUSE_TOKEN
            ? env.GATEHOUSE_TOKEN
            : ((await loginToken(env, url).catch(() => undefined)) ?? defaultToken(env)),
        `No token: set GATEHOUSE_TOKEN (\`gatehouse token create --user <name>\`), sign in with \`gatehouse login\`, or run the CLI where it can read the server's ${join(home, 'admin-token')} (set GATEHOUSE_HOME to the server's home; it is ${home} now).`,
      );
      return client;
    },
    print(data, human) {
      io.out(jsonFlag() ? JSON.stringify(data, null, 2) : human());
    },
  };
}

/** Reads a file argument or throws an invalid-input error naming it. */
export function readInputFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidInputError(
      `Cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      [{ path, message: 'check the path' }],
    );
  }
}
