// The template fleet as an in-memory file map, so tests can break one thing at a time.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPLATE_DIR = fileURLToPath(new URL('../../fleet-repo-template/', import.meta.url));

export function templateFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const dirent of readdirSync(path.join(TEMPLATE_DIR, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${dirent.name}` : dirent.name;
      if (dirent.isDirectory()) walk(child);
      else if (dirent.name.endsWith('.yaml')) files[child] = readFileSync(path.join(TEMPLATE_DIR, child), 'utf8');
    }
  };
  walk('');
  return files;
}

/** Replaces exactly one occurrence of `from` in `file`; fails loudly when the fixture drifted. */
export function edit(files: Record<string, string>, file: string, from: string, to: string): void {
  const content = files[file];
  if (content === undefined) throw new Error(`fixture has no ${file}`);
  const count = content.split(from).length - 1;
  if (count !== 1) throw new Error(`expected one \`${from}\` in ${file}, found ${count}`);
  files[file] = content.replace(from, to);
}
