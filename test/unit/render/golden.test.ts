// Golden renders: test/golden/<case>/fleet is rendered as of a fixed time and compared with
// test/golden/<case>/expected/render/<customer>/<gateway>.yaml.
// After an intended change: UPDATE_GOLDEN=1 npx vitest run --project unit test/unit/render/golden.test.ts
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadFleetFromDir } from '../../../src/model/load.ts';
import { renderFleet, toYaml } from '../../../src/render/index.ts';
import { ANNOTATION } from '../../../src/contract/index.ts';

const golden = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../golden');
const NOW = '2026-12-01T00:00:00Z';
const CASES = ['daemon', 'config-change', 'host-network', 'job', 'cronjob', 'responses', 'pre-pull', 'data-policy'] as const;
const update = process.env.UPDATE_GOLDEN === '1';

async function renderCase(name: string): Promise<Map<string, string>> {
  const loaded = await loadFleetFromDir(path.join(golden, name, 'fleet'));
  if (!loaded.ok) throw new Error(`${name}: fleet does not load: ${JSON.stringify(loaded.problems)}`);
  const files = new Map<string, string>();
  for (const gateway of renderFleet({ model: loaded.model, now: NOW }).gateways) files.set(`${gateway.customer}/${gateway.gateway}.yaml`, toYaml(gateway.objects));
  return files;
}

async function expectedFiles(name: string): Promise<Map<string, string>> {
  const dir = path.join(golden, name, 'expected/render');
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, file), await readFile(file, 'utf8'));
  }
  return files;
}

describe.each(CASES)('golden render %s', (name) => {
  it('matches the expected objects byte for byte', async () => {
    const actual = await renderCase(name);
    if (update) {
      const dir = path.join(golden, name, 'expected/render');
      await rm(dir, { recursive: true, force: true });
      for (const [file, text] of actual) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await writeFile(path.join(dir, file), text);
      }
    }
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(await expectedFiles(name)));
  });
});

describe('golden config change', () => {
  it('changes only the ConfigMap and the config-hash of the pod template', async () => {
    const docs = async (name: string) => parseAllDocuments((await expectedFiles(name)).get('acme/acme-gw-01.yaml') ?? '').map((d) => d.toJS());
    const [before, after] = [await docs('daemon'), await docs('config-change')];
    expect(after.length).toBe(before.length);
    const changed = after.filter((doc, i) => JSON.stringify(doc) !== JSON.stringify(before[i])).map((doc) => doc.kind);
    expect(changed).toEqual(['ConfigMap', 'Deployment']);
    const deployment = (list: typeof before) => list.find((d) => d.kind === 'Deployment');
    const hash = (d: ReturnType<typeof deployment>) => d.spec.template.metadata.annotations[ANNOTATION.configHash];
    expect(hash(deployment(after))).not.toBe(hash(deployment(before)));
    const withoutHash = (d: ReturnType<typeof deployment>) => JSON.stringify({ ...d, spec: { ...d.spec, template: { ...d.spec.template, metadata: { ...d.spec.template.metadata, annotations: {} } } } });
    expect(withoutHash(deployment(after))).toBe(withoutHash(deployment(before)));
  });
});
