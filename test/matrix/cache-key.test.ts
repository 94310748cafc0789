/** Cache keys cover exactly a check's inputs, its tool version and its code; the disk cache round-trips. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ResultCache } from '../../matrix/cache.ts';
import type { Check } from '../../matrix/check.ts';
import { matchesGlob } from '../../matrix/support/glob.ts';
import { ContentStore, unitsOf } from '../../matrix/units.ts';

const store = new ContentStore();
function files(contents: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(contents).map(([path, content]) => [path, store.add(content)]));
}

const project: Check = {
  name: 'project-check',
  inputs: ['deploy/**/*.yaml', '.github/**/*.yml'],
  exclude: ['deploy/**/ignored.yaml'],
  presence: ['docs/**'],
  tool: async () => 'tool 1.0.0',
  run: async () => [],
};

const perFile: Check = {
  name: 'file-check',
  inputs: ['**/*.md'],
  shared: ['.editorconfig'],
  granularity: 'file',
  tool: async () => 'tool 1.0.0',
  run: async () => [],
};

const base = {
  'deploy/base/app.yaml': 'kind: Deployment\n',
  'deploy/base/ignored.yaml': 'kind: Secret\n',
  '.github/workflows/ci.yml': 'on: push\n',
  'docs/a.md': '# A\n',
  'README.md': '# Readme\n',
  '.editorconfig': 'root = true\n',
  'src/server.ts': 'export {};\n',
};

function keyOf(check: Check, contents: Record<string, string>, tool = 'tool 1.0.0', code?: string): string[] {
  return unitsOf(check, tool, files(contents), code).map((unit) => unit.key);
}

describe('cache key', () => {
  const original = keyOf(project, base);

  it('is one key per combination for a project check, over the matching inputs only', () => {
    const [unit] = unitsOf(project, 'tool 1.0.0', files(base));
    expect([...(unit?.contents.keys() ?? [])].sort()).toEqual(['.github/workflows/ci.yml', 'deploy/base/app.yaml']);
    expect(unit?.presence).toEqual(['docs/a.md']);
  });

  it('changes when any input file changes', () => {
    expect(keyOf(project, { ...base, 'deploy/base/app.yaml': 'kind: StatefulSet\n' })).not.toEqual(original);
    expect(keyOf(project, { ...base, '.github/workflows/ci.yml': 'on: pull_request\n' })).not.toEqual(original);
  });

  it('changes when an input file is added, removed or renamed', () => {
    expect(keyOf(project, { ...base, 'deploy/overlays/prod/patch.yaml': 'x: 1\n' })).not.toEqual(original);
    const { 'deploy/base/app.yaml': app, ...without } = base;
    expect(keyOf(project, without)).not.toEqual(original);
    expect(keyOf(project, { ...without, 'deploy/base/app2.yaml': app })).not.toEqual(original);
  });

  it('does not change when a file outside the inputs (or excluded) changes', () => {
    expect(keyOf(project, { ...base, 'src/server.ts': 'export const x = 1;\n' })).toEqual(original);
    expect(keyOf(project, { ...base, 'deploy/base/ignored.yaml': 'kind: ConfigMap\n' })).toEqual(original);
    expect(keyOf(project, { ...base, 'README.md': '# Changed\n' })).toEqual(original);
  });

  it('tracks presence files by path, not content', () => {
    expect(keyOf(project, { ...base, 'docs/a.md': '# Changed\n' })).toEqual(original);
    expect(keyOf(project, { ...base, 'docs/b.md': '# B\n' })).not.toEqual(original);
  });

  it('changes with the tool version and the check code', () => {
    expect(keyOf(project, base, 'tool 1.0.1')).not.toEqual(original);
    expect(keyOf(project, base, 'tool 1.0.0', 'abc')).not.toEqual(keyOf(project, base, 'tool 1.0.0', 'abd'));
    expect(keyOf({ ...project, name: 'other-check' }, base)).not.toEqual(original);
  });

  it('with file granularity: one unit per file, each keyed by that file and the shared files', () => {
    const [readme, docs] = unitsOf(perFile, 'tool 1.0.0', files(base));
    expect(docs?.checked).toEqual(['docs/a.md']);
    expect(readme?.checked).toEqual(['README.md']);
    const changedReadme = unitsOf(perFile, 'tool 1.0.0', files({ ...base, 'README.md': '# New\n' }));
    expect(changedReadme[0]?.key).not.toBe(readme?.key);
    expect(changedReadme[1]?.key).toBe(docs?.key);
    const changedShared = unitsOf(perFile, 'tool 1.0.0', files({ ...base, '.editorconfig': 'root = false\n' }));
    expect(changedShared[0]?.key).not.toBe(readme?.key);
    expect(changedShared[1]?.key).not.toBe(docs?.key);
  });

  it('is the same for the same file in two different projects (what makes dedup work)', () => {
    const other = unitsOf(perFile, 'tool 1.0.0', files({ 'README.md': '# Readme\n', '.editorconfig': 'root = true\n', 'package.json': '{}' }));
    expect(other[0]?.key).toBe(unitsOf(perFile, 'tool 1.0.0', files(base))[0]?.key);
  });

  it('means no unit for a combination the check\'s `when` rejects', () => {
    const sampled: Check = { ...project, when: (facts) => facts.hasRedis === true };
    expect(unitsOf(sampled, 'tool 1.0.0', files(base), undefined, { hasRedis: false })).toEqual([]);
    expect(unitsOf(sampled, 'tool 1.0.0', files(base), undefined, { hasRedis: true })).toHaveLength(1);
  });

  it('means no unit at all when no file matches the inputs', () => {
    expect(unitsOf(project, 'tool 1.0.0', files({ 'README.md': '# x\n' }))).toEqual([]);
  });
});

describe('cache key with presenceOf (a file\'s link targets)', () => {
  const links: Check = {
    name: 'links-check',
    inputs: ['**/*.md'],
    granularity: 'file',
    presenceOf: (path, content) => [...content.matchAll(/\]\(([^)#]+)/g)].map((match) => (path.includes('/') ? `${path.slice(0, path.lastIndexOf('/'))}/${match[1]}` : (match[1] as string))),
    tool: async () => 'tool 1.0.0',
    run: async () => [],
  };
  const read = (hash: string) => store.get(hash);
  const project = { 'README.md': '[a](docs/a.md) [dir](docs/) [gone](docs/gone.md) [up](../x.md)\n', 'docs/a.md': '# A\n', 'src/x.ts': '' };
  const readmeUnit = (contents: Record<string, string>) => unitsOf(links, 'tool 1.0.0', files(contents), undefined, {}, read).find((unit) => unit.checked[0] === 'README.md');

  it('materializes only the link targets that exist (directories with a trailing slash), and none outside the project', () => {
    expect(readmeUnit(project)?.presence).toEqual(['docs/', 'docs/a.md']);
  });

  it('changes when a link target appears or disappears, not when an unrelated file does', () => {
    const original = readmeUnit(project)?.key;
    expect(readmeUnit({ ...project, 'src/y.ts': '' })?.key).toBe(original);
    expect(readmeUnit({ ...project, 'docs/a.md': '# changed content\n' })?.key).toBe(original);
    expect(readmeUnit({ ...project, 'docs/gone.md': '' })?.key).not.toBe(original);
    const { 'docs/a.md': _removed, ...without } = project;
    expect(readmeUnit(without)?.key).not.toBe(original);
  });

  it('needs a content reader', () => {
    expect(() => unitsOf(links, 'tool 1.0.0', files(project))).toThrow(/presenceOf: unitsOf needs a content reader/);
  });
});

describe('globs', () => {
  it('match dot files and dot directories with * and **', () => {
    expect(matchesGlob('.github/workflows/ci.yml', '**/*.yml')).toBe(true);
    expect(matchesGlob('.env.example', '**')).toBe(true);
    expect(matchesGlob('.github/workflows/ci.yml', '.github/**')).toBe(true);
    expect(matchesGlob('.github/workflows/ci.yml', '**/*.yaml')).toBe(false);
    expect(matchesGlob('docs/a.md', '.github/**')).toBe(false);
  });
});

describe('result cache on disk', () => {
  const directory = mkdtempSync(join(tmpdir(), 'matrix-cache-test-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('stores and returns a result by key, and ignores it when told not to read', () => {
    const cache = new ResultCache(directory);
    const key = 'ab'.repeat(32);
    expect(cache.get(key)).toBeUndefined();
    cache.put(key, { check: 'c', tool: 't', findings: [{ file: 'a', message: 'm' }], ms: 1, checked: ['a'] });
    expect(cache.get(key)?.findings).toEqual([{ file: 'a', message: 'm' }]);
    expect(new ResultCache(directory, false).get(key)).toBeUndefined();
    expect(new ResultCache(undefined).get(key)).toBeUndefined();
  });
});
