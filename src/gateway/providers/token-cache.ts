// Access tokens an adapter fetched (Vertex service accounts, Entra ID client credentials), cached per credential until
// five minutes before they expire; concurrent callers share one fetch, and a failed fetch is forgotten.
import { createHash } from 'node:crypto';

const REFRESH_BEFORE_MS = 5 * 60_000;

export interface FetchedToken {
  token: string;
  /** Lifetime in seconds. */
  expiresIn: number;
}

interface Entry {
  token: Promise<string>;
  expiresAt: number;
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The cached token for `credential`, or a new one from `fetch`. The credential is kept only as its SHA-256. */
  get(credential: string, fetch: () => Promise<FetchedToken>): Promise<string> {
    const id = createHash('sha256').update(credential).digest('hex');
    const hit = this.entries.get(id);
    if (hit && hit.expiresAt - REFRESH_BEFORE_MS > this.now()) return hit.token;
    const entry: Entry = { token: Promise.resolve(''), expiresAt: Number.POSITIVE_INFINITY };
    entry.token = fetch().then(
      ({ token, expiresIn }) => {
        entry.expiresAt = this.now() + expiresIn * 1000;
        return token;
      },
      (err: unknown) => {
        if (this.entries.get(id) === entry) this.entries.delete(id);
        throw err;
      },
    );
    this.entries.set(id, entry);
    return entry.token;
  }
}

const isLoopback = (u: URL) => u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';

/** Whether a token endpoint may receive a credential: https, or plain http to loopback (local fakes). */
export function safeTokenUrl(raw: string): URL | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return undefined;
  }
  return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopback(u)) ? u : undefined;
}
