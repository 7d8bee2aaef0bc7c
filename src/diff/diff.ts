// A unified diff of one object, live → desired, on the fields we set only.
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import type { K8sObject } from '../render/index.ts';
import { projectLive } from './compare.ts';
import { describeRef, refOf } from './refs.ts';

function toYaml(value: unknown): string {
  return value === undefined ? '' : stringify(value, { sortMapEntries: true, lineWidth: 0 });
}

/**
 * `--- live` / `+++ desired` hunks with 3 lines of context. An empty string when the fields
 * we set are equal (e.g. the change only removes a field, which server-side apply drops).
 */
export function objectDiff({ desired, live }: { readonly desired: K8sObject; readonly live: K8sObject | undefined }): string {
  const before = toYaml(live === undefined ? undefined : projectLive(desired, live));
  const after = toYaml(desired);
  if (before === after) return '';
  const name = describeRef(refOf(desired));
  const patch = createTwoFilesPatch(`live ${name}`, `desired ${name}`, before, after, undefined, undefined, { context: 3 });
  // jsdiff starts with an "Index:" line and a rule, which say nothing here.
  return patch.split('\n').filter((line) => !line.startsWith('Index: ') && !/^=+$/.test(line)).join('\n').trimEnd();
}
