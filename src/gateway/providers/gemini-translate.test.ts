// OpenAI → Gemini request translation: system, images, tool calls and results, tool_choice, JSON mode, sampling;
// and the refusals (no silent drop): unknown fields, n > 1, remote image URLs, orphan tool results.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../core/errors.js';
import { anthropicToOpenAi } from '../wire-translate.js';
import { openAiToGemini } from './gemini-translate.js';
import { parseGeminiAnswer } from './gemini-parse.js';

const refusedField = (f: () => unknown, field: string) =>
  assert.throws(f, (e: unknown) => e instanceof InvalidInputError && e.status === 400 && e.extra.field === field);

describe('OpenAI → Gemini translation', () => {
  it('maps system and developer to systemInstruction, images to inlineData, sampling to generationConfig', () => {
    const g = openAiToGemini({
      model: 'x',
      messages: [
        { role: 'system', content: 'A' },
        { role: 'developer', content: [{ type: 'text', text: 'B' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0K' } },
          ],
        },
      ],
      max_completion_tokens: 99,
      top_p: 0.9,
      stop: 'END',
      seed: 7,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      stream: true,
      stream_options: { include_usage: true },
      user: 'u1',
    });
    assert.deepEqual(g, {
      contents: [
        {
          role: 'user',
          parts: [{ text: 'what is this?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0K' } }],
        },
      ],
      systemInstruction: { parts: [{ text: 'A\n\nB' }] },
      generationConfig: {
        maxOutputTokens: 99,
        topP: 0.9,
        stopSequences: ['END'],
        seed: 7,
        presencePenalty: 0.1,
        frequencyPenalty: 0.2,
      },
    });
  });

  it('JSON mode: json_object and json_schema become responseMimeType and responseJsonSchema', () => {
    const schema = { type: 'object', properties: { a: { type: 'number' } } };
    const base = { messages: [{ role: 'user', content: 'x' }] };
    assert.deepEqual(openAiToGemini({ ...base, response_format: { type: 'json_object' } }).generationConfig, {
      responseMimeType: 'application/json',
    });
    assert.deepEqual(
      openAiToGemini({ ...base, response_format: { type: 'json_schema', json_schema: { name: 's', schema } } })
        .generationConfig,
      { responseMimeType: 'application/json', responseJsonSchema: schema },
    );
  });

  it('tool_choice: a named function is ANY with that one name allowed; none is NONE', () => {
    const base = { messages: [{ role: 'user', content: 'x' }] };
    assert.deepEqual(
      openAiToGemini({ ...base, tool_choice: { type: 'function', function: { name: 'f' } } }).toolConfig,
      {
        functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] },
      },
    );
    assert.deepEqual(openAiToGemini({ ...base, tool_choice: 'none' }).toolConfig, {
      functionCallingConfig: { mode: 'NONE' },
    });
  });

  it('several tool results of one turn go back in one user turn; plain-text results are wrapped', () => {
    const g = openAiToGemini({
      messages: [
        { role: 'user', content: 'x' },
        {
          role: 'assistant',
          content: 'checking',
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'f', arguments: '{"q":1}' } },
            { id: 'b', type: 'function', function: { name: 'g', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'a', content: '{"ok":true}' },
        { role: 'tool', tool_call_id: 'b', content: 'plain text' },
      ],
    });
    assert.deepEqual(g.contents, [
      { role: 'user', parts: [{ text: 'x' }] },
      {
        role: 'model',
        parts: [
          { text: 'checking' },
          { functionCall: { id: 'a', name: 'f', args: { q: 1 } } },
          { functionCall: { id: 'b', name: 'g', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'a', name: 'f', response: { ok: true } } },
          { functionResponse: { id: 'b', name: 'g', response: { content: 'plain text' } } },
        ],
      },
    ]);
  });

  it('Vertex (callIds false) gets calls and results without ids, matched by name', () => {
    const g = openAiToGemini(
      {
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'a', content: 'r' },
        ],
      },
      false,
    );
    assert.deepEqual((g.contents as unknown[]).slice(1), [
      { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'f', response: { content: 'r' } } }] },
    ]);
  });

  it('an Anthropic caller reaches Gemini through the OpenAI wire (system, tool_use, tool_result)', () => {
    const { body } = anthropicToOpenAi({
      system: 'S',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'r' }] },
      ],
    });
    const g = openAiToGemini(body);
    assert.deepEqual(g.systemInstruction, { parts: [{ text: 'S' }] });
    assert.deepEqual((g.contents as unknown[]).length, 3);
  });

  it('refuses, naming the field, what Gemini cannot take', () => {
    const base = { messages: [{ role: 'user', content: 'x' }] };
    refusedField(() => openAiToGemini({ ...base, logit_bias: { 1: 1 } }), 'logit_bias');
    refusedField(() => openAiToGemini({ ...base, logprobs: true }), 'logprobs');
    refusedField(() => openAiToGemini({ ...base, made_up_field: 1 }), 'made_up_field');
    refusedField(() => openAiToGemini({ ...base, n: 2 }), 'n');
    refusedField(() => openAiToGemini({ ...base, parallel_tool_calls: false }), 'parallel_tool_calls');
    refusedField(() => openAiToGemini({ ...base, tools: [{ type: 'web_search' }] }), 'tools[0].type');
    refusedField(
      () =>
        openAiToGemini({
          messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }],
        }),
      'messages[0].content[0].image_url.url',
    );
    refusedField(
      () =>
        openAiToGemini({
          messages: [
            { role: 'user', content: 'x' },
            { role: 'tool', tool_call_id: 'zz', content: 'r' },
          ],
        }),
      'messages[1].tool_call_id',
    );
    refusedField(() => openAiToGemini({ ...base, response_format: { type: 'grammar' } }), 'response_format.type');
    // null counts as absent (SDKs send it for "unset")
    assert.ok(openAiToGemini({ ...base, logit_bias: null }).contents);
  });
});

describe('Gemini answers', () => {
  it('maps finish reasons, a blocked prompt, thinking parts and thought tokens', () => {
    const ans = (finishReason: string) => ({
      candidates: [{ content: { parts: [{ text: 'hmm', thought: true }, { text: 'ok' }] }, finishReason }],
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, thoughtsTokenCount: 10 },
    });
    const r = parseGeminiAnswer('m', ans('MAX_TOKENS'));
    assert.equal(r.text, 'ok');
    assert.equal(r.finishReason, 'length');
    assert.deepEqual(r.usage, { inputTokens: 5, outputTokens: 12 });
    assert.equal(parseGeminiAnswer('m', ans('SAFETY')).finishReason, 'content_filter');
    const blocked = parseGeminiAnswer('m', { promptFeedback: { blockReason: 'SAFETY' } });
    assert.equal(blocked.finishReason, 'content_filter');
    assert.equal(blocked.text, '');
    assert.throws(() => parseGeminiAnswer('m', ans('MALFORMED_FUNCTION_CALL')), /Model 'm'.*malformed function call/);
  });
});
