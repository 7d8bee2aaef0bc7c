// The commit status `essg/deploy` on the branch head: how many gateways run it, wait for
// it, or failed to take it. Written only when it changes, so a quiet fleet stays quiet.
import { setCommitStatus } from './pr-report.ts';
import type { GatewayApplyResult } from '../apply/index.ts';
import type { GatewayTarget, GitHubGate } from '../gate/index.ts';

export interface DeployCounts {
  readonly applied: number;
  readonly pending: number;
  readonly failed: number;
}

export function deployCounts({ head, targets, applied, rolledBack = [] }: { head: string; targets: readonly Pick<GatewayTarget, 'gateway' | 'revision'>[]; applied: readonly GatewayApplyResult[]; rolledBack?: readonly string[] }): DeployCounts {
  const failed = new Set([...applied.filter((a) => !a.ok).map((a) => a.gateway), ...rolledBack]);
  let onHead = 0;
  let pending = 0;
  for (const target of targets) {
    if (failed.has(target.gateway)) continue;
    if (target.revision === head) onHead++;
    else pending++;
  }
  return { applied: onHead, pending, failed: failed.size };
}

export class DeployStatusReporter {
  private last = '';
  constructor(private readonly github: GitHubGate, private readonly log: (line: string) => void) {}

  /** `failure`: why the newest failure happened (e.g. a rollback), put first in the description. */
  async report({ head, counts, failure }: { head: string; counts: DeployCounts; failure?: string }): Promise<void> {
    const description = `${failure ? `${failure}; ` : ''}${counts.applied} gateways applied, ${counts.pending} pending, ${counts.failed} failed`;
    const state = counts.failed > 0 ? 'failure' : counts.pending > 0 ? 'pending' : 'success';
    const key = `${head} ${state} ${description}`;
    if (key === this.last) return;
    try {
      await setCommitStatus({ octokit: this.github.octokit, owner: this.github.owner, repo: this.github.repo, sha: head, context: 'essg/deploy', state, description });
      this.last = key;
    } catch (error) {
      // A status that cannot be written never fails a pass: the next pass tries again.
      this.log(`commit status essg/deploy on ${head.slice(0, 12)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
