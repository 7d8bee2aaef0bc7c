// Prometheus metrics of the reconciler. Labels are kept to small fixed sets (result, phase,
// reason, verb): never a gateway name, so a fleet of thousands stays a few dozen series.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PHASES, type PassResult, type Phase } from './status-model.ts';

/** Verbs that change the cluster; every other verb is a read. */
const WRITE_VERBS: ReadonlySet<string> = new Set(['create', 'update', 'patch', 'apply', 'delete', 'deletecollection']);

export interface FleetMetricsOptions {
  /** Gateways by phase, read at scrape time (normally `() => store.phaseCounts()`). */
  readonly phases: () => Readonly<Record<Phase, number>>;
  /** @default a new Registry, so two reconcilers in one process (tests) do not collide */
  readonly registry?: Registry;
  /** Also expose Node.js process metrics (heap, event loop lag, GC). @default false */
  readonly processMetrics?: boolean;
  /** Applied to the exposition text, the way metrics leave the process (label values included). @default none */
  readonly redact?: (text: string) => string;
}

export class FleetMetrics {
  readonly registry: Registry;
  private readonly passDuration: Histogram<'result'>;
  private readonly stepDuration: Histogram<'step'>;
  private readonly passes: Counter<'result'>;
  private readonly applyErrors: Counter<'reason'>;
  private readonly apiRequests: Counter<'verb'>;
  private readonly apiWrites: Counter<'verb'>;
  private readonly driftRestored: Counter;
  private readonly gitFetchErrors: Counter;
  private readonly githubErrors: Counter;
  private readonly rollbacks: Counter<'rollout'>;
  private readonly leader: Gauge;
  private readonly webhookDeliveries: Counter<'verdict'>;
  private readonly redact: (text: string) => string;

  constructor(options: FleetMetricsOptions) {
    this.registry = options.registry ?? new Registry();
    this.redact = options.redact ?? ((text) => text);
    const registers = [this.registry];
    this.passDuration = new Histogram({
      name: 'essg_pass_duration_seconds',
      help: 'Duration of reconcile passes',
      labelNames: ['result'],
      // From a no-op pass over a small fleet to a first sync of thousands of gateways.
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.stepDuration = new Histogram({
      name: 'essg_pass_step_duration_seconds',
      help: 'Time reconcile passes spent in each step',
      labelNames: ['step'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.passes = new Counter({ name: 'essg_passes_total', help: 'Reconcile passes by result', labelNames: ['result'], registers });
    new Gauge({
      name: 'essg_gateways',
      help: 'Gateways by phase',
      labelNames: ['phase'],
      registers,
      collect() {
        const counts = options.phases();
        for (const phase of PHASES) this.set({ phase }, counts[phase] ?? 0);
      },
    });
    this.applyErrors = new Counter({ name: 'essg_apply_errors_total', help: 'Gateways whose apply failed, by reason', labelNames: ['reason'], registers });
    this.apiRequests = new Counter({ name: 'essg_api_requests_total', help: 'Kubernetes API requests by verb', labelNames: ['verb'], registers });
    this.apiWrites = new Counter({ name: 'essg_api_writes_total', help: 'Kubernetes API write requests by verb', labelNames: ['verb'], registers });
    this.driftRestored = new Counter({ name: 'essg_drift_restored_total', help: 'Objects changed by hand and restored', registers });
    this.gitFetchErrors = new Counter({ name: 'essg_git_fetch_errors_total', help: 'Failed fetches of the fleet repo', registers });
    this.githubErrors = new Counter({ name: 'essg_github_errors_total', help: 'Failed GitHub API calls of the approval gate', registers });
    this.rollbacks = new Counter({ name: 'essg_rollbacks_total', help: 'Gateways rolled back after failing on a new render, by rollout (revision)', labelNames: ['rollout'], registers });
    this.leader = new Gauge({ name: 'essg_leader', help: '1 while this replica holds the reconciler Lease', registers });
    this.leader.set(0);
    this.webhookDeliveries = new Counter({ name: 'essg_webhook_deliveries_total', help: 'Webhook deliveries by verdict: push, ping, ignored, or why one was refused', labelNames: ['verdict'], registers });
    // Off by default: the process collectors keep timers we only want in the daemon.
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'essg_' });
  }

  observePass({ durationMs, result, timings }: { readonly durationMs: number; readonly result: PassResult; readonly timings?: Readonly<Record<string, number>> }): void {
    this.passDuration.observe({ result }, durationMs / 1000);
    for (const [step, ms] of Object.entries(timings ?? {})) this.stepDuration.observe({ step }, ms / 1000);
    this.passes.inc({ result });
  }

  applyError(reason: string, count = 1): void {
    this.applyErrors.inc({ reason }, count);
  }

  /** One Kubernetes API request; writes are counted twice: as a request and as a write. */
  apiRequest(verb: string, count = 1): void {
    const v = verb.toLowerCase();
    this.apiRequests.inc({ verb: v }, count);
    if (WRITE_VERBS.has(v)) this.apiWrites.inc({ verb: v }, count);
  }

  driftRestoredObjects(count: number): void {
    if (count > 0) this.driftRestored.inc(count);
  }

  gitFetchError(): void {
    this.gitFetchErrors.inc();
  }

  rolledBack(rollout: string): void {
    this.rollbacks.inc({ rollout: rollout.slice(0, 12) });
  }

  /** One webhook delivery; `verdict` is one of a fixed few (push, ping, ignored, bad-signature, too-large…), never request data. */
  webhookDelivery(verdict: string): void {
    this.webhookDeliveries.inc({ verdict });
  }

  githubError(): void {
    this.githubErrors.inc();
  }

  setLeader(leading: boolean): void {
    this.leader.set(leading ? 1 : 0);
  }

  /** The text exposition format, as served on /metrics. */
  async render(): Promise<{ readonly contentType: string; readonly body: string }> {
    return { contentType: this.registry.contentType, body: this.redact(await this.registry.metrics()) };
  }
}
