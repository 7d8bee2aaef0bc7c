// One error class per way the test bed can fail. Each has a stable `code`, a `data`
// payload and `toJSON()`, and its message says what to do next.
import { FleetError } from '../errors/fleet-error.ts';

export abstract class TestbedError<Data extends object> extends FleetError<Data> {}

/** Building the test bed needs the Go toolchain; nothing else can build Kubernetes here. */
export class GoMissingError extends TestbedError<{ minimum: string; found: string | null }> {
  readonly code = 'TESTBED_GO_MISSING';
  constructor(minimum: string, found: string | null) {
    super(
      found === null
        ? `the test bed is built from source with Go: install Go ≥ ${minimum} and put \`go\` on PATH`
        : `the test bed needs Go ≥ ${minimum}, found ${found}: install a newer Go`,
      { minimum, found },
    );
  }
}

export class BuildFailedError extends TestbedError<{ step: string; exitCode: number | null }> {
  readonly code = 'TESTBED_BUILD_FAILED';
  constructor(step: string, exitCode: number | null) {
    super(`building ${step} failed (exit ${exitCode}); the Go output above says why`, { step, exitCode });
  }
}

/** A wrapper go.mod pins another version than versions.json names: the two must move together. */
export class VersionMismatchError extends TestbedError<{ goMod: string; module: string; pinned: string | null; expected: string }> {
  readonly code = 'TESTBED_VERSION_MISMATCH';
  constructor(data: { goMod: string; module: string; pinned: string | null; expected: string }) {
    super(`${data.goMod} pins ${data.module} ${data.pinned ?? '(nothing)'} but src/testbed/versions.json names ${data.expected}: update the go.mod (and run go mod tidy) or versions.json`, data);
  }
}

export class ComponentFailedError extends TestbedError<{ component: string; reason: string; log: string; logTail: string }> {
  readonly code = 'TESTBED_COMPONENT_FAILED';
  constructor(data: { component: string; reason: string; log: string; logTail: string }) {
    super(`${data.component} ${data.reason}; its log is ${data.log}:\n${data.logTail}`, data);
  }
}

export class NotRunningError extends TestbedError<{ stateDir: string }> {
  readonly code = 'TESTBED_NOT_RUNNING';
  constructor(stateDir: string) {
    super(`no test bed runs from ${stateDir}: start one with \`essg testbed up\``, { stateDir });
  }
}

export class UnknownNodeError extends TestbedError<{ node: string; known: readonly string[] }> {
  readonly code = 'TESTBED_UNKNOWN_NODE';
  constructor(node: string, known: readonly string[]) {
    super(`'${node}' is not a simulated gateway of this test bed (it has ${known.length}: ${known.slice(0, 5).join(', ')}${known.length > 5 ? ', …' : ''})`, { node, known });
  }
}

/** KWOK kept heartbeating a gateway whose uplink `offline` cut, each time it was cut. */
export class UplinkNotCutError extends TestbedError<{ node: string; attempts: number; kwokLog: string | undefined }> {
  readonly code = 'TESTBED_UPLINK_NOT_CUT';
  constructor(data: { node: string; attempts: number; kwokLog: string | undefined }) {
    super(`KWOK kept heartbeating gateway ${data.node} (its lease or status) after its uplink was cut ${data.attempts} times${data.kwokLog ? `; its log is ${data.kwokLog}` : ''}: run \`essg testbed online ${data.node}\` and try again`, data);
  }
}

export class InvalidNodeNameError extends TestbedError<{ node: string }> {
  readonly code = 'TESTBED_INVALID_NODE_NAME';
  constructor(node: string) {
    super(`'${node}' cannot name a node: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters`, { node });
  }
}

export class PortsStillBusyError extends TestbedError<{ ports: readonly number[] }> {
  readonly code = 'TESTBED_PORTS_BUSY';
  constructor(ports: readonly number[]) {
    super(`the test bed stopped but ports ${ports.join(', ')} are still in use`, { ports });
  }
}

export class FleetHasNoGatewaysError extends TestbedError<{ dir: string; problems: readonly string[] }> {
  readonly code = 'TESTBED_FLEET_UNUSABLE';
  constructor(dir: string, problems: readonly string[]) {
    super(`cannot take the gateways of the fleet in ${dir}${problems.length > 0 ? `:\n${problems.slice(0, 10).join('\n')}` : ': it declares none'}`, { dir, problems });
  }
}

/** fail-image and heal-image name an image by its digest, as the catalog pins it. */
export class InvalidImageDigestError extends TestbedError<{ image: string }> {
  readonly code = 'TESTBED_INVALID_IMAGE_DIGEST';
  constructor(image: string) {
    super(`'${image}' is not an image digest: give sha256:<64 lowercase hex> or an image reference pinned by one (registry/name@sha256:<64 hex>)`, { image });
  }
}

export class UnknownFailureModeError extends TestbedError<{ mode: string; modes: readonly string[] }> {
  readonly code = 'TESTBED_UNKNOWN_FAILURE_MODE';
  constructor(mode: string, modes: readonly string[]) {
    super(`'${mode}' is not a failure mode: use one of ${modes.join(', ')}`, { mode, modes });
  }
}

/** A test bed started before KWOK read its stages from the cluster cannot fail images. */
export class StagesNotServedError extends TestbedError<{ server: string }> {
  readonly code = 'TESTBED_STAGES_NOT_SERVED';
  constructor(server: string) {
    super(`the test bed at ${server} does not serve KWOK Stage objects (it was started by an older essg): restart it with \`essg testbed down\` and \`essg testbed up\``, { server });
  }
}
