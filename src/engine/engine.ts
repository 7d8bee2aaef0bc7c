// The only place the stages meet. A pass is one typed chain of steps (pass-steps.ts): fetch
// the branch, read the cluster's records, load and render, choose each gateway's approved
// revision (the gate), observe the cluster, decide when each gateway moves (the rollout),
// plan against the live objects, guard deletions, apply, and report. A step that stops the
// pass, or fails, leaves the cluster on its last good state.
import { applyGateways, applyShared, checkDeletionGuard, DEFAULT_RETRY, type GatewayApplyResult } from '../apply/index.ts';
import { RetriesExhausted, withRetry } from '../apply/retry.ts';
import { isNoop, isSharedNoop, type Inventory } from '../diff/index.ts';
import { chooseTargets, PassFacts } from '../gate/index.ts';
import { FleetRevisions, inThreadLoader } from '../load/index.ts';
import { DeployStatusReporter } from '../report/index.ts';
import { rolloutSettings } from '../rollout/index.ts';
import { formatCommitProblem } from '../model/problems.ts';
import { recordApply, recordDecisions, recordRefusal, recordShared } from './events-step.ts';
import { GatewayHistories } from './history-step.ts';
import { InputMemo } from './input-memo.ts';
import { PlanMemo, planFleet } from './memo-plan.ts';
import type { GatewayHealth } from '../health/index.ts';
import { observeCluster } from './observe.ts';
import { describeTimings, PassTimings } from './pass-timings.ts';
import type { PassSummary, ReconcilerOptions } from './options.ts';
import { applyPrePullJobs, prePullStep } from './prepull-step.ts';
import { ReportMemo, reportDeploy, reportGateways } from './report-step.ts';
import { changedStates, decideRollouts, persistStates, revisionOnlyMoves, statesOf } from './rollout-step.ts';
import { DeferredStates } from './deferred-states.ts';
import { failedApplies, passResult, type Applied, type Fetched, type Gated, type Loaded, type PassStart, type Planned, type Records, type Rolled, type Seen } from './pass-shapes.ts';
import { fleetAccess } from './access-step.ts';
import { PassOwnership } from './ownership.ts';
import { PassSteps, proceed, requeueAfter, stopPass, type StepOutcome } from './pass-steps.ts';

export type { PassSummary, ReconcilerOptions } from './options.ts';

/** Why a pass stopped when this replica no longer leads. */
export const LEADERSHIP_LOST = 'this replica no longer holds the Lease: the pass stopped and writes nothing more';

export class Reconciler {
  private readonly revisions: FleetRevisions;
  private readonly deployStatus: DeployStatusReporter | undefined;
  private readonly histories: GatewayHistories;
  private readonly plans = new PlanMemo();
  private readonly healths = new InputMemo<GatewayHealth>();
  private readonly reports = new ReportMemo();
  private readonly now: () => string;
  private readonly log: (line: string) => void;
  private passLeadership: AbortSignal | undefined;
  /** What this pass writes: every gateway, or those of the shards its replica held when it started. */
  private owned = PassOwnership.ALL;
  private readonly deferred: DeferredStates;

  /** A pass, in order. Each step reads what earlier ones added; its time counts to the step named beside it. */
  private readonly steps = PassSteps.start<PassStart>()
    .then('fetch', 'fetch', () => this.fetchStep())
    .then('records', 'observe', () => this.recordsStep())
    .then('load', 'load', (p) => this.loadStep(p))
    .then('gate', 'gate', (p) => this.gateStep(p))
    // The gate's decisions as Events are reporting: counted with the report, not with deciding.
    .then('decisions', 'report', async (p) => {
      await recordDecisions(this.eventsArgs(), this.owned.targets(p.targets));
      const { store } = this.options;
      const access = await fleetAccess({ targets: p.targets, onRevision: (g) => p.states.get(g)?.revision, head: p.headFleet, revisions: this.revisions, now: p.now, previous: store.access() });
      if (access) store.setAccess(access);
      return proceed({});
    })
    .then('observe', 'observe', async () => proceed({ observed: await this.read(() => observeCluster(this.options.client)) }))
    .then('rollout', 'rollout', (p) => this.rolloutStep(p))
    .then('plan', 'plan', (p) => this.planStep(p))
    .then('guard', 'plan', (p) => this.guardStep(p))
    .then('apply', 'apply', (p) => this.applyStep(p))
    .then('report', 'report', (p) => this.reportStep(p));

  constructor(private readonly options: ReconcilerOptions) {
    this.revisions = new FleetRevisions(options.loader ?? inThreadLoader(options.source));
    this.now = options.now ?? (() => new Date().toISOString());
    this.log = options.log ?? (() => {});
    this.deployStatus = options.github ? new DeployStatusReporter(options.github, this.log) : undefined;
    this.histories = new GatewayHistories(options.client, this.log);
    this.deferred = new DeferredStates(options.client, this.log);
  }

  /**
   * Waits for the rollout states being written between passes: `all`, every one of them (a
   * one-off run); otherwise those under way, the rest left to the next pass.
   */
  settle({ all = false }: { readonly all?: boolean } = {}): Promise<void> {
    return all ? this.deferred.finish() : this.deferred.settle();
  }

  async runPass(): Promise<PassSummary> {
    const { store, metrics } = this.options;
    const started = Date.now();
    const timer = new PassTimings();
    store.passStarted();
    // This pass reads the states as recorded and hands back what is still to write.
    await this.deferred.settle();
    let summary: Omit<PassSummary, 'timings' | 'commitsLoaded'>;
    try {
      summary = await this.pass(timer);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log(`pass failed: ${message}`);
      summary = { result: 'failed', plans: [], applied: [], targets: [], error: message };
    }
    const durationMs = Date.now() - started;
    const { timings } = timer;
    store.passFinished({ result: summary.result, ...(summary.error ? { error: summary.error } : {}) });
    metrics.observePass({ durationMs, result: summary.result, timings });
    const { commitsLoaded } = this.revisions;
    this.log(`pass took ${(durationMs / 1000).toFixed(1)} s, ${commitsLoaded} commits loaded: ${describeTimings(timings)}`);
    return { ...summary, commitsLoaded, timings };
  }

  private async pass(timings: PassTimings): Promise<Omit<PassSummary, 'timings' | 'commitsLoaded'>> {
    // The leadership this pass started under: losing it ends the pass, even if another begins.
    this.passLeadership = this.options.leadership?.();
    this.owned = new PassOwnership(this.options.shards?.());
    this.revisions.startPass();
    const end = await this.steps.run({ now: this.now() }, { timings, stopBefore: () => (this.passLeadership?.aborted ? LEADERSHIP_LOST : undefined) });
    const p = end.pass;
    const reached = { plans: p.plans ?? [], targets: p.targets ?? [], ...(p.head ? { head: p.head } : {}), ...(p.shared ? { shared: p.shared } : {}), ...(p.rollout ? { rollout: p.rollout } : {}) };
    if (end.kind === 'stopped') {
      this.log(`pass ${end.result}: ${end.reason}`);
      return { ...reached, result: end.result, applied: [], error: end.reason };
    }
    this.deferred.write(end.pass.deferred);
    const result = passResult(end.pass);
    this.log(`pass ${result}: head ${end.pass.head.slice(0, 12)}, ${end.pass.plans.length} gateways planned, ${end.pass.work.length} changed, ${end.pass.applied.filter((r) => !r.ok).length} failed`);
    const failure = result === 'failed' ? failedApplies(end.pass.applied) : undefined;
    return { ...reached, result, applied: end.pass.applied, ...(failure ? { error: failure } : {}), ...(end.requeueAfterSeconds !== undefined ? { recheckAfterSeconds: end.requeueAfterSeconds } : {}) };
  }

  /** Source: a Git failure keeps the last fetched state and says so; nothing advances on it. */
  private async fetchStep(): Promise<StepOutcome<Fetched>> {
    const { source, store, metrics } = this.options;
    try {
      const head = (await source.fetch()).head;
      store.sourceFetched({ revision: head });
      return proceed({ head, fresh: true });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      store.sourceFailed({ error: message });
      metrics.gitFetchError();
      this.log(`fetch failed, keeping the last state: ${message}`);
      const head = await source.localHead();
      return head ? proceed({ head, fresh: false }) : stopPass('failed', message);
    }
  }

  private async recordsStep(): Promise<StepOutcome<Records>> {
    const listed = await this.read(() => this.options.client.listInventories());
    const inventories = new Map(listed.map((inv): [string, Inventory] => [inv.gateway, inv]));
    return proceed({ inventories, states: statesOf(inventories, this.log) });
  }

  /** The head commit: a bad one is never applied, not even in part. */
  private async loadStep({ head, now }: PassStart & Fetched): Promise<StepOutcome<Loaded>> {
    const headFleet = await this.revisions.at(head, now);
    if (headFleet.ok) this.options.store.revisionGood({ revision: head });
    else {
      this.options.store.revisionBad({ revision: head, problems: headFleet.problems });
      this.log(`commit ${head.slice(0, 12)} is invalid and will not be applied:\n  ${headFleet.problems.slice(0, 10).map(formatCommitProblem).join('\n  ')}`);
    }
    return proceed({ headFleet });
  }

  /** The gate: the revision each gateway may take. GitHub is asked afresh each pass (approvals given after a merge count), once per commit. */
  private async gateStep({ headFleet, inventories, states, fresh, now }: PassStart & Fetched & Records & Loaded): Promise<StepOutcome<Gated>> {
    const facts = this.options.github ? new PassFacts(this.options.github) : undefined;
    const targets = await chooseTargets({
      head: headFleet, inventories, headIsFresh: fresh, revisions: this.revisions, store: this.options.source, now,
      onRevision: new Map([...states].map(([gateway, state]) => [gateway, state.revision])),
      ...(facts ? { facts } : {}),
      ...(this.options.trustedRevision ? { trustedRevision: this.options.trustedRevision } : {}),
    });
    return proceed({ targets, ...(facts ? { facts } : {}) });
  }

  /** When each gateway moves (waves, soaks, windows, rollbacks), and the image pre-pulls its wave needs first. */
  private async rolloutStep({ targets, states, observed, inventories, headFleet, now }: PassStart & Records & Loaded & Gated & Seen): Promise<StepOutcome<Rolled>> {
    const settings = rolloutSettings(headFleet.ok ? headFleet.model.fleet.doc : undefined);
    const decided = await decideRollouts({ targets, states, observed, revisions: this.revisions, head: headFleet, settings, now, healthMemo: this.healths, ...(this.options.images ? { images: this.options.images } : {}) });
    const { plan: rollout, ...prePullJobs } = await prePullStep({ plan: decided.plan, observed, inventories, revisions: this.revisions, now });
    return proceed({ rollout, health: decided.health, prePullJobs });
  }

  /**
   * Each gateway this pass owns planned at the revision the rollout decided, against the live
   * objects we own; what gateways share, planned once, from every gateway's render.
   */
  private async planStep({ targets, rollout, inventories, observed, now }: PassStart & Records & Gated & Rolled & Seen): Promise<StepOutcome<Planned>> {
    return proceed(await planFleet({
      memo: this.plans,
      gateways: targets.map((target) => target.gateway),
      revisionOf: (gateway) => rollout.decisions.get(gateway)?.revision,
      fleetAt: (revision) => this.revisions.at(revision, now),
      inventories, live: observed.live,
      owns: (gateway) => this.owned.owns(gateway),
    }));
  }

  /** The mass-deletion guard refuses the whole pass before anything is recorded: a refused move leaves no trace in the rollout state. */
  private async guardStep(p: PassStart & Records & Loaded & Gated & Rolled & Planned & Seen): Promise<StepOutcome<object>> {
    const { plans, headFleet: head, inventories } = p;
    const guard = checkDeletionGuard({
      plans, declaredGateways: new Set(head.ok ? head.model.gateways.keys() : inventories.keys()),
      totalGatewaysBefore: [...inventories.values()].filter((i) => i.revision && this.owned.owns(i.gateway)).length,
      maxShare: head.ok ? (head.model.fleet.doc.spec.prune?.maxDeletionShare ?? 0.25) : 0.25,
      allow: this.options.allowMassDeletion ?? false,
    });
    if (guard.ok) return proceed({});
    await recordRefusal(this.eventsArgs(), guard.message);
    await reportGateways({ ...this.reportArgs(p), applied: [], refusal: guard.message });
    return stopPass('refused', guard.message);
  }

  /**
   * Records each gateway's new rollout state, then applies what changed; a gateway whose state
   * could not be recorded waits for the next pass. States that move only the revision of a
   * gateway with nothing to apply are recorded after the pass, before the next (revisionOnlyMoves).
   */
  private async applyStep({ plans, shared: sharedPlan, inventories, rollout: wholeRollout, prePullJobs }: Records & Rolled & Planned): Promise<StepOutcome<Applied>> {
    const { client } = this.options;
    const rollout = this.owned.rollout(wholeRollout);
    const shared = this.owned.sharedPlan(sharedPlan);
    const later = revisionOnlyMoves({ before: inventories, plan: rollout, idle: new Set(plans.filter((p) => isNoop(p) && !p.inventoryChanged).map((p) => p.gateway)) });
    // The cluster never runs ahead of the record.
    const unsaved = new Map(await persistStates({ client, before: inventories, plan: rollout, except: later }));
    // The API server did not answer: one bounded wait, then the pass stops on the last state instead of waiting on every write after.
    const unreachable = [...unsaved.values()].find((u) => u.unanswered);
    if (unreachable) return stopPass('failed', unreachable.message);
    if (this.owned.primary) await applyPrePullJobs({ client: this.options.client, ...prePullJobs, log: this.log });
    // The customers' Namespaces first, once: every gateway's objects go into one.
    const sharedResult = isSharedNoop(shared) ? undefined : await applyShared({ client: this.options.client, plan: shared });
    if (sharedResult) await recordShared(this.eventsArgs(), sharedResult);
    const work = plans.filter((plan) => !unsaved.has(plan.gateway) && (!isNoop(plan) || plan.inventoryChanged));
    const applied = await applyGateways({
      client: this.options.client, plans: work,
      ...(this.options.concurrency ? { concurrency: this.options.concurrency } : {}),
      ...(this.passLeadership ? { signal: this.passLeadership } : {}),
    });
    if (this.passLeadership?.aborted) return stopPass('failed', LEADERSHIP_LOST);
    await recordApply(this.eventsArgs(), work, applied);
    // A gateway whose state could not be recorded failed this pass, saying why: never a quiet no-op.
    const held = [...unsaved].map(([gateway, { message }]): GatewayApplyResult => ({
      gateway, ok: false, applied: [], deleted: [], inventoryWritten: false,
      errors: [{ gateway, component: 'inventory', verb: 'write-inventory', code: 'ROLLOUT_STATE_UNRECORDED', message, attempts: 1 }],
    }));
    return proceed({ work, applied: [...applied, ...held], sharedResult, deferred: changedStates({ before: inventories, plan: rollout, only: later }) });
  }

  /** Status, history, rollbacks counted, the commit status; a rollout in flight asks to be looked at again when its soak or window ends. */
  private async reportStep(p: PassStart & Fetched & Records & Loaded & Gated & Rolled & Planned & Applied & Seen): Promise<StepOutcome<object>> {
    const { rollout, applied, targets, plans, observed, now } = p;
    for (const d of this.owned.rollout(rollout).decisions.values()) if (d.action === 'rollback') this.options.metrics.rolledBack(d.failure.rollout);
    await reportGateways({ ...this.reportArgs(p), applied });
    await this.histories.recordPass({ term: this.passLeadership ?? this, targets: this.owned.targets(targets), rollout, plans, applied, observed, revisions: this.revisions, now, store: this.options.store });
    if (this.owned.primary) await reportDeploy({ reporter: this.deployStatus, head: p.headFleet, fresh: p.fresh, rollout, applied, githubDown: p.facts?.unavailable, log: this.log });
    return rollout.recheckAfterSeconds !== undefined ? requeueAfter(rollout.recheckAfterSeconds, {}) : proceed({});
  }

  private reportArgs({ headFleet, targets, now, health, rollout, observed }: PassStart & Loaded & Gated & Rolled & Seen) {
    return { head: headFleet, targets, now, revisions: this.revisions, health, rollout, store: this.options.store, events: this.options.events, observed, recordsEventsOf: (gateway: string) => this.owned.owns(gateway), memo: this.reports };
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
