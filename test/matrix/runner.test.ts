/**
 * The runner end to end on a slice of the real space: a broken template is
 * reported against the right combinations and check, results are cached and
 * reused, shards partition the work, and a check that cannot run fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { features, type RegisteredFeature } from '../../generators/app/features.ts';
import { renderProject } from '../../generators/app/render.ts';
import type { Feature } from '../../generators/core/feature.ts';
import { assemblyFor, FeatureGenerator, templateData } from '../../generators/core/feature-generator.ts';
import { renderTemplate } from '../../generators/core/templates.ts';
import type { Check } from '../../matrix/check.ts';
import templateMarkers from '../../matrix/checks/template-markers.ts';
import { distributeFindings, runMatrix, type MatrixOptions } from '../../matrix/runner.ts';

/** 16 combinations: both caches, tracing, sentry and load tests on and off. */
const SLICE = 'database=none,ci=none,deploy=compose,observability=false';
const scratch = mkdtempSync(join(tmpdir(), 'matrix-runner-test-'));
/** The real renderer, each combination rendered once for all the runs below. */
const renders = new Map<string, ReturnType<typeof renderProject>>();
const renderOnce: MatrixOptions['render'] = (answers) => {
  const key = JSON.stringify(answers);
  if (!renders.has(key)) renders.set(key, renderProject(answers));
  return renders.get(key) as ReturnType<typeof renderProject>;
};
const quiet: MatrixOptions = { filters: [SLICE], outDir: null, log: () => {}, only: ['template-markers'], checks: [templateMarkers], render: renderOnce };

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a broken template', () => {
  const template = join(scratch, 'cache.md.ejs');
  // The bug: a property that does not exist, printed only when Redis is chosen.
  beforeAll(() => writeFileSync(template, '# Cache\n\n<% if (facts.hasRedis) { %>Redis runs at <%= facts.redisUrl %>.<% } else { %>No cache.<% } %>\n'));

  const faultyFeature: Feature = { name: 'faulty', summary: 'A feature with a template bug.', applies: () => true };
  class FaultyGenerator extends FeatureGenerator {
    readonly feature = faultyFeature;
    // A test feature outside the option model: it sees every fact.
    override get facts() {
      return this.options.facts;
    }
    override writing(): void {
      const content = renderTemplate({ source: template, output: 'docs/cache.md', isTemplate: true }, templateData(this.feature, this.facts, assemblyFor(this.env)));
      this.fs.write(this.destinationPath('docs/cache.md'), content);
    }
  }
  const withFaulty: RegisteredFeature[] = [...features, { definition: faultyFeature, Generator: FaultyGenerator, path: import.meta.filename }];

  it('fails exactly the combinations that render it, naming the check, the file and the finding', async () => {
    const report = await runMatrix({ ...quiet, cacheDir: null, render: (answers) => renderProject(answers, { features: withFaulty }) });
    expect(report.verdict).toBe('fail');
    const redis = report.combinations.filter((combination) => combination.answers.cache === 'redis');
    const none = report.combinations.filter((combination) => combination.answers.cache === 'none');
    expect(redis.length).toBe(8);
    for (const combination of redis) expect(combination.checks['template-markers'], combination.id).toBe('fail');
    for (const combination of none) expect(combination.verdict, combination.id).toBe('pass');
    const failure = report.failures.find((entry) => entry.check === 'template-markers');
    expect(failure?.files).toEqual(['docs/cache.md']);
    expect(failure?.findings).toEqual([{ file: 'docs/cache.md', message: 'line 3: "undefined" printed where a value was expected' }]);
    expect(failure?.combinations.sort()).toEqual(redis.map((combination) => combination.id).sort());
    // One identical broken file, however many combinations render it: checked once.
    expect(report.failures.filter((entry) => entry.check === 'template-markers')).toHaveLength(1);
  }, 120_000);

  it('passes with the real features', async () => {
    const report = await runMatrix({ ...quiet, cacheDir: null });
    expect(report.verdict).toBe('pass');
    expect(report.combinations).toHaveLength(16);
    expect(report.combinations.every((combination) => combination.checks['template-markers'] === 'pass')).toBe(true);
  }, 120_000);
});

describe('caching and sharding', () => {
  it('reuses results from disk on the second run, with the same verdicts', async () => {
    const cacheDir = join(scratch, 'cache');
    const first = await runMatrix({ ...quiet, cacheDir });
    const second = await runMatrix({ ...quiet, cacheDir });
    const [cold] = first.checks;
    const [warm] = second.checks;
    expect(cold?.misses).toBe(cold?.distinctInputs);
    expect(warm?.hits).toBe(cold?.distinctInputs);
    expect(warm?.misses).toBe(0);
    expect(warm?.runs).toBe(0);
    expect(second.combinations.map((combination) => combination.verdict)).toEqual(first.combinations.map((combination) => combination.verdict));
    const ignored = await runMatrix({ ...quiet, cacheDir, noCache: true });
    expect(ignored.checks[0]?.hits).toBe(0);
  }, 120_000);

  it('checks each distinct input once: far fewer units than files rendered', async () => {
    const report = await runMatrix({ ...quiet, cacheDir: null });
    const [check] = report.checks;
    expect(check?.distinctInputs).toBeLessThan(report.counts.renderedFiles / 4);
    // A unit is a path with its content: one content under two paths (an ADR numbered by the decisions a combination made) is two units.
    const units = new Set<string>();
    for (const rendering of renders.values()) for (const [path, content] of (await rendering).files) units.add(`${path}\n${content}`);
    expect(check?.distinctInputs).toBe(units.size);
  }, 120_000);

  it('deals every distinct input to exactly one shard', async () => {
    const whole = await runMatrix({ ...quiet, cacheDir: null });
    const shards = await Promise.all([1, 2, 3].map((index) => runMatrix({ ...quiet, cacheDir: null, shard: { index, count: 3 } })));
    const total = whole.checks[0]?.distinctInputs as number;
    expect(shards.reduce((sum, report) => sum + (report.checks[0]?.inShard ?? 0), 0)).toBe(total);
    for (const report of shards) {
      expect(report.checks[0]?.distinctInputs).toBe(total);
      expect(report.checks[0]?.inShard).toBeGreaterThanOrEqual(Math.floor(total / 3));
      expect(report.checks[0]?.inShard).toBeLessThanOrEqual(Math.ceil(total / 3));
    }
  }, 120_000);
});

describe('selection', () => {
  it('refuses a filter that selects nothing, rather than passing with nothing checked', async () => {
    await expect(runMatrix({ ...quiet, cacheDir: null, filters: ['no-such-combination'] })).rejects.toThrow(/selects no combination/);
  });
});

describe('checks that cannot run', () => {
  const crashing: Check = {
    name: 'crashing',
    inputs: ['README.md'],
    tool: async () => 'crashing 1',
    run: async () => {
      throw new Error('tool crashed');
    },
  };
  const missingTool: Check = {
    name: 'missing-tool',
    inputs: ['package.json'],
    tool: async () => {
      throw new Error('spawn not-installed ENOENT');
    },
    run: async () => [],
  };

  it('fail the combinations as errors and are never cached', async () => {
    const cacheDir = join(scratch, 'errors');
    const options: MatrixOptions = { ...quiet, only: undefined, checks: [crashing, missingTool], filters: [`${SLICE},cache=none,tracing=false,sentry=false,load-test=false`], cacheDir };
    const report = await runMatrix(options);
    expect(report.verdict).toBe('fail');
    expect(report.combinations[0]?.checks).toMatchObject({ crashing: 'error', 'missing-tool': 'error' });
    expect(report.failures.map((failure) => failure.findings[0]?.message)).toEqual(['could not run: tool crashed', 'missing-tool: tool unavailable: spawn not-installed ENOENT']);
    const again = await runMatrix(options);
    expect(again.checks.find((check) => check.name === 'crashing')?.hits).toBe(0);
  }, 120_000);
});

describe('findings', () => {
  it('reach the report without terminal colour codes', async () => {
    const colourful: Check = { name: 'colourful', inputs: ['README.md'], tool: async () => 'colourful 1', run: async () => [{ file: 'README.md', message: '\u001b[31m✗\u001b[39m broken' }] };
    const report = await runMatrix({ ...quiet, only: undefined, checks: [colourful], filters: ['defaults'], cacheDir: null });
    expect(report.failures[0]?.findings).toEqual([{ file: 'README.md', message: '✗ broken' }]);
    expect(report.failures[0]?.combinations).toEqual(['defaults']);
  });
});

describe('batched findings', () => {
  it('go to the unit named by their path prefix; findings without a file go to every unit of the run', () => {
    const split = distributeFindings(
      [
        { file: '1/README.md', message: 'a' },
        { file: '/run/0/docs/x.md', message: 'b' },
        { message: 'c' },
      ],
      '/run',
      2,
      true,
    );
    expect(split).toEqual([
      [{ file: 'docs/x.md', message: 'b' }, { message: 'c' }],
      [{ file: 'README.md', message: 'a' }, { message: 'c' }],
    ]);
  });
});
