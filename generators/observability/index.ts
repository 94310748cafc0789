import { FeatureGenerator } from '../core/feature-generator.ts';
import { observabilityFeature } from './feature.ts';

export default class ObservabilityGenerator extends FeatureGenerator {
  readonly feature = observabilityFeature;
}
