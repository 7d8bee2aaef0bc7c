import type { Command } from 'commander';
import { FleetReadError, loadFleetFromDir } from '../model/load.ts';
import { formatProblem, problemToJson } from '../model/problems.ts';
import { EXIT } from './exit-codes.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a fleet repo against every rule of the fleet-repo contract')
    .argument('[dir]', 'the fleet repo', '.')
    .option('--format <format>', 'text or json', 'text')
    .action(async (dir: string, options: { format: string }) => {
      if (options.format !== 'text' && options.format !== 'json') {
        process.stderr.write(`essg validate: --format must be text or json, not ${options.format}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      let result;
      try {
        result = await loadFleetFromDir(dir);
      } catch (error) {
        if (!(error instanceof FleetReadError)) throw error;
        process.stderr.write(`essg validate: ${error.message}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const problems = result.ok ? [] : result.problems;
      if (options.format === 'json') {
        process.stdout.write(`${JSON.stringify(problems.map(problemToJson), null, 2)}\n`);
      } else if (result.ok) {
        const m = result.model;
        process.stdout.write(`${dir}: valid: ${m.customers.size} customers, ${m.gateways.size} gateways, ${[...m.catalog.values()].reduce((n, v) => n + v.size, 0)} catalog versions, ${m.responses.size} responses\n`);
      } else {
        for (const problem of problems) process.stdout.write(`${formatProblem(problem)}\n`);
        process.stderr.write(`${problems.length} problem(s)\n`);
      }
      process.exitCode = result.ok ? EXIT.ok : EXIT.problems;
    });
}
