// OpenAPI descriptions of the model gateway's provider-compatible surfaces (mounted raw: they answer in the
// providers' own shapes). Request schemas are the ones the surfaces validate with; responses are the shapes they send.
import { z } from 'zod';
import type { RawRouteDoc } from '../http/route.js';
import { messagesBody } from './anthropic-surface.js';
import { openAiBody } from './openai-surface.js';
import { embeddingsBody } from './embeddings.js';
import { countBody } from './model-info-surface.js';
import { responsesBody } from './responses-surface.js';

const APP_KEY = 'app key: Authorization: Bearer <key> or x-api-key (gatehouse app key create <app>)';

const chatCompletion = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number(),
  model: z.string().describe('the model that answered (the fallback when a cap reroutes)'),
  choices: z.array(
    z.object({
      index: z.number(),
      message: z.object({ role: z.literal('assistant'), content: z.string() }),
      finish_reason: z.string(),
    }),
  ),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() }),
});

const message = z.object({
  id: z.string(),
  type: z.literal('message'),
  role: z.literal('assistant'),
  model: z.string(),
  content: z.array(z.object({ type: z.literal('text'), text: z.string() })),
  stop_reason: z.string().nullable(),
  stop_sequence: z.string().nullable(),
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number() }),
});

const modelList = z.union([
  z.object({
    object: z.literal('list'),
    data: z.array(z.object({ id: z.string(), object: z.literal('model'), created: z.number(), owned_by: z.string() })),
  }),
  z.object({
    data: z.array(
      z.object({ type: z.literal('model'), id: z.string(), display_name: z.string(), created_at: z.string() }),
    ),
    has_more: z.boolean(),
    first_id: z.string().nullable(),
    last_id: z.string().nullable(),
  }),
]);

const oneModel = z.union([modelList.options[0].shape.data.element, modelList.options[1].shape.data.element]);

/** The provider's OpenAI-shaped answer passed through, with the model named as the caller asked for it. */
const embeddingList = z
  .object({
    object: z.literal('list'),
    data: z.array(
      z.object({
        object: z.literal('embedding'),
        index: z.number().int(),
        embedding: z.union([z.array(z.number()), z.string().describe('base64 with encoding_format: base64')]),
      }),
    ),
    model: z.string(),
    usage: z.object({ prompt_tokens: z.number(), total_tokens: z.number() }).optional(),
  })
  .loose();

const responseObject = z
  .object({
    id: z.string(),
    object: z.literal('response'),
    created_at: z.number(),
    status: z.enum(['completed', 'incomplete']),
    model: z.string(),
    output: z.array(
      z.union([
        z.object({
          type: z.literal('message'),
          id: z.string(),
          role: z.literal('assistant'),
          status: z.string(),
          content: z.array(z.object({ type: z.literal('output_text'), text: z.string() })),
        }),
        z.object({
          type: z.literal('function_call'),
          id: z.string(),
          call_id: z.string(),
          name: z.string(),
          arguments: z.string(),
          status: z.string(),
        }),
      ]),
    ),
    incomplete_details: z.object({ reason: z.string() }).nullable(),
    usage: z.object({ input_tokens: z.number(), output_tokens: z.number(), total_tokens: z.number() }).loose(),
  })
  .loose();

const refusal = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string() }).loose(),
});

export const gatewaySurfaceDocs: RawRouteDoc[] = [
  {
    method: 'post',
    path: '/v1/responses',
    summary:
      'OpenAI Responses API (text or item input, instructions, function tools, text.format, stream: true answers the Responses SSE events), translated to chat completions and governed like them',
    tag: 'gateway',
    access: 'authenticated',
    auth: APP_KEY,
    body: responsesBody,
    response: responseObject,
  },
  {
    method: 'post',
    path: '/v1/completions',
    summary: 'Legacy text completions: not served; always a 400 naming /v1/chat/completions and /v1/responses',
    tag: 'gateway',
    access: 'authenticated',
    auth: APP_KEY,
    body: z.object({ model: z.string(), prompt: z.unknown() }).loose(),
    response: refusal,
  },
  {
    method: 'post',
    path: '/v1/chat/completions',
    summary: 'OpenAI-compatible chat completion through govern(), DLP, budgets and caps (stream: true answers SSE)',
    tag: 'gateway',
    access: 'authenticated',
    auth: APP_KEY,
    body: openAiBody,
    response: chatCompletion,
  },
  {
    method: 'post',
    path: '/v1/messages',
    summary: 'Anthropic-compatible message through govern(), DLP, budgets and caps (stream: true answers SSE)',
    tag: 'gateway',
    access: 'authenticated',
    auth: APP_KEY,
    body: messagesBody,
    response: message,
  },
  {
    method: 'get',
    path: '/v1/models',
    summary: "The models the app key's manifest declares (Anthropic shape with an anthropic-version header)",
    tag: 'gateway',
    access: 'authenticated',
    auth: APP_KEY,
    response: modelList,
  },
  {
    method: 'get',
    path: '/v1/models/{id}',
    summary: "One model the app key's manifest declares (404 in the provider's shape otherwise)",
    tag: 'gateway',
    access: 'authenticated',
    auth: APP_KEY,
    response: oneModel,
  },
  {
    method: 'post',
    path: '/v1/messages/count_tokens',
    summary: "Anthropic-compatible token count, the gateway's own estimate (no provider call)",
    tag: 'gateway',
    access: 'authenticated',
    auth: APP_KEY,
    body: countBody,
    response: z.object({ input_tokens: z.number() }),
  },
  {
    method: 'post',
    path: '/v1/embeddings',
    summary: 'OpenAI-compatible embeddings through govern(), input DLP, token caps and budgets',
    tag: 'gateway',
    access: 'authenticated',
    auth: APP_KEY,
    body: embeddingsBody,
    response: embeddingList,
  },
];
