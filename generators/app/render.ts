/**
 * Renders a project in memory through the same generator path as the CLI:
 * used by the matrix and the benchmarks.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Facts } from '../core/facts.ts';
import type { AnswerName, Answers, PartialAnswers } from '../core/options.ts';
import type { RegisteredFeature } from './features.ts';
import AppGenerator from './index.ts';

type EnvironmentConstructor = typeof import('yeoman-environment').default;
let environment: Promise<EnvironmentConstructor> | undefined;

export interface RenderedProject {
  answers: Answers;
  /** The facts every feature saw (derived once from the answers). */
  facts: Facts;
  /** File contents by project-relative path, sorted by path. */
  files: Map<string, string>;
}

export interface RenderOptions {
  /** Compose these features instead of the registered ones (for tests: e.g. the real ones plus a faulty one). */
  features?: readonly RegisteredFeature[];
  /** Hears every option a feature reads through the facts. */
  onOptionRead?: (feature: string, option: AnswerName) => void;
}

export async function renderProject(given: PartialAnswers | Record<string, unknown>, options: RenderOptions = {}): Promise<RenderedProject> {
  environment ??= import('yeoman-environment').then((module) => module.default);
  const Environment = await environment;
  // A directory that never exists: nothing is read from or written to it.
  const root = join(tmpdir(), `create-prodready-app-render-${process.pid}-never-written`);
  const env = new Environment({ cwd: root, skipInstall: true, skipCache: true });
  const generator = (await env.create(AppGenerator as never, {
    generatorArgs: [],
    generatorOptions: { ...given, inMemory: true, skipInstall: true, skipGit: true, ...(options.features ? { features: options.features } : {}), ...(options.onOptionRead ? { onOptionRead: options.onOptionRead } : {}) } as never,
  })) as unknown as AppGenerator;
  await env.runGenerator(generator as never);
  const { answers, facts } = generator.result;
  if (!answers || !facts) throw new Error('The generator finished without answers');
  return { answers, facts, files: generator.rendered };
}
