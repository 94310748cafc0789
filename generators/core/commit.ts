/**
 * Applies a write plan (write-plan.ts) to the target directory, all or nothing:
 * - the target is written in place, never replaced or renamed: an existing
 *   directory keeps its inode, owner, mode and ACLs; a missing one (and any
 *   missing parent) is created;
 * - each file is written to a temporary file in its own directory and renamed
 *   over its path; a file it replaces or removes is kept under a hard link
 *   until every step has succeeded;
 * - on any failure every replaced or removed file is put back, every file and
 *   directory this run created is removed, and no temporary file is left; the
 *   error says which path failed, why, and what was undone.
 * The steps are synchronous, so a SIGINT is handled only after the commit.
 */
import { copyFileSync, linkSync, lstatSync, mkdirSync, renameSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { explain, FileSystemError, isExplainable } from './fs-errors.ts';
import type { PendingFile, WritePlan } from './write-plan.ts';

export type { PendingFile } from './write-plan.ts';
export { relativeInside } from './write-plan.ts';

export interface CommitResult {
  /** Paths written (new, changed, and conflicting ones with --force). */
  written: string[];
  removed: string[];
  unchanged: string[];
}

type Step =
  | { kind: 'directory'; path: string }
  | { kind: 'temporary'; path: string }
  | { kind: 'created'; path: string }
  /** `done` once the new file is renamed over the original (a failed rename leaves the original in place). */
  | { kind: 'replaced'; path: string; backup: string; done: boolean }
  | { kind: 'removed'; path: string; backup: string };

function exists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

/** The name a file is written to before it is renamed over `target`: same directory, so the rename is atomic. */
function temporaryName(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
}

function backupName(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.orig`);
}

/** Keeps `target` reachable under `backup`: a hard link (no data copied, so it works on a full disk), else a copy. */
function keep(target: string, backup: string): void {
  try {
    linkSync(target, backup);
  } catch (error) {
    if (!['EPERM', 'EXDEV', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    copyFileSync(target, backup);
  }
}

class Transaction {
  readonly steps: Step[] = [];
  /** What was being done when a step failed, for the message. */
  action = 'write';
  subject = '';

  private readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** Creates `directory` and its missing parents, each recorded so a rollback removes exactly those. */
  ensureDirectory(directory: string): void {
    const missing: string[] = [];
    for (let current = directory; !exists(current); current = dirname(current)) {
      missing.unshift(current);
      if (dirname(current) === current) break;
    }
    for (const path of missing) {
      this.action = 'create the directory';
      this.subject = path;
      mkdirSync(path);
      this.steps.push({ kind: 'directory', path });
    }
  }

  write(file: PendingFile): void {
    const target = join(this.root, file.path);
    this.ensureDirectory(dirname(target));
    this.action = 'write';
    this.subject = target;
    const previous = lstatSync(target, { throwIfNoEntry: false });
    const temporary = temporaryName(target);
    this.steps.push({ kind: 'temporary', path: temporary });
    // A replaced file keeps its permission bits (an executable script stays executable).
    writeFileSync(temporary, file.contents, { mode: previous?.isFile() ? previous.mode & 0o7777 : 0o666 });
    if (previous?.isFile() || previous?.isSymbolicLink()) {
      const backup = backupName(target);
      keep(target, backup);
      const step = { kind: 'replaced' as const, path: target, backup, done: false };
      this.steps.push(step);
      renameSync(temporary, target);
      step.done = true;
    } else {
      renameSync(temporary, target);
      this.steps.push({ kind: 'created', path: target });
    }
  }

  remove(path: string): void {
    const target = join(this.root, path);
    this.action = 'remove';
    this.subject = target;
    const backup = backupName(target);
    renameSync(target, backup);
    this.steps.push({ kind: 'removed', path: target, backup });
  }

  /** Drops the kept originals, then the directories the removals emptied (never the root). */
  finish(): void {
    for (const step of this.steps) {
      if (step.kind !== 'replaced' && step.kind !== 'removed') continue;
      try {
        unlinkSync(step.backup);
      } catch {
        // The new files are in place; a kept original that cannot be dropped is only clutter.
      }
    }
    for (const step of this.steps) {
      if (step.kind !== 'removed') continue;
      for (let directory = dirname(step.path); directory !== this.root && directory.startsWith(this.root); directory = dirname(directory)) {
        try {
          rmdirSync(directory);
        } catch {
          break;
        }
      }
    }
  }

  /** Undoes every step, newest first; returns the paths it could not restore. */
  rollBack(): string[] {
    const left: string[] = [];
    for (const step of [...this.steps].reverse()) {
      try {
        if (step.kind === 'temporary') {
          if (exists(step.path)) unlinkSync(step.path);
        } else if (step.kind === 'created') unlinkSync(step.path);
        else if (step.kind === 'replaced' && !step.done) unlinkSync(step.backup);
        else if (step.kind === 'replaced' || step.kind === 'removed') renameSync(step.backup, step.path);
        else rmdirSync(step.path);
      } catch {
        left.push(step.path);
      }
    }
    return left;
  }
}

/** How the rolled-back run is described: only what is true. */
function undoneText(steps: readonly Step[], left: readonly string[]): string {
  const count = (kind: Step['kind']) => steps.filter((step) => step.kind === kind).length;
  const created = count('created');
  const restored = steps.filter((step) => (step.kind === 'replaced' && step.done) || step.kind === 'removed').length;
  if (left.length > 0) {
    return `The run was undone except for these paths, which could not be restored or removed:\n${left.map((path) => `  - ${path}`).join('\n')}`;
  }
  if (created === 0 && restored === 0) return 'Nothing was written.';
  const undone = [created > 0 ? `the ${created} file(s) written before the failure were removed` : '', restored > 0 ? `the ${restored} file(s) replaced or removed were restored` : '']
    .filter(Boolean)
    .join(' and ');
  return `Nothing was changed: ${undone}.`;
}

/**
 * Applies `plan` under `root` (a real path). With `force`, conflicting files
 * are overwritten or removed; without it the caller must have refused a plan
 * with conflicts. `display` turns an absolute path into the one the user
 * should read. Throws a FileSystemError (all steps undone) for an errno
 * failure; any other error is rethrown after the same undo.
 */
export function commitPlan(root: string, plan: WritePlan, options: { force: boolean; display: (path: string) => string }): CommitResult {
  const writes = [...plan.create, ...plan.update];
  const removals = [...plan.remove];
  if (options.force) {
    for (const conflict of plan.conflicts) {
      if (conflict.file) writes.push(conflict.file);
      else removals.push(conflict.path);
    }
  }
  writes.sort((a, b) => (a.path < b.path ? -1 : 1));
  const transaction = new Transaction(root);
  try {
    transaction.ensureDirectory(root);
    for (const file of writes) transaction.write(file);
    for (const path of removals) transaction.remove(path);
  } catch (error) {
    const left = transaction.rollBack();
    const undone = undoneText(transaction.steps, left);
    if (isExplainable(error)) {
      throw new FileSystemError(`${explain(error, transaction.action, options.display(transaction.subject))}\n${undone}`, error.code);
    }
    throw error;
  }
  transaction.finish();
  return { written: writes.map((file) => file.path), removed: removals.sort(), unchanged: plan.unchanged };
}
