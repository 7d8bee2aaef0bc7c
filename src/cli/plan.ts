// `essg plan`: what a pull request changes, per gateway, who has approved and whose approval
// it still needs. Reads both revisions from the work tree's Git repository (no checkout),
// renders both as of one fixed time, with --reviews or --post counts the reviews already
// given on the pull request, prints the plan, and with --post writes it to the pull request
// as one comment (edited in place) and the commit status `essg/plan`.
import type { Command } from 'commander';
import { GitHubUnavailable } from '../gate/index.ts';
import { FleetReadError } from '../model/load.ts';
import { formatChangePlanJson, formatChangePlanMarkdown, formatChangePlanText, planBetween } from '../change-plan/index.ts';
import { postChangePlan, pullRequestOnGitHub, pullRequestReviews } from '../report/pull-request-plan.ts';
import { GitSourceError, openLocalRepo } from '../source/index.ts';
import { EXIT } from './exit-codes.ts';

const FORMATS = ['markdown', 'json', 'text'] as const;
type Format = (typeof FORMATS)[number];

interface PlanOptions {
  readonly base?: string;
  readonly head: string;
  readonly format: string;
  readonly now?: string;
  readonly post?: boolean;
  readonly reviews?: boolean;
  readonly repo?: string;
  readonly pr?: string;
  readonly githubUrl?: string;
  readonly sha?: string;
  readonly cluster?: boolean;
}

function fail(message: string, code: number): void {
  process.stderr.write(`essg plan: ${message}\n`);
  process.exitCode = code;
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('show which gateways a change between two revisions affects, how, and whose approval it needs')
    .argument('[dir]', 'a Git work tree of the fleet repo', '.')
    .option('--base <rev>', 'the revision the change starts from, e.g. origin/main')
    .option('--head <rev>', 'the revision with the change', 'HEAD')
    .option('--format <format>', 'markdown, json or text', 'text')
    .option('--now <time>', 'judge expiry as of this RFC 3339 time (default: the head commit time, so the plan is reproducible)')
    .option('--post', 'count the reviews already given, post the plan as the pull request comment and set the commit status essg/plan (token from GITHUB_TOKEN)')
    .option('--reviews', 'count the reviews already given on the pull request, without posting (token from GITHUB_TOKEN)')
    .option('--repo <owner/name>', 'the GitHub repository, with --post or --reviews')
    .option('--pr <number>', 'the pull request number, with --post or --reviews')
    .option('--sha <sha>', 'the commit the status is set on, with --post (default: the head revision; in CI pass the pull request head)')
    .option('--github-url <url>', 'the GitHub REST API root (GitHub Enterprise: https://HOST/api/v3)')
    .option('--cluster', 'plan against the live cluster instead of a base revision')
    .action(async (dir: string, options: PlanOptions) => {
      if (options.cluster) {
        if (options.format !== 'text' && options.format !== 'json') return fail('with --cluster, --format is text or json', EXIT.usage);
        const { planCluster } = await import('../runtime/plan-cluster.ts');
        const planned = await planCluster({ dir, format: options.format, ...(options.now ? { now: options.now } : {}) });
        if (!planned.ok) {
          process.stdout.write(`${planned.problems.join('\n')}\n`);
          process.exitCode = EXIT.problems;
          return;
        }
        process.stdout.write(planned.text);
        return;
      }
      const format = options.format as Format;
      if (!FORMATS.includes(format)) return fail(`--format must be markdown, json or text, not ${options.format}`, EXIT.usage);
      if (!options.base) return fail('give --base REV (e.g. origin/main)', EXIT.usage);
      const target = options.post || options.reviews ? pullRequestTarget(options, options.post ? '--post' : '--reviews') : undefined;
      if (target && 'error' in target) return fail(target.error, EXIT.usage);
      const github = target ? pullRequestOnGitHub(target) : undefined;

      let result;
      try {
        result = await planBetween({
          store: openLocalRepo({ dir }), base: options.base, head: options.head,
          ...(options.now ? { now: options.now } : {}),
          ...(github ? { reviews: pullRequestReviews(github) } : {}),
        });
      } catch (error) {
        if (error instanceof GitSourceError || error instanceof FleetReadError) return fail(error.message, EXIT.usage);
        if ((error as { code?: string }).code === 'RENDER_INVALID_TIME') return fail((error as Error).message, EXIT.usage);
        throw error;
      }
      const { plan } = result;
      process.stdout.write(format === 'json' ? formatChangePlanJson(plan) : format === 'markdown' ? formatChangePlanMarkdown(plan) : formatChangePlanText(plan));
      if (github && options.post) {
        try {
          const comment = await postChangePlan({ plan, ...github, sha: options.sha ?? result.headSha });
          process.stderr.write(`plan comment ${comment.action}: ${comment.url}\n`);
        } catch (error) {
          if (!(error instanceof GitHubUnavailable)) throw error;
          return fail(`could not post the plan: ${error.message}`, EXIT.usage);
        }
      }
      process.exitCode = plan.ok ? EXIT.ok : EXIT.problems;
    });
}

interface PullRequestTarget {
  readonly owner: string;
  readonly repo: string;
  readonly pr: number;
  readonly token: string;
  readonly baseUrl?: string;
}

function pullRequestTarget(options: PlanOptions, flag: string): PullRequestTarget | { error: string } {
  const [owner, repo, extra] = (options.repo ?? '').split('/');
  if (!owner || !repo || extra !== undefined) return { error: `${flag} needs --repo OWNER/NAME` };
  const pr = Number(options.pr);
  if (!Number.isInteger(pr) || pr <= 0) return { error: `${flag} needs --pr NUMBER` };
  const token = process.env.GITHUB_TOKEN;
  if (!token) return { error: `${flag} needs a token in GITHUB_TOKEN` };
  return { owner, repo, pr, token, ...(options.githubUrl ? { baseUrl: options.githubUrl } : {}) };
}
