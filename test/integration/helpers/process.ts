// `essg reconcile` as a real child process: started, watched through its stderr and its
// status port, killed or stopped by signal, and never left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { ESSG_BIN } from '../../support/cli.ts';
import { OPERATOR_TOKEN } from '../../support/status-auth.ts';
import { waitFor } from './kube.ts';

export interface ReconcilerProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with how the process ended. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** The status server's base URL, read from the log line the reconciler writes when it listens. */
  url(): Promise<string>;
  /** SIGTERM, then SIGKILL if it has not ended after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** The reconciler takes OPERATOR_TOKEN as its status token unless `env` says otherwise. */
export function startReconciler(args: readonly string[], env: NodeJS.ProcessEnv = {}): ReconcilerProcess {
  const child = spawn(process.execPath, [ESSG_BIN, 'reconcile', ...args], { env: { ...process.env, ESSG_STATUS_TOKEN: OPERATOR_TOKEN, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let ended = false;
  void exited.then(() => (ended = true));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    url: () => waitFor('the reconciler to listen', async () => (ended ? Promise.reject(new Error(`reconciler exited: ${err}`)) : /status, dashboard and metrics on (http:\/\/\S+)/.exec(err)?.[1]), { timeoutMs: 60_000 }),
    async stop(graceMs = 20_000) {
      if (ended) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
