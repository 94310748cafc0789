/**
 * Files whose name starts with a sequence number, such as the decision
 * records docs/adr/0003-license.md: adding or removing a feature adds or
 * removes records before them, so the same record comes out under another
 * number. Seen as a move, the user's edits to it are merged at its new name
 * instead of being kept in a stale copy beside a fresh one.
 */

/** "docs/adr/0003-license.md" → "docs/adr/|license.md"; undefined for a name without a 4-digit sequence prefix (MADR's NNNN-title.md). */
function unnumbered(path: string): string | undefined {
  const slash = path.lastIndexOf('/') + 1;
  const match = /^\d{4}-(.+)$/.exec(path.slice(slash));
  return match ? `${path.slice(0, slash)}|${match[1]}` : undefined;
}

/**
 * The renumbered files between two renderings: old path → new path, for each
 * file only `base` has whose name, without its sequence number, names exactly
 * one file only `theirs` has in the same directory (and no other file of
 * `base` shares that name). Paths are project-relative, "/" separated.
 */
export function renumberedFiles(base: ReadonlyMap<string, unknown>, theirs: ReadonlyMap<string, unknown>): Map<string, string> {
  const byName = (paths: Iterable<string>) => {
    const found = new Map<string, string[]>();
    for (const path of paths) {
      const name = unnumbered(path);
      if (name !== undefined) found.set(name, [...(found.get(name) ?? []), path]);
    }
    return found;
  };
  const gone = byName([...base.keys()].filter((path) => !theirs.has(path)));
  const added = byName([...theirs.keys()].filter((path) => !base.has(path)));
  const moves = new Map<string, string>();
  for (const [name, from] of gone) {
    const to = added.get(name);
    if (from.length === 1 && to?.length === 1) moves.set(from[0] as string, to[0] as string);
  }
  return moves;
}

/**
 * Re-keys `base` (mutated) so each moved file sits at its new path, and
 * records in `origins` (mutated: new path → the path the project has it at)
 * where the project still has it. `moves`: old path → new path.
 */
export function applyMoves(base: Map<string, Buffer>, origins: Map<string, string>, moves: ReadonlyMap<string, string>): void {
  for (const [from, to] of moves) {
    const contents = base.get(from);
    if (contents === undefined) continue;
    base.delete(from);
    base.set(to, contents);
    origins.set(to, origins.get(from) ?? from);
    origins.delete(from);
  }
}
