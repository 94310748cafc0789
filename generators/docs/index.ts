import { FeatureGenerator } from '../core/feature-generator.ts';
import { docsFeature } from './feature.ts';

export default class DocsGenerator extends FeatureGenerator {
  readonly feature = docsFeature;
}
