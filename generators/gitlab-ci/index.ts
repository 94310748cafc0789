import { FeatureGenerator } from '../core/feature-generator.ts';
import { gitlabCiFeature } from './feature.ts';

export default class GitlabCiGenerator extends FeatureGenerator {
  readonly feature = gitlabCiFeature;
}
