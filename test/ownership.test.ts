/**
 * Every option is owned: its declaration names the features that read it,
 * each named feature really reads it, and a feature that reads an option it
 * is not named for fails the run. Options nothing reads yet say so (planned).
 * Every generated file has exactly one owning feature.
 */
import { describe, expect, it } from 'vitest';
import { features, type RegisteredFeature } from '../generators/app/features.ts';
import { renderProject } from '../generators/app/render.ts';
import { deriveFacts, factSources } from '../generators/core/facts.ts';
import type { Feature } from '../generators/core/feature.ts';
import { FeatureGenerator } from '../generators/core/feature-generator.ts';
import { options, type AnswerName } from '../generators/core/options.ts';
import { buildSpace } from '../matrix/space.ts';

/** Combinations of the matrix space that together give every option every value the space takes. */
function coveringCombinations() {
  const valid = buildSpace().valid;
  const seen = new Set<string>();
  const pairs = (answers: Record<string, unknown>) => Object.entries(answers).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  const chosen = [];
  for (const combination of valid) {
    const fresh = pairs(combination.answers).filter((pair) => !seen.has(pair));
    if (fresh.length === 0) continue;
    for (const pair of fresh) seen.add(pair);
    chosen.push(combination);
  }
  return chosen;
}

describe('option ownership', () => {
  const registered = new Set(features.map((feature) => feature.definition.name));

  it('names only registered features, and marks an option no feature reads as planned', () => {
    for (const option of options) {
      for (const feature of option.features) expect(registered, `${option.name} names ${feature}`).toContain(feature);
      if (option.features.length === 0) expect(option.planned, `${option.name} is read by no feature`).toMatch(/not generated yet/);
    }
  });

  it('every feature named by an option reads it, in the combinations that cover every value', async () => {
    const reads = new Map<AnswerName, Set<string>>();
    const combinations = coveringCombinations();
    expect(combinations.length).toBeGreaterThan(3);
    for (const combination of combinations) {
      await renderProject(combination.answers, {
        onOptionRead: (feature, option) => reads.set(option, (reads.get(option) ?? new Set()).add(feature)),
      });
    }
    for (const option of options) {
      expect([...(reads.get(option.name) ?? [])].sort(), `features that read ${option.name}`).toEqual([...option.features].sort());
    }
  });

  it('fails the run when a feature reads a fact of an option it is not named for', async () => {
    const nosy: Feature = { name: 'nosy', summary: 'Reads the database choice without owning it.', applies: (facts) => facts.hasPostgres };
    class NosyGenerator extends FeatureGenerator {
      readonly feature = nosy;
    }
    const withNosy: RegisteredFeature[] = [...features, { definition: nosy, Generator: NosyGenerator, path: import.meta.filename }];
    await expect(renderProject({ name: 'orders-api' }, { features: withNosy })).rejects.toThrow(
      'Feature nosy reads fact hasPostgres, derived from option(s) database, which do not name nosy as a reader',
    );
  });

  it('derives every fact from declared options only', () => {
    const names = new Set(options.map((option) => option.name));
    for (const [fact, sources] of Object.entries(factSources)) for (const source of sources) expect(names, `${fact} from ${source}`).toContain(source);
  });
});

describe('facts', () => {
  it('are frozen, deeply', async () => {
    const { answers } = await renderProject({ name: 'orders-api', tracing: true });
    const facts = deriveFacts(answers);
    expect(Object.isFrozen(facts)).toBe(true);
    expect(Object.isFrozen(facts.startCommand)).toBe(true);
    expect(Object.isFrozen(facts.paths)).toBe(true);
    expect(facts.startCommand).toEqual(['node', '--import', './dist/instrumentation.js', 'dist/server.js']);
  });
});

describe('file ownership', () => {
  it('fails the run when two features write the same file, naming both', async () => {
    const squatter: Feature = { name: 'squatter', summary: 'Writes README.md too.', applies: () => true, files: () => ({ 'README.md': '# mine\n' }) };
    class SquatterGenerator extends FeatureGenerator {
      readonly feature = squatter;
    }
    const withSquatter: RegisteredFeature[] = [...features, { definition: squatter, Generator: SquatterGenerator, path: import.meta.filename }];
    await expect(renderProject({ name: 'orders-api' }, { features: withSquatter })).rejects.toThrow(/README\.md is written by feature (repo|squatter) and feature (repo|squatter); every file has one owner/);
  });
});
