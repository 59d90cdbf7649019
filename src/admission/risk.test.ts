// Risk scoring: factors with points, reasons and fixes; weights and tiers come from configuration.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { approvalsConfigSchema, defaultApprovalsConfig } from '../approvals/approvals-config.js';
import { manifest, testCatalog } from './testing/fixtures.js';
import { scoreRisk, tierFor } from './risk.js';

const catalog = testCatalog();
const allow = { effect: 'allow' as const, reason: '', warnings: [] };
const ids = (r: ReturnType<typeof scoreRisk>) => r.factors.map((f) => `${f.id}=${f.points}`).sort();

describe('scoreRisk', () => {
  it('scores a dev FAQ app low with no factors', () => {
    const r = scoreRisk(manifest(), catalog, [], allow, defaultApprovalsConfig);
    assert.deepEqual([r.score, r.tier], [2, 'low']);
    assert.deepEqual(ids(r), ['dataset.internal:faq=2']);
  });

  it('itemizes pii data, pii columns, write access, cross-region and prod with roles and owners', () => {
    const m = manifest({
      spec: {
        environment: 'prod',
        data: [
          { dataset: 'customers', access: 'write', purpose: 'update accounts', columns: ['name', 'ssn'] },
          { dataset: 'claims', access: 'read', purpose: 'look up claims', columns: [] },
        ],
      },
    });
    const r = scoreRisk(m, catalog, [], allow, defaultApprovalsConfig);
    assert.deepEqual(ids(r), [
      'column.pii:customers.ssn=5',
      'dataset.all-columns:claims=5',
      'dataset.pii:customers=25',
      'dataset.regulated:claims=35',
      'dataset.write:customers=10',
      'environment:prod=10',
      'region.dataset:claims=15',
    ]);
    assert.equal(r.score, 100, 'capped at 100');
    assert.equal(r.tier, 'critical');
    const pii = r.factors.find((f) => f.id === 'dataset.pii:customers')!;
    assert.deepEqual([pii.roles, pii.owner], [['data_owner'], 'dora']);
    assert.match(pii.fix, /\(-25\)$/);
    assert.deepEqual(r.factors.find((f) => f.id === 'dataset.regulated:claims')!.roles, ['data_owner', 'legal']);
    assert.match(r.factors.find((f) => f.id === 'column.pii:customers.ssn')!.fix, /^Drop the ssn column/);
  });

  it('treats hosts covered by an approved connector as safe, others and wildcards as egress risk', () => {
    const r = scoreRisk(
      manifest({ spec: { egress: ['crm.internal.example.com', 'api.vendor.io', '*.internal.example.com'] } }),
      catalog,
      [],
      allow,
      defaultApprovalsConfig,
    );
    assert.deepEqual(ids(r), [
      'dataset.internal:faq=2',
      'egress.unapproved:*.internal.example.com=20',
      'egress.unapproved:api.vendor.io=20',
    ]);
    assert.ok(r.factors.filter((f) => f.id.startsWith('egress')).every((f) => f.roles.includes('security')));
  });

  it('uses the configured weights and thresholds, not constants', () => {
    const cfg = approvalsConfigSchema.parse({
      tiers: { medium: 1, high: 2, critical: 3 },
      weights: { datasetClassification: { internal: 40 } },
    });
    const r = scoreRisk(manifest(), catalog, [], allow, cfg);
    assert.deepEqual([r.score, r.tier], [40, 'critical']);
    assert.equal(tierFor(19, defaultApprovalsConfig.tiers), 'low');
    assert.equal(tierFor(20, defaultApprovalsConfig.tiers), 'medium');
    assert.equal(tierFor(75, defaultApprovalsConfig.tiers), 'critical');
    assert.throws(() => approvalsConfigSchema.parse({ tiers: { medium: 60, high: 50 } }), /tier thresholds must rise/);
  });

  it('turns findings and policy warnings into factors, and require_approval lifts low to medium', () => {
    const findings = [
      {
        check: 'static' as const,
        rule: 'ambient-api',
        severity: 'error' as const,
        file: 'main.js',
        line: 3,
        message: 'process',
        fix: 'use ctx',
      },
      {
        check: 'static' as const,
        rule: 'ambient-api',
        severity: 'error' as const,
        file: 'main.js',
        line: 9,
        message: 'fs',
        fix: 'use ctx',
      },
    ];
    const r = scoreRisk(
      manifest(),
      catalog,
      findings,
      { effect: 'require_approval', reason: 'new vendor', warnings: ['prompt is long'] },
      defaultApprovalsConfig,
    );
    assert.deepEqual(ids(r), [
      'code.ambient-api=25',
      'dataset.internal:faq=2',
      'policy.require_approval=0',
      'policy.warning:1=5',
    ]);
    assert.match(r.factors.find((f) => f.id === 'code.ambient-api')!.reason, /2 places: main.js:3, main.js:9/);
    assert.equal(r.tier, 'medium');
  });
});
