/**
 * Renders every valid combination of the matrix space in-process and records,
 * per combination, the sha256 of every generated file. Comparing two digests
 * shows exactly which files a change of the generator touched, and in how
 * many combinations.
 *
 *   node matrix/render-digest.ts --out before.json
 *   node matrix/render-digest.ts --out after.json --compare before.json
 *
 * The digest is JSON: { combinations: { [id]: { [path]: sha256 } } }.
 * With --compare, prints one line per changed path (added, removed, changed,
 * with the number of combinations) and exits 1 when anything differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderProject } from '../generators/app/render.ts';
import { buildSpace } from './space.ts';
import { sha256 } from './units.ts';

export type Digest = { combinations: Record<string, Record<string, string>> };

export async function renderDigest(): Promise<Digest> {
  const combinations: Digest['combinations'] = {};
  for (const combination of buildSpace().valid) {
    const { files } = await renderProject(combination.answers);
    combinations[combination.id] = Object.fromEntries([...files].map(([path, content]) => [path, sha256(content)]));
  }
  return { combinations };
}

/** Lines describing the differences, sorted: "<kind> <path> in <n> combinations". */
export function compareDigests(before: Digest, after: Digest): string[] {
  const counts = new Map<string, number>();
  const bump = (line: string) => counts.set(line, (counts.get(line) ?? 0) + 1);
  for (const id of new Set([...Object.keys(before.combinations), ...Object.keys(after.combinations)])) {
    const old = before.combinations[id];
    const now = after.combinations[id];
    if (!old) bump(`combination added: ${id}`);
    else if (!now) bump(`combination removed: ${id}`);
    else {
      for (const path of new Set([...Object.keys(old), ...Object.keys(now)])) {
        if (old[path] === undefined) bump(`added ${path}`);
        else if (now[path] === undefined) bump(`removed ${path}`);
        else if (old[path] !== now[path]) bump(`changed ${path}`);
      }
    }
  }
  return [...counts].map(([line, count]) => `${line} in ${count} combinations`).sort();
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, compare: { type: 'string' } } });
  const digest = await renderDigest();
  if (values.out) writeFileSync(values.out, `${JSON.stringify(digest)}\n`);
  const count = Object.keys(digest.combinations).length;
  if (values.compare) {
    const lines = compareDigests(JSON.parse(readFileSync(values.compare, 'utf8')) as Digest, digest);
    process.stdout.write(lines.length === 0 ? `identical: ${count} combinations\n` : `${lines.join('\n')}\n`);
    process.exitCode = lines.length === 0 ? 0 : 1;
  } else process.stdout.write(`${count} combinations digested\n`);
}
