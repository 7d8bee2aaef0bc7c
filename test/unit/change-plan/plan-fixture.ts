// Plans between two in-memory fleets, as `essg plan` does between two commits.
import { MemoryReader } from '../../../src/model/file-reader.ts';
import { loadFleet } from '../../../src/model/load.ts';
import { type ChangedPath, type ChangePlan, type ReviewFacts, planChanges, renderSide } from '../../../src/change-plan/index.ts';
import { GatewayRenders } from '../../../src/load/index.ts';

export const NOW = '2026-06-01T00:00:00Z';

export function changedBetween(base: Record<string, string>, head: Record<string, string>): ChangedPath[] {
  const out: ChangedPath[] = [];
  for (const path of new Set([...Object.keys(base), ...Object.keys(head)])) {
    const [a, b] = [base[path], head[path]];
    if (a === b) continue;
    out.push({ path, change: a === undefined ? 'added' : b === undefined ? 'deleted' : 'modified' });
  }
  return out.sort((x, y) => x.path.localeCompare(y.path));
}

/** `facts`: what GitHub says about the pull request; none read when omitted. */
export async function planFiles(base: Record<string, string>, head: Record<string, string>, { facts }: { readonly facts?: ReviewFacts } = {}): Promise<ChangePlan> {
  const renders = new GatewayRenders();
  const side = async (files: Record<string, string>) => {
    const loaded = await loadFleet({ reader: new MemoryReader({ files }) });
    return loaded.ok ? renderSide({ model: loaded.model, now: NOW, renders }) : { problems: loaded.problems };
  };
  const [b, h] = [await side(base), await side(head)];
  const changedPaths = changedBetween(base, head);
  const texts = new Map(changedPaths.filter((c) => c.change === 'modified').map((c) => [c.path, { base: base[c.path] ?? '', head: head[c.path] ?? '' }]));
  return planChanges({ base: 'problems' in b ? undefined : b, head: h, changedPaths, now: NOW, texts, ...(facts ? { facts } : {}) });
}
