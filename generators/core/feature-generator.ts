/**
 * The Yeoman sub-generator behind every feature: contributes to the shared
 * assembly while configuring, then writes its own templates and data files.
 * Every feature sees the facts through factsForFeature, so reading a fact of
 * an option the feature is not declared to read fails the run.
 */
import Generator, { type BaseOptions } from 'yeoman-generator';
import { Assembly } from './assembly.ts';
import { tsString, tsStringProperty, tsValue } from './code-literals.ts';
import { markdownText } from './markdown-literals.ts';
import { factsForFeature, type Facts } from './facts.ts';
import type { Feature } from './feature.ts';
import { options, type AnswerName } from './options.ts';
import { withoutTaskErrorLine } from './output.ts';
import { renderPart, renderTemplate, templateFiles, type TemplateData } from './templates.ts';
import versions from './versions.json' with { type: 'json' };

export type FeatureOptions = BaseOptions & { facts: Facts; onOptionRead?: (feature: string, option: AnswerName) => void };

interface RunState {
  assembly: Assembly;
  /** Output path → the feature that wrote it: every file has exactly one owner. */
  owners: Map<string, string>;
}

const states = new WeakMap<object, RunState>();

/** One assembly and file-owner table per Yeoman environment, shared by the app and its features. */
export function runStateFor(env: object): RunState {
  let state = states.get(env);
  if (!state) {
    state = { assembly: new Assembly(), owners: new Map() };
    states.set(env, state);
  }
  return state;
}

export function assemblyFor(env: object): Assembly {
  return runStateFor(env).assembly;
}

/** The options whose declarations name this feature as a reader. */
export function optionsReadBy(feature: string): ReadonlySet<AnswerName> {
  return new Set(options.filter((option) => option.features.includes(feature)).map((option) => option.name));
}

/** A feature's view of the facts: only facts of the options it is declared to read. */
export function featureFacts(feature: Feature, facts: Facts, onOptionRead?: (feature: string, option: AnswerName) => void): Facts {
  return factsForFeature(facts, feature.name, optionsReadBy(feature.name), onOptionRead && ((option) => onOptionRead(feature.name, option)));
}

/** The locals a feature's templates get. */
export function templateData(feature: Feature, facts: Facts, assembly: Assembly): TemplateData {
  return { facts, versions, assembled: assembly.locals(feature.name, feature.reads ?? []), code: { tsString, tsStringProperty, tsValue, markdownText } };
}

export abstract class FeatureGenerator extends Generator<Record<string, unknown>, FeatureOptions> {
  abstract readonly feature: Feature;

  constructor(args: string[], options: FeatureOptions) {
    super(args, options, { disableLodashProperty: true, inheritTasks: true, templateContext: 'none' });
    (this as { log: unknown }).log = withoutTaskErrorLine(this.log as never);
  }

  get facts(): Facts {
    const facts = this.options.facts;
    if (!facts) throw new Error(`The ${this.feature.name} feature needs the project's facts; run it through the app generator.`);
    return featureFacts(this.feature, facts, this.options.onOptionRead);
  }

  configuring(): void {
    const facts = this.facts;
    const { assembly } = runStateFor(this.env);
    const partData: TemplateData = { facts, versions, assembled: {}, code: { tsString, tsStringProperty, tsValue, markdownText } };
    const contributions = this.feature.contribute?.({ facts, part: (name) => renderPart(this.feature.name, name, partData) }) ?? [];
    assembly.add(this.feature.name, contributions);
  }

  writing(): void {
    const facts = this.facts;
    const { assembly, owners } = runStateFor(this.env);
    const write = (output: string, content: string) => {
      const owner = owners.get(output);
      if (owner !== undefined) throw new Error(`${output} is written by feature ${owner} and feature ${this.feature.name}; every file has one owner`);
      owners.set(output, this.feature.name);
      this.fs.write(this.destinationPath(output), content);
    };
    const data = templateData(this.feature, facts, assembly);
    const files = templateFiles(this.feature.name);
    for (const output of Object.keys(this.feature.optionalFiles ?? {})) {
      if (!files.some((file) => file.output === output)) throw new Error(`Feature ${this.feature.name}: optional file ${output} has no template`);
    }
    for (const [output, content] of Object.entries(this.feature.files?.(facts, assembly.view(this.feature.name, this.feature.reads ?? [])) ?? {})) write(output, content);
    for (const file of files) {
      const condition = this.feature.optionalFiles?.[file.output];
      if (condition && !condition(facts)) continue;
      write(file.output, renderTemplate(file, data));
    }
  }
}
