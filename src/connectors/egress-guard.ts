// SSRF-safe outbound HTTP for app code: canonical URLs only, DNS resolved once, connect to the checked address,
// every redirect re-checked, DLP on URL/headers/body, capped responses. Hand-written because no maintained npm
// library pins the connection to the address it vetted and also re-authorizes each redirect with our policy hook.
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { PolicyDeniedError, InvalidInputError, UnavailableError } from '../core/errors.js';
import { checkAddress, METADATA_HOSTNAMES } from './address-policy.js';
import type { OutboundScanner } from './outbound-scanner.js';

export interface EgressRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface EgressResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The final URL after redirects. */
  url: string;
}

export interface EgressOptions {
  /** Called for the first URL and for every redirect target; throw to refuse (policy, manifest egress list). */
  authorize(url: URL): Promise<{ allowPrivateNetwork: boolean }>;
  maxResponseBytes?: number;
  maxRedirects?: number;
  timeoutMs?: number;
  /** What to do with sensitive data in an outbound body: refuse the call (default) or redact it. */
  bodyDlp?: 'block' | 'redact';
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const ALLOWED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
const FORBIDDEN_HEADERS =
  /^(host|connection|content-length|transfer-encoding|upgrade|te|trailer|keep-alive|expect|proxy-.*|forwarded|x-forwarded-.*)$/i;
const PASS_RESPONSE_HEADERS = new Set([
  'content-type',
  'content-length',
  'etag',
  'last-modified',
  'cache-control',
  'location',
  'date',
]);

function refuse(message: string): never {
  throw new PolicyDeniedError(`egress refused: ${message}`, { reason: 'egress_guard' });
}

/** Parses and vets a URL's spelling: http(s) only, no userinfo, host written canonically (no decimal/octal/hex/mapped IPs). */
export function parseEgressUrl(raw: string): URL {
  if (typeof raw !== 'string' || raw.length > 8192)
    throw new InvalidInputError('ctx.http.fetch: url must be a string of at most 8192 characters');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidInputError(`ctx.http.fetch: '${raw.slice(0, 200)}' is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    refuse(`scheme '${url.protocol}' is not allowed (http and https only)`);
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(raw)?.[1] ?? '';
  if (authority.includes('@') || url.username || url.password)
    refuse('URLs with user information (user@host) are not allowed');
  const rawHost = authority.replace(/:\d*$/, '').toLowerCase();
  if (rawHost !== url.hostname)
    refuse(`host '${rawHost}' is not written canonically (it means '${url.hostname}'); write the host plainly`);
  const bare = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 6 && /^::ffff:/i.test(bare)) refuse(`IPv4-mapped IPv6 address ${bare} is not allowed`);
  if (METADATA_HOSTNAMES.has(bare.replace(/\.$/, ''))) refuse(`${bare} is a cloud metadata host`);
  return url;
}

const defaultResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Resolves once and returns the one address we will connect to; every address the name has must pass. */
export async function pinAddress(
  url: URL,
  allowPrivateNetwork: boolean,
  resolve: Resolver = defaultResolver,
): Promise<{ address: string; family: number }> {
  const bare = url.hostname.replace(/^\[|\]$/g, '');
  let addrs: { address: string; family: number }[];
  if (isIP(bare)) addrs = [{ address: bare, family: isIP(bare) }];
  else {
    try {
      addrs = await resolve(bare);
    } catch {
      throw new UnavailableError(`egress: cannot resolve host '${bare}'`);
    }
  }
  if (addrs.length === 0) throw new UnavailableError(`egress: host '${bare}' has no addresses`);
  for (const a of addrs) {
    const v = checkAddress(a.address, allowPrivateNetwork);
    if (!v.ok) refuse(bare === a.address ? v.reason : `${bare} resolves to ${v.reason}`);
  }
  return addrs[0];
}

function scanOrRefuse(scanner: OutboundScanner | undefined, text: string, where: string): void {
  if (!scanner || !text) return;
  const types = scanner.scan(text);
  if (types.length > 0)
    refuse(`DLP found ${[...new Set(types)].join(', ')} in the outbound ${where}; remove it before sending`);
}

/** One vetted request/response exchange, following redirects with the same checks each hop. */
export async function guardedFetch(
  rawUrl: string,
  init: EgressRequestInit,
  opts: EgressOptions,
  scanner?: OutboundScanner,
  resolve?: Resolver,
): Promise<EgressResponse> {
  let method = (init.method ?? 'GET').toUpperCase();
  if (!ALLOWED_METHODS.has(method))
    throw new InvalidInputError(
      `ctx.http.fetch: method '${method}' is not allowed; use ${[...ALLOWED_METHODS].join(', ')}`,
    );
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(init.headers ?? {})) {
    if (typeof v !== 'string' || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(k))
      throw new InvalidInputError(`ctx.http.fetch: header '${k}' must be a token name with a string value`);
    if (FORBIDDEN_HEADERS.test(k)) refuse(`header '${k}' may not be set by apps`);
    headers[k.toLowerCase()] = v;
  }
  let body = init.body;
  if (body !== undefined && typeof body !== 'string')
    throw new InvalidInputError('ctx.http.fetch: init.body must be a string');
  scanOrRefuse(
    scanner,
    Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
    'headers',
  );
  if (body !== undefined && scanner) {
    if (opts.bodyDlp === 'redact' && scanner.redact) body = scanner.redact(body);
    else scanOrRefuse(scanner, body, 'body');
  }
  const maxRedirects = opts.maxRedirects ?? 5;
  let url = parseEgressUrl(rawUrl);
  for (let hop = 0; ; hop++) {
    scanOrRefuse(scanner, decodeSafe(url.pathname + url.search), 'URL');
    const { allowPrivateNetwork } = await opts.authorize(url);
    const pinned = await pinAddress(url, allowPrivateNetwork, resolve);
    const res = await exchange(url, method, headers, body, pinned, opts);
    const loc = res.headers.location;
    if ([301, 302, 303, 307, 308].includes(res.status) && loc) {
      if (hop >= maxRedirects) refuse(`more than ${maxRedirects} redirects`);
      let next: URL;
      try {
        next = new URL(loc, url);
      } catch {
        refuse(`redirect to an invalid location`);
      }
      url = parseEgressUrl(next.href);
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      continue;
    }
    return { ...res, url: url.href };
  }
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  pinned: { address: string; family: number },
  opts: EgressOptions,
): Promise<Omit<EgressResponse, 'url'>> {
  const max = opts.maxResponseBytes ?? 1_000_000;
  // Connect to the address we checked, whatever DNS says now (no rebinding between check and use).
  const lookup: LookupFunction = (_host, options, cb) => {
    if ((options as { all?: boolean }).all)
      (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
    else cb(null, pinned.address, pinned.family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    const req = send(
      url,
      {
        method,
        headers: body !== undefined ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers,
        lookup,
        agent: false,
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > max) {
            req.destroy();
            reject(
              new PolicyDeniedError(`egress refused: the response from ${url.host} is larger than ${max} bytes`, {
                reason: 'egress_guard',
              }),
            );
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers))
            if (PASS_RESPONSE_HEADERS.has(k) && typeof v === 'string') out[k] = v;
          resolvePromise({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new UnavailableError(`egress: ${url.host} did not answer within ${opts.timeoutMs ?? 10_000} ms`)),
    );
    req.on('error', (e) =>
      reject(
        e instanceof PolicyDeniedError || e instanceof UnavailableError
          ? e
          : new UnavailableError(
              `egress: request to ${url.host} failed (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
            ),
      ),
    );
    if (body !== undefined) req.write(body);
    req.end();
  });
}
