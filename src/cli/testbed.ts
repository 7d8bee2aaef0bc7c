import { InvalidArgumentError, Option, type Command } from 'commander';
import { ensureBuilt } from '../testbed/build.ts';
import { envExports, joinGateway, runningState, setGatewayUplink, status, type TestbedStatus } from '../testbed/control.ts';
import { TestbedError } from '../testbed/errors.ts';
import { failImage, healImage } from '../testbed/fail-image.ts';
import { adminClient } from '../testbed/gateways.ts';
import { FAILURE_MODES, imageDigest, type FailureMode } from '../testbed/image-failures.ts';
import { down, up } from '../testbed/lifecycle.ts';
import { setPullDelay, setPullFailure } from '../testbed/prepull-controller.ts';
import { EXIT } from './exit-codes.ts';

const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** Runs a subcommand; a test bed failure prints its message and exits 1, anything else is a bug and propagates. */
function action<Args extends unknown[]>(run: (...args: Args) => Promise<void>): (...args: Args) => Promise<void> {
  return async (...args) => {
    try {
      await run(...args);
    } catch (error) {
      if (!(error instanceof TestbedError)) throw error;
      process.stderr.write(`essg testbed: ${error.message}\n`);
      process.exitCode = EXIT.problems;
    }
  };
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 5000) throw new Error(`--gateways must be a whole number from 0 to 5000, not ${value}`);
  return n;
}

function parseAuth(value: string): { username: string; password: string } {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new Error('--git-auth must be USER:PASSWORD');
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

/** DIGEST of fail-image and heal-image: a bad one is a usage error, found before the test bed is asked. */
function parseDigest(value: string): string {
  try {
    return imageDigest(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

const MODE_EFFECTS: Readonly<Record<FailureMode, string>> = {
  crashloop: 'exit 1 and restart with back-off: CrashLoopBackOff, restartCount rising, never Ready',
  'never-ready': 'run but never pass readiness: Running, Ready=False',
  'pull-error': 'cannot be pulled: ErrImagePull, then ImagePullBackOff',
};

export function registerTestbed(program: Command): void {
  const testbed = program
    .command('testbed')
    .description('the local test bed: a real Kubernetes control plane with simulated KubeEdge gateways (KWOK) and a Git server');

  testbed
    .command('build')
    .description('build etcd, the Kubernetes control plane, kubectl and KWOK from the Go module proxy (skipped when up to date)')
    .action(action(async () => void (await ensureBuilt({ log: progress }))));

  testbed
    .command('up')
    .description('start the test bed (or reuse the running one) and print its shell exports')
    .option('--gateways <n>', 'simulated gateways gw-001 … to create', parseCount)
    .option('--fleet <dir>', "one gateway per Gateway of this fleet repo, named by its spec.node")
    .option('--git-auth <user:password>', 'require basic auth on the Git server', parseAuth)
    .option('--size-for <n>', 'time the heartbeats for this many gateways, when more will be added later (benchmarks)', parseCount)
    .action(
      action(async (options: { gateways?: number; fleet?: string; gitAuth?: { username: string; password: string }; sizeFor?: number }) => {
        const state = await up({ gateways: options.gateways ?? (options.fleet ? 0 : 3), fleet: options.fleet, gitAuth: options.gitAuth, sizeFor: options.sizeFor, log: progress });
        process.stdout.write(`${envExports(state).join('\n')}\n`);
      }),
    );

  testbed
    .command('env')
    .description('print the shell exports of the running test bed: eval "$(essg testbed env)"')
    .action(action(async () => void process.stdout.write(`${envExports(await runningState()).join('\n')}\n`)));

  testbed
    .command('status')
    .description('say what runs')
    .option('--json', 'print JSON')
    .action(
      action(async (options: { json?: boolean }) => {
        const current = await status();
        process.stdout.write(options.json ? `${JSON.stringify(current, null, 2)}\n` : formatStatus(current));
        if (!current.running) process.exitCode = EXIT.problems;
      }),
    );

  testbed
    .command('join')
    .description("join an edge node for a gateway the fleet repo declares, as `keadm join --edgenode-name=NODE` does on a gateway")
    .argument('<node>', "the node name: the gateway's `spec.node`")
    .action(
      action(async (node: string) => {
        const { joined, state } = await joinGateway({ node });
        process.stdout.write(joined ? `${node}: joined as an edge node, Ready; the test bed has ${state.gateways.length} gateways\n` : `${node}: already an edge node of the test bed\n`);
      }),
    );

  for (const [name, uplink, effect] of [
    ['offline', 'down', 'stops heartbeating: Ready=Unknown and tainted unreachable'],
    ['online', 'up', 'heartbeats again and turns Ready'],
  ] as const) {
    testbed
      .command(name)
      .description(`cut or restore a gateway's uplink: the node ${effect}`)
      .argument('<node>', 'the gateway node')
      .action(
        action(async (node: string) => {
          const state = await setGatewayUplink({ node, uplink });
          const within = uplink === 'down' ? `within about ${state.timing.gracePeriodSeconds + state.timing.monitorPeriodSeconds} s` : 'within seconds';
          process.stdout.write(`${node}: uplink ${uplink}; the node ${effect} ${within}\n`);
        }),
      );
  }

  testbed
    .command('fail-image')
    .description("make pods started from now on with this image fail, as a kubelet shows it (the test bed's KWOK stages play the kubelet)")
    .argument('<digest>', 'sha256:<64 hex>, or an image reference pinned by it (registry/name@sha256:…)', parseDigest)
    .addOption(new Option('--mode <mode>', `how it fails: ${FAILURE_MODES.map((m) => `${m} (${MODE_EFFECTS[m]})`).join('; ')}`).choices(FAILURE_MODES).makeOptionMandatory())
    .action(
      action(async (digest: string, options: { mode: FailureMode }) => {
        const failing = await failImage({ kubeconfig: adminClient(await runningState()), digest, mode: options.mode });
        process.stdout.write(`${failing.digest}: pods started with this image now ${MODE_EFFECTS[failing.mode]}; undo with \`essg testbed heal-image ${failing.digest}\`\n`);
      }),
    );

  testbed
    .command('heal-image')
    .description('pods started from now on with this image are healthy again; its failing pods that a controller owns are replaced')
    .argument('<digest>', 'sha256:<64 hex>, or an image reference pinned by it', parseDigest)
    .option('--keep-pods', 'leave the failing pods as they are (KWOK does not revisit them, so they stay failed)')
    .action(
      action(async (digest: string, options: { keepPods?: boolean }) => {
        const healed = await healImage({ kubeconfig: adminClient(await runningState()), digest, replacePods: !options.keepPods });
        const was = healed.mode ? `healthy again (it was failing: ${healed.mode})` : 'was not failing';
        const replaced = healed.replacedPods.length > 0 ? `; replaced ${healed.replacedPods.length} failing pod(s): ${healed.replacedPods.join(', ')}` : '';
        const kept = healed.keptPods.length > 0 ? `; left ${healed.keptPods.length} failing pod(s) as they are: ${healed.keptPods.join(', ')}` : '';
        process.stdout.write(`${healed.digest}: ${was}${replaced}${kept}\n`);
      }),
    );

  for (const [name, fail] of [['fail-pull', true], ['heal-pull', false]] as const) {
    testbed
      .command(name)
      .description(
        fail
          ? "make ImagePrePullJobs fail to pull this image on this node from now on, as if its registry were unreachable from there (the test bed's pre-pull controller plays CloudCore)"
          : 'ImagePrePullJobs pull this image on this node again from now on',
      )
      .argument('<image>', 'the image reference, as the job lists it')
      .requiredOption('--node <node>', 'the gateway node')
      .action(
        action(async (image: string, options: { node: string }) => {
          const config = await setPullFailure({ kubeconfig: adminClient(await runningState()), image, node: options.node, fail });
          const now = fail ? 'now fail with "registry unreachable"' : 'now succeed';
          process.stdout.write(`${image} on ${options.node}: pre-pulls ${now}; failing pulls: ${config.failures.map((f) => `${f.image} on ${f.node}`).join(', ') || 'none'}\n`);
        }),
      );
  }

  testbed
    .command('pull-delay')
    .description('how long a reachable node takes to pull the images of an ImagePrePullJob (default 1 s)')
    .argument('<seconds>', 'whole seconds, 0 or more', (value: string) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0 || n > 3600) throw new InvalidArgumentError('must be a whole number of seconds from 0 to 3600');
      return n;
    })
    .action(
      action(async (seconds: number) => {
        await setPullDelay({ kubeconfig: adminClient(await runningState()), seconds });
        process.stdout.write(`image pre-pulls now take ${seconds} s on reachable nodes\n`);
      }),
    );

  testbed
    .command('down')
    .description('stop every process of the test bed and check its ports are free')
    .action(
      action(async () => {
        const stopped = await down({ log: progress });
        process.stdout.write(stopped ? 'test bed stopped\n' : 'no test bed was running\n');
      }),
    );
}

function formatStatus(current: TestbedStatus): string {
  if (!current.state) return `no test bed in ${current.stateDir}\n`;
  const lines = [`test bed in ${current.stateDir}: ${current.running ? 'running' : 'NOT healthy'} since ${current.state.startedAt}`];
  for (const c of current.components) lines.push(`  ${c.name.padEnd(24)} ${c.alive ? 'running' : 'stopped'}${c.pid ? ` (pid ${c.pid})` : ''}`);
  const { state } = current;
  lines.push(`  API server               ${state.server} (Kubernetes ${state.versions.kubernetes})`, `  kubeconfig               ${state.kubeconfig}`, `  Git server               ${state.git.baseUrl} (fleet repo ${state.git.fleetRepoUrl})`);
  if (state.registry) lines.push(`  OCI registry             ${state.registry.url} (distribution ${state.versions.registry}, user ${state.registry.username}; the password: essg testbed env)`);
  if (current.nodes) {
    lines.push(`  gateways                 ${current.nodes.ready}/${current.nodes.total} Ready; offline: ${current.nodes.offline.map((n) => n.name).join(', ') || 'none'}`);
    lines.push(`  heartbeat                every ${state.timing.renewSeconds} s; Unknown after ${state.timing.gracePeriodSeconds} s silent`);
  }
  if (current.failingImages) {
    lines.push(`  failing images           ${current.failingImages.map((f) => `${f.digest} (${f.mode})`).join(', ') || 'none'}`);
  }
  return `${lines.join('\n')}\n`;
}
