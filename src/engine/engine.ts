// The only place the stages meet. A pass is an ordered list of steps: fetch the branch,
// load and render, choose each gateway's target revision (the gate), plan against the
// live cluster, guard deletions, apply, and report. A failed step ends the pass with the
// cluster on its last good state.
import { applyGateways, checkDeletionGuard, DEFAULT_RETRY, type ClusterClient, type GatewayApplyResult } from '../apply/index.ts';
import { RetriesExhausted, withRetry } from '../apply/retry.ts';
import { describeDecision, EVENT_REASON } from '../gate/index.ts';
import { groupLiveByGateway, isNoop, liveForGateway, planGateway, type GatewayPlan, type Inventory } from '../plan/index.ts';
import { EVENT_REASONS, inventoryRef, type EventRecorder, type FleetMetrics, type PassResult, type StatusStore } from '../report/index.ts';
import type { GitSource } from '../source/index.ts';
import { PassFacts } from '../gate/index.ts';
import { deployCounts, DeployStatusReporter } from './deploy-status.ts';
import { FleetRevisions, type FleetAtCommit } from './fleet-at.ts';
import type { Observer } from './observe.ts';
import { reportGateways } from './report-step.ts';
import { chooseTargets, type GatewayTarget, type GitHubGate } from './targets.ts';

export interface ReconcilerOptions {
  readonly source: GitSource;
  readonly client: ClusterClient;
  readonly observer: Observer;
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
  /** The clock, as RFC 3339; rendering never reads it itself. */
  readonly now?: () => string;
  readonly log?: (line: string) => void;
}

export interface PassSummary {
  readonly result: PassResult;
  readonly head?: string;
  readonly plans: readonly GatewayPlan[];
  readonly applied: readonly GatewayApplyResult[];
  readonly targets: readonly GatewayTarget[];
  readonly error?: string;
}

export class Reconciler {
  private readonly revisions: FleetRevisions;
  private readonly accepted = new Map<string, string>();
  private readonly deployStatus: DeployStatusReporter | undefined;
  private readonly now: () => string;
  private readonly log: (line: string) => void;

  constructor(private readonly options: ReconcilerOptions) {
    this.revisions = new FleetRevisions(options.source);
    this.now = options.now ?? (() => new Date().toISOString());
    this.log = options.log ?? (() => {});
    this.deployStatus = options.github ? new DeployStatusReporter(options.github, this.log) : undefined;
  }

  async runPass(): Promise<PassSummary> {
    const { store, metrics } = this.options;
    const started = Date.now();
    store.passStarted();
    let summary: PassSummary;
    try {
      summary = await this.steps();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log(`pass failed: ${message}`);
      summary = { result: 'failed', plans: [], applied: [], targets: [], error: message };
    }
    store.passFinished({ result: summary.result, ...(summary.error ? { error: summary.error } : {}) });
    metrics.observePass({ durationMs: Date.now() - started, result: summary.result });
    return summary;
  }

  private async steps(): Promise<PassSummary> {
    const { source, client, store } = this.options;
    const now = this.now();
    this.revisions.startPass();

    // 1. Source: a Git failure keeps the last fetched state and says so.
    let head: string | undefined;
    let headIsFresh = true;
    try {
      head = (await source.fetch()).head;
      store.sourceFetched({ revision: head });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      store.sourceFailed({ error: message });
      this.options.metrics.gitFetchError();
      this.log(`fetch failed, keeping the last state: ${message}`);
      head = await source.localHead();
      headIsFresh = false;
      if (!head) return { result: 'failed', plans: [], applied: [], targets: [], error: message };
    }

    // 2. What the cluster holds (a failed listing throws: never read as "nothing").
    const inventories = new Map((await this.read(() => client.listInventories())).map((inv): [string, Inventory] => [inv.gateway, inv]));

    // 3. The head commit: a bad one is never applied, not even in part.
    const headFleet = await this.revisions.at(head, now);
    if (headFleet.ok) store.revisionGood({ revision: head });
    else {
      store.revisionBad({ revision: head, problems: headFleet.problems });
      this.log(`commit ${head.slice(0, 12)} is invalid and will not be applied:\n  ${headFleet.problems.slice(0, 10).join('\n  ')}`);
    }

    // 4. The gate: which revision each gateway goes to.
    const targets = await chooseTargets({
      head: headFleet, inventories, headIsFresh, revisions: this.revisions, store: source, now, accepted: this.accepted,
      // GitHub is asked afresh each pass (approvals given after a merge count), once per commit.
      ...(this.options.github ? { facts: new PassFacts(this.options.github) } : {}),
      ...(this.options.trustedRevision ? { trustedRevision: this.options.trustedRevision } : {}),
    });
    await this.recordDecisions(targets);

    // 5. Plan against the live objects we own.
    const live = groupLiveByGateway(await this.read(() => client.listOwned()));
    const plans: GatewayPlan[] = [];
    for (const target of targets) {
      if (!target.revision) continue;
      const fleet = await this.revisions.at(target.revision, now);
      if (!fleet.ok) continue; // a gateway's own last revision can no longer be read: leave it
      const rendered = fleet.rendered.get(target.gateway);
      plans.push(planGateway({
        gateway: target.gateway,
        desired: rendered?.objects ?? [],
        live: liveForGateway(live, target.gateway),
        ...(inventories.get(target.gateway) ? { inventory: inventories.get(target.gateway)! } : {}),
        revision: target.revision,
        renderHash: rendered?.inputHash ?? '',
      }));
    }

    // 6. The mass-deletion guard refuses the whole pass, not part of it.
    const declared = new Set(headFleet.ok ? headFleet.model.gateways.keys() : inventories.keys());
    const guard = checkDeletionGuard({
      plans, declaredGateways: declared, totalGatewaysBefore: inventories.size,
      maxShare: headFleet.ok ? (headFleet.model.fleet.doc.spec.prune?.maxDeletionShare ?? 0.25) : 0.25,
      allow: this.options.allowMassDeletion ?? false,
    });
    if (!guard.ok) {
      this.log(guard.message);
      await this.options.events.record({ regarding: inventoryRef('fleet'), type: 'Warning', reason: EVENT_REASONS.massDeletionRefused, message: guard.message });
      await reportGateways({ ...this.reportArgs(headFleet, targets, [], now), refusal: guard.message });
      return { result: 'refused', head, plans, applied: [], targets, error: guard.message };
    }

    // 7. Apply what changed; a gateway with nothing to do costs no write.
    const work = plans.filter((plan) => !isNoop(plan) || plan.inventoryChanged);
    const applied = await applyGateways({ client, plans: work, ...(this.options.concurrency ? { concurrency: this.options.concurrency } : {}) });
    await this.recordApply(work, applied);
    const failedGateways = new Set(applied.filter((a) => !a.ok).map((a) => a.gateway));
    for (const target of targets) {
      if (target.revision && !failedGateways.has(target.gateway)) this.accepted.set(target.gateway, target.revision);
    }

    // 8. Report.
    await reportGateways(this.reportArgs(headFleet, targets, applied, now));
    if (headFleet.ok && headIsFresh) await this.deployStatus?.report({ head, counts: deployCounts({ head, targets, applied }) });
    const failed = applied.filter((r) => !r.ok).length;
    const result: PassResult = !headFleet.ok ? 'bad-commit' : failed > 0 ? (failed === applied.length ? 'failed' : 'partial') : work.length === 0 ? 'noop' : 'success';
    this.log(`pass ${result}: head ${head.slice(0, 12)}, ${plans.length} gateways planned, ${work.length} changed, ${failed} failed`);
    return { result, head, plans, applied, targets };
  }

  /** A cluster read, retried on transient failures; a read that keeps failing ends the pass. */
  private async read<T>(work: () => Promise<T>): Promise<T> {
    try {
      return (await withRetry({ policy: DEFAULT_RETRY }, work)).value;
    } catch (error) {
      throw error instanceof RetriesExhausted ? error.lastError : error;
    }
  }

  private reportArgs(head: FleetAtCommit, targets: readonly GatewayTarget[], applied: readonly GatewayApplyResult[], now: string) {
    return { head, targets, applied, now, revisions: this.revisions, observer: this.options.observer, store: this.options.store, events: this.options.events };
  }

  private async recordDecisions(targets: readonly GatewayTarget[]): Promise<void> {
    for (const target of targets) {
      for (const decision of target.decisions) {
        this.log(`gate: ${describeDecision(decision)}`);
        await this.options.events.record({
          regarding: inventoryRef(target.gateway),
          type: decision.result === 'approved' ? 'Normal' : 'Warning',
          reason: EVENT_REASON[decision.result],
          message: describeDecision(decision),
        });
        if (decision.result === 'hold') this.options.metrics.githubError();
      }
    }
  }

  private async recordApply(plans: readonly GatewayPlan[], results: readonly GatewayApplyResult[]): Promise<void> {
    const { events, metrics } = this.options;
    const byGateway = new Map(plans.map((p) => [p.gateway, p]));
    for (const result of results) {
      const plan = byGateway.get(result.gateway)!;
      const regarding = inventoryRef(result.gateway);
      if (plan.drift.length > 0) {
        metrics.driftRestoredObjects(plan.drift.length);
        await events.record({ regarding, type: 'Warning', reason: EVENT_REASONS.driftRestored, message: `restored ${plan.drift.length} object(s) changed by hand: ${plan.drift.map((d) => `${d.ref.kind} ${d.ref.name} (${d.reason})`).join(', ')}` });
      }
      if (result.ok) {
        if (result.applied.length > 0) await events.record({ regarding, type: 'Normal', reason: EVENT_REASONS.applied, message: `applied ${result.applied.length} object(s) at ${plan.inventory.revision.slice(0, 12)}` });
        if (result.deleted.length > 0) await events.record({ regarding, type: 'Normal', reason: EVENT_REASONS.pruned, message: `pruned ${result.deleted.map((r) => `${r.kind} ${r.name}`).join(', ')}` });
      } else {
        metrics.applyError(result.errors[0]?.code ?? 'unknown');
        await events.record({ regarding, type: 'Warning', reason: EVENT_REASONS.applyFailed, message: result.errors.map((e) => `${e.component}: ${e.message}`).join('; ') });
      }
    }
  }
}
