import { IpBlockListTooLargeError } from '../errors.ts';
import type { IpBlockInput } from '../inputs.ts';
import type { ResponseListKind } from './response-list.ts';

export { CONFIG_MAP_MAX_BYTES } from './response-list.ts';

/** What a firewall service reads from ip-block.json: the union of the active blocks, per direction. */
export interface IpBlockFile {
  readonly inbound: readonly string[];
  readonly outbound: readonly string[];
  readonly responses: readonly { readonly name: string; readonly direction: string; readonly expires: string }[];
}

/** The gateway's ip-block list: the union of every active ip-block response of the gateway, for its firewall. */
export const IP_BLOCK_LIST: ResponseListKind = {
  action: 'ip-block',
  part: 'ip-block',
  file: 'ip-block.json',
  responseLabel: 'ip-block-list',
  tooLarge: (data) => new IpBlockListTooLargeError(data),
};

export function ipBlockFile(blocks: readonly IpBlockInput[]): IpBlockFile {
  const inbound = new Set<string>();
  const outbound = new Set<string>();
  for (const block of blocks) {
    for (const cidr of block.cidrs) {
      if (block.direction !== 'outbound') inbound.add(cidr);
      if (block.direction !== 'inbound') outbound.add(cidr);
    }
  }
  return {
    inbound: [...inbound].sort(),
    outbound: [...outbound].sort(),
    responses: blocks.map((block) => ({ name: block.response, direction: block.direction, expires: block.expires })),
  };
}
