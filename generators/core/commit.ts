/**
 * Writes the in-memory project to disk safely:
 * - nothing outside the target directory;
 * - files that differ on disk are conflicts unless --force;
 * - into a new or empty directory, everything is written to a staging
 *   directory beside it and renamed into place, so a failure or an interrupt
 *   leaves no half-written project;
 * - into an existing project (--force or a regeneration), each file is
 *   replaced atomically.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { UsageError } from './answers.ts';

export interface PendingFile {
  /** Path relative to the project root, "/" separated. */
  path: string;
  contents: Buffer;
}

export interface CommitResult {
  written: string[];
  unchanged: string[];
}

export function relativeInside(root: string, absolutePath: string): string {
  const path = relative(root, absolutePath);
  if (path === '' || path.startsWith('..') || isAbsolute(path)) throw new Error(`Refusing to write outside the project: ${absolutePath}`);
  return path.split(sep).join('/');
}

function isEmptyDirectory(path: string): boolean {
  return !existsSync(path) || readdirSync(path).length === 0;
}

/** Files whose on-disk content differs from what would be written. */
export function findConflicts(root: string, files: readonly PendingFile[]): string[] {
  return files
    .filter((file) => {
      const target = join(root, file.path);
      if (!existsSync(target)) return false;
      if (!statSync(target).isFile()) return true;
      return !readFileSync(target).equals(file.contents);
    })
    .map((file) => file.path);
}

function writeTree(root: string, files: readonly PendingFile[]): void {
  for (const file of files) {
    const target = join(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.contents);
  }
}

function replaceAtomically(target: string, contents: Buffer): void {
  mkdirSync(dirname(target), { recursive: true });
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  writeFileSync(temporary, contents);
  renameSync(temporary, target);
}

/**
 * Writes synchronously: a SIGINT is handled only after the whole commit, so it
 * cannot leave a partial tree behind.
 */
export function commitFiles(root: string, files: readonly PendingFile[], options: { force: boolean }): CommitResult {
  const conflicts = findConflicts(root, files);
  if (conflicts.length > 0 && !options.force) {
    const shown = conflicts.slice(0, 10).map((path) => `  - ${path}`);
    if (conflicts.length > 10) shown.push(`  - ... and ${conflicts.length - 10} more`);
    throw new UsageError([`${conflicts.length} existing file(s) in ${root} would be overwritten:\n${shown.join('\n')}\nNothing was written. Pass --force to overwrite them.`]);
  }
  const unchanged = files.filter((file) => existsSync(join(root, file.path)) && !conflicts.includes(file.path)).map((file) => file.path);
  const changed = files.filter((file) => !unchanged.includes(file.path));

  if (isEmptyDirectory(root)) {
    const staging = join(dirname(root), `.${basename(root)}.staging-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    try {
      writeTree(staging, changed);
      if (existsSync(root)) rmdirSync(root);
      renameSync(staging, root);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw error;
    }
  } else {
    for (const file of changed) replaceAtomically(join(root, file.path), file.contents);
  }
  return { written: changed.map((file) => file.path), unchanged };
}

/** The tree printed by --dry-run. */
export function fileTree(paths: readonly string[]): string {
  const lines: string[] = [];
  const sorted = [...paths].sort();
  const seen = new Set<string>();
  for (const path of sorted) {
    const parts = path.split('/');
    for (let depth = 0; depth < parts.length; depth++) {
      const key = parts.slice(0, depth + 1).join('/');
      if (seen.has(key)) continue;
      seen.add(key);
      const isFile = depth === parts.length - 1;
      lines.push(`${'  '.repeat(depth)}${parts[depth]}${isFile ? '' : '/'}`);
    }
  }
  return lines.join('\n');
}
