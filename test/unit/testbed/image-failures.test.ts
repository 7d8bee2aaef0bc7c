import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { InvalidImageDigestError, UnknownFailureModeError } from '../../../src/testbed/errors.ts';
import { CRASH_BACKOFF_SECONDS, DIGEST_ANNOTATION, FAILURE_MODES, FAILURE_WEIGHT, failureStages, imageDigest, MODE_ANNOTATION, parseFailureMode, runsDigest } from '../../../src/testbed/image-failures.ts';
import { STAGE_ROLE_LABEL, type KwokStage } from '../../../src/testbed/kwok-stage.ts';

const HEX = 'ab'.repeat(32);
const DIGEST = `sha256:${HEX}`;
const OTHER = `sha256:${'cd'.repeat(32)}`;

function keys(stage: KwokStage | undefined): string[] {
  return stage?.spec.selector.matchExpressions.map((e) => `${e.key} ${e.operator}${e.values ? ` ${e.values.join(',')}` : ''}`) ?? [];
}

function step(stages: readonly KwokStage[], name: string): KwokStage | undefined {
  return stages.find((s) => s.metadata.name.includes(`-${name}-`));
}

describe('image digests for fail-image and heal-image', () => {
  it.each([
    ['a digest', DIGEST],
    ['an image reference pinned by digest', `registry.example.com/essg/ids@${DIGEST}`],
    ['a reference with a tag and a digest', `registry.example.com:5000/essg/ids:1.1.0@${DIGEST}`],
    ['a digest with surrounding blanks', ` ${DIGEST}\n`],
  ])('takes %s', (_, input) => {
    expect(imageDigest(input)).toBe(DIGEST);
  });

  it.each([
    ['a tag', 'registry.example.com/essg/ids:1.1.0'],
    ['a short digest', 'sha256:abc'],
    ['upper-case hex', `sha256:${HEX.toUpperCase()}`],
    ['another algorithm', `sha512:${HEX}${HEX}`],
    ['nothing', ''],
  ])('refuses %s, saying what to give', (_, input) => {
    expect(() => imageDigest(input)).toThrow(InvalidImageDigestError);
    expect(() => imageDigest(input)).toThrow(/sha256:<64 lowercase hex>/);
  });

  it('compares a container image by the digest after its @, whatever the registry name', () => {
    expect(runsDigest(`a.example/x@${DIGEST}`, DIGEST)).toBe(true);
    expect(runsDigest(`b.example/y:tag@${DIGEST}`, DIGEST)).toBe(true);
    expect(runsDigest(`a.example/x@${OTHER}`, DIGEST)).toBe(false);
    expect(runsDigest('a.example/x:latest', DIGEST)).toBe(false);
    expect(runsDigest(undefined, DIGEST)).toBe(false);
  });

  it('knows the three failure modes and names them when given another', () => {
    expect(FAILURE_MODES.map(parseFailureMode)).toEqual(['crashloop', 'never-ready', 'pull-error']);
    expect(() => parseFailureMode('oom')).toThrow(UnknownFailureModeError);
    expect(() => parseFailureMode('oom')).toThrow('use one of crashloop, never-ready, pull-error');
  });
});

describe('failure stages', () => {
  it.each(FAILURE_MODES)('%s: every stage is a fail-image pod stage of this digest, outranking KWOK’s default pod stages', (mode) => {
    const stages = failureStages({ digest: DIGEST, mode });

    expect(stages.length).toBeGreaterThan(0);
    for (const stage of stages) {
      expect(stage).toMatchObject({ apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Stage', spec: { resourceRef: { apiGroup: 'v1', kind: 'Pod' } } });
      expect(stage.metadata.labels?.[STAGE_ROLE_LABEL]).toBe('fail-image');
      expect(stage.metadata.annotations).toEqual({ [DIGEST_ANNOTATION]: DIGEST, [MODE_ANNOTATION]: mode });
      expect(stage.spec.weight).toBe(FAILURE_WEIGHT);
      expect(stage.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(stage.metadata.name.length).toBeLessThanOrEqual(253);
      expect(keys(stage)).toContain('.metadata.deletionTimestamp DoesNotExist');
    }
  });

  it.each(FAILURE_MODES)('%s: starts only pods not yet started whose containers run the digest', (mode) => {
    const start = step(failureStages({ digest: DIGEST, mode }), 'start');

    expect(keys(start)).toEqual(['.metadata.deletionTimestamp DoesNotExist', '.status.podIP DoesNotExist', `.spec.containers.[].image | split("@") | last In ${DIGEST}`]);
  });

  it('keeps the stages of two images apart, and of one image under every mode findable by its digest', () => {
    const names = (digest: string) => FAILURE_MODES.flatMap((mode) => failureStages({ digest, mode }).map((s) => s.metadata.name));

    expect(new Set([...names(DIGEST), ...names(OTHER)]).size).toBe(names(DIGEST).length + names(OTHER).length);
    expect(names(DIGEST).every((n) => n.endsWith(HEX))).toBe(true);
  });

  it('accepts a full image reference where a digest is asked for', () => {
    expect(failureStages({ digest: `registry.example.com/essg/ids@${DIGEST}`, mode: 'crashloop' })).toEqual(failureStages({ digest: DIGEST, mode: 'crashloop' }));
  });

  it('crashloop: a running container of the image exits, restarts at once the first time, then backs off as the kubelet does', () => {
    const stages = failureStages({ digest: DIGEST, mode: 'crashloop' });
    const crash = step(stages, 'crash');
    const restart = step(stages, 'restart');

    expect(keys(crash)).toContain('.spec.restartPolicy NotIn Never');
    expect(crash?.spec.next.statusTemplate).toContain('reason: CrashLoopBackOff');
    expect(crash?.spec.next.statusTemplate).toContain(`index (list ${CRASH_BACKOFF_SECONDS.join(' ')}) $restarts`);
    expect(restart?.spec.delay?.durationFrom?.jq.expression).toContain(`${JSON.stringify(CRASH_BACKOFF_SECONDS)}[.]`);
    expect(restart?.spec.next.statusTemplate).toContain('restartCount: {{ add .restartCount 1 }}');
    expect(keys(step(stages, 'exit'))).toContain('.spec.restartPolicy In Never');
  });

  it('never-ready: one stage, Running with the image’s containers never ready', () => {
    const stages = failureStages({ digest: DIGEST, mode: 'never-ready' });

    expect(stages).toHaveLength(1);
    expect(stages[0]?.spec.next.statusTemplate).toContain('phase: Running');
    expect(stages[0]?.spec.next.statusTemplate).toContain('reason: ContainersNotReady');
    expect(stages[0]?.spec.next.statusTemplate).not.toContain('waiting');
  });

  it('pull-error: ErrImagePull first, ImagePullBackOff after', () => {
    const stages = failureStages({ digest: DIGEST, mode: 'pull-error' });

    expect(step(stages, 'start')?.spec.next.statusTemplate).toContain('reason: ErrImagePull');
    expect(step(stages, 'start')?.spec.next.statusTemplate).toContain('phase: Pending');
    expect(keys(step(stages, 'backoff'))).toContainEqual(expect.stringContaining('.state.waiting.reason == "ErrImagePull"'));
    expect(step(stages, 'backoff')?.spec.next.statusTemplate).toContain('reason: ImagePullBackOff');
  });

  it.each(FAILURE_MODES)('%s: the stage YAML, as it goes to the API server', async (mode) => {
    const yaml = failureStages({ digest: DIGEST, mode }).map((s) => stringify(s, { lineWidth: 0, blockQuote: 'literal' })).join('---\n');

    await expect(yaml).toMatchFileSnapshot(`testdata/fail-image/${mode}.yaml`);
  });
});
