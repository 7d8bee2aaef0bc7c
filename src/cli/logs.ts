// `essg logs GATEWAY SERVICE`: a service's recent log lines on one gateway, from the pods/log
// subresource (src/report/pod-logs.ts), with the operator's own kubeconfig.
import { KubeConfig } from '@kubernetes/client-node';
import type { Command } from 'commander';
import { DEFAULT_LOGS_TIMEOUT_MS, openServiceLogs, parseLogsSince, type ServiceLogsRequest } from '../report/pod-logs.ts';
import { EXIT } from './exit-codes.ts';

interface LogsOptions {
  readonly tail?: string;
  readonly since?: string;
  readonly follow?: boolean;
  readonly timestamps?: boolean;
  readonly timeout: string;
  readonly kubeconfig?: string;
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description('print a service\'s recent log lines on one gateway (the pods/log subresource, routed to the edge by KubeEdge); exit 1 when the gateway is offline, does not answer or runs no such service')
    .argument('<gateway>', 'the gateway (its name in the fleet repo)')
    .argument('<service>', 'the catalog service')
    .option('--tail <n>', 'only the last N lines')
    .option('--since <duration>', 'only lines newer than this: 30s, 10m, 2h, 1d, 1h30m')
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .option('--timestamps', 'prefix each line with its time')
    .option('--timeout <seconds>', 'give up on a gateway that has not answered after this long', String(DEFAULT_LOGS_TIMEOUT_MS / 1000))
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, ~/.kube/config or the in-cluster service account)')
    .action(async (gateway: string, service: string, options: LogsOptions) => {
      process.exitCode = await runLogs(gateway, service, options);
    });
}

async function runLogs(gateway: string, service: string, options: LogsOptions): Promise<number> {
  const tailLines = options.tail === undefined ? undefined : Number(options.tail);
  if (tailLines !== undefined && !(Number.isInteger(tailLines) && tailLines >= 0)) return usage(`--tail must be a whole number of lines, not ${options.tail}`);
  const sinceSeconds = options.since === undefined ? undefined : parseLogsSince(options.since);
  if (sinceSeconds === null) return usage(`--since must be a duration such as 30s, 10m, 2h, 1d or 1h30m, not ${options.since}`);
  const timeoutMs = Number(options.timeout) * 1000;
  if (!(timeoutMs > 0)) return usage(`--timeout must be a positive number of seconds, not ${options.timeout}`);
  const kubeconfig = new KubeConfig();
  try {
    if (options.kubeconfig) kubeconfig.loadFromFile(options.kubeconfig);
    else kubeconfig.loadFromDefault();
  } catch (error) {
    return usage(`cannot read the kubeconfig: ${error instanceof Error ? error.message : String(error)}`);
  }
  const request: ServiceLogsRequest = {
    gateway, service, timeoutMs,
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(sinceSeconds !== undefined ? { sinceSeconds } : {}),
    ...(options.follow ? { follow: true } : {}),
    ...(options.timestamps ? { timestamps: true } : {}),
  };
  try {
    const logs = await openServiceLogs({ kubeconfig, request });
    let stopped = false;
    const stop = (): void => {
      stopped = true;
      logs.stop();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      for await (const chunk of logs.stream) process.stdout.write(chunk as Buffer);
    } catch (error) {
      // Stopped by the user: the lines so far were the answer.
      if (!stopped) throw error;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return EXIT.ok;
  } catch (error) {
    process.stderr.write(`essg logs: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.problems;
  }
}

function usage(message: string): number {
  process.stderr.write(`essg logs: ${message}\n`);
  return EXIT.usage;
}
