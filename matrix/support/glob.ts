/**
 * The one glob matcher of the matrix: picomatch with `{ dot: true }`, so `*`
 * and `**` also match names that start with a dot (.github/, .env.example,
 * .dockerignore), which generated projects are full of. Check inputs, the
 * direct runs of checks, .dockerignore and COPY sources all match with it.
 */
import picomatch from 'picomatch';

const OPTIONS: picomatch.PicomatchOptions = { dot: true };
const compiled = new Map<string, (path: string) => boolean>();

/** A compiled matcher for one glob (compiled once per glob and process). */
export function globMatcher(glob: string): (path: string) => boolean {
  let matcher = compiled.get(glob);
  if (!matcher) {
    matcher = picomatch(glob, OPTIONS);
    compiled.set(glob, matcher);
  }
  return matcher;
}

/** Whether a "/"-separated relative path matches the glob. */
export function matchesGlob(path: string, glob: string): boolean {
  return globMatcher(glob)(path);
}

/** Whether the path matches any of the globs (none given: false). */
export function matchesAny(path: string, globs: readonly string[] | undefined): boolean {
  return globs !== undefined && globs.some((glob) => matchesGlob(path, glob));
}

/** The paths that match `include` and not `exclude`, in their order. */
export function selectPaths(paths: Iterable<string>, include: readonly string[], exclude?: readonly string[]): string[] {
  return [...paths].filter((path) => matchesAny(path, include) && !matchesAny(path, exclude));
}
