// Each file's own checks kept between loads: the next commit of a branch parses only what it
// changed, the checks across files still see every file, and a file no load of the last
// generation read is forgotten.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryReader } from '../../../src/model/file-reader.ts';
import { loadFleet, ParsedFiles } from '../../../src/model/load.ts';
import { TEMPLATE_DIR } from '../../support/template-fleet.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'essg-parsed-'));
  cpSync(TEMPLATE_DIR, dir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const edit = (file: string, change: (text: string) => string) => writeFileSync(path.join(dir, file), change(readFileSync(path.join(dir, file), 'utf8')));

describe('files checked once across loads', () => {
  it('reuses an unchanged file and checks a changed one afresh', async () => {
    const parsed = new ParsedFiles();
    const first = await loadFleet({ reader: new DirectoryReader(dir), parsed });
    edit('gateways/acme/acme-sh-01.yaml', (t) => t.replace('homeNet: [10.20.0.0/16]', 'homeNet: [10.21.0.0/16]'));
    const second = await loadFleet({ reader: new DirectoryReader(dir), parsed });
    if (!first.ok || !second.ok) throw new Error('the template loads');
    expect(second.model.gateways.get('acme-sh-02')!.doc).toBe(first.model.gateways.get('acme-sh-02')!.doc);
    expect(second.model.gateways.get('acme-sh-01')!.doc).not.toBe(first.model.gateways.get('acme-sh-01')!.doc);
    expect(JSON.stringify(second.model.gateways.get('acme-sh-01')!.doc)).toContain('10.21.0.0/16');
  });

  it('reports a broken file on every load, and the checks across files see a reused file', async () => {
    const parsed = new ParsedFiles();
    edit('gateways/acme/acme-sh-01.yaml', (t) => t.replace('kind: Gateway', 'kind: Gateway\nkind: Customer'));
    const fresh = await loadFleet({ reader: new DirectoryReader(dir) });
    expect(fresh.ok).toBe(false);
    for (let i = 0; i < 2; i++) expect(await loadFleet({ reader: new DirectoryReader(dir), parsed })).toEqual(fresh);
    // A reused, valid gateway file still meets the cross-file rules: its customer removed, it is refused.
    edit('gateways/acme/acme-sh-01.yaml', (t) => t.replace('kind: Gateway\nkind: Customer', 'kind: Gateway'));
    expect((await loadFleet({ reader: new DirectoryReader(dir), parsed })).ok).toBe(true);
    rmSync(path.join(dir, 'customers/acme.yaml'));
    const orphaned = await loadFleet({ reader: new DirectoryReader(dir), parsed });
    expect(orphaned.ok).toBe(false);
    expect(orphaned.ok ? [] : orphaned.problems.map((p) => p.file)).toContain('gateways/acme/acme-sh-01.yaml');
  });

  it('forgets the files no load of the generation before read', async () => {
    const parsed = new ParsedFiles();
    await loadFleet({ reader: new DirectoryReader(dir), parsed });
    const files = parsed.size;
    edit('gateways/acme/acme-sh-01.yaml', (t) => t.replace('homeNet: [10.20.0.0/16]', 'homeNet: [10.21.0.0/16]'));
    parsed.nextGeneration();
    await loadFleet({ reader: new DirectoryReader(dir), parsed });
    // The old acme-sh-01 is still held: the generation before read it.
    expect(parsed.size).toBe(files + 1);
    parsed.nextGeneration();
    await loadFleet({ reader: new DirectoryReader(dir), parsed });
    expect(parsed.size).toBe(files);
  });
});
