// `essg plan --cluster`: what the next pass would do to the cluster for the fleet in a
// directory, gateway by gateway, without writing anything.
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClusterClient } from '../apply/index.ts';
import { DirectoryReader } from '../model/file-reader.ts';
import { formatProblem } from '../model/problems.ts';
import { formatGatewayPlans, groupLiveByGateway, isNoop, liveForGateway, planGateway, type GatewayPlan } from '../diff/index.ts';
import { fleetAt, formatRenderFailure } from '../load/index.ts';

export type PlanClusterResult = { readonly ok: true; readonly text: string; readonly plans: readonly GatewayPlan[] } | { readonly ok: false; readonly problems: readonly string[] };

export async function planCluster({ dir, kubeconfig, format, now = new Date().toISOString() }: { dir: string; kubeconfig?: string; format: 'text' | 'json'; now?: string }): Promise<PlanClusterResult> {
  const fleet = await fleetAt({ reader: new DirectoryReader(dir), now });
  if (!fleet.ok) return { ok: false, problems: fleet.problems.map(formatProblem) };
  if (fleet.failures.size > 0) return { ok: false, problems: [...fleet.failures.values()].map(formatRenderFailure) };
  const kc = new KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromDefault();
  const client = new KubeClusterClient({ kubeconfig: kc });
  const [inventories, live] = await Promise.all([client.listInventories(), client.listOwned()]);
  const byGateway = new Map(inventories.map((inv) => [inv.gateway, inv]));
  const grouped = groupLiveByGateway(live);
  const { rendered } = fleet;
  const names = [...new Set([...rendered.keys(), ...byGateway.keys()])].sort();
  const plans = names.map((gateway) => {
    const inventory = byGateway.get(gateway);
    return planGateway({ gateway, desired: rendered.get(gateway)?.objects ?? [], live: liveForGateway(grouped, gateway), ...(inventory ? { inventory } : {}), renderHash: rendered.get(gateway)?.inputHash ?? '' });
  });
  const changing = format === 'json' ? plans : plans.filter((p) => !isNoop(p));
  return { ok: true, plans, text: changing.length > 0 || format === 'json' ? formatGatewayPlans({ plans: changing, format }) : `no changes: ${plans.length} gateways match the fleet\n` };
}
