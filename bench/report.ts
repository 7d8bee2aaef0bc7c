// Benchmarks write their figures into BENCHMARKS.md, one section per benchmark,
// replacing that section only, so each can be re-run on its own.
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';

export interface BenchSection {
  /** Stable id: the section is found again by `<!-- bench:ID -->` markers. */
  readonly id: string;
  readonly title: string;
  /** The command that produced the figures. */
  readonly command: string;
  /** Markdown body: tables and notes. */
  readonly body: string;
}

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

export async function writeSection(file: string, section: BenchSection): Promise<void> {
  const current = await readFile(file, 'utf8').catch(() => '# Benchmarks\n\nFigures measured on this project\'s development machine; every section names the command that produced it. Compare ratios within one section: the machines are shared and noisy.\n');
  const start = `<!-- bench:${section.id} -->`;
  const end = `<!-- /bench:${section.id} -->`;
  const block = `${start}\n## ${section.title}\n\nCommand: \`${section.command}\`  \nMachine: ${machineLine()}\n\n${section.body.trim()}\n${end}`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? current.slice(0, from) + block + current.slice(to + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  await writeFile(file, next);
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
