// Golden rollouts: test/golden/rollout-<case>/input.json is one pass's input to the rollout
// stage (settings, clock, each gateway's state, target and verdict); expected.json is its
// decisions, the states it leaves and the rollouts it reports.
// After an intended change: UPDATE_GOLDEN=1 npx vitest run --project unit test/unit/rollout/golden.test.ts
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planRollouts, type PlanRolloutsArgs } from '../../../src/rollout/index.ts';
import { expectGolden } from '../../support/golden.ts';

const golden = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../golden');
const CASES = readdirSync(golden).filter((name) => name.startsWith('rollout-')).sort();

describe('golden rollouts', () => {
  it('has cases', () => {
    expect(CASES).toEqual(expect.arrayContaining(['rollout-canary-failed', 'rollout-canary-wave-soaked']));
  });

  it.each(CASES)('%s gives expected.json', (name) => {
    const input = JSON.parse(readFileSync(path.join(golden, name, 'input.json'), 'utf8')) as PlanRolloutsArgs;
    const plan = planRollouts(input);
    const actual = `${JSON.stringify({ decisions: Object.fromEntries(plan.decisions), states: Object.fromEntries(plan.states), rollouts: plan.rollouts, recheckAfterSeconds: plan.recheckAfterSeconds }, null, 2)}\n`;
    expectGolden(path.join(golden, name, 'expected.json'), actual);
  });
});
