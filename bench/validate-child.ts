// One measurement: load (validate) a fleet directory in this fresh process.
import { loadFleetFromDir } from '../src/model/load.ts';
import { reportFromChild } from './child.ts';

const dir = process.argv[2]!;
const started = performance.now();
const cpuBefore = process.cpuUsage();
const result = await loadFleetFromDir(dir);
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
if (!result.ok) throw new Error(`synthetic fleet is invalid: ${JSON.stringify(result.problems.slice(0, 3))}`);
reportFromChild({ ms, cpuMs: (cpu.user + cpu.system) / 1000, gateways: result.model.gateways.size });
