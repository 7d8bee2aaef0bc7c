// Builds the test bed's binaries (etcd, the Kubernetes control plane, kubectl, KWOK)
// from the Go module proxy with the wrapper modules under src/testbed/go/, and copies
// the KubeEdge CRD YAML out of the kubeedge Go module. Idempotent: a fingerprint of
// everything that decides the output is recorded, and an unchanged build is skipped.
//
//   node --import tsx src/testbed/build.ts      (npm run testbed:build)
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BINARIES, buildPlan, findPinMismatch, goAtLeast, MINIMUM_GO, parseGoVersion, type BinaryName, type BuildStep } from './build-plan.ts';
import { BuildFailedError, GoMissingError, VersionMismatchError } from './errors.ts';
import { binDir, GO_MODULES_DIR } from './paths.ts';
import { readVersions, VERSIONS_FILE, type TestbedVersions } from './versions.ts';

export interface BuildManifest {
  readonly fingerprint: string;
  readonly versions: TestbedVersions;
  readonly builtAt: string;
  readonly binaries: Readonly<Record<BinaryName, string>>;
  /** The KubeEdge CRD YAML, copied from the kubeedge module's build/crds. */
  readonly crdDir: string;
}

export type Log = (line: string) => void;
const stderrLog: Log = (line) => process.stderr.write(`${line}\n`);

const MANIFEST = 'manifest.json';

export async function readManifest(dir: string = binDir()): Promise<BuildManifest | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, MANIFEST), 'utf8')) as BuildManifest;
  } catch {
    return undefined;
  }
}

/** Builds what is missing or stale, and returns where the binaries are. */
export async function ensureBuilt({ log = stderrLog, env = process.env }: { log?: Log; env?: NodeJS.ProcessEnv } = {}): Promise<BuildManifest> {
  const started = Date.now();
  const goVersion = checkGo(env);
  const versions = readVersions();
  const plan = buildPlan(versions);
  await checkPins(plan);
  const out = binDir(env);
  const fingerprint = await fingerprintOf({ plan, goVersion });
  const previous = await readManifest(out);
  if (previous?.fingerprint === fingerprint && BINARIES.every((b) => existsSync(previous.binaries[b])) && existsSync(previous.crdDir)) {
    log(`testbed build: up to date in ${out} (${versions.kubernetes}, etcd ${versions.etcd}, KWOK ${versions.kwok}, KubeEdge CRDs ${versions.kubeedge})`);
    return previous;
  }
  await mkdir(out, { recursive: true });
  for (const [index, step] of plan.entries()) {
    const stepStarted = Date.now();
    log(`testbed build: [${index + 1}/${plan.length + 1}] ${step.title} …`);
    await runGo({ step, out, env });
    log(`testbed build: [${index + 1}/${plan.length + 1}] ${step.title} done in ${seconds(stepStarted)}`);
  }
  const crdStarted = Date.now();
  log(`testbed build: [${plan.length + 1}/${plan.length + 1}] KubeEdge ${versions.kubeedge} CRDs …`);
  const crdDir = await copyKubeEdgeCrds({ version: versions.kubeedge, out, env });
  log(`testbed build: [${plan.length + 1}/${plan.length + 1}] KubeEdge CRDs done in ${seconds(crdStarted)}`);
  const binaries = Object.fromEntries(BINARIES.map((b) => [b, path.join(out, b)])) as Record<BinaryName, string>;
  const manifest: BuildManifest = { fingerprint, versions, builtAt: new Date().toISOString(), binaries, crdDir };
  await writeFile(path.join(out, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  log(`testbed build: done in ${seconds(started)} → ${out}`);
  return manifest;
}

function checkGo(env: NodeJS.ProcessEnv): string {
  const result = spawnSync('go', ['version'], { env, encoding: 'utf8' });
  if (result.error || result.status !== 0) throw new GoMissingError(MINIMUM_GO, null);
  const found = parseGoVersion(result.stdout);
  if (found !== undefined && !goAtLeast(found, MINIMUM_GO)) throw new GoMissingError(MINIMUM_GO, found);
  return result.stdout.trim();
}

async function checkPins(plan: readonly BuildStep[]): Promise<void> {
  for (const step of plan) {
    const goMod = path.join(GO_MODULES_DIR, step.module, 'go.mod');
    const mismatch = findPinMismatch(await readFile(goMod, 'utf8'), step.pins);
    if (mismatch) throw new VersionMismatchError({ goMod: path.relative(process.cwd(), goMod), ...mismatch });
  }
}

/** Everything that decides the output: versions, wrapper modules, the recipe and the Go toolchain. */
async function fingerprintOf({ plan, goVersion }: { plan: readonly BuildStep[]; goVersion: string }): Promise<string> {
  const hash = createHash('sha256');
  hash.update(goVersion).update(JSON.stringify(plan)).update(await readFile(VERSIONS_FILE));
  for (const step of plan) {
    const dir = path.join(GO_MODULES_DIR, step.module);
    for (const file of (await readdir(dir)).filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go')).sort()) {
      hash.update(file).update(await readFile(path.join(dir, file)));
    }
  }
  return hash.digest('hex');
}

function runGo({ step, out, env }: { step: BuildStep; out: string; env: NodeJS.ProcessEnv }): Promise<void> {
  // One package builds to a file path, several to a folder (each named after its package).
  const output = step.packages.length === 1 ? path.join(out, step.binaries[0] ?? step.module) : `${out}${path.sep}`;
  const args = ['build', '-trimpath', '-ldflags', ['-s', '-w', ...step.ldflags].join(' '), '-o', output, ...step.packages];
  return new Promise((resolve, reject) => {
    // Go's own progress ("go: downloading …") goes to stderr so stdout stays clean for callers.
    const child = spawn('go', args, { cwd: path.join(GO_MODULES_DIR, step.module), env, stdio: ['ignore', process.stderr, process.stderr] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new BuildFailedError(step.title, code))));
  });
}

async function copyKubeEdgeCrds({ version, out, env }: { version: string; out: string; env: NodeJS.ProcessEnv }): Promise<string> {
  const result = spawnSync('go', ['mod', 'download', '-json', `github.com/kubeedge/kubeedge@${version}`], { cwd: os.tmpdir(), env: { ...env, GOFLAGS: '-mod=mod' }, encoding: 'utf8' });
  const info = result.status === 0 ? (JSON.parse(result.stdout) as { Dir?: string; Error?: string }) : { Error: result.stderr };
  if (!info.Dir) {
    process.stderr.write(`${info.Error ?? ''}\n`);
    throw new BuildFailedError(`the KubeEdge ${version} CRDs`, result.status);
  }
  const from = path.join(info.Dir, 'build', 'crds');
  const to = path.join(out, 'crds');
  await rm(to, { recursive: true, force: true });
  // Copied file by file: the module cache is read-only, and a copy that kept its modes could not be removed later.
  for (const entry of await readdir(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.yaml')) continue;
    const source = path.join(entry.parentPath, entry.name);
    const target = path.join(to, path.relative(from, source));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, await readFile(source));
  }
  return to;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await ensureBuilt();
  } catch (error) {
    process.stderr.write(`testbed build: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
