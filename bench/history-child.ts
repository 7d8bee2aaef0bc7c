// One scenario of the history benchmark in this fresh process: passes of the gate over a
// repository whose every gateway has the same pending commits, loaded by the reconciler's
// own load worker and asked about through its own GitHub client, against the GitHub fake.
import { readFile } from 'node:fs/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { chooseTargets, PassFacts } from '../src/gate/index.ts';
import { createGitHubClient, lineLogger } from '../src/gate/github-client.ts';
import { FleetRevisions, WorkerLoader, type FleetLoader } from '../src/load/index.ts';
import { findGitdir, openLocalRepo } from '../src/source/index.ts';
import { startGitHubFake } from '../test/github-fake/index.ts';
import { reportFromChild } from './child.ts';

export interface HistoryScenario {
  readonly dir: string;
  readonly trusted: string;
  /** Oldest first: each merged by a pull request, with the gateways' customers' approvals when `approved`. */
  readonly pending: readonly { readonly sha: string; readonly customers: readonly string[] }[];
  readonly approved: boolean;
  readonly gateways: readonly string[];
  readonly passes: number;
}

const TOKEN = 'ghp_' + 'HistoryBenchmarkToken'.repeat(2);
const NOW = new Date().toISOString();
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const MiB = 2 ** 20;

const scenario = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as HistoryScenario;
const fake = await startGitHubFake({ owner: 'soc', repo: 'fleet', tokens: { [TOKEN]: 'essg-bot' } });
for (const { sha, customers } of scenario.pending) {
  const { number } = fake.state.createPullRequest({ author: 'soc-analyst' });
  // A version change uses other catalog files: the fleet's operators review it too.
  if (scenario.approved) for (const user of ['soc-lead', ...customers.map((c) => `${c}-lead`)]) fake.state.submitReview({ pr: number, user, state: 'APPROVED' });
  fake.state.mergePullRequest({ pr: number, mergeCommitSha: sha });
}
const { octokit } = createGitHubClient({ baseUrl: fake.baseUrl, auth: { token: TOKEN }, logger: lineLogger(() => undefined) });
const store = openLocalRepo({ dir: scenario.dir });
const loader = new WorkerLoader({ gitdir: findGitdir(scenario.dir), origin: scenario.dir });
/** Time the pass waited on the load worker (loads run one at a time, so these add up). */
let loadMs = 0;
const timedLoader: FleetLoader = {
  load: async (args) => {
    const from = performance.now();
    try {
      return await loader.load(args);
    } finally {
      loadMs += performance.now() - from;
    }
  },
  startPass: () => loader.startPass(),
  close: () => loader.close(),
};
const revisions = new FleetRevisions(timedLoader);
const head = scenario.pending.at(-1)?.sha ?? scenario.trusted;
const onRevision = new Map(scenario.gateways.map((g) => [g, scenario.trusted]));

const passes = [];
for (let i = 0; i < scenario.passes; i++) {
  revisions.startPass();
  loadMs = 0;
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const asked = fake.requestsTo(/./).length;
  const started = performance.now();
  const headFleet = await revisions.at(head, NOW);
  const loaded = performance.now();
  const facts = new PassFacts({ octokit, owner: 'soc', repo: 'fleet' });
  const targets = await chooseTargets({ head: headFleet, inventories: new Map(), headIsFresh: true, revisions, store, now: NOW, onRevision, facts });
  const seconds = (performance.now() - started) / 1000;
  gc();
  // What the pass holds once it has decided (every commit it loaded, the targets): retained, not garbage.
  const heldMiB = (process.memoryUsage().heapUsed - heapBefore) / MiB;
  passes.push({
    seconds, headSeconds: (loaded - started) / 1000, loadSeconds: loadMs / 1000, commitsLoaded: revisions.commitsLoaded, lookups: facts.lookups,
    githubRequests: fake.requestsTo(/./).length - asked, heldMiB, rssMiB: process.memoryUsage().rss / MiB,
    atHead: targets.filter((t) => t.revision === head).length,
    held: targets.filter((t) => t.blockedBy?.result === 'awaiting-approval').length,
    walked: targets.reduce((n, t) => n + t.decisions.length, 0),
  });
  process.stderr.write(`  pass ${i + 1}: ${JSON.stringify(passes.at(-1))}\n`);
}
await loader.close();
await fake.stop();
reportFromChild({ passes });
