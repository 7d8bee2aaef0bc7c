// `essg rollout [ls|show ID]`: the rollouts the running reconciler reports — their waves and
// each gateway's standing — read from its status endpoint like `essg status`.
import type { Command } from 'commander';
import { formatRollout, formatRolloutList } from '../report/format-text.ts';
import type { StatusSnapshot } from '../report/status-model.ts';
import { EXIT } from './exit-codes.ts';
import { fetchStatus, refusal, statusClientOptions } from './status-client.ts';

interface RolloutOptions {
  readonly url: string;
  readonly token?: string;
  readonly format: string;
}

export function registerRollout(program: Command): void {
  statusClientOptions(program
    .command('rollout')
    .description('list the rollouts in flight (ls), or one with its waves (show ID, a revision or its prefix); exit 1 if one is halted')
    .argument('[action]', 'ls or show', 'ls')
    .argument('[id]', 'with show: the rollout (its revision, or a prefix of it)'))
    .option('--format <format>', 'text or json', 'text')
    .action(async (action: string, id: string | undefined, options: RolloutOptions) => {
      process.exitCode = await runRollout(action, id, options);
    });
}

async function runRollout(action: string, id: string | undefined, options: RolloutOptions): Promise<number> {
  if (action !== 'ls' && action !== 'show') return usage(`the action is ls or show, not ${action}`);
  if (action === 'show' && !id) return usage('show needs the rollout: essg rollout show REVISION');
  if (options.format !== 'text' && options.format !== 'json') return usage(`--format must be text or json, not ${options.format}`);
  const base = options.url.replace(/\/+$/, '');
  let snapshot: StatusSnapshot;
  try {
    const response = await fetchStatus(options, '/status', 10_000);
    if (!response.ok) return usage(await refusal(response, '/status'));
    snapshot = (await response.json()) as StatusSnapshot;
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    return usage(`cannot reach the reconciler at ${base}: ${cause}`);
  }
  const rollouts = action === 'show' ? snapshot.rollouts.filter((r) => r.id.startsWith(id!)) : snapshot.rollouts;
  if (action === 'show' && rollouts.length !== 1) return usage(rollouts.length === 0 ? `no rollout ${id} in flight` : `${id} names ${rollouts.length} rollouts: give more of the revision`);
  if (options.format === 'json') process.stdout.write(`${JSON.stringify(action === 'show' ? rollouts[0] : rollouts, null, 2)}\n`);
  else process.stdout.write(action === 'show' ? formatRollout(rollouts[0]!) : formatRolloutList(rollouts));
  return rollouts.some((r) => r.halted) ? EXIT.problems : EXIT.ok;
}

function usage(message: string): number {
  process.stderr.write(`essg rollout: ${message}\n`);
  return EXIT.usage;
}
