// `essg status`: the fleet's status as the running reconciler reports it, read from its
// HTTP endpoint (e.g. through `kubectl port-forward svc/essg-reconciler 9464`).
import type { Command } from 'commander';
import { formatGatewayDetail, formatStatusTable, hasUnhealthy } from '../report/format-text.ts';
import type { GatewayStatus, StatusSnapshot } from '../report/status-model.ts';
import { DEFAULT_STATUS_PORT } from '../report/http-server.ts';
import { EXIT } from './exit-codes.ts';
import { fetchStatus, refusal, statusClientOptions } from './status-client.ts';

interface StatusOptions {
  readonly url: string;
  readonly token?: string;
  readonly format: string;
  readonly gateway?: string;
  readonly timeout: string;
}

export function registerStatus(program: Command): void {
  statusClientOptions(program
    .command('status')
    .description('show every gateway\'s phase, revisions and services from the reconciler (those your login may see); exit 1 if any gateway is Failed or Degraded'))
    .option('--format <format>', 'text or json', 'text')
    .option('--gateway <name>', 'one gateway in detail: services, node, approval, history')
    .option('--timeout <seconds>', 'give up on the reconciler after this long', '10')
    .action(async (options: StatusOptions) => {
      process.exitCode = await runStatus(options);
    });
}

async function runStatus(options: StatusOptions): Promise<number> {
  if (options.format !== 'text' && options.format !== 'json') return usage(`--format must be text or json, not ${options.format}`);
  const timeoutMs = Number(options.timeout) * 1000;
  if (!(timeoutMs > 0)) return usage(`--timeout must be a positive number of seconds, not ${options.timeout}`);
  const base = options.url.replace(/\/+$/, '');
  const path = options.gateway ? `/status/gateways/${encodeURIComponent(options.gateway)}` : '/status';
  let response: Response;
  try {
    response = await fetchStatus(options, path, timeoutMs);
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    return usage(`cannot reach the reconciler at ${base}: ${cause} (is it running? try kubectl -n essg-system port-forward svc/essg-reconciler ${DEFAULT_STATUS_PORT})`);
  }
  if (response.status === 404 && options.gateway) return usage(`the reconciler knows no gateway ${options.gateway}`);
  if (!response.ok) return usage(await refusal(response, path));
  const body = (await response.json()) as StatusSnapshot | GatewayStatus;
  const gateways = options.gateway ? [body as GatewayStatus] : (body as StatusSnapshot).gateways;
  if (options.format === 'json') process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  else process.stdout.write(options.gateway ? formatGatewayDetail(body as GatewayStatus) : formatStatusTable(body as StatusSnapshot));
  return hasUnhealthy(gateways) ? EXIT.problems : EXIT.ok;
}

function usage(message: string): number {
  process.stderr.write(`essg status: ${message}\n`);
  return EXIT.usage;
}
