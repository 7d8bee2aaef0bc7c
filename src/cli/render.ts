import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { FleetReadError, loadFleetFromDir } from '../model/load.ts';
import { formatProblem } from '../model/problems.ts';
import { RenderError, renderFleet, toYaml } from '../render/index.ts';
import { EXIT } from './exit-codes.ts';

interface RenderOptions {
  readonly out?: string;
  readonly gateway?: string[];
  readonly stdout?: boolean;
  readonly now?: string;
}

function fail(message: string, code: number): void {
  process.stderr.write(`essg render: ${message}\n`);
  process.exitCode = code;
}

export function registerRender(program: Command): void {
  program
    .command('render')
    .description('render the Kubernetes objects of each gateway: OUT/<customer>/<gateway>.yaml')
    .argument('[dir]', 'the fleet repo', '.')
    .option('--out <dir>', 'where to write <customer>/<gateway>.yaml')
    .option('--gateway <name...>', 'only these gateways (default: all)')
    .option('--stdout', 'write every gateway to standard output instead of files')
    .option('--now <time>', 'render as of this RFC 3339 time: what expires by then is left out (default: the current time)')
    .action(async (dir: string, options: RenderOptions) => {
      if (!options.out && !options.stdout) return fail('give --out DIR or --stdout', EXIT.usage);
      let result;
      try {
        result = await loadFleetFromDir(dir);
      } catch (error) {
        if (!(error instanceof FleetReadError)) throw error;
        return fail(error.message, EXIT.usage);
      }
      if (!result.ok) {
        for (const problem of result.problems) process.stdout.write(`${formatProblem(problem)}\n`);
        return fail(`${result.problems.length} problem(s): nothing rendered`, EXIT.problems);
      }
      const unknown = (options.gateway ?? []).filter((name) => !result.model.gateways.has(name));
      if (unknown.length > 0) return fail(`unknown gateway(s): ${unknown.join(', ')}`, EXIT.usage);
      let fleet;
      try {
        fleet = renderFleet({ model: result.model, now: options.now ?? new Date().toISOString(), ...(options.gateway ? { gateways: options.gateway } : {}) });
      } catch (error) {
        if (!(error instanceof RenderError)) throw error;
        return fail(`${error.code}: ${error.message}`, error.code === 'RENDER_INVALID_TIME' ? EXIT.usage : EXIT.problems);
      }
      if (options.stdout) {
        for (const gateway of fleet.gateways) process.stdout.write(toYaml(gateway.objects));
        return;
      }
      const out = options.out as string;
      for (const gateway of fleet.gateways) {
        const file = path.join(out, gateway.customer, `${gateway.gateway}.yaml`);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, toYaml(gateway.objects));
      }
      process.stderr.write(`rendered ${fleet.gateways.length} gateway(s) into ${out}\n`);
    });
}
