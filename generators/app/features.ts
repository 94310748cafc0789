/** Every feature the app generator can compose, in one list. */
import { join } from 'node:path';
import BackupGenerator from '../backup/index.ts';
import { backupFeature } from '../backup/feature.ts';
import ComposeGenerator from '../compose/index.ts';
import { composeFeature } from '../compose/feature.ts';
import ContainerGenerator from '../container/index.ts';
import { containerFeature } from '../container/feature.ts';
import type { Feature } from '../core/feature.ts';
import GithubActionsGenerator from '../github-actions/index.ts';
import { githubActionsFeature } from '../github-actions/feature.ts';
import GitlabCiGenerator from '../gitlab-ci/index.ts';
import { gitlabCiFeature } from '../gitlab-ci/feature.ts';
import DocsGenerator from '../docs/index.ts';
import { docsFeature } from '../docs/feature.ts';
import KubernetesGenerator from '../kubernetes/index.ts';
import { kubernetesFeature } from '../kubernetes/feature.ts';
import LoadTestGenerator from '../load-test/index.ts';
import { loadTestFeature } from '../load-test/feature.ts';
import ObservabilityGenerator from '../observability/index.ts';
import { observabilityFeature } from '../observability/feature.ts';
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
  { definition: githubActionsFeature, Generator: GithubActionsGenerator, path: join(generatorsRoot, 'github-actions') },
  { definition: gitlabCiFeature, Generator: GitlabCiGenerator, path: join(generatorsRoot, 'gitlab-ci') },
  { definition: kubernetesFeature, Generator: KubernetesGenerator, path: join(generatorsRoot, 'kubernetes') },
  { definition: loadTestFeature, Generator: LoadTestGenerator, path: join(generatorsRoot, 'load-test') },
  { definition: observabilityFeature, Generator: ObservabilityGenerator, path: join(generatorsRoot, 'observability') },
  { definition: repoFeature, Generator: RepoGenerator, path: join(generatorsRoot, 'repo') },
  { definition: serviceFeature, Generator: ServiceGenerator, path: join(generatorsRoot, 'service') },
];
