// The reconciler as `essg reconcile --once` builds it: startRuntime with the options the CLI
// gives it, no status server. Tests drive passes with `pass()`, read `store` and `requests`,
// and see the reconciler's log when a test fails.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach } from 'vitest';
import type { PassSummary } from '../../../src/engine/engine.ts';
import type { ClockOption } from '../../../src/runtime/clock.ts';
import { startRuntime, type GitHubOptions, type Runtime, type RuntimeOptions } from '../../../src/runtime/runtime.ts';
import { testbed } from './testbed.ts';

export interface TestRuntime {
  readonly runtime: Runtime;
  readonly store: Runtime['store'];
  readonly requests: Runtime['requests'];
  /** Every line the reconciler logged, oldest first. */
  readonly lines: readonly string[];
  /** One pass, as `--once` runs it. */
  pass(): Promise<PassSummary>;
  stop(): Promise<void>;
}

export interface TestRuntimeOptions {
  /** The fleet repo's URL on the test bed's Git server. */
  readonly repo: string;
  /** A kubeconfig file (`--kubeconfig`). @default the test bed's admin kubeconfig */
  readonly kubeconfig?: string;
  /** Approvals on (`--approvals github`, `--github-*`); absent: `--approvals off`. */
  readonly github?: GitHubOptions;
  readonly trustedRevision?: string;
  readonly allowMassDeletion?: boolean;
  /** `--git-timeout`: how long a fetch waits on a silent Git server. @default the CLI's default */
  readonly gitTimeoutMs?: number;
  /** `--now` / `--clock-offset`: the time the passes decide by. @default the system clock */
  readonly clock?: ClockOption;
  /** `--registry` with `ESSG_REGISTRY_USERNAME` / `_PASSWORD`: rollouts wait for their images. @default images are not checked */
  readonly registry?: RuntimeOptions['registry'];
}

const started: TestRuntime[] = [];

export async function startTestRuntime(options: TestRuntimeOptions): Promise<TestRuntime> {
  const state = await testbed();
  const cacheDir = path.join(os.tmpdir(), `essg-it-cache-${randomBytes(4).toString('hex')}`);
  const lines: string[] = [];
  // What the CLI passes for `essg reconcile --once` (src/cli/reconcile.ts), the flags as the test says.
  const runtime = await startRuntime(
    {
      repo: options.repo,
      branch: 'main',
      cacheDir,
      interval: '*/1 * * * *',
      listen: { host: '127.0.0.1', port: 0 },
      leaderElection: false,
      log: (line) => lines.push(`${new Date().toISOString()} ${line}`),
      kubeconfig: options.kubeconfig ?? state.kubeconfig,
      ...(options.github ? { github: options.github } : {}),
      ...(options.trustedRevision ? { trustedRevision: options.trustedRevision } : {}),
      ...(options.allowMassDeletion ? { allowMassDeletion: true } : {}),
      ...(options.gitTimeoutMs !== undefined ? { gitTimeoutMs: options.gitTimeoutMs } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.registry ? { registry: options.registry } : {}),
      ...(state.git.username !== undefined && state.git.password !== undefined ? { gitAuth: { username: state.git.username, password: state.git.password } } : {}),
    },
    { mode: 'on-demand' },
  );
  let stopped = false;
  const test: TestRuntime = {
    runtime,
    store: runtime.store,
    requests: runtime.requests,
    lines,
    async pass() {
      const summary = await runtime.passOnce();
      // Not leading is the only way to get no summary, and these runtimes do not elect.
      if (!summary) throw new Error('the reconciler ran no pass');
      return summary;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await runtime.stop();
      await rm(cacheDir, { recursive: true, force: true });
    },
  };
  started.push(test);
  return test;
}

/** Stops every runtime this test file started. */
export async function stopTestRuntimes(): Promise<void> {
  for (const runtime of started.splice(0)) await runtime.stop();
}

/**
 * Registers, for each test of the file, a report of what the reconcilers logged while it
 * ran, printed only when it fails.
 */
export function printReconcilerLogOnFailure(): void {
  beforeEach(({ onTestFailed }) => {
    const from = new Map(started.map((r) => [r, r.lines.length]));
    onTestFailed(() => {
      const text = started.map((r) => r.lines.slice(from.get(r) ?? 0).join('\n')).filter(Boolean).join('\n---\n');
      process.stderr.write(`\n--- reconciler log of the failed test ---\n${text || '(nothing logged)'}\n---\n`);
    });
  });
}
