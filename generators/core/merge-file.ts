/**
 * Three-way merge of one text file with `git merge-file` semantics, by running
 * `git merge-file` itself.
 *
 * Why git and not a JavaScript diff3 library (node-diff3, diff3): the issue asks
 * for git's semantics, and git's own merge (xdiff, with identical changes on
 * both sides taken once and conflicts narrowed to the lines that differ) is the
 * one users resolve every day; a reimplementation merges differently at the
 * edges. git is a process per merge, but only files changed by both the user
 * and the template are merged (a handful per upgrade), and generated projects
 * are git repositories in the first place.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { FileSystemError } from './fs-errors.ts';

/** What the three sides are called in the conflict markers. */
export interface MergeLabels {
  ours: string;
  base: string;
  theirs: string;
}

export interface MergedText {
  /** The merged file; conflicting hunks between standard markers (diff3 style: ours, base, theirs). */
  text: Buffer;
  /** The number of conflicting hunks: 0 for a clean merge. */
  conflicts: number;
}

/** git's own test for binary content (xdiff's buffer_is_binary): a NUL byte in the first 8000 bytes. */
const BINARY_PROBE = 8000;

/**
 * True when `contents` can be merged line by line: valid UTF-8 without a NUL
 * byte in its first 8000 bytes (git's binary test). Images, archives and
 * other encodings are never merged.
 */
export function isMergeableText(contents: Buffer): boolean {
  if (contents.subarray(0, BINARY_PROBE).includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(contents);
    return true;
  } catch {
    return false;
  }
}

/**
 * Merges `ours` and `theirs`, both derived from `base`, as
 * `git merge-file -p --diff3 -L <ours> -L <base> -L <theirs>` does. All three
 * must pass isMergeableText. Throws a FileSystemError when git is missing or
 * fails (its message names the cause and what to do).
 */
export async function mergeText(base: Buffer, ours: Buffer, theirs: Buffer, labels: MergeLabels): Promise<MergedText> {
  const scratch = mkdtempSync(join(tmpdir(), 'create-prodready-app-merge-'));
  try {
    const paths = { ours: join(scratch, 'ours'), base: join(scratch, 'base'), theirs: join(scratch, 'theirs') };
    writeFileSync(paths.ours, ours);
    writeFileSync(paths.base, base);
    writeFileSync(paths.theirs, theirs);
    const args = ['merge-file', '-p', '--diff3', '-L', labels.ours, '-L', labels.base, '-L', labels.theirs, paths.ours, paths.base, paths.theirs];
    let result;
    try {
      // stripFinalNewline off: the merged file keeps its last newline byte for byte.
      result = await execa('git', args, { reject: false, encoding: 'buffer', stdin: 'ignore', stripFinalNewline: false });
    } catch (error) {
      throw new FileSystemError(`Cannot merge: git could not be started (${(error as Error).message}). Install git (https://git-scm.com) and run the command again.`);
    }
    if (result.failed && result.exitCode === undefined) {
      throw new FileSystemError(`Cannot merge: git could not be started (${result.shortMessage}). Install git (https://git-scm.com) and run the command again.`);
    }
    // git merge-file exits with the number of conflicts (at most 127), and with a negative status (255) on an error.
    const code = result.exitCode ?? 255;
    if (code < 0 || code > 127) throw new FileSystemError(`git merge-file failed: ${Buffer.from(result.stderr).toString('utf8').trim()}`);
    return { text: Buffer.from(result.stdout), conflicts: code };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
