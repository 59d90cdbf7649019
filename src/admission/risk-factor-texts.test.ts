// The risk factor texts: every factor scoring emits has a guide entry, and explain's words are the guide's words.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultApprovalsConfig } from '../approvals/approvals-config.js';
import { manifest, testCatalog } from './testing/fixtures.js';
import { scoreRisk } from './risk.js';
import { RISK_FACTOR_TEXTS, factorAnchor, factorKind, factorText, findingAnchor } from './risk-factor-texts.js';

describe('risk factor texts', () => {
  it('gives every factor of a busy manifest a guide anchor, and its reason is the text entry rendered', () => {
    const m = manifest({
      spec: {
        environment: 'prod',
        egress: ['api.vendor.io'],
        data: [
          { dataset: 'customers', access: 'write', purpose: 'update accounts', columns: ['name', 'ssn'] },
          { dataset: 'claims', access: 'read', purpose: 'look up claims', columns: [] },
        ],
      },
    });
    const finding = {
      check: 'static' as const,
      rule: 'dynamic-code',
      severity: 'error' as const,
      file: 'main.js',
      line: 2,
      message: 'eval',
      fix: 'Remove eval',
    };
    const r = scoreRisk(
      m,
      testCatalog(),
      [finding],
      { effect: 'require_approval', reason: 'x', warnings: ['w'] },
      defaultApprovalsConfig,
    );
    assert.ok(r.factors.length >= 9);
    for (const f of r.factors) assert.ok(factorAnchor(f.id), `no guide anchor for ${f.id}`);
    const egress = r.factors.find((f) => f.id === 'egress.unapproved:api.vendor.io')!;
    assert.equal(egress.reason, factorText('egress.unapproved').reason({ host: 'api.vendor.io' }));
    assert.equal(egress.fix, `${factorText('egress.unapproved').fix({ host: 'api.vendor.io' })} (-${egress.points})`);
    assert.equal(r.factors.find((f) => f.id === 'code.dynamic-code')!.fix.startsWith('Remove eval'), true);
  });

  it('maps ids to kinds and anchors, and unknown kinds to none', () => {
    assert.equal(factorKind('dataset.pii:customers'), 'dataset.classification');
    assert.equal(factorKind('dataset.write:customers'), 'dataset.write');
    assert.equal(factorAnchor('region.model:gpt'), 'factor-region.model');
    assert.equal(factorAnchor('made.up:x'), undefined);
    assert.equal(findingAnchor('undeclared-host', 'static'), 'factor-code.undeclared-host');
    assert.equal(findingAnchor('pii-in-prompt', 'pii'), 'factor-pii.in-text');
    assert.equal(findingAnchor('external-package', 'static'), 'findings');
    assert.throws(() => factorText('made.up'), /no risk factor text/);
  });

  it('renders every entry with its placeholders (no undefined) and unique kinds', () => {
    const kinds = new Set<string>();
    for (const t of RISK_FACTOR_TEXTS) {
      assert.ok(!kinds.has(t.kind), `duplicate kind ${t.kind}`);
      kinds.add(t.kind);
      for (const s of [t.reason(t.example), t.fix(t.example), t.means, t.title])
        assert.doesNotMatch(s, /undefined/, `${t.kind}: ${s}`);
    }
  });
});
