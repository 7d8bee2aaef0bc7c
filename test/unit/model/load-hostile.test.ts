// Hostile or broken files are refused with a clear problem: never a crash, never a hang.
import { mkdtemp, symlink, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirectoryReader, MemoryReader } from '../../../src/model/file-reader.ts';
import { loadFleet } from '../../../src/model/load.ts';
import { LIMITS } from '../../../src/model/yaml-source.ts';
import type { Problem } from '../../../src/model/problems.ts';
import { templateFiles, TEMPLATE_DIR } from '../../support/template-fleet.ts';

const C = 'customers/initech.yaml';
const customer = 'apiVersion: essg.io/v1\nkind: Customer\nmetadata: { name: initech }\nspec: { approvers: [initech-lead] }\n';

function billionLaughs(levels: number): string {
  const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < levels; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

/** `levels` maps, each indented two columns under the one before. */
function blockNesting(levels: number): string {
  return Array.from({ length: levels }, (_, level) => `${' '.repeat(2 * level)}k${level}:${level === levels - 1 ? ' leaf' : ''}`).join('\n') + '\n';
}

interface Case {
  readonly name: string;
  readonly files: Record<string, string | Uint8Array>;
  readonly symlinks?: string[];
  readonly want: Pick<Problem, 'code' | 'file' | 'line'> & { col?: number };
}

const cases: Case[] = [
  { name: 'a YAML alias bomb', files: { [C]: billionLaughs(12) }, want: { code: 'ALIAS_LIMIT', file: C, line: 1 } },
  { name: 'a duplicate key', files: { [C]: customer.replace('kind: Customer\n', 'kind: Customer\nkind: Customer\n') }, want: { code: 'DUPLICATE_KEY', file: C, line: 3, col: 1 } },
  { name: 'a file over the size limit', files: { [C]: `${customer}# ${'x'.repeat(LIMITS.maxFileBytes)}\n` }, want: { code: 'FILE_TOO_LARGE', file: C, line: 1 } },
  { name: 'bytes that are not UTF-8', files: { [C]: Uint8Array.from([...new TextEncoder().encode('apiVersion: essg.io/v1\nkind: Cust'), 0xff, 0xfe, 0x0a]) }, want: { code: 'NOT_UTF8', file: C, line: 2, col: 11 } },
  { name: 'nesting thousands of levels deep', files: { [C]: `a: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n` }, want: { code: 'YAML_TOO_DEEP', file: C, line: 1, col: 68 } },
  { name: 'block nesting deeper than the limit', files: { [C]: blockNesting(LIMITS.maxDepth + 6) }, want: { code: 'YAML_TOO_DEEP', file: C, line: LIMITS.maxDepth + 2, col: 2 * (LIMITS.maxDepth + 1) + 1 } },
  { name: 'a symbolic link', files: {}, symlinks: [C], want: { code: 'SYMLINK', file: C, line: 1 } },
  { name: 'a path that leaves the repo', files: { '../customers/outside.yaml': customer }, want: { code: 'PATH_ESCAPES', file: '../customers/outside.yaml', line: 1 } },
  { name: 'an absolute path', files: { '/etc/essg/customers/x.yaml': customer }, want: { code: 'PATH_ESCAPES', file: '/etc/essg/customers/x.yaml', line: 1 } },
  { name: 'two documents in one file', files: { [C]: `${customer}---\n${customer}` }, want: { code: 'MULTIPLE_DOCUMENTS', file: C, line: 5 } },
  { name: 'an empty file', files: { [C]: '# nothing here\n' }, want: { code: 'EMPTY_FILE', file: C, line: 1 } },
  { name: 'a YAML syntax error', files: { [C]: customer.replace('spec: { approvers: [initech-lead] }', 'spec: { approvers: [initech-lead }') }, want: { code: 'YAML_SYNTAX', file: C, line: 4 } },
  { name: 'a tab-indented block', files: { [C]: customer.replace('spec: { approvers: [initech-lead] }', 'spec:\n\tapprovers: [initech-lead]') }, want: { code: 'YAML_SYNTAX', file: C, line: 5 } },
  { name: 'a document that is a list', files: { [C]: '- a\n- b\n' }, want: { code: 'SCHEMA_TYPE', file: C, line: 1 } },
];

describe('hostile fleet files', () => {
  it.each(cases)('refuses $name with $want.code', async ({ files, symlinks, want }) => {
    const reader = new MemoryReader({ files: { ...templateFiles(), ...files }, symlinks: symlinks ?? [] });
    const result = await loadFleet({ reader });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    const match = problems.find((p) => p.code === want.code && p.file === want.file);
    expect(match, problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.code}: ${p.message}`).join('\n')).toBeDefined();
    expect(match!.line).toBe(want.line);
    if (want.col !== undefined) expect(match!.col).toBe(want.col);
  });

  it('refuses a real symbolic link to a file outside the repo without reading it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'essg-fleet-'));
    const files = templateFiles();
    for (const [rel, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await writeFile(path.join(dir, rel), content);
    }
    const secret = path.join(await mkdtemp(path.join(os.tmpdir(), 'essg-secret-')), 'customer.yaml');
    await writeFile(secret, customer);
    await symlink(secret, path.join(dir, 'customers/initech.yaml'));
    const result = await loadFleet({ reader: new DirectoryReader(dir) });
    expect(result.ok ? [] : result.problems.map((p) => `${p.file}: ${p.code}`)).toEqual(['customers/initech.yaml: SYMLINK']);
  });

  it('reads a shallow file with more brackets in it than the nesting limit', async () => {
    const approvers = Array.from({ length: LIMITS.maxDepth + 10 }, (_, i) => `  - { name: [approver-${i}] }`).join('\n');
    const reader = new MemoryReader({ files: { ...templateFiles(), [C]: customer.replace('spec: { approvers: [initech-lead] }', 'spec:\n  approvers: [initech-lead]') + `# ${'['.repeat(LIMITS.maxDepth + 1)} in a comment\nx-notes:\n${approvers}\n` } });
    const result = await loadFleet({ reader });
    const problems = result.ok ? [] : result.problems;
    expect(problems.filter((p) => p.code === 'YAML_TOO_DEEP')).toEqual([]);
  });

  it('loads the template through the directory reader, skipping files it does not own', async () => {
    const result = await loadFleet({ reader: new DirectoryReader(TEMPLATE_DIR) });
    expect(result.ok).toBe(true);
  });
});
