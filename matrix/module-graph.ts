/**
 * The code a check runs is its module and every local module it imports, so a
 * check's cached results must change when any of them does (a helper under
 * matrix/checks/<check>/, matrix/support/, a harness script it imports).
 * Packages are left out: package-lock.json pins them, and a check's tool()
 * names the versions that matter.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { init, parse } from 'es-module-lexer';

await init;

/**
 * The relative specifiers a module imports, statically or by a literal
 * dynamic import(). es-module-lexer reads TypeScript's import and export
 * statements as they are (it skips what it does not need); `import type`
 * counts too, which only makes the hash more conservative.
 */
function localImports(path: string, source: string): string[] {
  const [imports] = parse(source, path);
  return imports.map((entry) => entry.n).filter((specifier): specifier is string => specifier !== undefined && /^\.\.?\//.test(specifier));
}

/**
 * sha256 (hex) over the paths, relative to `root`, and contents of `entry`
 * and every module it reaches through relative imports (.ts, .js, .json),
 * in a stable order. A relative import of a missing file throws: the check
 * could not load either.
 */
export function moduleGraphHash(entry: string, root: string): string {
  const seen = new Set<string>();
  const pending = [resolve(entry)];
  while (pending.length > 0) {
    const path = pending.pop() as string;
    if (seen.has(path)) continue;
    seen.add(path);
    if (!/\.(ts|js|mjs)$/.test(path)) continue;
    for (const specifier of localImports(path, readFileSync(path, 'utf8'))) {
      const target = resolve(dirname(path), specifier);
      if (!existsSync(target)) throw new Error(`${relative(root, path)} imports ${specifier}, which does not exist`);
      pending.push(target);
    }
  }
  const hash = createHash('sha256');
  for (const path of [...seen].sort()) {
    hash.update(`${relative(root, path).split('\\').join('/')}\0`);
    hash.update(readFileSync(path));
    hash.update('\0');
  }
  return hash.digest('hex');
}
