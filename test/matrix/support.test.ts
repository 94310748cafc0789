/** The matrix's shared helpers: one glob matcher, free ports, a bounded pool, facts in unit keys, and direct runs that take the runner's files. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderProject } from '../../generators/app/render.ts';
import type { Check } from '../../matrix/check.ts';
import { loadChecks } from '../../matrix/load-checks.ts';
import { buildSpace } from '../../matrix/space.ts';
import { prepareDirectRun, projectFacts, selectFiles } from '../../matrix/support/direct-run.ts';
import { stableJson, variantFacts, variantProjection } from '../../matrix/support/facts.ts';
import { matchesAny, matchesGlob, selectPaths } from '../../matrix/support/glob.ts';
import { runPool } from '../../matrix/support/pool.ts';
import { freePort } from '../../matrix/support/ports.ts';
import { run, runTool } from '../../matrix/support/process.ts';
import { ContentStore, unitsOf } from '../../matrix/units.ts';

const scratch = mkdtempSync(join(tmpdir(), 'matrix-support-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('globs', () => {
  it('let * and ** match dot files and dot directories', () => {
    expect(matchesGlob('.env.example', '*')).toBe(true);
    expect(matchesGlob('.env.example', '**')).toBe(true);
    expect(matchesGlob('.github/workflows/ci.yml', '**/*.yml')).toBe(true);
    expect(matchesGlob('.github/workflows/ci.yml', '*/workflows/*')).toBe(true);
    expect(matchesGlob('src/.env', 'src/**')).toBe(true);
    expect(matchesGlob('compose.production.yaml', 'compose*.yaml')).toBe(true);
  });

  it('keep * within one directory and match whole paths', () => {
    expect(matchesGlob('docs/a.md', '*.md')).toBe(false);
    expect(matchesGlob('docs/a.md', '**/*.md')).toBe(true);
    expect(matchesGlob('README.md', '**/*.md')).toBe(true);
    expect(matchesGlob('docs/a.md', '.github/**')).toBe(false);
    expect(matchesGlob('Dockerfile.dev', 'Dockerfile')).toBe(false);
  });

  it('select inputs minus excludes, in order', () => {
    const paths = ['deploy/base/app.yaml', 'deploy/base/ignored.yaml', '.github/workflows/ci.yml', 'README.md', '.hidden/x.yaml'];
    expect(selectPaths(paths, ['**/*.yaml', '**/*.yml'], ['deploy/**/ignored.yaml'])).toEqual(['deploy/base/app.yaml', '.github/workflows/ci.yml', '.hidden/x.yaml']);
    expect(selectPaths(paths, ['**'], ['.*/**'])).toEqual(['deploy/base/app.yaml', 'deploy/base/ignored.yaml', 'README.md']);
    expect(matchesAny('README.md', undefined)).toBe(false);
    expect(matchesAny('README.md', [])).toBe(false);
  });
});

describe('ports', () => {
  it('are free on loopback, and distinct for concurrent callers', async () => {
    const ports = await Promise.all(Array.from({ length: 5 }, () => freePort()));
    expect(new Set(ports).size).toBe(5);
    for (const port of ports) {
      expect(Number.isInteger(port) && port > 0 && port < 65536).toBe(true);
    }
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ports[0], '127.0.0.1', resolve);
    });
    expect((server.address() as { port: number }).port).toBe(ports[0]);
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('pool', () => {
  it('never runs more than the bound at once, and runs every item once, started in order', async () => {
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      started.push(item);
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 20));
      active -= 1;
    });
    expect(peak).toBe(3);
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('runs one at a time with a bound below one', async () => {
    let active = 0;
    let peak = 0;
    await runPool([1, 2, 3], 0, async () => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active -= 1;
    });
    expect(peak).toBe(1);
  });
});

describe('processes', () => {
  it('return exit codes and output, and report timeouts', async () => {
    const ok = await run('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    expect(ok).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
    const slow = await run('sleep', ['5'], { timeoutMs: 100 });
    expect(slow.code).toBe(undefined);
    expect(slow.timedOut).toBe(true);
    await expect(runTool('no-such-tool-anywhere', [])).rejects.toThrow(/no-such-tool-anywhere could not run: .*ENOENT.*\(run bash matrix\/tools\/install.sh\)/s);
    expect((await run('sh', ['-c', 'echo "$ONLY"'], { env: { ONLY: 'this', PATH: process.env.PATH ?? '' } })).stdout).toBe('this\n');
  });
});

describe('facts', () => {
  it('fall back to the variant from the answers', () => {
    expect(variantFacts({ name: 'orders-api', database: 'postgres', cache: 'redis', sentry: true, tracing: false, observability: true })).toEqual({
      hasPostgres: true,
      hasRedis: true,
      hasSentry: true,
      hasTracing: false,
      hasObservability: true,
      name: 'orders-api',
    });
    expect(variantFacts({ database: 'none', cache: 'none', sentry: false, tracing: true })).toEqual({ hasPostgres: false, hasRedis: false, hasSentry: false, hasTracing: true, hasObservability: false, name: '' });
    expect(variantProjection({ hasPostgres: true, appPort: 3000 })).toEqual({ hasPostgres: true, hasRedis: false, hasSentry: false, hasTracing: false });
    expect(stableJson({ b: 1, a: { d: 2, c: [3, { f: 4, e: 5 }] } })).toBe('{"a":{"c":[3,{"e":5,"f":4}],"d":2},"b":1}');
  });

  const store = new ContentStore();
  const files = new Map([
    ['Dockerfile', store.add('FROM node\n')],
    ['package.json', store.add('{}')],
  ]);
  const withFacts: Check = {
    name: 'with-facts',
    inputs: ['Dockerfile', 'package.json'],
    facts: (facts) => ({ hasPostgres: facts.hasPostgres }),
    tool: async () => 'tool 1',
    run: async () => [],
  };
  const withoutFacts: Check = { ...withFacts, name: 'without-facts', facts: undefined };
  const keys = (check: Check, facts: Record<string, unknown>) => unitsOf(check, 'tool 1', files, 'code', Object.freeze(facts)).map((unit) => unit.key);

  it('make identical files with different projections two units', () => {
    const postgres = keys(withFacts, { hasPostgres: true, hasRedis: false });
    const none = keys(withFacts, { hasPostgres: false, hasRedis: false });
    expect(postgres).toHaveLength(1);
    expect(none).toHaveLength(1);
    expect(postgres[0]).not.toBe(none[0]);
    expect(new Set([...postgres, ...none]).size).toBe(2);
  });

  it('make identical files with the same projection one unit, whatever the facts outside it', () => {
    expect(keys(withFacts, { hasPostgres: true, hasRedis: false, appPort: 3000 })).toEqual(keys(withFacts, { hasRedis: true, hasPostgres: true, appPort: 8080 }));
    const [unit] = unitsOf(withFacts, 'tool 1', files, 'code', { hasPostgres: true, hasRedis: true });
    expect(unit?.facts).toEqual({ hasPostgres: true });
  });

  it('leave the key of a check without a projection as it was', () => {
    expect(keys(withoutFacts, { hasPostgres: true })).toEqual(keys(withoutFacts, { hasPostgres: false }));
    expect(unitsOf(withoutFacts, 'tool 1', files, 'code', { hasPostgres: true })[0]?.facts).toBe(undefined);
    expect(keys(withoutFacts, {})).toEqual(unitsOf(withoutFacts, 'tool 1', files, 'code').map((unit) => unit.key));
  });
});

describe('a check run by hand', () => {
  it('takes exactly the files the runner gives it from a rendered project, with the same facts', async () => {
    const combination = buildSpace().valid.find((entry) => entry.answers.database === 'postgres' && entry.answers.cache === 'redis');
    if (!combination) throw new Error('no combination with PostgreSQL and Redis');
    const rendered = await renderProject(combination.answers);
    const root = join(scratch, 'project');
    for (const [path, content] of rendered.files) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    // What an installed, built project also has: never an input.
    for (const path of ['node_modules/x/package.json', '.git/HEAD', 'node_modules/.bin/tool']) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), 'x');
    }
    const store = new ContentStore();
    const hashes = new Map([...rendered.files].map(([path, content]) => [path, store.add(content)]));
    const facts = Object.freeze(variantFacts(rendered.answers as unknown as Record<string, unknown>));
    expect(projectFacts(root)).toEqual(facts);

    const directRun = (await loadChecks()).filter(({ module }) => module && readFileSync(join(import.meta.dirname, '..', '..', module), 'utf8').includes('import.meta.main'));
    expect(directRun.map(({ check }) => check.name)).toEqual(expect.arrayContaining(['caddyfile', 'compose-schema', 'dockerfile-replay', 'hadolint', 'kubernetes-consistency', 'service-proof', 'alert-drill']));
    for (const { check, module } of directRun) {
      const source = readFileSync(join(import.meta.dirname, '..', '..', module as string), 'utf8');
      // Every direct run goes through the shared selection.
      expect(/runStandalone\(|prepareDirectRun\(/.test(source), module).toBe(true);
      const units = unitsOf(check, 'tool', hashes, 'code', facts);
      if (check.when && !check.when(facts)) {
        expect(units, check.name).toEqual([]);
        expect(() => prepareDirectRun(check, root), check.name).toThrow(`${check.name} does not run on this project: its options (${root}/.yo-rc.json) are not among the combinations it applies to`);
        continue;
      }
      const runnerFiles = [...new Set(units.flatMap((unit) => [...unit.contents.keys()]))].sort();
      const selection = selectFiles(check, [...rendered.files.keys(), 'node_modules/x/package.json', '.git/HEAD']);
      expect(selection.contents, check.name).toEqual(runnerFiles);
      const prepared = prepareDirectRun(check, root);
      try {
        expect(prepared.selection.contents, check.name).toEqual(runnerFiles);
        expect(prepared.context.files, check.name).toEqual([...new Set(units.flatMap((unit) => unit.checked))].sort());
        expect(prepared.context.facts, check.name).toEqual(units[0]?.facts);
        for (const path of runnerFiles) expect(readFileSync(join(prepared.directory, path), 'utf8')).toBe(rendered.files.get(path));
      } finally {
        prepared.remove();
      }
    }
    const proof = directRun.find(({ check }) => check.name === 'service-proof');
    expect(prepareDirectRun(proof?.check as Check, root).context.facts).toEqual({
      hasPostgres: true,
      hasRedis: true,
      hasSentry: combination.answers.sentry === true,
      hasTracing: combination.answers.tracing === true,
    });
    // With Redis, this variant is not the one that drills the alerts (drillsAlerts).
    expect(directRun.find(({ check }) => check.name === 'alert-drill')?.check.when?.(facts)).toBe(false);
  }, 120_000);
});
