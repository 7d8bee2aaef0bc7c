// The `essg` command line: each command lives in its own module and only parses
// arguments and prints; the work happens in the pipeline stages under src/.
import { Command, CommanderError } from 'commander';
import { EXIT } from './exit-codes.ts';

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when that command runs (all of them for `essg --help`):
 * `essg validate` should not pay for cdk8s or the test bed's modules at start-up.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  validate: async () => (await import('./validate.ts')).registerValidate,
  render: async () => (await import('./render.ts')).registerRender,
  plan: async () => (await import('./plan.ts')).registerPlan,
  testbed: async () => (await import('./testbed.ts')).registerTestbed,
  status: async () => (await import('./status.ts')).registerStatus,
  logs: async () => (await import('./logs.ts')).registerLogs,
  rollout: async () => (await import('./rollout.ts')).registerRollout,
  catalog: async () => (await import('./catalog.ts')).registerCatalog,
  reconcile: async () => (await import('./reconcile.ts')).registerReconcile,
};

const program = new Command('essg')
  .description('GitOps for fleets of Edge Security Service Gateways')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

const named = process.argv[2];
const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? [COMMANDS[named]!] : Object.values(COMMANDS);
for (const load of wanted) (await load())(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here with code 0; argument errors are usage errors.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    process.stderr.write(`essg: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.usage;
  }
}
