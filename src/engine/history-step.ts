// The history step: after a pass is applied and reported, what it did to each gateway is
// added to that gateway's history in the cluster (one ConfigMap per gateway in essg-system,
// written by the leader only: passes run only while leading, and writes are fenced). The
// histories are read once per leadership term, so a restarted or newly elected reconciler
// goes on from what the last leader recorded.
import pLimit from 'p-limit';
import type { ClusterClient, GatewayApplyResult } from '../apply/index.ts';
import { liveForGateway, type GatewayPlan } from '../diff/index.ts';
import type { K8sObject } from '../render/index.ts';
import { EDR_ACTION_LIST } from '../render/constructs/edr-action-list.ts';
import { IP_BLOCK_LIST } from '../render/constructs/ip-block-list.ts';
import { LABEL, WORKLOAD_KINDS } from '../contract/index.ts';
import type { StatusStore } from '../report/index.ts';
import { appendHistory, parseHistory, serializeHistory, type HistoryEntry } from '../report/history.ts';
import { addsNothing, historyEventsOfPass, type GatewayContents, type GatewayPassFacts } from '../report/history-events.ts';
import type { RolloutDecision, RolloutPlan } from '../rollout/index.ts';
import type { FleetAtCommit, FleetRevisions } from '../load/index.ts';
import type { Observed } from './observe.ts';
import type { GatewayTarget } from '../gate/index.ts';
import { isExpired } from '../model/expiry.ts';

/** The response lists by their response label: the file each holds and where in it the responses' names are. */
const RESPONSE_LISTS: ReadonlyMap<string, { readonly file: string; readonly names: (file: Record<string, unknown>) => unknown[] }> = new Map([
  [IP_BLOCK_LIST.responseLabel, { file: IP_BLOCK_LIST.file, names: (file) => listOf(file['responses']).map((r) => r?.['name']) }],
  [EDR_ACTION_LIST.responseLabel, { file: EDR_ACTION_LIST.file, names: (file) => listOf(file['actions']).map((a) => a?.['response']) }],
]);

const NO_HISTORY: readonly HistoryEntry[] = [];
const listOf = (value: unknown): (Record<string, unknown> | undefined)[] => (Array.isArray(value) ? value : []);
const short = (revision: string): string => revision.slice(0, 12);

export interface HistoryPassArgs {
  /** The leadership the pass ran under (any object standing for it): a new one reads the histories again. */
  readonly term: object;
  readonly targets: readonly GatewayTarget[];
  readonly rollout: RolloutPlan;
  readonly plans: readonly GatewayPlan[];
  readonly applied: readonly GatewayApplyResult[];
  /** What the cluster held before this pass applied anything. */
  readonly observed: Observed;
  readonly revisions: FleetRevisions;
  /** The pass's decision clock (expiry). */
  readonly now: string;
  readonly store: StatusStore;
}

export class GatewayHistories {
  private readonly book = new Map<string, readonly HistoryEntry[]>();
  /** Entries recorded while the cluster's histories could not be read: added to them once read. */
  private readonly early = new Map<string, HistoryEntry[]>();
  private readonly unsaved = new Set<string>();
  private term: object | undefined;

  constructor(
    private readonly client: Pick<ClusterClient, 'listHistories' | 'writeHistory' | 'deleteHistory'>,
    private readonly log: (line: string) => void,
    private readonly wallClock: () => string = () => new Date().toISOString(),
  ) {}

  async recordPass(args: HistoryPassArgs): Promise<void> {
    const loaded = await this.load(args.term);
    const results = new Map(args.applied.map((r) => [r.gateway, r]));
    const plans = new Map(args.plans.map((p) => [p.gateway, p]));
    const time = this.wallClock();
    for (const target of args.targets) {
      const recorded = args.store.recorded(target.gateway);
      if (!recorded) {
        // Removed from the fleet and pruned: its history goes with it.
        if (loaded && this.book.has(target.gateway)) await this.forget(target.gateway);
        continue;
      }
      const result = results.get(target.gateway);
      const history = this.book.get(target.gateway) ?? NO_HISTORY;
      // Most gateways, most passes: nothing applied, no change of reachability, nothing to gather.
      const status = addsNothing(history, { applied: result?.ok === true, offline: recorded.phase === 'Offline' }) ? undefined : args.store.reachability(target.gateway);
      const entries = status ? historyEventsOfPass(history, await gatewayFacts({ ...args, target, time, status, plan: plans.get(target.gateway), result })) : [];
      if (entries.length > 0) {
        this.book.set(target.gateway, appendHistory(history, entries));
        this.unsaved.add(target.gateway);
        if (!loaded) this.early.set(target.gateway, [...(this.early.get(target.gateway) ?? []), ...entries]);
      }
      const book = this.book.get(target.gateway) ?? NO_HISTORY;
      if (recorded.history !== book) args.store.setHistory(target.gateway, book);
    }
    if (loaded) await this.persist();
  }

  /** Reads every recorded history once per leadership term: another leader may have written since. */
  private async load(term: object): Promise<boolean> {
    if (this.term === term) return true;
    let records: { gateway: string; text: string }[];
    try {
      records = await this.client.listHistories();
    } catch (error) {
      this.log(`gateway histories could not be read, kept in memory until they can: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
    this.book.clear();
    this.unsaved.clear();
    for (const { gateway, text } of records) {
      const parsed = parseHistory(text);
      if (parsed.ok) this.book.set(gateway, parsed.history);
      else this.log(`history of ${gateway} is unreadable (${parsed.problem}); it starts again`);
    }
    for (const [gateway, entries] of this.early) {
      this.book.set(gateway, appendHistory(this.book.get(gateway) ?? [], entries));
      this.unsaved.add(gateway);
    }
    this.early.clear();
    this.term = term;
    return true;
  }

  /** Writes the histories that grew, a few at once; one that fails is tried again next pass. */
  private async persist(concurrency = 16): Promise<void> {
    const limit = pLimit(concurrency);
    await Promise.all([...this.unsaved].map((gateway) => limit(async () => {
      try {
        await this.client.writeHistory(gateway, serializeHistory(this.book.get(gateway) ?? []));
        this.unsaved.delete(gateway);
      } catch (error) {
        this.log(`history of ${gateway} not written, tried again next pass: ${error instanceof Error ? error.message : String(error)}`);
      }
    })));
  }

  private async forget(gateway: string): Promise<void> {
    try {
      await this.client.deleteHistory(gateway);
      this.book.delete(gateway);
      this.unsaved.delete(gateway);
    } catch (error) {
      this.log(`history of removed gateway ${gateway} not deleted, tried again next pass: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

interface GatewayFactsArgs extends HistoryPassArgs {
  readonly target: GatewayTarget;
  readonly time: string;
  readonly status: NonNullable<ReturnType<StatusStore['reachability']>>;
  readonly plan: GatewayPlan | undefined;
  readonly result: GatewayApplyResult | undefined;
}

async function gatewayFacts({ target, time, status, plan, result, rollout, observed, revisions, now }: GatewayFactsArgs): Promise<GatewayPassFacts> {
  const decision = rollout.decisions.get(target.gateway);
  const revision = decision?.revision ?? target.revision;
  const fleet = revision ? await revisions.at(revision, now) : undefined;
  const live = liveForGateway(observed.live, target.gateway).filter((o) => o.metadata.labels?.[LABEL.gateway] === target.gateway);
  const desired = fleet?.ok ? fleet.rendered.get(target.gateway)?.objects : undefined;
  const deletedByHand = new Set((plan?.drift ?? []).filter((d) => d.reason === 'deleted').map((d) => `${d.ref.kind}/${d.ref.namespace ?? ''}/${d.ref.name}`));
  const before = contentsOf([...live, ...(desired ?? []).filter((o) => deletedByHand.has(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`))]);
  const offline = status.phase === 'Offline';
  const heartbeat = status.node.lastHeartbeat ? ` (last heartbeat ${status.node.lastHeartbeat})` : '';
  return {
    time,
    ...(revision ? { revision } : {}),
    applied: result?.ok === true,
    before,
    after: desired ? contentsOf(desired) : before,
    moveCause: moveCause(decision, target),
    stopCause: (service) => stopCause(fleet, target.gateway, service, now),
    responseCause: (response) => responseCause(fleet, response),
    ...(decision?.action === 'rollback' ? { rollback: { from: decision.failure.revision, to: decision.revision, reason: decision.failure.reason } } : {}),
    drift: (plan?.drift ?? []).map((d) => `${d.ref.kind} ${d.ref.name} (${d.reason})`),
    reachability: offline
      ? { offline: true, cause: `edge node ${status.node.name} unreachable${heartbeat}: ${status.message}` }
      : { offline: false, cause: `edge node ${status.node.name} is back` },
  };
}

/** Catalog services by the labels their workloads carry; responses by their objects and the response lists' content. */
function contentsOf(objects: readonly K8sObject[]): GatewayContents {
  const services = new Map<string, string>();
  const responses = new Set<string>();
  for (const object of objects) {
    const labels = object.metadata.labels ?? {};
    const response = labels[LABEL.response];
    const list = response ? RESPONSE_LISTS.get(response) : undefined;
    if (list) {
      for (const name of listedResponses(object, list)) responses.add(name);
    } else if (response) {
      responses.add(response);
    } else if (WORKLOAD_KINDS.has(object.kind) && labels[LABEL.service]) {
      services.set(labels[LABEL.service]!, labels[LABEL.serviceVersion] ?? '');
    }
  }
  return { services, responses };
}

/** Each response list's names, read once per object: the watch cache and the render cache hand out one object until it changes. */
const listed = new WeakMap<K8sObject, readonly string[]>();

function listedResponses(configMap: K8sObject, list: { readonly file: string; readonly names: (file: Record<string, unknown>) => unknown[] }): readonly string[] {
  let names = listed.get(configMap);
  if (!names) listed.set(configMap, (names = readListedResponses(configMap, list)));
  return names;
}

function readListedResponses(configMap: K8sObject, list: { readonly file: string; readonly names: (file: Record<string, unknown>) => unknown[] }): string[] {
  const text = ((configMap['data'] ?? {}) as Record<string, string | undefined>)[list.file];
  try {
    const file: unknown = JSON.parse(text ?? '{}');
    if (typeof file !== 'object' || file === null) return [];
    return list.names(file as Record<string, unknown>).filter((n): n is string => typeof n === 'string');
  } catch {
    return [];
  }
}

function moveCause(decision: RolloutDecision | undefined, target: GatewayTarget): string {
  const approved = [...target.decisions].reverse().find((d) => d.result === 'approved' && d.pr);
  const by = approved?.pr ? `, PR #${approved.pr.number}${approved.counted.length > 0 ? ` approved by ${approved.counted.map((c) => c.login).join(', ')}` : ''}` : '';
  if (!decision || decision.action === 'stay' || decision.action === 'hold') return `kept on its revision${by}`;
  if (decision.action === 'rollback') return decision.failure.reason;
  switch (decision.why) {
    case 'install':
      return `first install of the gateway${by}`;
    case 'wave':
      return `rollout ${short(decision.revision)} wave ${decision.wave ?? 0}${by}`;
    case 'emergency':
      return `pre-authorised response${by}`;
    case 'removal':
      return `removed from the fleet${by}`;
    case 'same-render':
      return `revision ${short(decision.revision)}${by}`;
  }
}

function stopCause(fleet: FleetAtCommit | undefined, gateway: string, service: string, now: string): string {
  if (!fleet?.ok) return 'no longer rendered';
  const model = fleet.model.gateways.get(gateway);
  if (!model) return `the gateway left the fleet at ${short(fleet.commit)}`;
  const entry = model.services.find((s) => s.entry.name === service)?.entry;
  if (entry?.expires && isExpired(entry.expires, Date.parse(now))) return `expired at ${entry.expires}`;
  return `removed from the gateway at ${short(fleet.commit)}`;
}

function responseCause(fleet: FleetAtCommit | undefined, name: string): string {
  const response = fleet?.ok ? fleet.model.responses.get(name) : undefined;
  if (!fleet?.ok || !response) return `response ${name}`;
  const spec = response.doc.spec;
  const preauthorized = fleet.model.customers.get(spec.customer)?.doc.spec.preauthorized?.includes(spec.action) === true;
  return `${preauthorized ? 'pre-authorised' : 'approved'} ${spec.action} until ${spec.expires}: ${spec.reason}`;
}
