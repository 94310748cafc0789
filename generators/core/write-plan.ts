/**
 * The write plan: what a run would do to the target directory, computed before
 * anything is written, shared by a real run and --dry-run.
 *
 * A file the run produces is
 * - new: nothing is at its path;
 * - unchanged: the file on disk has exactly these bytes;
 * - changed: the file on disk is the one this generator wrote last time (its
 *   sha256 matches the manifest in .yo-rc.json), so it is updated;
 * - conflicting: anything else at its path (edited since generated, never
 *   generated, a directory in the way): written only with --force.
 * A file the last run produced (in the manifest) and this run does not is
 * removed when unedited and conflicting when edited (removed only with --force).
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { UsageError } from './answers.ts';

export interface PendingFile {
  /** Path relative to the project root, "/" separated. */
  path: string;
  contents: Buffer;
}

/** Project-relative path ("/" separated) → sha256 (hex) of the bytes this generator wrote there. */
export type Manifest = Record<string, string>;

/** The generator's own record of the answers: always rewritten, never a conflict. */
export const ANSWERS_FILE = '.yo-rc.json';

export type ConflictReason = 'edited' | 'not-generated' | 'not-a-file' | 'file-in-the-way' | 'removed-but-edited';

export interface Conflict {
  path: string;
  reason: ConflictReason;
  /** What would be written there; absent for a file the run would remove. */
  file?: PendingFile;
}

export interface WritePlan {
  create: PendingFile[];
  update: PendingFile[];
  unchanged: string[];
  conflicts: Conflict[];
  /** Unedited files the previous run wrote and this one no longer produces. */
  remove: string[];
}

/** sha256 of `contents`, hex: the hash recorded in the manifest. */
export function sha256(contents: Buffer): string {
  return createHash('sha256').update(contents).digest('hex');
}

/** The manifest recorded for `files` (sorted by path, so .yo-rc.json is deterministic). */
/**
 * The manifest as .yo-rc.json records it: sha256sum lines ("<hash>  <path>"),
 * sorted by path. Not a path → hash object: gitleaks' default rules read
 * `"src/sentry.ts": "<64 hex>"` as a Sentry token, and a path naming a token
 * or key before a hash as an API key, so the project's own secret scan would
 * fail on its record of itself.
 */
export function manifestLines(manifest: Manifest): string[] {
  return Object.keys(manifest)
    .sort()
    .map((path) => `${manifest[path]}  ${path}`);
}

/** The manifest from sha256sum lines; undefined when a line is not "<64 hex>  <path>". */
export function parseManifestLines(lines: readonly unknown[]): Manifest | undefined {
  const manifest: Manifest = {};
  for (const line of lines) {
    const match = typeof line === 'string' ? /^([0-9a-f]{64}) {2}(.+)$/.exec(line) : null;
    if (!match) return undefined;
    manifest[match[2] as string] = match[1] as string;
  }
  return manifest;
}

export function manifestOf(files: readonly PendingFile[]): Manifest {
  const sorted = [...files].filter((file) => file.path !== ANSWERS_FILE).sort((a, b) => (a.path < b.path ? -1 : 1));
  return Object.fromEntries(sorted.map((file) => [file.path, sha256(file.contents)]));
}

/**
 * `absolutePath` relative to `root`, "/" separated; throws when it is the root
 * itself or outside it (a generated path must never escape the target).
 */
export function relativeInside(root: string, absolutePath: string): string {
  const path = relative(root, absolutePath);
  if (path === '' || path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path)) throw new Error(`Refusing to write outside the project: ${absolutePath}`);
  return path.split(sep).join('/');
}

/** The entry at `path`, or undefined when there is none (also when a parent is a file: ENOTDIR). */
function lstat(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * The symbolic link on the way to `path` (inside `root`) that leads outside
 * `root`, as a message, or undefined when every existing component stays inside.
 */
export function escapingLink(root: string, path: string): string | undefined {
  const parts = path.split('/');
  for (let depth = 1; depth <= parts.length; depth++) {
    const partial = parts.slice(0, depth).join('/');
    const stats = lstat(join(root, partial));
    if (!stats) return undefined;
    if (!stats.isSymbolicLink()) continue;
    let real: string;
    try {
      real = realpathSync(join(root, partial));
    } catch {
      return `${partial} is a symbolic link that leads nowhere; refusing to write through it. Remove it or point it inside the project.`;
    }
    const inside = relative(root, real);
    if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      return `${partial} is a symbolic link to ${real}, outside the project; refusing to write through it. Replace it with a directory or file inside the project.`;
    }
  }
  return undefined;
}

/** True when a parent of `path` (inside `root`) exists and is not a directory: the file cannot be written there. */
export function parentIsNotADirectory(root: string, path: string): boolean {
  const parts = path.split('/').slice(0, -1);
  for (let depth = 1; depth <= parts.length; depth++) {
    let stats: Stats | undefined;
    try {
      stats = statSync(join(root, ...parts.slice(0, depth)), { throwIfNoEntry: false });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return true;
      throw error;
    }
    if (!stats) return false;
    if (!stats.isDirectory()) return true;
  }
  return false;
}

/** Throws a UsageError when a manifest path could address anything outside the project. */
export function assertManifestPath(path: string): void {
  if (path === '' || isAbsolute(path) || path.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new UsageError([`${ANSWERS_FILE}: the file list names "${path}", which is not a path inside the project. Fix or remove that entry.`]);
  }
}

/**
 * Compares `files` with what is on disk under `root` (a real path: symbolic
 * links resolved) and with `previous`, the manifest of the last run (empty for
 * a first run). Reads only; throws a UsageError for a symbolic link inside the
 * target that leads outside it, and lets errno errors (EACCES on read) through.
 */
export function planWrites(root: string, files: readonly PendingFile[], previous: Manifest): WritePlan {
  const plan: WritePlan = { create: [], update: [], unchanged: [], conflicts: [], remove: [] };
  const escapes: string[] = [];
  const produced = new Set(files.map((file) => file.path));
  for (const file of files) {
    const escape = escapingLink(root, file.path);
    if (escape) {
      escapes.push(escape);
      continue;
    }
    if (parentIsNotADirectory(root, file.path)) {
      plan.conflicts.push({ path: file.path, reason: 'file-in-the-way', file });
      continue;
    }
    const target = join(root, file.path);
    const stats = lstat(target);
    if (!stats) {
      plan.create.push(file);
      continue;
    }
    if (!stats.isFile() && !stats.isSymbolicLink()) {
      plan.conflicts.push({ path: file.path, reason: 'not-a-file', file });
      continue;
    }
    const onDisk = readFileSync(target);
    if (onDisk.equals(file.contents)) plan.unchanged.push(file.path);
    else if (file.path === ANSWERS_FILE || previous[file.path] === sha256(onDisk)) plan.update.push(file);
    else plan.conflicts.push({ path: file.path, reason: previous[file.path] ? 'edited' : 'not-generated', file });
  }
  for (const [path, hash] of Object.entries(previous).sort(([a], [b]) => (a < b ? -1 : 1))) {
    assertManifestPath(path);
    if (produced.has(path) || path === ANSWERS_FILE) continue;
    const escape = escapingLink(root, path);
    if (escape) {
      escapes.push(escape);
      continue;
    }
    if (parentIsNotADirectory(root, path)) continue;
    const stats = lstat(join(root, path));
    if (!stats?.isFile()) continue;
    if (sha256(readFileSync(join(root, path))) === hash) plan.remove.push(path);
    else plan.conflicts.push({ path, reason: 'removed-but-edited' });
  }
  if (escapes.length > 0) throw new UsageError([...new Set(escapes)]);
  return plan;
}

const REASONS: Record<ConflictReason, string> = {
  edited: 'changed since it was generated',
  'not-generated': 'not written by this generator',
  'not-a-file': 'a directory or special file is in the way',
  'file-in-the-way': 'a file is in the way where a directory goes',
  'removed-but-edited': 'no longer generated, but changed since it was generated',
};

/** "  - path (reason)" lines for conflicts, at most `limit` of them. */
export function conflictLines(conflicts: readonly Conflict[], limit = Number.POSITIVE_INFINITY): string[] {
  const shown = conflicts.slice(0, limit).map((conflict) => `  - ${conflict.path} (${REASONS[conflict.reason]})`);
  if (conflicts.length > limit) shown.push(`  - ... and ${conflicts.length - limit} more`);
  return shown;
}

/** The refusal for a plan with conflicts and no --force (exit 2), identical for a real run and --dry-run. */
export function conflictError(plan: WritePlan, displayRoot: string): UsageError {
  const count = plan.conflicts.length;
  return new UsageError([
    `${count} existing file(s) in ${displayRoot} would be overwritten or removed:\n${conflictLines(plan.conflicts, 10).join('\n')}\nNothing was written. Pass --force to overwrite or remove them.`,
  ], 'conflicting-files');
}

/** The plan as --dry-run prints it: counts, then the paths of each non-empty group. */
export function describePlan(plan: WritePlan, displayRoot: string, force: boolean): string {
  const written = plan.create.length + plan.update.length + (force ? plan.conflicts.filter((conflict) => conflict.file).length : 0);
  const removed = plan.remove.length + (force ? plan.conflicts.filter((conflict) => !conflict.file).length : 0);
  if (written === 0 && removed === 0 && plan.conflicts.length === 0) {
    return `Dry run: nothing would change in ${displayRoot}; all ${plan.unchanged.length} files are up to date.\n`;
  }
  const lines = [
    `Dry run for ${displayRoot}: ${plan.create.length} new, ${plan.update.length} changed, ${plan.conflicts.length} conflicting${force ? ' (overwritten with --force)' : ''}, ${plan.remove.length} removed, ${plan.unchanged.length} unchanged.`,
  ];
  const group = (title: string, paths: readonly string[]) => {
    if (paths.length > 0) lines.push(`${title}:`, ...paths.map((path) => `  ${path}`));
  };
  group('New', plan.create.map((file) => file.path));
  group('Changed', plan.update.map((file) => file.path));
  if (plan.conflicts.length > 0) lines.push('Conflicting:', ...conflictLines(plan.conflicts).map((line) => line.replace(/^ {2}- /, '  ')));
  group('Removed', plan.remove);
  lines.push('Nothing was written.');
  return `${lines.join('\n')}\n`;
}
