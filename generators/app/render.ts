/**
 * Renders a project in memory through the same generator path as the CLI:
 * used by the matrix and the benchmarks.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Answers, PartialAnswers } from '../core/options.ts';
import type { RegisteredFeature } from './features.ts';
import AppGenerator from './index.ts';

type EnvironmentConstructor = typeof import('yeoman-environment').default;
let environment: Promise<EnvironmentConstructor> | undefined;

export interface RenderedProject {
  answers: Answers;
  /** File contents by project-relative path, sorted by path. */
  files: Map<string, string>;
}

export interface RenderOptions {
  /** Compose these features instead of the registered ones (for tests: e.g. the real ones plus a faulty one). */
  features?: readonly RegisteredFeature[];
}

export async function renderProject(given: PartialAnswers | Record<string, unknown>, options: RenderOptions = {}): Promise<RenderedProject> {
  environment ??= import('yeoman-environment').then((module) => module.default);
  const Environment = await environment;
  // A directory that never exists: nothing is read from or written to it.
  const root = join(tmpdir(), `create-prodready-app-render-${process.pid}-never-written`);
  const env = new Environment({ cwd: root, skipInstall: true, skipCache: true });
  const generator = (await env.create(AppGenerator as never, {
    generatorArgs: [],
    generatorOptions: { ...given, inMemory: true, skipInstall: true, skipGit: true, ...(options.features ? { features: options.features } : {}) } as never,
  })) as unknown as AppGenerator;
  await env.runGenerator(generator as never);
  const { answers } = generator.result;
  if (!answers) throw new Error('The generator finished without answers');
  return { answers, files: generator.rendered };
}
