/** Locates the package root from both the sources and the compiled dist/. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findPackageRoot(start: string): string {
  let directory = start;
  for (;;) {
    const candidate = join(directory, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'create-prodready-app') return directory;
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`create-prodready-app: package root not found above ${start}`);
    directory = parent;
  }
}

export const packageRoot = findPackageRoot(import.meta.dirname);
export const templatesRoot = join(packageRoot, 'templates');
export const generatorVersion = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
