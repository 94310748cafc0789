import { readFileSync } from 'node:fs';

/** What package.json (next to src/ and dist/ alike) says about the service. */
export interface Manifest {
  version: string;
  description: string;
}

/** Reads the version and description from package.json; throws when either is missing. */
export function readManifest(): Manifest {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Partial<
    Record<keyof Manifest, unknown>
  >;
  if (typeof manifest.version !== 'string') throw new Error('package.json has no version');
  if (typeof manifest.description !== 'string') throw new Error('package.json has no description');
  return { version: manifest.version, description: manifest.description };
}

/** The version in package.json. */
export function readVersion(): string {
  return readManifest().version;
}
