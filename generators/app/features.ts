/** Every feature the app generator can compose, in one list. */
import { join } from 'node:path';
import BackupGenerator from '../backup/index.ts';
import { backupFeature } from '../backup/feature.ts';
import ComposeGenerator from '../compose/index.ts';
import { composeFeature } from '../compose/feature.ts';
import ContainerGenerator from '../container/index.ts';
import { containerFeature } from '../container/feature.ts';
import type { Feature } from '../core/feature.ts';
import DocsGenerator from '../docs/index.ts';
import { docsFeature } from '../docs/feature.ts';
import KubernetesGenerator from '../kubernetes/index.ts';
import { kubernetesFeature } from '../kubernetes/feature.ts';
import RepoGenerator from '../repo/index.ts';
import { repoFeature } from '../repo/feature.ts';
import ServiceGenerator from '../service/index.ts';
import { serviceFeature } from '../service/feature.ts';

const generatorsRoot = join(import.meta.dirname, '..');

export interface RegisteredFeature {
  definition: Feature;
  Generator: unknown;
  /** The sub-generator's module path, as Yeoman registers it. */
  path: string;
}

export const features: readonly RegisteredFeature[] = [
  { definition: backupFeature, Generator: BackupGenerator, path: join(generatorsRoot, 'backup') },
  { definition: composeFeature, Generator: ComposeGenerator, path: join(generatorsRoot, 'compose') },
  { definition: containerFeature, Generator: ContainerGenerator, path: join(generatorsRoot, 'container') },
  { definition: docsFeature, Generator: DocsGenerator, path: join(generatorsRoot, 'docs') },
  { definition: kubernetesFeature, Generator: KubernetesGenerator, path: join(generatorsRoot, 'kubernetes') },
  { definition: repoFeature, Generator: RepoGenerator, path: join(generatorsRoot, 'repo') },
  { definition: serviceFeature, Generator: ServiceGenerator, path: join(generatorsRoot, 'service') },
];
