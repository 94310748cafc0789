import { FeatureGenerator } from '../core/feature-generator.ts';
import { githubActionsFeature } from './feature.ts';

export default class GithubActionsGenerator extends FeatureGenerator {
  readonly feature = githubActionsFeature;
}
