import { EdrActionListTooLargeError } from '../errors.ts';
import type { EdrActionInput } from '../inputs.ts';
import type { ResponseListKind } from './response-list.ts';

/**
 * What an EDR adapter reads from edr-actions.json: every active EDR action of the gateway, in
 * response-name order. The adapter carries each out on the customer's EDR console and undoes
 * it (releases an isolated host) when the action leaves the file or its `expires` passes,
 * which it can tell on its own while the gateway is offline.
 */
export interface EdrActionFile {
  readonly actions: readonly {
    readonly response: string;
    readonly command: EdrActionInput['command'];
    readonly endpoints: readonly string[];
    readonly reason: string;
    readonly expires: string;
  }[];
}

export const EDR_ACTION_LIST: ResponseListKind = {
  action: 'edr-action',
  part: 'edr-actions',
  file: 'edr-actions.json',
  responseLabel: 'edr-action-list',
  tooLarge: (data) => new EdrActionListTooLargeError(data),
};

export function edrActionFile(actions: readonly EdrActionInput[]): EdrActionFile {
  return {
    actions: actions.map((action) => ({ response: action.response, command: action.command, endpoints: [...action.endpoints].sort(), reason: action.reason, expires: action.expires })),
  };
}
