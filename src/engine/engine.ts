// The only place the stages meet. A pass is an ordered list of steps: fetch the branch,
// load and render, choose each gateway's approved revision (the gate), observe the cluster,
// decide when each gateway moves (the rollout), record those decisions, plan against the
// live objects, guard deletions, apply, and report. A failed step ends the pass with the
// cluster on its last good state.
import { applyGateways, applyShared, checkDeletionGuard, DEFAULT_RETRY, type ClusterClient, type GatewayApplyResult, type SharedApplyResult } from '../apply/index.ts';
import { RetriesExhausted, withRetry } from '../apply/retry.ts';
import { isNoop, isShared, isSharedNoop, liveForGateway, planGateway, planShared, type GatewayPlan, type Inventory, type SharedPlan } from '../diff/index.ts';
import { chooseTargets, PassFacts, type GatewayTarget, type GitHubGate } from '../gate/index.ts';
import { FleetRevisions, inThreadLoader, type FleetAtCommit, type FleetLoader } from '../load/index.ts';
import { DeployStatusReporter, EVENT_REASONS, inventoryRef, type EventRecorder, type FleetMetrics, type PassResult, type StatusStore } from '../report/index.ts';
import { rolloutSettings, type RolloutPlan } from '../rollout/index.ts';
import { formatCommitProblem } from '../model/problems.ts';
import type { K8sObject } from '../render/index.ts';
import type { GitSource } from '../source/index.ts';
import { recordApply, recordDecisions, recordShared } from './events-step.ts';
import { GatewayHistories } from './history-step.ts';
import { observeCluster, type Observed } from './observe.ts';
import { describeTimings, PassTimings, type StepTimings } from './pass-timings.ts';
import { applyPrePullJobs, prePullStep } from './prepull-step.ts';
import { reportDeploy, reportGateways } from './report-step.ts';
import { decideRollouts, persistStates, statesOf } from './rollout-step.ts';
import { FleetError } from '../errors/fleet-error.ts';

export interface ReconcilerOptions {
  readonly source: GitSource;
  /**
   * Loads and renders the fleet at a commit; `essg reconcile` gives it a bounded worker (load-worker.ts).
   * @default - in this thread, unbounded
   */
  readonly loader?: FleetLoader;
  readonly client: ClusterClient;
  readonly store: StatusStore;
  readonly metrics: FleetMetrics;
  readonly events: EventRecorder;
  /** undefined: approvals off, every valid commit applies. */
  readonly github?: GitHubGate;
  readonly trustedRevision?: string;
  /** Lets one pass delete past the mass-deletion guard. */
  readonly allowMassDeletion?: boolean;
  /** Gateways applied at once. @default 8 */
  readonly concurrency?: number;
  /** The clock, as RFC 3339; rendering and rollouts never read it themselves. */
  readonly now?: () => string;
  /** The leadership a pass starts under: once that aborts, the pass starts no more gateways and stops before its next step. @default - never aborts */
  readonly leadership?: () => AbortSignal | undefined;
  readonly log?: (line: string) => void;
}

export interface PassSummary {
  readonly result: PassResult;
  readonly head?: string;
  readonly plans: readonly GatewayPlan[];
  /** What the gateways share (their customers' Namespaces), planned once for the pass. */
  readonly shared?: SharedPlan;
  readonly applied: readonly GatewayApplyResult[];
  readonly targets: readonly GatewayTarget[];
  readonly rollout?: RolloutPlan;
  /** A rollout is in flight: look again after this many seconds rather than at the next poll. */
  readonly recheckAfterSeconds?: number;
  readonly error?: string;
  /** Milliseconds spent in each step of the pass. */
  readonly timings: StepTimings;
}

/** What the gate step hands on: the cluster's records, the head, each gateway's approved target. */
interface Gated {
  readonly inventories: ReadonlyMap<string, Inventory>;
  readonly states: ReturnType<typeof statesOf>;
  readonly headFleet: FleetAtCommit;
  readonly targets: readonly GatewayTarget[];
  readonly facts?: PassFacts;
}

function passResult(head: FleetAtCommit, work: readonly GatewayPlan[], applied: readonly GatewayApplyResult[], shared: SharedApplyResult | undefined): PassResult {
  if (!head.ok) return 'bad-commit';
  const failed = applied.filter((r) => !r.ok).length;
  if (failed > 0) return failed === applied.length ? 'failed' : 'partial';
  if (shared && !shared.ok) return 'partial';
  return work.length === 0 && !shared ? 'noop' : 'success';
}

/** A pass stopped because this replica no longer leads. */
export class LeadershipLostError extends FleetError<Record<string, never>> {
  readonly code = 'LEADERSHIP_LOST';
  constructor() {
    super('this replica no longer holds the Lease: the pass stopped and writes nothing more', {});
  }
}

export class Reconciler {
  private readonly revisions: FleetRevisions;
  private readonly deployStatus: DeployStatusReporter | undefined;
  private readonly histories: GatewayHistories;
  private readonly now: () => string;
  private readonly log: (line: string) => void;
  private passLeadership: AbortSignal | undefined;

  constructor(private readonly options: ReconcilerOptions) {
    this.revisions = new FleetRevisions(options.loader ?? inThreadLoader(options.source));
    this.now = options.now ?? (() => new Date().toISOString());
    this.log = options.log ?? (() => {});
    this.deployStatus = options.github ? new DeployStatusReporter(options.github, this.log) : undefined;
    this.histories = new GatewayHistories(options.client, this.log);
  }

  async runPass(): Promise<PassSummary> {
    const { store, metrics } = this.options;
    const started = Date.now();
    const timer = new PassTimings();
    store.passStarted();
    let summary: Omit<PassSummary, 'timings'>;
    try {
      summary = await this.steps(timer);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log(`pass failed: ${message}`);
      summary = { result: 'failed', plans: [], applied: [], targets: [], error: message };
    }
    const durationMs = Date.now() - started;
    const { timings } = timer;
    store.passFinished({ result: summary.result, ...(summary.error ? { error: summary.error } : {}) });
    metrics.observePass({ durationMs, result: summary.result, timings });
    this.log(`pass took ${(durationMs / 1000).toFixed(1)} s: ${describeTimings(timings)}`);
    return { ...summary, timings };
  }

  private async steps(t: PassTimings): Promise<Omit<PassSummary, 'timings'>> {
    const now = this.now();
    // The leadership this pass started under: losing it ends the pass, even if another begins.
    this.passLeadership = this.options.leadership?.();
    this.revisions.startPass();
    const fetched = await t.time('fetch', () => this.fetchStep());
    if (fetched.head === undefined) return { result: 'failed', plans: [], applied: [], targets: [], error: fetched.error };
    const gated = await this.gateStep(t, fetched.head, fetched.fresh, now);
    const { targets, inventories, headFleet } = gated;
    const observed = await t.time('observe', () => this.read(() => observeCluster(this.options.client)));
    const { rollout, health, prePullJobs } = await this.rolloutStep(t, { ...gated, observed, now });
    const { plans, shared } = await t.time('plan', () => this.planStep({ targets, rollout, observed, now, inventories }));
    const report = { head: headFleet, targets, now, revisions: this.revisions, health, rollout, store: this.options.store, events: this.options.events, observed };
    const passed = { head: fetched.head, plans, shared, targets, rollout };
    // The guard refuses the whole pass before anything is recorded: a refused move leaves no trace in the rollout state.
    const guard = this.guardStep(plans, headFleet, inventories);
    if (guard) {
      await this.options.events.record({ regarding: inventoryRef('fleet'), type: 'Warning', reason: EVENT_REASONS.massDeletionRefused, message: guard });
      await reportGateways({ ...report, applied: [], refusal: guard });
      return { ...passed, result: 'refused', applied: [], error: guard };
    }
    this.checkLeadership();
    const { work, applied, sharedResult } = await t.time('apply', () => this.applyStep({ plans, shared, inventories, rollout, prePullJobs }));
    await t.time('report', async () => {
      for (const d of rollout.decisions.values()) if (d.action === 'rollback') this.options.metrics.rolledBack(d.failure.rollout);
      await reportGateways({ ...report, applied });
      await this.histories.recordPass({ term: this.passLeadership ?? this, targets, rollout, plans, applied, observed, revisions: this.revisions, now, store: this.options.store });
      await reportDeploy({ reporter: this.deployStatus, head: headFleet, fresh: fetched.fresh, rollout, applied, githubDown: gated.facts?.unavailable, log: this.log });
    });
    const result = passResult(headFleet, work, applied, sharedResult);
    this.log(`pass ${result}: head ${fetched.head.slice(0, 12)}, ${plans.length} gateways planned, ${work.length} changed, ${applied.filter((r) => !r.ok).length} failed`);
    return { ...passed, result, applied, ...(rollout.recheckAfterSeconds !== undefined ? { recheckAfterSeconds: rollout.recheckAfterSeconds } : {}) };
  }

  /** What the cluster records for each gateway, the head loaded, and the gate: the revision each gateway may take. */
  private async gateStep(t: PassTimings, head: string, fresh: boolean, now: string): Promise<Gated> {
    // What the cluster holds (a failed listing throws: never read as "nothing").
    const listed = await t.time('observe', () => this.read(() => this.options.client.listInventories()));
    const inventories = new Map(listed.map((inv): [string, Inventory] => [inv.gateway, inv]));
    const states = statesOf(inventories, this.log);
    const headFleet = await t.time('load', () => this.loadStep(head, now));
    // GitHub is asked afresh each pass (approvals given after a merge count), once per commit.
    const facts = this.options.github ? new PassFacts(this.options.github) : undefined;
    const targets = await t.time('gate', () => chooseTargets({
      head: headFleet, inventories, headIsFresh: fresh, revisions: this.revisions, store: this.options.source, now,
      onRevision: new Map([...states].map(([gateway, state]) => [gateway, state.revision])),
      ...(facts ? { facts } : {}),
      ...(this.options.trustedRevision ? { trustedRevision: this.options.trustedRevision } : {}),
    }));
    // The gate's decisions as Events are reporting: counted with the report, not with deciding.
    await t.time('report', () => recordDecisions(this.eventsArgs(), targets));
    return { inventories, states, headFleet, targets, ...(facts ? { facts } : {}) };
  }

  /** When each gateway moves (waves, soaks, windows, rollbacks), and the image pre-pulls its wave needs first. */
  private async rolloutStep(t: PassTimings, { targets, states, observed, inventories, headFleet, now }: Gated & { observed: Observed; now: string }) {
    const settings = rolloutSettings(headFleet.ok ? headFleet.model.fleet.doc : undefined);
    const decided = await t.time('rollout', () => decideRollouts({ targets, states, observed, revisions: this.revisions, head: headFleet, settings, now }));
    const { plan: rollout, ...prePullJobs } = await t.time('rollout', () => prePullStep({ plan: decided.plan, observed, inventories, revisions: this.revisions, now }));
    return { rollout, health: decided.health, prePullJobs };
  }

  /** Records each gateway's new rollout state, then applies what changed; a gateway whose state could not be recorded waits for the next pass. */
  private async applyStep({ plans, shared, inventories, rollout, prePullJobs }: {
    plans: readonly GatewayPlan[]; shared: SharedPlan; inventories: ReadonlyMap<string, Inventory>; rollout: RolloutPlan; prePullJobs: Omit<Awaited<ReturnType<typeof prePullStep>>, 'plan'>;
  }): Promise<{ work: GatewayPlan[]; applied: readonly GatewayApplyResult[]; sharedResult: SharedApplyResult | undefined }> {
    // The cluster never runs ahead of the record.
    const unsaved = new Set(await persistStates({ client: this.options.client, before: inventories, plan: rollout }));
    await applyPrePullJobs({ client: this.options.client, ...prePullJobs, log: this.log });
    // The customers' Namespaces first, once: every gateway's objects go into one.
    const sharedResult = isSharedNoop(shared) ? undefined : await applyShared({ client: this.options.client, plan: shared });
    if (sharedResult) await recordShared(this.eventsArgs(), sharedResult);
    const work = plans.filter((plan) => !unsaved.has(plan.gateway) && (!isNoop(plan) || plan.inventoryChanged));
    const applied = await applyGateways({
      client: this.options.client, plans: work,
      ...(this.options.concurrency ? { concurrency: this.options.concurrency } : {}),
      ...(this.passLeadership ? { signal: this.passLeadership } : {}),
    });
    this.checkLeadership();
    await recordApply(this.eventsArgs(), work, applied);
    return { work, applied, sharedResult };
  }

  /** Source: a Git failure keeps the last fetched state and says so; nothing advances on it. */
  private async fetchStep(): Promise<{ head: string; fresh: boolean } | { head: undefined; error: string }> {
    const { source, store, metrics } = this.options;
    try {
      const head = (await source.fetch()).head;
      store.sourceFetched({ revision: head });
      return { head, fresh: true };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      store.sourceFailed({ error: message });
      metrics.gitFetchError();
      this.log(`fetch failed, keeping the last state: ${message}`);
      const head = await source.localHead();
      return head ? { head, fresh: false } : { head: undefined, error: message };
    }
  }

  /** The head commit: a bad one is never applied, not even in part. */
  private async loadStep(head: string, now: string): Promise<FleetAtCommit> {
    const fleet = await this.revisions.at(head, now);
    if (fleet.ok) this.options.store.revisionGood({ revision: head });
    else {
      this.options.store.revisionBad({ revision: head, problems: fleet.problems });
      this.log(`commit ${head.slice(0, 12)} is invalid and will not be applied:\n  ${fleet.problems.slice(0, 10).map(formatCommitProblem).join('\n  ')}`);
    }
    return fleet;
  }

  /** Each gateway planned at the revision the rollout decided, against the live objects we own; what gateways share, planned once. */
  private async planStep({ targets, rollout, inventories, observed, now }: {
    targets: readonly GatewayTarget[]; rollout: RolloutPlan; inventories: ReadonlyMap<string, Inventory>; observed: Observed; now: string;
  }): Promise<{ plans: GatewayPlan[]; shared: SharedPlan }> {
    const plans: GatewayPlan[] = [];
    const shared: K8sObject[] = [];
    for (const target of targets) {
      const revision = rollout.decisions.get(target.gateway)?.revision;
      if (!revision) continue;
      const fleet = await this.revisions.at(revision, now);
      if (!fleet.ok) continue; // a gateway's own last revision can no longer be read: leave it
      const rendered = fleet.rendered.get(target.gateway);
      const inventory = inventories.get(target.gateway);
      const objects = rendered?.objects ?? [];
      shared.push(...objects.filter(isShared));
      plans.push(planGateway({
        gateway: target.gateway,
        desired: objects.filter((object) => !isShared(object)),
        live: liveForGateway(observed.live, target.gateway),
        ...(inventory && inventory.revision ? { inventory } : {}),
        revision,
        renderHash: rendered?.inputHash ?? '',
      }));
    }
    return { plans, shared: planShared({ desired: shared, live: observed.live, inventories: inventories.values() }) };
  }

  /** The mass-deletion guard refuses the whole pass, not part of it; returns why, or undefined. */
  private guardStep(plans: readonly GatewayPlan[], head: FleetAtCommit, inventories: ReadonlyMap<string, Inventory>): string | undefined {
    const declared = new Set(head.ok ? head.model.gateways.keys() : inventories.keys());
    const applied = [...inventories.values()].filter((i) => i.revision).length;
    const guard = checkDeletionGuard({
      plans, declaredGateways: declared, totalGatewaysBefore: applied,
      maxShare: head.ok ? (head.model.fleet.doc.spec.prune?.maxDeletionShare ?? 0.25) : 0.25,
      allow: this.options.allowMassDeletion ?? false,
    });
    if (guard.ok) return undefined;
    this.log(guard.message);
    return guard.message;
  }

  private checkLeadership(): void {
    if (this.passLeadership?.aborted) throw new LeadershipLostError();
  }

  /** A cluster read, retried on transient failures; a read that keeps failing ends the pass. */
  private async read<T>(work: () => Promise<T>): Promise<T> {
    try {
      return (await withRetry({ policy: DEFAULT_RETRY }, work)).value;
    } catch (error) {
      throw error instanceof RetriesExhausted ? error.lastError : error;
    }
  }

  private eventsArgs() {
    return { events: this.options.events, metrics: this.options.metrics, log: this.log };
  }
}
