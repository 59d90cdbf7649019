// flowEdges: declared edges joined with observed decisions; unused and undeclared edges are marked.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { declaredEdges, flowEdges } from './flow-map.js';

describe('flowEdges', () => {
  const declared = declaredEdges('bot', {
    models: [{ id: 'gpt-4o-mini' }],
    data: [{ dataset: 'products' }],
    egress: ['hooks.example.com'],
  });

  it('marks declared-and-used, declared-but-unused and observed-but-undeclared edges, counting refusals', () => {
    const edges = flowEdges(
      declared,
      [
        { app: 'bot', effect: 'allow', resource: { type: 'model', id: 'gpt-4o-mini' } },
        { app: 'bot', effect: 'allow', resource: { type: 'model', id: 'gpt-4o-mini' } },
        { app: 'bot', effect: 'deny', resource: { type: 'host', id: 'pastebin.com' } },
        { app: 'other', effect: 'allow', resource: { type: 'model', id: 'gpt-4o' } },
        { app: null, effect: 'allow', resource: { type: 'model', id: 'gpt-4o' } },
        { app: 'bot', effect: 'allow', resource: { type: 'app', id: 'bot' } },
      ],
      new Set(['bot']),
    );
    assert.deepEqual(
      edges.map((e) => [e.kind, e.target, e.status, e.observed, e.refused]),
      [
        ['dataset', 'products', 'declared, unused', 0, 0],
        ['host', 'hooks.example.com', 'declared, unused', 0, 0],
        ['host', 'pastebin.com', 'observed, undeclared', 1, 1],
        ['model', 'gpt-4o-mini', 'declared, used', 2, 0],
      ],
    );
  });
});
