// Job health: complete is healthy, failed (backoff limit, deadline) is degraded, otherwise running.
import { HealthStatus, type ResourceHealth } from './status.ts';
import { condition, type Job } from './types.ts';

export function jobHealth(job: Job): ResourceHealth {
  const conditions = job.status?.conditions;
  const failed = condition(conditions, 'Failed');
  if (failed?.status === 'True') return { status: HealthStatus.Degraded, message: `the job failed${failed.reason ? ` (${failed.reason})` : ''}${failed.message ? `: ${failed.message}` : ''}` };
  if (condition(conditions, 'Complete')?.status === 'True') return { status: HealthStatus.Healthy, message: 'the job completed' };
  if (job.spec?.suspend) return { status: HealthStatus.Suspended, message: 'the job is suspended' };
  return { status: HealthStatus.Progressing, message: `the job is running (${job.status?.active ?? 0} active)` };
}
