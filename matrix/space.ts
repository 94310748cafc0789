/**
 * The combination space, derived from the option model alone: the cross
 * product of the options the model marks `vary`, each walked in model order as
 * the generator resolves answers (an option whose `requires` does not hold
 * takes its `valueWhenNotApplicable`, so no combination appears twice), with
 * sampled options at their first sample, plus one combination per further
 * sample. The invalid combinations come from the same `requires` data: each
 * option given a value other than its `valueWhenNotApplicable` while a
 * requirement fails.
 */
import { constraintsOf } from '../generators/core/constraints.ts';
import { applies, defaultValue, options as optionModel, type AnswerValue, type OptionDeclaration, type PartialAnswers } from '../generators/core/options.ts';

export type OptionModel = readonly OptionDeclaration[];
export type AnswerRecord = Readonly<Record<string, AnswerValue>>;

export interface Combination {
  /** Stable, readable id: the values that differ from the baseline (defaults, first samples) as flag=value, or "defaults". */
  id: string;
  /** Every option's value as the generator resolves it (options that do not apply hold their valueWhenNotApplicable). */
  answers: AnswerRecord;
  /** CLI arguments that produce this combination (every option that applies, given explicitly). */
  argv: string[];
}

export interface InvalidCombination {
  /** "invalid:" and the explicitly given values that break the rule. */
  id: string;
  /** The full answers, including the value that breaks the rule (argv gives only what differs from the baseline). */
  answers: AnswerRecord;
  /** CLI arguments (a project directory, run controls and the flags above). */
  argv: string[];
  /** The option whose requirement fails. */
  option: string;
  /** The rule as the CLI states it. */
  rule: string;
}

export interface Space {
  valid: Combination[];
  invalid: InvalidCombination[];
}

/** Run controls every CLI invocation of the matrix passes: no prompts, no npm install, no git. */
export const CLI_CONTROLS = ['--yes', '--skip-install', '--skip-git'] as const;

type Mutable = Record<string, AnswerValue>;

function declarationIn(model: OptionModel, name: string): OptionDeclaration {
  const declaration = model.find((option) => option.name === name);
  if (!declaration) throw new Error(`The option model has no option "${name}"`);
  return declaration;
}

function isValidValue(declaration: OptionDeclaration, value: AnswerValue): boolean {
  if (declaration.type === 'boolean' && typeof value !== 'boolean') return false;
  if (declaration.type === 'number' && typeof value !== 'number') return false;
  if (declaration.choices && !declaration.allowCustom && !declaration.choices.some((choice) => choice.value === value)) return false;
  return (declaration.validate?.(value) ?? []).length === 0;
}

/** The values the model names for an option: its choices, booleans, samples and a static default. */
function namedValues(declaration: OptionDeclaration): AnswerValue[] {
  const values: AnswerValue[] = [];
  if (declaration.type === 'boolean') values.push(true, false);
  for (const choice of declaration.choices ?? []) values.push(choice.value);
  if ('samples' in declaration.matrix) values.push(...declaration.matrix.samples);
  if (typeof declaration.default !== 'function') values.push(declaration.default);
  return [...new Set(values)].filter((value) => isValidValue(declaration, value));
}

/** The value a combination holds unless it varies the option: the default for `vary`, the first sample otherwise. */
function baselineValue(declaration: OptionDeclaration, soFar: PartialAnswers): AnswerValue {
  if ('vary' in declaration.matrix) return defaultValue(declaration, soFar);
  return declaration.matrix.samples[0] as AnswerValue;
}

/** The values the cross product takes for an option that applies: every value, the default first. */
function coveredValues(declaration: OptionDeclaration, soFar: PartialAnswers): AnswerValue[] {
  if (!('vary' in declaration.matrix)) return [declaration.matrix.samples[0] as AnswerValue];
  const first = defaultValue(declaration, soFar);
  const all = declaration.type === 'boolean' ? [true, false] : (declaration.choices ?? []).map((choice) => choice.value);
  return [first, ...all.filter((value) => value !== first)];
}

function validateModel(model: OptionModel): void {
  const names = new Set(model.map((declaration) => declaration.name));
  for (const declaration of model) {
    const where = `Option "${declaration.name}"`;
    if ('vary' in declaration.matrix) {
      if (declaration.type !== 'boolean' && !(declaration.type === 'choice' && declaration.choices?.length)) {
        throw new Error(`${where}: matrix { vary: true } needs a boolean or a choice option; give text and number options samples`);
      }
    } else {
      if (declaration.matrix.samples.length === 0) throw new Error(`${where}: matrix samples must not be empty`);
      for (const sample of declaration.matrix.samples) {
        if (!isValidValue(declaration, sample)) throw new Error(`${where}: matrix sample ${JSON.stringify(sample)} is not a valid value`);
      }
      if (new Set(declaration.matrix.samples).size !== declaration.matrix.samples.length) throw new Error(`${where}: matrix samples repeat a value`);
    }
    if (declaration.requires) {
      for (const name of Object.keys(declaration.requires)) {
        if (!names.has(name as OptionDeclaration['name'])) throw new Error(`${where}: requires unknown option "${name}"`);
      }
      if (declaration.valueWhenNotApplicable === undefined) throw new Error(`${where}: has requires but no valueWhenNotApplicable`);
    }
  }
}

/**
 * Resolves a full set of answers in model order, as the generator does: an
 * option that does not apply takes its valueWhenNotApplicable, otherwise the
 * chosen value, otherwise its baseline.
 */
function resolveInOrder(model: OptionModel, chosen: Readonly<Mutable>): Mutable {
  const answers: Mutable = {};
  for (const declaration of model) {
    const soFar = answers as PartialAnswers;
    if (!applies(declaration, soFar)) answers[declaration.name] = declaration.valueWhenNotApplicable as AnswerValue;
    else answers[declaration.name] = declaration.name in chosen ? (chosen[declaration.name] as AnswerValue) : baselineValue(declaration, soFar);
  }
  return answers;
}

function flagArgs(declaration: OptionDeclaration, value: AnswerValue): string[] {
  if (declaration.type === 'boolean') return [value ? `--${declaration.flag}` : `--no-${declaration.flag}`];
  return [`--${declaration.flag}`, String(value)];
}

/** The options of a resolved combination that differ from the baseline, in model order. */
function differences(model: OptionModel, answers: AnswerRecord): OptionDeclaration[] {
  const soFar: Mutable = {};
  const differing: OptionDeclaration[] = [];
  for (const declaration of model) {
    if (applies(declaration, soFar as PartialAnswers) && answers[declaration.name] !== baselineValue(declaration, soFar as PartialAnswers)) {
      differing.push(declaration);
    }
    soFar[declaration.name] = answers[declaration.name] as AnswerValue;
  }
  return differing;
}

function label(declarations: readonly OptionDeclaration[], answers: AnswerRecord): string {
  return declarations.map((declaration) => `${declaration.flag}=${String(answers[declaration.name])}`).join(',');
}

function positionalArgs(model: OptionModel, answers: AnswerRecord): { positional: string[]; rest: OptionModel } {
  const positional = model.find((declaration) => declaration.positional);
  if (!positional) return { positional: [], rest: model };
  return { positional: [String(answers[positional.name])], rest: model.filter((declaration) => declaration !== positional) };
}

function combinationOf(model: OptionModel, answers: Mutable): Combination {
  const { positional, rest } = positionalArgs(model, answers);
  const soFar: Mutable = {};
  const argv = [...positional];
  for (const declaration of model) {
    if (rest.includes(declaration) && applies(declaration, soFar as PartialAnswers)) argv.push(...flagArgs(declaration, answers[declaration.name] as AnswerValue));
    soFar[declaration.name] = answers[declaration.name] as AnswerValue;
  }
  const id = label(differences(model, answers), answers);
  return { id: id === '' ? 'defaults' : id, answers: Object.freeze(answers), argv };
}

function canonical(model: OptionModel, answers: AnswerRecord): string {
  return JSON.stringify(model.map((declaration) => answers[declaration.name] ?? null));
}

function enumerateValid(model: OptionModel): Combination[] {
  const resolved: Mutable[] = [];
  const walk = (index: number, soFar: Mutable): void => {
    const declaration = model[index];
    if (!declaration) {
      resolved.push({ ...soFar });
      return;
    }
    const values = applies(declaration, soFar as PartialAnswers)
      ? coveredValues(declaration, soFar as PartialAnswers)
      : [declaration.valueWhenNotApplicable as AnswerValue];
    for (const value of values) walk(index + 1, { ...soFar, [declaration.name]: value });
  };
  walk(0, {});

  const seen = new Set(resolved.map((answers) => canonical(model, answers)));
  // One more combination per further sample, on the first combination where the option applies.
  for (const declaration of model) {
    if (!('samples' in declaration.matrix)) continue;
    for (const sample of declaration.matrix.samples.slice(1)) {
      const host = resolved.find((answers) => applies(declaration, answers as PartialAnswers));
      if (!host) throw new Error(`Option "${declaration.name}": its requirement holds in no combination, so sample ${JSON.stringify(sample)} cannot be covered`);
      const answers = resolveInOrder(model, { ...host, [declaration.name]: sample });
      const key = canonical(model, answers);
      if (!seen.has(key)) {
        seen.add(key);
        resolved.push(answers);
      }
    }
  }
  return resolved.map((answers) => combinationOf(model, answers));
}

function enumerateInvalid(model: OptionModel): InvalidCombination[] {
  const invalid = new Map<string, InvalidCombination>();
  for (const constraint of constraintsOf(model)) {
    const declaration = declarationIn(model, constraint.option);
    const forbidden = namedValues(declaration).filter((value) => value !== declaration.valueWhenNotApplicable);
    if (forbidden.length === 0) {
      throw new Error(
        `Option "${declaration.name}": the model names no value other than its valueWhenNotApplicable (${JSON.stringify(declaration.valueWhenNotApplicable)}) to prove the rule "${constraint.rule}"; add one to its matrix samples`,
      );
    }
    for (const [requiredName, requiredValue] of Object.entries(constraint.requires)) {
      const requiredDeclaration = declarationIn(model, requiredName);
      for (const failing of namedValues(requiredDeclaration).filter((value) => value !== requiredValue)) {
        const base = resolveInOrder(model, { [requiredName]: failing });
        if (base[requiredName] === requiredValue) continue;
        for (const value of forbidden) {
          const answers: Mutable = { ...base, [declaration.name]: value };
          const explicit = new Set([...differences(model, base), requiredDeclaration, declaration]);
          const given = model.filter((option) => explicit.has(option));
          const { positional, rest } = positionalArgs(model, answers);
          const argv = [...positional, ...CLI_CONTROLS, ...given.filter((option) => rest.includes(option)).flatMap((option) => flagArgs(option, answers[option.name] as AnswerValue))];
          const id = `invalid:${label(given, answers)}`;
          if (!invalid.has(id)) invalid.set(id, { id, answers: Object.freeze(answers), argv, option: declaration.name, rule: constraint.rule });
        }
      }
    }
  }
  return [...invalid.values()];
}

/** The space of a model (the real option model unless another is passed, e.g. a modified copy in tests). */
export function buildSpace(model: OptionModel = optionModel): Space {
  validateModel(model);
  const valid = enumerateValid(model);
  const ids = new Set<string>();
  for (const combination of valid) {
    if (ids.has(combination.id)) throw new Error(`Two combinations share the id ${combination.id}`);
    ids.add(combination.id);
  }
  return { valid, invalid: enumerateInvalid(model) };
}

/**
 * A filter expression: comma-separated terms that must all hold. A term
 * `option=value` (or `option!=value`, by option name or flag) compares an
 * answer; any other term is a substring of the id.
 */
export function parseFilter(expression: string, model: OptionModel = optionModel): (combination: { id: string; answers: AnswerRecord }) => boolean {
  const terms = expression
    .split(',')
    .map((term) => term.trim())
    .filter((term) => term !== '');
  if (terms.length === 0) throw new Error(`Empty filter "${expression}"`);
  const tests = terms.map((term) => {
    const match = /^([A-Za-z][\w-]*)(!?=)(.*)$/.exec(term);
    if (!match) return (combination: { id: string }) => combination.id.includes(term);
    const [, key, operator, value] = match as unknown as [string, string, string, string];
    const declaration = model.find((option) => option.name === key || option.flag === key);
    if (!declaration) throw new Error(`Filter "${term}": no option "${key}" (options: ${model.map((option) => option.flag).join(', ')})`);
    return (combination: { answers: AnswerRecord }) => (String(combination.answers[declaration.name]) === value) === (operator === '=');
  });
  return (combination) => tests.every((test) => test(combination));
}

/** `i/n` (1-based): this shard of n. */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > 256 || index < 1 || index > count) throw new Error(`--shard must be i/n with 1 <= i <= n <= 256, got "${text}"`);
  return { index, count };
}
