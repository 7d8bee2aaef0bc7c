// The status as text for a terminal: a fleet table and one gateway's detail. Pure, so
// `essg status` only fetches and prints.
import { formatCommitProblem } from '../model/problems.ts';
import { describeOpening } from '../rollout/windows.ts';
import type { GatewayStatus, Phase, ReplicaStatus, RolloutStatus, StatusSnapshot } from './status-model.ts';

/** Phases that make `essg status` exit non-zero: something is broken and needs a person. */
export const UNHEALTHY_PHASES: ReadonlySet<Phase> = new Set(['Failed', 'Degraded', 'RolledBack']);

export function hasUnhealthy(gateways: readonly Pick<GatewayStatus, 'phase'>[]): boolean {
  return gateways.some((g) => UNHEALTHY_PHASES.has(g.phase));
}

const short = (revision: string | undefined): string => (revision ? revision.slice(0, 8) : '-');

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export function formatFleetSummary(fleet: StatusSnapshot['fleet']): string {
  const pass = fleet.lastPass;
  const lines = [
    `revision ${short(fleet.revision)} (last good ${short(fleet.lastGoodRevision)}), ` +
      (pass ? `last pass ${pass.result ?? 'running'} in ${pass.durationMs ?? 0} ms at ${pass.finished ?? pass.started}` : 'no pass yet') +
      (fleet.replica ? `, ${fleet.replica.identity} ${fleet.replica.shards ? shardsText(fleet.replica.shards) : fleet.replica.leading ? 'leading' : 'standby'}` : ''),
  ];
  if (!fleet.source.ok) lines.push(`fleet repo unreachable: ${fleet.source.error ?? 'unknown error'} (last state kept)`);
  if (fleet.resourceMetrics && !fleet.resourceMetrics.available) lines.push(fleet.resourceMetrics.message ?? 'no CPU or memory figures');
  if (fleet.unmanagedNodes) {
    const nodes = fleet.unmanagedNodes.map((n) => `${n.name}${n.ready === 'True' ? '' : ` (Ready=${n.ready})`}`);
    lines.push(`${nodes.length} edge node(s) no gateway declares: ${nodes.slice(0, 10).join(', ')}${nodes.length > 10 ? ', …' : ''}`);
  }
  if (fleet.badCommit) {
    lines.push(`commit ${short(fleet.badCommit.revision)} is invalid and not applied:`);
    for (const problem of fleet.badCommit.problems) lines.push(`  ${formatCommitProblem(problem)}`);
  }
  return lines.join('\n');
}

// Wide enough for an OutsideWindow gateway's next opening in UTC and in a long zone name.
export function formatStatusTable(snapshot: StatusSnapshot, { messageWidth = 100 }: { readonly messageWidth?: number } = {}): string {
  const rows = [
    ['GATEWAY', 'CUSTOMER', 'PHASE', 'APPLIED', 'READY', 'ROLLOUT', 'MESSAGE'],
    ...snapshot.gateways.map((g) => [
      g.gateway,
      g.customer,
      g.phase,
      short(g.appliedRevision) + (g.pendingRevision ? `→${short(g.pendingRevision)}` : ''),
      `${g.services.filter((s) => s.ready).length}/${g.services.length}`,
      g.rollout ? `${short(g.rollout.id)}${g.rollout.wave !== undefined ? ` w${g.rollout.wave}` : ''} ${g.rollout.state}` : '-',
      oneLine(g.message, messageWidth),
    ]),
  ];
  const counts = Object.entries(snapshot.fleet.phases).filter(([, n]) => n > 0).map(([p, n]) => `${n} ${p}`).join(', ');
  return `${formatFleetSummary(snapshot.fleet)}\n\n${snapshot.gateways.length > 0 ? table(rows) : 'no gateways'}\n\n${snapshot.gateways.length} gateway(s)${counts ? `: ${counts}` : ''}\n`;
}

export function formatGatewayDetail(g: GatewayStatus): string {
  const pressure = Object.entries(g.node.pressure).filter(([, on]) => on).map(([k]) => k).join(', ') || 'none';
  const lines = [
    `${g.gateway} (${g.customer}): ${g.phase} since ${g.lastTransition}`,
    `  ${g.reason}: ${g.message}`,
    `  node ${g.node.name}: Ready=${g.node.ready}, last heartbeat ${g.node.lastHeartbeat ?? '-'}, pressure ${pressure}`,
    `  applied ${g.appliedRevision ?? '-'}${g.pendingRevision ? `, pending ${g.pendingRevision}` : ''}`,
  ];
  const u = g.node.usage;
  lines.splice(3, 0, u ? `  node use: CPU ${cpu(u.cpuMillicores, u.cpuCapacityMillicores)}, memory ${memory(u.memoryBytes, u.memoryCapacityBytes)}${u.at ? ` (at ${u.at})` : ''}` : '  node use: no figures (see the fleet status)');
  if (g.approval) lines.push(`  approval: ${g.approval.summary}`);
  if (g.rollout) lines.push(`  rollout ${short(g.rollout.id)}${g.rollout.wave !== undefined ? `, wave ${g.rollout.wave}` : ''}: ${g.rollout.message}`);
  if (g.rollout?.nextWindow) lines.push(`  next maintenance window opens ${g.rollout.nextWindow.at} UTC, ${g.rollout.nextWindow.local} ${g.rollout.nextWindow.timezone}`);
  lines.push('', table([
    ['SERVICE', 'DESIRED', 'RUNNING', 'READY', 'RESTARTS', 'CPU/LIMIT', 'MEMORY/LIMIT', 'CHANGED'],
    ...g.services.map((s) => [
      s.name, s.desiredVersion, s.runningVersion ?? '-', s.ready ? 'yes' : 'no', String(s.restarts),
      s.usage ? cpu(s.usage.cpuMillicores, s.usage.cpuLimitMillicores) : '-',
      s.usage ? memory(s.usage.memoryBytes, s.usage.memoryLimitBytes) : '-',
      s.lastTransition ?? '-',
    ]),
  ]));
  if (g.flows && g.flows.length > 0) {
    const end = (e: string): string => (e.startsWith('service:') ? e.slice('service:'.length) : e === 'site' ? 'site network' : e === 'soc' ? 'SOC' : "customer's systems");
    lines.push('', 'DATA FLOWS', ...g.flows.map((f) => `  ${end(f.from)} → ${end(f.to)}: ${f.what}`));
  }
  if (g.history.length > 0) {
    lines.push('', 'HISTORY');
    for (const h of [...g.history].reverse().slice(0, 20)) {
      const change = [h.from, h.to].filter(Boolean).join(' → ');
      lines.push(`  ${h.time}  ${[h.kind, h.service, change, h.revision ? `@${short(h.revision)}` : undefined, h.cause].filter(Boolean).join('  ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** "250m/2000m (12%)"; without the bound, just the use. */
function cpu(used: number, of: number | undefined): string {
  return `${used}m${of ? `/${of}m (${percent(used, of)})` : ''}`;
}

/** "64Mi/8192Mi (1%)", in MiB as kubectl top prints memory. */
function memory(used: number, of: number | undefined): string {
  const mi = (n: number): string => `${Math.round(n / 1024 ** 2)}Mi`;
  return `${mi(used)}${of ? `/${mi(of)} (${percent(used, of)})` : ''}`;
}

function percent(used: number, of: number): string {
  return `${Math.round((used / of) * 100)}%`;
}

/** `essg rollout ls`: one line per rollout. */
export function formatRolloutList(rollouts: readonly RolloutStatus[]): string {
  if (rollouts.length === 0) return 'no rollouts in flight\n';
  const rows = [
    ['ROLLOUT', 'STATE', 'WAVES', 'DONE', 'IN PROGRESS', 'DEFERRED', 'FAILED', 'PENDING'],
    ...rollouts.map((r) => {
      const count = (...states: string[]) => String(r.waves.flatMap((w) => w.gateways).filter((g) => states.includes(g.status)).length);
      const deferred = Number(count('deferred')) + (r.deferred?.length ?? 0);
      return [short(r.id), rolloutState(r), String(r.waves.length), count('done'), count('updating', 'soaking'), String(deferred), count('failed', 'rolled-back'), String(r.pending.length)];
    }),
  ];
  return `${table(rows)}\n`;
}

/** `essg rollout show ID`: the rollout's waves with each gateway's standing. */
export function formatRollout(r: RolloutStatus): string {
  const lines = [`rollout ${r.id}: ${rolloutState(r)}`];
  if (r.halted) lines.push(`  halted by ${r.halted.by}: ${r.halted.reason}`);
  for (const c of r.services ?? []) {
    const what = c.to === undefined ? `stops ${c.from.join(', ')}` : c.from.length > 0 ? `${c.from.join(', ')} → ${c.to}` : `installs ${c.to}`;
    lines.push(`  ${c.service}: ${what} on ${c.gateways} gateway(s)`);
  }
  for (const wave of r.waves) {
    lines.push(`  wave ${wave.wave}${wave.wave === 0 ? ' (canary)' : ''}: ${wave.gateways.map((g) => `${g.gateway} ${g.status}`).join(', ')}`);
  }
  const deferred = new Set((r.deferred ?? []).map((d) => d.gateway));
  const waiting = r.pending.filter((g) => !deferred.has(g));
  if (waiting.length > 0) lines.push(`  not reached yet (${waiting.length}): ${waiting.join(', ')}`);
  for (const d of r.deferred ?? []) {
    lines.push(`  ${d.gateway} deferred: ${d.reason === 'offline' ? 'its edge node is offline' : `outside its maintenance windows, the next opens ${describeOpening(d.nextOpen)}`}`);
  }
  return `${lines.join('\n')}\n`;
}

function rolloutState(r: RolloutStatus): string {
  return r.halted ? 'halted' : r.complete ? 'complete' : 'in progress';
}

/** A sharded replica's standing: `shards 0, 2 of 3 (2 replicas)`. */
function shardsText({ count, held, replicas }: NonNullable<ReplicaStatus['shards']>): string {
  return `${held.length ? `shards ${held.join(', ')}` : 'no shard'} of ${count} (${replicas} replica${replicas === 1 ? '' : 's'})`;
}
