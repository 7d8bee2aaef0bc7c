// The running test bed, as the global setup started it, for integration tests.
import { NotRunningError } from '../../../src/testbed/errors.ts';
import { stateDir } from '../../../src/testbed/paths.ts';
import { readState, type TestbedState } from '../../../src/testbed/state.ts';

export async function testbed(): Promise<TestbedState> {
  const dir = stateDir();
  const state = await readState(dir);
  if (!state?.ready) throw new NotRunningError(dir);
  return state;
}
