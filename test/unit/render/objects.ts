// Lookups into rendered objects for assertions.
import type { K8sObject } from '../../../src/render/index.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered objects are plain JSON; tests read them by path */
export type Json = any;

export function find(objects: readonly K8sObject[], kind: string, name: string): Json {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

export function ofKind(objects: readonly K8sObject[], kind: string): Json[] {
  return objects.filter((o) => o.kind === kind);
}

export function podSpecOf(workload: Json): Json {
  return workload.kind === 'CronJob' ? workload.spec.jobTemplate.spec.template.spec : workload.spec.template.spec;
}
