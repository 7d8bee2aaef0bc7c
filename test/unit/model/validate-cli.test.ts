// `essg validate`: exit codes, the text format (golden) and the JSON format.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runEssg } from '../../support/cli.ts';
import { TEMPLATE_DIR } from '../../support/template-fleet.ts';

const BROKEN = fileURLToPath(new URL('../../golden/validate-broken/fleet', import.meta.url));
const EXPECTED = fileURLToPath(new URL('../../golden/validate-broken/expected/validate.txt', import.meta.url));

describe('essg validate', () => {
  it('exits 0 and summarises a valid fleet', async () => {
    const result = await runEssg(['validate', TEMPLATE_DIR]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/valid: 2 customers, 6 gateways, 8 catalog versions, 3 responses/);
  });

  it('exits 1 and prints every problem, sorted, as FILE:LINE:COL: CODE: message (golden)', async () => {
    const result = await runEssg(['validate', BROKEN]);
    expect(result.code).toBe(1);
    if (process.env.UPDATE_GOLDEN) await writeFile(EXPECTED, result.stdout);
    expect(result.stdout).toBe(await readFile(EXPECTED, 'utf8'));
  });

  it('prints the same problems as a JSON array with --format json', async () => {
    const text = await runEssg(['validate', BROKEN]);
    const json = await runEssg(['validate', BROKEN, '--format', 'json']);
    expect(json.code).toBe(1);
    const problems = JSON.parse(json.stdout) as { file: string; line: number; col: number; code: string; message: string; hint: string | null }[];
    expect(problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.code}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`).join('\n') + '\n').toBe(text.stdout);
    expect(Object.keys(problems[0]!)).toEqual(['file', 'line', 'col', 'code', 'message', 'hint']);
  });

  it('exits 2 for a directory that does not exist', async () => {
    const result = await runEssg(['validate', '/nonexistent/fleet']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot read fleet repo \/nonexistent\/fleet/);
  });

  it('exits 2 for an unknown option', async () => {
    const result = await runEssg(['validate', TEMPLATE_DIR, '--frmat', 'json']);
    expect(result.code).toBe(2);
  });

  it('validates the current directory by default', async () => {
    const result = await runEssg(['validate'], { cwd: TEMPLATE_DIR });
    expect(result.code).toBe(0);
  });
});
