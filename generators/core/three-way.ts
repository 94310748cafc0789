/**
 * The three-way plan of `upgrade`, `add` and `remove`: for every file the base
 * rendering (what the project was generated from) or the new rendering
 * produces, compares base, ours (the file on disk) and theirs (the new
 * rendering) and decides, before anything is written:
 *
 * - ours is the base (unchanged by the user) → replaced by theirs (updated);
 * - theirs is the base (the template did not change) or ours already is
 *   theirs → left as it is;
 * - changed by both → merged with `git merge-file` semantics; conflicting
 *   hunks are written between standard markers and listed;
 * - deleted by the user → stays deleted; reported when the template changed it;
 * - no longer produced → removed when unchanged, kept and reported when edited;
 * - new → added; when a file of the user's is already there, merged with an
 *   empty base (so both versions are kept, between markers where they differ);
 * - binary (not UTF-8 text) and changed by both, or a directory in the way →
 *   never merged, kept as it is and reported.
 *
 * A file moved by a migration (`origins`: new path → old path) is read at its
 * old path, merged as above, written at its new path and removed from the old.
 * The result is a WritePlan without conflicts, applied by commit.ts.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './answers.ts';
import { isMergeableText, mergeText, type MergeLabels } from './merge-file.ts';
import { escapingLink, parentIsNotADirectory, type PendingFile, type WritePlan } from './write-plan.ts';

export interface ThreeWayInput {
  /** The project root, a real path. */
  root: string;
  /** What the project was generated from: project-relative path → contents, paths as in the new version (after migrations). */
  base: ReadonlyMap<string, Buffer>;
  /** The new rendering: path → contents. */
  theirs: ReadonlyMap<string, Buffer>;
  /** Files moved by migrations: new path → the path the project has the file at. */
  origins?: ReadonlyMap<string, string>;
  labels: MergeLabels;
}

export interface ThreeWayResult {
  /** What to write and remove (no conflicts: every decision is made). */
  plan: WritePlan;
  /** Unchanged by the user, replaced by the new version. */
  updated: string[];
  /** Changed by both, merged cleanly. */
  merged: string[];
  /** Changed by both, written with conflict markers: path and number of conflicting hunks. */
  conflicts: Array<{ path: string; hunks: number }>;
  /** New files, written. */
  added: string[];
  /** No longer produced and unchanged by the user, removed. */
  removed: string[];
  /** Moved by a migration: old path → new path. */
  moved: Array<{ from: string; to: string }>;
  /** Deleted by the user and changed by the new version: left deleted. */
  deletedButChanged: string[];
  /** No longer produced but changed by the user: kept. */
  keptEdited: string[];
  /** Left as they are without a merge: why. */
  notMerged: Array<{ path: string; reason: 'binary' | 'not-a-file' }>;
}

/** The file at `path` under `root`: its bytes, 'missing', or 'not-a-file' (a directory, socket, ... or a file where a directory goes). */
function readOurs(root: string, path: string): Buffer | 'missing' | 'not-a-file' {
  if (parentIsNotADirectory(root, path)) return 'not-a-file';
  const stats = lstatSync(join(root, path), { throwIfNoEntry: false });
  if (!stats) return 'missing';
  if (!stats.isFile() && !stats.isSymbolicLink()) return 'not-a-file';
  return readFileSync(join(root, path));
}

function same(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a !== undefined && b !== undefined && a.equals(b);
}

/**
 * Decides every file as the module comment says and returns the plan with
 * each file's outcome. Reads the disk, writes nothing. Throws a UsageError
 * when a path would be written through a symbolic link that leads outside the
 * project, and a FileSystemError when git cannot merge.
 */
export async function planThreeWay(input: ThreeWayInput): Promise<ThreeWayResult> {
  const { root, base, theirs, labels } = input;
  const origins = input.origins ?? new Map<string, string>();
  const result: ThreeWayResult = {
    plan: { create: [], update: [], unchanged: [], conflicts: [], remove: [] },
    updated: [],
    merged: [],
    conflicts: [],
    added: [],
    removed: [],
    moved: [],
    deletedButChanged: [],
    keptEdited: [],
    notMerged: [],
  };
  const escapes = new Set<string>();
  const paths = [...new Set([...base.keys(), ...theirs.keys()])].sort();
  for (const path of [...paths, ...origins.values()]) {
    const escape = escapingLink(root, path);
    if (escape) escapes.add(escape);
  }
  if (escapes.size > 0) throw new UsageError([...escapes]);

  for (const path of paths) {
    const b = base.get(path);
    const t = theirs.get(path);
    const origin = origins.get(path) ?? path;
    const onDisk = readOurs(root, origin);
    if (onDisk === 'not-a-file') {
      result.notMerged.push({ path: origin, reason: 'not-a-file' });
      continue;
    }
    const o = onDisk === 'missing' ? undefined : onDisk;
    const moved = origin !== path && o !== undefined;
    /** Writes `contents` at `path`; a moved file also leaves its old place. */
    const write = (contents: Buffer) => {
      const file: PendingFile = { path, contents };
      if (moved || readOurs(root, path) === 'missing') result.plan.create.push(file);
      else result.plan.update.push(file);
      if (moved) {
        result.plan.remove.push(origin);
        result.moved.push({ from: origin, to: path });
      }
    };
    const keep = () => {
      if (moved && o) write(o);
      else if (o) result.plan.unchanged.push(path);
    };

    if (t === undefined) {
      // No longer produced.
      if (o === undefined) continue;
      if (same(o, b)) {
        result.plan.remove.push(origin);
        result.removed.push(origin);
      } else {
        result.keptEdited.push(origin);
      }
      continue;
    }
    if (o === undefined) {
      if (b === undefined) {
        write(t);
        result.added.push(path);
      } else if (!same(b, t)) result.deletedButChanged.push(path);
      continue;
    }
    if (same(o, t) || same(b, t)) {
      keep();
      continue;
    }
    if (same(o, b)) {
      write(t);
      result.updated.push(path);
      continue;
    }
    const ancestor = b ?? Buffer.alloc(0);
    if (![ancestor, o, t].every(isMergeableText)) {
      result.notMerged.push({ path, reason: 'binary' });
      keep();
      continue;
    }
    const merge = await mergeText(ancestor, o, t, labels);
    write(merge.text);
    if (merge.conflicts > 0) result.conflicts.push({ path, hunks: merge.conflicts });
    else result.merged.push(path);
  }
  result.plan.create.sort((x, y) => (x.path < y.path ? -1 : 1));
  result.plan.update.sort((x, y) => (x.path < y.path ? -1 : 1));
  result.plan.remove.sort();
  return result;
}
