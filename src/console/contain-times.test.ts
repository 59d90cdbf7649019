// Time to contain: the rule's own action wins, else the first covering kill after the firing; others are open.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { containPercentile, containTimes } from './contain-times.js';

describe('containTimes', () => {
  const f = (id: string, extra: object) => ({ id, rule: 'r', firedAt: 1000, firstEventAt: 400, ...extra });
  it('uses the rule action, else the first later kill covering the app, version, user or model', () => {
    const kills = [
      { time: 900, actor: 'early', scope: 'app', target: 'bot' }, // before the firing: not containment
      { time: 5000, actor: 'sam', scope: 'app_version', target: 'bot@2' },
      { time: 3000, actor: 'other', scope: 'app', target: 'botany' }, // a prefix is not the app
      { time: 2000, actor: 'ops', scope: 'user', target: 'mallory' },
      { time: 1500, actor: 'mod', scope: 'model', target: 'bot' }, // a model named like the app does not cover it
    ];
    const t = containTimes(
      [
        f('auto', { app: 'bot', containedAt: 1250 }),
        f('manual', { app: 'bot' }),
        f('user', { groupBy: 'user', groupKey: 'mallory' }),
        f('open', { app: 'quiet' }),
      ],
      kills,
    );
    assert.deepEqual(
      t.map((x) => [x.firing.id, x.how, x.afterFiringMs, x.afterFirstEventMs, x.by]),
      [
        ['auto', 'rule action', 250, 850, 'system'],
        ['manual', 'manual kill', 4000, 4600, 'sam'],
        ['user', 'manual kill', 1000, 1600, 'ops'],
        ['open', 'not contained', undefined, undefined, undefined],
      ],
    );
    assert.equal(containPercentile(t, 50), 1000);
    assert.equal(containPercentile(t, 100), 4000);
    assert.equal(containPercentile(t.slice(3), 50), undefined);
  });
});
