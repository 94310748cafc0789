/**
 * The Yeoman sub-generator behind every feature: contributes to the shared
 * assembly while configuring, then writes its own templates.
 */
import Generator, { type BaseOptions } from 'yeoman-generator';
import { Assembly } from './assembly.ts';
import type { Feature } from './feature.ts';
import type { Answers } from './options.ts';
import { withoutTaskErrorLine } from './output.ts';
import { tsString, tsValue } from './code-literals.ts';
import { deriveProject } from './project.ts';
import { renderTemplate, templateFiles } from './templates.ts';
import versions from './versions.json' with { type: 'json' };

export type FeatureOptions = BaseOptions & { answers: Answers };

const assemblies = new WeakMap<object, Assembly>();

/** One assembly per Yeoman environment, shared by the app and its features. */
export function assemblyFor(env: object): Assembly {
  let assembly = assemblies.get(env);
  if (!assembly) {
    assembly = new Assembly();
    assemblies.set(env, assembly);
  }
  return assembly;
}

export function templateData(answers: Answers, assembly: Assembly) {
  return {
    answers,
    project: deriveProject(answers),
    versions,
    assembled: { env: assembly.env(), commands: assembly.commands(), readme: assembly.readmeSections(), gitignore: assembly.gitignore() },
    code: { tsString, tsValue },
  };
}

export abstract class FeatureGenerator extends Generator<Record<string, unknown>, FeatureOptions> {
  abstract readonly feature: Feature;

  constructor(args: string[], options: FeatureOptions) {
    super(args, options, { disableLodashProperty: true, inheritTasks: true, templateContext: 'none' });
    (this as { log: unknown }).log = withoutTaskErrorLine(this.log as never);
  }

  get answers(): Answers {
    const answers = this.options.answers;
    if (!answers) throw new Error(`The ${this.feature.name} feature needs resolved answers; run it through the app generator.`);
    return answers;
  }

  configuring(): void {
    assemblyFor(this.env).add(this.feature.name, this.feature.contribute?.(this.answers) ?? {});
  }

  writing(): void {
    const answers = this.answers;
    const data = templateData(answers, assemblyFor(this.env));
    const files = templateFiles(this.feature.name);
    for (const output of Object.keys(this.feature.optionalFiles ?? {})) {
      if (!files.some((file) => file.output === output)) throw new Error(`Feature ${this.feature.name}: optional file ${output} has no template`);
    }
    for (const [output, content] of Object.entries(this.feature.dataFiles?.(answers, data.assembled) ?? {})) this.fs.write(this.destinationPath(output), content);
    for (const file of files) {
      const condition = this.feature.optionalFiles?.[file.output];
      if (condition && !condition(answers)) continue;
      this.fs.write(this.destinationPath(file.output), renderTemplate(file, data));
    }
  }
}
