/**
 * Check results on disk, one JSON file per unit key, outside the repository.
 * Only verdicts are stored (pass, or findings): a run that could not complete
 * is never cached. Writes are atomic, so concurrent runs can share the cache.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from './check.ts';

export interface CachedResult {
  check: string;
  tool: string;
  findings: Finding[];
  /** How long the run took when it was made. */
  ms: number;
  /** The files the run checked, for people reading the cache. */
  checked: string[];
}

function prodreadyCache(): string {
  return process.env.PRODREADY_CACHE ?? join(homedir(), '.cache', 'prodready');
}

export function defaultCacheDir(): string {
  return process.env.PRODREADY_MATRIX_CACHE ?? join(prodreadyCache(), 'matrix-cache');
}

/** Where matrix/tools/install.sh puts the external tools (bin/ inside). */
export function defaultToolsDir(): string {
  return process.env.PRODREADY_TOOLS_DIR ?? join(prodreadyCache(), 'tools');
}

export class ResultCache {
  readonly directory: string | undefined;
  readonly read: boolean;

  /** `directory` undefined: nothing persists beyond this run. `read` false: existing entries are ignored (and replaced). */
  constructor(directory: string | undefined, read = true) {
    this.directory = directory;
    this.read = read;
  }

  private pathOf(key: string): string {
    return join(this.directory as string, key.slice(0, 2), `${key}.json`);
  }

  get(key: string): CachedResult | undefined {
    if (!this.directory || !this.read) return undefined;
    try {
      const entry = JSON.parse(readFileSync(this.pathOf(key), 'utf8')) as CachedResult;
      return Array.isArray(entry.findings) ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  put(key: string, result: CachedResult): void {
    if (!this.directory) return;
    const path = this.pathOf(key);
    mkdirSync(join(this.directory, key.slice(0, 2)), { recursive: true });
    const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(result)}\n`);
    renameSync(temporary, path);
  }
}
