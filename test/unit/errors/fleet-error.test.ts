import { describe, expect, it } from 'vitest';
import { FleetError } from '../../../src/errors/fleet-error.ts';
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
});
