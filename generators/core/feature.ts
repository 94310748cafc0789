/**
 * The contract of a feature: one unit of the generated project, with its
 * templates in templates/<name>/ and its contributions to assembled files.
 */
import type { Answers } from './options.ts';

export interface EnvVar {
  name: string;
  description: string;
  required: boolean;
  /** Default used when the variable is unset (also the .env.example value unless `example` is given). */
  default?: string;
  example?: string;
  secret: boolean;
}

export interface PackageJsonPart {
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  /** Other top-level fields (engines, imports, ...). */
  fields?: Record<string, unknown>;
}

export interface Command {
  /** npm script name. */
  script: string;
  description: string;
}

export interface ReadmeSection {
  title: string;
  /** Markdown body, without the heading. */
  body: string;
  /** Lower comes first. */
  order: number;
}

export interface Contributions {
  packageJson?: PackageJsonPart;
  env?: EnvVar[];
  /** Commands listed in the generated README. */
  commands?: Command[];
  readme?: ReadmeSection[];
  /** Lines added to the generated .gitignore. */
  gitignore?: string[];
}

/** Every feature's contributions, merged: what `dataFiles` can build from. */
export interface Assembled {
  env: EnvVar[];
  commands: Command[];
  readme: ReadmeSection[];
  gitignore: string[];
}

export interface Feature {
  name: string;
  /** One line for docs. */
  summary: string;
  applies(answers: Answers): boolean;
  /**
   * Conditions for optional files, keyed by the output path (as it lands in the
   * generated project). Files not listed are always written.
   */
  optionalFiles?: Record<string, (answers: Answers) => boolean>;
  contribute?(answers: Answers): Contributions;
  /** Files built from data rather than templates, keyed by output path. */
  dataFiles?(answers: Answers, assembled: Assembled): Record<string, string>;
}
