// The rollout step: each gateway's health from what the cluster holds, its durable state
// from its inventory ConfigMap, and the rollout stage's decision of when it moves. Every
// state that changes is written before anything is applied, so a reconciler killed at any
// point resumes from exactly where this pass decided to go.
import pLimit from 'p-limit';
import type { ClusterClient } from '../apply/index.ts';
import { classifyChange } from '../gate/index.ts';
import { assessGateway, type DesiredService, type GatewayHealth } from '../health/index.ts';
import { liveForGateway, type Inventory } from '../diff/index.ts';
import type { K8sObject } from '../render/index.ts';
import { canonicalJson } from '../render/canonical.ts';
import { LABEL, WORKLOAD_KINDS } from '../contract/index.ts';
import {
  awaitsPull, parseRolloutState, planRollouts, serializeRolloutState, verdictOf, windowAt, type GatewayRolloutInput, type GatewayRolloutState, type GatewayVerdict, type RolloutPlan, type RolloutSettings, type WindowState,
} from '../rollout/index.ts';
import type { FleetAtCommit, FleetRevisions } from '../load/index.ts';
import type { Observed } from './observe.ts';
import type { GatewayTarget } from '../gate/index.ts';
import { imagesOf } from '../change-plan/gateway-diff.ts';
import type { ImageAvailability } from '../warehouse/image-availability.ts';
import type { HoldReason, RolloutDecision } from '../rollout/index.ts';
import { InputMemo } from './input-memo.ts';

/** Each gateway's durable rollout state; a gateway applied before states were kept starts from its inventory. */
export function statesOf(inventories: ReadonlyMap<string, Inventory>, log: (line: string) => void): Map<string, GatewayRolloutState> {
  const states = new Map<string, GatewayRolloutState>();
  for (const [gateway, inventory] of inventories) {
    if (inventory.rolloutState) {
      const parsed = parseRolloutState(inventory.rolloutState);
      if (parsed.ok) {
        states.set(gateway, parsed.state);
        continue;
      }
      log(`rollout state of ${gateway} is unreadable (${parsed.problem}); starting again from its inventory`);
    }
    if (inventory.revision) states.set(gateway, { revision: inventory.revision, renderHash: inventory.renderHash });
  }
  return states;
}

const NOTHING_RENDERED: readonly K8sObject[] = [];

/** The services a render runs, by the labels its workloads carry (expired services are not rendered). */
function desiredServices(objects: readonly K8sObject[]): DesiredService[] {
  const services: DesiredService[] = [];
  for (const object of objects) {
    const labels = object.metadata.labels ?? {};
    const service = labels[LABEL.service];
    if (!WORKLOAD_KINDS.has(object.kind) || !service || labels[LABEL.response]) continue;
    if (!services.some((s) => s.service === service)) services.push({ service, version: labels[LABEL.serviceVersion] ?? '' });
  }
  return services;
}

export interface RolloutStepArgs {
  readonly targets: readonly GatewayTarget[];
  readonly states: ReadonlyMap<string, GatewayRolloutState>;
  readonly observed: Observed;
  readonly revisions: FleetRevisions;
  readonly head: FleetAtCommit;
  readonly settings: RolloutSettings;
  readonly now: string;
  /**
   * The registry the fleet's images are published to: a gateway whose next render runs an
   * image of it that it does not hold is held, the image named.
   * @default - images are not checked
   */
  readonly images?: ImageAvailability;
  /**
   * The engine's memory of each gateway's health between passes.
   * @default - a fresh one: every gateway assessed
   */
  readonly healthMemo?: InputMemo<GatewayHealth>;
}

export interface RolloutStepResult {
  readonly plan: RolloutPlan;
  /** By gateway: health of the render it is on. */
  readonly health: ReadonlyMap<string, GatewayHealth>;
}

/**
 * The gateway's health on the render it is on, from its edge node (by the name the fleet gives
 * it), workloads and pods; through the memo, assessed again only when one of those is another
 * object than the last pass's.
 */
function healthOf({ gateway, node, render, observed, memo }: { gateway: string; node: string | undefined; render: readonly K8sObject[]; observed: Observed; memo: InputMemo<GatewayHealth> }): GatewayHealth {
  const live = node ? observed.nodes.get(node) : undefined;
  const own = observed.live.byGateway.get(gateway) ?? [];
  const pods = observed.pods.get(gateway) ?? [];
  // What the gateways share (the Namespaces, the pre-pull jobs) is read as each gateway's too.
  return memo.get(gateway, [node, live, render, own.length, ...own, ...observed.live.shared, ...pods], () => assessGateway({
    gateway,
    ...(live ? { node: live } : {}),
    ...(node ? { nodeName: node } : {}),
    services: desiredServices(render),
    objects: liveForGateway(observed.live, gateway),
    pods,
  }));
}

export async function decideRollouts({ targets, states, observed, revisions, head, settings, now, images, healthMemo = new InputMemo() }: RolloutStepArgs): Promise<RolloutStepResult> {
  const inputs: GatewayRolloutInput[] = [];
  /** By gateway: the images its next render runs that its current one does not, to be found in the registry first. */
  const fresh = new Map<string, { readonly rollout: string; readonly images: readonly string[] }>();
  const health = new Map<string, GatewayHealth>();
  // Each customer's windows once per pass, by the commit they were read at.
  const windows = new Map<string, WindowState>();
  const windowOf = (fleet: FleetAtCommit, customer: string): WindowState => {
    const key = `${fleet.commit}/${customer}`;
    let state = windows.get(key);
    if (!state) windows.set(key, (state = windowAt(fleet.ok ? fleet.model.customers.get(customer)?.doc.spec.maintenanceWindows : undefined, now)));
    return state;
  };
  for (const target of targets) {
    const state = states.get(target.gateway);
    const current = state ? await revisions.at(state.revision, now) : undefined;
    const currentRender = current?.ok ? current.rendered.get(target.gateway) : undefined;
    const model = (current?.ok ? current.model : undefined)?.gateways.get(target.gateway) ?? (head.ok ? head.model.gateways.get(target.gateway) : undefined);
    const assessed = healthOf({ gateway: target.gateway, node: model?.node, render: currentRender?.objects ?? NOTHING_RENDERED, observed, memo: healthMemo });
    health.set(target.gateway, assessed);
    const next = target.revision && target.revision !== state?.revision ? await revisions.at(target.revision, now) : undefined;
    const nextRender = next?.ok ? next.rendered.get(target.gateway) : undefined;
    // Two renders with one input hash are one render: nothing between them to classify or pull.
    const changes = nextRender !== undefined && nextRender.inputHash !== currentRender?.inputHash;
    const emergency = changes && currentRender !== undefined && isEmergency(target, currentRender.objects, nextRender.objects);
    const added = images && changes && target.revision ? newImages(currentRender?.objects ?? [], nextRender.objects) : [];
    if (added.length > 0) fresh.set(target.gateway, { rollout: target.revision!, images: added });
    const labels = [next, head].find(isLoaded)?.model.gateways.get(target.gateway)?.doc.metadata.labels ?? {};
    // The windows the change was approved under (those of its own commit); a removal whose commit
    // dropped the customer too keeps the windows of the revision the gateway is on.
    const windowsFrom = [next, current, head].find((fleet) => isLoaded(fleet) && fleet.model.customers.has(target.customer));
    inputs.push({
      gateway: target.gateway,
      labels: Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string')),
      state,
      target: !target.revision || (next && !next.ok) ? undefined : { revision: target.revision, renderHash: next ? nextRender?.inputHash : state?.renderHash, emergency },
      verdict: pullAware(verdictOf(assessed), state),
      ...(windowsFrom ? { window: windowOf(windowsFrom, target.customer) } : {}),
    });
  }
  healthMemo.keepOnly(new Set(health.keys()));
  const unavailable = images ? await unavailableImages(images, fresh) : new Map<string, HoldReason>();
  return { plan: planHolding({ inputs, unavailable, states, settings, now }), health };
}

/** The images a render runs that the one before it does not. */
function newImages(before: readonly K8sObject[], after: readonly K8sObject[]): string[] {
  const running = imagesOf(before);
  return [...imagesOf(after)].filter((image) => !running.has(image));
}

/** The rollouts planned with the gateways held for their images staying where they are, then shown as held. */
function planHolding({ inputs, unavailable, states, settings, now }: {
  readonly inputs: readonly GatewayRolloutInput[]; readonly unavailable: ReadonlyMap<string, HoldReason>; readonly states: ReadonlyMap<string, GatewayRolloutState>; readonly settings: RolloutSettings; readonly now: string;
}): RolloutPlan {
  const plan = planRollouts({ gateways: inputs.map((input) => (unavailable.has(input.gateway) ? { ...input, target: undefined } : input)), settings, now });
  if (unavailable.size === 0) return plan;
  const decisions = new Map<string, RolloutDecision>(plan.decisions);
  for (const [gateway, hold] of unavailable) decisions.set(gateway, { action: 'hold', gateway, revision: states.get(gateway)?.revision, hold });
  return { ...plan, decisions };
}

/** The holds of the gateways whose new images the registry lacks; all of them, the failure named, when it cannot be asked. */
async function unavailableImages(images: ImageAvailability, fresh: ReadonlyMap<string, { readonly rollout: string; readonly images: readonly string[] }>): Promise<Map<string, HoldReason>> {
  const holds = new Map<string, HoldReason>();
  if (fresh.size === 0) return holds;
  let missing: ReadonlySet<string>;
  try {
    missing = new Set(await images.missing([...fresh.values()].flatMap((f) => f.images)));
  } catch (error) {
    const failure = error instanceof Error ? error.message : String(error);
    for (const [gateway, f] of fresh) holds.set(gateway, { reason: 'image-unavailable', rollout: f.rollout, registry: images.registry, images: [...f.images].sort(), failure });
    return holds;
  }
  for (const [gateway, f] of fresh) {
    const lacking = f.images.filter((image) => missing.has(image)).sort();
    if (lacking.length > 0) holds.set(gateway, { reason: 'image-unavailable', rollout: f.rollout, registry: images.registry, images: lacking });
  }
  return holds;
}

function isLoaded(fleet: FleetAtCommit | undefined): fleet is Extract<FleetAtCommit, { ok: true }> {
  return fleet?.ok === true;
}

/** A gateway still pulling runs its old objects: Ready there is not Ready on the new render. */
function pullAware(verdict: GatewayVerdict, state: GatewayRolloutState | undefined): GatewayVerdict {
  return verdict.status === 'ready' && awaitsPull(state) ? { status: 'progressing' } : verdict;
}

/** Only pre-authorised kinds of responses change: an emergency, which skips the waves. */
function isEmergency(target: GatewayTarget, before: readonly K8sObject[], after: readonly K8sObject[]): boolean {
  const change = classifyChange({ gateway: target.gateway, customer: target.customer, previous: before, candidate: after, operatorHash: { previous: undefined, candidate: undefined } });
  return !change.touchesWorkloads && change.responseActions.size > 0;
}

/**
 * Writes every state the plan changed (and only those), a few at once: a pass with nothing to
 * change writes nothing. What happened is written before what starts: the states that record
 * a soak, a failure or a hold first, then those of gateways that move. A reconciler killed in
 * between never leaves a wave recorded as started while the wave before it is not recorded as
 * passed, and a record that could not be written holds every move of this pass.
 * Returns the gateways whose new state is not recorded, each with why: they must not be applied.
 */
export interface Unrecorded {
  readonly message: string;
  /** No answer came (a timeout, a refused connection): the API server is out of reach, not refusing this one write. */
  readonly unanswered: boolean;
}

export interface PersistStatesArgs {
  readonly client: Pick<ClusterClient, 'writeRolloutState'>;
  readonly before: ReadonlyMap<string, Inventory>;
  readonly plan: RolloutPlan;
  /** Not these gateways' states (written at another time, see revisionOnlyMoves). @default none left out */
  readonly except?: ReadonlySet<string>;
  /** @default 16 */
  readonly concurrency?: number;
}

/** The states the plan changed, as the text to record (gateway, text), of the gateways chosen. */
export function changedStates({ before, plan, only, except }: Pick<PersistStatesArgs, 'before' | 'plan' | 'except'> & { readonly only?: ReadonlySet<string> }): (readonly [string, string])[] {
  const chosen = (gateway: string): boolean => (only ? only.has(gateway) : true) && !except?.has(gateway);
  return [...plan.states].filter(([gateway]) => chosen(gateway)).map(([gateway, state]) => [gateway, serializeRolloutState(state)] as const).filter(([gateway, text]) => before.get(gateway)?.rolloutState !== text);
}

export async function persistStates({ client, before, plan, except, concurrency = 16 }: PersistStatesArgs): Promise<ReadonlyMap<string, Unrecorded>> {
  const changed = changedStates({ before, plan, ...(except ? { except } : {}) });
  const moves = (gateway: string): boolean => {
    const stored = before.get(gateway)?.rolloutState;
    const previous = stored === undefined ? undefined : parseRolloutState(stored);
    const next = plan.states.get(gateway)!;
    return !previous?.ok || previous.state.revision !== next.revision || previous.state.renderHash !== next.renderHash;
  };
  const records = changed.filter(([gateway]) => !moves(gateway));
  const starts = changed.filter(([gateway]) => moves(gateway));
  const failed = await writeAll(client, records, concurrency);
  if (failed.size === 0) return writeAll(client, starts, concurrency);
  const [first] = failed;
  const held: Unrecorded = { message: `held: the rollout state of ${first![0]} could not be recorded first (${first![1].message})`, unanswered: false };
  return new Map([...failed, ...starts.map(([gateway]): [string, Unrecorded] => [gateway, held])]);
}

/**
 * The gateways whose state changes in its revision alone (and its healthy revision with it, on
 * the same render) while nothing is applied to them: a push that changes one gateway moves
 * every other gateway's recorded revision, and none of those records guards an apply. They can
 * be written after the gateways that do change are applied, so one gateway's change does not
 * wait on a thousand writes: they are written between passes (DeferredStates); a reconciler
 * stopped in between writes them in its next pass.
 */
export function revisionOnlyMoves({ before, plan, idle }: { readonly before: ReadonlyMap<string, Inventory>; readonly plan: RolloutPlan; readonly idle: ReadonlySet<string> }): Set<string> {
  const moves = new Set<string>();
  for (const [gateway, next] of plan.states) {
    const stored = before.get(gateway)?.rolloutState;
    const previous = idle.has(gateway) && stored !== undefined ? parseRolloutState(stored) : undefined;
    if (!previous?.ok || previous.state.revision === next.revision) continue;
    if (canonicalJson(movedTo(previous.state, next)) === canonicalJson(next)) moves.add(gateway);
  }
  return moves;
}

/**
 * The stored state moved to the next revision and nothing else: a gateway Ready on the same
 * render is healthy on the new revision too (its rollback target renders the same objects).
 */
function movedTo(previous: GatewayRolloutState, next: GatewayRolloutState): GatewayRolloutState {
  const healthy = previous.healthy && next.healthy?.revision === next.revision && next.healthy.renderHash === previous.healthy.renderHash ? next.healthy : previous.healthy;
  return { ...previous, revision: next.revision, ...(healthy ? { healthy } : {}) };
}

/** The writes, a few at once; once one got no answer the rest are not sent (each would wait its own timeout) and fail with it. */
async function writeAll(client: Pick<ClusterClient, 'writeRolloutState'>, entries: readonly (readonly [string, string])[], concurrency: number): Promise<Map<string, Unrecorded>> {
  const failed = new Map<string, Unrecorded>();
  let unanswered: Unrecorded | undefined;
  const limit = pLimit(concurrency);
  await Promise.all(entries.map(([gateway, text]) => limit(async () => {
    if (unanswered) return void failed.set(gateway, unanswered);
    await client.writeRolloutState(gateway, text).catch((error: unknown) => {
      const unrecorded = unrecordedBy(error);
      failed.set(gateway, unrecorded);
      if (unrecorded.unanswered) unanswered ??= unrecorded;
    });
  })));
  return failed;
}

/** Why a state write failed, and whether the API server answered at all. */
export function unrecordedBy(error: unknown): Unrecorded {
  const status = (error as { data?: { status?: unknown } }).data?.status;
  return { message: error instanceof Error ? error.message : String(error), unanswered: status === undefined };
}
