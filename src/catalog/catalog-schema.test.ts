// Catalog schema rules that are easy to get wrong: each provider's block is accepted for it, required where the
// provider cannot work without it, and refused (naming the field) elsewhere; TrustPolicy token lifetimes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../core/errors.js';
import { parseOrThrow } from '../core/validation.js';
import { modelSchema, trustPolicySchema } from './catalog-schema.js';

const model = (spec: Record<string, unknown>) => ({
  apiVersion: 'gatehouse/v1',
  kind: 'Model',
  metadata: { name: 'm' },
  spec: {
    region: 'eu',
    version: '1',
    pricing: { inputPerMTok: 1, outputPerMTok: 2 },
    environments: ['prod'],
    risk: 'low',
    ...spec,
  },
});
const refused = (spec: Record<string, unknown>, path: string, msg: RegExp) =>
  assert.throws(
    () => parseOrThrow(modelSchema, model(spec), 'Model'),
    (e: unknown) => e instanceof InvalidInputError && e.details.some((d) => d.path === path && msg.test(d.message)),
  );

describe('Model provider fields', () => {
  it('accepts each provider with its fields (defaults filled)', () => {
    const az = parseOrThrow(
      modelSchema,
      model({
        provider: 'azure-openai',
        upstream: 'https://acme.openai.azure.com',
        azure: { apiVersion: '2024-10-21' },
      }),
      'Model',
    );
    assert.deepEqual(az.spec.azure, { apiVersion: '2024-10-21', auth: 'api-key' });
    const vx = parseOrThrow(
      modelSchema,
      model({
        provider: 'vertex',
        upstream: 'https://europe-west4-aiplatform.googleapis.com/v1',
        vertex: { project: 'acme-prod', location: 'europe-west4' },
      }),
      'Model',
    );
    assert.equal(vx.spec.vertex?.location, 'europe-west4');
    const local = parseOrThrow(
      modelSchema,
      model({
        provider: 'openai-compatible',
        upstream: 'http://127.0.0.1:11434/v1',
        openaiCompatible: { auth: 'none' },
      }),
      'Model',
    );
    assert.equal(local.spec.openaiCompatible?.auth, 'none');
    parseOrThrow(
      modelSchema,
      model({ provider: 'gemini', upstream: 'https://generativelanguage.googleapis.com/v1beta' }),
      'Model',
    );
  });

  it('requires azure and vertex blocks, and checks their values', () => {
    refused({ provider: 'azure-openai', upstream: 'https://a.openai.azure.com' }, 'spec.azure', /azure\.apiVersion/);
    refused(
      { provider: 'vertex', upstream: 'https://x.googleapis.com/v1' },
      'spec.vertex',
      /project and vertex\.location/,
    );
    refused(
      { provider: 'azure-openai', upstream: 'https://a.openai.azure.com', azure: { apiVersion: 'latest' } },
      'spec.azure.apiVersion',
      /2024-10-21/,
    );
    refused(
      { provider: 'azure-openai', upstream: 'https://a', azure: { apiVersion: '2024-10-21', auth: 'password' } },
      'spec.azure.auth',
      /.+/,
    );
  });

  it('refuses a provider block on another provider, and unknown keys', () => {
    refused(
      { provider: 'gemini', upstream: 'https://g', vertex: { project: 'acme-prod', location: 'us-central1' } },
      'spec.vertex',
      /only for provider vertex/,
    );
    refused(
      { provider: 'openai', upstream: 'https://o', azure: { apiVersion: '2024-10-21' } },
      'spec.azure',
      /only for provider azure-openai/,
    );
    refused(
      {
        provider: 'vertex',
        upstream: 'https://v',
        vertex: { project: 'acme-prod', location: 'us-central1', zone: 'a' },
      },
      'spec.vertex',
      /zone/,
    );
    refused({ provider: 'mistral', upstream: 'https://m' }, 'spec.provider', /.+/);
  });
});

const policy = (ttl?: string) => ({
  apiVersion: 'gatehouse/v1',
  kind: 'TrustPolicy',
  metadata: { name: 'ci' },
  spec: {
    issuer: 'https://token.actions.githubusercontent.com',
    audience: 'gatehouse',
    subject: 'repo:acme/*',
    actAs: { user: 'ci-bot' },
    allowedActions: ['submit'],
    ...(ttl === undefined ? {} : { ttl }),
  },
});

describe('TrustPolicy ttl', () => {
  it('takes the durations every other ttl takes and defaults to 15m', () => {
    assert.equal(trustPolicySchema.parse(policy()).spec.ttl, '15m');
    for (const ttl of ['90s', '30m', '1h', '0.5h', '3600s'])
      assert.equal(trustPolicySchema.parse(policy(ttl)).spec.ttl, ttl);
  });

  it('refuses a lifetime over 1h instead of clamping it, naming the limit', () => {
    const r = trustPolicySchema.safeParse(policy('2h'));
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0].message, /over the 1h limit/);
    assert.deepEqual(r.error!.issues[0].path, ['spec', 'ttl']);
  });

  it('refuses text that is not a duration with the shared parser message', () => {
    const r = trustPolicySchema.safeParse(policy('soon'));
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0].message, /'soon' is not a duration/);
  });
});
