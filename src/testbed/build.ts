// Builds the test bed's binaries (etcd, the Kubernetes control plane, kubectl, KWOK)
// from the Go module proxy with the wrapper modules under src/testbed/go/, and copies
// the KubeEdge CRD YAML out of the kubeedge Go module and KWOK's stage YAML out of the
// kwok module it built. Idempotent: a fingerprint of everything that decides the output
// is recorded, and an unchanged build is skipped.
//
//   node --import tsx src/testbed/build.ts      (npm run testbed:build)
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BINARIES, buildPlan, findPinMismatch, goAtLeast, KWOK_COPIES, KWOK_MODULE, KWOK_STAGES_FOLDER, MINIMUM_GO, parseGoVersion, type BinaryName, type BuildStep } from './build-plan.ts';
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
  /** KWOK's stage YAML and Stage CRD, copied from the kwok module (see KWOK_COPIES). */
  readonly kwokDir: string;
  /** Each build step's own fingerprint, so a change rebuilds only its step. */
  readonly steps?: Readonly<Record<string, string>>;
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
  const steps = Object.fromEntries(await Promise.all(plan.map(async (step) => [step.module, await stepFingerprint({ step, goVersion })] as const)));
  const previous = await readManifest(out);
  const binariesOf = (dir: string) => Object.fromEntries(BINARIES.map((b) => [b, path.join(dir, b)])) as Record<BinaryName, string>;
  const crdsThere = previous !== undefined && existsSync(previous.crdDir) && previous.versions.kubeedge === versions.kubeedge;
  const kwokThere = previous !== undefined && typeof previous.kwokDir === 'string' && KWOK_COPIES.every((c) => existsSync(path.join(previous.kwokDir, c.to)));
  const stale = plan.filter((step) => !(previous && stepUpToDate({ step, previous, fingerprint: steps[step.module] ?? '', versions, out })));
  if (previous && stale.length === 0 && crdsThere && kwokThere) {
    log(`testbed build: up to date in ${out} (${versions.kubernetes}, etcd ${versions.etcd}, KWOK ${versions.kwok}, metrics-server ${versions.metricsServer}, KubeEdge CRDs ${versions.kubeedge})`);
    if (previous.fingerprint === fingerprint && previous.steps) return previous;
    return writeManifest(out, { ...previous, fingerprint, steps, versions, binaries: binariesOf(out) });
  }
  await mkdir(out, { recursive: true });
  // Only what changed is built: a new component does not rebuild the control plane.
  const total = stale.length + 1;
  for (const [index, step] of stale.entries()) {
    const stepStarted = Date.now();
    log(`testbed build: [${index + 1}/${total}] ${step.title} …`);
    await runGo({ step, out, env });
    log(`testbed build: [${index + 1}/${total}] ${step.title} done in ${seconds(stepStarted)}`);
  }
  let crdDir = previous?.crdDir ?? '';
  if (!crdsThere) {
    const crdStarted = Date.now();
    log(`testbed build: [${total}/${total}] KubeEdge ${versions.kubeedge} CRDs …`);
    crdDir = await copyKubeEdgeCrds({ version: versions.kubeedge, out, env });
    log(`testbed build: [${total}/${total}] KubeEdge CRDs done in ${seconds(crdStarted)}`);
  }
  const kwokDir = stale.some((s) => s.module === 'kwok') || !kwokThere ? await copyKwokManifests({ out, env }) : previous!.kwokDir;
  const manifest = await writeManifest(out, { fingerprint, steps, versions, builtAt: new Date().toISOString(), binaries: binariesOf(out), crdDir, kwokDir });
  log(`testbed build: done in ${seconds(started)} → ${out}`);
  return manifest;
}

async function writeManifest(out: string, manifest: BuildManifest): Promise<BuildManifest> {
  await writeFile(path.join(out, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * A step is built when its binaries exist and were built from the same inputs. A manifest
 * from before steps were recorded one by one stands for the versions it names.
 */
function stepUpToDate({ step, previous, fingerprint, versions, out }: { step: BuildStep; previous: BuildManifest; fingerprint: string; versions: TestbedVersions; out: string }): boolean {
  if (!step.binaries.every((b) => existsSync(path.join(out, b)))) return false;
  if (previous.steps) return previous.steps[step.module] === fingerprint;
  const main = step.pins[0];
  return main !== undefined && Object.entries(previous.versions).some(([key, version]) => version === main.version && versions[key as keyof TestbedVersions] === version);
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

/** What decides one step's output: its recipe, its wrapper module and the Go toolchain. */
async function stepFingerprint({ step, goVersion }: { step: BuildStep; goVersion: string }): Promise<string> {
  const hash = createHash('sha256');
  hash.update(goVersion).update(JSON.stringify(step));
  const dir = path.join(GO_MODULES_DIR, step.module);
  for (const file of (await readdir(dir)).filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go')).sort()) {
    hash.update(file).update(await readFile(path.join(dir, file)));
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
  const to = path.join(out, 'crds');
  await rm(to, { recursive: true, force: true });
  await copyYaml(path.join(info.Dir, 'build', 'crds'), to);
  return to;
}

/** KWOK's stage YAML from the kwok module the wrapper built (so its exact version), beside the binaries. */
async function copyKwokManifests({ out, env }: { out: string; env: NodeJS.ProcessEnv }): Promise<string> {
  const result = spawnSync('go', ['list', '-m', '-json', KWOK_MODULE], { cwd: path.join(GO_MODULES_DIR, 'kwok'), env, encoding: 'utf8' });
  const info = result.status === 0 ? (JSON.parse(result.stdout) as { Dir?: string }) : {};
  if (!info.Dir) {
    process.stderr.write(result.stderr);
    throw new BuildFailedError(`the ${KWOK_MODULE} stage YAML`, result.status);
  }
  // Written beside and renamed, so a test bed starting meanwhile never reads half a folder.
  const to = path.join(out, KWOK_STAGES_FOLDER);
  const staging = `${to}.${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  for (const copy of KWOK_COPIES) await copyYaml(path.join(info.Dir, copy.from), path.join(staging, copy.to));
  await rm(to, { recursive: true, force: true });
  await rename(staging, to);
  return to;
}

/** Copies one YAML file, or the YAML files of a folder tree. */
async function copyYaml(from: string, to: string): Promise<void> {
  // Copied file by file: the module cache is read-only, and a copy that kept its modes could not be removed later.
  const write = async (source: string, target: string): Promise<void> => {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, await readFile(source));
  };
  if ((await stat(from)).isFile()) return write(from, to);
  for (const entry of await readdir(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.yaml')) continue;
    const source = path.join(entry.parentPath, entry.name);
    await write(source, path.join(to, path.relative(from, source)));
  }
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
