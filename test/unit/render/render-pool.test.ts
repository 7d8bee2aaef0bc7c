// A cold render of many gateways spread over render threads: the same renders as one thread
// gives, each failure its own gateway's, and the renders kept for the next commit.
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayRenders, renderGateways, renderGatewaysOn } from '../../../src/load/fleet-at.ts';
import { RenderPool } from '../../../src/render/index.ts';
import { CATALOG, catalogEntry, fleetModel, gatewayModel, NOW } from './fleet-fixture.ts';

const pools: RenderPool[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});
function pool(options: ConstructorParameters<typeof RenderPool>[0]): RenderPool {
  const made = new RenderPool(options);
  pools.push(made);
  return made;
}

const badPorts = catalogEntry('probe', { version: '1.0.0', hostNetwork: true, ports: [{ name: 'http', containerPort: 80, hostPort: 8080 }] });
/** 600 gateways (more than two threads' batches), one of which cannot render. */
const model = fleetModel({
  catalog: [...Object.values(CATALOG), badPorts],
  gateways: Array.from({ length: 600 }, (_, i) => gatewayModel({
    name: `gw-${String(i).padStart(3, '0')}`,
    customer: i % 2 ? 'acme' : 'globex',
    services: i === 417 ? [{ catalog: badPorts }] : [{ catalog: CATALOG.logCollector, config: { n: i } }, { catalog: CATALOG.firewall }],
  })),
});

describe('rendering on render threads', () => {
  it('gives the renders and failures one thread gives, in the fleet’s order, and keeps the renders for the next commit', async () => {
    const inThread = renderGateways({ model, now: NOW });
    const renders = new GatewayRenders();
    const threads = pool({ threads: 2, minJobs: 1 });
    const pooled = await renderGatewaysOn({ model, now: NOW, renders, pool: threads });
    expect([...pooled.rendered.keys()]).toEqual([...inThread.rendered.keys()]);
    expect(pooled.rendered).toEqual(inThread.rendered);
    expect([...pooled.failures.values()]).toEqual([expect.objectContaining({ gateway: 'gw-417', file: 'gateways/acme/gw-417.yaml', code: 'RENDER_HOST_PORT_MISMATCH' })]);
    expect(pooled.failures).toEqual(inThread.failures);
    expect(threads.offloaded).toBe(600);
    // The next commit finds every render kept: none is made again, on a thread or here.
    const again = await renderGatewaysOn({ model, now: NOW, renders, pool: threads });
    for (const [gateway, render] of again.rendered) expect(render).toBe(pooled.rendered.get(gateway));
    expect(threads.offloaded).toBe(600 + 1); // the gateway that failed is tried again
  });

  it('renders fewer gateways than its threshold on the calling thread, with the same result', async () => {
    const few = pool({ threads: 2, minJobs: 10_000 });
    const pooled = await renderGatewaysOn({ model, now: NOW, pool: few });
    expect(pooled).toEqual(renderGateways({ model, now: NOW }));
    expect(few.offloaded).toBe(0);
  });
});
