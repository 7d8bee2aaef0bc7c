// Failing images, as KWOK stages: a pod whose container runs an image of the chosen digest
// is made to fail the way a kubelet shows it, so rollouts and rollbacks are proven on real
// Deployments. Pure: the stages as data; fail-image.ts puts them into the cluster.
//
// Pods are selected by digest (what the catalog pins), whatever registry name the image has.
// A stage matches a pod when something about the pod changes (KWOK plays stages on events),
// so a failure applies to pods started after it is set; pods already running keep their state.
import { InvalidImageDigestError, UnknownFailureModeError } from './errors.ts';
import { NOT_DELETING, podStage, type KwokStage, type StageExpression } from './kwok-stage.ts';

export const FAILURE_MODES = ['crashloop', 'never-ready', 'pull-error'] as const;
export type FailureMode = (typeof FAILURE_MODES)[number];

export const DIGEST_ANNOTATION = 'testbed.essg.io/image-digest';
export const MODE_ANNOTATION = 'testbed.essg.io/failure-mode';

/** KWOK's default pod stages have weight 0: where one of them and a failure stage both match, the failure wins. */
export const FAILURE_WEIGHT = 10_000;

/** How long a crashing container runs before it exits. */
export const CRASH_AFTER_MS = 1000;

/**
 * The kubelet's restart back-off: the first crash restarts at once, later ones wait 10 s,
 * doubling up to 5 minutes. Indexed by the restart count at the time of the crash.
 */
export const CRASH_BACKOFF_SECONDS = [0, 10, 20, 40, 80, 160] as const;
export const MAX_CRASH_BACKOFF_SECONDS = 300;

/** How long a failed pull shows ErrImagePull before the kubelet backs off (ImagePullBackOff). */
export const PULL_BACKOFF_AFTER_MS = 1000;

const DIGEST = /^(?:[^@\s]+@)?(sha256:[0-9a-f]{64})$/;

/** `sha256:<hex>` from a digest or an image reference pinned by one (`registry/name@sha256:<hex>`). */
export function imageDigest(image: string): string {
  const match = DIGEST.exec(image.trim());
  if (!match?.[1]) throw new InvalidImageDigestError(image);
  return match[1];
}

/** Whether a container image runs the digest: the part after its last `@`, as the stages compare it. */
export function runsDigest(image: string | undefined, digest: string): boolean {
  return image?.split('@').at(-1) === digest;
}

export function parseFailureMode(value: string): FailureMode {
  const mode = FAILURE_MODES.find((m) => m === value);
  if (!mode) throw new UnknownFailureModeError(value, FAILURE_MODES);
  return mode;
}

/** The stages that make pods running `digest` fail in `mode`, in the order a pod goes through them: the one a fresh pod enters first. */
export function failureStages({ digest, mode }: { digest: string; mode: FailureMode }): KwokStage[] {
  const checked = imageDigest(digest);
  const stage = (step: string, spec: Omit<Parameters<typeof podStage>[0], 'name' | 'role' | 'annotations' | 'weight'>): KwokStage =>
    podStage({ name: stageName({ digest: checked, mode, step }), role: 'fail-image', annotations: { [DIGEST_ANNOTATION]: checked, [MODE_ANNOTATION]: mode }, weight: FAILURE_WEIGHT, ...spec });
  const fresh = [NOT_DELETING, { key: '.status.podIP', operator: 'DoesNotExist' }, specRunsDigest(checked)] as const satisfies readonly StageExpression[];
  switch (mode) {
    case 'never-ready':
      return [
        stage('start', {
          selector: fresh,
          next: { statusTemplate: startedTemplate(checked), event: { type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503' } },
        }),
      ];
    case 'crashloop':
      return [
        stage('start', { selector: fresh, next: { statusTemplate: startedTemplate(checked) } }),
        stage('crash', {
          selector: [NOT_DELETING, { key: '.spec.restartPolicy', operator: 'NotIn', values: ['Never'] }, containerStatusIs(checked, '.state.running')],
          delay: { durationMilliseconds: CRASH_AFTER_MS },
          next: { statusTemplate: crashTemplate(checked), event: { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container' } },
        }),
        stage('restart', {
          selector: [NOT_DELETING, containerStatusIs(checked, '.state.waiting.reason == "CrashLoopBackOff"')],
          delay: { durationMilliseconds: CRASH_BACKOFF_SECONDS[1] * 1000, durationFrom: { jq: { expression: restartDelayQuery(checked) } } },
          next: { statusTemplate: restartTemplate(checked) },
        }),
        stage('exit', {
          selector: [NOT_DELETING, { key: '.spec.restartPolicy', operator: 'In', values: ['Never'] }, containerStatusIs(checked, '.state.running')],
          delay: { durationMilliseconds: CRASH_AFTER_MS },
          next: { statusTemplate: exitTemplate(checked) },
        }),
      ];
    case 'pull-error':
      return [
        stage('start', { selector: fresh, next: { statusTemplate: pullFailedTemplate(checked), event: { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' } } }),
        stage('backoff', {
          selector: [NOT_DELETING, containerStatusIs(checked, '.state.waiting.reason == "ErrImagePull"')],
          delay: { durationMilliseconds: PULL_BACKOFF_AFTER_MS },
          next: { statusTemplate: pullBackOffTemplate(checked), event: { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff' } },
        }),
      ];
  }
}

/** Stage names say what they do; the digest keeps one image's stages apart from another's. */
export function stageName({ digest, mode, step }: { digest: string; mode: FailureMode; step: string }): string {
  return `essg-${mode}-${step}-${digest.slice('sha256:'.length)}`;
}

// --- selectors (jq, as KWOK's matchExpressions take them) ---

function digestOf(jqImage: string): string {
  return `(${jqImage} | split("@") | last)`;
}

/** Some container of the pod's spec runs the image. */
function specRunsDigest(digest: string): StageExpression {
  return { key: `.spec.containers.[].image | split("@") | last`, operator: 'In', values: [digest] };
}

/** Some container status of the image satisfies a jq condition. */
function containerStatusIs(digest: string, condition: string): StageExpression {
  return { key: `.status.containerStatuses.[] | select((${condition}) and ${digestOf('.image')} == ${JSON.stringify(digest)}) | .name`, operator: 'Exists' };
}

/** The back-off before a crash-looping container starts again, from its restart count. */
function restartDelayQuery(digest: string): string {
  const table = JSON.stringify(CRASH_BACKOFF_SECONDS);
  return `[.status.containerStatuses.[] | select(.state.waiting.reason == "CrashLoopBackOff" and ${digestOf('.image')} == ${JSON.stringify(digest)}) | .restartCount][0] | if . < ${CRASH_BACKOFF_SECONDS.length} then ${table}[.] else ${MAX_CRASH_BACKOFF_SECONDS} end | "\\(.)s"`;
}

// --- status templates (Go templates with sprig, rendered by KWOK over the pod) ---

/** True inside a range over containers or container statuses when this one runs the image. */
const FAILING = '(eq (last (splitList "@" .image)) $digest)';

function preamble(digest: string): string[] {
  return ['{{ $now := Now }}', `{{ $digest := ${JSON.stringify(digest)} }}`];
}

/** Initialized, but not Ready: the containers of the image are not ready, as the kubelet words it. */
const NOT_READY_CONDITIONS = [
  '{{ $unready := list }}',
  `{{ range .spec.containers }}{{ if ${FAILING} }}{{ $unready = append $unready .name }}{{ end }}{{ end }}`,
  '{{ $message := printf "containers with unready status: [%s]" (join " " $unready) }}',
  'conditions:',
  '- lastTransitionTime: {{ $now | Quote }}',
  '  status: "True"',
  '  type: Initialized',
  ...['Ready', 'ContainersReady'].flatMap((type) => ['- lastTransitionTime: {{ $now | Quote }}', '  message: {{ $message | Quote }}', '  reason: ContainersNotReady', '  status: "False"', `  type: ${type}`]),
];

/** Init containers complete (or, as sidecars, run), as KWOK's pod-ready stage has them. */
const INIT_CONTAINERS = [
  'initContainerStatuses:',
  '{{ range .spec.initContainers }}',
  '- image: {{ .image | Quote }}',
  '  name: {{ .name | Quote }}',
  '  ready: true',
  '  restartCount: 0',
  '  {{ if eq .restartPolicy "Always" }}',
  '  started: true',
  '  state:',
  '    running:',
  '      startedAt: {{ $now | Quote }}',
  '  {{ else }}',
  '  state:',
  '    terminated:',
  '      exitCode: 0',
  '      finishedAt: {{ $now | Quote }}',
  '      reason: Completed',
  '      startedAt: {{ $now | Quote }}',
  '  {{ end }}',
  '{{ end }}',
];

const POD_ADDRESSES = [
  'hostIP: {{ NodeIPWith .spec.nodeName | Quote }}',
  'podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}',
  'startTime: {{ $now | Quote }}',
];

function running(ready: string): string[] {
  return ['- image: {{ .image | Quote }}', '  name: {{ .name | Quote }}', `  ready: ${ready}`, '  restartCount: 0', '  started: true', '  state:', '    running:', '      startedAt: {{ $now | Quote }}'];
}

/** Every other container status stays as it is (container statuses are replaced as a whole list). */
const UNCHANGED = ['{{ else }}', '- {{ toJson . }}', '{{ end }}', '{{ end }}'];

/** Running, but the image's containers never ready (a readiness probe that keeps failing). */
function startedTemplate(digest: string): string {
  return lines([...preamble(digest), ...NOT_READY_CONDITIONS, 'containerStatuses:', '{{ range .spec.containers }}', ...running(`{{ not ${FAILING} }}`), '{{ end }}', ...INIT_CONTAINERS, ...POD_ADDRESSES, 'phase: Running']);
}

/** The container exits 1: restarted at once the first time, then held in CrashLoopBackOff. */
function crashTemplate(digest: string): string {
  const backoff = `{{ $backoff := ${MAX_CRASH_BACKOFF_SECONDS} }}{{ if lt $restarts ${CRASH_BACKOFF_SECONDS.length} }}{{ $backoff = index (list ${CRASH_BACKOFF_SECONDS.join(' ')}) $restarts }}{{ end }}`;
  return lines([
    ...preamble(digest),
    '{{ $pod := printf "%s_%s(%s)" .metadata.name .metadata.namespace .metadata.uid }}',
    'containerStatuses:',
    '{{ range .status.containerStatuses }}',
    `{{ if and .state.running ${FAILING} }}`,
    '{{ $restarts := int .restartCount }}',
    '- image: {{ .image | Quote }}',
    '  name: {{ .name | Quote }}',
    '  ready: false',
    '  lastState:',
    '    terminated:',
    '      exitCode: 1',
    '      finishedAt: {{ $now | Quote }}',
    '      reason: Error',
    '      startedAt: {{ .state.running.startedAt | Quote }}',
    '  {{ if eq $restarts 0 }}',
    '  restartCount: 1',
    '  started: true',
    '  state:',
    '    running:',
    '      startedAt: {{ $now | Quote }}',
    '  {{ else }}',
    `  ${backoff}`,
    '  restartCount: {{ $restarts }}',
    '  started: false',
    '  state:',
    '    waiting:',
    '      message: {{ printf "back-off %ds restarting failed container=%s pod=%s" $backoff .name $pod | Quote }}',
    '      reason: CrashLoopBackOff',
    '  {{ end }}',
    ...UNCHANGED,
  ]);
}

/** The back-off is over: the container starts again, one restart more. */
function restartTemplate(digest: string): string {
  return lines([
    ...preamble(digest),
    'containerStatuses:',
    '{{ range .status.containerStatuses }}',
    `{{ if and .state.waiting (eq .state.waiting.reason "CrashLoopBackOff") ${FAILING} }}`,
    '- image: {{ .image | Quote }}',
    '  name: {{ .name | Quote }}',
    '  ready: false',
    '  lastState: {{ toJson .lastState }}',
    '  restartCount: {{ add .restartCount 1 }}',
    '  started: true',
    '  state:',
    '    running:',
    '      startedAt: {{ $now | Quote }}',
    ...UNCHANGED,
  ]);
}

/** With restartPolicy Never the kubelet does not restart the container: the pod fails. */
function exitTemplate(digest: string): string {
  return lines([
    ...preamble(digest),
    'containerStatuses:',
    '{{ range .status.containerStatuses }}',
    `{{ if and .state.running ${FAILING} }}`,
    '- image: {{ .image | Quote }}',
    '  name: {{ .name | Quote }}',
    '  ready: false',
    '  restartCount: {{ int .restartCount }}',
    '  started: false',
    '  state:',
    '    terminated:',
    '      exitCode: 1',
    '      finishedAt: {{ $now | Quote }}',
    '      reason: Error',
    '      startedAt: {{ .state.running.startedAt | Quote }}',
    ...UNCHANGED,
    'conditions:',
    ...['Ready', 'ContainersReady'].flatMap((type) => ['- lastTransitionTime: {{ $now | Quote }}', '  reason: PodFailed', '  status: "False"', `  type: ${type}`]),
    'phase: Failed',
  ]);
}

/** The image's containers wait on a pull the registry answers with "not found"; the others run. */
function pullFailedTemplate(digest: string): string {
  return lines([
    ...preamble(digest),
    ...NOT_READY_CONDITIONS,
    'containerStatuses:',
    '{{ range .spec.containers }}',
    `{{ if ${FAILING} }}`,
    '- image: {{ .image | Quote }}',
    '  name: {{ .name | Quote }}',
    '  ready: false',
    '  restartCount: 0',
    '  started: false',
    '  state:',
    '    waiting:',
    '      message: {{ printf "rpc error: code = NotFound desc = failed to pull and unpack image %q: failed to resolve reference %q: %s: not found" .image .image .image | Quote }}',
    '      reason: ErrImagePull',
    '{{ else }}',
    ...running('true'),
    '{{ end }}',
    '{{ end }}',
    ...INIT_CONTAINERS,
    ...POD_ADDRESSES,
    'phase: Pending',
  ]);
}

function pullBackOffTemplate(digest: string): string {
  return lines([
    ...preamble(digest),
    'containerStatuses:',
    '{{ range .status.containerStatuses }}',
    `{{ if and .state.waiting (eq .state.waiting.reason "ErrImagePull") ${FAILING} }}`,
    '- image: {{ .image | Quote }}',
    '  name: {{ .name | Quote }}',
    '  ready: false',
    '  restartCount: 0',
    '  started: false',
    '  state:',
    '    waiting:',
    '      message: {{ printf "Back-off pulling image %q" .image | Quote }}',
    '      reason: ImagePullBackOff',
    ...UNCHANGED,
  ]);
}

function lines(all: readonly string[]): string {
  return `${all.join('\n')}\n`;
}
