// The one rule of every golden test: the actual output must equal the expected file. A case
// without one fails (naming the file and how to create it) instead of writing it, so a golden
// case can never pass on output nobody looked at. UPDATE_GOLDEN=1 writes, after an intended change.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

export function expectGolden(file: string, actual: string, { update = process.env.UPDATE_GOLDEN === '1' }: { readonly update?: boolean } = {}): void {
  if (update) {
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`${file}: no expected output; check the output and create it with UPDATE_GOLDEN=1`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
