// Starts the test bed once for the integration run, or reuses the one already running
// (`essg testbed up` beforehand makes repeated runs start in a second), and hands its
// KUBECONFIG, ESSG_GIT_URL and ESSG_TESTBED_DIR to the tests. A test bed this run started
// is stopped at the end unless ESSG_TESTBED_KEEP=1; one that was running is left running.
import { GoMissingError } from '../../../src/testbed/errors.ts';
import { down, isHealthy, up } from '../../../src/testbed/lifecycle.ts';
import { stateDir } from '../../../src/testbed/paths.ts';
import { readState } from '../../../src/testbed/state.ts';

/** Gateways every integration test may use; tests that need more create them (helpers/kube.ts). */
export const SHARED_GATEWAYS = 3;

export default async function setup(): Promise<() => Promise<void>> {
  const dir = stateDir();
  const previous = await readState(dir);
  const wasRunning = previous !== undefined && (await isHealthy(previous));
  let state;
  try {
    state = await up({ gateways: SHARED_GATEWAYS, stateDir: dir, log: (line) => process.stderr.write(`${line}\n`) });
  } catch (error) {
    if (error instanceof GoMissingError) throw new Error(`integration tests need the test bed: ${error.message}`);
    throw error;
  }
  process.env.KUBECONFIG = state.kubeconfig;
  process.env.ESSG_GIT_URL = state.git.fleetRepoUrl;
  process.env.ESSG_TESTBED_DIR = state.stateDir;
  return async () => {
    if (!wasRunning && process.env.ESSG_TESTBED_KEEP !== '1') await down({ stateDir: dir });
  };
}
