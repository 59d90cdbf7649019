// Engine behaviour: redaction modes, tokenize-and-restore, block, allow-lists, custom detectors, secrets, config errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../core/errors.js';
import { DlpBlockedError, createDlpEngine, createMemoryVault } from './index.js';

const SSN = '219-09-9998';
const TEXT = `Customer John Smith (SSN ${SSN}) wrote from jane.doe@example.com about card 4111 1111 1111 1111.`;

describe('redact', () => {
  const engine = createDlpEngine();
  it('masks every entity with its type by default and reports findings in original offsets', () => {
    const { text, findings } = engine.redact(TEXT);
    assert.equal(text, 'Customer [PERSON] (SSN [US_SSN]) wrote from [EMAIL_ADDRESS] about card [CREDIT_CARD].');
    for (const f of findings) assert.ok(TEXT.slice(f.start, f.end).length > 0);
    assert.equal(TEXT.slice(findings[1].start, findings[1].end), SSN);
  });
  it('keeps the last four characters in partial mode', () => {
    const { text } = engine.redact(TEXT, { default: 'allow', entities: { US_SSN: 'partial', CREDIT_CARD: 'partial' } });
    assert.match(text, /\(SSN \*\*\*-\*\*-9998\)/);
    assert.match(text, /card \*\*\*\* \*\*\*\* \*\*\*\* 1111\./);
    assert.match(text, /John Smith/);
  });
  it('hashes stably within a salt and differently across salts', () => {
    const a = engine.redact(TEXT, { default: 'hash', hashSalt: 'tenant-a' }).text;
    const a2 = engine.redact(TEXT, { default: 'hash', hashSalt: 'tenant-a' }).text;
    const b = engine.redact(TEXT, { default: 'hash', hashSalt: 'tenant-b' }).text;
    assert.equal(a, a2);
    assert.notEqual(a, b);
    assert.ok(!a.includes(SSN) && !a.includes('jane.doe'));
  });
  it('tokenizes reversibly, reuses a token for the same value, and restores only in the same scope', () => {
    const { text } = engine.redact(`${TEXT} Again: ${SSN}.`, { default: 'tokenize', tokenScope: 'req-1' });
    assert.ok(!text.includes(SSN));
    const tokens = text.match(/\[US_SSN:tk_[0-9a-f]{12}\]/g) ?? [];
    assert.equal(tokens.length, 2);
    assert.equal(tokens[0], tokens[1]);
    assert.equal(engine.restore(text, 'req-1'), `${TEXT} Again: ${SSN}.`);
    assert.equal(engine.restore(text, 'req-2'), text, 'another scope must not see the values');
  });
  it('restores tokens echoed inside a model answer and leaves forged tokens alone', () => {
    const { text } = engine.redact('Email jane.doe@example.com please', { default: 'tokenize', tokenScope: 's' });
    const token = /\[EMAIL_ADDRESS:tk_[0-9a-f]{12}\]/.exec(text)![0];
    const answer = `I wrote to ${token}. Also [EMAIL_ADDRESS:tk_000000000000].`;
    assert.equal(engine.restore(answer, 's'), 'I wrote to jane.doe@example.com. Also [EMAIL_ADDRESS:tk_000000000000].');
  });
  it('blocks with an error naming the types, never the values', () => {
    assert.throws(
      () => engine.redact(TEXT, { entities: { US_SSN: 'block', CREDIT_CARD: 'block' } }),
      (err: unknown) => {
        assert.ok(err instanceof DlpBlockedError);
        assert.equal(err.status, 403);
        assert.deepEqual(err.entityTypes, ['CREDIT_CARD', 'US_SSN']);
        const shown = JSON.stringify(err.toJSON()) + err.message;
        assert.ok(!shown.includes(SSN) && !shown.includes('4111'), 'the error must not echo values');
        return true;
      },
    );
    assert.doesNotThrow(() => engine.redact('nothing sensitive here', { default: 'block' }));
  });
  it('assertClean throws only for the listed types', () => {
    assert.doesNotThrow(() => engine.assertClean(TEXT, ['IBAN_CODE']));
    assert.throws(() => engine.assertClean(TEXT, ['EMAIL_ADDRESS']), DlpBlockedError);
  });
});

describe('configuration', () => {
  it('drops allow-listed values and patterns', () => {
    const engine = createDlpEngine({
      allowList: { values: ['Support@Example.com'], patterns: ['.*@internal\\.example'] },
    });
    const f = engine.scan('write support@example.com or ops@internal.example or eve@evil.test');
    assert.deepEqual(
      f.map((x) => x.type),
      ['EMAIL_ADDRESS'],
    );
    assert.equal(f[0].start, 'write support@example.com or ops@internal.example or '.length);
  });
  it('runs custom detectors with validators and context', () => {
    const engine = createDlpEngine({
      detectors: [
        { name: 'employee-id', entity: 'EMPLOYEE_ID', pattern: 'EMP-\\d{6}', score: 0.9 },
        {
          name: 'acct',
          entity: 'ACCOUNT_NUMBER',
          pattern: '\\b\\d{12}\\b',
          score: 0.3,
          validator: 'luhn',
          context: ['account'],
          contextBoost: 0.4,
        },
      ],
    });
    assert.deepEqual(
      engine.scan('badge EMP-123456').map((f) => [f.type, f.detector]),
      [['EMPLOYEE_ID', 'custom:employee-id']],
    );
    assert.equal(
      engine.scan('account 123456789015').filter((f) => f.type === 'ACCOUNT_NUMBER').length,
      1,
      'Luhn-valid with context',
    );
    assert.equal(
      engine.scan('account 123456789012').filter((f) => f.type === 'ACCOUNT_NUMBER').length,
      0,
      'Luhn-invalid',
    );
    assert.equal(engine.scan('ref 123456789015').filter((f) => f.type === 'ACCOUNT_NUMBER').length, 0, 'no context');
  });
  it('restricts detection to configured entities', () => {
    const engine = createDlpEngine({ entities: ['EMAIL_ADDRESS'] });
    assert.deepEqual(
      engine.scan(TEXT).map((f) => f.type),
      ['EMAIL_ADDRESS'],
    );
  });
  it('rejects bad configuration with the field path', () => {
    assert.throws(
      () => createDlpEngine({ detectors: [{ name: 'x', entity: 'X', pattern: '(' }] }),
      (e: unknown) => e instanceof InvalidInputError && /dlp\.detectors\[0\]\.pattern/.test(e.message),
    );
    assert.throws(() => createDlpEngine({ threshold: 2 }), InvalidInputError);
    assert.throws(
      () => createDlpEngine({ detectors: [{ name: 'x', entity: 'lower', pattern: 'a' }] }),
      InvalidInputError,
    );
  });
  it('uses an injected vault', () => {
    const vault = createMemoryVault();
    const a = createDlpEngine({}, { vault });
    const b = createDlpEngine({}, { vault });
    const { text } = a.redact('mail jane.doe@example.com', { default: 'tokenize' });
    assert.equal(b.restore(text), 'mail jane.doe@example.com');
  });
  it('evicts the oldest vault entries past its bound', () => {
    const vault = createMemoryVault({ maxEntries: 2 });
    const t1 = vault.tokenize('s', 'X', 'one');
    vault.tokenize('s', 'X', 'two');
    vault.tokenize('s', 'X', 'three');
    assert.equal(vault.lookup('s', t1), undefined);
  });
});

describe('secrets and hard negatives', () => {
  const engine = createDlpEngine();
  const jwt =
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
  const secrets = [
    'AKIAIOSFODNN7EXAMPLE',
    `ghp_${'a1B2c3D4e5'.repeat(3)}abcdef`,
    'xoxb-12345678901-123456789012-AbCdEfGhIjKlMnOpQrStUvWx',
    `sk-proj-${'Ab3dEf6hIj'.repeat(4)}`,
    jwt,
    '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
  ];
  for (const s of secrets)
    it(`finds ${s.slice(0, 12)}...`, () =>
      assert.deepEqual(
        engine.scan(`value: ${s} end`).map((f) => [f.type, f.start, f.end]),
        [['API_KEY', 7, 7 + s.length]],
      ));
  it('finds a high-entropy value next to a key-ish word but not a UUID or a plain word', () => {
    assert.deepEqual(
      engine.scan('api_key = "q8Zr2mT7xLp4Vn9sKd3Fh6Jw"').map((f) => f.type),
      ['API_KEY'],
    );
    assert.deepEqual(engine.scan('token: 550e8400-e29b-41d4-a716-446655440000'), []);
    assert.deepEqual(engine.scan('password: correcthorsebattery'), []);
  });
  const negatives = [
    'Order 123456789 shipped',
    'commit 3f786850e387550fdab836ed7e6dc881de23001b',
    'card 4111 1111 1111 1112',
    'build 10.4.2.1 is green',
    'at 2025-02-11T08:14:03Z',
    'price $1,234.56',
    'id 550e8400-e29b-41d4-a716-446655440000',
  ];
  for (const n of negatives) it(`ignores ${n}`, () => assert.deepEqual(engine.scan(n), []));
});

describe('PERSON and STREET_ADDRESS', () => {
  const engine = createDlpEngine();
  const find = (t: string) => engine.scan(t).map((f) => [f.type, t.slice(f.start, f.end)]);
  it('finds names from lexicon, title and context', () => {
    assert.deepEqual(find('Please forward this to Maria Gonzalez today.'), [['PERSON', 'Maria Gonzalez']]);
    assert.deepEqual(find('Dear Mrs. Okonkwo, thanks.'), [['PERSON', 'Okonkwo']]);
    assert.deepEqual(find('My name is Xochitl Quispe.'), [['PERSON', 'Xochitl Quispe']]);
  });
  it('does not flag capitalized non-names', () => {
    assert.deepEqual(find('The Quarterly Report is due Monday. Thanks, Support Team'), []);
  });
  it('prefers the address over a person-like street name', () => {
    assert.deepEqual(find('Ship to 69490 Evie Plains Apt. 459 by Friday'), [
      ['STREET_ADDRESS', '69490 Evie Plains Apt. 459'],
    ]);
    assert.deepEqual(find('I live at 1234 Oak Street, Springfield, IL 62704.'), [
      ['STREET_ADDRESS', '1234 Oak Street, Springfield, IL 62704'],
    ]);
  });
});

describe('context-only recognizers run in windows around their context words', () => {
  const engine = createDlpEngine();
  it('finds a value next to its context inside long text at the right offset, and not one far from it', () => {
    const filler = 'lorem ipsum dolor sit amet '.repeat(80);
    const text = `${filler}my passport number is 912803456 ok ${filler} 987654321 ${filler}`;
    const found = engine.scan(text, { entities: ['US_PASSPORT'] });
    assert.deepEqual(
      found.map((f) => text.slice(f.start, f.end)),
      ['912803456'],
    );
    assert.equal(found[0].start, text.indexOf('912803456'));
  });
  it('ignores context words inside other words', () => {
    assert.deepEqual(engine.scan('the bypassport 912803456', { entities: ['US_PASSPORT'] }), []);
  });
});
