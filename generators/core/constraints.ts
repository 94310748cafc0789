/**
 * Cross-option constraints. They are declared as data on the options
 * (`requires`); this module states them in words and checks them, for the CLI
 * and for the matrix alike.
 */
import { options, type AnswerName, type AnswerValue, type OptionDeclaration, type PartialAnswers } from './options.ts';

export interface Constraint {
  /** The option that has the requirement. */
  option: AnswerName;
  requires: PartialAnswers;
  /** The rule in words, as the CLI prints it. */
  rule: string;
}

export function flagFor(declaration: OptionDeclaration, value: AnswerValue): string {
  if (declaration.type === 'boolean') return value ? `--${declaration.flag}` : `--no-${declaration.flag}`;
  return `--${declaration.flag} ${String(value)}`;
}

function declarationOf(name: AnswerName, model: readonly OptionDeclaration[] = options): OptionDeclaration {
  const declaration = model.find((option) => option.name === name);
  if (!declaration) throw new Error(`Constraint refers to unknown option ${name}`);
  return declaration;
}

/** The constraints of an option model (the matrix derives its space from a passed-in model). */
export function constraintsOf(model: readonly OptionDeclaration[]): Constraint[] {
  return model
    .filter((declaration) => declaration.requires)
    .map((declaration) => {
      const requires = declaration.requires as PartialAnswers;
      const needs = Object.entries(requires)
        .map(([name, value]) => flagFor(declarationOf(name as AnswerName, model), value as AnswerValue))
        .join(' and ');
      return { option: declaration.name, requires, rule: `--${declaration.flag} needs ${needs}` };
    });
}

export const constraints: readonly Constraint[] = constraintsOf(options);

/** The constraints that a set of explicitly given answers breaks. */
export function brokenConstraints(given: PartialAnswers, resolved: PartialAnswers): Constraint[] {
  return constraints.filter((constraint) => {
    const value = given[constraint.option];
    if (value === undefined) return false;
    const declaration = declarationOf(constraint.option);
    if (value === declaration.valueWhenNotApplicable) return false;
    return Object.entries(constraint.requires).some(([name, required]) => resolved[name as AnswerName] !== required);
  });
}
