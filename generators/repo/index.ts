import { FeatureGenerator } from '../core/feature-generator.ts';
import { repoFeature } from './feature.ts';

export default class RepoGenerator extends FeatureGenerator {
  readonly feature = repoFeature;
}
