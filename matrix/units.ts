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
  /** Files materialized empty (directories when the path ends in "/"): their presence is the input. */
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
  /** Paths whose absence is part of the input (Check.presenceOf). */
  absent?: readonly string[];
  /** The check's projection of the facts; absent when the check declares none. */
  facts?: unknown;
}

export function unitKey(parts: KeyParts): string {
  const hash = createHash('sha256');
  hash.update(`prodready-matrix-unit/1\0check ${parts.check}\0tool ${parts.tool}\0code ${parts.code ?? '-'}\0${parts.granularity}\0`);
  for (const path of [...parts.contents.keys()].sort()) hash.update(`content ${JSON.stringify(path)} ${parts.contents.get(path)}\0`);
  for (const path of [...parts.presence].sort()) hash.update(`presence ${JSON.stringify(path)}\0`);
  for (const path of [...(parts.absent ?? [])].sort()) hash.update(`absent ${JSON.stringify(path)}\0`);
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

/** The directories that hold generated files, per combination's file map. */
const directoriesCache = new WeakMap<ReadonlyMap<string, string>, Set<string>>();

function directoriesOf(files: ReadonlyMap<string, string>): Set<string> {
  let directories = directoriesCache.get(files);
  if (!directories) {
    directories = new Set(['']);
    for (const path of files.keys()) {
      for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) directories.add(path.slice(0, slash));
    }
    directoriesCache.set(files, directories);
  }
  return directories;
}

/** Check.presenceOf results per check, path and content hash: combinations repeat the same files. */
const presenceOfCache = new WeakMap<Check, Map<string, readonly string[]>>();

/** "a/./b/../c" → "a/c"; undefined when the path leaves the project. */
function normalizeProjectPath(path: string): string | undefined {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

function presenceCandidates(check: Check, path: string, hash: string, read: (hash: string) => string): readonly string[] {
  let byFile = presenceOfCache.get(check);
  if (!byFile) {
    byFile = new Map();
    presenceOfCache.set(check, byFile);
  }
  const id = `${path}\0${hash}`;
  let candidates = byFile.get(id);
  if (!candidates) {
    const normalized = new Set<string>();
    for (const candidate of (check.presenceOf as NonNullable<Check['presenceOf']>)(path, read(hash))) {
      const inside = normalizeProjectPath(candidate);
      if (inside !== undefined) normalized.add(inside);
    }
    candidates = [...normalized].sort();
    byFile.set(id, candidates);
  }
  return candidates;
}

/**
 * The units of one check for one combination's files (path → content hash).
 * Empty when no file matches the check's inputs: the check does not apply.
 * When the check declares `facts`, its projection of `facts` (the
 * combination's facts; `{}` when none are known) is part of every unit and
 * its key: identical files with different projections are different units.
 */
export function unitsOf(check: Check, tool: string, files: ReadonlyMap<string, string>, code?: string, facts: Facts = {}, read?: (hash: string) => string): Unit[] {
  if (check.when && !check.when(facts)) return [];
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
  if (!check.presenceOf) return inputs.map((path) => build([path], shared));
  if (!read) throw new Error(`check ${check.name} declares presenceOf: unitsOf needs a content reader`);
  const directories = directoriesOf(files);
  return inputs.map((path) => {
    const contents = new Map<string, string>();
    for (const file of [path, ...shared]) contents.set(file, files.get(file) as string);
    const presence: string[] = [];
    const absent: string[] = [];
    for (const candidate of presenceCandidates(check, path, files.get(path) as string, read)) {
      if (contents.has(candidate) || candidate === '') continue;
      if (files.has(candidate)) presence.push(candidate);
      else if (directories.has(candidate)) presence.push(`${candidate}/`);
      else absent.push(candidate);
    }
    const key = unitKey({ check: check.name, tool, code, granularity, contents, presence, absent, ...projection });
    return { key, checked: [path], contents, presence, ...projection };
  });
}
