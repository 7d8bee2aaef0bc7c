import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FleetError } from '../../../src/errors/fleet-error.ts';
import { ClusterError } from '../../../src/apply/errors.ts';
import { KubeRequestFailure } from '../../../src/apply/kube-http.ts';
import { RetriesExhausted } from '../../../src/apply/retry.ts';
import { LeaseConflict } from '../../../src/leader/index.ts';
import { GitHubUnavailable } from '../../../src/gate/errors.ts';
import { FleetReadError } from '../../../src/model/load.ts';
import { FleetInvalidError } from '../../../src/model/problems.ts';
import { RenderError } from '../../../src/render/errors.ts';
import { GitSourceError } from '../../../src/source/errors.ts';
import { InvalidCronError } from '../../../src/source/trigger.ts';
import { LogsError, NoServicePodError } from '../../../src/report/pod-logs.ts';
import { TestbedError } from '../../../src/testbed/errors.ts';

class FetchRefusedError extends FleetError<{ url: string; attempts: number[] }> {
  readonly code = 'FETCH_REFUSED';
}

describe('FleetError', () => {
  it('names its class and serialises code, message and data', () => {
    const error = new FetchRefusedError('fetch refused', { url: 'https://git.example/fleet.git', attempts: [1, 2] });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('FetchRefusedError');
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code: 'FETCH_REFUSED', message: 'fetch refused', data: { url: 'https://git.example/fleet.git', attempts: [1, 2] } });
  });

  it('redacts every string of its JSON, nested ones too, and leaves the rest alone', () => {
    const error = new FetchRefusedError('fetch of https://u:s3cret@git.example refused', { url: 'https://u:s3cret@git.example/fleet.git', attempts: [3] });
    const redact = (text: string) => text.replaceAll('s3cret', '[REDACTED]');
    expect(error.redactedJSON(redact)).toEqual({ code: 'FETCH_REFUSED', message: 'fetch of https://u:[REDACTED]@git.example refused', data: { url: 'https://u:[REDACTED]@git.example/fleet.git', attempts: [3] } });
    expect(error.data.url).toContain('s3cret');
  });

  it('is the base of the log and test bed errors', () => {
    expect(LogsError.prototype).toBeInstanceOf(FleetError);
    expect(TestbedError.prototype).toBeInstanceOf(FleetError);
    expect(NoServicePodError.prototype).toBeInstanceOf(FleetError);
  });

  it('is the base of every error class of the product, each of which says its code and data the same way', async () => {
    for (const base of [ClusterError, KubeRequestFailure, RetriesExhausted, LeaseConflict, GitHubUnavailable, FleetReadError, FleetInvalidError, RenderError, GitSourceError, InvalidCronError]) {
      expect(base.prototype, base.name).toBeInstanceOf(FleetError);
    }
    const lease = new LeaseConflict({ lease: 'essg-reconciler', operation: 'update' });
    expect(lease.toJSON()).toEqual({ code: 'LEASE_CONFLICT', message: 'lease essg-reconciler: another candidate wrote it first (update)', data: { lease: 'essg-reconciler', operation: 'update' } });
    const exhausted = new RetriesExhausted(new KubeRequestFailure(503, 'ServiceUnavailable', 'etcd is down'), 3);
    expect(exhausted).toMatchObject({ code: 'RETRIES_EXHAUSTED', name: 'RetriesExhausted', message: 'etcd is down', data: { attempts: 3 } });
    expect(exhausted.cause).toMatchObject({ code: 'KUBE_REQUEST_FAILED', data: { status: 503, reason: 'ServiceUnavailable', detail: 'etcd is down' } });
  });

  it('is the only class in src/ that extends Error directly', async () => {
    const root = path.resolve(import.meta.dirname, '../../../src');
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.ts'));
    const direct: string[] = [];
    for (const file of files) {
      const text = await readFile(path.join(root, file), 'utf8');
      for (const match of text.matchAll(/class (\w+)[^{\n]*\sextends Error\b/g)) direct.push(`${file}: ${match[1]}`);
    }
    expect(direct).toEqual([path.join('errors', 'fleet-error.ts') + ': FleetError']);
  });
});
