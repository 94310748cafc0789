/**
 * Glob matching for check inputs: node:path matchesGlob syntax, except that
 * `*` and `**` also match names starting with a dot, since generated projects
 * keep much of what checks read in .github/, .env.example, .dockerignore...
 */
import { matchesGlob } from 'node:path';

/** U+0001 never occurs in a glob, so a segment prefixed with it can only be matched by a wildcard. */
const HIDE_DOT = '\u0001';

function withoutLeadingDots(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment.startsWith('.') ? HIDE_DOT + segment : segment))
    .join('/');
}

export function matchesGlobDot(path: string, glob: string): boolean {
  return matchesGlob(path, glob) || (path.includes('.') && matchesGlob(withoutLeadingDots(path), glob));
}

export function matchesAny(path: string, globs: readonly string[] | undefined): boolean {
  return globs !== undefined && globs.some((glob) => matchesGlobDot(path, glob));
}
