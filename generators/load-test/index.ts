import { FeatureGenerator } from '../core/feature-generator.ts';
import { loadTestFeature } from './feature.ts';

export default class LoadTestGenerator extends FeatureGenerator {
  readonly feature = loadTestFeature;
}
