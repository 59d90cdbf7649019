// The NER contract suite on both backends, plus the Presidio backend's failure handling (it must fail closed).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDlpEngine } from '../engine.js';
import { DlpBlockedError } from '../dlp-errors.js';
import { FakePresidio } from '../testing/fake-presidio.js';
import { nerBackendContract } from './ner-backend-contract.js';
import { codePointToUtf16, createPresidioNerBackend, NerBackendError } from './presidio-ner-backend.js';
import { createRulesNerBackend } from './rules-ner-backend.js';

describe('NerBackend contract: rules (built in)', () => {
  nerBackendContract(() => {
    const engine = createDlpEngine();
    return Promise.resolve({
      backend: createRulesNerBackend((t, o) => engine.scan(t, o)),
      knownPerson: 'Maria Garcia',
      close: () => Promise.resolve(),
    });
  });
});

describe('NerBackend contract: Presidio Analyzer over HTTP (fake server)', () => {
  nerBackendContract(async () => {
    const server = await new FakePresidio().start();
    return {
      backend: createPresidioNerBackend({ url: server.url }),
      knownPerson: 'Zoltán Kovács',
      close: () => server.close(),
    };
  });
});

describe('Presidio NER backend', () => {
  let server: FakePresidio;
  before(async () => (server = await new FakePresidio().start()));
  after(() => server.close());

  it('sends the Presidio /analyze request shape', async () => {
    const b = createPresidioNerBackend({ url: `${server.url}/`, language: 'de', entities: ['PERSON'] });
    await b.analyze('Hallo Åsa Lindqvist');
    assert.deepEqual(server.requests.at(-1), { text: 'Hallo Åsa Lindqvist', language: 'de', entities: ['PERSON'] });
  });

  it('finds what the rules miss and the engine merges it (a single-name answer)', async () => {
    const engine = createDlpEngine({ ner: { backend: 'presidio', url: server.url } });
    const text = "What's your last name? Lindqvist. I live in Reykjavík and work for Fabrikam Ltd.";
    assert.deepEqual(
      engine.scan(text).map((f) => f.type),
      [],
    );
    const found = await engine.scanAsync(text);
    assert.deepEqual(
      found.map((f) => [f.type, text.slice(f.start, f.end), f.detector]),
      [
        ['PERSON', 'Lindqvist', 'ner:presidio'],
        ['LOCATION', 'Reykjavík', 'ner:presidio'],
        ['ORGANIZATION', 'Fabrikam Ltd', 'ner:presidio'],
      ],
    );
  });

  it('applies block policies to backend findings', async () => {
    const engine = createDlpEngine({
      ner: { backend: 'presidio', url: server.url },
      policy: { default: 'mask', entities: { PERSON: 'block' } },
    });
    await assert.rejects(engine.redactAsync('ask Lindqvist'), DlpBlockedError);
  });

  it('respects dlp.entities and per-call entities', async () => {
    const engine = createDlpEngine({ entities: ['EMAIL_ADDRESS'], ner: { backend: 'presidio', url: server.url } });
    assert.deepEqual(await engine.scanAsync('Lindqvist in Kraków'), []);
    const all = createDlpEngine({ ner: { backend: 'presidio', url: server.url } });
    assert.deepEqual(
      (await all.scanAsync('Lindqvist in Kraków', { entities: ['LOCATION'] })).map((f) => f.type),
      ['LOCATION'],
    );
  });

  for (const failure of ['http500', 'garbage', 'outOfRange'] as const)
    it(`fails closed when the server answers ${failure}`, async () => {
      server.failNext = [failure];
      const engine = createDlpEngine({ ner: { backend: 'presidio', url: server.url } });
      await assert.rejects(
        engine.redactAsync('ask Lindqvist'),
        (e) => e instanceof NerBackendError && e.status === 503,
      );
    });

  it('fails closed on a timeout and on an unreachable server, naming the setting to fix', async () => {
    server.failNext = ['slow'];
    const slow = createPresidioNerBackend({ url: server.url, timeoutMs: 100 });
    await assert.rejects(slow.analyze('ask Lindqvist'), /did not answer within 100 ms.*dlp\.ner\.url/);
    const down = createPresidioNerBackend({ url: 'http://127.0.0.1:1', timeoutMs: 500 });
    await assert.rejects(down.analyze('ask Lindqvist'), /unreachable/);
  });

  it('rejects a bad ner configuration naming the field', () => {
    assert.throws(() => createDlpEngine({ ner: { backend: 'presidio', url: 'ftp://x' } }), /dlp\.ner\.url|ner/);
    assert.throws(() => createDlpEngine({ ner: { backend: 'spacy' } as never }), /ner/);
  });

  it('maps code points to UTF-16 offsets', () => {
    const t = 'a😀b';
    const m = codePointToUtf16(t);
    assert.deepEqual([0, 1, 2, 3].map(m), [0, 1, 3, 4]);
    assert.equal(codePointToUtf16('plain')(3), 3);
  });
});
