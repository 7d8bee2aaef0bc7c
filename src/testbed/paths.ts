// Where the test bed keeps its binaries (built once, shared by every test bed of this
// checkout) and its running state (one test bed per state folder).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TESTBED_SRC = path.join(REPO_ROOT, 'src', 'testbed');
export const GO_MODULES_DIR = path.join(TESTBED_SRC, 'go');

export function binDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ESSG_TESTBED_BIN ? path.resolve(env.ESSG_TESTBED_BIN) : path.join(REPO_ROOT, '.testbed', 'bin');
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ESSG_TESTBED_DIR ? path.resolve(env.ESSG_TESTBED_DIR) : path.join(REPO_ROOT, '.testbed', 'run');
}
