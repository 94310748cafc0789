/** Every feature the app generator can compose, in one list. */
import { join } from 'node:path';
import type { Feature } from '../core/feature.ts';
import RepoGenerator from '../repo/index.ts';
import { repoFeature } from '../repo/feature.ts';

const generatorsRoot = join(import.meta.dirname, '..');

export interface RegisteredFeature {
  definition: Feature;
  Generator: unknown;
  /** The sub-generator's module path, as Yeoman registers it. */
  path: string;
}

export const features: readonly RegisteredFeature[] = [{ definition: repoFeature, Generator: RepoGenerator, path: join(generatorsRoot, 'repo') }];
