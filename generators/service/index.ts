import { FeatureGenerator } from '../core/feature-generator.ts';
import { serviceFeature } from './feature.ts';

export default class ServiceGenerator extends FeatureGenerator {
  readonly feature = serviceFeature;
}
