/**
 * Turns raw input (flags, an answers file, saved answers, prompt answers) into
 * complete, validated, frozen Answers, or a UsageError that lists every problem.
 */
import { brokenConstraints } from './constraints.ts';
import {
  applies,
  defaultValue,
  options,
  type AnswerName,
  type AnswerValue,
  type Answers,
  type OptionDeclaration,
  type PartialAnswers,
} from './options.ts';
import { suggestProjectName } from './project-name.ts';
import { didYouMean } from './suggest.ts';

/**
 * What kind of refusal a UsageError is, as --json reports it (stable; see
 * docs/json-output.md): `target-not-empty` when the only problem is a
 * non-empty target without --force, `conflicting-files` when existing files
 * would be overwritten or removed, `usage` for everything else.
 */
export type UsageCode = 'usage' | 'target-not-empty' | 'conflicting-files';

/** Input the run refuses (exit 2): every problem, in words. */
export class UsageError extends Error {
  readonly problems: readonly string[];
  readonly code: UsageCode;
  constructor(problems: readonly string[], code: UsageCode = 'usage') {
    super(problems.length === 1 ? (problems[0] as string) : `${problems.length} problems:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'UsageError';
    this.problems = problems;
    this.code = code;
  }
}

export type RawAnswers = Partial<Record<AnswerName, unknown>>;

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

/** Where a value came from: 'flag', 'directory' (the project name taken from the target directory), or a file or 'answer'. */
function describe(declaration: OptionDeclaration, source: string): string {
  if (source === 'directory') return 'The directory name';
  return source === 'flag' ? `--${declaration.flag}` : `${declaration.name} (${source})`;
}

/** Converts one raw value to the option's type; returns problems in words. */
export function coerce(declaration: OptionDeclaration, raw: unknown, source = 'flag'): { value?: AnswerValue; problems: string[] } {
  const label = describe(declaration, source);
  switch (declaration.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw, problems: [] };
      const word = String(raw).toLowerCase();
      if (TRUE_WORDS.has(word)) return { value: true, problems: [] };
      if (FALSE_WORDS.has(word)) return { value: false, problems: [] };
      return { problems: [`${label}: "${String(raw)}" is not a boolean. Use true or false${source === 'flag' ? ` (or --no-${declaration.flag})` : ''}.`] };
    }
    case 'number': {
      const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
      const value = Number(text);
      const problems = text === '' || !Number.isFinite(value) ? ['must be a number'] : (declaration.validate?.(text) ?? []);
      return problems.length > 0 ? { problems: problems.map((problem) => `${label}: "${String(raw)}" ${problem}.`) } : { value, problems: [] };
    }
    case 'choice': {
      const values = (declaration.choices ?? []).map((choice) => choice.value);
      const text = String(raw);
      const exact = values.find((value) => value === text) ?? values.find((value) => value.toLowerCase() === text.toLowerCase());
      if (exact !== undefined) return { value: exact, problems: [] };
      return { problems: [`${label}: "${text}" is not one of ${values.join(', ')}.${didYouMean(text, values)}`] };
    }
    case 'text': {
      if (typeof raw !== 'string' && typeof raw !== 'number') return { problems: [`${label}: expected text, got ${JSON.stringify(raw)}.`] };
      const text = String(raw).trim();
      // Named choices of a text option are matched case-insensitively and stored in their canonical case, like choice options.
      const value = declaration.choices?.find((choice) => choice.value.toLowerCase() === text.toLowerCase())?.value ?? text;
      const problems = declaration.validate?.(value) ?? [];
      if (problems.length === 0) return { value, problems: [] };
      const fix = declaration.name === 'name' ? suggestProjectName(value) : undefined;
      if (source === 'directory') {
        // The user never typed --name: say where the name came from and how to keep the directory.
        const keep = `Keep the directory and pass --name ${fix ?? '<name>'}${fix === undefined ? ' with a valid name' : ''}, or choose a directory named like the project.`;
        return { problems: [`${label} "${value}" is not a valid project name: it ${problems.join('; it ')}. ${keep}`] };
      }
      const hint = fix === undefined ? '' : ` Try "${fix}".`;
      return { problems: [`${label}: "${value}" is not valid: it ${problems.join('; it ')}.${hint}`] };
    }
  }
}

/** Coerces every known key of a raw answers object; unknown keys are problems. */
export function coerceAll(raw: Record<string, unknown>, source: string): { answers: PartialAnswers; problems: string[] } {
  const answers: Record<string, AnswerValue> = {};
  const problems: string[] = [];
  const names = options.flatMap((option) => [option.name, option.flag]);
  for (const [key, rawValue] of Object.entries(raw)) {
    if (rawValue === undefined) continue;
    const declaration = options.find((option) => option.name === key || option.flag === key);
    if (!declaration) {
      problems.push(`${source}: unknown option "${key}".${didYouMean(key, names)}`);
      continue;
    }
    const result = coerce(declaration, rawValue, source);
    problems.push(...result.problems);
    if (result.value !== undefined) answers[declaration.name] = result.value;
  }
  return { answers: answers as PartialAnswers, problems };
}

/**
 * Completes answers: given values win, then prompt answers, then defaults.
 * `given` are answers the user chose explicitly (flags, answers file, saved);
 * an explicit value for an option whose requirements do not hold is an error.
 */
export function completeAnswers(given: PartialAnswers): { answers?: Answers; problems: string[] } {
  const resolved: Record<string, AnswerValue> = {};
  const problems: string[] = [];
  for (const declaration of options) {
    const explicit = given[declaration.name];
    if (!applies(declaration, resolved as PartialAnswers)) {
      resolved[declaration.name] = declaration.valueWhenNotApplicable as AnswerValue;
      continue;
    }
    resolved[declaration.name] = explicit ?? defaultValue(declaration, resolved as PartialAnswers);
  }
  for (const constraint of brokenConstraints(given, resolved as PartialAnswers)) problems.push(`Incompatible options: ${constraint.rule}.`);
  if (!resolved.name) problems.push('Missing: the project name. Give a directory (create-prodready-app my-service) or --name.');
  return problems.length > 0 ? { problems } : { answers: Object.freeze(resolved) as unknown as Answers, problems };
}

/** The names of options that still need an answer (for prompts). */
export function unanswered(given: PartialAnswers): AnswerName[] {
  return options.filter((option) => given[option.name] === undefined).map((option) => option.name);
}

export function isAnswerName(key: string): key is AnswerName {
  return options.some((option) => option.name === key);
}

/** The key in a saved answers record (.yo-rc.json) that lists the answers which were defaults. */
export const DEFAULTS_KEY = 'defaults';

/**
 * The record saved in .yo-rc.json: every answer, plus `defaults`, the names
 * of the answers the user did not choose (no flag, answers file, saved
 * explicit answer or prompt answer gave them), sorted by option order.
 */
export function answersRecord(answers: Answers, given: PartialAnswers): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const declaration of options) record[declaration.name] = answers[declaration.name];
  record[DEFAULTS_KEY] = options.filter((declaration) => given[declaration.name] === undefined).map((declaration) => declaration.name);
  return record;
}

/**
 * The explicit answers of a saved record, still raw: the record's answers
 * minus those its `defaults` list names (a default is computed again on every
 * run, so it follows the other answers), and the names in that list. A
 * record without the list (written before it existed) is all explicit. A
 * malformed list is a problem in words.
 */
export function explicitSavedAnswers(record: Readonly<Record<string, unknown>>): { raw: Record<string, unknown>; defaults: string[]; problems: string[] } {
  const { [DEFAULTS_KEY]: defaults = [], ...rest } = record;
  const answers: Record<string, unknown> = { ...rest };
  if (!Array.isArray(defaults) || defaults.some((name) => typeof name !== 'string')) {
    return { raw: answers, defaults: [], problems: [`.yo-rc.json: "${DEFAULTS_KEY}" must be a list of option names, got ${JSON.stringify(defaults)}.`] };
  }
  for (const name of defaults as string[]) delete answers[name];
  return { raw: answers, defaults: defaults as string[], problems: [] };
}
