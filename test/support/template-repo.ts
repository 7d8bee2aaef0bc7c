// A local Git repo of the template fleet, for unit tests that need real commits without a
// Git server: the template copied into a fresh directory and committed on `main`.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEMPLATE_DIR } from './template-fleet.ts';

export interface TemplateRepo {
  readonly dir: string;
  /** Runs git in the repo (as `ops`), returns its trimmed output. */
  git(...args: string[]): string;
  /** The template commit. */
  readonly first: string;
  remove(): void;
}

export function templateRepo(prefix = 'essg-repo-'): TemplateRepo {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=ops', '-c', 'user.email=ops@example.com', '-c', 'protocol.file.allow=always', ...args], { encoding: 'utf8' }).trim();
  cpSync(TEMPLATE_DIR, dir, { recursive: true });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'the template fleet');
  return { dir, git, first: git('rev-parse', 'HEAD'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
