/** The matrix space is derived from the option model: counts, validity, coverage, invalid combinations. */
import { describe, expect, it } from 'vitest';
import { completeAnswers } from '../../generators/core/answers.ts';
import { constraints } from '../../generators/core/constraints.ts';
import { applies, options, type AnswerValue, type OptionDeclaration, type PartialAnswers } from '../../generators/core/options.ts';
import { buildSpace, parseFilter, parseShard, type OptionModel } from '../../matrix/space.ts';

/** Every value a `vary` option can take, from the model. */
function varyValues(option: OptionDeclaration): AnswerValue[] {
  return option.type === 'boolean' ? [true, false] : (option.choices ?? []).map((choice) => choice.value);
}

/**
 * The expected number of valid combinations, computed another way than the
 * space does: the naive cross product of all `vary` values, normalised (an
 * option that does not apply takes its valueWhenNotApplicable) and counted
 * once, plus one per further sample.
 */
function expectedCount(model: OptionModel): number {
  let rows: Record<string, AnswerValue>[] = [{}];
  for (const option of model) {
    const values = 'vary' in option.matrix ? varyValues(option) : [option.matrix.samples[0] as AnswerValue];
    rows = rows.flatMap((row) => values.map((value) => ({ ...row, [option.name]: value })));
  }
  const distinct = new Set(
    rows.map((row) => {
      const normal: Record<string, AnswerValue> = {};
      for (const option of model) normal[option.name] = applies(option, normal as PartialAnswers) ? (row[option.name] as AnswerValue) : (option.valueWhenNotApplicable as AnswerValue);
      return JSON.stringify(normal);
    }),
  );
  const extraSamples = model.reduce((sum, option) => sum + ('samples' in option.matrix ? option.matrix.samples.length - 1 : 0), 0);
  return distinct.size + extraSamples;
}

function hypothetical(option: Omit<Partial<OptionDeclaration>, 'name'> & { name: string }): OptionDeclaration {
  return { flag: option.name, type: 'boolean', group: 'Operations', help: 'h', message: 'm', default: false, matrix: { vary: true }, ...option } as unknown as OptionDeclaration;
}

describe('matrix space', () => {
  const space = buildSpace();

  it('has as many valid combinations as the option model implies', () => {
    expect(space.valid.length).toBe(expectedCount(options));
    expect(space.valid.length).toBeGreaterThan(100);
  });

  it('holds no combination twice, and every id is unique', () => {
    expect(new Set(space.valid.map((combination) => JSON.stringify(combination.answers))).size).toBe(space.valid.length);
    expect(new Set(space.valid.map((combination) => combination.id)).size).toBe(space.valid.length);
    expect(space.valid[0]?.id).toBe('defaults');
  });

  it('holds only combinations the generator accepts, resolved as the generator resolves them', () => {
    for (const combination of space.valid) {
      const { answers, problems } = completeAnswers(combination.answers as PartialAnswers);
      expect(problems, combination.id).toEqual([]);
      expect(answers, combination.id).toEqual(combination.answers);
    }
  });

  it('covers every value of every varied option and every sample', () => {
    for (const option of options) {
      const seen = new Set(space.valid.map((combination) => combination.answers[option.name]));
      const wanted = 'vary' in option.matrix ? varyValues(option) : option.matrix.samples;
      for (const value of wanted) expect(seen.has(value), `${option.name}=${String(value)}`).toBe(true);
    }
  });

  it('gives an option that does not apply its valueWhenNotApplicable, never another value', () => {
    const backup = options.find((option) => option.name === 'backup') as OptionDeclaration;
    const withoutDatabase = space.valid.filter((combination) => combination.answers.database === 'none');
    expect(withoutDatabase.length).toBeGreaterThan(0);
    for (const combination of withoutDatabase) expect(combination.answers.backup).toBe(backup.valueWhenNotApplicable);
  });

  it('changes when the model changes: a new varied boolean doubles the cross product', () => {
    const model = [...options, hypothetical({ name: 'featureFlags' })];
    const extraSamples = options.reduce((sum, option) => sum + ('samples' in option.matrix ? option.matrix.samples.length - 1 : 0), 0);
    expect(buildSpace(model).valid.length).toBe(2 * (space.valid.length - extraSamples) + extraSamples);
    expect(buildSpace(model).valid.length).toBe(expectedCount(model));
  });

  it('changes when the model changes: a new option with a requirement adds only where it applies', () => {
    const model = [...options, hypothetical({ name: 'sharedSessions', requires: { cache: 'redis' } as PartialAnswers, valueWhenNotApplicable: false })];
    const withRedis = space.valid.filter((combination) => combination.answers.cache === 'redis').length;
    const derived = buildSpace(model);
    expect(derived.valid.length).toBe(space.valid.length + withRedis);
    expect(derived.valid.length).toBe(expectedCount(model));
    const invalid = derived.invalid.find((combination) => combination.option === 'sharedSessions');
    expect(invalid?.rule).toBe('--sharedSessions needs --cache redis');
    expect(invalid?.answers).toMatchObject({ cache: 'none', sharedSessions: true });
  });

  it('changes when the model changes: each further sample adds one combination', () => {
    const model = options.map((option) => (option.name === 'owner' ? { ...option, matrix: { samples: ['acme', 'globex', 'initech'] } } : option));
    expect(buildSpace(model).valid.length).toBe(space.valid.length + 2);
    expect(buildSpace(model).valid.map((combination) => combination.id)).toContain('owner=initech');
  });

  it('refuses a model it cannot cover', () => {
    expect(() => buildSpace([...options, hypothetical({ name: 'motto', type: 'text', default: 'x' })])).toThrow(/vary: true.*needs a boolean or a choice/);
    const badSample = options.map((option) => (option.name === 'license' ? { ...option, matrix: { samples: ['MIT', 'WTFPL'] } } : option));
    expect(() => buildSpace(badSample)).toThrow(/sample "WTFPL" is not a valid value/);
    const unprovable = options.map((option) => (option.name === 'slo' ? { ...option, matrix: { samples: [99.9] } } : option));
    expect(() => buildSpace(unprovable)).toThrow(/no value other than its valueWhenNotApplicable.*--slo needs --observability/);
  });

  it('derives one invalid combination per way each constraint can be broken', () => {
    expect(space.invalid.map((combination) => combination.rule).sort()).toEqual(constraints.map((constraint) => constraint.rule).sort());
    for (const combination of space.invalid) {
      const option = options.find((candidate) => candidate.name === combination.option) as OptionDeclaration;
      expect(combination.answers[option.name]).not.toBe(option.valueWhenNotApplicable);
      expect(applies(option, combination.answers as PartialAnswers)).toBe(false);
      expect(combination.argv).toContain('--yes');
    }
  });

  it('filters by option values (name or flag) and by id substring', () => {
    const selected = space.valid.filter(parseFilter('database=none,cache=redis'));
    expect(selected.length).toBeGreaterThan(0);
    expect(selected.every((combination) => combination.answers.database === 'none' && combination.answers.cache === 'redis')).toBe(true);
    expect(space.valid.filter(parseFilter('load-test=false')).length).toBe(space.valid.filter(parseFilter('loadTest=false')).length);
    expect(space.valid.filter(parseFilter('license=Apache')).map((combination) => combination.id)).toEqual([]);
    expect(space.valid.filter(parseFilter('Apache')).map((combination) => combination.id)).toEqual(['license=Apache-2.0']);
    expect(space.valid.filter(parseFilter('ci!=github')).every((combination) => combination.answers.ci !== 'github')).toBe(true);
    expect(() => parseFilter('databse=none')).toThrow(/no option "databse"/);
  });

  it('parses shards', () => {
    expect(parseShard('3/8')).toEqual({ index: 3, count: 8 });
    for (const bad of ['0/8', '9/8', '1/257', 'x']) expect(() => parseShard(bad)).toThrow(/--shard/);
  });
});
