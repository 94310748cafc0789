import { FeatureGenerator } from '../core/feature-generator.ts';
import { containerFeature } from './feature.ts';

export default class ContainerGenerator extends FeatureGenerator {
  readonly feature = containerFeature;
}
