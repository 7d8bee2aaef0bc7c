// When does each gateway move? A pure function of each gateway's approved target, durable
// state and health, the fleet's rollout settings and the clock. A change that reaches
// running gateways goes to the canaries first, then in waves of `maxUnavailable`; a wave
// passes when every gateway in it has soaked Ready or is deferred (offline), at least one
// having soaked. A failure halts the rollout and rolls the failed gateway back. Waves are
// filled when they start, from gateways that can take the change then, so an offline
// gateway never stalls a rollout: it joins a later wave when it is back. The same holds for
// a gateway whose customer's maintenance windows are closed: no change starts on it until
// one opens, and a wave of only such gateways waits. What has started goes on outside the
// window (a gateway in a wave soaks, a failed one is rolled back): a window bounds when
// changes start, not when they finish.
import { isCanary, waveSize } from './settings.ts';
import type {
  DeferredGateway, GatewayRolloutInput, GatewayRolloutState, HoldReason, RolloutDecision, RolloutFailure, RolloutPlan, RolloutSettings, RolloutSummary, WaveGatewayStatus, WindowOpening,
} from './types.ts';

export interface PlanRolloutsArgs {
  readonly gateways: readonly GatewayRolloutInput[];
  readonly settings: RolloutSettings;
  /** RFC 3339. */
  readonly now: string;
}

/** How often to look at a wave that is updating, when nothing else says when. */
const UPDATING_RECHECK_SECONDS = 5;
/**
 * The longest wait for a window to open before looking again: a timer much longer than this
 * would overflow (about 24 days), and the scheduled polls look meanwhile anyway.
 */
const WINDOW_RECHECK_MAX_SECONDS = 6 * 3600;

/** Seconds from `now` until the window opens, for the next look. */
function untilOpen(next: WindowOpening, now: string): number {
  return Math.min(WINDOW_RECHECK_MAX_SECONDS, (Date.parse(next.at) - Date.parse(now)) / 1000);
}

/** When the gateway's maintenance windows are all closed, when the next opens; undefined: a change may start now. */
function closedUntil(input: GatewayRolloutInput): WindowOpening | undefined {
  return input.window?.open === false ? input.window.nextOpen : undefined;
}

interface Member {
  readonly input: GatewayRolloutInput;
  state: GatewayRolloutState;
  status: WaveGatewayStatus;
}

export function planRollouts({ gateways, settings, now }: PlanRolloutsArgs): RolloutPlan {
  const decisions = new Map<string, RolloutDecision>();
  const states = new Map<string, GatewayRolloutState>();
  const byRollout = new Map<string, { members: Member[]; candidates: GatewayRolloutInput[]; held: Map<string, RolloutFailure> }>();
  const group = (id: string) => {
    let entry = byRollout.get(id);
    if (!entry) byRollout.set(id, (entry = { members: [], candidates: [], held: new Map() }));
    return entry;
  };
  let recheck: number | undefined;
  const recheckIn = (seconds: number) => (recheck = Math.min(recheck ?? Infinity, Math.max(1, Math.ceil(seconds))));

  for (const input of gateways) {
    const { gateway, target } = input;
    const state = input.state ? withHealth(input.state, input) : undefined;
    if (state) states.set(gateway, state);
    const member = state?.rollout?.id !== undefined && state.rollout.id === target?.revision;
    if (!target || (target.revision === state?.revision && !member)) {
      decisions.set(gateway, { action: 'stay', gateway, revision: state?.revision });
      continue;
    }
    if (!state || target.renderHash === undefined || (!member && (target.emergency || target.renderHash === state.renderHash))) {
      const why = !state ? 'install' : target.renderHash === undefined ? 'removal' : target.emergency ? 'emergency' : 'same-render';
      // A brand-new gateway runs nothing yet and a same-render move changes nothing it runs: neither
      // waits for a window. A removal stops what a running gateway runs, and waits like any change;
      // an emergency waits too, unless the fleet lets emergencies bypass windows.
      const closed = closedUntil(input);
      if (closed && (why === 'removal' || (why === 'emergency' && !settings.emergencyBypassesWindows))) {
        decisions.set(gateway, { action: 'hold', gateway, revision: state?.revision, hold: { reason: 'outside-window', rollout: target.revision, nextOpen: closed } });
        recheckIn(untilOpen(closed, now));
        continue;
      }
      decisions.set(gateway, { action: 'advance', gateway, revision: target.revision, why });
      if (target.renderHash !== undefined) {
        const moved: GatewayRolloutState = { ...(state ?? {}), revision: target.revision, renderHash: target.renderHash };
        // Ready on a render that does not change is healthy on the new revision now: the next
        // pass would find it so and record the gateway a second time.
        states.set(gateway, why === 'same-render' ? withHealth(moved, input) : moved);
      }
      continue;
    }
    const rollout = group(target.revision);
    if (state.failed && state.failed.renderHash === target.renderHash) {
      rollout.held.set(gateway, state.failed);
      decisions.set(gateway, { action: 'hold', gateway, revision: state.revision, hold: { reason: 'failed-render', rollout: target.revision, failure: state.failed.reason } });
      continue;
    }
    if (member) rollout.members.push({ input, state, status: 'updating' });
    else rollout.candidates.push(input);
  }

  const summaries: RolloutSummary[] = [];
  for (const [id, rollout] of [...byRollout].sort(([a], [b]) => a.localeCompare(b))) {
    const outcome = progress({ id, ...rollout, settings, now, decisions, states });
    if (outcome.recheckAfterSeconds !== undefined) recheckIn(outcome.recheckAfterSeconds);
    summaries.push(outcome.summary);
  }
  return { decisions, states, rollouts: summaries, ...(recheck !== undefined ? { recheckAfterSeconds: recheck } : {}) };
}

/** The gateway's state with what health says about the render it is on: the last healthy revision. */
function withHealth(state: GatewayRolloutState, input: GatewayRolloutInput): GatewayRolloutState {
  const onFailedRender = state.failed?.renderHash === state.renderHash;
  if (input.verdict.status !== 'ready' || onFailedRender) return state;
  if (state.healthy?.revision === state.revision && state.healthy.renderHash === state.renderHash) return state;
  return { ...state, healthy: { revision: state.revision, renderHash: state.renderHash } };
}

function progress({ id, members, candidates, held, settings, now, decisions, states }: {
  readonly id: string; readonly members: Member[]; readonly candidates: readonly GatewayRolloutInput[]; readonly held: ReadonlyMap<string, RolloutFailure>;
  readonly settings: RolloutSettings; readonly now: string;
  readonly decisions: Map<string, RolloutDecision>; readonly states: Map<string, GatewayRolloutState>;
}): { summary: RolloutSummary; recheckAfterSeconds?: number } {
  const time = Date.parse(now);
  let recheck: number | undefined;
  let halted: { by: string; reason: string } | undefined;
  for (const [gateway, failure] of held) if (failure.rollout === id) halted ??= { by: gateway, reason: failure.reason };

  for (const member of members) {
    const { gateway } = member.input;
    const verdict = member.input.verdict;
    const wave = member.state.rollout!;
    if (verdict.status === 'failed') {
      const failure: RolloutFailure = { rollout: id, revision: member.state.revision, renderHash: member.state.renderHash, reason: verdict.reason, at: now };
      halted ??= { by: gateway, reason: verdict.reason };
      const back = settings.autoRollback ? member.state.healthy : undefined;
      if (back && back.renderHash !== member.state.renderHash) {
        const rolledBack: RolloutFailure = { ...failure, rolledBackTo: back.revision };
        member.state = { ...member.state, revision: back.revision, renderHash: back.renderHash, failed: rolledBack, rollout: { ...wave, soaked: false } };
        member.status = 'rolled-back';
        decisions.set(gateway, { action: 'rollback', gateway, revision: back.revision, failure: rolledBack });
      } else {
        member.state = { ...member.state, failed: failure };
        member.status = 'failed';
        decisions.set(gateway, { action: 'stay', gateway, revision: member.state.revision });
      }
      states.set(gateway, member.state);
      continue;
    }
    decisions.set(gateway, { action: 'advance', gateway, revision: id, why: 'wave', wave: wave.wave });
    if (wave.soaked) {
      member.status = 'done';
      continue;
    }
    if (verdict.status === 'offline') {
      member.status = 'deferred';
      continue;
    }
    if (verdict.status !== 'ready') {
      if (wave.readySince) member.state = { ...member.state, rollout: withoutReadySince(wave) };
      recheck = Math.min(recheck ?? Infinity, UPDATING_RECHECK_SECONDS);
    } else {
      const since = wave.readySince ?? now;
      const remaining = settings.soakSeconds - (time - Date.parse(since)) / 1000;
      member.state = { ...member.state, rollout: remaining <= 0 ? { ...wave, readySince: since, soaked: true } : { ...wave, readySince: since } };
      member.status = remaining <= 0 ? 'done' : 'soaking';
      if (remaining > 0) recheck = Math.min(recheck ?? Infinity, remaining);
    }
    states.set(gateway, member.state);
  }

  const pending = [...candidates];
  const started: Member[] = [];
  if (!halted) {
    const current = Math.max(-1, ...members.map((m) => m.state.rollout!.wave));
    const inCurrent = members.filter((m) => m.state.rollout!.wave === current);
    const passed = current < 0 || (inCurrent.every((m) => m.status === 'done' || m.status === 'deferred') && inCurrent.some((m) => m.status === 'done'));
    if (passed && pending.length > 0) {
      const next = current + 1;
      const available = pending.filter((c) => c.verdict.status !== 'offline' && !closedUntil(c));
      const chosen = chooseWave({ next, available, settings, total: members.length + pending.length + held.size });
      for (const input of chosen) {
        const state: GatewayRolloutState = { ...input.state!, revision: id, renderHash: input.target!.renderHash!, rollout: { id, wave: next, startedAt: now, from: input.state!.revision } };
        states.set(input.gateway, state);
        decisions.set(input.gateway, { action: 'advance', gateway: input.gateway, revision: id, why: 'wave', wave: next });
        started.push({ input, state, status: 'updating' });
        pending.splice(pending.indexOf(input), 1);
      }
      if (chosen.length > 0) recheck = Math.min(recheck ?? Infinity, UPDATING_RECHECK_SECONDS);
    }
  }

  const all = [...members, ...started];
  const nextWave = Math.max(-1, ...all.map((m) => m.state.rollout!.wave)) + 1;
  const soakUntil = soakEnd(all, settings);
  const deferred: DeferredGateway[] = [];
  for (const input of pending) {
    const closed = closedUntil(input);
    let hold: HoldReason;
    if (halted) hold = { reason: 'halted', rollout: id, by: halted.by, failure: halted.reason };
    else if (input.verdict.status === 'offline') {
      hold = { reason: 'deferred-offline', rollout: id };
      deferred.push({ gateway: input.gateway, reason: 'offline' });
    } else if (closed) {
      hold = { reason: 'outside-window', rollout: id, nextOpen: closed };
      deferred.push({ gateway: input.gateway, reason: 'outside-window', nextOpen: closed });
      recheck = Math.min(recheck ?? Infinity, untilOpen(closed, now));
    } else hold = { reason: 'waiting-for-wave', rollout: id, wave: nextWave, ...(soakUntil ? { soakUntil } : {}) };
    decisions.set(input.gateway, { action: 'hold', gateway: input.gateway, revision: input.state?.revision, hold });
  }
  const listed = [
    ...all.map((m) => ({ gateway: m.input.gateway, state: m.state, status: m.status })),
    ...[...held].map(([gateway, failure]) => ({ gateway, state: states.get(gateway), status: (failure.rolledBackTo ? 'rolled-back' : 'failed') as WaveGatewayStatus })),
  ];
  const waves = new Map<number, { gateway: string; status: WaveGatewayStatus }[]>();
  for (const { gateway, state, status } of listed) {
    if (state?.rollout?.id !== id) continue;
    waves.set(state.rollout.wave, [...(waves.get(state.rollout.wave) ?? []), { gateway, status }]);
  }
  const summary: RolloutSummary = {
    id,
    waves: [...waves].sort(([a], [b]) => a - b).map(([wave, list]) => ({ wave, gateways: list.sort((a, b) => a.gateway.localeCompare(b.gateway)) })),
    pending: pending.map((p) => p.gateway).sort(),
    ...(deferred.length > 0 ? { deferred: deferred.sort((a, b) => a.gateway.localeCompare(b.gateway)) } : {}),
    ...(halted ? { halted } : {}),
    complete: !halted && pending.length === 0 && all.every((m) => m.status === 'done'),
  };
  return { summary, ...(recheck !== undefined && !summary.complete ? { recheckAfterSeconds: recheck } : {}) };
}

/** The gateways of wave `next`: canaries first (or a single gateway when none can take it), then batches. */
function chooseWave({ next, available, settings, total }: { next: number; available: readonly GatewayRolloutInput[]; settings: RolloutSettings; total: number }): GatewayRolloutInput[] {
  const ordered = [...available].sort((a, b) => a.gateway.localeCompare(b.gateway));
  if (next === 0) {
    const canaries = ordered.filter((c) => isCanary(c.labels, settings.canarySelector));
    // No canary can take the change now: one gateway tries it first, so the fleet never gets it untried.
    return canaries.length > 0 ? canaries : ordered.slice(0, 1);
  }
  return ordered.slice(0, waveSize(settings.maxUnavailable, total));
}

/** When the last soaking gateway of the newest wave will have soaked. */
function soakEnd(members: readonly Member[], settings: RolloutSettings): string | undefined {
  const ends = members.filter((m) => m.status === 'soaking' && m.state.rollout?.readySince).map((m) => Date.parse(m.state.rollout!.readySince!) + settings.soakSeconds * 1000);
  return ends.length > 0 ? new Date(Math.max(...ends)).toISOString() : undefined;
}

function withoutReadySince(wave: NonNullable<GatewayRolloutState['rollout']>): NonNullable<GatewayRolloutState['rollout']> {
  const { readySince: _dropped, ...rest } = wave;
  return rest;
}
