// A work tree's own repository (`essg plan` in CI): the same commit reads as the
// reconciler's, over the `.git` folder of a directory.
import fs from 'node:fs';
import path from 'node:path';
import { type CommitStore, openCommitStore } from './commit-store.ts';
import { GitObjectMissingError } from './errors.ts';

/** The gitdir of a work tree: `DIR/.git`, or where a `.git` file points (worktrees, submodules). */
export function findGitdir(dir: string): string {
  const dotGit = path.join(path.resolve(dir), '.git');
  let stat;
  try {
    stat = fs.statSync(dotGit);
  } catch {
    throw new GitObjectMissingError(`git: ${dir} is not a Git work tree (no .git)`, { component: 'git', failure: 'object-missing', url: path.resolve(dir) });
  }
  if (stat.isDirectory()) return dotGit;
  const pointer = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'))?.[1]?.trim();
  if (!pointer) throw new GitObjectMissingError(`git: ${dotGit} does not name a gitdir`, { component: 'git', failure: 'object-missing', url: path.resolve(dir) });
  return path.resolve(path.dirname(dotGit), pointer);
}

export function openLocalRepo({ dir }: { readonly dir: string }): CommitStore {
  return openCommitStore({ gitdir: findGitdir(dir), origin: path.resolve(dir) });
}
