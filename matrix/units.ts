/**
 * What one cached check result covers, and its key. A unit is the set of
 * generated files one run of a check reads (all inputs of a combination, or
 * one file with its shared files); its key is a sha256 over the check's name,
 * tool version and code, the sorted paths and contents of those files, and
 * the JSON of the check's projection of the combination's facts, when the
 * check declares one (Check.facts).
 */
import { createHash } from 'node:crypto';
import type { Check } from './check.ts';
import { stableJson, type Facts } from './support/facts.ts';
import { matchesAny } from './support/glob.ts';

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Distinct file contents, stored once by sha256, however many combinations render them. */
export class ContentStore {
  private readonly byHash = new Map<string, string>();

  add(content: string): string {
    const hash = sha256(content);
    if (!this.byHash.has(hash)) this.byHash.set(hash, content);
    return hash;
  }

  get(hash: string): string {
    const content = this.byHash.get(hash);
    if (content === undefined) throw new Error(`No content stored for ${hash}`);
    return content;
  }

  get size(): number {
    return this.byHash.size;
  }
}

export interface Unit {
  key: string;
  /** The files the run is about (project-relative). */
  checked: readonly string[];
  /** Every materialized file with content (checked and shared): path → content hash. */
  contents: ReadonlyMap<string, string>;
  /** Files materialized empty: their presence is the input. */
  presence: readonly string[];
  /** The check's projection of the facts (context.facts), when the check declares one. */
  facts?: unknown;
}

export interface KeyParts {
  check: string;
  tool: string;
  /** Hash of the check's own code, when known, so changing a check invalidates its results. */
  code?: string;
  granularity: 'project' | 'file';
  contents: ReadonlyMap<string, string>;
  presence: readonly string[];
  /** The check's projection of the facts; absent when the check declares none. */
  facts?: unknown;
}

export function unitKey(parts: KeyParts): string {
  const hash = createHash('sha256');
  hash.update(`prodready-matrix-unit/1\0check ${parts.check}\0tool ${parts.tool}\0code ${parts.code ?? '-'}\0${parts.granularity}\0`);
  for (const path of [...parts.contents.keys()].sort()) hash.update(`content ${JSON.stringify(path)} ${parts.contents.get(path)}\0`);
  for (const path of [...parts.presence].sort()) hash.update(`presence ${JSON.stringify(path)}\0`);
  if ('facts' in parts) hash.update(`facts ${stableJson(parts.facts)}\0`);
  return hash.digest('hex');
}

interface PathRoles {
  input: boolean;
  shared: boolean;
  presence: boolean;
}

/** Glob results per check and path: combinations repeat the same paths, so each is matched once. */
const rolesCache = new WeakMap<Check, Map<string, PathRoles>>();

function rolesOf(check: Check, path: string): PathRoles {
  let byPath = rolesCache.get(check);
  if (!byPath) {
    byPath = new Map();
    rolesCache.set(check, byPath);
  }
  let roles = byPath.get(path);
  if (!roles) {
    const excluded = matchesAny(path, check.exclude);
    roles = {
      input: !excluded && matchesAny(path, check.inputs),
      shared: !excluded && matchesAny(path, check.shared),
      presence: !excluded && matchesAny(path, check.presence),
    };
    byPath.set(path, roles);
  }
  return roles;
}

/**
 * The units of one check for one combination's files (path → content hash).
 * Empty when no file matches the check's inputs: the check does not apply.
 * When the check declares `facts`, its projection of `facts` (the
 * combination's facts; `{}` when none are known) is part of every unit and
 * its key: identical files with different projections are different units.
 */
export function unitsOf(check: Check, tool: string, files: ReadonlyMap<string, string>, code?: string, facts: Facts = {}): Unit[] {
  const paths = [...files.keys()].sort();
  const inputs = paths.filter((path) => rolesOf(check, path).input);
  if (inputs.length === 0) return [];
  if (check.appliesTo && !paths.some((path) => matchesAny(path, check.appliesTo))) return [];
  const granularity = check.granularity ?? 'project';
  const presenceAll = paths.filter((path) => rolesOf(check, path).presence);
  const projection = check.facts ? { facts: check.facts(facts) } : {};
  const build = (checked: string[], withShared: string[]): Unit => {
    const contents = new Map<string, string>();
    for (const path of [...checked, ...withShared]) contents.set(path, files.get(path) as string);
    const presence = presenceAll.filter((path) => !contents.has(path));
    return { key: unitKey({ check: check.name, tool, code, granularity, contents, presence, ...projection }), checked, contents, presence, ...projection };
  };
  if (granularity === 'project') return [build(inputs, [])];
  const shared = paths.filter((path) => rolesOf(check, path).shared);
  return inputs.map((path) => build([path], shared));
}
