/**
 * The features `add` and `remove` take, derived from the option model (no
 * second list): every yes/no option is a feature named by its flag
 * (`sentry`, `load-test`: add = --sentry, remove = --no-sentry), and every
 * choice of a choice option that has a `none` choice is a feature named by the
 * choice (`redis`: add = --cache redis, remove = --cache none). Options
 * without `none` (deploy, license, registry) are changed by re-running with
 * the flag, not by add/remove.
 */
import { flagFor } from './constraints.ts';
import { options, type AnswerName, type AnswerValue, type OptionDeclaration } from './options.ts';

export interface FeatureToggle {
  /** What the user types: `redis`, `load-test`. */
  name: string;
  option: AnswerName;
  /** The answer `add` sets. */
  on: AnswerValue;
  /** The answer `remove` sets. */
  off: AnswerValue;
  /** One line for `add --help`. */
  help: string;
}

const NONE = 'none';

function togglesOf(declaration: OptionDeclaration): FeatureToggle[] {
  if (declaration.type === 'boolean') return [{ name: declaration.flag, option: declaration.name, on: true, off: false, help: declaration.help }];
  if (declaration.type !== 'choice' || !declaration.choices?.some((choice) => choice.value === NONE)) return [];
  return declaration.choices
    .filter((choice) => choice.value !== NONE)
    .map((choice) => ({ name: choice.value, option: declaration.name, on: choice.value, off: NONE, help: choice.description }));
}

/**
 * Every feature of the option model, in declaration order. Throws when two
 * options would give the same name (a defect of the option model).
 */
export function featureToggles(model: readonly OptionDeclaration[] = options): FeatureToggle[] {
  const toggles = model.flatMap(togglesOf);
  const seen = new Set<string>();
  for (const toggle of toggles) {
    if (seen.has(toggle.name)) throw new Error(`Two options give add/remove the feature name "${toggle.name}"`);
    seen.add(toggle.name);
  }
  return toggles;
}

/** The flag that sets `value` for the toggle's option: `--cache redis`, `--no-sentry`. */
export function toggleFlag(toggle: FeatureToggle, value: AnswerValue, model: readonly OptionDeclaration[] = options): string {
  const declaration = model.find((option) => option.name === toggle.option);
  if (!declaration) throw new Error(`No option named ${toggle.option}`);
  return flagFor(declaration, value);
}
