import { FeatureGenerator } from '../core/feature-generator.ts';
import { composeFeature } from './feature.ts';

export default class ComposeGenerator extends FeatureGenerator {
  readonly feature = composeFeature;
}
