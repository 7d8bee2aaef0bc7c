// `npm run bench [-- NAME …]`: runs bench/NAME.bench.ts (all of them by default), one
// after the other, each writing its own section of BENCHMARKS.md.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const all = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, '')).sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${all.join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : all) {
  console.log(`== bench ${name}`);
  const started = Date.now();
  const mod = (await import(pathToFileURL(path.join(dir, `${name}.bench.ts`)).href)) as { main: () => Promise<void> };
  await mod.main();
  console.log(`== bench ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
