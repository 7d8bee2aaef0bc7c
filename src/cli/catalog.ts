// `essg catalog publish`: parses the arguments, makes the registry client and prints what
// the warehouse did (src/warehouse/publish.ts).
import type { Command } from 'commander';
import { FleetError } from '../errors/fleet-error.ts';
import { registryFromEnv } from '../warehouse/oci-registry.ts';
import { publishServiceVersion } from '../warehouse/publish.ts';
import { EXIT } from './exit-codes.ts';

interface PublishOptions {
  readonly image: string;
  readonly service: string;
  readonly version: string;
  readonly configSchema: string;
  readonly registry?: string;
  readonly registryUsername?: string;
  readonly repository?: string;
  readonly spec?: string;
}

export function registerCatalog(program: Command): void {
  const catalog = program.command('catalog').description('the service warehouse: publish service versions');
  catalog
    .command('publish')
    .description('push an image archive to the OCI registry and write catalog/NAME/X.Y.Z.yaml pinned to its digest')
    .argument('[dir]', 'the fleet repo', '.')
    .requiredOption('--image <archive>', 'the image: a docker-archive (docker save) or OCI image layout tarball')
    .requiredOption('--service <name>', 'the catalog service')
    .requiredOption('--version <X.Y.Z>', 'the version to publish; published versions never change')
    .requiredOption('--config-schema <file>', "the JSON Schema (YAML or JSON) of each gateway's config for this version")
    .option('--registry <url>', 'the OCI registry, http(s)://HOST[:PORT] (default: $ESSG_REGISTRY_URL)')
    .option('--registry-username <user>', 'the registry user (default: $ESSG_REGISTRY_USERNAME); the password is read from $ESSG_REGISTRY_PASSWORD')
    .option('--repository <name>', 'the repository in the registry (default: essg/NAME)')
    .option('--spec <file>', "a ServiceVersion (or its spec) with the other fields: category, workload, resources, probes, data, flows (default: the service's newest version)")
    .action(async (dir: string, options: PublishOptions) => {
      const url = options.registry ?? process.env['ESSG_REGISTRY_URL'];
      if (!url) {
        process.stderr.write('essg catalog publish: give --registry URL or set ESSG_REGISTRY_URL\n');
        process.exitCode = EXIT.usage;
        return;
      }
      const registry = registryFromEnv(url, { ...process.env, ...(options.registryUsername ? { ESSG_REGISTRY_USERNAME: options.registryUsername } : {}) });
      try {
        const published = await publishServiceVersion({
          fleetDir: dir, archive: options.image, service: options.service, version: options.version, configSchemaFile: options.configSchema, registry,
          ...(options.repository ? { repository: options.repository } : {}),
          ...(options.spec ? { specFile: options.spec } : {}),
          log: (line) => process.stderr.write(`${line}\n`),
        });
        process.stdout.write(`published ${options.service} ${options.version}: ${published.file} (${published.format}), image ${published.image}\n`);
      } catch (error) {
        if (!(error instanceof FleetError)) throw error;
        process.stderr.write(`essg catalog publish: ${error.message}\n`);
        process.exitCode = EXIT.problems;
      }
    });
}
