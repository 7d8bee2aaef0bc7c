import { describe, expect, it } from 'vitest';
import { deployCounts } from '../../../src/report/index.ts';
import type { GatewayApplyResult } from '../../../src/apply/index.ts';

const result = (gateway: string, ok: boolean): GatewayApplyResult => ({ gateway, ok, applied: [], deleted: [], inventoryWritten: ok, errors: [] });

describe('essg/deploy counts', () => {
  it('counts gateways on the head, held short of it, and failed', () => {
    const targets = [
      { gateway: 'a', customer: 'acme', revision: 'h', decisions: [] },
      { gateway: 'b', customer: 'acme', revision: 'old', pending: 'h', decisions: [] },
      { gateway: 'c', customer: 'globex', revision: 'h', decisions: [] },
    ];
    expect(deployCounts({ head: 'h', targets, applied: [result('a', true), result('c', false)] })).toEqual({ applied: 1, pending: 1, failed: 1 });
  });
});
