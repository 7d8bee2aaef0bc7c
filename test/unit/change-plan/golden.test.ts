// Golden plans: test/golden/plan-<case>/{base,head} are two revisions of a fleet repo;
// expected/plan.md is the pull request comment `essg plan --format markdown` gives for them.
// After an intended change: UPDATE_GOLDEN=1 npx vitest run --project unit test/unit/change-plan/golden.test.ts
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatChangePlanJson, formatChangePlanMarkdown, formatChangePlanText } from '../../../src/change-plan/index.ts';
import { expectGolden } from '../../support/golden.ts';
import { planFiles } from './plan-fixture.ts';

const golden = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../golden');
const CASES = readdirSync(golden).filter((name) => name.startsWith('plan-')).sort();

function filesOf(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const dirent of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${dirent.name}` : dirent.name;
      if (dirent.isDirectory()) walk(child);
      else files[child] = readFileSync(path.join(dir, child), 'utf8');
    }
  };
  walk('');
  return files;
}

describe('golden plans', () => {
  it('has cases', () => {
    expect(CASES).toEqual(expect.arrayContaining(['plan-catalog-edit', 'plan-invalid-head', 'plan-new-catalog-version', 'plan-two-customers', 'plan-data-authorisation']));
  });

  it.each(CASES)('%s gives expected/plan.md', async (name) => {
    const plan = await planFiles(filesOf(path.join(golden, name, 'base')), filesOf(path.join(golden, name, 'head')));
    const markdown = formatChangePlanMarkdown(plan);
    expectGolden(path.join(golden, name, 'expected', 'plan.md'), markdown);
  });

  it('fails a case that has no expected output, and writes none', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'essg-golden-')), 'plan.md');
    expect(() => expectGolden(file, 'a plan\n', { update: false })).toThrow(`${file}: no expected output; check the output and create it with UPDATE_GOLDEN=1`);
    expect(existsSync(file)).toBe(false);
  });

  // The data-authorisation case is also kept in the terminal and machine formats, so its section is proven in all three.
  it.each([
    ['plan.txt', formatChangePlanText],
    ['plan.json', formatChangePlanJson],
  ] as const)('plan-data-authorisation gives expected/%s', async (name, format) => {
    const dir = path.join(golden, 'plan-data-authorisation');
    const text = format(await planFiles(filesOf(path.join(dir, 'base')), filesOf(path.join(dir, 'head'))));
    expectGolden(path.join(dir, 'expected', name), text);
  });
});
