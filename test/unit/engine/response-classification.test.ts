// An emergency response renders into objects the gate recognises as that response kind,
// so a customer's pre-authorisation of ip-block or edr-action lets it through without review.
import { describe, expect, it } from 'vitest';
import { classifyChange } from '../../../src/gate/index.ts';
import { MemoryReader } from '../../../src/model/file-reader.ts';
import { loadFleet } from '../../../src/model/load.ts';
import { renderGateway } from '../../../src/render/index.ts';
import { templateFiles } from '../../support/template-fleet.ts';

const NOW = '2026-12-01T00:00:00Z';
const newBlock = `apiVersion: essg.io/v1
kind: Response
metadata: { name: block-scanner }
spec:
  action: ip-block
  customer: acme
  gateways: [acme-sh-02]
  reason: "INC-5000: scanning from a known bad range"
  expires: "2027-01-01T00:00:00Z"
  ipBlock: { cidrs: [192.0.2.0/24] }
`;

async function render(files: Record<string, string>, gateway = 'acme-sh-02') {
  const result = await loadFleet({ reader: new MemoryReader({ files }) });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return renderGateway({ model: result.model, gateway, now: NOW }).objects;
}

describe('response objects', () => {
  it('a new ip-block response changes only the ip-block list, classified as ip-block', async () => {
    const files = templateFiles();
    const before = await render(files);
    const after = await render({ ...files, 'responses/block-scanner.yaml': newBlock });
    const change = classifyChange({ gateway: 'acme-sh-02', customer: 'acme', previous: before, candidate: after, operatorHash: { previous: 'same', candidate: 'same' } });
    expect(change.touchesWorkloads).toBe(false);
    expect([...change.responseActions]).toEqual(['ip-block']);
  });

  it("ending an edr-action changes only the EDR adapter's action list, classified as edr-action", async () => {
    const files = templateFiles();
    const before = await render(files, 'acme-bj-01');
    const ended = { ...files };
    delete ended['responses/isolate-acme-ws-0042.yaml'];
    const after = await render(ended, 'acme-bj-01');
    const change = classifyChange({ gateway: 'acme-bj-01', customer: 'acme', previous: before, candidate: after, operatorHash: { previous: 'same', candidate: 'same' } });
    expect(change).toMatchObject({ touchesWorkloads: false, changedObjects: ['ConfigMap essg-acme/acme-bj-01-edr-actions (v1)'] });
    expect([...change.responseActions]).toEqual(['edr-action']);
  });
});
