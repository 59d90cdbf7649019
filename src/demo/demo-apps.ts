// Puts a demo app version in force through the API as an operator would: submit, approve if reviewers are asked
// for (the demo's admin signs every required role), then release.
import { createApiClient, type ApiClient } from '../cli/cli-context.js';
import { GatehouseError } from '../core/errors.js';
import { APP_CODE, DEMO } from './demo-fixtures.js';

interface Submitted {
  version: number;
  state: string;
}

/** The demo apps' owner, as a creator submits: a short-lived token for the demo-owner catalog user. */
export async function ownerClient(api: ApiClient): Promise<ApiClient> {
  const t = await api.request<{ token: string }>('POST', '/api/v1/tokens', { user: DEMO.owner, ttl: '1h' });
  return createApiClient(api.baseUrl, t.token);
}

/** Submits as the owner, releases as the operator running the demo; returns the version now in force. */
export async function submitAndRelease(
  api: ApiClient,
  owner: ApiClient,
  manifest: Record<string, unknown>,
): Promise<number> {
  const s = await owner.request<Submitted>('POST', '/api/v1/apps', { manifest, code: APP_CODE });
  const app = String((manifest.metadata as { name: string }).name);
  if (s.state !== 'approved' && s.state !== 'released')
    throw new GatehouseError(
      'demo_not_approved',
      409,
      `The demo app '${app}' v${s.version} is '${s.state}', not approved automatically: this server's admission rules ask reviewers for it. Run the demo with --standalone.`,
    );
  if (s.state !== 'released')
    await api.request('POST', `/api/v1/apps/${app}/release`, { version: s.version, reason: 'gatehouse demo' });
  return s.version;
}

export async function appKey(api: ApiClient, app: string): Promise<{ id: string; key: string }> {
  return api.request<{ id: string; key: string }>('POST', `/api/v1/apps/${app}/keys`, {});
}
