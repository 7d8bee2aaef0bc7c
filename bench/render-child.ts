// One render measurement in this fresh process (see render.bench.ts):
//   full DIR      render every gateway, then serialize every gateway to YAML
//   rerender DIR  render with a cache, change one gateway's config, render the fleet again
//   one-app DIR   every gateway as a chart of one shared cdk8s App, each chart synthesized
import { App } from 'cdk8s';
import { loadFleetFromDir } from '../src/model/load.ts';
import { GatewayChart } from '../src/render/constructs/gateway-chart.ts';
import { RenderCache, renderFleet, renderGateway, toYaml } from '../src/render/index.ts';
import { gatewayInputs } from '../src/render/inputs.ts';
import { measure, reportFromChild } from './child.ts';
import { withOneChange } from './one-change.ts';

const [mode, dir] = process.argv.slice(2) as [string, string];
const NOW = '2026-12-01T00:00:00Z';
const loaded = await loadFleetFromDir(dir);
if (!loaded.ok) throw new Error(`synthetic fleet is invalid: ${JSON.stringify(loaded.problems.slice(0, 3))}`);
const model = loaded.model;

if (mode === 'full') {
  const render = measure(() => renderFleet({ model, now: NOW }));
  const yaml = measure(() => render.result.gateways.reduce((bytes, g) => bytes + toYaml(g.objects).length, 0));
  const objects = render.result.gateways.reduce((n, g) => n + g.objects.length, 0);
  reportFromChild({ renderMs: render.ms, renderCpuMs: render.cpuMs, yamlMs: yaml.ms, yamlCpuMs: yaml.cpuMs, objects, yamlBytes: yaml.result });
} else if (mode === 'rerender') {
  // Five passes, each after a change to a different gateway; the median is reported.
  const cache = new RenderCache();
  renderFleet({ model, now: NOW, cache });
  const names = [...model.gateways.keys()];
  let current = model;
  const passes: { ms: number; synthesized: number; chartMs: number }[] = [];
  for (let i = 1; i <= 5; i++) {
    const target = names[Math.floor((names.length * i) / 6)] as string;
    current = withOneChange(current, target);
    const pass = measure(() => renderFleet({ model: current, now: NOW, cache }));
    const chart = measure(() => renderGateway({ model: current, gateway: target, now: NOW }));
    passes.push({ ms: pass.ms, synthesized: pass.result.synthesized, chartMs: chart.ms });
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const unchanged = measure(() => renderFleet({ model: current, now: NOW, cache }));
  reportFromChild({
    passMs: median(passes.map((p) => p.ms)),
    synthesized: Math.max(...passes.map((p) => p.synthesized)),
    chartMs: median(passes.map((p) => p.chartMs)),
    unchangedPassMs: unchanged.ms,
    unchangedSynthesized: unchanged.result.synthesized,
  });
} else if (mode === 'one-app') {
  const time = Date.parse(NOW);
  const app = new App();
  const charts = [...model.gateways.values()].map((gateway) => new GatewayChart(app, gateway.name, { inputs: gatewayInputs({ model, gateway, now: time }) }));
  const synth = measure(() => charts.reduce((n, chart) => n + chart.toJson().length, 0));
  reportFromChild({ ms: synth.ms, cpuMs: synth.cpuMs, objects: synth.result });
} else {
  throw new Error(`unknown mode ${mode}`);
}
