import { FeatureGenerator } from '../core/feature-generator.ts';
import { kubernetesFeature } from './feature.ts';

export default class KubernetesGenerator extends FeatureGenerator {
  readonly feature = kubernetesFeature;
}
