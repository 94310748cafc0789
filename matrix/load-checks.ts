/**
 * Finds the checks: every .ts module in matrix/checks/ is imported and each
 * check it exports is used (default export, an array of checks, or named
 * exports). A module that exports no check is an error, not a silent skip.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Check } from './check.ts';
import { moduleGraphHash } from './module-graph.ts';

export const checksDirectory = join(import.meta.dirname, 'checks');
const repositoryRoot = join(import.meta.dirname, '..');

export interface LoadedCheck {
  check: Check;
  /** The module it came from. */
  module?: string;
  /** sha256 of the module's source and every local module it imports (module-graph.ts): part of the cache key, so changing a check or a helper it uses re-runs it. */
  code?: string;
}

export function isCheck(value: unknown): value is Check {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Check>;
  return typeof candidate.name === 'string' && Array.isArray(candidate.inputs) && typeof candidate.tool === 'function' && typeof candidate.run === 'function';
}

function checksIn(exports: Record<string, unknown>): Check[] {
  const found = new Set<Check>();
  for (const value of Object.values(exports)) {
    if (isCheck(value)) found.add(value);
    else if (Array.isArray(value)) for (const item of value) if (isCheck(item)) found.add(item);
  }
  return [...found];
}

export function validateChecks(loaded: readonly LoadedCheck[]): void {
  const names = new Map<string, string>();
  for (const { check, module } of loaded) {
    const where = module ?? check.name;
    if (!/^[a-z0-9][a-z0-9-]*$/.test(check.name)) throw new Error(`${where}: check name "${check.name}" must be lowercase letters, digits and "-"`);
    if (check.name === 'render' || check.name === 'cli-rejects') throw new Error(`${where}: "${check.name}" is the name of a built-in step`);
    const previous = names.get(check.name);
    if (previous) throw new Error(`Two checks are named "${check.name}": ${previous} and ${where}`);
    names.set(check.name, where);
    if (check.inputs.length === 0) throw new Error(`${where}: check "${check.name}" has no inputs`);
    if (check.batch !== undefined && (!Number.isInteger(check.batch) || check.batch < 1)) {
      throw new Error(`${where}: check "${check.name}": batch must be a positive integer`);
    }
    if (check.facts && check.batch !== undefined) throw new Error(`${where}: check "${check.name}": facts and batch cannot be combined (a batched run has one context)`);
    if (check.shared && check.granularity !== 'file') throw new Error(`${where}: check "${check.name}": shared files need granularity "file"`);
  }
}

export async function loadChecks(directory = checksDirectory): Promise<LoadedCheck[]> {
  const modules = readdirSync(directory)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .sort();
  const loaded: LoadedCheck[] = [];
  for (const name of modules) {
    const path = join(directory, name);
    let exports: Record<string, unknown>;
    try {
      exports = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`matrix/checks/${name} could not be loaded: ${(error as Error).message}`);
    }
    const checks = checksIn(exports);
    if (checks.length === 0) throw new Error(`matrix/checks/${name} exports no check (an object with name, inputs, tool and run)`);
    const code = moduleGraphHash(path, repositoryRoot);
    for (const check of checks) loaded.push({ check, module: `matrix/checks/${name}`, code });
  }
  validateChecks(loaded);
  return loaded;
}
