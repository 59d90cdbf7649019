// Prompt DLP's walk over a wire body: part types the gateway does not model are scanned, not passed through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapBodyText } from './wire-body.js';

const mask = (s: string) => s.replace(/\d{3}-\d{2}-\d{4}/g, '<US_SSN>');

test('a document, file or unknown part has its strings scanned; image parts are left alone', () => {
  const anthropic = mapBodyText(
    'anthropic',
    {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'SSN 123-45-6789' } },
            { type: 'search_result', title: 'hr', content: [{ type: 'text', text: 'ssn 987-65-4321' }] },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: '111-22-3333' } },
          ],
        },
      ],
    },
    mask,
  );
  assert.deepEqual(anthropic.messages, [
    {
      role: 'user',
      content: [
        { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'SSN <US_SSN>' } },
        { type: 'search_result', title: 'hr', content: [{ type: 'text', text: 'ssn <US_SSN>' }] },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: '111-22-3333' } },
      ],
    },
  ]);
  const openai = mapBodyText(
    'openai',
    { messages: [{ role: 'user', content: [{ type: 'file', file: { filename: '123-45-6789.txt' } }] }] },
    mask,
  );
  assert.deepEqual(openai.messages, [
    { role: 'user', content: [{ type: 'file', file: { filename: '<US_SSN>.txt' } }] },
  ]);
});
