// A fleet of its own with the approval gate on: the template fleet on the test bed's Git
// server, the GitHub fake as the fleet repo's GitHub, and the reconciler as
// `essg reconcile --approvals github --trusted-revision <template commit>` builds it,
// asking the fake about every later commit.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import type { GitHubOptions } from '../../../src/runtime/runtime.ts';
import { startGitHubFake, type GitHubFake } from '../../github-fake/index.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TemplateGateway, type TestFleet, type TestFleetOptions } from './fleet.ts';
import { AUTHOR, tempDir } from './git.ts';
import type { Kube } from './kube.ts';
import { startTestRuntime, type TestRuntime } from './runtime.ts';

const run = promisify(execFile);
export const TOKEN = 'ghp_' + 'ApprovalGateIntegration'.repeat(2);
const OWNER = 'soc';
const REPO = 'fleet';

export type { TemplateGateway };

export interface ApprovalBed {
  readonly fleet: TestFleet;
  readonly fake: GitHubFake;
  /** The reconciler, with approvals on. */
  readonly rt: TestRuntime;
  /** What it was given as `--github-*` (for a CLI run over the same fleet). */
  readonly github: GitHubOptions;
  /** The template commit, trusted as approved. */
  readonly trusted: string;
}

/** Team members the tests approve through. */
export const TEAM = { acme: 'acme-analyst', operators: 'soc-operator' } as const;

export async function createApprovalBed({ edit }: Pick<TestFleetOptions, 'edit'> = {}): Promise<ApprovalBed> {
  await forgetOtherFleets();
  const fleet = await createTestFleet(edit ? { edit } : {});
  const refs = await git.listServerRefs({ http, url: fleet.url, prefix: 'refs/heads/main' });
  const trusted = refs[0]!.oid;
  const fake = await startGitHubFake({ owner: OWNER, repo: REPO, tokens: { [TOKEN]: 'essg-bot' } });
  fake.state.addTeamMember({ org: 'acme-bank', team: 'secops', login: TEAM.acme });
  fake.state.addTeamMember({ org: 'example-soc', team: 'fleet-operators', login: TEAM.operators });
  // `--github-url`, `--github-timeout`, `--github-retries`: one retry and a short deadline keep the fault tests fast.
  const github: GitHubOptions = { owner: OWNER, repo: REPO, baseUrl: fake.baseUrl, auth: { token: TOKEN }, requestTimeoutMs: 3000, maxRetries: 1 };
  const rt = await startTestRuntime({ repo: fleet.url, github, trustedRevision: trusted });
  return { fleet, fake, rt, github, trusted };
}

/** Leaves the test bed as it was: the reconciler and the fake stopped, this fleet's namespaces, nodes and inventories gone. */
export async function removeApprovalBed(bed: ApprovalBed | undefined, k: Kube): Promise<void> {
  if (!bed) return;
  await bed.rt.stop();
  await bed.fake.stop();
  await removeTestFleet(bed.fleet, k);
}

/**
 * Scripts the fake so that `sha` (a commit really pushed to the branch) is the merge of a
 * pull request by `author` holding `approvals` on its final head; returns its number.
 */
export function mergedPullRequest(fake: GitHubFake, { sha, author = 'soc-analyst', approvals = [] }: { sha: string; author?: string; approvals?: readonly string[] }): number {
  const { number } = fake.state.createPullRequest({ author });
  for (const user of approvals) fake.state.submitReview({ pr: number, user, state: 'APPROVED' });
  fake.state.mergePullRequest({ pr: number, mergeCommitSha: sha });
  return number;
}

export function gatewayFile(fleet: TestFleet, gateway: TemplateGateway): string {
  return fleet.gatewayFile(gateway);
}

/** The gateway's file with its firewall's `logDropped` flipped (absent counts as false). */
export function flipFirewallLogging(fleet: TestFleet, gateway: TemplateGateway): Record<string, string> {
  const file = gatewayFile(fleet, gateway);
  const content = fleet.files[file]!;
  const pattern = /config: \{ defaultPolicy: (accept|drop)(?:, logDropped: (true|false))? \}/;
  const match = pattern.exec(content);
  if (!match) throw new Error(`${file} has no firewall line to change`);
  const next = match[2] !== 'true';
  return { [file]: content.replace(pattern, `config: { defaultPolicy: ${match[1]}, logDropped: ${next} }`) };
}

/** What the gateway's firewall runs with: its config ConfigMap, as applied on the cluster. */
export async function firewallLogging(k: Kube, fleet: TestFleet, gateway: TemplateGateway): Promise<boolean | undefined> {
  const customer = gateway.startsWith('acme') ? 'acme' : 'globex';
  const config = await k.core.readNamespacedConfigMap({ namespace: fleet.namespace(customer), name: `${fleet.gateway(gateway)}-firewall` });
  return (JSON.parse(config.data!['config.json']!) as { logDropped?: boolean }).logDropped ?? false;
}

/**
 * Rewrites the branch with the git CLI: a new commit on top of `base` replaces whatever
 * followed it, pushed with --force. Returns the new head.
 */
export async function forcePush({ url, base, files, message }: { url: string; base: string; files: Readonly<Record<string, string>>; message: string }): Promise<string> {
  const dir = await tempDir('essg-it-force-');
  const gitCli = (...args: string[]) => run('git', ['-c', `user.name=${AUTHOR.name}`, '-c', `user.email=${AUTHOR.email}`, ...args], { cwd: dir });
  try {
    await gitCli('clone', '--quiet', '--branch', 'main', url, '.');
    await gitCli('reset', '--quiet', '--hard', base);
    for (const [file, content] of Object.entries(files)) {
      await fs.promises.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), content);
      await gitCli('add', file);
    }
    await gitCli('commit', '--quiet', '-m', message);
    await gitCli('push', '--quiet', '--force', 'origin', 'main');
    return (await gitCli('rev-parse', 'HEAD')).stdout.trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
