// The approvals and notify config sections: defaults, overrides from gatehouse.yaml, and errors that name the field.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../feature-registry.js';

function home(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gh-cfg-'));
  writeFileSync(join(dir, 'gatehouse.yaml'), yaml);
  return dir;
}

describe('approvals configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({ env: { GATEHOUSE_HOME: mkdtempSync(join(tmpdir(), 'gh-cfg-')) } });
    assert.deepEqual(c.approvals.slaHours, { medium: 4, high: 24, critical: 72 });
    assert.deepEqual(c.approvals.reminders, [0.5, 0.75]);
    assert.deepEqual(c.approvals.tiers, { medium: 20, high: 50, critical: 75 });
    assert.equal(c.approvals.weights.datasetClassification.pii, 25);
    assert.deepEqual(c.notify.webhooks, []);
  });

  it('merges partial overrides with defaults', () => {
    const c = loadConfig({
      env: {
        GATEHOUSE_HOME: home(
          'approvals:\n  weights: { datasetClassification: { pii: 40 } }\n  slaHours: { high: 8 }\nnotify:\n  webhooks: [{ url: "http://127.0.0.1:9/hook", format: slack }]\n',
        ),
      },
    });
    assert.equal(c.approvals.weights.datasetClassification.pii, 40);
    assert.equal(c.approvals.weights.datasetClassification.regulated, 35);
    assert.deepEqual(c.approvals.slaHours, { medium: 4, high: 8, critical: 72 });
    assert.equal(c.notify.webhooks[0].format, 'slack');
  });

  it('rejects bad values naming the field', () => {
    assert.throws(
      () => loadConfig({ env: { GATEHOUSE_HOME: home('approvals:\n  weights: { unapprovedEgress: 500 }\n') } }),
      { status: 400, message: /approvals\.weights\.unapprovedEgress/ },
    );
    assert.throws(() => loadConfig({ env: { GATEHOUSE_HOME: home('approvals:\n  reminders: [1.5]\n') } }), {
      status: 400,
      message: /approvals\.reminders\[0\]/,
    });
    assert.throws(() => loadConfig({ env: { GATEHOUSE_HOME: home('notify:\n  webhooks: [{ url: "ftp://x" }]\n') } }), {
      status: 400,
      message: /notify\.webhooks\[0\]\.url/,
    });
    assert.throws(
      () => loadConfig({ env: { GATEHOUSE_HOME: home('approvals:\n  quorum: { high: { minApprovals: 0 } }\n') } }),
      { status: 400, message: /approvals\.quorum\.high\.minApprovals/ },
    );
  });
});
