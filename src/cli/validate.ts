import type { Command } from 'commander';
import { FleetReadError, loadFleetFromDir } from '../model/load.ts';
import { formatProblem, problemToJson } from '../model/problems.ts';
import { checkCatalogImages, type ImageCheck } from '../warehouse/check-images.ts';
import { RegistryError, registryFromEnv } from '../warehouse/oci-registry.ts';
import { EXIT } from './exit-codes.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a fleet repo against every rule of the fleet-repo contract')
    .argument('[dir]', 'the fleet repo', '.')
    .option('--format <format>', 'text or json', 'text')
    .option('--registry <url>', 'also check that every catalog image in this OCI registry is there, by digest (credentials: $ESSG_REGISTRY_USERNAME, $ESSG_REGISTRY_PASSWORD)')
    .action(async (dir: string, options: { format: string; registry?: string }) => {
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
      let problems = result.ok ? [] : result.problems;
      let images: ImageCheck | undefined;
      if (result.ok && options.registry) {
        try {
          images = await checkCatalogImages({ dir, model: result.model, registry: registryFromEnv(options.registry) });
        } catch (error) {
          if (!(error instanceof RegistryError)) throw error;
          process.stderr.write(`essg validate: ${error.message}\n`);
          process.exitCode = EXIT.usage;
          return;
        }
        problems = [...images.problems];
      }
      const ok = problems.length === 0;
      if (options.format === 'json') {
        process.stdout.write(`${JSON.stringify(problems.map(problemToJson), null, 2)}\n`);
      } else if (ok && result.ok) {
        const m = result.model;
        const checked = images ? `; ${images.checked} image(s) found in ${options.registry}${images.elsewhere ? ` (${images.elsewhere} in other registries, not checked)` : ''}` : '';
        process.stdout.write(`${dir}: valid: ${m.customers.size} customers, ${m.gateways.size} gateways, ${[...m.catalog.values()].reduce((n, v) => n + v.size, 0)} catalog versions, ${m.responses.size} responses${checked}\n`);
      } else {
        for (const problem of problems) process.stdout.write(`${formatProblem(problem)}\n`);
        process.stderr.write(`${problems.length} problem(s)\n`);
      }
      process.exitCode = ok ? EXIT.ok : EXIT.problems;
    });
}
