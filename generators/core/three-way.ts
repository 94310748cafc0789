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
 * - binary (not UTF-8 text) and changed by both, a directory or special file
 *   in the way, or a symbolic link at the path → never merged, kept as it is
 *   (a link is never followed nor replaced) and reported when the new version
 *   changed or added the file.
 *
 * Line endings: text is compared and merged with CRLF read as LF (the
 * templates are LF), so a file that differs only in line endings is
 * unchanged; when the user's file uses CRLF on every line, what is written
 * there uses CRLF too.
 *
 * `recorded` (the manifest in .yo-rc.json) says which base files were
 * actually written: a base file missing from a non-empty manifest never
 * reached the disk (something was in the way), so it is merged as new rather
 * than taken for deleted by the user. The result's `manifest` records, per
 * path, the generator's version the file on disk derives from: theirs when
 * written, merged or already equal; the base when the user's version is kept
 * unmerged (binary) or deleted by the user; nothing when nothing of the
 * generator's is there (a directory or link in the way).
 *
 * A file moved by a migration (`origins`: new path → old path) is read at its
 * old path, merged as above, written at its new path and removed from the old.
 * The result is a WritePlan without conflicts, applied by commit.ts.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './answers.ts';
import { isMergeableText, mergeText, type MergeLabels } from './merge-file.ts';
import { escapingLink, parentIsNotADirectory, sha256, type Manifest, type PendingFile, type WritePlan } from './write-plan.ts';

export interface ThreeWayInput {
  /** The project root, a real path. */
  root: string;
  /** What the project was generated from: project-relative path → contents, paths as in the new version (after migrations). */
  base: ReadonlyMap<string, Buffer>;
  /** The new rendering: path → contents. */
  theirs: ReadonlyMap<string, Buffer>;
  /** Files moved by migrations: new path → the path the project has the file at. */
  origins?: ReadonlyMap<string, string>;
  /** The manifest of the last run (.yo-rc.json "files"): path → sha256; empty or absent for a project that recorded none. */
  recorded?: Readonly<Manifest>;
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
  notMerged: Array<{ path: string; reason: NotMergedReason }>;
  /** What .yo-rc.json records for the new rendering's paths after the plan is written (module comment). */
  manifest: Manifest;
}

/** Why a file was left alone: not text and changed on both sides, something other than a file there, a symbolic link there. */
export type NotMergedReason = 'binary' | 'not-a-file' | 'symlink';

/** True when the user's text ends every line with CRLF (at least one line). */
function usesCrlf(text: Buffer): boolean {
  const lf = text.filter((byte) => byte === 0x0a).length;
  if (lf === 0) return false;
  let crlf = 0;
  for (let index = text.indexOf('\r\n'); index !== -1; index = text.indexOf('\r\n', index + 2)) crlf++;
  return crlf === lf;
}

/** `text` with every CRLF read as LF. */
function toLf(text: Buffer): Buffer {
  return text.includes('\r\n') ? Buffer.from(text.toString('utf8').replaceAll('\r\n', '\n'), 'utf8') : text;
}

/** `text` (LF) with CRLF line ends. */
function toCrlf(text: Buffer): Buffer {
  return Buffer.from(text.toString('utf8').replace(/\r?\n/g, '\r\n'), 'utf8');
}

/**
 * The file at `path` under `root`: its bytes, 'missing', 'symlink' (never
 * followed), or 'not-a-file' (a directory, socket, ... or a file where a
 * directory goes).
 */
function readOurs(root: string, path: string): Buffer | 'missing' | 'not-a-file' | 'symlink' {
  if (parentIsNotADirectory(root, path)) return 'not-a-file';
  const stats = lstatSync(join(root, path), { throwIfNoEntry: false });
  if (!stats) return 'missing';
  if (stats.isSymbolicLink()) return 'symlink';
  if (!stats.isFile()) return 'not-a-file';
  return readFileSync(join(root, path));
}

function same(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a !== undefined && b !== undefined && a.equals(b);
}

/**
 * Decides every file as the module comment says and returns the plan with
 * each file's outcome. Reads the disk, writes nothing. Throws a UsageError
 * when a path would be written through a symbolic link (a parent directory)
 * that leads outside the project, and a FileSystemError when git cannot merge.
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
    manifest: {},
  };
  const recorded = input.recorded ?? {};
  const trustBase = Object.keys(recorded).length === 0;
  const escapes = new Set<string>();
  const paths = [...new Set([...base.keys(), ...theirs.keys()])].sort();
  // A link at the path itself is never followed (kept, reported); links on the way to it must stay inside.
  for (const path of [...paths, ...origins.values()]) {
    if (!path.includes('/')) continue;
    const escape = escapingLink(root, path.slice(0, path.lastIndexOf('/')));
    if (escape) escapes.add(escape);
  }
  if (escapes.size > 0) throw new UsageError([...escapes]);

  for (const path of paths) {
    const origin = origins.get(path) ?? path;
    // A base file the last run could not write (absent from its manifest) was never there: it is new.
    const b = trustBase || recorded[origin] !== undefined || recorded[path] !== undefined ? base.get(path) : undefined;
    const t = theirs.get(path);
    const onDisk = readOurs(root, origin);
    if (onDisk === 'not-a-file' || onDisk === 'symlink') {
      // Reported only when there is something to bring in: a template that did not change leaves it be.
      if (t === undefined) result.keptEdited.push(origin);
      else if (!same(b, t)) result.notMerged.push({ path: origin, reason: onDisk });
      continue;
    }
    const text = onDisk !== 'missing' && isMergeableText(onDisk);
    const crlf = text && usesCrlf(onDisk);
    // Ours as compared and merged: CRLF read as LF.
    const o = onDisk === 'missing' ? undefined : text ? toLf(onDisk) : onDisk;
    const moved = origin !== path && o !== undefined;
    if (t !== undefined) result.manifest[path] = sha256(t);
    /** Writes `contents` (LF) at `path`, with CRLF when the user's file has them; a moved file also leaves its old place. */
    const write = (lf: Buffer) => {
      const contents = crlf ? toCrlf(lf) : lf;
      const file: PendingFile = { path, contents };
      if (moved || readOurs(root, path) === 'missing') result.plan.create.push(file);
      else result.plan.update.push(file);
      if (moved) {
        result.plan.remove.push(origin);
        result.moved.push({ from: origin, to: path });
      }
    };
    const keep = () => {
      if (moved && onDisk !== 'missing') {
        result.plan.create.push({ path, contents: onDisk });
        result.plan.remove.push(origin);
        result.moved.push({ from: origin, to: path });
      } else if (o) result.plan.unchanged.push(path);
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
      } else if (!same(b, t)) {
        result.deletedButChanged.push(path);
        result.manifest[path] = sha256(b);
      }
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
      // Yours stays, derived from the base (or from nothing of the generator's).
      if (b === undefined) delete result.manifest[path];
      else result.manifest[path] = sha256(b);
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
