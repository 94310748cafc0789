/**
 * What counts as an empty target directory. A directory that holds only
 * version-control or editor metadata (a fresh `git init`, an IDE's settings) is
 * where users start projects, so it counts as empty.
 */
import { readdirSync } from 'node:fs';

/** Entries that never make a target non-empty: VCS metadata, editor and OS settings. */
export const METADATA_ENTRIES: ReadonlySet<string> = new Set(['.git', '.hg', '.svn', '.idea', '.vscode', '.devcontainer', '.DS_Store']);

/**
 * The entries of `dir` that make it non-empty (everything except
 * METADATA_ENTRIES), sorted. A missing directory has none.
 * Errors: a path that is not a directory throws ENOTDIR; other read errors
 * (EACCES, ...) are thrown as they are.
 */
export function contentEntries(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((entry) => !METADATA_ENTRIES.has(entry)).sort();
}

/** True when `dir` is missing or holds only METADATA_ENTRIES; errors as contentEntries. */
export function isEffectivelyEmpty(dir: string): boolean {
  return contentEntries(dir).length === 0;
}
