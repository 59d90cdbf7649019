// Image URLs in a request pass the egress guard before any provider fetches them: the URL's spelling is vetted like
// the sandbox's fetch (parseEgressUrl: http(s), no user info, canonical host, no metadata host), a literal IP must
// be public, and the host must be in the app's spec.egress (the one egress rule, policy/scope.ts). Data URLs pass.
import { isIP } from 'node:net';
import { PolicyDeniedError } from '../core/errors.js';
import { checkAddress } from '../connectors/address-policy.js';
import { parseEgressUrl } from '../connectors/egress-guard.js';
import { hostAllowed } from '../sandbox/egress-scope.js';
import type { Caller } from './gateway-types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null;

/** Every URL a provider would fetch (OpenAI `image_url` parts, any Anthropic url-source block), at any depth. */
export function imageUrls(body: unknown, out: string[] = []): string[] {
  if (Array.isArray(body)) for (const x of body) imageUrls(x, out);
  else if (isObj(body)) {
    if (body.type === 'image_url') {
      const u = isObj(body.image_url) ? body.image_url.url : body.image_url;
      if (typeof u === 'string') out.push(u);
    } else if (isObj(body.source) && body.source.type === 'url') {
      // Any block with a URL source (Anthropic `image`, `document`, ...): the provider would fetch it.
      if (typeof body.source.url === 'string') out.push(body.source.url);
    }
    for (const v of Object.values(body)) if (typeof v === 'object') imageUrls(v, out);
  }
  return out;
}

/** Throws a 403 naming the host (or what is wrong with the URL) when an image URL may not be fetched. */
export function checkImageEgress(caller: Caller, body: Obj | undefined): void {
  if (!body) return;
  const egress = caller.version.manifest.spec.egress ?? [];
  for (const raw of imageUrls([body.messages, body.system])) {
    if (raw.startsWith('data:')) continue;
    const url = parseEgressUrl(raw);
    const bare = url.hostname.replace(/^\[|\]$/g, '');
    const v = isIP(bare) ? checkAddress(bare, false) : { ok: true as const };
    if (!v.ok)
      throw new PolicyDeniedError(
        `URL in the request (image or document) refused by the egress guard: ${v.reason}; send the image as a data URL.`,
        {
          reason: 'egress_guard',
          host: bare,
        },
      );
    if (!hostAllowed(egress, url))
      throw new PolicyDeniedError(
        `Image or document URL host '${url.host}' is not in app '${caller.app}' spec.egress (${egress.join(', ') || 'none declared'}); declare the host in the manifest or send the image as a data URL (base64).`,
        { reason: 'egress_guard', host: url.host, policy: 'egress' },
      );
  }
}
