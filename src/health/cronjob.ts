// CronJob health: suspended, or whether its last scheduled run succeeded.
import { HealthStatus, type ResourceHealth } from './status.ts';
import type { CronJob } from './types.ts';

export function cronJobHealth(cronJob: CronJob): ResourceHealth {
  if (cronJob.spec?.suspend) return { status: HealthStatus.Suspended, message: 'the schedule is suspended' };
  const status = cronJob.status ?? {};
  const active = status.active?.length ?? 0;
  if (active > 0) return { status: HealthStatus.Healthy, message: `${active} run(s) active` };
  const scheduled = status.lastScheduleTime ? Date.parse(status.lastScheduleTime) : undefined;
  const succeeded = status.lastSuccessfulTime ? Date.parse(status.lastSuccessfulTime) : undefined;
  // A run that was scheduled, is no longer active and did not succeed: it failed.
  if (scheduled !== undefined && (succeeded === undefined || succeeded < scheduled)) return { status: HealthStatus.Degraded, message: `the run scheduled at ${status.lastScheduleTime} did not succeed` };
  return { status: HealthStatus.Healthy };
}
