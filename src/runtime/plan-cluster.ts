// `essg plan --cluster`: what the next pass would do to the cluster for the fleet in a
// directory, gateway by gateway, without writing anything.
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClusterClient } from '../apply/index.ts';
import { DirectoryReader } from '../model/file-reader.ts';
import { formatProblem } from '../model/problems.ts';
import { describeRef, formatGatewayPlans, groupLiveByGateway, isNoop, isShared, liveOfGateway, planGateway, planShared, type GatewayPlan, type SharedPlan } from '../diff/index.ts';
import { fleetAt, formatRenderFailure } from '../load/index.ts';

export type PlanClusterResult = { readonly ok: true; readonly text: string; readonly plans: readonly GatewayPlan[]; readonly shared: SharedPlan } | { readonly ok: false; readonly problems: readonly string[] };

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
    return planGateway({ gateway, desired: (rendered.get(gateway)?.objects ?? []).filter((object) => !isShared(object)), live: liveOfGateway(grouped, gateway), ...(inventory ? { inventory } : {}), renderHash: rendered.get(gateway)?.inputHash ?? '' });
  });
  // What the gateways share (their customers' Namespaces) is planned once, as the reconciler does.
  const shared = planShared({ desired: [...rendered.values()].flatMap((r) => r.objects.filter(isShared)), live: grouped, inventories });
  const sharedText = [...shared.creates.map((c) => `+ ${describeRef(c.ref)} (shared)`), ...shared.updates.map((u) => `~ ${describeRef(u.ref)} (shared)`), ...shared.deletes.map((ref) => `- ${describeRef(ref)} (shared, no gateway left in it)`)];
  const changing = format === 'json' ? plans : plans.filter((p) => !isNoop(p));
  if (format === 'json') return { ok: true, plans, shared, text: formatGatewayPlans({ plans: changing, format }) };
  const text = changing.length > 0 ? formatGatewayPlans({ plans: changing, format }) : `no changes: ${plans.length} gateways match the fleet\n`;
  return { ok: true, plans, shared, text: sharedText.length > 0 ? `${sharedText.join('\n')}\n${text}` : text };
}
