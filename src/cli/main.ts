// The `essg` command line: each command lives in its own module and only parses
// arguments and prints; the work happens in the pipeline stages under src/.
import { Command, CommanderError } from 'commander';
import { EXIT } from './exit-codes.ts';
import { registerPlan } from './plan.ts';
import { registerRender } from './render.ts';
import { registerStatus } from './status.ts';
import { registerTestbed } from './testbed.ts';
import { registerValidate } from './validate.ts';

const program = new Command('essg')
  .description('GitOps for fleets of Edge Security Service Gateways')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

registerValidate(program);
registerRender(program);
registerPlan(program);
registerTestbed(program);
registerStatus(program);

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
